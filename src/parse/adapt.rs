//! Adapters: a log format other than the canonical record is mapped onto it by
//! data (`data/formats.toml`, or `--map FIELD=/pointer`): for each canonical
//! field, JSON pointers tried in order ([`Source`]: a pointer, or a pointer and
//! a regex that picks the value out of the text there). A pointer step that
//! lands on a string holding JSON parses it and goes on (LiteLLM's `metadata`,
//! Azure's `properties`). A logged response body goes whole to the unwrapping
//! step when the record failed ([`body`]). An adapted line is translated into
//! a canonical line, which the ordinary parser then reads; OpenTelemetry
//! OTLP/JSON lines (several spans per line) are translated in code ([`super::otlp`]). The
//! canonical format itself never comes here: it keeps the allocation-free path.

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::parse::{Raw, check, timestamp};

mod body;
#[cfg(test)]
mod mapping_tests;
mod source;

pub use body::BODY;
pub use source::{Pattern, Source};

/// The canonical fields a mapping may fill.
pub const FIELDS: [&str; 17] = [
    "ts",
    "request_id",
    "key",
    "org",
    "project",
    "user",
    "provider",
    "endpoint",
    "model",
    "status",
    "error",
    "latency_ms",
    "stream",
    "attempt",
    "retry_after",
    "headers",
    "usage",
];

/// One format's mapping, as in `data/formats.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Mapping {
    /// Id (`--input-format`, reports).
    pub name: String,
    /// Human name.
    #[serde(default)]
    pub title: String,
    /// How a user gets such a log.
    #[serde(default)]
    pub produce: String,
    /// Pointers that must all exist for a line to look like this format.
    #[serde(default)]
    pub require: Vec<String>,
    /// Pointers of which one must exist (when any are listed).
    #[serde(default)]
    pub any: Vec<String>,
    /// Conditions on values that must all hold for a line to be this format
    /// (Azure: the `category`, the resource provider in `resourceId`).
    #[serde(default)]
    pub values: Vec<Condition>,
    /// Canonical field (or [`BODY`]) -> candidate sources, tried in order.
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, Vec<Source>>,
    /// Canonical field (or [`BODY`]) -> a condition for filling it at all
    /// (Langfuse: the status message is an error only when `level` is `ERROR`).
    #[serde(default)]
    pub when: std::collections::BTreeMap<String, Condition>,
    /// Failure flags: when any holds and the line maps no error, the record is
    /// a failure anyway (LiteLLM `status: "failure"`, Cloudflare `success:
    /// false`, Langfuse `level: "ERROR"`), with an error that carries no text
    /// ([`FLAG_ERROR`]), so only its status can tell the cause.
    #[serde(default)]
    pub failed: Vec<Condition>,
}

/// The error a failure flag puts on a record that logged none: present (the
/// record is a failure) but without message, type or code.
pub const FLAG_ERROR: &str = "failure_flag";

/// A condition on the value at `pointer`: it is one of `equals`, or holds
/// one of `contains` (both compared as text, case-insensitively).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Condition {
    /// Where to look.
    pub pointer: String,
    /// Accepted values.
    #[serde(default)]
    pub equals: Vec<String>,
    /// Accepted parts of the value.
    #[serde(default)]
    pub contains: Vec<String>,
}

impl Condition {
    /// Whether the value at the pointer is accepted (never when absent).
    pub fn holds(&self, value: &Value) -> bool {
        let text = match find(value, &self.pointer).as_deref() {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => return false,
        };
        self.equals.iter().any(|e| e.eq_ignore_ascii_case(&text)) || {
            let lower = text.to_ascii_lowercase();
            self.contains.iter().any(|c| lower.contains(&c.to_ascii_lowercase()))
        }
    }
}

#[derive(Debug, Deserialize)]
struct FormatsFile {
    format: Vec<Mapping>,
    #[serde(default)]
    not_llm: Vec<Mapping>,
}

