//! The commands, wired from the stages: discover and read (input, detect),
//! parse, classify, aggregate, analyze, report. Each command is a [`Job`] over
//! chunks plus what it does with the results in input order.

use std::collections::BTreeMap;
use std::io::Write;

use crate::aggregate::{Place, Stats};
use crate::analyze;
use crate::analyze::inputs::FileCounts;
use crate::analyze::state::{self, Fold, Part};
use crate::classify::{Classifier, Context, Verdict, Worker, unwrap};
use crate::config::{Config, Task};
use crate::detect::Reading;
use crate::error::Result;
use crate::input::Chunk;
use crate::parse::Line;
use crate::pipeline::{self, Job};
use crate::progress::Progress;
use crate::redact::Redacted;
use crate::report::boundary::{Boundary, Escapes};
use crate::report::playbook::{self, Explanation};
use crate::report::records::{self, Classified, RecordFormat};
use crate::report::{self, Report};

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

/// Reads the inputs and builds the report (with the `--compare` period's
/// analysis when asked for).
pub fn analyze_report(
    config: &Config,
    classifier: &Classifier,
    options: analyze::Options,
) -> Result<Report> {
    let (window, compare, cap) = match &config.task {
        Task::Analyze { window, compare, max_distinct, .. } => {
            (*window, compare.as_slice(), *max_distinct)
        }
        _ => (crate::config::Window::default(), &[][..], crate::aggregate::DEFAULT_MAX_DISTINCT),
    };
    let fold = fold_options(config, window, options.breakdown.clone(), cap);
    let mut report = analyze_sources(&config.sources, config, classifier, &options, &fold)?;
    if !compare.is_empty() {
        let before = analyze_sources(compare, config, classifier, &options, &fold)?;
        report.comparison = Some(analyze::compare::compare(&report, &before));
    }
    Ok(report)
}

/// How this run folds records (what a state must share to be merged).
fn fold_options(
    config: &Config,
    window: crate::config::Window,
    breakdown: Option<crate::aggregate::breakdown::Spec>,
    cap: usize,
) -> Fold {
    Fold {
        since: window.since,
        until: window.until,
        breakdown,
        max_distinct: cap as u64,
        rules: state::rules_fingerprint(&config.rules),
    }
}

fn analyze_sources(
    sources: &[crate::input::Source],
    config: &Config,
    classifier: &Classifier,
    options: &analyze::Options,
    fold: &Fold,
) -> Result<Report> {
    let part = fold_sources(sources, config, classifier, fold)?;
    let warnings = warn_inputs(&part.files, &part.counts);
    let taxonomy = classifier.taxonomy();
    let mut report = analyze::build(&part.stats, part.files, taxonomy, options.clone())?;
    report.summary.warnings = warnings;
    Ok(report)
}

/// `analyze --format state`: folds the inputs and writes the partial report.
fn write_state(
    config: &Config,
    classifier: &Classifier,
    fold: &Fold,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let part = fold_sources(&config.sources, config, classifier, fold)?;
    warn_inputs(&part.files, &part.counts);
    state::write(&part, out)?;
    let unread = part.files.iter().any(|f| f.error.is_some());
    Ok(if unread { Outcome::InputError } else { Outcome::Ok })
}

