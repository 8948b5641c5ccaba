//! The `taxonomy --format sql` renderer: the rules in force (the embedded
//! ones and any `--rules` files), in the order errlens tries them, as one SQL
//! `CASE` expression for engines errlens cannot run inside (DuckDB, Spark,
//! Trino). It reads the columns `status, type, code, param, message,
//! provider, model` of a failed request and gives its root cause's taxonomy
//! id, `'@model'` or `'unclassified'`. Each rule's regex is restated in the
//! engine's dialect by [`pattern`]; a rule the columns or the dialect cannot
//! express is left out with a comment where it would stand, never written
//! approximately.
//!
//! What the SQL cannot do, and errlens does ([`LIMITS`], also in the header
//! it writes): unwrap error text (Python reprs, exception strings, HTML
//! pages, JSON nested in strings, gateway wrappers, relay suffixes), infer a
//! missing status from the text, read Azure's inner error code, the text
//! around a body or the endpoint, judge a missing model with the model
//! catalog, and extract evidence.

mod pattern;
#[cfg(test)]
mod tests;

use std::io::{self, Write};

use crate::classify::models::FINE_TUNE_PATTERN;
use crate::classify::rules::{Conditions, Rule, RuleSet, StatusPat, Target};
use crate::report::boundary;
use crate::taxonomy::Taxonomy;
use pattern::Translated;

/// The SQL engines whose dialect `--format sql` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// DuckDB: `regexp_matches` (RE2).
    #[value(name = "duckdb")]
    DuckDb,
    /// Spark SQL: `RLIKE` (java.util.regex); string literals with backslash
    /// escapes (the default, spark.sql.parser.escapedStringLiterals=false).
    Spark,
    /// Trino: `regexp_like` (Joni, Java syntax).
    Trino,
}

impl Dialect {
    /// The engine's name, for the header.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "DuckDB",
            Dialect::Spark => "Spark SQL",
            Dialect::Trino => "Trino",
        }
    }
}

/// The value for a failure no rule matched.
pub const UNCLASSIFIED: &str = "unclassified";

/// The value for a model not found that errlens's model catalog would
/// judge: a typo, a retired model or a model the key cannot use.
pub const MODEL_CATALOG: &str = "@model";

/// The columns the expression reads, with what each must hold.
pub const COLUMNS: [(&str, &str); 7] = [
    (
        "status",
        "integer: the HTTP status, NULL when no response came (errlens takes a \
         numeric `code` of 400-599 as the status of a record without one)",
    ),
    ("type", "text: the error body's `type`"),
    ("code", "text: the error body's `code` (a number as its digits)"),
    ("param", "text: the error body's `param`"),
    (
        "message",
        "text: the error body's `message`, its white space folded as errlens folds it (each \
         run one space, none at the ends)",
    ),
    ("provider", "text: the provider (openai, azure, ...)"),
    ("model", "text: the model the request asked for"),
];

/// What the SQL cannot do, and errlens does.
pub const LIMITS: [&str; 9] = [
    "No unwrapping: a message inside a Python repr or an SDK exception string, an HTML error \
     page, JSON nested in a string, a gateway's wrapper or a relay's `(request id: ...)` suffix \
     is matched as the raw text. Fill the columns from a plain body ({\"error\": {...}} or its \
     inner object), or run errlens on such records.",
    "No status from the text: errlens reads a missing status from `Error code: 429`, `HTTP 503` \
     or an exception class name.",
    "No inner code: Azure's `innererror.code` is not a column; codes are compared with `code` \
     and `type` only.",
    "No context or endpoint: rules that read the text around a body (exception classes, gateway \
     prefixes) or the record's endpoint (the Azure status-only 404 rules) are left out, marked \
     where they would stand; a failure one of them matches may get a later rule's cause here.",
    "No model catalog: '@model' stands for a model not found that errlens judges a typo \
     (model.typo), a retired model (model.retired) or one the key cannot use \
     (model.no_access); fine-tunes and failures naming no model are decided here.",
    "Status-only rules need an empty message, type and code here; errlens also applies them \
     when the message only says a request failed (`Request failed with status code 429`) or \
     holds no English word.",
    "No evidence: limits, usage, retry-after, token counts, the model named, notes and the \
     signatures of unclassified messages are errlens's alone.",
    "Case: errlens folds ASCII letters only; lower() here (and (?i) in DuckDB and Trino) folds \
     other letters too (an accented capital matches its small letter, the Kelvin sign k).",
    "Failures only: apply it where the request failed (status >= 400 or 0, or an error logged).",
];