/// `data/formats.toml`, parsed once.
fn formats_file() -> &'static FormatsFile {
    static FILE: OnceLock<FormatsFile> = OnceLock::new();
    FILE.get_or_init(|| {
        toml::from_str::<FormatsFile>(include_str!("../../data/formats.toml"))
            .expect("embedded data/formats.toml is valid (tested)")
    })
}

/// The embedded format mappings, parsed once.
pub fn mappings() -> &'static [Mapping] {
    &formats_file().format
}

/// The embedded layouts of records that are known but are not LLM requests
/// (`[[not_llm]]`: other Azure resource logs): detection only, no fields.
pub fn not_llm_layouts() -> &'static [Mapping] {
    &formats_file().not_llm
}

impl Mapping {
    /// A mapping from `--map FIELD=/pointer` flags (repeatable, in order).
    pub fn from_flags(flags: &[String]) -> Result<Mapping> {
        let mut fields: std::collections::BTreeMap<String, Vec<Source>> = Default::default();
        for flag in flags {
            let (field, pointer) = flag.split_once('=').ok_or_else(|| {
                Error::Usage(format!("--map `{flag}`: write FIELD=/json/pointer"))
            })?;
            if !FIELDS.contains(&field) && field != BODY {
                return Err(Error::Usage(format!(
                    "--map `{flag}`: `{field}` is not a field; use one of {}, {BODY}",
                    FIELDS.join(", ")
                )));
            }
            if !pointer.is_empty() && !pointer.starts_with('/') {
                return Err(Error::Usage(format!(
                    "--map `{flag}`: a JSON pointer starts with `/` (e.g. /response/status)"
                )));
            }
            fields.entry(field.to_string()).or_default().push(Source::from(pointer));
        }
        Ok(Mapping {
            name: "custom".to_string(),
            title: "--map".to_string(),
            produce: String::new(),
            require: vec![],
            any: vec![],
            values: vec![],
            fields,
            when: Default::default(),
            failed: vec![],
        })
    }

    /// Whether a parsed line looks like this format.
    pub fn matches(&self, value: &Value) -> bool {
        self.holds_required(value)
            && (self.any.is_empty() || self.any.iter().any(|p| find(value, p).is_some()))
    }

    /// Whether a parsed line has every `require` pointer and meets every
    /// `values` condition (`any` aside): enough for a line of a file already
    /// known to be in this format.
    pub fn holds_required(&self, value: &Value) -> bool {
        self.require.iter().all(|p| find(value, p).is_some())
            && self.values.iter().all(|c| c.holds(value))
    }

    /// The canonical object of a parsed line.
    pub fn translate(&self, value: &Value) -> Map<String, Value> {
        let mut out = Map::new();
        for (field, sources) in &self.fields {
            if field == BODY || self.when.get(field).is_some_and(|c| !c.holds(value)) {
                continue;
            }
            let candidates = || sources.iter().filter_map(|s| s.find(value));
            // A value the canonical parser would drop gives way to a later
            // pointer's; when none is usable the first present one still goes
            // through, so that the record notes what was dropped (or, for
            // status 0, that no response came).
            let found = candidates()
                .find(|v| present(v) && usable(field, v))
                .or_else(|| candidates().find(present));
            if let Some(v) = found {
                out.insert(field.clone(), v);
            }
        }
        if !out.contains_key("error") {
            let flagged = self.failed.iter().any(|c| c.holds(value));
            if let Some(body) = self.failure_body(value, &out, flagged) {
                out.insert("error".to_string(), body);
            } else if flagged {
                let mut flag = Map::new();
                flag.insert(FLAG_ERROR.to_string(), Value::Bool(true));
                out.insert("error".to_string(), Value::Object(flag));
            }
        }
        out
    }

