//! Analyze stage: turns the merged [`Stats`] into the [`Report`] people read:
//! causes ranked by impact with their shares, owners, retry advice, top keys,
//! projects and models, evidence and fix; unclassified signatures; per-key,
//! per-project and per-model error rates. Ranking ties break on names, so the
//! report is deterministic. Findings across records live in [`findings`].

pub mod actions;
pub mod compare;
pub mod findings;
pub mod inputs;
pub mod limit;
pub mod state;

use std::collections::BTreeMap;

use crate::aggregate::breakdown::{self, Dim, Spec};
use crate::aggregate::{CauseStats, DimCounts, Example, Occurrences, Place, Stats, Tally};
use crate::error::{Error, Result};
use crate::parse::time::{self, Millis};
use crate::redact;
use crate::report::model::{
    BreakdownRow, BreakdownTable, CauseRow, DimRow, Distribution, ExampleRow, FileRow,
    MalformedRow, ModelFixRow, Omitted, RateLimitRow, Report, SCHEMA_VERSION, SignatureRow,
    Summary, TimeRange, Timeline, TimelineRow, Top,
};
use crate::taxonomy::Taxonomy;

/// How many entries the top lists keep.
pub const TOP: usize = 5;

/// How the report is built.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Timeline bucket width in minutes; `None` picks one for the time range.
    pub every_minutes: Option<i64>,
    /// The "generated at" time.
    pub generated_at: Millis,
    /// The `--by` / `--every` breakdown to compute.
    pub breakdown: Option<Spec>,
}

/// Bucket widths offered, in minutes, with their names.
pub const BUCKETS: [(i64, &str); 7] =
    [(1, "1m"), (5, "5m"), (15, "15m"), (60, "1h"), (360, "6h"), (1440, "1d"), (10_080, "1w")];

/// The most buckets an automatic timeline has.
const AUTO_BUCKETS: i64 = 48;
/// The most buckets any timeline has (a week in minutes is 10,080).
const MAX_BUCKETS: i64 = 20_000;

/// Builds the report from the run's stats and its file list.
pub fn build(
    stats: &Stats,
    files: Vec<FileRow>,
    taxonomy: &Taxonomy,
    options: Options,
) -> Result<Report> {
    let place = |p: Place| {
        format!("{}:{}", files.get(p.file as usize).map_or("?", |f| f.path.as_str()), p.line)
    };
    let example = |e: &Example| ExampleRow {
        place: place(e.place),
        status: e.status,
        message: e.message.clone(),
    };
    let records = stats.successes + stats.failures;
    let mut causes: Vec<CauseRow> = stats
        .causes
        .iter()
        .map(|(&id, c)| cause_row(taxonomy.cause(id), c, stats.failures, records, &example))
        .collect();
    causes.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.category.cmp(&b.category)));
    let mut unclassified: Vec<SignatureRow> = stats
        .signatures
        .iter()
        .map(|(sig, s)| SignatureRow {
            signature: sig.clone(),
            count: s.count,
            example: example(&s.example),
        })
        .collect();
    unclassified.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.signature.cmp(&b.signature)));
    let breakdown =
        options.breakdown.as_ref().map(|spec| breakdown_table(stats, spec)).transpose()?;
    let mut summary = summary(stats, files.clone(), &place);
    let breakdown_folded =
        breakdown.as_ref().and_then(|b| b.rows_omitted).map_or(0, |o| o.requests);
    summary.capped = capped(stats, breakdown_folded);
    let findings = findings::findings(stats, taxonomy, &causes);
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        actions: actions::actions(&findings, &causes, summary.time_range.as_ref()),
        findings,
        findings_omitted: 0,
        comparison: None,
        breakdown,
        generated_at: time::format_rfc3339(options.generated_at),
        timeline: timeline(stats, taxonomy, options.every_minutes),
        summary,
        causes,
        unclassified,
        keys: dim_rows(&stats.keys, true),
        projects: dim_rows(&stats.projects, false),
        models: dim_rows(&stats.models, false),
        keys_omitted: folded(&stats.keys),
        projects_omitted: folded(&stats.projects),
        models_omitted: folded(&stats.models),
        unclassified_omitted: (stats.signatures.folded() > 0).then(|| {
            let n = stats.signatures.folded();
            Omitted { rows: 0, requests: n, failures: n }
        }),
    })
}

