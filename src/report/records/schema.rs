//! The columns of `classify --format csv|parquet`, defined once as data: each
//! column's name, type, nullability, meaning and where its value comes from.
//! The CSV header and cells, the Parquet schema and column chunks, and the
//! README's schema table are all read off [`COLUMNS`], so they cannot drift.
//!
//! The common evidence values are typed columns (numbers parsed, `status_only`
//! a boolean); every other evidence value, and any of those that did not parse
//! as its type, stays in the `evidence` column: a JSON object of strings, so
//! no value is ever lost. The schema is versioned as [`SCHEMA_ID`]: later
//! versions add columns at the end and never rename, retype or drop one.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::Classified;
use crate::redact::Redacted;

/// The name of the schema.
pub const SCHEMA_NAME: &str = "errlens.records";

/// Its version (JSONL rows carry it as `schema_version`).
pub const SCHEMA_VERSION: u32 = 1;

/// Name and version as one value: the Parquet footer's `errlens.schema`.
pub const SCHEMA_ID: &str = "errlens.records/1";

/// The Parquet key-value metadata key that holds [`SCHEMA_ID`].
pub const SCHEMA_KEY: &str = "errlens.schema";

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// UTF-8 text.
    Text,
    /// A JSON document, as UTF-8 text.
    Json,
    /// A 64-bit integer.
    Int64,
    /// A 32-bit integer.
    Int32,
    /// A 64-bit float.
    Double,
    /// A boolean.
    Bool,
    /// Microseconds since the Unix epoch, UTC.
    Timestamp,
}

impl Kind {
    /// The Parquet type, as the README's table names it.
    pub fn parquet(self) -> &'static str {
        match self {
            Kind::Text => "BYTE_ARRAY (STRING)",
            Kind::Json => "BYTE_ARRAY (JSON)",
            Kind::Int64 => "INT64",
            Kind::Int32 => "INT32",
            Kind::Double => "DOUBLE",
            Kind::Bool => "BOOLEAN",
            Kind::Timestamp => "INT64 (TIMESTAMP, MICROS, UTC)",
        }
    }

    /// The type DuckDB reads the Parquet column as.
    pub fn duckdb(self) -> &'static str {
        match self {
            Kind::Text => "VARCHAR",
            Kind::Json => "JSON",
            Kind::Int64 => "BIGINT",
            Kind::Int32 => "INTEGER",
            Kind::Double => "DOUBLE",
            Kind::Bool => "BOOLEAN",
            Kind::Timestamp => "TIMESTAMP WITH TIME ZONE",
        }
    }
}

/// One record as the writers see it: the classified row and its file's name.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The input file, redacted.
    pub file: &'a Redacted,
    /// The row.
    pub record: &'a Classified,
}

/// One value of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// No value.
    Null,
    /// Text (redacted), or a JSON document.
    Text(Cow<'a, str>),
    /// An integer.
    Int(i64),
    /// A float (always finite).
    Double(f64),
    /// A boolean.
    Bool(bool),
    /// Microseconds since the Unix epoch, UTC.
    Micros(i64),
}

impl<'a> Cell<'a> {
    fn text(value: &'a Redacted) -> Cell<'a> {
        Cell::Text(Cow::Borrowed(value.as_str()))
    }

    fn opt_text(value: Option<&'a Redacted>) -> Cell<'a> {
        value.map_or(Cell::Null, Cell::text)
    }

    fn word(value: Option<&'static str>) -> Cell<'a> {
        value.map_or(Cell::Null, |w| Cell::Text(Cow::Borrowed(w)))
    }
}

/// How a column's value is found in a row.
#[derive(Clone, Copy)]
enum Source {
    /// A field of the row.
    Field(for<'a> fn(&Row<'a>) -> Cell<'a>),
    /// The evidence value of the column's name, parsed as its kind.
    Evidence,
    /// The evidence no typed column holds, as a JSON object.
    Rest,
}

/// One column: name, type, nullability, meaning, source.
#[derive(Clone, Copy)]
pub struct Column {
    /// The column's name.
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Whether it can be null.
    pub nullable: bool,
    /// What it holds (the README's table).
    pub doc: &'static str,
    source: Source,
}

impl std::fmt::Debug for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Column").field("name", &self.name).field("kind", &self.kind).finish()
    }
}

impl Column {
    /// This column's value in `row`.
    pub fn cell<'a>(&self, row: &Row<'a>) -> Cell<'a> {
        match self.source {
            Source::Field(get) => get(row),
            Source::Evidence => row
                .record
                .evidence
                .get(self.name)
                .and_then(|v| typed(self.kind, v.as_str()))
                .unwrap_or(Cell::Null),
            Source::Rest => Cell::Text(Cow::Owned(rest(&row.record.evidence))),
        }
    }
}

