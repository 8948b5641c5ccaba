//! Partial reports: `analyze --format state` writes the run's accumulator
//! (with its files and how records were folded) to a state file, and
//! `analyze` reads state files given among its inputs and merges them in
//! order, so that inputs analysed apart (on other machines, by other jobs)
//! give the report of analysing them at once.
//!
//! The format is opaque but stable within a version: the line
//! `errlens state`, a line `format N errlens VERSION`, then one zstd frame
//! (with its content checksum) of the postcard encoding of the accumulator.
//! A state of another format or version, a damaged one (checksum, encoding or
//! an inconsistent count) and one folded with other options (rules, time
//! window, breakdown, `--max-distinct`) are refused with a sentence that says
//! so, never merged into wrong numbers.

use std::io::{self, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::aggregate::Stats;
use crate::aggregate::breakdown::Spec;
use crate::analyze::inputs::FileCounts;
use crate::error::{Error, Result};
use crate::report::model::FileRow;

/// The first line of every state file.
pub const MAGIC: &[u8] = b"errlens state\n";
/// The version of the encoding; states of another are refused.
pub const FORMAT: u32 = 1;
/// The longest header line read.
const MAX_HEADER: usize = 128;

/// What decides how records were folded: a state merges only into a run
/// that folds alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fold {
    /// `--since`, epoch ms.
    pub since: Option<i64>,
    /// `--until`, epoch ms.
    pub until: Option<i64>,
    /// `--by` / `--every`.
    pub breakdown: Option<Spec>,
    /// `--max-distinct`.
    pub max_distinct: u64,
    /// A fingerprint of the rules (embedded, `--rules`) and the taxonomy.
    pub rules: u64,
}

impl Fold {
    /// The time window records were kept in.
    pub fn window(&self) -> crate::config::Window {
        crate::config::Window { since: self.since, until: self.until }
    }

    /// What differs between a state's fold (`self`) and the run's, as the
    /// sentence that says how to merge it; `None` when they fold alike.
    pub fn difference(&self, run: &Fold) -> Option<String> {
        let time =
            |t: Option<i64>| t.map_or("none".to_string(), crate::parse::time::format_rfc3339);
        let by = |s: &Option<Spec>| s.as_ref().map_or("none".to_string(), Spec::describe);
        let (what, theirs, ours) = if self.rules != run.rules {
            ("rules (embedded and --rules files)", "other rules".into(), "these".into())
        } else if self.since != run.since {
            ("--since", time(self.since), time(run.since))
        } else if self.until != run.until {
            ("--until", time(self.until), time(run.until))
        } else if self.breakdown != run.breakdown {
            ("--by / --every", by(&self.breakdown), by(&run.breakdown))
        } else if self.max_distinct != run.max_distinct {
            ("--max-distinct", self.max_distinct.to_string(), run.max_distinct.to_string())
        } else {
            return None;
        };
        Some(format!(
            "made with {what} {theirs}, this run has {ours}: a state merges only into a run \
             with the same {what} (times given as absolute RFC 3339)"
        ))
    }
}

/// A partial report: the accumulator and the files it was folded from.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// How records were folded.
    pub fold: Fold,
    /// The files, in input order (places index them).
    pub files: Vec<FileRow>,
    /// What each file's items were (input warnings).
    pub counts: Vec<FileCounts>,
    /// The accumulator, its names as they may be shown.
    pub stats: Stats,
}

/// One file as a state keeps it.
#[derive(Debug, Serialize, Deserialize)]
struct File {
    path: String,
    format: String,
    compression: String,
    lines: u64,
    error: Option<String>,
    counts: FileCounts,
}

/// What is encoded after the header.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    fold: Fold,
    files: Vec<File>,
    stats: Stats,
}

/// The header line of states this build writes and reads.
fn header() -> String {
    format!("format {FORMAT} errlens {}\n", env!("CARGO_PKG_VERSION"))
}

