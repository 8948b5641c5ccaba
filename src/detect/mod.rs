//! Detect stage: which layout each record of a file is in.
//!
//! A file's format is a prior, decided from a sample of its first records:
//! the layout most of them fit (not the first that matches), specific
//! layouts winning ties (OTLP, then the mappings of `data/formats.toml` in
//! order, the canonical record last). The sample is the lines that end
//! within the first [`SAMPLE_BYTES`] (at most [`SAMPLE_LINES`]; the first
//! line whatever its length), which the first chunk of any chunk size holds,
//! so the answer does not depend on `--chunk-size`. A file in which no
//! sampled record fits a layout is `unknown`, and says so in every report.
//!
//! Then every record is read by the layout it fits, the prior first
//! ([`layout`], [`read`]): one odd line does not flip a file, and a mixed
//! file is read right. `--input-format` / `--map` force one format on
//! every record instead ([`Reading`]).

pub mod layout;
pub mod read;

use serde_json::Value;

use crate::parse::adapt::{self, Mapping};
use crate::parse::{Line, parse_line_keys, strip_bom};
use layout::{Fit, fit_line, fit_record, layouts};

/// How many lines of a file's start are sampled, at most.
pub const SAMPLE_LINES: usize = 200;

/// The sample is the lines that end within this many bytes of the file's
/// start (no more than the first chunk always holds).
pub const SAMPLE_BYTES: usize = crate::input::FIRST_CHUNK;

/// A log format.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Format<'m> {
    /// The canonical record of DESIGN.md (with its aliases).
    Canonical,
    /// OpenTelemetry OTLP/JSON lines (`resourceSpans`), a record per span.
    Otlp,
    /// A format mapped by pointers (embedded, or `--map`).
    Mapped(&'m Mapping),
    /// No sampled record fits a known format.
    Unknown,
}

impl Format<'_> {
    /// The name shown in reports and taken by `--input-format`.
    pub fn name(&self) -> &str {
        match self {
            Format::Canonical => "canonical",
            Format::Otlp => "otlp",
            Format::Mapped(m) => &m.name,
            Format::Unknown => "unknown",
        }
    }
}

/// How a file's records are read: by the layout each fits, with the file's
/// detected format as the prior, or all by a format forced with
/// `--input-format` / `--map`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading<'m> {
    /// The detected or forced format.
    pub format: Format<'m>,
    /// Forced: every record is read by `format` alone.
    pub forced: bool,
}

impl<'m> Reading<'m> {
    /// Records read by their layouts, `format` first.
    pub fn detected(format: Format<'m>) -> Self {
        Reading { format, forced: false }
    }

    /// Every record read by `format`.
    pub fn forced(format: Format<'m>) -> Self {
        Reading { format, forced: true }
    }

    /// Whether lines go to the canonical skimmer first (the fast path).
    pub fn reads_canonical(&self) -> bool {
        matches!(self.format, Format::Canonical | Format::Unknown)
    }
}

/// The format named `name` (`--input-format`).
pub fn by_name(name: &str) -> Option<Format<'static>> {
    match name {
        "canonical" => Some(Format::Canonical),
        "otlp" => Some(Format::Otlp),
        _ => adapt::mappings().iter().find(|m| m.name == name).map(Format::Mapped),
    }
}

/// Every format name `--input-format` takes.
pub fn names() -> Vec<&'static str> {
    let mut names = vec!["canonical", "otlp"];
    names.extend(adapt::mappings().iter().map(|m| m.name.as_str()));
    names
}

/// The format of a file whose first chunk is `sample`: the layout most of
/// the sampled records fit. A sample without records (empty, blank and
/// malformed lines only) counts as canonical; one whose records fit no
/// layout (or only known non-LLM ones) is [`Format::Unknown`].
pub fn detect(sample: &[u8]) -> Format<'static> {
    let mut votes = Votes::default();
    for line in sample_lines(sample) {
        votes.line(line);
    }
    votes.winner()
}

/// The sampled lines of a first chunk: those that end within
/// [`SAMPLE_BYTES`] (the first one whatever its length), at most
/// [`SAMPLE_LINES`].
fn sample_lines(chunk: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= chunk.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &chunk[start..]).map_or(chunk.len(), |i| start + i + 1);
        if start > 0 && end > SAMPLE_BYTES {
            return None;
        }
        let line = &chunk[start..end];
        start = end;
        Some(line.strip_suffix(b"\n").unwrap_or(line))
    })
    .take(SAMPLE_LINES)
}

/// Records per layout in a sample: OTLP, each mapping, canonical.
#[derive(Debug)]
struct Votes {
    counts: Vec<usize>,
    records: usize,
}

impl Default for Votes {
    fn default() -> Self {
        Votes { counts: vec![0; adapt::mappings().len() + 2], records: 0 }
    }
}

