//! The HTML renderer: one self-contained file (inline CSS, inline SVG charts,
//! no scripts, no external assets, works offline and on a phone). Charts: the
//! error rate over time stacked by cause group, failures by model, failures by
//! key. Every log-derived string is escaped.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::model::{Report, TimelineRow};
use super::tables::{self, Table};

/// Cause groups and their colours (also the chart legend's order).
const GROUPS: [(&str, &str); 11] = [
    ("auth", "#d62728"),
    ("permission", "#e377c2"),
    ("quota", "#8c564b"),
    ("rate_limit", "#ff7f0e"),
    ("model", "#bcbd22"),
    ("request", "#9467bd"),
    ("safety", "#7f7f7f"),
    ("server", "#1f77b4"),
    ("network", "#17becf"),
    ("gateway", "#2ca02c"),
    ("unclassified", "#444444"),
];

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#1d1d1f;background:#fff}\
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd}h3{font-size:1.05em;margin:1.2em 0 .3em}\
table{border-collapse:collapse;width:100%;margin:.4em 0;font-size:.92em}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #eee;vertical-align:top;overflow-wrap:break-word}\
.scroll{overflow-x:auto}.scroll table{min-width:640px}\
th{background:#f6f6f6}code{font:.92em ui-monospace,Menlo,Consolas,monospace;background:#f3f3f3;padding:0 3px;border-radius:3px}\
.warning{background:#fff4e0;border-left:4px solid #e08a00;padding:6px 10px;margin:.4em 0}\
.facts{margin:.2em 0;padding-left:1.2em}.owner-you{color:#b35900}.owner-provider{color:#1f4e9c}.owner-network{color:#0f7f8f}\
svg{width:100%;height:auto;display:block}.legend span{display:inline-block;margin-right:12px;font-size:.85em}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}\
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}th{background:#222}td,th{border-color:#333}code{background:#222}.warning{background:#3a2a00}}";

/// Writes the HTML report.
pub fn render(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut h = String::with_capacity(64 << 10);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>errlens report</title><style>{STYLE}</style></head><body>\n<h1>errlens report</h1>\n"
    );
    for line in tables::warning_lines(&r.summary) {
        let _ = writeln!(h, "<p class=\"warning\"><b>warning</b>: {}</p>", esc(&line));
    }
    table(&tables::summary(r), &mut h);
    for note in tables::capped_notes(r) {
        let _ = writeln!(h, "<p><b>capped</b>: {}</p>", esc(&note));
    }
    if !r.actions.is_empty() {
        h.push_str("<h2>What to do now</h2><ol>\n");
        for a in &r.actions {
            let _ = writeln!(h, "<li><b>{}</b> · {}</li>", esc(&a.owner), esc(&a.text));
        }
        h.push_str("</ol>\n");
    }
    timeline_chart(r, &mut h);
    if let (Some(line), Some(t)) = (tables::previous_line(r), tables::changes(r)) {
        let _ = writeln!(h, "<h2>Compared with the previous period</h2><p>{}</p>", esc(&line));
        table(&t, &mut h);
    }
    if !r.findings.is_empty() {
        h.push_str("<h2>Findings</h2><ul>\n");
        for f in &r.findings {
            let _ = writeln!(
                h,
                "<li><b>{}</b>: {}</li>",
                esc(&f.kind.replace('_', " ")),
                esc(&f.sentence)
            );
        }
        if r.findings_omitted > 0 {
            let n = tables::thousands(r.findings_omitted);
            let _ =
                writeln!(h, "<li>... and {n} more findings (<code>--full</code> lists them)</li>");
        }
        h.push_str("</ul>\n");
    }
    if r.causes.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(tables::no_failures(&r.summary)));
    } else {
        h.push_str("<h2>Root causes</h2>\n");
        table(&tables::causes(r), &mut h);
        bars(
            "Failures by model",
            &r.models.iter().map(|d| (d.name.as_str(), d.failures)).collect::<Vec<_>>(),
            &mut h,
        );
        bars(
            "Failures by key",
            &r.keys.iter().map(|d| (d.name.as_str(), d.failures)).collect::<Vec<_>>(),
            &mut h,
        );
        causes(r, &mut h);
    }
    if let Some((t, total)) = tables::breakdown(r) {
        h.push_str("<h2>Breakdown</h2>\n");
        table(&t, &mut h);
        if total > 0 {
            let _ = writeln!(
                h,
                "<p>{} more groups: <code>--format csv --table breakdown</code> has them all.</p>",
                tables::thousands(total)
            );
        }
    }
    for (title, t) in [
        ("Unclassified messages", tables::signatures(r)),
        ("Keys", tables::dims(&r.keys, r.keys_omitted, "key")),
        ("Models", tables::dims(&r.models, r.models_omitted, "model")),
        ("Malformed lines", tables::malformed(r)),
        ("Inputs", tables::files(r)),
    ] {
        if !t.rows.is_empty() {
            let _ = writeln!(h, "<h2>{}</h2>", esc(title));
            table(&t, &mut h);
        }
    }
    h.push_str("</body></html>\n");
    out.write_all(h.as_bytes())
}

