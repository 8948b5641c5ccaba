//! OTLP/JSON values as exporters write them: attributes as a list of
//! `{key, value: AnyValue}` or as a flat map, members under their JSON names
//! (lowerCamelCase) or their proto field names (snake_case, which proto3 JSON
//! readers accept too), `intValue` as a string or a number, and attribute
//! values that MLflow stores JSON-encoded (`"\"LLM\""`).

use serde_json::{Map, Value};

/// A member by its JSON name or its proto field name.
pub fn field<'v>(v: &'v Value, camel: &str, snake: &str) -> Option<&'v Value> {
    v.get(camel).or_else(|| v.get(snake))
}

/// A repeated member (`resourceSpans`, `spans`, ...): its elements, or none.
pub fn list<'v>(v: &'v Value, camel: &str, snake: &str) -> &'v [Value] {
    field(v, camel, snake).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// A string member (ids, names).
pub fn text<'v>(v: &'v Value, camel: &str, snake: &str) -> Option<&'v str> {
    field(v, camel, snake).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// A fixed64 time in nanoseconds: a decimal string or a number.
pub fn nanos(v: &Value, camel: &str, snake: &str) -> Option<f64> {
    let v = field(v, camel, snake)?;
    v.as_str()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .or_else(|| v.as_f64())
        .filter(|n| *n > 0.0)
}

/// Attributes as a map of plain JSON values.
pub fn attributes(v: Option<&Value>) -> Map<String, Value> {
    let mut out = Map::new();
    match v {
        Some(Value::Array(items)) => {
            for a in items {
                if let (Some(k), Some(v)) = (a.get("key").and_then(Value::as_str), a.get("value")) {
                    out.insert(k.to_string(), any_value(v));
                }
            }
        }
        Some(Value::Object(map)) => out.extend(map.iter().map(|(k, v)| (k.clone(), any_value(v)))),
        _ => {}
    }
    out
}

/// An OTLP AnyValue as plain JSON: scalars as such (`intValue` arrives as a
/// string), arrays and key-value lists as JSON arrays and objects, an empty
/// AnyValue as `null`. A value that is not an AnyValue (flat-map attributes)
/// stays as it is.
pub fn any_value(v: &Value) -> Value {
    let Some(map) = v.as_object() else { return unquote(v) };
    if map.is_empty() {
        return Value::Null;
    }
    for (k, inner) in map {
        match k.as_str() {
            "stringValue" | "string_value" => return unquote(inner),
            "doubleValue" | "double_value" | "boolValue" | "bool_value" | "bytesValue"
            | "bytes_value" => return inner.clone(),
            "intValue" | "int_value" => {
                return inner
                    .as_str()
                    .and_then(|s| s.trim().parse::<i64>().ok())
                    .map_or_else(|| inner.clone(), Value::from);
            }
            "arrayValue" | "array_value" => {
                return Value::Array(
                    list(inner, "values", "values").iter().map(any_value).collect(),
                );
            }
            "kvlistValue" | "kvlist_value" => {
                return Value::Object(attributes(inner.get("values")));
            }
            _ => {}
        }
    }
    v.clone()
}

/// A string holding one JSON-encoded string (MLflow's attribute values) as
/// that string; anything else as it is.
fn unquote(v: &Value) -> Value {
    match v.as_str() {
        Some(s) if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') => {
            serde_json::from_str::<String>(s).map_or_else(|_| v.clone(), Value::from)
        }
        _ => v.clone(),
    }
}

/// Whether a value counts as given: not `null`, not an empty string.
pub fn present(v: &Value) -> bool {
    !matches!(v, Value::Null) && v.as_str().is_none_or(|s| !s.trim().is_empty())
}

/// A value as text: strings as such, numbers and booleans by their JSON text.
pub fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    }
}

/// An HTTP status in a value (`429`, `"429"`), when it is one (100 to 599).
pub fn http_status(v: &Value) -> Option<u16> {
    let n = v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))?;
    u16::try_from(n).ok().filter(|n| (100..600).contains(n))
}

/// The attributes of one span or log record, with its resource's behind them.
pub struct Attrs<'r> {
    /// The span's (or log record's) own attributes.
    pub own: Map<String, Value>,
    /// The resource's attributes (`service.name`, ...).
    pub resource: &'r Map<String, Value>,
}

impl Attrs<'_> {
    /// The first present value of `keys`, each looked up in the item's own
    /// attributes, then in its resource's.
    pub fn get(&self, keys: &[&str]) -> Option<Value> {
        keys.iter()
            .find_map(|k| {
                let own = self.own.get(*k).filter(|v| present(v));
                own.or_else(|| self.resource.get(*k).filter(|v| present(v)))
            })
            .cloned()
    }

    /// The item's own attribute `key` as text.
    pub fn own_text(&self, key: &str) -> Option<String> {
        self.own.get(key).and_then(as_text)
    }

    /// Whether the item itself has any of `keys`.
    pub fn has_any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| self.own.get(*k).is_some_and(present))
    }
}
