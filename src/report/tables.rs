//! Tables shared by the Markdown and HTML renderers: the same rows, with
//! human-friendly values; each renderer only escapes cells and draws the grid.

use super::model::{CauseRow, InputWarning, Omitted, Report, Summary};
use crate::aggregate::OTHER;

/// A table: a header row and data rows of display text.
pub struct Table {
    /// Column titles.
    pub header: Vec<&'static str>,
    /// Rows of cells (not escaped: each renderer escapes for its format).
    pub rows: Vec<Vec<String>>,
}

/// `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `0.0791` -> `7.9%`.
pub fn percent(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

/// One line of at most `max` characters.
pub fn clip(s: &str, max: usize) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

/// `TPM 30,000 on gpt-4o, peak used 29,937` (every renderer says it so).
pub fn limit_text(l: &super::model::RateLimitRow) -> String {
    let peak = l.peak_used.map_or(String::new(), |u| format!(", peak used {}", thousands(u)));
    format!("{} {} on {}{peak}", l.dimension, thousands(l.limit), l.model).trim_start().to_string()
}

/// `gtp-4o → gpt-4o (2)` or `text-davinci-003 retired 2024-01-04, use gpt-5.6-terra (1)`.
pub fn model_fix_text(f: &super::model::ModelFixRow) -> String {
    let fix = match (&f.suggestion, &f.shutdown_date) {
        (Some(s), _) => format!("{} → {s}", f.model),
        (None, Some(date)) => {
            let instead = f.replacement.as_deref().map_or(String::new(), |r| format!(", use {r}"));
            format!("{} retired {date}{instead}", f.model)
        }
        (None, None) => f.model.clone(),
    };
    format!("{fix} ({})", thousands(f.count))
}

/// A time range as people read it: `2026-11-21 08:00:01 → 23:59:49 UTC`
/// within one day (the date once), both dates otherwise.
pub fn range_text(t: &crate::report::model::TimeRange) -> String {
    let split = |ts: &str| {
        let (date, rest) = ts.split_once('T').unwrap_or((ts, ""));
        (date.to_string(), rest.get(..8).unwrap_or(rest).to_string())
    };
    let ((d1, t1), (d2, t2)) = (split(&t.start), split(&t.end));
    if d1 == d2 {
        format!("{d1} {t1} → {t2} UTC")
    } else {
        format!("{d1} {t1} → {d2} {t2} UTC")
    }
}

/// Summary figures as label/value pairs.
pub fn summary(r: &Report) -> Table {
    let s = &r.summary;
    let range = s.time_range.as_ref().map_or("—".to_string(), range_text);
    let mut rows = vec![
        vec!["requests".to_string(), thousands(s.records)],
        vec![
            "failures".to_string(),
            format!("{} ({})", thousands(s.failures), percent(s.error_rate)),
        ],
        vec!["time range".to_string(), range],
        vec![
            "lines".to_string(),
            format!("{} ({} blank, {} malformed)", thousands(s.lines), s.blank, s.malformed),
        ],
        vec!["generated at".to_string(), r.generated_at.clone()],
    ];
    if let Some(dropped) = dropped_values(s) {
        rows.insert(4, vec!["dropped values".to_string(), dropped]);
    }
    if let Some(aside) = set_aside(s) {
        rows.insert(4, vec!["not requests".to_string(), aside]);
    }
    Table { header: vec!["", ""], rows }
}

/// The input warnings, one line each (and how many more there are): the
/// first lines of the text, Markdown and HTML reports.
pub fn warning_lines(s: &Summary) -> Vec<String> {
    let mut lines: Vec<String> = s.warnings.iter().map(|w| w.message.clone()).collect();
    if s.warnings_omitted > 0 {
        let n = thousands(s.warnings_omitted);
        lines.push(format!("... and {n} more files with warnings (`--full` lists them)"));
    }
    lines
}

/// What the report says when no record failed: a warning above it says
/// some input was not read as requests.
pub fn no_failures(s: &Summary) -> &'static str {
    if s.warnings.is_empty() {
        "No failed requests."
    } else {
        "No failed requests among the records read; some input was not read as requests (see the warnings above)."
    }
}