const fn field(
    name: &'static str,
    kind: Kind,
    nullable: bool,
    doc: &'static str,
    get: for<'a> fn(&Row<'a>) -> Cell<'a>,
) -> Column {
    Column { name, kind, nullable, doc, source: Source::Field(get) }
}

const fn evidence(name: &'static str, kind: Kind, doc: &'static str) -> Column {
    Column { name, kind, nullable: true, doc, source: Source::Evidence }
}

/// Every column, in order (a public interface: columns are only added at the end).
pub const COLUMNS: &[Column] = &[
    field("file", Kind::Text, false, "the input file, as named or found (`-`: stdin)", |r| {
        Cell::text(r.file)
    }),
    field("line", Kind::Int64, false, "the line in that file, from 1", |r| {
        Cell::Int(i64::try_from(r.record.line).unwrap_or(i64::MAX))
    }),
    field("ts", Kind::Timestamp, true, "when the request was made (UTC)", |r| {
        r.record.ts.and_then(|ms| ms.checked_mul(1000)).map_or(Cell::Null, Cell::Micros)
    }),
    field("request_id", Kind::Text, true, "the provider's or gateway's request id", |r| {
        Cell::opt_text(r.record.request_id.as_ref())
    }),
    field("key", Kind::Text, true, "the API key: raw keys fingerprinted, ids as logged", |r| {
        Cell::opt_text(r.record.key.as_ref())
    }),
    field("org", Kind::Text, true, "the organization", |r| Cell::opt_text(r.record.org.as_ref())),
    field("project", Kind::Text, true, "the project", |r| {
        Cell::opt_text(r.record.project.as_ref())
    }),
    field("user", Kind::Text, true, "the end user", |r| Cell::opt_text(r.record.user.as_ref())),
    field("provider", Kind::Text, true, "the provider (`openai`, `azure`, ...)", |r| {
        Cell::opt_text(r.record.provider.as_ref())
    }),
    field("endpoint", Kind::Text, true, "the endpoint: a path, a URL or an operation", |r| {
        Cell::opt_text(r.record.endpoint.as_ref())
    }),
    field("model", Kind::Text, true, "the model (or Azure deployment) asked for", |r| {
        Cell::opt_text(r.record.model.as_ref())
    }),
    field("status", Kind::Int32, true, "the HTTP status, logged or read from the error", |r| {
        r.record.status.map_or(Cell::Null, |s| Cell::Int(i64::from(s)))
    }),
    field(
        "status_inferred",
        Kind::Bool,
        false,
        "true when `status` was read from the error text",
        |r| Cell::Bool(r.record.status_inferred),
    ),
    field("category", Kind::Text, false, "the root-cause id; `success` (`--all`)", |r| {
        Cell::Text(Cow::Borrowed(r.record.category))
    }),
    field("group", Kind::Text, true, "the category's group: its id before the dot", |r| {
        Cell::word(r.record.group)
    }),
    field("owner", Kind::Text, true, "whose problem: `you`, `provider`, `network`", |r| {
        Cell::word(r.record.owner)
    }),
    field("retry", Kind::Text, true, "`no`, `backoff`, `wait` or `failover`", |r| {
        Cell::word(r.record.retry)
    }),
    field("message", Kind::Text, true, "the unwrapped error message, secrets redacted", |r| {
        Cell::opt_text(r.record.message.as_ref())
    }),
    field(
        "signature",
        Kind::Text,
        true,
        "unclassified: the message, numbers and ids masked",
        |r| Cell::opt_text(r.record.signature.as_ref()),
    ),
    evidence("limit", Kind::Int64, "the rate limit stated"),
    evidence("used", Kind::Int64, "the usage stated against it"),
    evidence("requested", Kind::Int64, "what the request asked for against it"),
    evidence("dimension", Kind::Text, "the limit's unit: `TPM`, `RPM`, `RPD`, `TPD`, `IPM`"),
    evidence("retry_after_s", Kind::Double, "seconds to wait: message, headers or record"),
    evidence("max_context", Kind::Int64, "the model's context window, tokens"),
    evidence("requested_tokens", Kind::Int64, "the tokens the request needed"),
    evidence("prompt_tokens", Kind::Int64, "of which the prompt"),
    evidence("completion_tokens", Kind::Int64, "of which the completion"),
    evidence("max_tokens", Kind::Int64, "the largest `max_tokens` the model takes"),
    evidence("max_output", Kind::Int64, "the model's output limit, tokens"),
    evidence("suggestion", Kind::Text, "the model id meant (a typo)"),
    evidence("replacement", Kind::Text, "the model to use instead (a retired model)"),
    evidence("shutdown_date", Kind::Text, "the retired model's shutdown date, `YYYY-MM-DD`"),
    evidence("param", Kind::Text, "the request parameter the error names"),
    evidence("api_version", Kind::Text, "the Azure `api-version`"),
    evidence("failing_host", Kind::Text, "the host that served an HTML error page"),
    evidence("key_hint", Kind::Text, "what a masked key in the message reveals"),
    evidence("status_only", Kind::Bool, "true when the cause came from the status alone"),
    Column {
        name: "evidence",
        kind: Kind::Json,
        nullable: false,
        doc: "every other evidence value, as a JSON object of strings",
        source: Source::Rest,
    },
];

