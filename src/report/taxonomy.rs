//! The `taxonomy` renderer: every root cause with its title, owner, retry
//! advice and signals (text, Markdown), or the whole playbooks (JSON).

use std::io::{self, Write};

use crate::cli::DocFormat;
use crate::taxonomy::Taxonomy;

/// Writes the taxonomy in `format`.
pub fn render(taxonomy: &Taxonomy, format: DocFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        DocFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &taxonomy.causes)?;
            writeln!(out)
        }
        DocFormat::Markdown => markdown(taxonomy, out),
        DocFormat::Text => text(taxonomy, out),
    }
}

fn text(taxonomy: &Taxonomy, out: &mut dyn Write) -> io::Result<()> {
    let mut group = "";
    for c in &taxonomy.causes {
        if c.group() != group {
            group = c.group();
            writeln!(out, "\n{}", group.to_uppercase())?;
        }
        writeln!(
            out,
            "  {:<38} {:<9} {:<9} {}",
            c.id,
            c.owner.as_str(),
            c.retry.as_str(),
            c.title
        )?;
        if !c.signals.is_empty() {
            writeln!(out, "  {:<38} signals: {}", "", c.signals.join(" · "))?;
        }
    }
    Ok(())
}

fn markdown(taxonomy: &Taxonomy, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "| id | title | owner | retry | signals |\n|---|---|---|---|---|")?;
    for c in &taxonomy.causes {
        let signals = c.signals.join("; ").replace('|', "\\|");
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {signals} |",
            c.id,
            c.title,
            c.owner.as_str(),
            c.retry.as_str()
        )?;
    }
    Ok(())
}