/// `1,024 unrecognized lines, 3 non-LLM records`: input set aside, if any.
pub fn set_aside(s: &Summary) -> Option<String> {
    let parts: Vec<String> =
        [("unrecognized lines", s.unrecognized), ("non-LLM records", s.not_llm)]
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(what, n)| format!("{} {what}", thousands(*n)))
            .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The values dropped from records, on one line, with the first places of each
/// (`...` when there are more): `invalid_status 1 (app.jsonl:7), invalid_time 9
/// (app.jsonl:5, app.jsonl:8, app.jsonl:9, app.jsonl:12, app.jsonl:20, ...)`;
/// `None` when none were.
pub fn dropped_values(s: &Summary) -> Option<String> {
    let parts: Vec<String> = s
        .dropped_values
        .iter()
        .map(|(id, row)| {
            let more = if row.count > row.first.len() as u64 { ", ..." } else { "" };
            format!("{id} {} ({}{more})", thousands(row.count), row.first.join(", "))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Causes ranked.
pub fn causes(r: &Report) -> Table {
    let rows = r
        .causes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            vec![
                (i + 1).to_string(),
                c.category.clone(),
                c.title.clone(),
                thousands(c.count),
                percent(c.share_of_failures),
                c.owner.clone(),
                c.retry.clone(),
            ]
        })
        .collect();
    Table { header: vec!["#", "cause", "title", "failures", "share", "owner", "retry"], rows }
}

/// The facts of one cause: seen, top keys/projects/models, limits, retry-after,
/// model fixes, example.
pub fn cause_facts(c: &CauseRow) -> Vec<(&'static str, String)> {
    let mut facts = Vec::new();
    if let (Some(a), Some(b)) = (&c.first_seen, &c.last_seen) {
        facts.push(("seen", format!("{a} → {b}")));
    }
    for (label, list) in
        [("keys", &c.top_keys), ("projects", &c.top_projects), ("models", &c.top_models)]
    {
        if !list.is_empty() {
            let shown: Vec<String> =
                list.iter().map(|t| format!("{} ({})", t.name, thousands(t.count))).collect();
            facts.push((label, shown.join(", ")));
        }
    }
    for l in c.rate_limits.iter().take(3) {
        facts.push(("limit", limit_text(l)));
    }
    if let Some(d) = &c.retry_after_s {
        facts.push((
            "retry-after",
            format!("p50 {}s, p90 {}s, max {}s over {}", d.p50, d.p90, d.max, d.count),
        ));
    }
    for f in c.model_fixes.iter().take(4) {
        facts.push(("model", model_fix_text(f)));
    }
    for n in &c.notes {
        facts.push(("note", note_text(c, n)));
    }
    if let Some(e) = &c.example {
        let status = e.status.map_or("no status".to_string(), |s| s.to_string());
        facts.push(("example", format!("{} · {status} · {}", e.place, clip(&e.message, 200))));
    }
    facts
}

/// A cause's note, with how many of its failures it concerns when not all.
pub fn note_text(c: &CauseRow, n: &super::model::NoteRow) -> String {
    if n.count < c.count {
        format!("{} ({} of {} failures)", n.text, thousands(n.count), thousands(c.count))
    } else {
        n.text.clone()
    }
}

/// Unclassified signatures, and an "(other)" row for those left out.
pub fn signatures(r: &Report) -> Table {
    let mut rows: Vec<Vec<String>> = r
        .unclassified
        .iter()
        .map(|s| vec![thousands(s.count), s.signature.clone(), s.example.place.clone()])
        .collect();
    if let Some(o) = r.unclassified_omitted {
        rows.push(vec![thousands(o.failures), other_label(o, "signatures"), String::new()]);
    }
    Table { header: vec!["failures", "signature", "first seen at"], rows }
}

/// `(other)`, with how many rows it stands for when known.
pub fn other_label(o: Omitted, what: &str) -> String {
    match o.rows {
        0 => OTHER.to_string(),
        n => format!("{OTHER}: {} more {what}", thousands(n)),
    }
}

/// One line per dimension that hit `--max-distinct` (empty when none did).
pub fn capped_notes(r: &Report) -> Vec<String> {
    let s = &r.summary;
    let mut notes: Vec<String> = s
        .capped
        .iter()
        .map(|(dim, n)| {
            format!(
                "{dim}: more distinct values than --max-distinct; {} counted as {OTHER}",
                thousands(*n)
            )
        })
        .collect();
    if let Some(w) = s.time_resolution_minutes {
        notes.push(format!(
            "time: more distinct minutes than --max-distinct; times kept per {} minutes",
            thousands(w as u64)
        ));
    }
    notes
}

/// Malformed lines by reason.
pub fn malformed(r: &Report) -> Table {
    let rows = r
        .summary
        .malformed_by_reason
        .values()
        .chain(r.summary.set_aside.values())
        .map(|m| vec![m.description.clone(), thousands(m.count), m.first.join(", ")])
        .collect();
    Table { header: vec!["reason", "lines", "first places"], rows }
}

/// Requests and failures per key, project or model, and an "(other)" row
/// for those left out.
pub fn dims(rows: &[super::model::DimRow], omitted: Option<Omitted>, what: &'static str) -> Table {
    let other = crate::analyze::limit::other_row(omitted);
    let rows = rows
        .iter()
        .chain(other.as_ref())
        .map(|d| {
            vec![
                d.name.clone(),
                thousands(d.requests),
                thousands(d.failures),
                percent(d.error_rate),
            ]
        })
        .collect();
    let mut t = Table { header: vec![what, "requests", "failures", "error rate"], rows };
    if let (Some(o), Some(last)) = (omitted, t.rows.last_mut()) {
        last[0] = other_label(o, &format!("{what}s"));
    }
    t
}

/// The files read (and a row for those not listed).
pub fn files(r: &Report) -> Table {
    let s = &r.summary;
    let warned = warnings_by_file(s);
    let warning_column = !s.warnings.is_empty();
    let mut rows: Vec<Vec<String>> = s
        .files
        .iter()
        .map(|f| {
            let mut row = vec![
                f.path.clone(),
                f.format.clone(),
                f.compression.clone(),
                thousands(f.lines),
                f.error.clone().unwrap_or_default(),
            ];
            if warning_column {
                row.push(warned.get(f.path.as_str()).map_or(String::new(), |w| w.kind.clone()));
            }
            row
        })
        .collect();
    let mut header = vec!["file", "format", "compression", "lines", "error"];
    if warning_column {
        header.push("warning");
    }
    if s.files_omitted > 0 {
        let mut other = vec![format!("{OTHER}: {} more files", thousands(s.files_omitted))];
        other.resize(header.len(), String::new());
        rows.push(other);
    }
    Table { header, rows }
}

/// The input warnings by file path.
pub fn warnings_by_file(s: &Summary) -> std::collections::HashMap<&str, &InputWarning> {
    s.warnings.iter().map(|w| (w.file.as_str(), w)).collect()
}

/// The `--by` / `--every` breakdown, and an "(other)" row for the groups
/// left out; with the number of groups left out.
pub fn breakdown(r: &Report) -> Option<(Table, u64)> {
    let b = r.breakdown.as_ref()?;
    let ms = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.0}"));
    let mut header: Vec<&'static str> = Vec::new();
    if b.every.is_some() {
        header.push("bucket");
    }
    let dims: Vec<&'static str> = crate::aggregate::breakdown::DIMS
        .iter()
        .filter(|d| b.by.iter().any(|n| n == d.1))
        .map(|d| d.1)
        .collect();
    let ordered: Vec<&'static str> =
        b.by.iter().filter_map(|n| dims.iter().find(|d| **d == n.as_str()).copied()).collect();
    header.extend(&ordered);
    header.extend([
        "requests",
        "failures",
        "error rate",
        "p50 ms (fail)",
        "p95 ms (fail)",
        "p50 ms (ok)",
        "p95 ms (ok)",
    ]);
    let mut rows: Vec<Vec<String>> = b
        .rows
        .iter()
        .map(|row| {
            let mut cells: Vec<String> = Vec::new();
            if b.every.is_some() {
                cells.push(row.bucket.clone().unwrap_or_default());
            }
            cells.extend(ordered.iter().map(|d| row.values.get(*d).cloned().unwrap_or_default()));
            cells.extend([
                thousands(row.requests),
                thousands(row.failures),
                percent(row.error_rate),
            ]);
            cells.extend(
                [
                    row.failure_latency_p50_ms,
                    row.failure_latency_p95_ms,
                    row.success_latency_p50_ms,
                    row.success_latency_p95_ms,
                ]
                .map(ms),
            );
            cells
        })
        .collect();
    if let Some(o) = b.rows_omitted {
        let mut cells = vec![String::new(); header.len() - 7];
        // The first dimension's column, or the bucket's when there is none.
        let at = usize::from(b.every.is_some()).min(cells.len().saturating_sub(1));
        if let Some(first) = cells.get_mut(at) {
            *first = other_label(o, "groups");
        }
        cells.extend([thousands(o.requests), thousands(o.failures), percent(ratio(o))]);
        cells.extend(std::iter::repeat_n(String::new(), 4));
        rows.push(cells);
    }
    Some((Table { header, rows }, b.rows_omitted.map_or(0, |o| o.rows)))
}

