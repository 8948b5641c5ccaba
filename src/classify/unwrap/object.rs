//! Error objects: the `{"error": {...}}` envelope or its inner object, and
//! the other wrappers providers, gateways and apps put around a message:
//! `metadata.raw` (OpenRouter), `detail` (FastAPI; a list of validation
//! errors too), `{"statusCode", "message"}` (APIM policies), `{"error": "Bad
//! Request", "message": ...}` (web frameworks), Portkey's `"<provider> error:
//! "` prefix, LiteLLM's `error_information` (`error_class`, `error_code`).
//! Failing those, a member named like a message or an error (Helicone's
//! `helicone-message`, whatever key a relay chose), then an envelope nested
//! under any key (`{"result": {"error": {...}}}`). A generic message ("API
//! error", "upstream error") never hides a specific one nested deeper.

use serde_json::{Map, Value};

use super::{
    ErrorInfo, MAX_NESTING, absorb_text, absorb_value, push_context, scan_context, set_if_none,
    set_some, take_status, text_of,
};

/// Keys whose string value may itself hold a whole error body.
const NESTED_KEYS: [&str; 8] = [
    "raw",
    "detail",
    "responseBody",
    "response_body",
    "body",
    "error_str",
    "exception_string",
    "error_message",
];

/// Keys that hold the human message, most usual first.
const MESSAGE_KEYS: [&str; 6] =
    ["message", "error_message", "msg", "detail", "status_message", "errorMessage"];

/// Parts of member names that hold a message in wrappers of unknown shape,
/// tried in this order (so `helicone-message` wins over `helicone-error`).
const MEMBER_HINTS: [&str; 7] =
    ["message", "msg", "error", "detail", "reason", "description", "fault"];

/// Member names ending so hold a code or a class, never the message.
const NOT_MESSAGE: [&str; 5] = ["code", "type", "status", "id", "class"];

/// How deep an envelope is looked for under members of unknown names.
const ENVELOPE_DEPTH: usize = 3;

pub(super) fn absorb_object(info: &mut ErrorInfo, map: &Map<String, Value>, depth: usize) {
    if depth > MAX_NESTING {
        return;
    }
    take_fields(info, map);
    match map.get("error") {
        Some(Value::Object(inner)) => {
            absorb_object(info, inner, depth);
            return strip_gateway_prefix(info, map);
        }
        Some(Value::String(s)) if info.message.is_empty() => {
            // `{"error": "Bad Request", "message": "..."}`: the reason phrase
            // is context, the message is the message.
            let own = ["message", "detail", "error_description"]
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_str).filter(|m| !m.trim().is_empty()));
            let Some(own) = own else { return absorb_text(info, s, depth) };
            push_context(info, s);
            return absorb_text(info, own, depth);
        }
        _ => {}
    }
    if let Some(meta) = map.get("metadata").and_then(Value::as_object) {
        if let Some(raw) = meta.get("raw") {
            let before = info.message.clone();
            absorb_value(info, raw, depth);
            if !info.message.is_empty() && before.is_empty() {
                return;
            }
        }
    }
    let message = MESSAGE_KEYS.iter().find_map(|k| map.get(*k).and_then(Value::as_str));
    match message {
        Some(m) if info.message.is_empty() => absorb_text(info, m, depth),
        _ => {
            for key in NESTED_KEYS {
                if let Some(v @ (Value::String(_) | Value::Object(_))) = map.get(key) {
                    if info.message.is_empty() {
                        absorb_value(info, v, depth);
                    }
                }
            }
        }
    }
    if is_generic(&info.message) {
        prefer_inner(info, map, depth);
    }
    if info.message.is_empty() {
        absorb_named_members(info, map, depth);
    }
    if info.message.is_empty() {
        if let Some(envelope) = nested_envelope(map, 0) {
            absorb_object(info, envelope, depth + 1);
        }
    }
    if info.message.is_empty() {
        absorb_choices(info, map);
    }
}

/// Words of messages that say only that something failed ("API error",
/// "upstream error", "Provider returned error", "Internal server error",
/// "OpenAI API error", "Request failed with status code").
const GENERIC_WORDS: [&str; 33] = [
    "a",
    "an",
    "the",
    "api",
    "upstream",
    "provider",
    "gateway",
    "proxy",
    "request",
    "response",
    "error",
    "errors",
    "failed",
    "failure",
    "unknown",
    "occurred",
    "returned",
    "has",
    "exception",
    "internal",
    "server",
    "bad",
    "http",
    "call",
    "with",
    "status",
    "code",
    "unexpected",
    "service",
    "llm",
    "openai",
    "azure",
    "openrouter",
];

/// A message that names no cause: a wrapper's, when a deeper one exists.
/// Its words (runs of ASCII letters) are one to five, all generic.
pub(super) fn is_generic(message: &str) -> bool {
    matches!(generic_words(message, 5), Some(1..))
}

/// How many words the text has when it has at most `max` and all are
/// generic; `None` when a word says more. Checked without copying a word.
pub(super) fn generic_words(text: &str, max: usize) -> Option<usize> {
    let mut count = 0;
    for word in text.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()) {
        count += 1;
        if count > max || !GENERIC_WORDS.iter().any(|g| g.eq_ignore_ascii_case(word)) {
            return None;
        }
    }
    Some(count)
}