    /// The logged response body, whole, when the record failed (by its
    /// status, a failure flag, or the body itself): see [`body`].
    fn failure_body(
        &self,
        value: &Value,
        out: &Map<String, Value>,
        flagged: bool,
    ) -> Option<Value> {
        if self.when.get(BODY).is_some_and(|c| !c.holds(value)) {
            return None;
        }
        let found = self.fields.get(BODY)?.iter().filter_map(|s| s.find(value)).find(present)?;
        let failed = flagged || body::status_failed(out.get("status")) || body::says_failed(&found);
        failed.then_some(found)
    }
}

/// Whether a present value is one the canonical parser keeps: a real HTTP
/// status (gateways log `0` when no backend answered), a valid time, a
/// latency that is not negative (nor over a day).
fn usable(field: &str, v: &Value) -> bool {
    match field {
        "latency_ms" => v
            .as_f64()
            .or_else(|| v.as_str()?.trim().parse().ok())
            .and_then(check::latency_ms)
            .is_some(),
        "status" => {
            let n = v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()));
            n.is_some_and(|n| (100..600).contains(&n))
        }
        "ts" => match v {
            Value::String(s) => timestamp(Raw::Str { bytes: s.as_bytes(), escaped: false }),
            Value::Number(n) => timestamp(Raw::Other(n.to_string().as_bytes())),
            _ => None,
        }
        .is_some(),
        _ => true,
    }
}

fn present(v: &Value) -> bool {
    !matches!(v, Value::Null) && v.as_str() != Some("")
}

/// Resolves an RFC 6901 pointer; a step into a string holding JSON parses it.
pub fn resolve(value: &Value, pointer: &str) -> Option<Value> {
    if pointer.is_empty() {
        return Some(value.clone());
    }
    let mut current = value.clone();
    for raw in pointer.split('/').skip(1) {
        let step = raw.replace("~1", "/").replace("~0", "~");
        if let Value::String(s) = &current {
            current = serde_json::from_str(s).ok()?;
        }
        current = match &current {
            Value::Object(map) => map.get(&step)?.clone(),
            Value::Array(items) => items.get(step.parse::<usize>().ok()?)?.clone(),
            _ => return None,
        };
    }
    Some(current)
}

/// [`resolve`] without copying the line: borrowed until a step parses a
/// string holding JSON.
pub fn find<'v>(value: &'v Value, pointer: &str) -> Option<std::borrow::Cow<'v, Value>> {
    use std::borrow::Cow;
    let mut current = Cow::Borrowed(value);
    for raw in pointer.split('/').skip(1) {
        let step = raw.replace("~1", "/").replace("~0", "~");
        if let Value::String(s) = current.as_ref() {
            current = Cow::Owned(serde_json::from_str(s).ok()?);
        }
        current = match current {
            Cow::Borrowed(v) => Cow::Borrowed(child(v, &step)?),
            Cow::Owned(v) => Cow::Owned(child(&v, &step)?.clone()),
        };
    }
    Some(current)
}