/// A typed evidence value: `None` when it does not parse as `kind` (it then
/// stays in the `evidence` column).
fn typed(kind: Kind, value: &str) -> Option<Cell<'_>> {
    match kind {
        Kind::Text => Some(Cell::Text(Cow::Borrowed(value))),
        Kind::Int64 => value.parse::<i64>().ok().map(Cell::Int),
        Kind::Int32 => value.parse::<i32>().ok().map(|n| Cell::Int(i64::from(n))),
        Kind::Double => value.parse::<f64>().ok().filter(|f| f.is_finite()).map(Cell::Double),
        Kind::Bool => match value {
            "true" => Some(Cell::Bool(true)),
            "false" => Some(Cell::Bool(false)),
            _ => None,
        },
        Kind::Json | Kind::Timestamp => None,
    }
}

/// The evidence that no typed column took, as a JSON object.
pub fn rest(evidence: &BTreeMap<String, Redacted>) -> String {
    let left: BTreeMap<&str, &str> = evidence
        .iter()
        .filter(|(name, value)| {
            let column = COLUMNS
                .iter()
                .find(|c| matches!(c.source, Source::Evidence) && c.name == name.as_str());
            column.and_then(|c| typed(c.kind, value.as_str())).is_none()
        })
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    serde_json::to_string(&left).unwrap_or_else(|_| "{}".to_string())
}

/// The README's schema table, one row per column.
pub fn markdown_table() -> String {
    let mut out = String::from("| column | Parquet type | DuckDB type | null | meaning |\n");
    out.push_str("|---|---|---|---|---|\n");
    for c in COLUMNS {
        let null = if c.nullable { "yes" } else { "no" };
        out.push_str(&format!(
            "| `{}` | {} | {} | {null} | {} |\n",
            c.name,
            c.kind.parquet(),
            c.kind.duckdb(),
            c.doc
        ));
    }
    out
}
