//! The logs signal: `resourceLogs` / `scopeLogs` (or the older
//! `instrumentationLibraryLogs`) / `logRecords`. Each log record is one item
//! of its line, in order:
//!
//! - the GenAI event `gen_ai.client.inference.operation.details` (event name
//!   in `eventName`, or the `event.name` attribute of older SDKs) describes a
//!   whole call: a request record, failed when it has `error.type`;
//! - an exception log record (`exception.type` / `exception.message`, of
//!   severity ERROR or above, or unset) from an LLM client is a failure
//!   record. From an LLM client means: LLM attributes on it, an exception
//!   type of an LLM SDK (`openai.RateLimitError`, or a class name only the
//!   OpenAI-style SDKs use), an SDK status error text (`Error code: 429 -
//!   ...`), or a logger (scope) of an LLM client library. When it belongs to
//!   the same span as an inference event of the line, it lends that event
//!   its message instead and is not a second record;
//! - everything else is `not_llm`: per-message content events
//!   (`gen_ai.user.message`, `gen_ai.choice`, LiteLLM's
//!   `gen_ai.content.prompt`), other events, the application's own logs and
//!   exceptions.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::Item;
use super::value::{Attrs, any_value, as_text, attributes, field, list, nanos, text};
use super::vocab;

/// The event that carries one whole inference call.
const INFERENCE: &str = "gen_ai.client.inference.operation.details";

/// Packages of LLM clients: exception types under them, and loggers named
/// after them, are the client's.
const CLIENTS: [&str; 9] = [
    "openai",
    "anthropic",
    "litellm",
    "mistralai",
    "cohere",
    "groq",
    "google.genai",
    "vertexai",
    "langchain_openai",
];

/// Exception class names that only OpenAI-style SDKs use (openai-python,
/// openai-node, anthropic, LiteLLM), recognised without their module.
const SDK_ERRORS: [&str; 9] = [
    "RateLimitError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "AuthenticationError",
    "PermissionDeniedError",
    "ContextWindowExceededError",
    "ContentPolicyViolationError",
    "BudgetExceededError",
];

/// What a log record is, once read.
enum Role {
    /// An inference event: its record, and whether its error (if any) is
    /// only a type or a flag, that an exception's message says better.
    Call(Map<String, Value>, bool),
    /// An exception of an LLM client: its failure record.
    Exception(Map<String, Value>),
    /// Anything else.
    Other,
}

/// The items of the log records of one OTLP/JSON line, appended to `out`.
pub fn items(value: &Value, out: &mut Vec<Item>) {
    let mut records = Vec::new();
    for rl in list(value, "resourceLogs", "resource_logs") {
        let resource = attributes(rl.get("resource").and_then(|r| r.get("attributes")));
        let scopes = field(rl, "scopeLogs", "scope_logs")
            .or_else(|| field(rl, "instrumentationLibraryLogs", "instrumentation_library_logs"));
        for scope in scopes.and_then(Value::as_array).into_iter().flatten() {
            let scope_name = scope
                .get("scope")
                .or_else(|| scope.get("instrumentationLibrary"))
                .and_then(|s| text(s, "name", "name"));
            let logs = list(scope, "logRecords", "log_records");
            records.extend(logs.iter().map(|r| read(r, &resource, scope_name)));
        }
    }
    join(&mut records);
    out.extend(records.into_iter().map(|(_, role)| match role {
        Role::Call(record, _) | Role::Exception(record) => Item::Record(record),
        Role::Other => Item::NotLlm,
    }));
}

/// Reads one log record: its span (trace and span id) and what it is.
fn read<'v>(
    log: &'v Value,
    resource: &Map<String, Value>,
    scope: Option<&str>,
) -> (Option<(&'v str, &'v str)>, Role) {
    let attrs = Attrs { own: attributes(log.get("attributes")), resource };
    let span = text(log, "traceId", "trace_id").zip(text(log, "spanId", "span_id"));
    let event = text(log, "eventName", "event_name")
        .map(str::to_string)
        .or_else(|| attrs.own_text("event.name"))
        .or_else(|| attrs.own_text("event_name"));
    let role = match event.as_deref() {
        Some(INFERENCE) => {
            let error = vocab::says_failed(&attrs)
                .then(|| vocab::error_text(&attrs).unwrap_or_else(super::flag));
            Role::Call(record(log, &attrs, error), !attrs.has_any(&["error.message"]))
        }
        Some(_) => Role::Other,
        None if is_client_exception(log, &attrs, scope) => {
            Role::Exception(record(log, &attrs, Some(exception_text(log, &attrs))))
        }
        None => Role::Other,
    };
    (span, role)
}

