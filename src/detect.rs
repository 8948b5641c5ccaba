//! Detect stage: which log format a file is in, judged from its first records
//! (a bad first line or a few records without the tell-tale fields do not throw
//! it off). Today errlens reads the canonical record; a file in which no sampled
//! record carries a canonical field is reported as `unknown`, so the summary
//! says why its records have no status, model or error.

use crate::parse::{Line, parse_bytes};

/// How many lines of a file's start are sampled.
pub const SAMPLE_LINES: usize = 200;

/// A log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The canonical record of DESIGN.md (with its aliases).
    Canonical,
    /// No sampled record carries a field errlens knows.
    Unknown,
}

impl Format {
    /// The name shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Canonical => "canonical",
            Format::Unknown => "unknown",
        }
    }
}

/// Detects the format from the first lines of `sample`. An empty sample (or
/// one of blank and malformed lines only) counts as canonical: there is
/// nothing to contradict it.
pub fn detect(sample: &[u8]) -> Format {
    let mut records = 0;
    for line in sample.split(|&b| b == b'\n').take(SAMPLE_LINES) {
        if let Line::Record(r) = parse_bytes(line) {
            records += 1;
            if r.ts.is_some() || r.status.is_some() || r.error.is_some() || r.model.is_some() {
                return Format::Canonical;
            }
        }
    }
    if records == 0 { Format::Canonical } else { Format::Unknown }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_canonical_past_a_bad_first_line() {
        assert_eq!(detect(b"garbage\n{\"a\":1}\n{\"status\":200}\n"), Format::Canonical);
        assert_eq!(detect(b"{\"resourceSpans\":[]}\n{\"foo\":1}\n"), Format::Unknown);
        assert_eq!(detect(b""), Format::Canonical);
    }
}
