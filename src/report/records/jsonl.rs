//! `classify --format jsonl` (the default): one JSON object per record and
//! line, written as each record comes. Fields are only ever added: the
//! evidence stays one object of every value as a string (CSV and Parquet
//! split it into typed columns), and each row carries the records schema's
//! `schema_version`, as the JSON report does.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::schema::SCHEMA_VERSION;
use super::{Classified, RecordWriter};
use crate::parse::time;
use crate::redact::Redacted;

#[derive(Serialize)]
struct Row<'a> {
    schema_version: u32,
    file: &'a Redacted,
    line: u64,
    request_id: &'a Option<Redacted>,
    ts: Option<String>,
    key: &'a Option<Redacted>,
    org: &'a Option<Redacted>,
    project: &'a Option<Redacted>,
    user: &'a Option<Redacted>,
    provider: &'a Option<Redacted>,
    endpoint: &'a Option<Redacted>,
    model: &'a Option<Redacted>,
    status: Option<u16>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    status_inferred: bool,
    category: &'a str,
    group: Option<&'a str>,
    owner: Option<&'a str>,
    retry: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: &'a Option<Redacted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature: &'a Option<Redacted>,
    evidence: &'a BTreeMap<String, Redacted>,
}

/// Writes each record as one JSON line.
pub struct JsonlWriter<'w> {
    files: &'w [Redacted],
    out: &'w mut dyn Write,
}

impl<'w> JsonlWriter<'w> {
    /// A writer to `out`; `files` name the sources by index.
    pub fn new(files: &'w [Redacted], out: &'w mut dyn Write) -> Self {
        JsonlWriter { files, out }
    }
}

impl RecordWriter for JsonlWriter<'_> {
    fn write(&mut self, c: Classified) -> io::Result<()> {
        let view = super::view(self.files, &c)?;
        let row = Row {
            schema_version: SCHEMA_VERSION,
            file: view.file,
            line: c.line,
            request_id: &c.request_id,
            ts: c.ts.map(time::format_rfc3339),
            key: &c.key,
            org: &c.org,
            project: &c.project,
            user: &c.user,
            provider: &c.provider,
            endpoint: &c.endpoint,
            model: &c.model,
            status: c.status,
            status_inferred: c.status_inferred,
            category: c.category,
            group: c.group,
            owner: c.owner,
            retry: c.retry,
            message: &c.message,
            signature: &c.signature,
            evidence: &c.evidence,
        };
        serde_json::to_writer(&mut *self.out, &row)?;
        self.out.write_all(b"\n")
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        self.out.flush()
    }
}