/// The canonical record of a log record, with `error` when it failed; its
/// request id is the response id, else the id of the span it was written in.
fn record(log: &Value, attrs: &Attrs<'_>, error: Option<Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let ts = nanos(log, "timeUnixNano", "time_unix_nano")
        .or_else(|| nanos(log, "observedTimeUnixNano", "observed_time_unix_nano"));
    if let Some(ts) = ts {
        out.insert("ts".into(), Value::from(ts));
    }
    vocab::fill(&mut out, attrs);
    // The span the record was written in identifies the call, as for spans.
    if let (false, Some(id)) = (out.contains_key("request_id"), text(log, "spanId", "span_id")) {
        out.insert("request_id".into(), Value::from(id));
    }
    if let Some(error) = error {
        out.insert("error".into(), error);
    }
    out
}

/// Whether a log record is an exception of an LLM client, of severity ERROR
/// or above (or unset).
fn is_client_exception(log: &Value, attrs: &Attrs<'_>, scope: Option<&str>) -> bool {
    if !attrs.has_any(&["exception.type", "exception.message"]) || !severe(log) {
        return false;
    }
    let etype = attrs.own_text("exception.type").unwrap_or_default();
    let (module, class) = etype.rsplit_once('.').unwrap_or(("", &etype));
    let message = attrs.own_text("exception.message").unwrap_or_default();
    vocab::is_llm_call(attrs)
        || client(module)
        || (module.is_empty() && SDK_ERRORS.contains(&class))
        || status_error_text(&message)
        || scope.is_some_and(client)
}

/// Whether a module or logger name is an LLM client library's.
fn client(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    CLIENTS.iter().any(|c| name == *c || name.starts_with(&format!("{c}.")))
}

/// `Error code: 429 - ...`: how the OpenAI and Anthropic Python SDKs word a
/// status error.
fn status_error_text(message: &str) -> bool {
    message
        .trim_start()
        .strip_prefix("Error code: ")
        .is_some_and(|rest| rest.len() >= 3 && rest.as_bytes()[..3].iter().all(u8::is_ascii_digit))
}

/// Severity ERROR or above (number 17 to 24, or its text), or none given.
fn severe(log: &Value) -> bool {
    let number = field(log, "severityNumber", "severity_number").and_then(|n| {
        n.as_u64().or_else(|| {
            let name = n.as_str()?.to_ascii_uppercase();
            Some(if name.contains("ERROR") || name.contains("FATAL") { 17 } else { 1 })
        })
    });
    let text = text(log, "severityText", "severity_text").map(str::to_ascii_uppercase);
    match (number.filter(|n| *n > 0), text) {
        (Some(n), _) => n >= 17,
        (None, Some(t)) => {
            ["ERROR", "FATAL", "CRITICAL", "ALERT", "EMERG"].iter().any(|s| t.starts_with(s))
        }
        (None, None) => true,
    }
}

/// An exception record's error text: its message (or, without one, its
/// body), else its type.
fn exception_text(log: &Value, attrs: &Attrs<'_>) -> Value {
    attrs
        .get(&["exception.message"])
        .or_else(|| log.get("body").map(any_value).and_then(|b| as_text(&b)).map(Value::from))
        .or_else(|| attrs.get(&["exception.type"]))
        .unwrap_or_else(|| Value::from("exception"))
}

/// An exception record of the same span as an inference event of the line
/// lends the event its message (when the event has only its `error.type`,
/// or none) and is then not a record of its own.
fn join(records: &mut [(Option<(&str, &str)>, Role)]) {
    let calls: HashMap<(&str, &str), usize> = records
        .iter()
        .enumerate()
        .filter(|(_, (_, role))| matches!(role, Role::Call(..)))
        .filter_map(|(i, (span, _))| Some(((*span)?, i)))
        .collect();
    for i in 0..records.len() {
        let (Some(span), Role::Exception(_)) = &records[i] else { continue };
        let Some(&call) = calls.get(span) else { continue };
        let Role::Exception(exception) = std::mem::replace(&mut records[i].1, Role::Other) else {
            continue;
        };
        if let (Role::Call(record, true), Some(text)) =
            (&mut records[call].1, exception.get("error"))
        {
            record.insert("error".into(), text.clone());
        }
    }
}
