//! The Markdown renderer: pastes into a pull request or a chat (GitHub, Slack,
//! Teams). The actions come first as a list, then the causes table; findings
//! and each cause's evidence and fix sit in collapsed `<details>` blocks.
//! Every log-derived string is escaped so it cannot break the table or inject
//! markup, and no line is longer than [`MAX_LINE`] characters.

use std::io::{self, Write};

use super::model::{Finding, Report};
use super::tables::{self, Table};
use super::{Detail, FINDING_ROWS};

/// The longest line written, in characters (chat clients cut longer ones).
pub const MAX_LINE: usize = 300;

/// Writes the Markdown report.
pub fn render(r: &Report, detail: Detail, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# errlens report\n")?;
    for line in tables::warning_lines(&r.summary) {
        writeln!(out, "> **warning**: {}\n", cell(&line, MAX_LINE - 20))?;
    }
    table(&tables::summary(r), out)?;
    for note in tables::capped_notes(r) {
        writeln!(out, "\n> **capped**: {}", cell(&note, MAX_LINE - 20))?;
    }
    actions(r, out)?;
    if r.causes.is_empty() {
        writeln!(out, "\n{}", tables::no_failures(&r.summary))?;
    } else {
        writeln!(out, "\n## Root causes\n")?;
        table(&tables::causes(r), out)?;
    }
    if detail == Detail::Brief {
        return Ok(());
    }
    if let (Some(line), Some(t)) = (tables::previous_line(r), tables::changes(r)) {
        writeln!(out, "\n## Compared with the previous period\n\n{}\n", cell(&line, MAX_LINE))?;
        table(&t, out)?;
    }
    if !r.findings.is_empty() {
        writeln!(out, "\n## Findings\n")?;
        for f in &r.findings {
            finding(f, if detail == Detail::All { usize::MAX } else { FINDING_ROWS }, out)?;
        }
        if r.findings_omitted > 0 {
            let n = tables::thousands(r.findings_omitted);
            writeln!(out, "- ... and {n} more findings (`--full` lists them)")?;
        }
    }
    if !r.causes.is_empty() {
        writeln!(out, "\n## Evidence and fix\n")?;
        let shown = if detail == Detail::All { usize::MAX } else { super::TOP_DETAILED };
        for (i, c) in r.causes.iter().enumerate().take(shown) {
            cause(i + 1, c, out)?;
        }
        let rest = r.causes.len().saturating_sub(shown);
        if rest > 0 {
            writeln!(out, "\n{rest} more causes: `--verbose` shows the evidence and fix of each.")?;
        }
    }
    if let Some((t, total)) = tables::breakdown(r) {
        writeln!(out, "\n## Breakdown\n")?;
        table(&t, out)?;
        if total > 0 {
            writeln!(
                out,
                "\n{} more groups: `--format csv --table breakdown` has them all.",
                tables::thousands(total)
            )?;
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
            writeln!(out, "\n## {title}\n")?;
            table(&t, out)?;
        }
    }
    Ok(())
}

/// The ranked actions, a numbered list.
fn actions(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if r.actions.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n## What to do now\n")?;
    for (i, a) in r.actions.iter().enumerate() {
        writeln!(out, "{}. **{}** · {}", i + 1, a.owner, cell(&a.text, MAX_LINE - 30))?;
    }
    Ok(())
}

