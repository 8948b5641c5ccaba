//! Per-record output of `errlens classify`: one row per failed request (or per
//! request with `--all`), with the canonical fields, the root cause and the
//! evidence, as JSON lines, CSV or Parquet. Every string a row holds from a
//! log is [`Redacted`] when the row is made (keys fingerprinted), so the
//! binary Parquet output, which no text boundary sees, is as clean as the text
//! ones. CSV and Parquet share one column definition ([`schema`]).

mod csv;
mod jsonl;
pub mod parquet;
pub mod schema;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use crate::redact::Redacted;

/// Output formats of `classify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordFormat {
    /// One JSON object per line.
    Jsonl,
    /// A header row, then one row per record (RFC 4180).
    Csv,
    /// Apache Parquet (zstd), written in row groups as records come.
    Parquet,
}

impl RecordFormat {
    /// The format an output file's extension names: `.csv`, `.parquet` or
    /// `.pq`; anything else is JSON lines, the format `classify` always wrote.
    pub fn from_path(path: &Path) -> RecordFormat {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => RecordFormat::Csv,
            Some("parquet" | "pq") => RecordFormat::Parquet,
            _ => RecordFormat::Jsonl,
        }
    }

    /// Whether the output is binary (not for a terminal, not through the
    /// text boundary).
    pub fn is_binary(self) -> bool {
        self == RecordFormat::Parquet
    }
}

/// One classified record, owned; every string from the log redacted.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    /// The input file's index among the run's sources.
    pub file: u32,
    /// Line within its chunk, made file-relative before it is written.
    pub line: u64,
    /// Request id.
    pub request_id: Option<Redacted>,
    /// Time, epoch ms.
    pub ts: Option<i64>,
    /// Key, fingerprinted when raw.
    pub key: Option<Redacted>,
    /// Organization.
    pub org: Option<Redacted>,
    /// Project.
    pub project: Option<Redacted>,
    /// End user.
    pub user: Option<Redacted>,
    /// Provider.
    pub provider: Option<Redacted>,
    /// Endpoint.
    pub endpoint: Option<Redacted>,
    /// Model.
    pub model: Option<Redacted>,
    /// HTTP status (record or inferred).
    pub status: Option<u16>,
    /// Whether the status was inferred from the error text.
    pub status_inferred: bool,
    /// Taxonomy id, or `success` for records that did not fail (`--all`).
    pub category: &'static str,
    /// The taxonomy group (the id before the dot), for failures.
    pub group: Option<&'static str>,
    /// Owner, for failures.
    pub owner: Option<&'static str>,
    /// Retry advice, for failures.
    pub retry: Option<&'static str>,
    /// The unwrapped message.
    pub message: Option<Redacted>,
    /// The signature, for unclassified failures.
    pub signature: Option<Redacted>,
    /// Evidence by name.
    pub evidence: BTreeMap<String, Redacted>,
}

impl Classified {
    /// About how many bytes the row holds on the heap, allocator overhead
    /// included (32 bytes a string, 96 an evidence entry: two strings and a
    /// share of a tree node): what a writer that buffers rows counts against
    /// its budget.
    pub fn size(&self) -> usize {
        let text = |t: &Option<Redacted>| t.as_ref().map_or(0, |t| t.as_str().len() + 32);
        let fields = [
            &self.request_id,
            &self.key,
            &self.org,
            &self.project,
            &self.user,
            &self.provider,
            &self.endpoint,
            &self.model,
            &self.message,
            &self.signature,
        ];
        let evidence: usize =
            self.evidence.iter().map(|(k, v)| k.len() + v.as_str().len() + 96).sum();
        std::mem::size_of::<Classified>() + fields.into_iter().map(text).sum::<usize>() + evidence
    }
}

/// Writes classified records in one format.
pub trait RecordWriter {
    /// Writes (or buffers) one record; its `line` is file-relative.
    fn write(&mut self, row: Classified) -> io::Result<()>;
    /// Writes what is buffered and the format's end, and flushes.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// A writer of `format` to `out`; `files` are the sources' names, redacted,
/// by index.
pub fn writer<'w>(
    format: RecordFormat,
    files: &'w [Redacted],
    out: &'w mut dyn Write,
) -> io::Result<Box<dyn RecordWriter + 'w>> {
    Ok(match format {
        RecordFormat::Jsonl => Box::new(jsonl::JsonlWriter::new(files, out)),
        RecordFormat::Csv => Box::new(csv::CsvWriter::new(files, out)?),
        RecordFormat::Parquet => {
            Box::new(parquet::ParquetWriter::new(files, out, parquet::Limits::DEFAULT)?)
        }
    })
}

/// The row as the schema reads it, with its file's name.
fn view<'a>(files: &'a [Redacted], record: &'a Classified) -> io::Result<schema::Row<'a>> {
    let file = files.get(record.file as usize).ok_or_else(|| {
        io::Error::other(format!("a record of input {} of {}", record.file, files.len()))
    })?;
    Ok(schema::Row { file, record })
}

#[cfg(test)]
mod tests;
