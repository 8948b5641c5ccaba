//! Per-record output of `errlens classify`: one JSON line per failed request
//! (or per request with `--all`), with the canonical fields, the root cause and
//! the evidence. Keys are fingerprinted and messages redacted here, once.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::parse::time;

/// Output formats of `classify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordFormat {
    /// One JSON object per line.
    Jsonl,
}

/// One classified record, owned, with its chunk-relative line.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    /// Line within its chunk (made file-relative when written).
    pub line: u64,
    /// Request id.
    pub request_id: Option<String>,
    /// Time, epoch ms.
    pub ts: Option<i64>,
    /// Key, already fingerprinted when raw.
    pub key: Option<String>,
    /// Project.
    pub project: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// HTTP status (record or inferred).
    pub status: Option<u16>,
    /// Whether the status was inferred from the error text.
    pub status_inferred: bool,
    /// Taxonomy id, or `success` for records that did not fail (`--all`).
    pub category: &'static str,
    /// Owner, for failures.
    pub owner: Option<&'static str>,
    /// Retry advice, for failures.
    pub retry: Option<&'static str>,
    /// The unwrapped message, redacted.
    pub message: Option<String>,
    /// The signature, for unclassified failures.
    pub signature: Option<String>,
    /// Evidence, redacted.
    pub evidence: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Row<'a> {
    file: &'a str,
    line: u64,
    request_id: &'a Option<String>,
    ts: Option<String>,
    key: &'a Option<String>,
    project: &'a Option<String>,
    model: &'a Option<String>,
    status: Option<u16>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    status_inferred: bool,
    category: &'a str,
    owner: Option<&'a str>,
    retry: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature: &'a Option<String>,
    evidence: &'a BTreeMap<String, String>,
}

/// Writes one record as a JSON line; `first_line` makes its line file-relative.
pub fn write_jsonl(
    c: &Classified,
    file: &str,
    first_line: u64,
    out: &mut dyn Write,
) -> io::Result<()> {
    let row = Row {
        file,
        line: first_line + c.line,
        request_id: &c.request_id,
        ts: c.ts.map(time::format_rfc3339),
        key: &c.key,
        project: &c.project,
        model: &c.model,
        status: c.status,
        status_inferred: c.status_inferred,
        category: c.category,
        owner: c.owner,
        retry: c.retry,
        message: &c.message,
        signature: &c.signature,
        evidence: &c.evidence,
    };
    serde_json::to_writer(&mut *out, &row)?;
    out.write_all(b"\n")
}
