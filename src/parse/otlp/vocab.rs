//! The attribute vocabularies of LLM calls in OpenTelemetry, and the
//! canonical fields they fill. Four are in use: the GenAI semantic
//! conventions (`gen_ai.*`, with the deprecated `gen_ai.system`), OpenLLMetry
//! (`llm.request.type`, older `llm.vendor` / `llm.request.model`),
//! OpenInference (`openinference.span.kind`, `llm.model_name`,
//! `llm.provider`, `llm.system`, `embedding.model_name`) and MLflow
//! (`mlflow.spanType`, `mlflow.llm.*`); LiteLLM's OTel callback writes GenAI
//! and OpenLLMetry names plus its request metadata (`metadata.user_api_key_*`)
//! and its error fields (`error.code`, `error.message`, `error.type`).

use serde_json::{Map, Value};

use super::value::{Attrs, as_text, http_status, present};

/// Attributes that mark an LLM call (any one of them).
const MARKERS: [&str; 11] = [
    "gen_ai.operation.name",
    "gen_ai.provider.name",
    "gen_ai.system",
    "gen_ai.request.model",
    "gen_ai.response.model",
    "llm.request.type",
    "llm.model_name",
    "llm.provider",
    "llm.system",
    "llm.vendor",
    "llm.request.model",
];

/// GenAI operations that are not a call to a model: agents, tools,
/// workflows, retrieval. Their spans carry `gen_ai.*` attributes (often the
/// provider and model), while the calls they make are spans of their own.
const NOT_CALLS: [&str; 5] =
    ["invoke_agent", "create_agent", "execute_tool", "invoke_workflow", "retrieval"];

/// Whether an item's own attributes say it is one call to a model. A
/// framework's own span kind decides when it is there: OpenInference `LLM`
/// and `EMBEDDING` (an embeddings request is a request to the provider, as
/// `gen_ai.operation.name` `embeddings` is), MLflow `LLM`, `CHAT_MODEL` and
/// `EMBEDDING`; any other kind (chain, agent, tool, retriever, reranker,
/// guardrail, OpenLLMetry workflow/task/agent/tool) is not a call. Otherwise
/// a GenAI operation of an agent, tool or workflow is not one, and any other
/// marker attribute makes it one.
pub fn is_llm_call(attrs: &Attrs<'_>) -> bool {
    let kind = |key| attrs.own_text(key).map(|k| k.to_ascii_uppercase());
    if let Some(k) = kind("openinference.span.kind") {
        return matches!(k.as_str(), "LLM" | "EMBEDDING");
    }
    if let Some(k) = kind("mlflow.spanType") {
        return matches!(k.as_str(), "LLM" | "CHAT_MODEL" | "EMBEDDING");
    }
    if attrs.has_any(&["traceloop.span.kind"]) {
        return false;
    }
    if attrs.own_text("gen_ai.operation.name").is_some_and(|op| NOT_CALLS.contains(&op.as_str())) {
        return false;
    }
    attrs.has_any(&MARKERS)
}

