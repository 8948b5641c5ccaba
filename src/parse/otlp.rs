//! OpenTelemetry OTLP/JSON: a line of the file exporter (one `TracesData` per
//! line) holds several spans; each becomes a canonical object that the
//! ordinary parser then reads.

use serde_json::{Map, Value};

/// The canonical objects of one OTLP/JSON line: one per span.
pub fn otlp_spans(value: &Value) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    let resources = value.get("resourceSpans").and_then(Value::as_array).into_iter().flatten();
    for rs in resources {
        let resource = attributes(rs.pointer("/resource/attributes"));
        let scopes = rs.get("scopeSpans").or_else(|| rs.get("instrumentationLibrarySpans"));
        for scope in scopes.and_then(Value::as_array).into_iter().flatten() {
            for span in scope.get("spans").and_then(Value::as_array).into_iter().flatten() {
                out.push(otlp_span(span, &resource));
            }
        }
    }
    out
}

/// A span's attributes (`[{key, value: {stringValue|intValue|...}}]` or a map).
fn attributes(v: Option<&Value>) -> Map<String, Value> {
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

/// An OTLP AnyValue as plain JSON (`intValue` arrives as a string).
fn any_value(v: &Value) -> Value {
    let Some(map) = v.as_object() else { return v.clone() };
    for (k, inner) in map {
        match k.as_str() {
            "intValue" => {
                return inner
                    .as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .map_or(inner.clone(), Value::from);
            }
            "stringValue" | "doubleValue" | "boolValue" => return inner.clone(),
            _ => {}
        }
    }
    v.clone()
}

fn otlp_span(span: &Value, resource: &Map<String, Value>) -> Map<String, Value> {
    let attrs = attributes(span.get("attributes"));
    let get = |keys: &[&str]| {
        keys.iter().find_map(|k| attrs.get(*k).or_else(|| resource.get(*k))).cloned()
    };
    let mut out = Map::new();
    let nanos = |k: &str| {
        span.get(k)
            .and_then(|v| v.as_str().and_then(|s| s.parse::<f64>().ok()).or_else(|| v.as_f64()))
    };
    let (start, end) = (nanos("startTimeUnixNano"), nanos("endTimeUnixNano"));
    let mut put = |field: &str, value: Option<Value>| {
        if let Some(v) = value.filter(present) {
            out.insert(field.to_string(), v);
        }
    };
    put("ts", start.map(Value::from));
    // An end before the start stays negative: the parser drops it with a reason.
    put("latency_ms", start.zip(end).map(|(s, e)| Value::from((e - s) / 1e6)));
    put("request_id", get(&["gen_ai.response.id"]).or_else(|| span.get("spanId").cloned()));
    put("model", get(&["gen_ai.request.model", "gen_ai.response.model", "llm.request.model"]));
    put("provider", get(&["gen_ai.provider.name", "gen_ai.system"]));
    put(
        "endpoint",
        get(&["gen_ai.operation.name", "url.path", "http.route"])
            .or_else(|| span.get("name").cloned()),
    );
    put("status", get(&["http.response.status_code", "http.status_code"]));
    put("user", get(&["enduser.id", "user.id", "gen_ai.user.id"]));
    put("project", get(&["gen_ai.openai.project", "project.id"]));
    put("key", get(&["gen_ai.openai.api_key_id", "api_key.id"]));
    let failed = matches!(span.pointer("/status/code"), Some(Value::Number(n)) if n.as_u64() == Some(2))
        || span.pointer("/status/code").and_then(Value::as_str) == Some("STATUS_CODE_ERROR");
    let exception =
        span.get("events").and_then(Value::as_array).into_iter().flatten().find_map(|e| {
            (e.get("name").and_then(Value::as_str) == Some("exception"))
                .then(|| attributes(e.get("attributes")).get("exception.message").cloned())
                .flatten()
        });
    if failed {
        let message = span
            .pointer("/status/message")
            .cloned()
            .filter(present)
            .or(exception)
            .or_else(|| get(&["error.type"]));
        put("error", message.or(Some(Value::from("span status ERROR"))));
    }
    out
}

fn present(v: &Value) -> bool {
    !matches!(v, Value::Null) && v.as_str() != Some("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn otlp_spans_become_records() {
        let line = json!({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
        "scopeSpans": [{"scope": {"name": "openai"}, "spans": [
            {"spanId": "a1", "name": "chat gpt-4o", "startTimeUnixNano": "1795255200000000000", "endTimeUnixNano": "1795255201500000000",
             "attributes": [{"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
                            {"key": "gen_ai.system", "value": {"stringValue": "openai"}},
                            {"key": "http.response.status_code", "value": {"intValue": "429"}}],
             "status": {"code": 2, "message": "Error code: 429 - {'error': {'code': 'insufficient_quota'}}"}},
            {"spanId": "b2", "name": "chat gpt-4o-mini", "startTimeUnixNano": "1795255202000000000",
             "attributes": [{"key": "gen_ai.provider.name", "value": {"stringValue": "openai"}}], "status": {}}
        ]}]}]});
        let spans = otlp_spans(&line);
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0]["status"], json!(429));
        assert_eq!(spans[0]["latency_ms"], json!(1500.0));
        assert_eq!(spans[0]["provider"], json!("openai"));
        assert!(spans[0]["error"].as_str().unwrap().contains("insufficient_quota"));
        assert!(!spans[1].contains_key("error"));
        let backwards = json!({"resourceSpans": [{"scopeSpans": [{"spans": [
            {"spanId": "c3", "startTimeUnixNano": "1795255202000000000", "endTimeUnixNano": "1795255201000000000"}
        ]}]}]});
        assert_eq!(otlp_spans(&backwards)[0]["latency_ms"], json!(-1000.0), "not clamped to 0");
    }
}
