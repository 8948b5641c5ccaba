//! One corpus row written the way each format really carries an error: a
//! full line of the format, the error where that format keeps it (a whole
//! body, a flattened exception string, a span's status message), the status
//! where it keeps one. `None` where a format cannot carry the row at all.

use serde_json::{Value, json};

/// 2026-11-21T12:00:00Z, the time of every line (a day before the test clock).
pub const TS: &str = "2026-11-21T12:00:00Z";
const EPOCH_S: f64 = 1_795_262_400.0;

/// A corpus row, as the formats need it.
pub struct Row {
    pub id: String,
    /// The status as really logged (`None` when the corpus inferred it).
    pub status: Option<u64>,
    pub body: Option<Value>,
    pub raw: Option<String>,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub endpoint: Option<String>,
}

impl Row {
    pub fn new(v: &Value) -> Row {
        let text = |k: &str| v[k].as_str().filter(|s| !s.is_empty()).map(String::from);
        let inferred = v["status_inferred"].as_bool() == Some(true);
        Row {
            id: text("id").unwrap_or_default(),
            status: v["status"].as_u64().filter(|_| !inferred),
            body: Some(v["body"].clone()).filter(|b| !b.is_null()),
            raw: text("raw"),
            provider: text("provider"),
            model: text("model"),
            endpoint: text("endpoint"),
        }
    }

    /// The canonical record's error: the body when the row has one, else the text.
    fn error(&self) -> Value {
        self.body.clone().unwrap_or_else(|| json!(self.raw))
    }

    /// The error as an exception string: the text as it was seen, else the
    /// body the way openai-python prints it (`Error code: 429 - {repr}`).
    pub fn flat(&self) -> String {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        let body = self.body.as_ref().map(py_repr).unwrap_or_default();
        match self.status {
            Some(s) => format!("Error code: {s} - {body}"),
            None => body,
        }
    }

    /// The body as a response carries it: the JSON body, else the text.
    fn response_body(&self) -> Value {
        self.error()
    }

    /// Whether an SDK raised for it: a logged 2xx (an answer whose choice
    /// was filtered) is no exception, so the exception-based formats
    /// (LiteLLM, Langfuse, OTLP) hold no error for it.
    fn raised(&self) -> Option<&Row> {
        self.status.is_none_or(|s| s >= 400).then_some(self)
    }

    fn azure(&self) -> bool {
        self.provider.as_deref() == Some("azure")
    }

    /// openai-python / LiteLLM exception class of the status.
    fn class(&self) -> &'static str {
        match self.status {
            Some(400) => "BadRequestError",
            Some(401) => "AuthenticationError",
            Some(403) => "PermissionDeniedError",
            Some(404) => "NotFoundError",
            Some(408) => "Timeout",
            Some(422) => "UnprocessableEntityError",
            Some(429) => "RateLimitError",
            Some(500) => "InternalServerError",
            Some(503) => "ServiceUnavailableError",
            _ => "APIError",
        }
    }

    /// LiteLLM's `str(exception)`: `litellm.<Class>: <Provider>Exception - <text>`
    /// (a row that is already a LiteLLM string stays as it is).
    fn litellm_text(&self) -> String {
        let flat = self.flat();
        if flat.starts_with("litellm.") {
            return flat;
        }
        let provider = if self.azure() { "Azure" } else { "OpenAI" };
        format!("litellm.{}: {provider}Exception - {flat}", self.class())
    }

    fn litellm_error_information(&self) -> Value {
        let text = self.litellm_text();
        json!({
            "error_code": self.status.map_or(String::new(), |s| s.to_string()),
            "error_class": self.class(),
            "llm_provider": self.provider,
            "traceback": "Traceback (most recent call last): ...",
            "error_message": text,
        })
    }
}

/// The canonical record.
pub fn canonical(r: &Row) -> Option<Value> {
    Some(json!({
        "ts": TS, "request_id": r.id, "status": r.status, "model": r.model,
        "provider": r.provider, "endpoint": r.endpoint, "error": r.error(),
    }))
}