/// The records of values folded past `--max-distinct`, if any.
fn folded(map: &DimCounts) -> Option<Omitted> {
    let other = map.other();
    (other.requests > 0).then_some(Omitted {
        rows: 0,
        requests: other.requests,
        failures: other.failures,
    })
}

/// Dimensions that hit `--max-distinct`, with the records (or failures)
/// counted as "other". Per-cause tallies of keys, projects and models hold a
/// subset of the run's values, so they can only fold when the run's did.
fn capped(stats: &Stats, breakdown_folded: u64) -> BTreeMap<String, u64> {
    let evidence = stats.causes.values().map(CauseStats::evidence_folded).sum();
    [
        ("keys", stats.keys.folded()),
        ("projects", stats.projects.folded()),
        ("models", stats.models.folded()),
        ("signatures", stats.signatures.folded()),
        ("evidence", evidence),
        ("breakdown", breakdown_folded),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(name, n)| (name.to_string(), n))
    .collect()
}

/// The breakdown table, computed with polars.
fn breakdown_table(stats: &Stats, spec: &Spec) -> Result<BreakdownTable> {
    let table = breakdown::table(&stats.breakdown).map_err(|e| Error::Table(e.to_string()))?;
    let rows_omitted =
        table.other.map(|o| Omitted { rows: 0, requests: o.requests, failures: o.failures });
    let rows = table
        .rows
        .into_iter()
        .map(|r| {
            let values = spec
                .dims
                .iter()
                .zip(&r.key.values)
                .map(|(dim, v)| {
                    let text = v.text();
                    let text = redact::display_value(&text, *dim == Dim::Key).into_owned();
                    (dim.name().to_string(), text)
                })
                .collect();
            BreakdownRow {
                bucket: r.key.bucket.map(|m| time::format_rfc3339(m * 60_000)),
                values,
                requests: r.requests,
                failures: r.failures,
                error_rate: ratio(r.failures, r.requests),
                failure_latency_p50_ms: r.failure_latency.0.map(tenth),
                failure_latency_p95_ms: r.failure_latency.1.map(tenth),
                success_latency_p50_ms: r.success_latency.0.map(tenth),
                success_latency_p95_ms: r.success_latency.1.map(tenth),
            }
        })
        .collect();
    Ok(BreakdownTable {
        by: spec.dims.iter().map(|d| d.name().to_string()).collect(),
        every: spec.every_minutes.map(|m| bucket_name(m).to_string()),
        rows,
        rows_omitted,
    })
}

fn summary(stats: &Stats, files: Vec<FileRow>, place: &dyn Fn(Place) -> String) -> Summary {
    let records = stats.successes + stats.failures;
    let malformed_by_reason = reason_rows(&stats.malformed, |r| (r.id(), r.describe()), place);
    let dropped_values = reason_rows(&stats.dropped, |r| (r.id(), r.describe()), place);
    let set_aside = reason_rows(&stats.aside, |r| (r.id(), r.describe()), place);
    let aside = |kind| stats.aside.get(&kind).map_or(0, |o| o.count);
    let time_range = match (stats.time.first, stats.time.last) {
        (Some(a), Some(b)) => {
            Some(TimeRange { start: time::format_rfc3339(a), end: time::format_rfc3339(b) })
        }
        _ => None,
    };
    Summary {
        lines: stats.lines,
        records,
        successes: stats.successes,
        failures: stats.failures,
        error_rate: ratio(stats.failures, records),
        blank: stats.blank,
        malformed: stats.malformed.values().map(|o| o.count).sum(),
        out_of_range: stats.out_of_range,
        invalid_time: stats.dropped.get(&crate::parse::Invalid::Time).map_or(0, |o| o.count),
        unrecognized: aside(crate::parse::Aside::Unrecognized),
        not_llm: aside(crate::parse::Aside::NotLlm),
        extra_records: stats.extra_records,
        malformed_by_reason,
        set_aside,
        dropped_values,
        warnings: Vec::new(),
        warnings_omitted: 0,
        files,
        files_omitted: 0,
        time_range,
        capped: BTreeMap::new(),
        time_resolution_minutes: (stats.resolution.0 > 1).then_some(stats.resolution.0),
    }
}

