//! The terminal renderer: summary, ranked root causes with what to do, then
//! unclassified signatures and malformed lines. Colour only when asked (the
//! config layer decides: a TTY, `--color`, `NO_COLOR`).

use std::io::{self, Write};

use super::Style;
use super::model::{CauseRow, Report, Summary, Top};
use super::tables::{self, clip, dropped_values, percent, thousands};

/// ANSI styling that can be switched off.
struct Paint(bool);

impl Paint {
    fn code(&self, code: &str, s: &str) -> String {
        if self.0 { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }
    fn bold(&self, s: &str) -> String {
        self.code("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.code("2", s)
    }
    fn owner(&self, owner: &str) -> String {
        let code = match owner {
            "you" => "33",
            "provider" => "35",
            _ => "36",
        };
        self.code(code, &format!("{owner:<8}"))
    }
}

/// Writes the text report.
pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let p = Paint(style.color);
    summary(report, &p, out)?;
    changes(report, &p, out)?;
    findings(report, &p, out)?;
    causes(report, &p, out)?;
    breakdown(report, &p, out)?;
    unclassified(report, &p, out)?;
    malformed(&report.summary, &p, out)
}

fn summary(r: &Report, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    let files = s.files.len() + s.files_omitted as usize;
    let range =
        s.time_range.as_ref().map_or(String::new(), |t| format!(" · {} → {}", t.start, t.end));
    writeln!(
        out,
        "{} · {} requests · {} file{}{range}",
        p.bold("errlens"),
        thousands(s.records),
        files,
        plural(files)
    )?;
    for line in tables::warning_lines(s) {
        writeln!(out, "{} {line}", p.code("33", "warning"))?;
    }
    writeln!(
        out,
        "failures {} ({}) · successes {} · blank {} · malformed {} · lines {}",
        p.bold(&thousands(s.failures)),
        percent(s.error_rate),
        thousands(s.successes),
        thousands(s.blank),
        thousands(s.malformed),
        thousands(s.lines),
    )?;
    if let Some(aside) = tables::set_aside(s) {
        writeln!(out, "{} {aside}", p.dim("not requests:"))?;
    }
    if let Some(dropped) = dropped_values(s) {
        writeln!(out, "{} {dropped}", p.dim("dropped values:"))?;
    }
    for f in s.files.iter().filter(|f| f.error.is_some()) {
        writeln!(
            out,
            "{} {}: {}",
            p.code("31", "read error"),
            f.path,
            f.error.as_deref().unwrap_or_default()
        )?;
    }
    for note in super::tables::capped_notes(r) {
        writeln!(out, "{} {note}", p.code("33", "capped"))?;
    }
    Ok(())
}

fn causes(report: &Report, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    if report.causes.is_empty() {
        return writeln!(out, "\n{}", tables::no_failures(&report.summary));
    }
    writeln!(
        out,
        "\n{}",
        p.bold(&format!(
            "{:<45}{:>8}{:>8}  {:<8}  retry",
            "ROOT CAUSES", "count", "share", "owner"
        ))
    )?;
    let day = report.summary.time_range.as_ref().map_or("", |t| &t.start[..t.start.len().min(10)]);
    for (i, c) in report.causes.iter().enumerate() {
        cause(i + 1, c, day, p, out)?;
    }
    Ok(())
}

fn cause(rank: usize, c: &CauseRow, day: &str, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let id = format!("{rank:>2}  {}", c.category);
    writeln!(
        out,
        "{}{:>8}{:>8}  {}  {}",
        p.bold(&format!("{id:<45}")),
        thousands(c.count),
        percent(c.share_of_failures),
        p.owner(&c.owner),
        c.retry
    )?;
    writeln!(out, "    {}", c.title)?;
    let seen = match (&c.first_seen, &c.last_seen) {
        (Some(a), Some(b)) => format!("seen {} → {}", short_time(a, day), short_time(b, day)),
        _ => "no timestamps".to_string(),
    };
    let mut facts = vec![seen];
    for (label, list) in
        [("keys", &c.top_keys), ("projects", &c.top_projects), ("models", &c.top_models)]
    {
        if !list.is_empty() {
            facts.push(format!("{label} {}", tops(list, 3)));
        }
    }
    writeln!(out, "    {}", p.dim(&facts.join(" · ")))?;
    evidence(c, out)?;
    for n in &c.notes {
        writeln!(out, "    note: {}", super::tables::note_text(c, n))?;
    }
    if let Some(e) = &c.example {
        let status = e.status.map_or("---".to_string(), |s| s.to_string());
        writeln!(out, "    e.g. {} {status} {}", e.place, p.dim(&clip(&e.message, 140)))?;
    }
    for (i, step) in c.fix.iter().enumerate() {
        let label = if i == 0 { "fix:" } else { "    " };
        writeln!(out, "    {label} {}. {step}", i + 1)?;
    }
    Ok(())
}

/// Raw evidence worth a line of its own; the rest is summarized or noise.
const SHOWN_EVIDENCE: [&str; 10] = [
    "key_hint",
    "failing_host",
    "param",
    "param_name",
    "api_version",
    "max_context",
    "max_output",
    "max_length",
    "base_model",
    "scopes",
];

fn evidence(c: &CauseRow, out: &mut dyn Write) -> io::Result<()> {
    let limits: Vec<String> = c.rate_limits.iter().take(3).map(super::tables::limit_text).collect();
    if !limits.is_empty() {
        writeln!(out, "    limits: {}", limits.join(" · "))?;
    }
    if let Some(d) = &c.retry_after_s {
        let s = |v: f64| format!("{}s", crate::classify::evidence::fmt_seconds(v));
        writeln!(
            out,
            "    retry-after: p50 {} · p90 {} · max {} ({} failures)",
            s(d.p50),
            s(d.p90),
            s(d.max),
            d.count
        )?;
    }
    let fixes: Vec<String> =
        c.model_fixes.iter().take(4).map(super::tables::model_fix_text).collect();
    if !fixes.is_empty() {
        writeln!(out, "    models: {}", fixes.join(" · "))?;
    }
    let raw: Vec<String> = SHOWN_EVIDENCE
        .iter()
        .filter_map(|k| c.evidence.get(*k).map(|v| format!("{k} {}", tops(v, 2))))
        .collect();
    if !raw.is_empty() {
        writeln!(out, "    evidence: {}", raw.join(" · "))?;
    }
    Ok(())
}

fn changes(report: &Report, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let (Some(line), Some(c)) = (super::tables::previous_line(report), &report.comparison) else {
        return Ok(());
    };
    writeln!(out, "\n{}\n  {line}", p.bold("COMPARED WITH THE PREVIOUS PERIOD"))?;
    for x in c.causes.iter().filter(|x| x.change != "same").take(15) {
        let pct = super::tables::change_text(x);
        writeln!(
            out,
            "  {:<7} {:<40} {:>7} → {:<7} {pct}",
            x.change,
            x.category,
            thousands(x.before),
            thousands(x.now)
        )?;
    }
    Ok(())
}

fn findings(report: &Report, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    if report.findings.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", p.bold("FINDINGS"))?;
    for f in &report.findings {
        writeln!(out, "  • {} {}", p.bold(&format!("{}:", f.kind.replace('_', " "))), f.sentence)?;
    }
    if report.findings_omitted > 0 {
        writeln!(out, "  ... and {} more findings (--full)", thousands(report.findings_omitted))?;
    }
    Ok(())
}

fn breakdown(report: &Report, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let Some((table, total)) = super::tables::breakdown(report) else { return Ok(()) };
    writeln!(out, "\n{}", p.bold("BREAKDOWN"))?;
    let widths: Vec<usize> = (0..table.header.len())
        .map(|i| {
            table
                .rows
                .iter()
                .map(|r| r[i].chars().count())
                .chain([table.header[i].len()])
                .max()
                .unwrap_or(0)
                .min(40)
        })
        .collect();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{:<w$}", clip(c, *w)))
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", p.dim(&line(table.header.iter().map(|h| h.to_string()).collect())))?;
    for row in table.rows.iter().cloned() {
        writeln!(out, "{}", line(row).trim_end())?;
    }
    if total > 0 {
        writeln!(out, "... {} more groups (--format csv --table breakdown)", thousands(total))?;
    }
    Ok(())
}

fn unclassified(report: &Report, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    if report.unclassified.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", p.bold("UNCLASSIFIED (message signatures; add a rule with --rules)"))?;
    for s in &report.unclassified {
        writeln!(out, "{:>8}  {}", thousands(s.count), clip(&s.signature, 110))?;
        writeln!(out, "          {}", p.dim(&format!("e.g. {}", s.example.place)))?;
    }
    if let Some(o) = report.unclassified_omitted {
        let label = super::tables::other_label(o, "signatures");
        writeln!(out, "{:>8}  {label} (--format csv --table signatures)", thousands(o.failures))?;
    }
    Ok(())
}

fn malformed(s: &Summary, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    for (title, rows) in
        [("MALFORMED LINES", &s.malformed_by_reason), ("NOT REQUESTS", &s.set_aside)]
    {
        reason_lines(title, rows, p, out)?;
    }
    Ok(())
}

fn reason_lines(
    title: &str,
    rows: &std::collections::BTreeMap<String, super::model::MalformedRow>,
    p: &Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", p.bold(title))?;
    for row in rows.values() {
        writeln!(
            out,
            "{:>8}  {}: {}",
            thousands(row.count),
            row.description,
            row.first.join(", ")
        )?;
    }
    Ok(())
}

/// `2026-11-21T10:00:01.250Z` -> `10:00:01` on `day`, `2026-11-22 10:00:01` otherwise.
fn short_time(ts: &str, day: &str) -> String {
    let (date, rest) = ts.split_once('T').unwrap_or((ts, ""));
    let clock = rest.get(..8).unwrap_or(rest);
    if date == day { clock.to_string() } else { format!("{date} {clock}") }
}

fn tops(list: &[Top], n: usize) -> String {
    let shown: Vec<String> =
        list.iter().take(n).map(|t| format!("{} ({})", t.name, thousands(t.count))).collect();
    shown.join(", ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(percent(0.0791), "7.9%");
        assert_eq!(clip("a\n  b", 10), "a b");
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(short_time("2026-11-21T10:00:01.250Z", "2026-11-21"), "10:00:01");
        assert_eq!(short_time("2026-11-22T10:00:01Z", "2026-11-21"), "2026-11-22 10:00:01");
    }
}
