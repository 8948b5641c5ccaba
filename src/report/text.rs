//! The terminal renderer. The first screen says what to do: the summary, the
//! ranked actions and the causes table; then the findings (a table of
//! subjects each, cut after a few rows), evidence and fix for the top causes
//! (every cause with `--verbose`/`--full`; none with `--brief`), the
//! breakdown, unclassified signatures and malformed lines. Every line fits
//! [`Style::width`]: tables are cut with `…`, prose is wrapped. Colour only
//! when asked (the config layer decides: a TTY, `--color`, `NO_COLOR`).

use std::io::{self, Write};

use super::model::{CauseRow, Finding, Report, Summary, Top};
use super::tables::{self, clip, dropped_values, percent, thousands};
use super::{Detail, FINDING_ROWS, Style, TOP_DETAILED};

/// Causes the table lists before "and N more" (all with `--verbose`/`--full`).
const TABLE_CAUSES: usize = 15;

/// ANSI styling that can be switched off, and the width lines fit in.
struct Paint(bool, usize);

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
    let p = Paint(style.color, style.width);
    summary(report, &p, out)?;
    actions(report, &p, out)?;
    causes(report, style.detail, &p, out)?;
    if style.detail == Detail::Brief {
        return Ok(());
    }
    changes(report, &p, out)?;
    let rows = if style.detail == Detail::All { usize::MAX } else { FINDING_ROWS };
    findings(report, rows, &p, out)?;
    let shown = if style.detail == Detail::All { usize::MAX } else { TOP_DETAILED };
    details(report, shown, &p, out)?;
    breakdown(report, &p, out)?;
    unclassified(report, &p, out)?;
    malformed(&report.summary, &p, out)
}

fn summary(r: &Report, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    let files = s.files.len() + s.files_omitted as usize;
    let range =
        s.time_range.as_ref().map_or(String::new(), |t| format!(" · {}", tables::range_text(t)));
    let head =
        format!("· {} requests · {} file{}{range}", thousands(s.records), files, plural(files));
    wrapped(out, &format!("{} ", p.bold("errlens")), "  ", &head, p)?;
    for line in tables::warning_lines(s) {
        wrapped(out, &format!("{} ", p.code("33", "warning")), "  ", &line, p)?;
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
        wrapped(out, &format!("{} ", p.dim("not requests:")), "  ", &aside, p)?;
    }
    if let Some(dropped) = dropped_values(s) {
        wrapped(out, &format!("{} ", p.dim("dropped values:")), "  ", &dropped, p)?;
    }
    for f in s.files.iter().filter(|f| f.error.is_some()) {
        let text = format!("{}: {}", f.path, f.error.as_deref().unwrap_or_default());
        wrapped(out, &format!("{} ", p.code("31", "read error")), "  ", &text, p)?;
    }
    for note in super::tables::capped_notes(r) {
        wrapped(out, &format!("{} ", p.code("33", "capped")), "  ", &note, p)?;
    }
    Ok(())
}

/// The ranked actions, one line each.
fn actions(report: &Report, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    if report.actions.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", p.bold("WHAT TO DO NOW"))?;
    for (i, a) in report.actions.iter().enumerate() {
        let text = clip(&a.text, p.1.saturating_sub(15));
        writeln!(out, "  {}. {} {text}", i + 1, p.owner(&a.owner))?;
    }
    Ok(())
}

/// The ranked causes as a table: rank, id, count, share, owner, retry, title.
fn causes(report: &Report, detail: Detail, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    if report.causes.is_empty() {
        return writeln!(out, "\n{}", tables::no_failures(&report.summary));
    }
    let id_width = report.causes.iter().map(|c| c.category.len()).max().unwrap_or(0).clamp(11, 40);
    let head = format!(
        "    {:<id_width$}{:>8}{:>8}  {:<8}  {:<8}  ",
        "ROOT CAUSES", "count", "share", "owner", "retry"
    );
    writeln!(out, "\n{}", p.bold(head.trim_end()))?;
    let room = p.1.saturating_sub(head.chars().count() + 1);
    let listed = if detail == Detail::All { usize::MAX } else { TABLE_CAUSES };
    for (i, c) in report.causes.iter().enumerate().take(listed) {
        writeln!(
            out,
            "{:>2}  {}{:>8}{:>8}  {}  {:<8}  {}",
            i + 1,
            p.bold(&format!("{:<id_width$}", clip(&c.category, id_width))),
            thousands(c.count),
            percent(c.share_of_failures),
            p.owner(&c.owner),
            c.retry,
            p.dim(&clip(&c.title, room))
        )?;
    }
    let rest = report.causes.len().saturating_sub(listed);
    if rest > 0 {
        let failures: u64 = report.causes.iter().skip(listed).map(|c| c.count).sum();
        writeln!(out, "    … and {rest} more causes with {} (--verbose)", count(failures))?;
    }
    Ok(())
}

/// Evidence, example and fix of the first `shown` causes.
fn details(report: &Report, shown: usize, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    if report.causes.is_empty() {
        return Ok(());
    }
    let day = report.summary.time_range.as_ref().map_or("", |t| &t.start[..t.start.len().min(10)]);
    writeln!(out, "\n{}", p.bold("EVIDENCE AND FIX"))?;
    for (i, c) in report.causes.iter().enumerate().take(shown) {
        cause(i + 1, c, day, p, out)?;
    }
    let rest = report.causes.len().saturating_sub(shown);
    if rest > 0 {
        writeln!(out, "  … {rest} more causes: --verbose shows the evidence and fix of each")?;
    }
    Ok(())
}

