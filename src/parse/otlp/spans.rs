//! The traces signal: `resourceSpans` / `scopeSpans` (or the pre-2021
//! `instrumentationLibrarySpans`) / `spans`. Each span is one item of its
//! line, in order:
//!
//! - a span that is an LLM call ([`vocab::is_llm_call`]) is a request record;
//! - an HTTP client span (an HTTP status, not a server span) whose parent is
//!   an LLM span of the same line and trace lends that parent its status
//!   when the parent logged none, and its error text when the parent failed
//!   without one, and is then `not_llm`, never a second record. With SDK
//!   retries (several HTTP children) the last one started lends, and the
//!   record notes the retries (`attempt`). A child whose parent is in
//!   another line (exporters batch spans as they end) cannot be joined: it
//!   is `not_llm`, and the parent keeps what it logged itself;
//! - an LLM span with an LLM span under it in the same line (a framework's
//!   span around the client's: LangChain's `ChatOpenAI` around the OpenAI
//!   instrumentation's `ChatCompletion`) is a wrapper of the calls below it,
//!   which are the request attempts: it is `not_llm`, so that one call is
//!   one record (across lines the two cannot be joined and both count);
//! - every other span is `not_llm`: the application's own server spans
//!   (kind SERVER without LLM attributes, so a 500 the app answered never
//!   becomes a provider's failure), database and messaging spans, chains,
//!   agents, tools, retrievers, guardrails, and HTTP spans not under an LLM
//!   span.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::value::{Attrs, as_text, attributes, field, list, nanos, text};
use super::vocab;
use super::{Item, flag};

/// What a span is, once read.
enum Role {
    /// An LLM call: its canonical record.
    Call(Map<String, Value>),
    /// An HTTP client span, with what it can lend its parent.
    Http(Lent),
    /// Anything else.
    Other,
}

/// What an HTTP child span tells of its request.
struct Lent {
    status: Option<Value>,
    text: Option<Value>,
    failed: bool,
}

/// A span with its place in the trace.
struct Read<'v> {
    trace: Option<&'v str>,
    id: Option<&'v str>,
    parent: Option<&'v str>,
    start: Option<f64>,
    role: Role,
}

/// The items of the spans of one OTLP/JSON line, appended to `out`.
pub fn items(value: &Value, out: &mut Vec<Item>) {
    let mut spans = Vec::new();
    for rs in list(value, "resourceSpans", "resource_spans") {
        let resource = attributes(rs.get("resource").and_then(|r| r.get("attributes")));
        let scopes = field(rs, "scopeSpans", "scope_spans")
            .or_else(|| field(rs, "instrumentationLibrarySpans", "instrumentation_library_spans"));
        for scope in scopes.and_then(Value::as_array).into_iter().flatten() {
            spans.extend(list(scope, "spans", "spans").iter().map(|s| read(s, &resource)));
        }
    }
    let calls = calls(&spans);
    lend(&mut spans, &calls);
    unwrap(&mut spans, &calls);
    out.extend(spans.into_iter().map(|s| match s.role {
        Role::Call(record) => Item::Record(record),
        Role::Http(_) | Role::Other => Item::NotLlm,
    }));
}

/// Reads one span.
fn read<'v>(span: &'v Value, resource: &Map<String, Value>) -> Read<'v> {
    let attrs = Attrs { own: attributes(span.get("attributes")), resource };
    let start = nanos(span, "startTimeUnixNano", "start_time_unix_nano");
    let server = kind(span) == Some(2);
    let role = if vocab::is_llm_call(&attrs) {
        Role::Call(record(span, &attrs, start))
    } else if !server && attrs.has_any(&vocab::HTTP_STATUS) {
        Role::Http(Lent {
            status: vocab::status(&attrs),
            text: error_text(span, &attrs),
            failed: status_error(span),
        })
    } else {
        Role::Other
    };
    Read {
        trace: text(span, "traceId", "trace_id"),
        id: text(span, "spanId", "span_id"),
        parent: text(span, "parentSpanId", "parent_span_id"),
        start,
        role,
    }
}

/// The canonical record of an LLM span.
fn record(span: &Value, attrs: &Attrs<'_>, start: Option<f64>) -> Map<String, Value> {
    let mut out = Map::new();
    let end = nanos(span, "endTimeUnixNano", "end_time_unix_nano");
    if let Some(start) = start {
        out.insert("ts".into(), Value::from(start));
    }
    // An end before the start stays negative: the parser drops it with a reason.
    if let Some((s, e)) = start.zip(end) {
        out.insert("latency_ms".into(), Value::from((e - s) / 1e6));
    }
    vocab::fill(&mut out, attrs);
    if !out.contains_key("endpoint") {
        if let Some(name) = text(span, "name", "name") {
            out.insert("endpoint".into(), Value::from(name));
        }
    }
    if !out.contains_key("request_id") {
        if let Some(id) = text(span, "spanId", "span_id") {
            out.insert("request_id".into(), Value::from(id));
        }
    }
    if status_error(span) || vocab::says_failed(attrs) {
        out.insert("error".into(), error_text(span, attrs).unwrap_or_else(flag));
    }
    out
}