fn ratio(o: Omitted) -> f64 {
    crate::analyze::ratio(o.failures, o.requests)
}

/// Findings, one row each.
pub fn findings(r: &Report) -> Table {
    let rows =
        r.findings.iter().map(|f| vec![f.kind.replace('_', " "), f.sentence.clone()]).collect();
    Table { header: vec!["finding", "what to do"], rows }
}

/// `+12.5%` / `-40.0%` / `new`.
pub fn change_text(c: &super::model::CauseChange) -> String {
    match c.percent_change {
        Some(p) => format!("{}{:.1}%", if p >= 0.0 { "+" } else { "" }, p * 100.0),
        None => "new".to_string(),
    }
}

/// The comparison with the previous period, when there is one.
pub fn changes(r: &Report) -> Option<Table> {
    let c = r.comparison.as_ref()?;
    let rows = c
        .causes
        .iter()
        .map(|x| {
            vec![
                x.category.clone(),
                x.change.clone(),
                thousands(x.before),
                thousands(x.now),
                change_text(x),
            ]
        })
        .collect();
    Some(Table { header: vec!["cause", "change", "before", "now", "change %"], rows })
}

/// One line on the previous period.
pub fn previous_line(r: &Report) -> Option<String> {
    let c = r.comparison.as_ref()?;
    let p = &c.previous;
    let range = p.time_range.as_ref().map_or(String::new(), |t| format!(" ({})", range_text(t)));
    let unread: String = p
        .unread
        .iter()
        .map(|f| format!(" Not read to its end: {}: {}.", f.path, f.error.as_deref().unwrap_or("")))
        .collect();
    Some(format!(
        "Previous period{range}: {} requests, {} failures ({}); error rate {} {:.2} points.{unread}",
        thousands(p.records),
        thousands(p.failures),
        percent(p.error_rate),
        if c.error_rate_change >= 0.0 { "up" } else { "down" },
        (c.error_rate_change * 100.0).abs()
    ))
}