/// A fingerprint of what classifies records: the taxonomy, the embedded
/// rules and the text of each `--rules` file (FNV-1a, stable across builds).
pub fn rules_fingerprint(extra: &[(String, String)]) -> u64 {
    let embedded = [crate::taxonomy::EMBEDDED, crate::classify::rules::EMBEDDED];
    let texts = embedded.into_iter().chain(extra.iter().map(|(_, text)| text.as_str()));
    texts.fold(0xcbf2_9ce4_8422_2325, |h, text| {
        text.bytes().chain([0xff]).fold(h, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
    })
}

/// Writes `part` as a state file.
pub fn write(part: &Part, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(MAGIC)?;
    out.write_all(header().as_bytes())?;
    let files = part.files.iter().zip(&part.counts).map(|(row, &counts)| File {
        path: row.path.clone(),
        format: row.format.clone(),
        compression: row.compression.clone(),
        lines: row.lines,
        error: row.error.clone(),
        counts,
    });
    let payload =
        Payload { fold: part.fold.clone(), files: files.collect(), stats: part.stats.clone() };
    let mut encoder = zstd::Encoder::new(out, 3)?;
    encoder.include_checksum(true)?;
    postcard::to_io(&payload, &mut encoder).map_err(io::Error::other)?;
    encoder.finish()?.flush()
}

/// Whether the file at `path` is a state file (it starts with [`MAGIC`]).
pub fn is_state(path: &Path) -> bool {
    let mut head = [0; MAGIC.len()];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && head == MAGIC
}

/// Reads the state file at `path`, checked whole.
pub fn read(path: &Path) -> Result<Part> {
    let bytes = std::fs::read(path).map_err(|e| Error::Input { path: path.into(), source: e })?;
    decode(&bytes).map_err(|message| Error::State { path: path.into(), message })
}

/// Decodes a state file's bytes; the error says what is wrong.
pub fn decode(bytes: &[u8]) -> std::result::Result<Part, String> {
    let rest = bytes.strip_prefix(MAGIC).ok_or("not an errlens state file")?;
    let end =
        rest.iter().take(MAX_HEADER).position(|&b| b == b'\n').ok_or("corrupt state header")?;
    let (line, body) = (&rest[..=end], &rest[end + 1..]);
    if line != header().as_bytes() {
        let theirs = String::from_utf8_lossy(line).trim().to_string();
        return Err(format!(
            "a state of {theirs}; this errlens {} reads only states of its own version \
             (format {FORMAT}): analyse those inputs again with this version",
            env!("CARGO_PKG_VERSION")
        ));
    }
    let corrupt = |what: String| format!("corrupt state ({what}): write it again");
    let data = zstd::decode_all(body).map_err(|e| corrupt(e.to_string()))?;
    let (payload, left) =
        postcard::take_from_bytes::<Payload>(&data).map_err(|e| corrupt(e.to_string()))?;
    if !left.is_empty() {
        return Err(corrupt(format!("{} bytes after the end", left.len())));
    }
    let part = into_part(payload);
    consistent(&part).map_err(|e| corrupt(e.to_string()))?;
    Ok(part)
}

fn into_part(payload: Payload) -> Part {
    let (files, counts) = payload
        .files
        .into_iter()
        .map(|f| {
            let row = FileRow {
                path: f.path,
                format: f.format,
                compression: f.compression,
                lines: f.lines,
                error: f.error,
            };
            (row, f.counts)
        })
        .unzip();
    Part { fold: payload.fold, files, counts, stats: payload.stats }
}

/// Checks what a merge relies on: every place names one of the files, and
/// the lines add up (files to the total, and every line accounted for).
fn consistent(part: &Part) -> std::result::Result<(), &'static str> {
    let stats = &part.stats;
    let mut places = stats.places();
    if !places.all(|p| (p.file as usize) < part.files.len()) {
        return Err("a place outside its files");
    }
    let lines = part.files.iter().try_fold(0u64, |sum, f| sum.checked_add(f.lines));
    if lines != Some(stats.lines) {
        return Err("file lines do not add up");
    }
    if stats.checked_accounted() != Some(stats.lines) {
        return Err("lines not accounted for");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