impl Votes {
    /// Counts the records of one line for the layouts they fit.
    fn line(&mut self, line: &[u8]) {
        let Ok(text) = std::str::from_utf8(line) else { return };
        let table = layouts();
        let (Line::Record(r), seen) = parse_line_keys(text, |key| table.bit(key)) else { return };
        self.records += 1;
        let signal = r.has_signal();
        if signal && !table.suspect(seen) {
            return self.vote(Fit::Canonical);
        }
        let Ok(value) = serde_json::from_slice::<Value>(strip_bom(line)) else {
            return if signal {
                self.vote(Fit::Canonical)
            };
        };
        match fit_line(&value, &Format::Unknown, || signal) {
            Fit::Envelope => {
                let items = value.get(layout::ENVELOPE_KEY).and_then(Value::as_array);
                for item in items.into_iter().flatten().filter(|i| i.is_object()) {
                    self.vote(fit_record(item, &Format::Unknown, || read::has_signal(item)));
                }
            }
            fit => self.vote(fit),
        }
    }

    fn vote(&mut self, fit: Fit<'_>) {
        let mappings = adapt::mappings();
        let slot = match fit {
            Fit::Otlp => Some(0),
            Fit::Mapped(m) => mappings.iter().position(|x| std::ptr::eq(x, m)).map(|i| i + 1),
            Fit::Canonical => Some(mappings.len() + 1),
            Fit::Envelope | Fit::NotLlm | Fit::Unrecognized => None,
        };
        if let Some(slot) = slot {
            self.counts[slot] += 1;
        }
    }

    /// The layout with the most votes (the first listed on a tie).
    fn winner(&self) -> Format<'static> {
        let mappings = adapt::mappings();
        let best = self.counts.iter().enumerate().filter(|(_, n)| **n > 0);
        let best = best.max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)));
        match best {
            None if self.records == 0 => Format::Canonical,
            None => Format::Unknown,
            Some((0, _)) => Format::Otlp,
            Some((i, _)) if i <= mappings.len() => Format::Mapped(&mappings[i - 1]),
            Some(_) => Format::Canonical,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_canonical_past_a_bad_first_line() {
        assert_eq!(detect(b"garbage\n{\"a\":1}\n{\"status\":200}\n"), Format::Canonical);
        assert_eq!(detect(b"{\"foo\":1}\n{\"bar\":1}\n"), Format::Unknown);
        assert_eq!(detect(b""), Format::Canonical);
        assert_eq!(detect(b"\n[1]\nnot json\n"), Format::Canonical, "no records at all");
        assert_eq!(detect(b"{\"resourceSpans\":[]}\n"), Format::Otlp);
        assert_eq!(detect(b"{\"ts\":99999999999}\n{\"status\":0}\n"), Format::Canonical);
    }

    fn litellm() -> &'static str {
        r#"{"id":"c1","call_type":"acompletion","startTime":1795255200.5,"model":"gpt-4o","status":"success","hidden_params":{}}"#
    }

    #[test]
    fn the_majority_decides_not_the_first_match() {
        let mut sample = String::new();
        for i in 0..9 {
            sample.push_str(&format!("{{\"status\":200,\"model\":\"m{i}\"}}\n"));
        }
        sample.insert_str(0, &format!("{}\n", litellm()));
        assert_eq!(detect(sample.as_bytes()), Format::Canonical);
        let lines = format!("{l}\n{l}\n{{\"status\":200}}\n", l = litellm());
        assert_eq!(detect(lines.as_bytes()).name(), "litellm_slp");
        // A tie goes to the specific layout.
        let tie = format!("{}\n{{\"status\":200}}\n", litellm());
        assert_eq!(detect(tie.as_bytes()).name(), "litellm_slp");
    }

    #[test]
    fn the_sample_ends_with_the_lines_within_its_bytes() {
        let line = format!("{{\"status\":200,\"pad\":\"{}\"}}\n", "x".repeat(1000));
        let chunk = line.repeat(100);
        let n = sample_lines(chunk.as_bytes()).count();
        assert_eq!(n, SAMPLE_BYTES / line.len());
        let long = format!("{{\"status\":200,\"pad\":\"{}\"}}\n", "x".repeat(SAMPLE_BYTES));
        assert_eq!(sample_lines(format!("{long}{line}").as_bytes()).count(), 1, "the first");
        assert_eq!(sample_lines("{}\n".repeat(500).as_bytes()).count(), SAMPLE_LINES);
        assert_eq!(sample_lines(b"{}\n{}").count(), 2, "a last line without its end");
    }

    #[test]
    fn envelope_records_vote_one_by_one() {
        let rr = r#"{"time":"2026-11-21T10:00:00Z","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/A","category":"RequestResponse","operationName":"ChatCompletions_Create","resultSignature":"200"}"#;
        let kv = r#"{"time":"2026-11-21T10:00:00Z","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/V","operationName":"VaultGet","category":"AuditEvent","resultType":"Success","resultSignature":"OK"}"#;
        let line = format!("{{\"records\":[{rr},{kv},{kv}]}}\n");
        assert_eq!(detect(line.as_bytes()).name(), "azure_request_response");
        let only_kv = format!("{{\"records\":[{kv}]}}\n{kv}\n");
        assert_eq!(detect(only_kv.as_bytes()), Format::Unknown, "not an Azure OpenAI log");
    }

    #[test]
    fn every_format_has_a_unique_name() {
        let names = names();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        for n in names {
            assert_eq!(by_name(n).map(|f| f.name().to_string()), Some(n.to_string()));
        }
    }
}