fn causes(r: &Report, h: &mut String) {
    for (i, c) in r.causes.iter().enumerate() {
        let _ = writeln!(
            h,
            "<h3 id=\"{id}\">{n}. <code>{id}</code> {title}</h3><p><span class=\"owner-{owner}\">owner: {owner}</span> · retry: {retry} · {count} failures ({share})</p><ul class=\"facts\">",
            id = esc(&c.category),
            n = i + 1,
            title = esc(&c.title),
            owner = esc(&c.owner),
            retry = esc(&c.retry),
            count = tables::thousands(c.count),
            share = tables::percent(c.share_of_failures),
        );
        for (label, value) in tables::cause_facts(c) {
            let _ = writeln!(h, "<li><b>{}</b>: {}</li>", esc(label), esc(&value));
        }
        h.push_str("</ul><ol>");
        for step in &c.fix {
            let _ = write!(h, "<li>{}</li>", esc(step));
        }
        h.push_str("</ol>\n");
    }
}

fn table(t: &Table, h: &mut String) {
    h.push_str("<div class=\"scroll\"><table><tr>");
    for col in &t.header {
        let _ = write!(h, "<th>{}</th>", esc(col));
    }
    h.push_str("</tr>\n");
    for row in &t.rows {
        h.push_str("<tr>");
        for cell in row {
            let _ = write!(h, "<td>{}</td>", esc(cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
}

/// The colour of a cause id's group.
fn colour(id: &str) -> &'static str {
    let group = id.split('.').next().unwrap_or(id);
    GROUPS.iter().find(|g| g.0 == group).map_or("#999999", |g| g.1)
}

/// Error rate per bucket, stacked by cause group (share of the bucket's requests).
fn timeline_chart(r: &Report, h: &mut String) {
    let buckets = &r.timeline.buckets;
    if buckets.is_empty() || r.summary.failures == 0 {
        return;
    }
    let (w, ht, pad, top) = (900.0, 220.0, 36.0, 12.0);
    let peak = buckets.iter().map(|b| b.error_rate).fold(0.0_f64, f64::max).max(0.01);
    let step = (w - pad) / buckets.len() as f64;
    let _ = write!(
        h,
        "<h2>Error rate over time ({} buckets)</h2><svg viewBox=\"0 0 {w} {}\" role=\"img\" aria-label=\"error rate over time by root cause\">",
        esc(&r.timeline.every),
        top + ht + 24.0
    );
    for frac in [0.0, 0.5, 1.0] {
        let y = top + ht - frac * ht;
        let _ = write!(
            h,
            "<line x1=\"{pad}\" x2=\"{w}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ccc\" stroke-width=\"0.5\"/><text x=\"0\" y=\"{:.1}\" font-size=\"10\" fill=\"currentColor\">{}</text>",
            y + 3.0,
            tables::percent(peak * frac)
        );
    }
    for (i, b) in buckets.iter().enumerate() {
        stacked_bar(b, pad + i as f64 * step, step, (top, ht), peak, h);
    }
    let first = buckets.first().map_or("", |b| b.start.as_str());
    let last = buckets.last().map_or("", |b| b.start.as_str());
    let _ = write!(
        h,
        "<text x=\"{pad}\" y=\"{}\" font-size=\"10\" fill=\"currentColor\">{}</text><text x=\"{w}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\" fill=\"currentColor\">{}</text></svg>\n<p class=\"legend\">",
        top + ht + 16.0,
        esc(first),
        top + ht + 16.0,
        esc(last)
    );
    for (group, c) in GROUPS {
        let _ = write!(h, "<span><i style=\"background:{c}\"></i>{group}</span>");
    }
    h.push_str("</p>\n");
}

/// One bucket's bar; `(top, ht)` are the chart's top margin and height.
fn stacked_bar(
    b: &TimelineRow,
    x: f64,
    step: f64,
    (top, ht): (f64, f64),
    peak: f64,
    h: &mut String,
) {
    let mut y = top + ht;
    for (group, c) in GROUPS {
        let n: u64 = b
            .causes
            .iter()
            .filter(|(id, _)| colour(id) == c && id.starts_with(group))
            .map(|(_, n)| n)
            .sum();
        if n == 0 || b.requests == 0 {
            continue;
        }
        let height = n as f64 / b.requests as f64 / peak * ht;
        y -= height;
        let _ = write!(
            h,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{height:.1}\" fill=\"{c}\"><title>{} {group}: {n}</title></rect>",
            (step * 0.9).max(0.5),
            esc(&b.start)
        );
    }
}

/// Horizontal bars for the largest counts.
fn bars(title: &str, items: &[(&str, u64)], h: &mut String) {
    let mut items: Vec<&(&str, u64)> = items.iter().filter(|i| i.1 > 0).collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    items.truncate(10);
    let Some(max) = items.first().map(|i| i.1) else { return };
    let row = 22.0;
    let _ = write!(
        h,
        "<h2>{}</h2><svg viewBox=\"0 0 900 {}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        row * items.len() as f64 + 4.0,
        esc(title)
    );
    for (i, (name, n)) in items.iter().enumerate() {
        let y = i as f64 * row;
        let width = *n as f64 / max as f64 * 560.0;
        let _ = write!(
            h,
            "<text x=\"0\" y=\"{:.1}\" font-size=\"12\" fill=\"currentColor\">{}</text><rect x=\"260\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{:.1}\" fill=\"#d62728\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"currentColor\">{}</text>",
            y + 15.0,
            esc(&tables::clip(name, 36)),
            y + 3.0,
            row - 6.0,
            266.0 + width,
            y + 15.0,
            tables::thousands(*n)
        );
    }
    h.push_str("</svg>\n");
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
