//! The Markdown renderer: pastes into a pull request or a chat. Every
//! log-derived string is escaped so it cannot break the table or inject markup.

use std::io::{self, Write};

use super::model::Report;
use super::tables::{self, Table};

/// Writes the Markdown report.
pub fn render(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# errlens report\n")?;
    for line in tables::warning_lines(&r.summary) {
        writeln!(out, "> **warning**: {}\n", cell(&line))?;
    }
    table(&tables::summary(r), out)?;
    for note in tables::capped_notes(r) {
        writeln!(out, "\n> **capped**: {}", cell(&note))?;
    }
    if let (Some(line), Some(t)) = (tables::previous_line(r), tables::changes(r)) {
        writeln!(out, "\n## Compared with the previous period\n\n{}\n", cell(&line))?;
        table(&t, out)?;
    }
    if !r.findings.is_empty() {
        writeln!(out, "\n## Findings\n")?;
        for f in &r.findings {
            writeln!(out, "- **{}**: {}", f.kind.replace('_', " "), cell(&f.sentence))?;
        }
        if r.findings_omitted > 0 {
            let n = tables::thousands(r.findings_omitted);
            writeln!(out, "- ... and {n} more findings (`--full` lists them)")?;
        }
    }
    if r.causes.is_empty() {
        writeln!(out, "\n{}", tables::no_failures(&r.summary))?;
    } else {
        writeln!(out, "\n## Root causes\n")?;
        table(&tables::causes(r), out)?;
        for (i, c) in r.causes.iter().enumerate() {
            writeln!(out, "\n### {}. `{}`: {}\n", i + 1, c.category, cell(&c.title))?;
            for (label, value) in tables::cause_facts(c) {
                writeln!(out, "- **{label}**: {}", cell(&value))?;
            }
            writeln!(out, "\n**Fix** (owner: {}, retry: {})\n", c.owner, c.retry)?;
            for (n, step) in c.fix.iter().enumerate() {
                writeln!(out, "{}. {}", n + 1, cell(step))?;
            }
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

fn table(t: &Table, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "| {} |", t.header.join(" | "))?;
    writeln!(out, "|{}|", t.header.iter().map(|_| "---").collect::<Vec<_>>().join("|"))?;
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

/// One line, with Markdown and HTML specials escaped.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in tables::clip(text, 400).chars() {
        match ch {
            '|' | '\\' | '`' | '*' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}