/// Counts and first places by reason id (malformed lines, dropped values).
fn reason_rows<R: Copy>(
    by_reason: &BTreeMap<R, Occurrences>,
    words: fn(R) -> (&'static str, &'static str),
    place: &dyn Fn(Place) -> String,
) -> BTreeMap<String, MalformedRow> {
    by_reason
        .iter()
        .map(|(&reason, occ)| {
            let (id, description) = words(reason);
            let first = occ.first.iter().map(|&p| place(p)).collect();
            (
                id.to_string(),
                MalformedRow { count: occ.count, description: description.into(), first },
            )
        })
        .collect()
}

fn cause_row(
    cause: &crate::taxonomy::Cause,
    c: &CauseStats,
    failures: u64,
    records: u64,
    example: &dyn Fn(&Example) -> ExampleRow,
) -> CauseRow {
    CauseRow {
        category: cause.id.clone(),
        group: cause.group().to_string(),
        title: cause.title.clone(),
        owner: cause.owner.as_str().to_string(),
        retry: cause.retry.as_str().to_string(),
        count: c.count,
        share_of_failures: ratio(c.count, failures),
        share_of_requests: ratio(c.count, records),
        first_seen: c.seen.first.map(time::format_rfc3339),
        last_seen: c.seen.last.map(time::format_rfc3339),
        top_keys: top(&c.keys, true),
        top_projects: top(&c.projects, false),
        top_models: top(&c.models, false),
        evidence: c
            .evidence
            .iter()
            .filter(|(k, _)| k.as_str() != crate::classify::rules::NOTE)
            .map(|(k, t)| (k.clone(), top(t, false)))
            .collect(),
        notes: note_rows(c),
        rate_limits: rate_limit_rows(c),
        retry_after_s: c.evidence.get("retry_after_s").and_then(distribution),
        model_fixes: model_fix_rows(c),
        example: c.example.as_ref().map(example),
        fix: cause.fix.clone(),
    }
}

/// The cautions of a cause's failures (evidence `note`), most frequent first.
fn note_rows(c: &CauseStats) -> Vec<crate::report::model::NoteRow> {
    let notes = c.evidence.get(crate::classify::rules::NOTE).map(|t| top(t, false));
    let note = |t: Top| crate::report::model::NoteRow { text: t.name, count: t.count };
    notes.into_iter().flatten().map(note).collect()
}

/// The largest counts of a tally, ties by name; keys are fingerprinted first
/// (two raw keys never share a fingerprint in practice, and if they did the
/// counts would simply add up).
pub fn top(tally: &Tally, keys: bool) -> Vec<Top> {
    let mut merged: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for (name, &count) in tally {
        let name = redact::display_value(name, keys).into_owned();
        *merged.entry(name).or_default() += count;
    }
    let mut rows: Vec<Top> = merged.into_iter().map(|(name, count)| Top { name, count }).collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    rows.truncate(TOP);
    rows
}

/// The minute timeline re-bucketed: `every` minutes, or the smallest offered
/// width that needs at most [`AUTO_BUCKETS`] buckets.
fn timeline(stats: &Stats, taxonomy: &Taxonomy, every: Option<i64>) -> Timeline {
    let (Some(first), Some(last)) = (stats.minutes.keys().min(), stats.minutes.keys().max()) else {
        return Timeline {
            every: every.map_or("1h", bucket_name).to_string(),
            buckets: Vec::new(),
        };
    };
    let span = last - first + 1;
    let width = every
        .unwrap_or_else(|| {
            BUCKETS
                .iter()
                .map(|b| b.0)
                .find(|w| (span + w - 1) / w <= AUTO_BUCKETS)
                .unwrap_or(10_080)
        })
        .max((span + MAX_BUCKETS - 1) / MAX_BUCKETS);
    // Whole buckets of the resolution the minutes were kept at.
    let res = stats.resolution.0;
    let width = (width.max(res) + res - 1) / res * res;
    let bucket = |minute: i64| minute.div_euclid(width) * width;
    let mut rows: BTreeMap<i64, TimelineRow> = BTreeMap::new();
    let mut start = bucket(*first);
    while start <= *last {
        rows.insert(start, empty_row(start));
        start += width;
    }
    for (minute, c) in &stats.minutes {
        let row = rows.entry(bucket(*minute)).or_insert_with(|| empty_row(bucket(*minute)));
        row.requests += c.requests;
        row.failures += c.failures;
    }
    for ((minute, cause), n) in &stats.cause_minutes {
        let row = rows.entry(bucket(*minute)).or_insert_with(|| empty_row(bucket(*minute)));
        *row.causes.entry(taxonomy.cause(*cause).id.clone()).or_default() += n;
    }
    let buckets = rows
        .into_values()
        .map(|r| TimelineRow { error_rate: ratio(r.failures, r.requests), ..r })
        .collect();
    Timeline { every: bucket_name(width).to_string(), buckets }
}