/// Writes the rules as a `CASE` expression in `dialect`, with a header
/// saying what it reads and cannot do.
pub fn render(
    rules: &RuleSet,
    taxonomy: &Taxonomy,
    dialect: Dialect,
    out: &mut dyn Write,
) -> io::Result<()> {
    let branches: Vec<(&Rule, Result<String, String>)> =
        rules.rules().iter().map(|r| (r, branch(r, taxonomy, dialect))).collect();
    let left_out = branches.iter().filter(|(_, b)| b.is_err()).count();
    header(dialect, branches.len(), left_out, out)?;
    writeln!(out, "CASE")?;
    for (rule, branch) in &branches {
        match branch {
            Ok(when) => write!(out, "  -- {}\n{when}", comment(rule))?,
            Err(why) => writeln!(out, "  -- left out: {}: {}", comment(rule), one_line(why))?,
        }
    }
    writeln!(out, "  ELSE {}\nEND", literal(UNCLASSIFIED, dialect))
}

/// Width the header's paragraphs are wrapped to.
const WIDTH: usize = 92;

fn header(dialect: Dialect, rules: usize, left_out: usize, out: &mut dyn Write) -> io::Result<()> {
    let intro = format!(
        "errlens {}: the classification rules as one SQL CASE expression, {} dialect. Its \
         value: a root-cause id of `errlens taxonomy`, '{MODEL_CATALOG}' or '{UNCLASSIFIED}'. \
         Rules are tried as errlens tries them: highest priority first, then in the order the \
         rules files define them. {rules} rules, {left_out} of them left out (marked where \
         they would stand).",
        env!("CARGO_PKG_VERSION"),
        dialect.name()
    );
    paragraph(out, "-- ", "-- ", &intro)?;
    writeln!(out, "--\n-- Columns it reads (alias yours to these names):")?;
    for (name, meaning) in COLUMNS {
        paragraph(out, &format!("--   {name:<10}"), &format!("--   {:<10}", ""), meaning)?;
    }
    writeln!(out, "--\n-- What it cannot do, and errlens does:")?;
    for limit in LIMITS {
        paragraph(out, "--   - ", "--     ", limit)?;
    }
    writeln!(out, "--")
}

/// `text` wrapped at word boundaries to [`WIDTH`], its first line after
/// `first`, the others after `next`.
fn paragraph(out: &mut dyn Write, first: &str, next: &str, text: &str) -> io::Result<()> {
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            writeln!(out, "{line}")?;
            line = next.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    writeln!(out, "{line}")
}

/// The rule's name and priority, for a comment line.
fn comment(rule: &Rule) -> String {
    one_line(&format!("{} (priority {})", rule.name, rule.priority()))
}

/// Text for a line comment: control characters (a line break would end the
/// comment and let the rest run as SQL) become spaces.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// `  WHEN ... THEN ...` for one rule, or why it cannot be written.
fn branch(rule: &Rule, taxonomy: &Taxonomy, dialect: Dialect) -> Result<String, String> {
    let when = rule.conditions();
    if when.context.is_some() {
        return Err("it reads the text around the error body, which no column holds".to_string());
    }
    if when.endpoint.is_some() {
        return Err("it reads the record's endpoint, which no column holds".to_string());
    }
    let message = when.message.as_deref().map(|p| translate(p, dialect)).transpose()?;
    let mut terms = field_terms(when, dialect);
    if let Some(m) = &message {
        terms.push(matches(MESSAGE, &m.pattern, dialect));
    }
    let condition = if terms.is_empty() { "TRUE".to_string() } else { terms.join(" AND ") };
    let value = match rule.target {
        Target::Cause(id) => literal(&taxonomy.cause(id).id, dialect),
        Target::Model => model_value(message.as_ref(), dialect)?,
    };
    let text = format!("  WHEN {condition} THEN {value}\n");
    if boundary::clean(&text, false) != text {
        return Err(
            "it holds text errlens's output rewrites (a secret or a control character)".to_string()
        );
    }
    Ok(text)
}

fn translate(pattern: &str, dialect: Dialect) -> Result<Translated, String> {
    pattern::translate(pattern, dialect).map_err(|why| {
        format!("its message pattern holds {why}, which {} cannot express", dialect.name())
    })
}

/// The message column, as errlens reads it (absent: empty).
const MESSAGE: &str = "COALESCE(message, '')";

