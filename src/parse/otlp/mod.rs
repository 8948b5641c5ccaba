//! OpenTelemetry OTLP/JSON, both signals a file exporter writes (one
//! `TracesData` or `LogsData` object per line): a line holds many spans or
//! log records, of which only the LLM calls are requests. Each span or log
//! record is one item of its line, in order: an LLM call becomes a canonical
//! object that the ordinary parser then reads ([`Item::Record`]); anything
//! else is [`Item::NotLlm`], counted in that bucket (an item of its line,
//! like a record, so `extra_records` covers it), never a success or a
//! failure. What counts as an LLM call, and how HTTP child spans and
//! exception log records join their call, is in `spans` and `logs`; the
//! attribute vocabularies are in `vocab`.

mod logs;
mod spans;
mod value;
mod vocab;

use serde_json::{Map, Value};

/// One span or log record of an OTLP line.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// An LLM call: its canonical object.
    Record(Map<String, Value>),
    /// A span or log record that is not an LLM call.
    NotLlm,
}

/// The items of one OTLP/JSON line: its spans (`resourceSpans`), then its
/// log records (`resourceLogs`). None when it holds neither.
pub fn items(value: &Value) -> Vec<Item> {
    let mut out = Vec::new();
    spans::items(value, &mut out);
    logs::items(value, &mut out);
    out
}

/// The error of a call that failed without any text: present (the record is
/// a failure) but without message, type or code, as the failure flags of
/// the mapped formats ([`crate::parse::adapt::FLAG_ERROR`]).
fn flag() -> Value {
    let mut flag = Map::new();
    flag.insert(crate::parse::adapt::FLAG_ERROR.to_string(), Value::Bool(true));
    Value::Object(flag)
}

#[cfg(test)]
mod tests;
