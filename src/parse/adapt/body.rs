//! Error bodies. Formats that log the whole response body (Helicone, Portkey,
//! APIM, Batch) name it with `error_body` pointers, and the body goes whole to
//! the unwrapping step, whatever its shape (JSON object or string, plain text,
//! an HTML page, a gateway's own wrapper), but only when the record failed:
//! its status is 400 or more (or 0: no response), a failure flag holds, or
//! the body is an error envelope by itself (a stream error event, a 200 whose
//! body is `{"error": {...}}`). A success's body, a completion, never makes a
//! record a failure.

use serde_json::Value;

/// The mapping field that names where a format keeps the response body.
pub const BODY: &str = "error_body";

/// How deep JSON held in strings (or arrays) is followed to find an envelope.
const MAX_DEPTH: usize = 4;

/// Whether a status, as a mapping found it (number or text), says the
/// request failed: 400 to 599, or 0 (no response came).
pub fn status_failed(status: Option<&Value>) -> bool {
    let n = status.and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()));
    n.is_some_and(|n| n == 0 || (400..600).contains(&n))
}

/// Whether a body is an error by itself: an object with a non-empty `error`
/// member or `type: "error"`, also inside a JSON string or as the first item
/// of an array (Gemini answers `[{"error": {...}}]`).
pub fn says_failed(body: &Value) -> bool {
    says_failed_at(body, 0)
}

fn says_failed_at(body: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match body {
        Value::String(s) => {
            let t = s.trim_start();
            (t.starts_with('{') || t.starts_with('['))
                && serde_json::from_str::<Value>(t).is_ok_and(|v| says_failed_at(&v, depth + 1))
        }
        Value::Object(map) => {
            map.get("error").is_some_and(meaningful)
                || map.get("type").and_then(Value::as_str) == Some("error")
        }
        Value::Array(items) => items.first().is_some_and(|v| says_failed_at(v, depth + 1)),
        _ => false,
    }
}

/// A member that holds something: not null, false, 0 or empty.
fn meaningful(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        Value::Bool(true) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses_that_fail() {
        for s in [json!(400), json!(429), json!("503"), json!(" 500 "), json!(0), json!("0")] {
            assert!(status_failed(Some(&s)), "{s}");
        }
        for s in [json!(200), json!("201"), json!(399), json!(600), json!("abc"), json!(null)] {
            assert!(!status_failed(Some(&s)), "{s}");
        }
        assert!(!status_failed(None));
    }

    #[test]
    fn error_envelopes_fail_by_themselves() {
        let failed = [
            json!({"error": {"message": "x"}}),
            json!({"error": "model not found"}),
            json!({"type": "error", "error": {"type": "overloaded_error"}}),
            json!("{\"error\":{\"code\":\"429\"}}"),
            json!([{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}]),
            json!({"status": "failed", "error": {"code": "server_error", "message": "m"}}),
        ];
        for body in failed {
            assert!(says_failed(&body), "{body}");
        }
    }

    #[test]
    fn completions_and_other_bodies_do_not() {
        let clean = [
            json!({"id": "chatcmpl-1", "choices": [{"finish_reason": "stop"}]}),
            json!({"id": "resp_1", "status": "completed", "error": null}),
            json!({"error": false, "data": []}),
            json!({"error": {}}),
            json!({"error": ""}),
            json!("{\"choices\":[]}"),
            json!("Internal Server Error"),
            json!("<html><title>502 Bad Gateway</title></html>"),
            json!({"helicone-message": "Helicone ran into an error"}),
            json!(42),
            json!("{not json"),
        ];
        for body in clean {
            assert!(!says_failed(&body), "{body}");
        }
    }
}
