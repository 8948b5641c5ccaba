//! The HTML report: one self-contained file (inline CSS, inline SVG charts,
//! one small inline script that sorts tables; no external asset, works
//! offline, reads with scripts off). Top to bottom: the header (time range,
//! generated at), tiles (requests, failures, error rate, the change against
//! `--compare`), what to do now, the timeline with incidents and quota
//! run-outs marked, a card per cause ([`causes`]), the findings, then the
//! comparison, breakdown and reference tables. A dark palette follows
//! `prefers-color-scheme`; at phone width nothing scrolls the page sideways
//! (wide tables scroll in their own box, charts scale). Every log-derived
//! string is escaped with [`esc`].

mod causes;
mod chart;

use std::fmt::Write as _;
use std::io::{self, Write};

use super::model::{Comparison, Report};
use super::tables::{self, Table, percent, thousands};
use crate::aggregate::OTHER;

/// The stylesheet, light and dark.
const STYLE: &str = include_str!("style.css");
/// Sorts a `table.sortable` on a header click.
const SORT: &str = include_str!("sort.js");

/// Writes the HTML report.
pub fn render(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut h = String::with_capacity(64 << 10);
    // The stylesheet on one line, so the input warnings are among the first lines.
    let style: String = STYLE.lines().collect();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"color-scheme\" content=\"light dark\">\
<title>errlens report</title><style>{style}</style></head><body>\n"
    );
    header(r, &mut h);
    h.push_str("<main>\n");
    tiles(r, &mut h);
    actions(r, &mut h);
    chart::timeline(r, &mut h);
    if !r.causes.is_empty() {
        causes::causes(r, &mut h);
    }
    causes::findings(r, &mut h);
    comparison(r, &mut h);
    reference(r, &mut h);
    let _ = write!(h, "</main>\n<script>{SORT}</script>\n</body></html>\n");
    out.write_all(h.as_bytes())
}

/// Title, time range and generated-at once, the input warnings and notes.
fn header(r: &Report, h: &mut String) {
    let range =
        r.summary.time_range.as_ref().map_or("no timestamps".to_string(), tables::range_text);
    let _ = writeln!(
        h,
        "<header><h1>errlens report</h1><p class=\"muted\">{} · generated {}</p></header>",
        esc(&range),
        esc(&r.generated_at)
    );
    for line in tables::warning_lines(&r.summary) {
        let _ = writeln!(h, "<p class=\"warning\"><b>warning</b>: {}</p>", esc(&line));
    }
    for f in r.summary.files.iter().filter(|f| f.error.is_some()) {
        let error = f.error.as_deref().unwrap_or_default();
        let _ = writeln!(
            h,
            "<p class=\"warning\"><b>read error</b>: {}: {}</p>",
            esc(&f.path),
            esc(error)
        );
    }
    for note in tables::capped_notes(r) {
        let _ = writeln!(h, "<p class=\"warning\"><b>capped</b>: {}</p>", esc(&note));
    }
}

/// The headline figures, and their change against the previous period.
fn tiles(r: &Report, h: &mut String) {
    let s = &r.summary;
    h.push_str("<section id=\"tiles\" class=\"tiles\" aria-label=\"summary\">");
    tile(
        "requests",
        &thousands(s.records),
        &format!("{} successes", thousands(s.successes)),
        "",
        h,
    );
    let bad = if s.failures > 0 { "bad" } else { "" };
    tile("failures", &thousands(s.failures), &format!("{} causes", r.causes.len()), bad, h);
    tile("error rate", &percent(s.error_rate), "failures / requests", bad, h);
    if let Some(c) = &r.comparison {
        change_tiles(s.failures, c, h);
    }
    h.push_str("</section>\n");
    lines_note(r, h);
}

/// Failures and error rate against the `--compare` period.
fn change_tiles(failures: u64, c: &Comparison, h: &mut String) {
    let before = c.previous.failures;
    let diff = failures as i64 - before as i64;
    let pct = match before {
        0 => "new".to_string(),
        b => format!("{:+.1}%", diff as f64 / b as f64 * 100.0),
    };
    let trend = |d: f64| {
        if d > 0.0 {
            "bad"
        } else if d < 0.0 {
            "good"
        } else {
            ""
        }
    };
    let sub = format!("{pct} · {} before", thousands(before));
    tile("failures vs before", &format!("{diff:+}"), &sub, trend(diff as f64), h);
    let points = c.error_rate_change * 100.0;
    let sub = format!("{} before", percent(c.previous.error_rate));
    tile("error rate vs before", &format!("{points:+.2} pts"), &sub, trend(points), h);
}

fn tile(label: &str, value: &str, sub: &str, class: &str, h: &mut String) {
    let _ = write!(
        h,
        "<div class=\"tile {class}\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"sub\">{}</div></div>",
        esc(label),
        esc(value),
        esc(sub)
    );
}

/// Lines read, set aside and dropped values, one small line under the tiles.
fn lines_note(r: &Report, h: &mut String) {
    let s = &r.summary;
    let mut parts = vec![format!(
        "{} lines ({} blank, {} malformed)",
        thousands(s.lines),
        thousands(s.blank),
        thousands(s.malformed)
    )];
    if let Some(aside) = tables::set_aside(s) {
        parts.push(format!("not requests: {aside}"));
    }
    if let Some(dropped) = tables::dropped_values(s) {
        parts.push(format!("dropped values: {dropped}"));
    }
    let _ = writeln!(h, "<p class=\"muted small\">{}</p>", esc(&parts.join(" · ")));
}

