//! Detect stage: which log format a file is in, judged from its first lines
//! (a bad first line, or successes without the tell-tale fields, do not throw
//! it off: any sampled line that matches decides). Specific formats are tried
//! first (OTLP, then the mappings of `data/formats.toml` in order), the
//! canonical record last; a file in which no sampled record fits any of them
//! is `unknown`, so the summary says why its records carry nothing.

use serde_json::Value;

use crate::parse::adapt::{self, Mapping};
use crate::parse::{Line, parse_bytes, strip_bom};

/// How many lines of a file's start are sampled.
pub const SAMPLE_LINES: usize = 200;

/// A log format.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Format<'m> {
    /// The canonical record of DESIGN.md (with its aliases).
    Canonical,
    /// OpenTelemetry OTLP/JSON lines (`resourceSpans`, `resourceLogs`), an
    /// item per span or log record.
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

/// Detects the format from the first lines of `sample`. An empty sample (or
/// one of blank and malformed lines only) counts as canonical.
pub fn detect(sample: &[u8]) -> Format<'static> {
    let mut canonical = false;
    let mut records = 0;
    for line in sample.split(|&b| b == b'\n').take(SAMPLE_LINES) {
        let Line::Record(r) = parse_bytes(line) else { continue };
        records += 1;
        let Ok(value) = serde_json::from_slice::<Value>(strip_bom(line)) else { continue };
        if value.get("resourceSpans").is_some()
            || value.get("resourceLogs").is_some()
            || value.get("instrumentationLibrarySpans").is_some()
        {
            return Format::Otlp;
        }
        if let Some(m) = adapt::mappings().iter().find(|m| m.matches(&value)) {
            return Format::Mapped(m);
        }
        // A canonical field whose value was dropped (or status 0) still names the format.
        canonical |= r.ts.is_some()
            || r.status.is_some()
            || r.error.is_some()
            || r.model.is_some()
            || r.no_response
            || !r.invalid.is_empty();
    }
    if canonical || records == 0 { Format::Canonical } else { Format::Unknown }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_canonical_past_a_bad_first_line() {
        assert_eq!(detect(b"garbage\n{\"a\":1}\n{\"status\":200}\n"), Format::Canonical);
        assert_eq!(detect(b"{\"foo\":1}\n{\"bar\":1}\n"), Format::Unknown);
        assert_eq!(detect(b""), Format::Canonical);
        assert_eq!(detect(b"{\"resourceSpans\":[]}\n"), Format::Otlp);
        assert_eq!(detect(b"{\"resourceLogs\":[]}\n"), Format::Otlp);
        assert_eq!(detect(b"{\"ts\":99999999999}\n{\"status\":0}\n"), Format::Canonical);
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