/// Folds the sources in input order: runs of logs through the pipeline,
/// state files merged as read. The names are then redacted
/// ([`Stats::redact_names`]), whether the part is reported or written.
fn fold_sources(
    sources: &[crate::input::Source],
    config: &Config,
    classifier: &Classifier,
    fold: &Fold,
) -> Result<Part> {
    let stats = Stats::capped(fold.max_distinct as usize);
    let mut part = Part { fold: fold.clone(), files: Vec::new(), counts: Vec::new(), stats };
    let is_state = |s: &crate::input::Source| match s {
        crate::input::Source::File(path) => state::is_state(path),
        crate::input::Source::Stdin => false,
    };
    let kinds: Vec<bool> = sources.iter().map(is_state).collect();
    let mut start = 0;
    for run in kinds.chunk_by(|a, b| a == b) {
        let slice = &sources[start..start + run.len()];
        start += run.len();
        for source in slice.iter().filter(|_| run[0]) {
            let crate::input::Source::File(path) = source else { continue };
            merge_state(&mut part, state::read(path)?, path)?;
        }
        if !run[0] {
            fold_logs(&mut part, slice, config, classifier)?;
        }
    }
    debug_assert_eq!(part.stats.accounted(), part.stats.lines);
    part.stats.redact_names(fold.breakdown.as_ref());
    Ok(part)
}

/// Folds log files into `part`: chunks are folded uncapped (a chunk is
/// bounded by its size) and merged in input order into the capped total.
fn fold_logs(
    part: &mut Part,
    sources: &[crate::input::Source],
    config: &Config,
    classifier: &Classifier,
) -> Result<()> {
    let (breakdown, window) = (part.fold.breakdown.as_ref(), part.fold.window());
    let job = AnalyzeJob { classifier, breakdown, window };
    let progress = Progress::new(config.progress, total_size(sources));
    let offset = part.files.len() as u32;
    let mut counts = vec![FileCounts::default(); sources.len()];
    let total = &mut part.stats;
    let files = pipeline::drive(
        sources,
        config.plan,
        &job,
        config.input.forced(),
        &progress,
        |file, first_line, mut stats| {
            counts[file as usize].add(&stats);
            stats.shift_lines(first_line);
            stats.shift_files(offset);
            total.merge(stats);
            Ok(())
        },
    )?;
    part.files.extend(files);
    part.counts.extend(counts);
    Ok(())
}

/// Merges a state read from `path` into `part`, after `part`'s files.
fn merge_state(part: &mut Part, mut read: Part, path: &std::path::Path) -> Result<()> {
    if let Some(difference) = read.fold.difference(&part.fold) {
        return Err(crate::Error::State { path: path.into(), message: difference });
    }
    read.stats.shift_files(part.files.len() as u32);
    part.stats.merge(read.stats);
    part.files.extend(read.files);
    part.counts.extend(read.counts);
    Ok(())
}

/// The files that could not be read as requests, each said on stderr.
fn warn_inputs(
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
fn total_size(sources: &[crate::input::Source]) -> Option<u64> {
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

/// Folds a chunk into [`Stats`].
struct AnalyzeJob<'c> {
    classifier: &'c Classifier,
    breakdown: Option<&'c crate::aggregate::breakdown::Spec>,
    window: crate::config::Window,
}

impl Job for AnalyzeJob<'_> {
    type Out = Stats;

    fn chunk(&self, file: u32, reading: &Reading<'_>, chunk: Chunk<'_>) -> (u64, Stats) {
        let mut stats = Stats::default();
        let mut worker = self.classifier.worker();
        let lines = pipeline::parse_chunk(chunk, reading, |line, parsed, first| {
            let place = Place { file, line };
            stats.extra_records += u64::from(!first);
            match parsed {
                Line::Blank => stats.blank(),
                Line::Malformed(reason) => stats.malformed(reason, place),
                Line::Aside(kind) => stats.aside(kind, place),
                Line::Record(record) if !self.window.contains(record.ts) => {
                    stats.outside_window(&record, place)
                }
                Line::Record(record) => {
                    let verdict = record.is_failure().then(|| worker.classify_record(&record));
                    if let Some(spec) = self.breakdown {
                        let taxonomy = self.classifier.taxonomy();
                        let cause = verdict.map(|v| taxonomy.cause(v.cause).id.as_str());
                        stats.breakdown(spec, &record, cause);
                    }
                    stats.record(&record, verdict, place);
                }
            }
        });
        stats.lines = lines;
        (lines, stats)
    }
}

