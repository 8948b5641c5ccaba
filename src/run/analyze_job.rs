//! `analyze`: the inputs folded into a [`Part`] (runs of logs through the
//! pipeline, state files merged as read, in input order), then reported, or
//! written as a state.

use std::io::Write;

use crate::aggregate::{Place, Stats};
use crate::analyze;
use crate::analyze::inputs::FileCounts;
use crate::analyze::state::{self, Fold, Part};
use crate::classify::Classifier;
use crate::config::{Config, Task};
use crate::detect::Reading;
use crate::error::Result;
use crate::input::Chunk;
use crate::parse::Line;
use crate::pipeline::{self, Job};
use crate::progress::Progress;
use crate::report::Report;

use super::{Outcome, total_size, warn_inputs};

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
pub(super) fn fold_options(
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
pub(super) fn write_state(
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
