//! What the report says to do: the ranked actions, and the findings across
//! records (one per kind and root cause) with a row per subject.

use std::collections::BTreeMap;

use serde::Serialize;

/// One step to take, in one line.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Action {
    /// Who acts: `you`, `provider`, ... (the cause's owner).
    pub owner: String,
    /// What it is about: `project proj_batch`, `key sk-...`, `model gtp-4o`.
    pub subject: Option<String>,
    /// The root cause it removes, if one.
    pub category: Option<String>,
    /// The finding it comes from, if one.
    pub finding: Option<String>,
    /// The failures it would remove.
    pub failures: u64,
    /// Whether retrying can ever fix these failures.
    pub retry_helps: bool,
    /// When the failures began (short form), where known.
    pub since: Option<String>,
    /// The step, in one line.
    pub text: String,
}

/// Something to act on, found across records: one per kind and root cause,
/// with a row per subject (project, key, model, incident).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// `provider_incident`, `quota_ran_out`, `key_failing`, `model_typo`,
    /// `model_retired`, `context_overflow`, `rate_limit_headroom` or `futile_retries`.
    pub kind: String,
    /// The root cause it is about, if one.
    pub category: Option<String>,
    /// What happened and what to do, in one sentence or two.
    pub sentence: String,
    /// When it started (RFC 3339), where it has a time.
    pub start: Option<String>,
    /// When it ended.
    pub end: Option<String>,
    /// What it concerns: models, keys (fingerprinted), projects, causes.
    pub subjects: Vec<String>,
    /// Its numbers by name (totals over its rows).
    pub numbers: BTreeMap<String, f64>,
    /// One row per subject, most failures first.
    pub rows: Vec<FindingRow>,
}

/// One subject of a finding, with its own figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FindingRow {
    /// What the subject is: `project`, `key`, `model`, `limit`, `cause` or
    /// `incident`.
    pub what: String,
    /// The project, key (fingerprinted), model, cause or time range.
    pub subject: String,
    /// Its failures (retries, for `futile_retries`).
    pub failures: u64,
    /// When it started.
    pub start: Option<String>,
    /// When it ended.
    pub end: Option<String>,
    /// Its figures in words (`use gpt-4o`; `TPM limit 800,000, peak ...`).
    pub detail: String,
    /// Its figures by name.
    pub numbers: BTreeMap<String, f64>,
}
