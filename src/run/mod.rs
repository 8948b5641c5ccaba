//! The commands, wired from the stages: discover and read (input, detect),
//! parse, classify, aggregate, analyze, report. Each command that reads logs
//! is a [`crate::pipeline::Job`] over chunks plus what it does with the
//! results in input order: `analyze` in [`analyze_job`], `classify` in
//! [`classify_job`]; `explain` and `taxonomy` read no logs.

use std::io::Write;

use crate::analyze;
use crate::analyze::inputs::FileCounts;
use crate::classify::{Classifier, Context, Verdict, unwrap};
use crate::config::{Config, Task};
use crate::error::Result;
use crate::parse::Line;
use crate::pipeline;
use crate::report::boundary::{Boundary, Escapes};
use crate::report::playbook::{self, Explanation};
use crate::report::records::RecordFormat;
use crate::report::{self, Report};

mod analyze_job;
mod classify_job;

pub use analyze_job::analyze_report;
use analyze_job::{fold_options, write_state};
use classify_job::classify_records;

/// How a run ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Ok,
    /// Done, and a condition asked for by a flag held (`--strict`).
    ConditionHeld,
    /// Done, but some input could not be read.
    InputError,
}

impl Outcome {
    /// The documented exit code: 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Ok => 0,
            Outcome::ConditionHeld => 1,
            Outcome::InputError => 2,
        }
    }
}

/// Runs the configured command, writing to `out` through the output
/// [`Boundary`] (secrets redacted, terminal controls escaped).
pub fn run(config: &Config, out: &mut dyn Write) -> Result<Outcome> {
    let classifier = Classifier::new(&config.rules, config.now)?;
    let outcome = run_with(config, &classifier, out);
    pipeline::discard(classifier);
    outcome
}

/// [`run`] with the classifier compiled beforehand from the same rules and
/// time, for callers that run many configurations (the fuzz harnesses):
/// compiling the rules costs more than a small run.
#[doc(hidden)]
pub fn run_with(config: &Config, classifier: &Classifier, out: &mut dyn Write) -> Result<Outcome> {
    let Some(escapes) = escapes(&config.task) else {
        // Binary output (Parquet, states) would be corrupted by a text boundary:
        // its strings are redacted where its rows are made (`Redacted`) or its
        // names before it is written (`Stats::redact_names`).
        let outcome = run_command(config, classifier, out)?;
        out.flush()?;
        return Ok(outcome);
    };
    let mut boundary = Boundary::new(out, escapes);
    let outcome = run_command(config, classifier, &mut boundary)?;
    boundary.flush()?;
    Ok(outcome)
}

/// How the output escapes control characters: as JSON escapes in JSON;
/// `None` for binary output, which is no text.
fn escapes(task: &Task) -> Option<Escapes> {
    use crate::cli::DocFormat;
    Some(match task {
        Task::Classify { format, .. } if format.is_binary() => return None,
        Task::Analyze { format: report::Format::State, .. } => return None,
        Task::Analyze { format: report::Format::Json, .. }
        | Task::Classify { format: RecordFormat::Jsonl, .. }
        | Task::Explain { format: DocFormat::Json, .. }
        | Task::Taxonomy { format: DocFormat::Json } => Escapes::Json,
        Task::Analyze { style, .. } => Escapes::Visible { colour: style.color },
        _ => Escapes::Visible { colour: false },
    })
}

