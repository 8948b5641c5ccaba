//! Row limits: a report lists at most so many rows per table (keys, projects,
//! models, unclassified signatures, breakdown groups, files, findings of one
//! kind), the largest by count, and says what it left out (`*_omitted`), so
//! that its size is bounded on any input while every total stays exact.
//! `--full` and the CSV tables list every row.

use super::ratio;
use crate::report::model::{BreakdownTable, DimRow, Finding, Omitted, Report};

/// Rows per table in the text, Markdown and HTML reports.
pub const HUMAN_ROWS: usize = 20;
/// Breakdown groups in the text, Markdown and HTML reports.
pub const HUMAN_BREAKDOWN_ROWS: usize = 60;
/// Rows per table in the JSON report.
pub const JSON_ROWS: usize = 1000;

/// How many rows a report lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rows of keys, projects, models, signatures, files and findings of a kind.
    pub rows: usize,
    /// Breakdown groups.
    pub breakdown: usize,
}

impl Limits {
    /// The limits of the text, Markdown and HTML reports.
    pub const HUMAN: Limits = Limits { rows: HUMAN_ROWS, breakdown: HUMAN_BREAKDOWN_ROWS };
    /// The limits of the JSON report.
    pub const JSON: Limits = Limits { rows: JSON_ROWS, breakdown: JSON_ROWS };
}

/// Cuts every list of `report` to `limits`, adding what was cut to its
/// `*_omitted` counts. Lists are already ranked, largest first.
pub fn limit(report: &mut Report, limits: Limits) {
    let n = limits.rows;
    for (rows, omitted) in [
        (&mut report.keys, &mut report.keys_omitted),
        (&mut report.projects, &mut report.projects_omitted),
        (&mut report.models, &mut report.models_omitted),
    ] {
        cut(rows, n, omitted, |d: &DimRow| (d.requests, d.failures));
    }
    cut(&mut report.unclassified, n, &mut report.unclassified_omitted, |s| (s.count, s.count));
    if let Some(b) = &mut report.breakdown {
        breakdown(b, limits.breakdown);
    }
    files(report, n);
    report.findings_omitted += findings(&mut report.findings, n);
}

/// Keeps the first `n` rows; the rest go to `omitted`.
fn cut<T>(
    rows: &mut Vec<T>,
    n: usize,
    omitted: &mut Option<Omitted>,
    counts: impl Fn(&T) -> (u64, u64),
) {
    if rows.len() <= n {
        return;
    }
    let dropped = rows.drain(n..).fold(Omitted::default(), |o, row| {
        let (requests, failures) = counts(&row);
        o + Omitted { rows: 1, requests, failures }
    });
    *omitted = Some(omitted.unwrap_or_default() + dropped);
}

/// Keeps the `n` groups with the most records, in their order.
fn breakdown(b: &mut BreakdownTable, n: usize) {
    let keep = largest(b.rows.iter().map(|r| r.requests), n);
    let mut index = 0;
    let mut dropped = Omitted::default();
    b.rows.retain(|r| {
        index += 1;
        if !keep[index - 1] {
            dropped = dropped + Omitted { rows: 1, requests: r.requests, failures: r.failures };
        }
        keep[index - 1]
    });
    if dropped.rows > 0 {
        b.rows_omitted = Some(b.rows_omitted.unwrap_or_default() + dropped);
    }
}

/// Which of `counts` are among the `n` largest (ties: the earlier).
fn largest(counts: impl Iterator<Item = u64>, n: usize) -> Vec<bool> {
    let counts: Vec<u64> = counts.collect();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|a, b| counts[*b].cmp(&counts[*a]).then(a.cmp(b)));
    let mut keep = vec![false; counts.len()];
    order.iter().take(n).for_each(|&i| keep[i] = true);
    keep
}

/// Keeps the first `n` input warnings (the rest go to `warnings_omitted`),
/// then the first `n` files and every file with a read error or a warning.
fn files(report: &mut Report, n: usize) {
    let s = &mut report.summary;
    if s.warnings.len() > n {
        s.warnings_omitted += (s.warnings.len() - n) as u64;
        s.warnings.truncate(n);
    }
    let warned: std::collections::HashSet<&str> =
        s.warnings.iter().map(|w| w.file.as_str()).collect();
    let mut index = 0;
    let before = s.files.len();
    s.files.retain(|f| {
        index += 1;
        index <= n || f.error.is_some() || warned.contains(f.path.as_str())
    });
    s.files_omitted += (before - s.files.len()) as u64;
}

/// Keeps, of each kind, the `n` findings with the most failures (in their
/// order); returns how many were left out.
fn findings(list: &mut Vec<Finding>, n: usize) -> u64 {
    let weight = |f: &Finding| f.numbers.get("failures").copied().unwrap_or(0.0);
    let mut keep = vec![true; list.len()];
    let mut kinds: Vec<&str> = list.iter().map(|f| f.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        let mut of_kind: Vec<usize> = (0..list.len()).filter(|&i| list[i].kind == kind).collect();
        of_kind.sort_by(|a, b| weight(&list[*b]).total_cmp(&weight(&list[*a])).then(a.cmp(b)));
        of_kind.iter().skip(n).for_each(|&i| keep[i] = false);
    }
    let before = list.len();
    let mut index = 0;
    list.retain(|_| {
        index += 1;
        keep[index - 1]
    });
    (before - list.len()) as u64
}

/// The "(other)" row of a table of keys, projects or models: what the list
/// leaves out, or `None` when nothing is.
pub fn other_row(omitted: Option<Omitted>) -> Option<DimRow> {
    omitted.map(|o| DimRow {
        name: crate::aggregate::OTHER.to_string(),
        requests: o.requests,
        failures: o.failures,
        error_rate: ratio(o.failures, o.requests),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_are_kept_in_their_order() {
        assert_eq!(largest([3, 9, 1, 9, 5].into_iter(), 3), [false, true, false, true, true]);
        assert_eq!(largest([1, 1, 1].into_iter(), 2), [true, true, false]);
    }

    #[test]
    fn cut_rows_add_up_in_omitted() {
        let mut rows = vec![(5, 1), (4, 0), (3, 3)];
        let mut omitted = Some(Omitted { rows: 0, requests: 10, failures: 2 });
        cut(&mut rows, 1, &mut omitted, |r| *r);
        assert_eq!(rows, [(5, 1)]);
        assert_eq!(omitted, Some(Omitted { rows: 2, requests: 17, failures: 5 }));
    }
}