/// LiteLLM StandardLoggingPayload: the flattened exception in `error_str`
/// and `error_information` (status as text, "" when unknown).
pub fn litellm_slp(r: &Row) -> Option<Value> {
    let r = r.raised()?;
    let info = r.litellm_error_information();
    Some(json!({
        "id": format!("call-{}", r.id), "trace_id": format!("trace-{}", r.id),
        "call_type": "acompletion", "stream": false, "status": "failure",
        "status_fields": {"llm_api_status": "failure", "guardrail_status": "not_run"},
        "custom_llm_provider": r.provider, "total_tokens": 0, "prompt_tokens": 0,
        "completion_tokens": 0, "startTime": EPOCH_S, "endTime": EPOCH_S + 1.2,
        "response_time": 1.2, "model": r.model, "model_group": r.model,
        "metadata": {"user_api_key_hash": "88dc28d0f030c55e", "user_api_key_alias": "checkout"},
        "messages": [{"role": "user", "content": "hello"}], "response": null,
        "error_str": info["error_message"], "error_information": info,
        "model_parameters": {"temperature": 0.2}, "hidden_params": {"litellm_model_name": r.model},
    }))
}

/// LiteLLM_SpendLogs row: `error_information` inside the `metadata` JSON string.
pub fn litellm_spend_log(r: &Row) -> Option<Value> {
    let r = r.raised()?;
    let metadata = json!({
        "user_api_key": "88dc28d0f030c55e", "user_api_key_alias": "checkout",
        "status": "failure", "error_information": r.litellm_error_information(),
        "attempted_retries": 0, "max_retries": 2,
    });
    Some(json!({
        "request_id": format!("req-{}", r.id), "call_type": "acompletion",
        "api_key": "88dc28d0f030c55e", "spend": 0.0, "total_tokens": 0,
        "startTime": TS, "endTime": TS, "model": r.model, "model_group": r.model,
        "metadata": metadata.to_string(), "cache_hit": "False", "request_tags": "[]",
        "custom_llm_provider": r.provider, "messages": "{}", "response": "{}",
        "request_duration_ms": 1200, "status": "failure",
    }))
}

/// LiteLLM_ErrorLogs row: the flattened exception and its status as text
/// (always logged there: a row whose status is unknown cannot be written).
pub fn litellm_error_log(r: &Row) -> Option<Value> {
    let status = r.raised()?.status?;
    Some(json!({
        "request_id": format!("err-{}", r.id), "startTime": TS, "endTime": TS,
        "api_base": "https://api.openai.com/v1", "model_group": r.model,
        "litellm_model_name": r.model, "model_id": "7a9e0b1c", "request_kwargs": "{}",
        "exception_type": r.class(), "exception_string": r.litellm_text(),
        "status_code": status.to_string(),
    }))
}

/// APIM GatewayLogs with body logging: the backend's body as a JSON string
/// (or its text), the deployment in the URLs.
pub fn azure_apim_gateway(r: &Row) -> Option<Value> {
    let status = r.status?;
    let path =
        r.model.as_ref().map_or("openai/v1".to_string(), |m| format!("openai/deployments/{m}"));
    let body = match r.response_body() {
        Value::String(s) => s,
        other => other.to_string(),
    };
    Some(json!({
        "time": TS, "category": "GatewayLogs", "operationName": "Microsoft.ApiManagement/GatewayLogs",
        "resourceId": "/SUBSCRIPTIONS/4D2C/RESOURCEGROUPS/RG-AI/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/CONTOSO-APIM",
        "durationMs": 812, "isRequestSuccess": false, "resultType": "Failed",
        "correlationId": format!("corr-{}", r.id),
        "properties": {
            "method": "POST", "url": format!("https://contoso-apim.azure-api.net/{path}/chat/completions?api-version=2024-10-21"),
            "responseCode": status, "backendMethod": "POST",
            "backendUrl": format!("https://contoso-aoai.openai.azure.com/{path}/chat/completions?api-version=2024-10-21"),
            "backendResponseCode": status, "operationId": "ChatCompletions_Create",
            "apiId": "azure-openai-service-api", "apimSubscriptionId": "checkout-sub",
            "backendResponseBody": body,
        },
    }))
}

/// Helicone export row with `--include-body`: the raw response body.
pub fn helicone(r: &Row) -> Option<Value> {
    let status = r.status?;
    Some(json!({
        "request_id": format!("hc-{}", r.id), "request_created_at": TS,
        "request_path": r.endpoint.clone().unwrap_or("/v1/chat/completions".into()),
        "request_model": r.model, "provider": r.provider.as_deref().map(str::to_uppercase),
        "response_status": status, "response_created_at": TS, "delay_ms": 812,
        "request_body": {"model": r.model, "messages": [{"role": "user", "content": "hello"}]},
        "response_body": r.response_body(),
    }))
}

