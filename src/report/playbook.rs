//! The `explain` renderer: one error's root cause with its playbook (what
//! happened, the fix, a diagnostic command, code, what common clients do by
//! default) and the evidence found in it, as text, Markdown or JSON.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::classify::Verdict;
use crate::cli::DocFormat;
use crate::taxonomy::Cause;

/// One error, explained.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explanation<'a> {
    /// The taxonomy id.
    pub category: &'a str,
    /// One-line title.
    pub title: &'a str,
    /// Whose problem it is.
    pub owner: &'a str,
    /// What retrying can do.
    pub retry: &'a str,
    /// The HTTP status, given or inferred.
    pub status: Option<u16>,
    /// Whether the status was inferred from the text.
    pub status_inferred: bool,
    /// The unwrapped message, redacted.
    pub message: String,
    /// Evidence found in the error, redacted.
    pub evidence: BTreeMap<String, String>,
    /// The message signature, when no rule matched.
    pub signature: Option<String>,
    /// The rule that decided.
    pub rule: Option<String>,
    /// The root cause in plain words.
    pub explanation: &'a str,
    /// The fix, as steps.
    pub fix: &'a [String],
    /// A diagnostic command.
    pub diagnose: Option<&'a str>,
    /// Python code.
    pub python: Option<&'a str>,
    /// TypeScript code.
    pub typescript: Option<&'a str>,
    /// What common clients do with this error by default.
    pub clients: &'a BTreeMap<String, String>,
}

impl<'a> Explanation<'a> {
    /// The explanation of `verdict`, whose cause is `cause`.
    pub fn new(cause: &'a Cause, verdict: &Verdict) -> Explanation<'a> {
        Explanation {
            category: &cause.id,
            title: &cause.title,
            owner: cause.owner.as_str(),
            retry: cause.retry.as_str(),
            status: verdict.info.status,
            status_inferred: verdict.info.status_inferred,
            message: verdict.info.message.clone(),
            evidence: verdict.evidence.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            signature: verdict.signature.clone(),
            rule: verdict.rule.clone(),
            explanation: &cause.explanation,
            fix: &cause.fix,
            diagnose: cause.diagnose.as_deref(),
            python: cause.python.as_deref(),
            typescript: cause.typescript.as_deref(),
            clients: &cause.clients,
        }
    }
}

/// Writes the explanation in `format`.
pub fn render(e: &Explanation<'_>, format: DocFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        DocFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, e)?;
            writeln!(out)
        }
        DocFormat::Text => text(e, out),
        DocFormat::Markdown => markdown(e, out),
    }
}

fn status_line(e: &Explanation<'_>) -> String {
    let status = match (e.status, e.status_inferred) {
        (Some(s), true) => format!("HTTP {s} (read from the error text)"),
        (Some(s), false) => format!("HTTP {s}"),
        (None, _) => "no HTTP status".to_string(),
    };
    format!("owner: {} · retry: {} · {status}", e.owner, e.retry)
}

fn text(e: &Explanation<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} — {}", e.category, e.title)?;
    writeln!(out, "{}", status_line(e))?;
    writeln!(out, "message: {}", e.message)?;
    if let Some(sig) = &e.signature {
        writeln!(out, "signature: {sig}")?;
    }
    for (k, v) in &e.evidence {
        writeln!(out, "  {k}: {v}")?;
    }
    writeln!(out, "\nWHAT HAPPENED\n  {}", e.explanation)?;
    writeln!(out, "\nFIX")?;
    for (i, step) in e.fix.iter().enumerate() {
        writeln!(out, "  {}. {step}", i + 1)?;
    }
    if let Some(cmd) = e.diagnose {
        writeln!(out, "\nDIAGNOSE\n{}", indent(cmd))?;
    }
    if !e.clients.is_empty() {
        writeln!(out, "\nWHAT YOUR CLIENT DOES BY DEFAULT")?;
        for (client, behaviour) in e.clients {
            writeln!(out, "  {client}: {behaviour}")?;
        }
    }
    for (label, code) in [("PYTHON", e.python), ("TYPESCRIPT", e.typescript)] {
        if let Some(code) = code {
            writeln!(out, "\n{label}\n{}", indent(code))?;
        }
    }
    Ok(())
}

fn markdown(e: &Explanation<'_>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "## `{}`: {}\n\n{}\n\n> {}\n",
        e.category,
        e.title,
        status_line(e),
        e.message.replace('\n', " ")
    )?;
    if !e.evidence.is_empty() {
        writeln!(out, "| evidence | value |\n|---|---|")?;
        for (k, v) in &e.evidence {
            writeln!(out, "| {k} | {} |", v.replace('|', "\\|"))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "### What happened\n\n{}\n\n### Fix\n", e.explanation)?;
    for (i, step) in e.fix.iter().enumerate() {
        writeln!(out, "{}. {step}", i + 1)?;
    }
    if let Some(cmd) = e.diagnose {
        writeln!(out, "\n### Diagnose\n\n```sh\n{}\n```", cmd.trim_end())?;
    }
    if !e.clients.is_empty() {
        writeln!(out, "\n### What your client does by default\n")?;
        for (client, behaviour) in e.clients {
            writeln!(out, "- **{client}**: {behaviour}")?;
        }
    }
    for (label, lang, code) in
        [("Python", "python", e.python), ("TypeScript", "typescript", e.typescript)]
    {
        if let Some(code) = code {
            writeln!(out, "\n### {label}\n\n```{lang}\n{}\n```", code.trim_end())?;
        }
    }
    Ok(())
}

fn indent(text: &str) -> String {
    text.trim_end().lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}