fn cause(rank: usize, c: &CauseRow, day: &str, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let head = format!("{rank:>2}  {} · {} · {}", c.category, count(c.count), c.title);
    writeln!(out, "{}", p.bold(&clip(&head, p.1 - 1)))?;
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
    wrapped(out, "    ", "    ", &facts.join(" · "), p)?;
    evidence(c, p, out)?;
    for n in &c.notes {
        wrapped(out, "    note: ", "          ", &super::tables::note_text(c, n), p)?;
    }
    if let Some(e) = &c.example {
        let status = e.status.map_or("---".to_string(), |s| s.to_string());
        let head = format!("    e.g. {} {status} ", e.place);
        let room = p.1.saturating_sub(head.chars().count() + 1).max(20);
        writeln!(out, "{head}{}", p.dim(&clip(&e.message, room)))?;
    }
    for (i, step) in c.fix.iter().enumerate() {
        let label = if i == 0 { "fix:" } else { "    " };
        wrapped(out, &format!("    {label} {}. ", i + 1), "           ", step, p)?;
    }
    Ok(())
}

/// `text` wrapped at word boundaries to the width: the first line after
/// `first`, the others after `rest`; a word longer than a whole line is cut.
fn wrapped(out: &mut dyn Write, first: &str, rest: &str, text: &str, p: &Paint) -> io::Result<()> {
    let room = p.1.saturating_sub(visible_len(rest)).max(10);
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        let word = clip(word, room - 1);
        let fits = visible_len(&line) + 1 + word.chars().count() <= p.1;
        if !empty && !fits {
            writeln!(out, "{}", line.trim_end())?;
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(&word);
        empty = false;
    }
    writeln!(out, "{}", line.trim_end())
}

/// The characters a terminal shows: ANSI colour sequences take no room.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

fn count(n: u64) -> String {
    format!("{} failure{}", thousands(n), if n == 1 { "" } else { "s" })
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

fn evidence(c: &CauseRow, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let limits: Vec<String> = c.rate_limits.iter().take(3).map(super::tables::limit_text).collect();
    if !limits.is_empty() {
        wrapped(out, "    limits:", "            ", &limits.join(" · "), p)?;
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
        wrapped(out, "    models:", "            ", &fixes.join(" · "), p)?;
    }
    let raw: Vec<String> = SHOWN_EVIDENCE
        .iter()
        .filter_map(|k| c.evidence.get(*k).map(|v| format!("{k} {}", tops(v, 2))))
        .collect();
    if !raw.is_empty() {
        wrapped(out, "    evidence:", "              ", &raw.join(" · "), p)?;
    }
    Ok(())
}

fn changes(report: &Report, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let (Some(line), Some(c)) = (super::tables::previous_line(report), &report.comparison) else {
        return Ok(());
    };
    writeln!(out, "\n{}", p.bold("COMPARED WITH THE PREVIOUS PERIOD"))?;
    wrapped(out, "  ", "  ", &line, p)?;
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

fn findings(report: &Report, rows: usize, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    if report.findings.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", p.bold("FINDINGS"))?;
    for f in &report.findings {
        finding(f, rows, p, out)?;
    }
    if report.findings_omitted > 0 {
        writeln!(out, "  ... and {} more findings (--full)", thousands(report.findings_omitted))?;
    }
    Ok(())
}

/// A finding: its sentence, then a table of its subjects (the first `shown`).
fn finding(f: &Finding, shown: usize, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let kind = f.kind.replace('_', " ");
    wrapped(out, &format!("  • {kind}: "), "    ", &f.sentence, p)?;
    let width = f.rows.iter().take(shown).map(|r| r.subject.chars().count()).max();
    let width = width.unwrap_or(0).min(36);
    for r in f.rows.iter().take(shown) {
        let when = match (&r.start, &r.end) {
            (Some(a), Some(b)) if a != b => format!("  {}", span(a, b)),
            (Some(a), _) => format!("  {}", clock(a)),
            _ => String::new(),
        };
        let head = format!(
            "      {:<width$}{:>7}{when}  ",
            clip(&r.subject, width),
            thousands(r.failures)
        );
        let room = p.1.saturating_sub(head.chars().count() + 1);
        writeln!(out, "{head}{}", p.dim(&clip(&r.detail, room)))?;
    }
    if f.rows.len() > shown {
        writeln!(
            out,
            "      … and {} more (--format json or csv lists them all)",
            f.rows.len() - shown
        )?;
    }
    Ok(())
}

/// `2026-11-21T08:16:00.123Z` -> `2026-11-21 08:16`.
fn clock(ts: &str) -> String {
    let (date, rest) = ts.split_once('T').unwrap_or((ts, ""));
    format!("{date} {}", rest.get(..5).unwrap_or(rest))
}

/// `2026-11-21 08:16 → 09:00`, the date once when it does not change.
fn span(a: &str, b: &str) -> String {
    let (a, b) = (clock(a), clock(b));
    match (a.split_once(' '), b.split_once(' ')) {
        (Some((d1, _)), Some((d2, t2))) if d1 == d2 => format!("{a} → {t2}"),
        _ => format!("{a} → {b}"),
    }
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
    let fit = |l: String| clip(l.trim_end(), p.1 - 1);
    writeln!(out, "{}", p.dim(&fit(line(table.header.iter().map(|h| h.to_string()).collect()))))?;
    for row in table.rows.iter().cloned() {
        writeln!(out, "{}", fit(line(row)))?;
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
        let text = format!("{}: {}", row.description, row.first.join(", "));
        wrapped(out, &format!("{:>8}  ", thousands(row.count)), "          ", &text, p)?;
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