/// `classify`: the records of every source in input order, written by the
/// format's [`records::RecordWriter`] as the chunks come back.
fn classify_records(
    config: &Config,
    classifier: &Classifier,
    all: bool,
    format: RecordFormat,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let names: Vec<Redacted> = config.sources.iter().map(|s| Redacted::text(&s.name())).collect();
    let mut writer = records::writer(format, &names, out)?;
    let job = ClassifyJob { classifier, all };
    let progress = Progress::new(config.progress, total_size(&config.sources));
    let mut counts = vec![FileCounts::default(); config.sources.len()];
    let files = pipeline::drive(
        &config.sources,
        config.plan,
        &job,
        config.input.forced(),
        &progress,
        |file, first_line, (rows, items)| {
            counts[file as usize].merge(items);
            rows.into_iter().try_for_each(|mut row| {
                row.line += first_line;
                writer.write(row)
            })
        },
    )?;
    writer.finish()?;
    warn_inputs(&files, &counts);
    Ok(if files.iter().any(|f| f.error.is_some()) { Outcome::InputError } else { Outcome::Ok })
}

/// Classifies a chunk's failures (or all records) into owned rows.
struct ClassifyJob<'c> {
    classifier: &'c Classifier,
    all: bool,
}

impl Job for ClassifyJob<'_> {
    /// The rows, and what the chunk's items were (for input warnings).
    type Out = (Vec<Classified>, FileCounts);

    fn chunk(&self, file: u32, reading: &Reading<'_>, chunk: Chunk<'_>) -> (u64, Self::Out) {
        let mut rows = Vec::new();
        let mut items = FileCounts::default();
        let mut worker = self.classifier.worker();
        let lines = pipeline::parse_chunk(chunk, reading, |line, parsed, _| {
            items.add_line(&parsed);
            if let Line::Record(record) = parsed {
                if record.is_failure() || self.all {
                    rows.push(self.row(&mut worker, file, line, &record));
                }
            }
        });
        (lines, (rows, items))
    }
}

impl ClassifyJob<'_> {
    /// One record's row: every string from the log redacted here, on the
    /// worker, once for every output format.
    fn row(
        &self,
        worker: &mut Worker<'_>,
        file: u32,
        line: u64,
        record: &crate::parse::Record<'_>,
    ) -> Classified {
        let text = |t: Option<crate::parse::Text<'_>>| t.map(|t| Redacted::text(&t.decode()));
        let mut row = Classified {
            file,
            line,
            request_id: text(record.request_id),
            ts: record.ts,
            key: record.key.map(|k| Redacted::key(&k.decode())),
            org: text(record.org),
            project: text(record.project),
            user: text(record.user),
            provider: text(record.provider),
            endpoint: text(record.endpoint),
            model: text(record.model),
            status: record.status,
            status_inferred: false,
            category: "success",
            group: None,
            owner: None,
            retry: None,
            message: None,
            signature: None,
            evidence: BTreeMap::new(),
        };
        if record.is_failure() {
            self.verdict(worker, record, &mut row);
        }
        row
    }

    /// Fills in a failure's cause, message and evidence.
    fn verdict(
        &self,
        worker: &mut Worker<'_>,
        record: &crate::parse::Record<'_>,
        row: &mut Classified,
    ) {
        let v = worker.classify_record(record);
        let cause = self.classifier.taxonomy().cause(v.cause);
        row.status = v.info.status;
        row.status_inferred = v.info.status_inferred;
        row.category = cause.id.as_str();
        row.group = Some(cause.group());
        row.owner = Some(cause.owner.as_str());
        row.retry = Some(cause.retry.as_str());
        row.message = Some(Redacted::text(&v.info.message));
        row.signature = v.signature.as_deref().map(Redacted::text);
        row.evidence = v.evidence.iter().map(|(k, val)| (k.clone(), Redacted::text(val))).collect();
    }
}