/// The span kind as a number: `3` or `"SPAN_KIND_CLIENT"` / `"CLIENT"`.
fn kind(span: &Value) -> Option<u64> {
    let v = span.get("kind")?;
    v.as_u64().or_else(|| {
        let name = v.as_str()?.to_ascii_uppercase();
        let name = name.strip_prefix("SPAN_KIND_").unwrap_or(&name);
        ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"]
            .iter()
            .position(|k| *k == name)
            .map(|i| i as u64)
    })
}

/// Whether the span's status is ERROR: code `2`, or `"STATUS_CODE_ERROR"` /
/// `"ERROR"` (MLflow, Phoenix).
fn status_error(span: &Value) -> bool {
    let Some(code) = span.get("status").and_then(|s| field(s, "code", "status_code")) else {
        return false;
    };
    code.as_u64() == Some(2)
        || code.as_str().is_some_and(|c| {
            let c = c.to_ascii_uppercase();
            c == "ERROR" || c == "STATUS_CODE_ERROR" || c == "2"
        })
}

/// A span's error text: the status message, else the message of an
/// `exception` event, else its error attributes.
fn error_text(span: &Value, attrs: &Attrs<'_>) -> Option<Value> {
    let message = span.get("status").and_then(|s| field(s, "message", "description"));
    message
        .and_then(as_text)
        .map(Value::from)
        .or_else(|| exception(span))
        .or_else(|| vocab::error_text(attrs))
}

/// The message of the span's first `exception` event.
fn exception(span: &Value) -> Option<Value> {
    list(span, "events", "events").iter().find_map(|e| {
        (e.get("name").and_then(Value::as_str) == Some("exception"))
            .then(|| attributes(e.get("attributes")).get("exception.message").and_then(as_text))
            .flatten()
            .map(Value::from)
    })
}

/// The LLM spans of a line by (trace id, span id): their index.
type Calls<'v> = HashMap<(Option<&'v str>, &'v str), usize>;

fn calls<'v>(spans: &[Read<'v>]) -> Calls<'v> {
    spans
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.role, Role::Call(_)))
        .filter_map(|(i, s)| Some(((s.trace, s.id?), i)))
        .collect()
}

/// The LLM span of the line that `span` is a child of.
fn parent_call(span: &Read<'_>, calls: &Calls<'_>) -> Option<usize> {
    span.parent.and_then(|p| calls.get(&(span.trace, p))).copied()
}

/// Hands each LLM span what its HTTP children of the same line say.
fn lend(spans: &mut [Read<'_>], calls: &Calls<'_>) {
    // Per parent: its last child (by start, then line order) and how many.
    let mut children: HashMap<usize, (usize, u64)> = HashMap::new();
    for (i, s) in spans.iter().enumerate() {
        let Role::Http(_) = s.role else { continue };
        let Some(parent) = parent_call(s, calls) else { continue };
        let entry = children.entry(parent).or_insert((i, 0));
        if spans[entry.0].start <= s.start {
            entry.0 = i;
        }
        entry.1 += 1;
    }
    let mut pairs: Vec<_> = children.into_iter().collect();
    pairs.sort_unstable();
    for (parent, (child, count)) in pairs {
        let Role::Http(lent) = std::mem::replace(&mut spans[child].role, Role::Other) else {
            continue;
        };
        if let Role::Call(record) = &mut spans[parent].role {
            take(record, lent, count);
        }
    }
}

/// Makes each LLM span with an LLM child in the line `not_llm`: it wraps
/// the calls under it.
fn unwrap(spans: &mut [Read<'_>], calls: &Calls<'_>) {
    let wrappers: Vec<usize> = spans
        .iter()
        .filter(|s| matches!(s.role, Role::Call(_)))
        .filter_map(|s| parent_call(s, calls))
        .collect();
    for i in wrappers {
        spans[i].role = Role::Other;
    }
}

/// A parent record takes its last HTTP child's status when it has none, and
/// its error text when it failed (or the child did) without one.
fn take(record: &mut Map<String, Value>, lent: Lent, children: u64) {
    if let Some(status) = lent.status {
        record.entry("status").or_insert(status);
    }
    let failed = lent.failed
        || record.get("status").and_then(super::value::http_status).is_some_and(|s| s >= 400);
    let textless = record.get("error").is_none_or(|e| *e == flag());
    if let Some(text) = lent.text.filter(|_| failed && textless) {
        record.insert("error".into(), text);
    }
    if children > 1 {
        record.entry("attempt").or_insert(Value::from(children - 1));
    }
}