/// The member or element `step` of an object or array.
fn child<'v>(value: &'v Value, step: &str) -> Option<&'v Value> {
    match value {
        Value::Object(map) => map.get(step),
        Value::Array(items) => items.get(step.parse::<usize>().ok()?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapping(name: &str) -> &'static Mapping {
        mappings().iter().find(|m| m.name == name).unwrap()
    }

    #[test]
    fn failure_flags_make_a_failure_without_text() {
        let flagged = [
            ("litellm_slp", json!({"status": "failure", "error_str": null})),
            (
                "litellm_slp",
                json!({"status": "success", "status_fields": {"llm_api_status": "FAILURE"}}),
            ),
            ("litellm_spend_log", json!({"status": "failure"})),
            ("litellm_spend_log", json!({"metadata": "{\"status\":\"failure\"}"})),
            ("langfuse", json!({"level": "ERROR", "status_message": null})),
            ("cloudflare_ai_gateway", json!({"success": false, "status_code": 200})),
            ("cloudflare_ai_gateway", json!({"success": "false"})),
        ];
        for (name, line) in flagged {
            let out = mapping(name).translate(&line);
            assert_eq!(out.get("error"), Some(&json!({FLAG_ERROR: true})), "{name} {line}");
        }
        let clean = [
            (
                "litellm_slp",
                json!({"status": "success", "status_fields": {"llm_api_status": "success"}}),
            ),
            (
                "litellm_spend_log",
                json!({"status": "success", "metadata": "{\"status\":\"success\"}"}),
            ),
            ("langfuse", json!({"level": "WARNING", "status_message": "slow"})),
            ("cloudflare_ai_gateway", json!({"success": true, "status_code": 200})),
        ];
        for (name, line) in clean {
            assert!(!mapping(name).translate(&line).contains_key("error"), "{name} {line}");
        }
        // A logged error wins over the flag's placeholder.
        let out =
            mapping("litellm_slp").translate(&json!({"status": "failure", "error_str": "boom"}));
        assert_eq!(out.get("error"), Some(&json!("boom")));
    }

    #[test]
    fn batch_lines_name_their_model() {
        let line = json!({"custom_id": "a", "response": {"status_code": 200, "body": {"model": "gpt-4o-2024-08-06"}}});
        assert_eq!(
            mapping("openai_batch").translate(&line).get("model"),
            Some(&json!("gpt-4o-2024-08-06"))
        );
    }

    #[test]
    fn pointers_step_into_json_strings() {
        let v = json!({"metadata": "{\"error_information\":{\"error_code\":\"429\"}}", "a": [1, {"b": 2}]});
        assert_eq!(resolve(&v, "/metadata/error_information/error_code"), Some(json!("429")));
        assert_eq!(resolve(&v, "/a/1/b"), Some(json!(2)));
        assert_eq!(resolve(&v, "/a/9"), None);
        assert_eq!(resolve(&v, "/missing"), None);
    }

    #[test]
    fn map_flags_are_checked() {
        let m = Mapping::from_flags(&[
            "status=/response/status_code".into(),
            "error=/response/body".into(),
        ])
        .unwrap();
        let line = json!({"response": {"status_code": 429, "body": {"error": {"message": "x"}}}});
        let out = m.translate(&line);
        assert_eq!(out["status"], json!(429));
        assert_eq!(out["error"], json!({"error": {"message": "x"}}));
        assert!(
            Mapping::from_flags(&["colour=/x".into()])
                .unwrap_err()
                .to_string()
                .contains("--map `colour=/x`")
        );
        assert!(
            Mapping::from_flags(&["status=response".into()])
                .unwrap_err()
                .to_string()
                .contains("starts with `/`")
        );
        assert!(Mapping::from_flags(&["status".into()]).is_err());
        let fallback =
            Mapping::from_flags(&["status=/backend".into(), "status=/front".into()]).unwrap();
        assert_eq!(
            fallback.translate(&json!({"backend": 0, "front": "504"}))["status"],
            json!("504")
        );
    }

    #[test]
    fn invalid_values_give_way_to_later_pointers_else_go_through() {
        let m = Mapping::from_flags(&[
            "ts=/start".into(),
            "ts=/logged".into(),
            "status=/backend".into(),
            "status=/front".into(),
        ])
        .unwrap();
        let out = m.translate(&json!({"start": "2026-02-30T00:00:00Z", "logged": 1795255200}));
        assert_eq!(out["ts"], json!(1795255200));
        let out = m.translate(&json!({"start": 99999999999u64, "logged": "1999-01-01"}));
        assert_eq!(out["ts"], json!(99999999999u64), "none valid: the first, to be counted");
        assert_eq!(m.translate(&json!({"backend": 0, "front": 999}))["status"], json!(0));
        assert_eq!(m.translate(&json!({"backend": 700, "front": 503}))["status"], json!(503));
    }
}