fn run_command(config: &Config, classifier: &Classifier, out: &mut dyn Write) -> Result<Outcome> {
    match &config.task {
        Task::Analyze {
            format: report::Format::State, window, breakdown, max_distinct, ..
        } => {
            let fold = fold_options(config, *window, breakdown.clone(), *max_distinct);
            write_state(config, classifier, &fold, out)
        }
        Task::Analyze { format, style, every_minutes, breakdown, full, .. } => {
            let options = analyze::Options {
                every_minutes: *every_minutes,
                generated_at: config.now,
                breakdown: breakdown.clone(),
            };
            let mut report = analyze_report(config, classifier, options)?;
            let outcome = outcome(&report, &config.task);
            if let Some(limits) = row_limits(*format, *full) {
                analyze::limit::limit(&mut report, limits);
            }
            report::render(&report, *format, *style, out)?;
            out.flush()?;
            Ok(outcome)
        }
        Task::Classify { all, format } => classify_records(config, classifier, *all, *format, out),
        Task::Explain { text, model, provider, status, format } => {
            let context = Context {
                model: model.as_deref(),
                provider: provider.as_deref(),
                ..Context::default()
            };
            let verdict = explain(classifier, text, &context, *status);
            let cause = classifier.taxonomy().cause(verdict.cause);
            playbook::render(&Explanation::new(cause, &verdict), *format, out)?;
            out.flush()?;
            Ok(Outcome::Ok)
        }
        Task::Taxonomy { format } => {
            report::taxonomy::render(classifier.taxonomy(), *format, out)?;
            out.flush()?;
            Ok(Outcome::Ok)
        }
        Task::RulesSql { dialect } => {
            report::sql::render(classifier.rules(), classifier.taxonomy(), *dialect, out)?;
            out.flush()?;
            Ok(Outcome::Ok)
        }
    }
}

/// The rows a report lists: every row with `--full` and in CSV tables.
fn row_limits(format: report::Format, full: bool) -> Option<analyze::limit::Limits> {
    use analyze::limit::Limits;
    match format {
        _ if full => None,
        report::Format::Csv | report::Format::State => None,
        report::Format::Json => Some(Limits::JSON),
        report::Format::Text | report::Format::Markdown | report::Format::Html => {
            Some(Limits::HUMAN)
        }
    }
}

/// The verdict for one pasted error. A whole log line (a JSON object with a
/// failure in canonical fields) is classified as logged; anything else is
/// unwrapped as text, with the context given on the command line.
pub fn explain(
    classifier: &Classifier,
    text: &str,
    context: &Context<'_>,
    status: Option<u16>,
) -> Verdict {
    if let Line::Record(record) = crate::parse::parse_line(text.trim()) {
        if record.is_failure() {
            return Verdict::clone(&classifier.classify_record(&record));
        }
    }
    classifier.classify(unwrap::unwrap_text(text, status), context)
}

/// The files that could not be read as requests, each said on stderr.
pub(super) fn warn_inputs(
    files: &[crate::report::model::FileRow],
    counts: &[FileCounts],
) -> Vec<crate::report::model::InputWarning> {
    let warnings = analyze::inputs::warnings(files, counts);
    for w in &warnings {
        crate::message::warn(&w.message);
    }
    warnings
}

/// The input size when every source is a plain file (progress can show a bar).
pub(super) fn total_size(sources: &[crate::input::Source]) -> Option<u64> {
    sources.iter().try_fold(0, |sum, s| match s {
        crate::input::Source::File(path) if !crate::input::is_compressed_name(path) => {
            std::fs::metadata(path).ok().map(|m| sum + m.len())
        }
        _ => None,
    })
}

/// The exit outcome: unreadable input first, then the conditions asked for
/// (`--strict`: a malformed line or an input warning; `--fail-on`,
/// `--max-error-rate`).
fn outcome(report: &Report, task: &Task) -> Outcome {
    let Task::Analyze { strict, fail_on, max_error_rate, fail_on_new, .. } = task else {
        return Outcome::Ok;
    };
    let new_cause =
        report.comparison.as_ref().is_some_and(|c| c.causes.iter().any(|c| c.change == "new"));
    let failing =
        |glob: &String| report.causes.iter().any(|c| crate::config::glob_match(glob, &c.category));
    let unread_before = report.comparison.as_ref().is_some_and(|c| !c.previous.unread.is_empty());
    if report.summary.files.iter().any(|f| f.error.is_some()) || unread_before {
        Outcome::InputError
    } else if (*strict && (report.summary.malformed > 0 || !report.summary.warnings.is_empty()))
        || fail_on.iter().any(failing)
        || max_error_rate.is_some_and(|r| report.summary.error_rate > r)
        || (*fail_on_new && new_cause)
    {
        Outcome::ConditionHeld
    } else {
        Outcome::Ok
    }
}
