//! The report model: one serde type tree that every renderer reads and the JSON
//! renderer writes as is. Field names here are the JSON contract
//! (`schema_version` 1): later versions add fields, never rename or remove one.

use std::collections::BTreeMap;

use serde::Serialize;

mod findings;
pub use findings::{Action, Finding, FindingRow};

/// The schema version of the JSON report.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// Version of this contract.
    pub schema_version: u32,
    /// When the report was made (RFC 3339; `SOURCE_DATE_EPOCH` when set).
    pub generated_at: String,
    /// Inputs, accounting and time range.
    pub summary: Summary,
    /// What to do now: at most five steps, ranked by impact.
    pub actions: Vec<Action>,
    /// Root causes, ranked by count.
    pub causes: Vec<CauseRow>,
    /// Unclassified message signatures, ranked by count.
    pub unclassified: Vec<SignatureRow>,
    /// Requests and failures per key (raw keys fingerprinted).
    pub keys: Vec<DimRow>,
    /// Requests and failures per project.
    pub projects: Vec<DimRow>,
    /// Requests and failures per model.
    pub models: Vec<DimRow>,
    /// What `keys` leaves out (rows past the row limit, values past
    /// `--max-distinct`); absent when nothing is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys_omitted: Option<Omitted>,
    /// What `projects` leaves out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projects_omitted: Option<Omitted>,
    /// What `models` leaves out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models_omitted: Option<Omitted>,
    /// What `unclassified` leaves out (`requests` = `failures`: the count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unclassified_omitted: Option<Omitted>,
    /// Requests, failures and failures by cause per time bucket.
    pub timeline: Timeline,
    /// The `--by` / `--every` breakdown, when asked for.
    pub breakdown: Option<BreakdownTable>,
    /// Findings across records, in a fixed order of kinds.
    pub findings: Vec<Finding>,
    /// Findings left out (past the row limit for their kind, the ones with
    /// the fewest failures); absent when none are.
    #[serde(skip_serializing_if = "is_zero")]
    pub findings_omitted: u64,
    /// The comparison with the `--compare` period, when asked for.
    pub comparison: Option<Comparison>,
}

/// This period against a previous one.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Comparison {
    /// The previous period's inputs, records, failures, error rate and time range.
    pub previous: PeriodRow,
    /// Error rate now minus before (fraction points).
    pub error_rate_change: f64,
    /// One row per cause seen in either period: new and grown first.
    pub causes: Vec<CauseChange>,
}

/// The headline figures of a period.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeriodRow {
    /// Records.
    pub records: u64,
    /// Failed records.
    pub failures: u64,
    /// failures / records.
    pub error_rate: f64,
    /// Earliest and latest record time.
    pub time_range: Option<TimeRange>,
    /// The previous period's inputs that could not be read to their end
    /// (its figures are then short, and the run exits 2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<FileRow>,
}

/// How one cause changed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CauseChange {
    /// The cause id.
    pub category: String,
    /// `new`, `gone`, `grown`, `shrunk` or `same`.
    pub change: String,
    /// Failures now.
    pub now: u64,
    /// Failures before.
    pub before: u64,
    /// (now - before) / before, as a fraction; `None` for new causes.
    pub percent_change: Option<f64>,
}

/// Requests, failures and latency per group.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BreakdownTable {
    /// The dimensions, in the order asked for.
    pub by: Vec<String>,
    /// The bucket width, when `--every` was given.
    pub every: Option<String>,
    /// One row per group, sorted by bucket then values.
    pub rows: Vec<BreakdownRow>,
    /// What `rows` leaves out; absent when nothing is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_omitted: Option<Omitted>,
}

/// What a list leaves out: its rows past the row limit (the smallest by
/// count), plus the records of values past `--max-distinct`, which have no
/// row. A list's sums plus its `*_omitted` are the exact totals.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Omitted {
    /// Rows left out.
    pub rows: u64,
    /// Their records.
    pub requests: u64,
    /// Their failed records.
    pub failures: u64,
}

impl std::ops::Add for Omitted {
    type Output = Omitted;

    /// Row by row and record by record.
    fn add(self, other: Omitted) -> Omitted {
        Omitted {
            rows: self.rows + other.rows,
            requests: self.requests + other.requests,
            failures: self.failures + other.failures,
        }
    }
}