fn empty_row(minute: i64) -> TimelineRow {
    TimelineRow {
        start: time::format_rfc3339(minute * 60_000),
        requests: 0,
        failures: 0,
        error_rate: 0.0,
        causes: BTreeMap::new(),
    }
}

/// `60` -> `1h`; widths not offered are written in minutes.
fn bucket_name(minutes: i64) -> &'static str {
    BUCKETS.iter().find(|b| b.0 == minutes).map_or("custom", |b| b.1)
}

/// Rate limits stated by a cause's failures, most frequent first.
fn rate_limit_rows(c: &CauseStats) -> Vec<RateLimitRow> {
    let mut rows: Vec<RateLimitRow> = c
        .limits
        .iter()
        .map(|((model, dimension), l)| RateLimitRow {
            model: model.clone(),
            dimension: dimension.clone(),
            limit: l.limit,
            peak_used: l.peak_used,
            count: l.count,
            retry_after_s: distribution(&c.retry_after_of(model)),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.count.cmp(&a.count).then_with(|| (&a.model, &a.dimension).cmp(&(&b.model, &b.dimension)))
    });
    rows
}

/// Models that failed and what to use instead, most frequent first.
fn model_fix_rows(c: &CauseStats) -> Vec<ModelFixRow> {
    let mut rows: Vec<ModelFixRow> = c
        .model_fixes
        .iter()
        .map(|(model, f)| ModelFixRow {
            model: model.clone(),
            suggestion: f.suggestion.clone(),
            shutdown_date: f.shutdown_date.clone(),
            replacement: f.replacement.clone(),
            count: f.count,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.model.cmp(&b.model)));
    rows
}

/// The distribution of a tally of numbers (value -> count).
pub fn distribution(tally: &Tally) -> Option<Distribution> {
    let mut values: Vec<(f64, u64)> =
        tally.iter().filter_map(|(v, &n)| v.parse::<f64>().ok().map(|v| (v, n))).collect();
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let count: u64 = values.iter().map(|(_, n)| n).sum();
    let at = |q: f64| {
        let rank = ((q * count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        values.iter().find(|(_, n)| {
            seen += n;
            seen >= rank
        })
    };
    Some(Distribution {
        count,
        min: values.first()?.0,
        p50: at(0.5)?.0,
        p90: at(0.9)?.0,
        max: values.last()?.0,
    })
}

fn dim_rows(map: &DimCounts, keys: bool) -> Vec<DimRow> {
    let mut rows: Vec<DimRow> = map
        .iter()
        .map(|(name, c)| DimRow {
            name: redact::display_value(name, keys).into_owned(),
            requests: c.requests,
            failures: c.failures,
            error_rate: ratio(c.failures, c.requests),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.failures
            .cmp(&a.failures)
            .then(b.requests.cmp(&a.requests))
            .then_with(|| a.name.cmp(&b.name))
    });
    rows
}

/// Rounded to a tenth (latencies in ms).
fn tenth(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// a / b rounded to 6 decimals, 0 when b is 0 (stable across platforms).
pub fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { (a as f64 / b as f64 * 1e6).round() / 1e6 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_weight_by_count() {
        let mut tally = Tally::default();
        for (v, n) in [("0.5", 5u64), ("2", 4), ("60", 1), ("x", 3)] {
            tally.insert(v.into(), n);
        }
        let d = distribution(&tally).unwrap();
        assert_eq!((d.count, d.min, d.p50, d.p90, d.max), (10, 0.5, 0.5, 2.0, 60.0));
        assert_eq!(distribution(&Tally::default()), None);
    }
}