/// What to do now: the ranked actions, or that nothing failed.
fn actions(r: &Report, h: &mut String) {
    h.push_str("<section id=\"actions\"><h2>What to do now</h2>\n");
    if r.actions.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(tables::no_failures(&r.summary)));
    } else {
        h.push_str("<ol class=\"actions\">\n");
        for a in &r.actions {
            let retry = if a.retry_helps { "retry helps" } else { "retrying cannot help" };
            let since =
                a.since.as_deref().map_or(String::new(), |s| format!(" · since {}", esc(s)));
            let _ = writeln!(
                h,
                "<li><span class=\"badge owner-{owner}\">{owner}</span><span class=\"action-text\">{}</span><span class=\"muted small\">{} failures · {retry}{since}</span></li>",
                esc(&a.text),
                thousands(a.failures),
                owner = esc(&a.owner),
            );
        }
        h.push_str("</ol>\n");
    }
    h.push_str("</section>\n");
}

/// This period against the `--compare` one.
fn comparison(r: &Report, h: &mut String) {
    if let (Some(line), Some(t)) = (tables::previous_line(r), tables::changes(r)) {
        let _ = writeln!(
            h,
            "<section id=\"comparison\"><h2>Compared with the previous period</h2><p>{}</p>",
            esc(&line)
        );
        table(&t, h);
        h.push_str("</section>\n");
    }
}

/// The breakdown, unclassified signatures, keys, models, malformed lines and inputs.
fn reference(r: &Report, h: &mut String) {
    if let Some((t, total)) = tables::breakdown(r) {
        h.push_str("<section id=\"breakdown\"><h2>Breakdown</h2>\n");
        table(&t, h);
        if total > 0 {
            let _ = writeln!(
                h,
                "<p class=\"muted\">{} more groups: <code>--format csv --table breakdown</code> has them all.</p>",
                thousands(total)
            );
        }
        h.push_str("</section>\n");
    }
    let keys: Vec<(&str, u64)> = r.keys.iter().map(|d| (d.name.as_str(), d.failures)).collect();
    let models: Vec<(&str, u64)> = r.models.iter().map(|d| (d.name.as_str(), d.failures)).collect();
    for (id, title, t, bars) in [
        ("unclassified", "Unclassified messages", tables::signatures(r), None),
        (
            "keys",
            "Keys",
            tables::dims(&r.keys, r.keys_omitted, "key"),
            Some(("Failures by key", &keys)),
        ),
        (
            "models",
            "Models",
            tables::dims(&r.models, r.models_omitted, "model"),
            Some(("Failures by model", &models)),
        ),
        ("malformed", "Malformed lines", tables::malformed(r), None),
        ("inputs", "Inputs", tables::files(r), None),
    ] {
        if t.rows.is_empty() {
            continue;
        }
        let _ = writeln!(h, "<section id=\"{id}\"><h2>{title}</h2>");
        if let Some((caption, items)) = bars {
            chart::bars(caption, items, h);
        }
        table(&t, h);
        h.push_str("</section>\n");
    }
}

/// A table, sortable by its headers (with scripts on); a last `(other)` row
/// stays last, in the footer.
fn table(t: &Table, h: &mut String) {
    h.push_str("<div class=\"scroll\"><table class=\"sortable\"><thead><tr>");
    for col in &t.header {
        let _ = write!(h, "<th scope=\"col\">{}</th>", esc(col));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let other = t.rows.last().filter(|row| row.iter().any(|c| c.starts_with(OTHER)));
    let body = t.rows.len() - usize::from(other.is_some());
    for row in &t.rows[..body] {
        table_row(row, h);
    }
    h.push_str("</tbody>\n");
    if let Some(row) = other {
        h.push_str("<tfoot>");
        table_row(row, h);
        h.push_str("</tfoot>\n");
    }
    h.push_str("</table></div>\n");
}

fn table_row(row: &[String], h: &mut String) {
    h.push_str("<tr>");
    for cell in row {
        let _ = write!(h, "<td>{}</td>", esc(cell));
    }
    h.push_str("</tr>\n");
}

/// HTML-escapes text for element content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_other_row_stays_in_the_footer_and_cells_are_escaped() {
        let rows = vec![
            vec!["<b>gpt</b>".to_string(), "3".to_string()],
            vec![format!("{OTHER}: 2 more models"), "1".to_string()],
        ];
        let mut h = String::new();
        table(&Table { header: vec!["model", "failures"], rows }, &mut h);
        let (body, foot) = h.split_once("<tfoot>").expect("a footer");
        assert!(body.contains("&lt;b&gt;gpt&lt;/b&gt;") && !body.contains("<b>"), "{h}");
        assert!(foot.contains("2 more models") && !body.contains("2 more models"), "{h}");
    }

    #[test]
    fn change_tiles_say_how_much_and_which_way() {
        let previous = super::super::model::PeriodRow {
            records: 100,
            failures: 10,
            error_rate: 0.1,
            time_range: None,
            unread: Vec::new(),
        };
        let c = Comparison { previous, error_rate_change: -0.025, causes: Vec::new() };
        let mut h = String::new();
        change_tiles(15, &c, &mut h);
        assert!(
            h.contains("tile bad") && h.contains(">+5<") && h.contains("+50.0% · 10 before"),
            "{h}"
        );
        assert!(h.contains("tile good") && h.contains("-2.50 pts"), "{h}");
    }
}
