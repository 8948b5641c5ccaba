//! The HTML report's cause cards and findings. A card per root cause: its
//! rank, id, title, failures, owner and retry at a glance with a sparkline,
//! and its evidence, example and fix behind a `<details>`; the causes past
//! [`CARDS`] sit behind an "and N more" `<details>`. A finding is its
//! sentence and a table of its rows, the first [`FINDING_ROWS`] shown and
//! the rest behind "and N more" (HTML holds them all).

use std::fmt::Write as _;

use super::{chart, esc, table};
use crate::report::FINDING_ROWS;
use crate::report::model::{CauseRow, Finding, FindingRow, Report};
use crate::report::tables::{self, Table, thousands};

/// Cause cards shown before "and N more causes".
const CARDS: usize = 10;
/// Cards whose details are open at first (the top causes).
const OPEN: usize = 1;

/// The root causes: a card each.
pub fn causes(r: &Report, h: &mut String) {
    h.push_str("<section id=\"causes\"><h2>Root causes</h2>\n");
    for (i, c) in r.causes.iter().enumerate().take(CARDS) {
        card(r, i + 1, c, h);
    }
    let rest = r.causes.len().saturating_sub(CARDS);
    if rest > 0 {
        let failures: u64 = r.causes.iter().skip(CARDS).map(|c| c.count).sum();
        let _ = writeln!(
            h,
            "<details class=\"more\"><summary>and {rest} more causes ({} failures)</summary>",
            thousands(failures)
        );
        for (i, c) in r.causes.iter().enumerate().skip(CARDS) {
            card(r, i + 1, c, h);
        }
        h.push_str("</details>\n");
    }
    h.push_str("</section>\n");
}

/// One cause: the line at a glance, then the details.
fn card(r: &Report, rank: usize, c: &CauseRow, h: &mut String) {
    let _ = write!(
        h,
        "<article class=\"cause\" id=\"cause-{id}\" style=\"border-left-color:{colour}\"><div class=\"cause-head\"><span class=\"rank\">{rank}</span><div class=\"cause-name\"><code>{id}</code><span class=\"title\">{title}</span></div><div class=\"cause-figures\"><b>{count}</b> <span class=\"muted\">{share}</span></div><span class=\"badge owner-{owner}\">{owner}</span><span class=\"retry\">retry: {retry}</span>",
        id = esc(&c.category),
        colour = chart::colour(&c.category),
        title = esc(&c.title),
        count = thousands(c.count),
        share = tables::percent(c.share_of_failures),
        owner = esc(&c.owner),
        retry = esc(&c.retry),
    );
    chart::sparkline(r, &c.category, h);
    h.push_str("</div>");
    details(rank, c, h);
    h.push_str("</article>\n");
}

/// A cause's facts and fix steps, collapsed (the top ones open).
fn details(rank: usize, c: &CauseRow, h: &mut String) {
    let open = if rank <= OPEN { " open" } else { "" };
    let _ = write!(h, "<details{open}><summary>Evidence, example and fix</summary><dl>");
    for (label, value) in tables::cause_facts(c) {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(label), esc(&value));
    }
    h.push_str("</dl>");
    if !c.fix.is_empty() {
        h.push_str("<p class=\"fix-head\">Fix</p><ol class=\"fix\">");
        for step in &c.fix {
            let _ = write!(h, "<li>{}</li>", esc(step));
        }
        h.push_str("</ol>");
    }
    h.push_str("</details>");
}

/// The findings, each with its table of rows.
pub fn findings(r: &Report, h: &mut String) {
    if r.findings.is_empty() {
        return;
    }
    h.push_str("<section id=\"findings\"><h2>Findings</h2>\n");
    for f in &r.findings {
        finding(f, h);
    }
    if r.findings_omitted > 0 {
        let n = thousands(r.findings_omitted);
        let _ = writeln!(
            h,
            "<p class=\"muted\">and {n} more findings (<code>--full</code> lists them)</p>"
        );
    }
    h.push_str("</section>\n");
}

/// A finding: its kind, sentence and rows.
fn finding(f: &Finding, h: &mut String) {
    let _ = write!(
        h,
        "<article class=\"finding\"><h3>{}</h3><p>{}</p>",
        esc(&f.kind.replace('_', " ")),
        esc(&f.sentence)
    );
    if !f.rows.is_empty() {
        let what = f.rows.first().map_or("subject", |r| noun(&r.what));
        table(&rows_table(what, f.rows.iter().take(FINDING_ROWS)), h);
        let rest = f.rows.len().saturating_sub(FINDING_ROWS);
        if rest > 0 {
            let _ = write!(h, "<details class=\"more\"><summary>and {rest} more</summary>");
            table(&rows_table(what, f.rows.iter().skip(FINDING_ROWS)), h);
            h.push_str("</details>");
        }
    }
    h.push_str("</article>\n");
}

/// A finding's rows as a table headed by the kind of subject.
fn rows_table<'a>(what: &'static str, rows: impl Iterator<Item = &'a FindingRow>) -> Table {
    let rows = rows
        .map(|r| {
            let when = match (&r.start, &r.end) {
                (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
                (Some(a), _) => a.clone(),
                _ => String::new(),
            };
            vec![r.subject.clone(), thousands(r.failures), when, r.detail.clone()]
        })
        .collect();
    Table { header: vec![what, "failures", "when", "detail"], rows }
}

/// A finding row's kind of subject, as a table's header.
fn noun(what: &str) -> &'static str {
    ["project", "key", "model", "limit", "cause", "incident"]
        .into_iter()
        .find(|n| *n == what)
        .unwrap_or("subject")
}