/// The conditions on status and the body's fields, one term each.
fn field_terms(when: &Conditions, dialect: Dialect) -> Vec<String> {
    let mut terms = Vec::new();
    if !when.status.is_empty() {
        terms.push(status_term(&when.status));
    }
    if when.status_only {
        terms.push(format!(
            "(trim({MESSAGE}) = '' AND COALESCE(type, '') = '' AND COALESCE(code, '') = '')"
        ));
    }
    if !when.types.is_empty() {
        terms.push(any_of("type", &when.types, dialect));
    }
    if !when.codes.is_empty() {
        let (code, etype) =
            (any_of("code", &when.codes, dialect), any_of("type", &when.codes, dialect));
        terms.push(format!("({code} OR {etype})"));
    }
    for (column, values) in [("param", &when.params), ("provider", &when.providers)] {
        if !values.is_empty() {
            terms.push(any_of(column, values, dialect));
        }
    }
    terms
}

fn status_term(statuses: &[StatusPat]) -> String {
    let exact: Vec<String> = statuses
        .iter()
        .filter_map(|s| match s {
            StatusPat::Exact(n) => Some(n.to_string()),
            _ => None,
        })
        .collect();
    let mut parts = match exact.len() {
        0 => Vec::new(),
        1 => vec![format!("status = {}", exact[0])],
        _ => vec![format!("status IN ({})", exact.join(", "))],
    };
    for s in statuses {
        match s {
            StatusPat::Class(d) => parts.push(format!("status BETWEEN {d}00 AND {d}99")),
            StatusPat::Missing => parts.push("status IS NULL".to_string()),
            StatusPat::Exact(_) => {}
        }
    }
    any(parts)
}

/// `column` equals one of `values`, case-insensitively; a value ending in
/// `*` is a prefix.
fn any_of(column: &str, values: &[String], dialect: Dialect) -> String {
    let lower = format!("lower({column})");
    let exact: Vec<String> = values
        .iter()
        .filter(|v| !v.ends_with('*'))
        .map(|v| literal(&v.to_lowercase(), dialect))
        .collect();
    let mut parts = match exact.len() {
        0 => Vec::new(),
        1 => vec![format!("{lower} = {}", exact[0])],
        _ => vec![format!("{lower} IN ({})", exact.join(", "))],
    };
    for prefix in values.iter().filter_map(|v| v.strip_suffix('*')) {
        let prefix = prefix.to_lowercase();
        let n = prefix.chars().count();
        parts.push(format!("substr({lower}, 1, {n}) = {}", literal(&prefix, dialect)));
    }
    any(parts)
}

/// Terms joined by OR, in parentheses when there are several.
fn any(parts: Vec<String>) -> String {
    match parts.len() {
        1 => parts.into_iter().collect(),
        _ => format!("({})", parts.join(" OR ")),
    }
}

/// The value of a rule that lets the model catalog decide: the model the
/// message names (the rule's `model` group), else the record's; none at all
/// is `model.no_access`, a fine-tune id is `model.fine_tune_unavailable`, as
/// errlens decides them; the rest is the catalog's, which SQL does not have.
/// A simple `CASE` on the match reads the name once: no name, no match
/// (`NULL`), and the `ELSE` takes it.
fn model_value(message: Option<&Translated>, dialect: Dialect) -> Result<String, String> {
    let record = "NULLIF(model, '')";
    let named = message.and_then(|m| {
        let (_, group) = m.named.iter().find(|(name, _)| name == "model")?;
        let pattern = literal(&m.pattern, dialect);
        Some(format!("NULLIF(regexp_extract({MESSAGE}, {pattern}, {group}), '')"))
    });
    let name = match named {
        Some(named) => format!("COALESCE({named}, {record})"),
        None => record.to_string(),
    };
    let fine_tune = pattern::translate(FINE_TUNE_PATTERN, dialect)?;
    Ok(format!(
        "CASE ({}) WHEN TRUE THEN {} WHEN FALSE THEN {} ELSE {} END",
        matches(&name, &fine_tune.pattern, dialect),
        literal("model.fine_tune_unavailable", dialect),
        literal(MODEL_CATALOG, dialect),
        literal("model.no_access", dialect),
    ))
}

/// `text` matches `pattern` somewhere, in the dialect's words.
fn matches(text: &str, pattern: &str, dialect: Dialect) -> String {
    let pattern = literal(pattern, dialect);
    match dialect {
        Dialect::DuckDb => format!("regexp_matches({text}, {pattern})"),
        Dialect::Spark => format!("{text} RLIKE {pattern}"),
        Dialect::Trino => format!("regexp_like({text}, {pattern})"),
    }
}

/// A string literal: quotes doubled; in Spark, whose literals read
/// backslash escapes, backslashes doubled and quotes escaped.
fn literal(text: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Spark => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        Dialect::DuckDb | Dialect::Trino => format!("'{}'", text.replace('\'', "''")),
    }
}