/// A generic outer message gives way to a specific one in an envelope nested
/// deeper (`{"message": "upstream error", "details": {"provider_response":
/// {"error": {...}}}}`): the inner words, type and code win, and the outer
/// message becomes context.
fn prefer_inner(info: &mut ErrorInfo, map: &Map<String, Value>, depth: usize) {
    let Some(inner) = nested_envelope(map, 0) else { return };
    let mut deeper = ErrorInfo::default();
    absorb_object(&mut deeper, inner, depth + 1);
    if deeper.message.is_empty() || is_generic(&deeper.message) {
        return;
    }
    let outer = std::mem::replace(&mut info.message, deeper.message);
    push_context(info, &outer);
    push_context(info, &deeper.context);
    set_some(&mut info.etype, deeper.etype);
    set_some(&mut info.code, deeper.code);
    set_some(&mut info.param, deeper.param);
    set_some(&mut info.inner_code, deeper.inner_code);
    set_if_none(&mut info.provider, deeper.provider);
    if info.status.is_none() || info.status_inferred {
        if let Some(status) = deeper.status {
            info.status = Some(status);
            info.status_inferred = true;
        }
    }
}

/// Status, type, code, param, inner code, provider and exception class.
fn take_fields(info: &mut ErrorInfo, map: &Map<String, Value>) {
    take_status(
        info,
        map.get("status").or_else(|| map.get("status_code")).or_else(|| map.get("statusCode")),
    );
    // LiteLLM's `error_code` is the HTTP status as text.
    if let Some(code) = map.get("error_code").filter(|v| status_like(v)) {
        take_status(info, Some(code));
    }
    // Deeper bodies are the provider's own words: they overwrite a wrapper's.
    set_some(
        &mut info.etype,
        text_of(map.get("type")).filter(|t| t != "error" || !map.contains_key("error")),
    );
    set_some(&mut info.code, text_of(map.get("code")).or_else(|| text_of(map.get("errno"))));
    set_some(&mut info.param, text_of(map.get("param")));
    if let Some(inner) =
        map.get("innererror").or_else(|| map.get("inner_error")).and_then(Value::as_object)
    {
        set_some(&mut info.inner_code, text_of(inner.get("code")));
    }
    let provider =
        ["provider_name", "provider", "llm_provider"].iter().find_map(|k| text_of(map.get(*k)));
    if let Some(provider) = provider {
        set_if_none(&mut info.provider, Some(provider.to_ascii_lowercase()));
    }
    // An exception class (LiteLLM `error_class`, ErrorLogs `exception_type`)
    // is context, and implies a status when none is known.
    for key in ["error_class", "exception_type"] {
        if let Some(class) = map.get(key).and_then(Value::as_str).filter(|c| !c.is_empty()) {
            scan_context(info, class);
            push_context(info, class);
        }
    }
}

/// A value that reads as an HTTP status (`"429"`, `503`).
fn status_like(v: &Value) -> bool {
    let n = v.as_u64().or_else(|| v.as_str()?.trim().parse().ok());
    n.is_some_and(|n| (100..600).contains(&n))
}

/// Portkey rewrites a provider's message as `"<provider> error: <message>"`
/// beside `"provider": "<provider>"`: the prefix is the gateway's, not the
/// provider's words.
fn strip_gateway_prefix(info: &mut ErrorInfo, map: &Map<String, Value>) {
    let Some(provider) = map.get("provider").and_then(Value::as_str) else { return };
    let prefix = format!("{provider} error: ");
    if let Some(rest) = info.message.strip_prefix(prefix.as_str()) {
        info.message = rest.to_string();
        push_context(info, prefix.trim_end());
    }
}

/// The first member named like a message or an error (in [`MEMBER_HINTS`]
/// order, each member tried once) that yields a message.
fn absorb_named_members(info: &mut ErrorInfo, map: &Map<String, Value>, depth: usize) {
    let mut candidates: Vec<(usize, &Value)> = map
        .iter()
        .filter(|(_, v)| matches!(v, Value::String(_) | Value::Object(_) | Value::Array(_)))
        .filter_map(|(key, v)| {
            let key = key.to_ascii_lowercase();
            if NOT_MESSAGE.iter().any(|n| key.ends_with(n)) {
                return None;
            }
            MEMBER_HINTS.iter().position(|h| key.contains(h)).map(|rank| (rank, v))
        })
        .collect();
    candidates.sort_by_key(|c| c.0);
    for (_, value) in candidates {
        absorb_value(info, value, depth + 1);
        if !info.message.is_empty() {
            return;
        }
    }
}

/// An object nested under members of any name that holds an `error` or a
/// `message` (a tool's report wrapping the provider's answer).
fn nested_envelope(map: &Map<String, Value>, level: usize) -> Option<&Map<String, Value>> {
    if level >= ENVELOPE_DEPTH {
        return None;
    }
    let children = map.values().filter_map(|v| match v {
        Value::Object(m) => Some(m),
        Value::Array(items) => items.first().and_then(Value::as_object),
        _ => None,
    });
    let mut deeper = Vec::new();
    for child in children {
        let envelope = matches!(child.get("error"), Some(Value::Object(_) | Value::String(_)))
            || child.get("message").and_then(Value::as_str).is_some_and(|m| !m.trim().is_empty());
        if envelope {
            return Some(child);
        }
        deeper.push(child);
    }
    deeper.into_iter().find_map(|c| nested_envelope(c, level + 1))
}

/// An HTTP 200 completion whose choice ended with `finish_reason: content_filter`.
fn absorb_choices(info: &mut ErrorInfo, map: &Map<String, Value>) {
    let filtered = map.get("choices").and_then(Value::as_array).is_some_and(|choices| {
        choices
            .iter()
            .any(|c| c.get("finish_reason").and_then(Value::as_str) == Some("content_filter"))
    });
    if filtered {
        info.code.get_or_insert_with(|| "content_filter".to_string());
        info.message = "finish_reason: content_filter (the output was filtered)".to_string();
    }
}