/// One group.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BreakdownRow {
    /// Bucket start (RFC 3339), with `--every`.
    pub bucket: Option<String>,
    /// The group's values by dimension (keys fingerprinted; `""` when absent).
    pub values: BTreeMap<String, String>,
    /// Records.
    pub requests: u64,
    /// Failed records.
    pub failures: u64,
    /// failures / requests.
    pub error_rate: f64,
    /// Latency of failures, p50 and p95 (ms), where logged.
    pub failure_latency_p50_ms: Option<f64>,
    /// See above.
    pub failure_latency_p95_ms: Option<f64>,
    /// Latency of successes, p50 and p95 (ms), where logged.
    pub success_latency_p50_ms: Option<f64>,
    /// See above.
    pub success_latency_p95_ms: Option<f64>,
}

/// Failures over time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Timeline {
    /// Bucket width: `1m`, `5m`, `15m`, `1h`, `6h`, `1d` or `1w`.
    pub every: String,
    /// One row per bucket from the first to the last record, empty ones included.
    pub buckets: Vec<TimelineRow>,
}

/// One time bucket.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimelineRow {
    /// Bucket start, RFC 3339 UTC.
    pub start: String,
    /// Records.
    pub requests: u64,
    /// Failed records.
    pub failures: u64,
    /// failures / requests.
    pub error_rate: f64,
    /// Failures by cause id.
    pub causes: BTreeMap<String, u64>,
}

/// Inputs, line accounting (`lines = records + out_of_range + not_llm -
/// extra_records + blank + malformed + unrecognized`, `records = successes +
/// failures`) and the input warnings.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Input lines.
    pub lines: u64,
    /// Records (successes + failures).
    pub records: u64,
    /// Records that did not fail.
    pub successes: u64,
    /// Records that failed (status >= 400 or an error).
    pub failures: u64,
    /// failures / records (0 when there are no records).
    pub error_rate: f64,
    /// Empty or whitespace-only lines.
    pub blank: u64,
    /// Lines that are not records.
    pub malformed: u64,
    /// Records left out by `--since` / `--until` (records without a time
    /// included).
    pub out_of_range: u64,
    /// Records whose time was dropped as invalid (not a real date and time
    /// from 2000 to 2100): a note, not a bucket. They are still counted as
    /// successes, failures or out of range, without a time.
    pub invalid_time: u64,
    /// Lines of valid JSON (and records of Azure envelopes) that are not a
    /// request record of any known layout.
    pub unrecognized: u64,
    /// Records that are not LLM requests (spans of other work, other Azure
    /// resources' logs): counted as items of their lines, never as successes.
    pub not_llm: u64,
    /// Items beyond the first on lines that held several (OTLP spans, Azure
    /// `records` envelopes): `lines = records + out_of_range + not_llm -
    /// extra_records + blank + malformed + unrecognized`.
    pub extra_records: u64,
    /// Malformed lines by reason id.
    pub malformed_by_reason: BTreeMap<String, MalformedRow>,
    /// `unrecognized` lines and `not_llm` records with their first places.
    pub set_aside: BTreeMap<String, MalformedRow>,
    /// Values dropped from records as implausible, by reason id
    /// (`invalid_time`, `invalid_latency`, `invalid_status`,
    /// `invalid_retry_after`, `invalid_attempt`); the places are the records'.
    pub dropped_values: BTreeMap<String, MalformedRow>,
    /// Files that could not be read as requests (format unknown, mostly
    /// unrecognized, no LLM request), one warning each; empty when none.
    pub warnings: Vec<InputWarning>,
    /// Warnings left out (past the row limit).
    #[serde(skip_serializing_if = "is_zero")]
    pub warnings_omitted: u64,
    /// The files read, in order.
    pub files: Vec<FileRow>,
    /// Files read but not listed in `files` (past the row limit; files with
    /// a read error are always listed).
    #[serde(skip_serializing_if = "is_zero")]
    pub files_omitted: u64,
    /// Earliest and latest record time.
    pub time_range: Option<TimeRange>,
    /// Dimensions that had more distinct values than `--max-distinct`: the
    /// records (failures, for per-failure dimensions) counted as "other".
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub capped: BTreeMap<String, u64>,
    /// The width in minutes the time series were kept at, when more distinct
    /// minutes than `--max-distinct` made them coarser than one minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_resolution_minutes: Option<i64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Malformed lines (or dropped values) of one reason.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MalformedRow {
    /// How many.
    pub count: u64,
    /// The reason in words.
    pub description: String,
    /// The first few `file:line` places.
    pub first: Vec<String>,
}