/// Portkey export row: `response.body` as Portkey rewrites a provider error
/// (`OpenAIErrorResponseTransform`: message, type, param and code of the
/// `error` object, the message prefixed with "<provider> error: "); a body
/// without an `error` member passes through.
pub fn portkey(r: &Row) -> Option<Value> {
    let status = r.status?;
    let provider = if r.azure() { "azure-openai" } else { "openai" };
    let body = match r.response_body() {
        Value::Object(m) if m.contains_key("error") => {
            let e = &m["error"];
            let message = e["message"].as_str().unwrap_or("undefined");
            json!({"error": {"message": format!("{provider} error: {message}"), "type": e["type"],
                "param": e["param"], "code": e["code"]}, "provider": provider})
        }
        other => other,
    };
    Some(json!({
        "created_at": TS, "request.body": {"model": r.model, "messages": []}, "response.body": body,
        "is_success": 0, "ai_org": provider, "ai_model": r.model, "request_url": "https://api.openai.com/v1/chat/completions",
        "response_status_code": status, "response_time": 812, "trace_id": format!("pk-{}", r.id),
        "virtual_key": "openai-prod-1a2b", "stream_mode": false,
    }))
}

/// Batch output line: only an OpenAI-style JSON body with its status fits.
pub fn openai_batch(r: &Row) -> Option<Value> {
    let status = r.status?;
    let body = r.body.clone().filter(Value::is_object)?;
    Some(json!({
        "id": format!("batch_req_{}", r.id), "custom_id": r.id,
        "response": {"status_code": status, "request_id": format!("req_{}", r.id), "body": body},
        "error": null,
    }))
}

/// Langfuse observation (legacy export): `level: ERROR` and the exception
/// string as status message; no status at all.
pub fn langfuse(r: &Row) -> Option<Value> {
    let r = r.raised()?;
    Some(json!({
        "id": format!("obs-{}", r.id), "trace_id": format!("trace-{}", r.id), "type": "GENERATION",
        "start_time": "2026-11-21 12:00:00.000000", "end_time": "2026-11-21 12:00:01.200000",
        "name": "OpenAI-generation", "metadata": {}, "level": "ERROR", "status_message": r.flat(),
        "input": "[]", "output": null, "provided_model_name": r.model, "usage_details": {},
    }))
}

/// OTLP span: status ERROR with the exception string as its message, the
/// HTTP status as an attribute when it was logged.
pub fn otlp(r: &Row) -> Option<Value> {
    let r = r.raised()?;
    let s = |k: &str, v: &str| json!({"key": k, "value": {"stringValue": v}});
    let mut attrs = vec![s("gen_ai.operation.name", "chat")];
    attrs.extend(r.provider.as_deref().map(|p| s("gen_ai.system", p)));
    attrs.extend(r.model.as_deref().map(|m| s("gen_ai.request.model", m)));
    attrs.extend(r.status.map(
        |c| json!({"key": "http.response.status_code", "value": {"intValue": c.to_string()}}),
    ));
    let span = json!({
        "traceId": "1b5a6f8adc4d74fd969ad233244465d3", "spanId": format!("span-{}", r.id),
        "name": "chat", "kind": 3, "startTimeUnixNano": "1795262400000000000",
        "endTimeUnixNano": "1795262401200000000", "attributes": attrs,
        "status": {"code": 2, "message": r.flat()},
    });
    Some(json!({"resourceSpans": [{"resource": {"attributes": [s("service.name", "app")]},
        "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.openai_v2"}, "spans": [span]}]}]}))
}

/// A value as Python's `repr` prints it (what openai-python and LiteLLM
/// embed in their exception strings).
pub fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".to_string(),
        Value::Bool(true) => "True".to_string(),
        Value::Bool(false) => "False".to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => py_str(s),
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => {
            let items: Vec<String> =
                m.iter().map(|(k, v)| format!("{}: {}", py_str(k), py_repr(v))).collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

fn py_str(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::from(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(q);
    out
}
