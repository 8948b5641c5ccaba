//! Input warnings: a file errlens could not read as requests is never
//! silent. Its warning goes to stderr, to the top of the text, Markdown and
//! HTML reports, to the JSON summary's `warnings` and to the CSV files
//! table's `warning` columns, and `--strict` exits 1 for it.
//!
//! A file gets one warning, the first of:
//! - `unknown_layout`: no sampled record fits a known layout (its format is
//!   `unknown`), whatever the rest of the file holds;
//! - `mostly_unrecognized`: more than half of its items (request records,
//!   records left out by the time window, non-LLM records, unrecognized
//!   lines and envelope records) fit no known layout;
//! - `no_requests`: it holds items, but none is an LLM request (all are
//!   known non-LLM records: other Azure resources' logs, other spans);
//! - `mostly_malformed`: more than half of its non-blank lines are not JSON
//!   objects (a plain-text log, a pretty-printed JSON document).
//!
//! Blank and malformed lines are not items: they have their own buckets.

use crate::aggregate::Stats;
use crate::parse::{Aside, Line};
use crate::report::model::{FileRow, InputWarning};
use crate::report::tables::thousands;

/// What one file's items were.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileCounts {
    /// Request records (in the time window or not).
    pub requests: u64,
    /// Known records that are not LLM requests.
    pub not_llm: u64,
    /// Lines and envelope records of no known layout.
    pub unrecognized: u64,
    /// Lines that are not JSON objects (malformed, for any reason).
    pub malformed: u64,
}

impl FileCounts {
    /// Adds the items of a chunk's stats.
    pub fn add(&mut self, stats: &Stats) {
        let aside = |kind| stats.aside.get(&kind).map_or(0, |o| o.count);
        self.requests += stats.successes + stats.failures + stats.out_of_range;
        self.not_llm += aside(Aside::NotLlm);
        self.unrecognized += aside(Aside::Unrecognized);
        self.malformed += stats.malformed.values().map(|o| o.count).sum::<u64>();
    }

    /// Adds one parsed item.
    pub fn add_line(&mut self, line: &Line<'_>) {
        match line {
            Line::Record(_) => self.requests += 1,
            Line::Aside(Aside::NotLlm) => self.not_llm += 1,
            Line::Aside(Aside::Unrecognized) => self.unrecognized += 1,
            Line::Malformed(_) => self.malformed += 1,
            Line::Blank => {}
        }
    }

    /// Adds another file's (or chunk's) counts.
    pub fn merge(&mut self, other: FileCounts) {
        self.requests += other.requests;
        self.not_llm += other.not_llm;
        self.unrecognized += other.unrecognized;
        self.malformed += other.malformed;
    }

    fn items(&self) -> u64 {
        self.requests + self.not_llm + self.unrecognized
    }
}

/// The warnings of the files read (`counts` by file index, as `files`).
pub fn warnings(files: &[FileRow], counts: &[FileCounts]) -> Vec<InputWarning> {
    files.iter().zip(counts).filter_map(|(file, c)| warning(file, *c)).collect()
}

/// What to do, at the end of every warning.
const ADVICE: &str =
    "name its format with --input-format, or map its fields with --map FIELD=/json/pointer";

fn warning(file: &FileRow, c: FileCounts) -> Option<InputWarning> {
    let items = c.items();
    let (kind, what) = if file.format == "unknown" {
        let parts: Vec<String> =
            [(c.unrecognized, "unrecognized"), (c.not_llm, "not LLM requests")]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, what)| format!("{} {what}", thousands(*n)))
                .collect();
        let parts =
            if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) };
        (
            "unknown_layout",
            format!("format unknown: no record is an LLM request of a known log layout{parts}"),
        )
    } else if c.unrecognized * 2 > items {
        let share = format!("{} of {}", thousands(c.unrecognized), thousands(items));
        let what = format!("{share} records fit no known log layout (read as {})", file.format);
        ("mostly_unrecognized", what)
    } else if items > 0 && c.requests == 0 {
        let what = format!(
            "none of its {} records is an LLM request (read as {})",
            thousands(items),
            file.format
        );
        ("no_requests", what)
    } else if c.malformed * 2 > c.malformed + items {
        let share = format!("{} of {}", thousands(c.malformed), thousands(c.malformed + items));
        (
            "mostly_malformed",
            format!("{share} lines are not JSON objects (read as {})", file.format),
        )
    } else {
        return None;
    };
    Some(InputWarning {
        file: file.path.clone(),
        kind: kind.to_string(),
        requests: c.requests,
        not_llm: c.not_llm,
        unrecognized: c.unrecognized,
        message: format!("{}: {what}; {ADVICE}", file.path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(format: &str) -> FileRow {
        FileRow {
            path: "a.jsonl".into(),
            format: format.into(),
            compression: "none".into(),
            lines: 10,
            error: None,
        }
    }

    fn kind(format: &str, requests: u64, not_llm: u64, unrecognized: u64) -> Option<String> {
        let c = FileCounts { requests, not_llm, unrecognized, malformed: 0 };
        warning(&file(format), c).map(|w| w.kind)
    }

    #[test]
    fn unknown_files_always_warn_and_others_past_half() {
        assert_eq!(kind("unknown", 0, 0, 3).as_deref(), Some("unknown_layout"));
        assert_eq!(kind("unknown", 5, 0, 1).as_deref(), Some("unknown_layout"));
        assert_eq!(kind("canonical", 4, 0, 5).as_deref(), Some("mostly_unrecognized"));
        assert_eq!(kind("canonical", 5, 0, 5), None, "half is not most");
        assert_eq!(kind("canonical", 9, 0, 1), None);
        assert_eq!(kind("otlp", 0, 7, 0).as_deref(), Some("no_requests"));
        assert_eq!(kind("canonical", 0, 0, 0), None, "an empty file");
    }

    #[test]
    fn a_file_of_mostly_malformed_lines_warns() {
        let c =
            |requests, malformed| FileCounts { requests, not_llm: 0, unrecognized: 0, malformed };
        let w = warning(&file("canonical"), c(2, 8)).unwrap();
        assert_eq!(w.kind, "mostly_malformed");
        assert!(w.message.contains("8 of 10 lines are not JSON objects"), "{}", w.message);
        assert!(warning(&file("canonical"), c(5, 5)).is_none(), "half is not most");
        assert!(warning(&file("canonical"), c(9, 1)).is_none());
    }

    #[test]
    fn the_message_names_the_file_and_what_to_do() {
        let others = FileCounts { not_llm: 6, ..FileCounts::default() };
        let w = warning(&file("unknown"), others).unwrap();
        assert!(w.message.contains("layout (6 not LLM requests);"), "{w:?}");
        let c = FileCounts { not_llm: 2, unrecognized: 1_200, ..FileCounts::default() };
        let w = warning(&file("unknown"), c).unwrap();
        assert!(w.message.starts_with("a.jsonl: format unknown: no record is an LLM"), "{w:?}");
        assert!(w.message.contains("1,200 unrecognized, 2 not LLM requests"), "{w:?}");
        assert!(w.message.contains("--input-format") && w.message.contains("--map"), "{w:?}");
    }
}
