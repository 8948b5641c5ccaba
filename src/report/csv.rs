//! The CSV renderer: one tidy table per run (`--table`), one row per group, a
//! stable documented column order, raw numbers. Cells a spreadsheet would run
//! as a formula (starting with `=`, `+`, `-`, `@` or their full-width forms,
//! after any white space, or with a tab or CR) are neutralised with a leading
//! `'`. Tables are complete: values past `--max-distinct` add up in a last
//! `(other)` row.

use std::io::{self, Write};

use super::CsvTable;
use super::model::Report;

/// Column order of each table (a public interface: columns are only added at the end).
pub const COLUMNS: [(CsvTable, &[&str]); 10] = [
    (
        CsvTable::Causes,
        &[
            "category",
            "group",
            "title",
            "owner",
            "retry",
            "count",
            "share_of_failures",
            "share_of_requests",
            "first_seen",
            "last_seen",
            "top_key",
            "top_project",
            "top_model",
            "example_place",
            "example_status",
            "example_message",
            "notes",
        ],
    ),
    (
        CsvTable::Timeline,
        &["start", "category", "owner", "retry", "failures", "requests", "error_rate"],
    ),
    (
        CsvTable::Findings,
        &[
            "kind", "category", "start", "end", "subjects", "sentence", "what", "subject",
            "failures", "detail",
        ],
    ),
    (
        CsvTable::Actions,
        &[
            "rank",
            "owner",
            "subject",
            "category",
            "finding",
            "failures",
            "retry_helps",
            "since",
            "action",
        ],
    ),
    (CsvTable::Changes, &["category", "change", "before", "now", "percent_change"]),
    (CsvTable::Keys, &["key", "requests", "failures", "error_rate"]),
    (CsvTable::Projects, &["project", "requests", "failures", "error_rate"]),
    (CsvTable::Models, &["model", "requests", "failures", "error_rate"]),
    (
        CsvTable::Signatures,
        &["signature", "count", "example_place", "example_status", "example_message"],
    ),
    (
        CsvTable::Files,
        &["path", "format", "compression", "lines", "error", "warning", "warning_message"],
    ),
];

/// Columns of the breakdown table: `bucket`, then the `--by` dimensions in the
/// order asked for, then these.
pub const BREAKDOWN_COLUMNS: [&str; 7] = [
    "requests",
    "failures",
    "error_rate",
    "failure_latency_p50_ms",
    "failure_latency_p95_ms",
    "success_latency_p50_ms",
    "success_latency_p95_ms",
];

/// Writes one table.
pub fn render(r: &Report, table: CsvTable, out: &mut dyn Write) -> io::Result<()> {
    let header: Vec<String> = match (table, &r.breakdown) {
        (CsvTable::Breakdown, Some(b)) => std::iter::once("bucket".to_string())
            .chain(b.by.iter().cloned())
            .chain(BREAKDOWN_COLUMNS.iter().map(|c| c.to_string()))
            .collect(),
        _ => COLUMNS
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(&[][..], |(_, c)| *c)
            .iter()
            .map(|c| c.to_string())
            .collect(),
    };
    row(&header, out)?;
    for cells in rows(r, table) {
        row(&cells, out)?;
    }
    Ok(())
}

fn rows(r: &Report, table: CsvTable) -> Vec<Vec<String>> {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let first =
        |list: &[super::model::Top]| list.first().map(|t| t.name.clone()).unwrap_or_default();
    match table {
        CsvTable::Causes => r
            .causes
            .iter()
            .map(|c| {
                let (place, status, message) =
                    c.example.as_ref().map_or_else(Default::default, |e| {
                        (
                            e.place.clone(),
                            e.status.map(|s| s.to_string()).unwrap_or_default(),
                            e.message.clone(),
                        )
                    });
                vec![
                    c.category.clone(),
                    c.group.clone(),
                    c.title.clone(),
                    c.owner.clone(),
                    c.retry.clone(),
                    c.count.to_string(),
                    c.share_of_failures.to_string(),
                    c.share_of_requests.to_string(),
                    opt(&c.first_seen),
                    opt(&c.last_seen),
                    first(&c.top_keys),
                    first(&c.top_projects),
                    first(&c.top_models),
                    place,
                    status,
                    message,
                    c.notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join(" | "),
                ]
            })
            .collect(),
        CsvTable::Timeline => timeline_rows(r),
        CsvTable::Breakdown => breakdown_rows(r),
        CsvTable::Changes => r
            .comparison
            .iter()
            .flat_map(|c| &c.causes)
            .map(|x| {
                let pct = x.percent_change.map(|p| p.to_string()).unwrap_or_default();
                vec![
                    x.category.clone(),
                    x.change.clone(),
                    x.before.to_string(),
                    x.now.to_string(),
                    pct,
                ]
            })
            .collect(),
        CsvTable::Findings => r
            .findings
            .iter()
            .flat_map(|f| f.rows.iter().map(move |x| (f, x)))
            .map(|(f, x)| {
                vec![
                    f.kind.clone(),
                    opt(&f.category),
                    opt(&x.start),
                    opt(&x.end),
                    f.subjects.join(" "),
                    f.sentence.clone(),
                    x.what.clone(),
                    x.subject.clone(),
                    x.failures.to_string(),
                    x.detail.clone(),
                ]
            })
            .collect(),
        CsvTable::Actions => r
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| {
                vec![
                    (i + 1).to_string(),
                    a.owner.clone(),
                    opt(&a.subject),
                    opt(&a.category),
                    opt(&a.finding),
                    a.failures.to_string(),
                    a.retry_helps.to_string(),
                    opt(&a.since),
                    a.text.clone(),
                ]
            })
            .collect(),
        CsvTable::Keys => dim_rows(&r.keys, r.keys_omitted),
        CsvTable::Projects => dim_rows(&r.projects, r.projects_omitted),
        CsvTable::Models => dim_rows(&r.models, r.models_omitted),
        CsvTable::Signatures => r
            .unclassified
            .iter()
            .map(|s| {
                let status = s.example.status.map(|v| v.to_string()).unwrap_or_default();
                vec![
                    s.signature.clone(),
                    s.count.to_string(),
                    s.example.place.clone(),
                    status,
                    s.example.message.clone(),
                ]
            })
            .chain(r.unclassified_omitted.map(|o| {
                let label = super::tables::other_label(o, "signatures");
                vec![label, o.failures.to_string(), String::new(), String::new(), String::new()]
            }))
            .collect(),
        CsvTable::Files => {
            let warned = super::tables::warnings_by_file(&r.summary);
            r.summary
                .files
                .iter()
                .map(|f| {
                    let lines = f.lines.to_string();
                    let w = warned.get(f.path.as_str());
                    let (kind, message) = w.map_or((String::new(), String::new()), |w| {
                        (w.kind.clone(), w.message.clone())
                    });
                    let (path, format) = (f.path.clone(), f.format.clone());
                    vec![path, format, f.compression.clone(), lines, opt(&f.error), kind, message]
                })
                .collect()
        }
    }
}