/// A file whose records errlens could not read as requests (see
/// `analyze::inputs` for when).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InputWarning {
    /// The file, as in `files`.
    pub file: String,
    /// `unknown_layout`, `mostly_unrecognized`, `no_requests` or `mostly_malformed`.
    pub kind: String,
    /// Its request records.
    pub requests: u64,
    /// Its records that are not LLM requests.
    pub not_llm: u64,
    /// Its lines and envelope records of no known layout.
    pub unrecognized: u64,
    /// The warning in words: the file, what was found, what to do.
    pub message: String,
}

/// One input file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileRow {
    /// Path as given (`-` for stdin).
    pub path: String,
    /// Log format detected.
    pub format: String,
    /// Compression detected.
    pub compression: String,
    /// Lines read.
    pub lines: u64,
    /// Why reading stopped early, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A time range, RFC 3339 UTC.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimeRange {
    /// Earliest.
    pub start: String,
    /// Latest.
    pub end: String,
}

/// One root cause.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CauseRow {
    /// The taxonomy id, e.g. `quota.exhausted`.
    pub category: String,
    /// The id's group, e.g. `quota`.
    pub group: String,
    /// One-line title.
    pub title: String,
    /// `you`, `provider` or `network`.
    pub owner: String,
    /// `no`, `backoff`, `wait` or `failover`.
    pub retry: String,
    /// Failures with this cause.
    pub count: u64,
    /// count / failures.
    pub share_of_failures: f64,
    /// count / records.
    pub share_of_requests: f64,
    /// Earliest time seen.
    pub first_seen: Option<String>,
    /// Latest time seen.
    pub last_seen: Option<String>,
    /// Keys with the most of these failures.
    pub top_keys: Vec<Top>,
    /// Projects with the most of these failures.
    pub top_projects: Vec<Top>,
    /// Models with the most of these failures.
    pub top_models: Vec<Top>,
    /// Evidence values by name, most frequent first (notes apart).
    pub evidence: BTreeMap<String, Vec<Top>>,
    /// Cautions that come with some of these failures (a status-only OpenAI
    /// 429 may be an exhausted quota); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<NoteRow>,
    /// Rate limits the messages state, by model and dimension, with the peak usage.
    pub rate_limits: Vec<RateLimitRow>,
    /// Retry-after (seconds) over these failures, from messages and headers.
    pub retry_after_s: Option<Distribution>,
    /// Models asked for and what to ask for instead (typos, retired models).
    pub model_fixes: Vec<ModelFixRow>,
    /// The earliest failure, redacted.
    pub example: Option<ExampleRow>,
    /// The fix, as steps.
    pub fix: Vec<String>,
}

/// A caution and how many failures of the cause it comes with.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NoteRow {
    /// What to keep in mind.
    pub text: String,
    /// Failures it comes with.
    pub count: u64,
}

/// A name and a count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Top {
    /// The name (keys fingerprinted).
    pub name: String,
    /// How many.
    pub count: u64,
}

/// One example failure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExampleRow {
    /// `file:line`.
    pub place: String,
    /// Its HTTP status.
    pub status: Option<u16>,
    /// Its message, redacted.
    pub message: String,
}

/// One unclassified message signature.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SignatureRow {
    /// The masked message.
    pub signature: String,
    /// How many failures.
    pub count: u64,
    /// The earliest one.
    pub example: ExampleRow,
}

/// Requests and failures for one key, project or model.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DimRow {
    /// The name (keys fingerprinted).
    pub name: String,
    /// Records.
    pub requests: u64,
    /// Failed records.
    pub failures: u64,
    /// failures / requests.
    pub error_rate: f64,
}

/// A rate limit stated by the failures of one model.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RateLimitRow {
    /// The model named in the message (or logged).
    pub model: String,
    /// `TPM`, `RPM`, `RPD`, `TPD`, `IPM` or empty when unstated.
    pub dimension: String,
    /// The limit.
    pub limit: u64,
    /// The highest usage stated.
    pub peak_used: Option<u64>,
    /// Failures that stated it.
    pub count: u64,
    /// Retry-after (seconds) of this model's failures of the cause.
    pub retry_after_s: Option<Distribution>,
}

/// A distribution of values.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Distribution {
    /// How many values.
    pub count: u64,
    /// Smallest.
    pub min: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Largest.
    pub max: f64,
}

/// A model that failed and what to use instead.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModelFixRow {
    /// The model asked for.
    pub model: String,
    /// The nearest known id (typos).
    pub suggestion: Option<String>,
    /// Shutdown date (retired models).
    pub shutdown_date: Option<String>,
    /// Replacement active at the time of the failures (retired models).
    pub replacement: Option<String>,
    /// Failures.
    pub count: u64,
}