const MODEL: [&str; 7] = [
    "gen_ai.request.model",
    "gen_ai.response.model",
    "llm.model_name",
    "llm.request.model",
    "llm.response.model",
    "embedding.model_name",
    "mlflow.llm.model",
];
/// The hosting provider first: OpenInference's `llm.provider` is the host
/// (`azure`), `llm.system` the product (`openai`).
const PROVIDER: [&str; 6] = [
    "gen_ai.provider.name",
    "gen_ai.system",
    "llm.provider",
    "llm.system",
    "llm.vendor",
    "mlflow.llm.provider",
];
const KEY: [&str; 4] = [
    "metadata.user_api_key_alias",
    "metadata.user_api_key_hash",
    "gen_ai.openai.api_key_id",
    "api_key.id",
];
const ORG: [&str; 2] = ["metadata.user_api_key_org_alias", "metadata.user_api_key_org_id"];
/// LiteLLM's team stands in where there is no project (as in its other logs).
const PROJECT: [&str; 6] = [
    "gen_ai.openai.project",
    "project.id",
    "metadata.user_api_key_project_alias",
    "metadata.user_api_key_project_id",
    "metadata.user_api_key_team_alias",
    "metadata.user_api_key_team_id",
];
const USER: [&str; 7] = [
    "enduser.id",
    "user.id",
    "gen_ai.user.id",
    "metadata.user_api_key_user_id",
    "metadata.user_api_key_end_user_id",
    "llm.user",
    "gen_ai.user",
];
const ENDPOINT: [&str; 4] = ["gen_ai.operation.name", "llm.request.type", "url.path", "http.route"];
const STREAM: [&str; 2] = ["gen_ai.request.stream", "llm.is_streaming"];
/// HTTP statuses, as the HTTP semantic conventions (new and old) name them.
pub const HTTP_STATUS: [&str; 2] = ["http.response.status_code", "http.status_code"];
/// Error fields that hold a status when they are a number: LiteLLM's
/// `error.code`, and `error.type`, which HTTP client instrumentations set to
/// the status code.
const STATUS_CODES: [&str; 2] = ["error.code", "error.type"];

/// Fills the canonical fields every OTLP record shares, from its attributes.
pub fn fill(out: &mut Map<String, Value>, attrs: &Attrs<'_>) {
    let mut put = |field: &str, value: Option<Value>| {
        if let Some(v) = value.filter(present) {
            out.entry(field.to_string()).or_insert(v);
        }
    };
    put("request_id", attrs.get(&["gen_ai.response.id"]));
    put("model", attrs.get(&MODEL));
    put("provider", provider(attrs));
    put("endpoint", attrs.get(&ENDPOINT));
    put("status", status(attrs));
    put("key", attrs.get(&KEY));
    put("org", attrs.get(&ORG));
    put("project", attrs.get(&PROJECT));
    put("user", attrs.get(&USER));
    put("stream", attrs.get(&STREAM).and_then(boolean));
}

/// The provider, with the GenAI ids of Azure OpenAI (`azure.ai.openai`, the
/// older `az.ai.openai`) and calls to an `*.openai.azure.com` host read as
/// `azure`, the name errlens's rules know.
fn provider(attrs: &Attrs<'_>) -> Option<Value> {
    let azure_host = attrs
        .get(&["server.address"])
        .and_then(|v| as_text(&v))
        .is_some_and(|h| h.to_ascii_lowercase().ends_with(".openai.azure.com"));
    let named = attrs.get(&PROVIDER);
    let azure_id = named
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(|p| matches!(p, "azure.ai.openai" | "az.ai.openai"));
    if azure_host || azure_id { Some(Value::from("azure")) } else { named }
}

/// The status: an HTTP status attribute as logged (the parser checks it),
/// else `error.code` / `error.type` when they hold one.
pub fn status(attrs: &Attrs<'_>) -> Option<Value> {
    attrs.get(&HTTP_STATUS).or_else(|| {
        STATUS_CODES
            .iter()
            .find_map(|k| attrs.get(&[k]).as_ref().and_then(http_status))
            .map(Value::from)
    })
}

/// An error text from the error attributes: LiteLLM's `error.message`, else
/// an `error.type` that is not a status code (`RateLimitError`).
pub fn error_text(attrs: &Attrs<'_>) -> Option<Value> {
    attrs.get(&["error.message"]).or_else(|| {
        attrs
            .get(&["error.type"])
            .filter(|t| http_status(t).is_none() && t.as_str() != Some("_OTHER"))
    })
}

/// Whether the error attributes say the call failed (`error.type` is set
/// only when it did, by the semantic conventions).
pub fn says_failed(attrs: &Attrs<'_>) -> bool {
    attrs.has_any(&["error.type", "error.message"])
}

/// A streaming flag: a boolean, or its text (LiteLLM writes `"False"`).
fn boolean(v: Value) -> Option<Value> {
    match &v {
        Value::Bool(_) => Some(v),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(Value::Bool(false)),
        _ => None,
    }
}