/// One row per bucket and cause (a bucket without failures gets one row with
/// an empty category, so request counts are never lost).
fn timeline_rows(r: &Report) -> Vec<Vec<String>> {
    let meta = |id: &str| {
        r.causes.iter().find(|c| c.category == id).map(|c| (c.owner.clone(), c.retry.clone()))
    };
    let mut rows = Vec::new();
    for b in &r.timeline.buckets {
        let totals = [b.requests.to_string(), b.error_rate.to_string()];
        if b.causes.is_empty() {
            rows.push(
                [
                    vec![
                        b.start.clone(),
                        String::new(),
                        String::new(),
                        String::new(),
                        "0".to_string(),
                    ],
                    totals.to_vec(),
                ]
                .concat(),
            );
        }
        for (id, n) in &b.causes {
            let (owner, retry) = meta(id).unwrap_or_default();
            rows.push(
                [vec![b.start.clone(), id.clone(), owner, retry, n.to_string()], totals.to_vec()]
                    .concat(),
            );
        }
    }
    rows
}

fn breakdown_rows(r: &Report) -> Vec<Vec<String>> {
    let Some(b) = &r.breakdown else { return Vec::new() };
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    b.rows
        .iter()
        .map(|row| {
            let mut cells = vec![row.bucket.clone().unwrap_or_default()];
            cells.extend(b.by.iter().map(|d| row.values.get(d).cloned().unwrap_or_default()));
            cells.extend([
                row.requests.to_string(),
                row.failures.to_string(),
                row.error_rate.to_string(),
            ]);
            cells.extend([row.failure_latency_p50_ms, row.failure_latency_p95_ms].map(num));
            cells.extend([row.success_latency_p50_ms, row.success_latency_p95_ms].map(num));
            cells
        })
        .chain(b.rows_omitted.map(|o| {
            let mut cells = vec![String::new(); 1 + b.by.len()];
            cells[usize::from(!b.by.is_empty())] = super::tables::other_label(o, "groups");
            let rate = crate::analyze::ratio(o.failures, o.requests);
            cells.extend([o.requests.to_string(), o.failures.to_string(), rate.to_string()]);
            cells.extend(std::iter::repeat_n(String::new(), 4));
            cells
        }))
        .collect()
}

fn dim_rows(
    rows: &[super::model::DimRow],
    omitted: Option<super::model::Omitted>,
) -> Vec<Vec<String>> {
    let other = crate::analyze::limit::other_row(omitted);
    rows.iter()
        .chain(other.as_ref())
        .map(|d| {
            vec![
                d.name.clone(),
                d.requests.to_string(),
                d.failures.to_string(),
                d.error_rate.to_string(),
            ]
        })
        .collect()
}

fn row(cells: &[String], out: &mut dyn Write) -> io::Result<()> {
    let escaped: Vec<String> = cells.iter().map(|c| escape(c)).collect();
    writeln!(out, "{}", escaped.join(","))
}

/// RFC 4180 quoting, after neutralising formula starts.
pub fn escape(cell: &str) -> String {
    let safe = if is_formula(cell) { format!("'{cell}") } else { cell.to_string() };
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

/// Whether a spreadsheet could read `cell` as a formula: it starts with a
/// tab or CR, or its first character after any white space (line breaks
/// included) or zero-width character is `=`, `+`, `-`, `@` or their full-width forms.
fn is_formula(cell: &str) -> bool {
    const SIGNS: [char; 8] = ['=', '+', '-', '@', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}'];
    let invisible =
        |c: char| c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200d}');
    cell.starts_with(['\t', '\r']) || cell.trim_start_matches(invisible).starts_with(SIGNS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a,b"), "\"a,b\"");
        assert_eq!(escape("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(escape("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for bad in [
            "+1",
            "-1+2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            " =1+1",
            "\u{200b}=1+1",
            "\n=cmd|' /C calc'!A0",
            "  \t@SUM(A1)",
            "\u{ff1d}1+1",
            "\u{ff0b}1",
            "\u{3000}\u{ff1d}HYPERLINK(\"x\")",
        ] {
            assert!(escape(bad).trim_start_matches('"').starts_with('\''), "{bad}");
        }
    }
}