/// A finding: its sentence, and its subjects in a collapsed table.
fn finding(f: &Finding, shown: usize, out: &mut dyn Write) -> io::Result<()> {
    let kind = f.kind.replace('_', " ");
    writeln!(out, "- **{kind}**: {}", cell(&f.sentence, MAX_LINE - 40))?;
    if f.rows.is_empty() {
        return Ok(());
    }
    let what = noun(f.rows.first().map_or("", |r| r.what.as_str()));
    let plural = if f.rows.len() == 1 { "" } else { "s" };
    writeln!(out, "\n  <details><summary>{} {what}{plural}</summary>\n", f.rows.len())?;
    let mut rows: Vec<Vec<String>> = f
        .rows
        .iter()
        .take(shown)
        .map(|r| {
            let when = match (&r.start, &r.end) {
                (Some(a), Some(b)) if a != b => format!("{a} → {b}"),
                (Some(a), _) => a.clone(),
                _ => String::new(),
            };
            vec![r.subject.clone(), tables::thousands(r.failures), when, r.detail.clone()]
        })
        .collect();
    if f.rows.len() > shown {
        let more = format!("and {} more (JSON and CSV list them all)", f.rows.len() - shown);
        rows.push(vec![more, String::new(), String::new(), String::new()]);
    }
    let header = vec![what, "failures", "when", "detail"];
    indented(&Table { header, rows }, out)?;
    writeln!(out, "\n  </details>\n")
}

/// A finding row's kind of subject, as a table's header.
fn noun(what: &str) -> &'static str {
    ["project", "key", "model", "limit", "cause", "incident"]
        .into_iter()
        .find(|n| *n == what)
        .unwrap_or("subject")
}

/// One cause's facts and fix, collapsed.
fn cause(rank: usize, c: &super::model::CauseRow, out: &mut dyn Write) -> io::Result<()> {
    let title = cell(&c.title, 120);
    writeln!(
        out,
        "<details><summary>{rank}. <code>{}</code>: {title} ({})</summary>\n",
        c.category,
        tables::thousands(c.count)
    )?;
    for (label, value) in tables::cause_facts(c) {
        writeln!(out, "- **{label}**: {}", cell(&value, MAX_LINE - 40))?;
    }
    writeln!(out, "\n**Fix** (owner: {}, retry: {})\n", c.owner, c.retry)?;
    for (n, step) in c.fix.iter().enumerate() {
        writeln!(out, "{}. {}", n + 1, cell(step, MAX_LINE - 10))?;
    }
    writeln!(out, "\n</details>")
}

fn table(t: &Table, out: &mut dyn Write) -> io::Result<()> {
    write_table(t, "", out)
}

/// A table inside a list item.
fn indented(t: &Table, out: &mut dyn Write) -> io::Result<()> {
    write_table(t, "  ", out)
}

/// A table whose rows fit in [`MAX_LINE`]: the longest cells of a row that
/// would not are cut until it does.
fn write_table(t: &Table, indent: &str, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{indent}| {} |", t.header.join(" | "))?;
    let rule: Vec<&str> = t.header.iter().map(|_| "---").collect();
    writeln!(out, "{indent}|{}|", rule.join("|"))?;
    for row in &t.rows {
        writeln!(out, "{indent}| {} |", fitted(row, MAX_LINE - indent.len() - 4).join(" | "))?;
    }
    Ok(())
}

/// A row's cells escaped, the longest cut until the row fits in `room`.
fn fitted(row: &[String], room: usize) -> Vec<String> {
    let mut limits: Vec<usize> = row.iter().map(|_| MAX_LINE).collect();
    loop {
        let cells: Vec<String> = row.iter().zip(&limits).map(|(c, &n)| cell(c, n)).collect();
        let width: usize = cells.iter().map(|c| c.chars().count() + 3).sum();
        let Some((i, longest)) =
            cells.iter().map(|c| c.chars().count()).enumerate().max_by_key(|x| x.1)
        else {
            return cells;
        };
        if width <= room || longest <= 8 {
            return cells;
        }
        limits[i] = longest.saturating_sub(width - room).max(8);
    }
}

/// One line of at most `max` characters, Markdown and HTML specials escaped
/// (the escapes count towards `max`).
fn cell(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    let mut used = 0;
    for ch in tables::clip(text, max).chars() {
        let escaped = match ch {
            '|' | '\\' | '`' | '*' | '[' | ']' | '#' => format!("\\{ch}"),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '&' => "&amp;".to_string(),
            c => c.to_string(),
        };
        used += escaped.chars().count();
        if used + 1 > max {
            out.push('…');
            break;
        }
        out.push_str(&escaped);
    }
    out
}
