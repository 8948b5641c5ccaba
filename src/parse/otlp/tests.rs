use serde_json::{Value, json};

use super::value::attributes;
use super::*;

/// OTLP attributes from `(key, AnyValue)` pairs.
fn kv(pairs: &[(&str, Value)]) -> Value {
    pairs.iter().map(|(k, v)| json!({"key": k, "value": v})).collect()
}

fn s(v: &str) -> Value {
    json!({"stringValue": v})
}

/// A line of spans under one resource and scope.
fn traces(spans: Vec<Value>) -> Value {
    json!({"resourceSpans": [{"resource": {"attributes": kv(&[("service.name", s("api"))])},
        "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}]}]})
}

/// A line of log records under one resource and scope.
fn logs(scope: &str, records: Vec<Value>) -> Value {
    json!({"resourceLogs": [{"resource": {"attributes": kv(&[("service.name", s("api"))])},
        "scopeLogs": [{"scope": {"name": scope}, "logRecords": records}]}]})
}

/// A chat span of the GenAI conventions, with more attributes and members.
fn chat(id: &str, more: &[(&str, Value)], members: Value) -> Value {
    let mut attrs = vec![
        ("gen_ai.operation.name", s("chat")),
        ("gen_ai.system", s("openai")),
        ("gen_ai.request.model", s("gpt-4o")),
    ];
    attrs.extend(more.iter().cloned());
    let mut span = json!({"traceId": "t1", "spanId": id, "name": "chat gpt-4o", "kind": 3,
        "startTimeUnixNano": "1795255200000000000", "endTimeUnixNano": "1795255201500000000",
        "attributes": kv(&attrs)});
    span.as_object_mut().unwrap().extend(members.as_object().cloned().unwrap_or_default());
    span
}

/// An HTTP client span under `parent`.
fn http(id: &str, parent: &str, start: &str, status: u64, members: Value) -> Value {
    let mut span = json!({"traceId": "t1", "spanId": id, "parentSpanId": parent, "name": "POST",
        "kind": 3, "startTimeUnixNano": start,
        "attributes": kv(&[("http.request.method", s("POST")),
            ("http.response.status_code", json!({"intValue": status.to_string()}))])});
    span.as_object_mut().unwrap().extend(members.as_object().cloned().unwrap_or_default());
    span
}

fn records(items: &[Item]) -> Vec<&Map<String, Value>> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Record(r) => Some(r),
            Item::NotLlm => None,
        })
        .collect()
}

/// `R` for a record, `n` for not_llm, in line order.
fn shape(items: &[Item]) -> String {
    items.iter().map(|i| if matches!(i, Item::Record(_)) { 'R' } else { 'n' }).collect()
}

#[test]
fn llm_spans_become_records() {
    let line = traces(vec![
        chat(
            "a1",
            &[("http.response.status_code", json!({"intValue": "429"}))],
            json!({"status": {"code": 2, "message": "Error code: 429 - {'error': {'code': 'insufficient_quota'}}"}}),
        ),
        json!({"spanId": "b2", "name": "chat gpt-4o-mini", "startTimeUnixNano": "1795255202000000000",
            "attributes": kv(&[("gen_ai.provider.name", s("openai"))]), "status": {}}),
    ]);
    let items = items(&line);
    let spans = records(&items);
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0]["status"], json!(429));
    assert_eq!(spans[0]["latency_ms"], json!(1500.0));
    assert_eq!(spans[0]["provider"], json!("openai"));
    assert_eq!(spans[0]["endpoint"], json!("chat"));
    assert!(spans[0]["error"].as_str().unwrap().contains("insufficient_quota"));
    assert!(!spans[1].contains_key("error"));
    assert_eq!(spans[1]["request_id"], json!("b2"));
    let backwards = traces(vec![
        json!({"spanId": "c3", "startTimeUnixNano": "1795255202000000000",
        "endTimeUnixNano": "1795255201000000000", "attributes": kv(&[("gen_ai.system", s("openai"))])}),
    ]);
    assert_eq!(
        records(&super::items(&backwards))[0]["latency_ms"],
        json!(-1000.0),
        "not clamped to 0"
    );
}

#[test]
fn only_llm_calls_are_records() {
    let span = |attrs: &[(&str, Value)]| json!({"spanId": "x", "attributes": kv(attrs)});
    let calls = [
        span(&[("openinference.span.kind", s("LLM")), ("llm.model_name", s("gpt-4o"))]),
        span(&[("openinference.span.kind", s("EMBEDDING"))]),
        span(&[("llm.request.type", s("chat")), ("gen_ai.system", s("OpenAI"))]),
        span(&[("gen_ai.operation.name", s("embeddings"))]),
        span(&[("mlflow.spanType", s("\"CHAT_MODEL\""))]),
        span(&[("llm.vendor", s("OpenAI")), ("llm.request.model", s("gpt-3.5-turbo"))]),
    ];
    let others = [
        span(&[("openinference.span.kind", s("CHAIN")), ("llm.model_name", s("gpt-4o"))]),
        span(&[("openinference.span.kind", s("GUARDRAIL"))]),
        span(&[("traceloop.span.kind", s("workflow")), ("traceloop.workflow.name", s("w"))]),
        span(&[("gen_ai.operation.name", s("invoke_agent")), ("gen_ai.system", s("openai"))]),
        span(&[("gen_ai.operation.name", s("execute_tool"))]),
        span(&[("mlflow.spanType", s("\"RETRIEVER\""))]),
        // LiteLLM's raw_gen_ai_request child: only the provider's raw payload.
        span(&[("llm.openai.model", s("gpt-4o")), ("llm.openai.messages", s("[]"))]),
        span(&[("db.system", s("postgresql")), ("db.statement", s("SELECT 1"))]),
        span(&[]),
    ];
    assert_eq!(shape(&items(&traces(calls.to_vec()))), "RRRRRR");
    assert_eq!(shape(&items(&traces(others.to_vec()))), "nnnnnnnnn");
}

#[test]
fn server_spans_are_not_llm_even_when_they_failed() {
    let server = |kind: Value| {
        json!({"spanId": "s1", "name": "POST /answer", "kind": kind,
            "attributes": kv(&[("http.route", s("/answer")), ("http.response.status_code", json!({"intValue": "500"}))]),
            "status": {"code": 2, "message": "boom"}})
    };
    for kind in [json!(2), json!("SPAN_KIND_SERVER"), json!("SERVER")] {
        assert_eq!(shape(&items(&traces(vec![server(kind)]))), "n");
    }
    // With the LLM call's attributes (LiteLLM puts a failed call on its proxy span) it is the call.
    let mut litellm = server(json!(2));
    litellm["attributes"] =
        kv(&[("gen_ai.system", s("azure")), ("gen_ai.request.model", s("gpt-4o"))]);
    assert_eq!(shape(&items(&traces(vec![litellm]))), "R");
}

#[test]
fn http_children_lend_their_status_and_text() {
    let line = traces(vec![
        json!({"spanId": "srv", "kind": 2, "attributes": kv(&[("http.response.status_code", json!({"intValue": "500"}))])}),
        chat(
            "p1",
            &[("error.type", s("RateLimitError"))],
            json!({"parentSpanId": "srv", "status": {"code": 2}}),
        ),
        http("h1", "p1", "1795255200100000000", 429, json!({"status": {"code": 2}})),
        http(
            "h3",
            "p1",
            "1795255200900000000",
            429,
            json!({"status": {"code": 2, "message": "429 Too Many Requests"}}),
        ),
        http("h2", "p1", "1795255200500000000", 429, json!({})),
        http("orphan", "elsewhere", "1795255200500000000", 503, json!({"status": {"code": 2}})),
    ]);
    let items = items(&line);
    assert_eq!(shape(&items), "nRnnnn", "children and the server span are not records");
    let r = records(&items)[0];
    assert_eq!(r["status"], json!(429));
    assert_eq!(r["error"], json!("RateLimitError"), "the parent's own text stays");
    assert_eq!(r["attempt"], json!(2), "three HTTP attempts: two retries");

    // A parent without status or text takes the last child's.
    let line = traces(vec![
        chat("p1", &[], json!({"status": {"code": "STATUS_CODE_ERROR"}})),
        http(
            "h1",
            "p1",
            "1795255200100000000",
            503,
            json!({"status": {"code": 2, "message": "Service Unavailable"}}),
        ),
    ]);
    let r = records(&super::items(&line))[0].clone();
    assert_eq!(
        (r["status"].clone(), r["error"].clone()),
        (json!(503), json!("Service Unavailable"))
    );
    assert!(!r.contains_key("attempt"));

    // Retried to success: the last child's 200, no error.
    let line = traces(vec![
        chat("p1", &[], json!({})),
        http(
            "h1",
            "p1",
            "1795255200100000000",
            429,
            json!({"status": {"code": 2, "message": "429"}}),
        ),
        http("h2", "p1", "1795255200600000000", 200, json!({})),
    ]);
    let r = records(&super::items(&line))[0].clone();
    assert_eq!(r["status"], json!(200));
    assert!(!r.contains_key("error"));

    // The parent's own status wins; a child of another trace does not join.
    let line = traces(vec![
        chat("p1", &[("http.response.status_code", json!({"intValue": "400"}))], json!({})),
        http("h1", "p1", "1795255200100000000", 500, json!({"traceId": "other"})),
    ]);
    let r = records(&super::items(&line))[0].clone();
    assert_eq!(r["status"], json!(400));
}

#[test]
fn a_child_in_another_line_is_not_llm_and_the_parent_keeps_its_own() {
    let child = traces(vec![http("h1", "p1", "1795255200100000000", 429, json!({}))]);
    assert_eq!(shape(&items(&child)), "n");
    let parent = traces(vec![chat("p1", &[], json!({"status": {"code": 2}}))]);
    let r = records(&items(&parent))[0].clone();
    assert!(!r.contains_key("status"));
    assert_eq!(r["error"], flag(), "a failure without text, never a success");
}

#[test]
fn vocabularies_fill_model_provider_and_identity() {
    let line = traces(vec![
        json!({"spanId": "oi", "attributes": kv(&[
            ("openinference.span.kind", s("LLM")), ("llm.model_name", s("gpt-4o")),
            ("llm.provider", s("azure")), ("llm.system", s("openai")), ("user.id", s("u-123"))])}),
        json!({"spanId": "ll", "attributes": kv(&[
            ("gen_ai.system", s("azure")), ("llm.request.type", s("acompletion")),
            ("gen_ai.request.model", s("gpt-4o-prod")), ("llm.is_streaming", s("False")),
            ("metadata.user_api_key_hash", s("88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b")),
            ("metadata.user_api_key_alias", s("checkout-prod")),
            ("metadata.user_api_key_team_alias", s("checkout")), ("metadata.user_api_key_team_id", s("team-1")),
            ("metadata.user_api_key_user_id", s("alice")), ("metadata.user_api_key_org_id", s("org-9")),
            ("error.code", s("429")), ("error.type", s("RateLimitError")),
            ("error.message", s("litellm.RateLimitError: AzureException RateLimitError - Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds."))]),
            "status": {"code": 2}}),
        json!({"spanId": "az", "attributes": kv(&[("gen_ai.provider.name", s("azure.ai.openai")),
            ("gen_ai.response.model", s("gpt-4o-2024-11-20")), ("gen_ai.response.id", s("chatcmpl-1"))])}),
        json!({"spanId": "host", "attributes": kv(&[("gen_ai.system", s("openai")),
            ("server.address", s("my-res.openai.azure.com")), ("embedding.model_name", s("text-embedding-3-small"))])}),
        json!({"spanId": "ml", "attributes": {"mlflow.spanType": "\"LLM\"", "mlflow.llm.model": "\"gpt-4o\"", "mlflow.llm.provider": "\"openai\""},
            "status": {"code": "STATUS_CODE_ERROR", "message": ""},
            "events": [{"name": "exception", "attributes": {"exception.message": "Error code: 401 - {'error': {'code': 'invalid_api_key'}}"}}]}),
    ]);
    let items = items(&line);
    let r = records(&items);
    assert_eq!(r.len(), 5);
    assert_eq!(
        (&r[0]["model"], &r[0]["provider"], &r[0]["user"]),
        (&json!("gpt-4o"), &json!("azure"), &json!("u-123"))
    );
    let l = r[1];
    assert_eq!(l["key"], json!("checkout-prod"));
    assert_eq!(l["project"], json!("checkout"));
    assert_eq!(l["org"], json!("org-9"));
    assert_eq!(l["user"], json!("alice"));
    assert_eq!(l["status"], json!(429), "LiteLLM's error.code");
    assert_eq!(l["stream"], json!(false));
    assert_eq!(l["endpoint"], json!("acompletion"));
    assert!(l["error"].as_str().unwrap().contains("exceeded token rate limit"));
    assert_eq!(
        (&r[2]["provider"], &r[2]["model"], &r[2]["request_id"]),
        (&json!("azure"), &json!("gpt-4o-2024-11-20"), &json!("chatcmpl-1"))
    );
    assert_eq!(
        (&r[3]["provider"], &r[3]["model"]),
        (&json!("azure"), &json!("text-embedding-3-small"))
    );
    assert_eq!((&r[4]["model"], &r[4]["provider"]), (&json!("gpt-4o"), &json!("openai")));
    assert!(
        r[4]["error"].as_str().unwrap().starts_with("Error code: 401"),
        "the exception event's message"
    );
}

#[test]
fn attribute_values_in_every_form() {
    let attrs = attributes(Some(&kv(&[
        ("s", s("x")),
        ("i", json!({"intValue": "42"})),
        ("n", json!({"intValue": 7})),
        ("d", json!({"doubleValue": 0.5})),
        ("b", json!({"boolValue": true})),
        ("a", json!({"arrayValue": {"values": [s("stop"), {"intValue": "1"}]}})),
        ("kv", json!({"kvlistValue": {"values": [{"key": "k", "value": s("v")}]}})),
        ("empty", json!({})),
        ("snake", json!({"string_value": "y"})),
        ("quoted", s("\"LLM\"")),
    ])));
    let want = json!({"s": "x", "i": 42, "n": 7, "d": 0.5, "b": true, "a": ["stop", 1],
        "kv": {"k": "v"}, "empty": null, "snake": "y", "quoted": "LLM"});
    assert_eq!(Value::Object(attrs), want);
    let flat = attributes(Some(&json!({"gen_ai.system": "openai", "n": {"intValue": "3"}})));
    assert_eq!(Value::Object(flat), json!({"gen_ai.system": "openai", "n": 3}));
    // Proto field names (snake_case) are read as well as the JSON names.
    let snake = json!({"resource_spans": [{"scope_spans": [{"spans": [{"span_id": "z",
        "start_time_unix_nano": 1795255200000000000u64, "attributes": kv(&[("gen_ai.system", s("openai"))]),
        "status": {"code": "ERROR", "message": "Request timed out."}}]}]}]});
    let r = records(&items(&snake))[0].clone();
    assert_eq!(
        (r["request_id"].clone(), r["error"].clone()),
        (json!("z"), json!("Request timed out."))
    );
    let old = json!({"resourceSpans": [{"instrumentationLibrarySpans": [{"spans": [
        {"spanId": "o", "attributes": kv(&[("gen_ai.system", s("openai"))])}]}]}]});
    assert_eq!(shape(&items(&old)), "R");
}

#[test]
fn inference_events_are_records_and_message_events_are_not() {
    let event = |name: &str, attrs: &[(&str, Value)]| {
        json!({"timeUnixNano": "1795255200000000000", "eventName": name, "traceId": "t1", "spanId": "p1",
            "attributes": kv(attrs)})
    };
    let line = logs(
        "opentelemetry.instrumentation.openai_v2",
        vec![
            event(
                "gen_ai.client.inference.operation.details",
                &[
                    ("gen_ai.operation.name", s("chat")),
                    ("gen_ai.provider.name", s("openai")),
                    ("gen_ai.request.model", s("gpt-4o")),
                    ("gen_ai.response.id", s("chatcmpl-9")),
                ],
            ),
            event("gen_ai.user.message", &[("gen_ai.system", s("openai"))]),
            event("gen_ai.choice", &[("gen_ai.system", s("openai"))]),
            json!({"observedTimeUnixNano": "1795255201000000000", "attributes": kv(&[
            ("event.name", s("gen_ai.client.inference.operation.details")),
            ("gen_ai.request.model", s("gpt-4.1")), ("error.type", s("NotFoundError"))])}),
            json!({"attributes": kv(&[("event_name", s("gen_ai.content.prompt")), ("gen_ai.system", s("openai"))])}),
        ],
    );
    let items = items(&line);
    assert_eq!(shape(&items), "RnnRn");
    let r = records(&items);
    assert_eq!((&r[0]["model"], &r[0]["request_id"]), (&json!("gpt-4o"), &json!("chatcmpl-9")));
    assert!(!r[0].contains_key("error"));
    assert_eq!(r[0]["ts"], json!(1795255200000000000.0));
    assert_eq!(
        (&r[1]["error"], &r[1]["ts"]),
        (&json!("NotFoundError"), &json!(1795255201000000000.0))
    );
}

#[test]
fn exception_log_records_of_llm_clients_are_failures() {
    let exc = |etype: &str, message: &str, severity: Value| {
        let mut r = json!({"timeUnixNano": "1795255200000000000", "severityText": "ERROR",
            "attributes": kv(&[("exception.type", s(etype)), ("exception.message", s(message))])});
        r["severityNumber"] = severity;
        r
    };
    let quota = "Error code: 429 - {'error': {'message': 'You exceeded your current quota', 'code': 'insufficient_quota'}}";
    let app = logs(
        "myapp.handlers",
        vec![
            exc("openai.RateLimitError", quota, json!(17)),
            exc("RateLimitError", "Rate limit", json!(17)),
            exc("BadRequestError", quota, json!("SEVERITY_NUMBER_ERROR")),
            exc("KeyError", "'user'", json!(17)),
            exc("openai.RateLimitError", quota, json!(13)),
            json!({"severityNumber": 9, "body": {"stringValue": "Example log record"}}),
        ],
    );
    let items = items(&app);
    assert_eq!(shape(&items), "RRRnnn", "generic exceptions and warnings are not LLM failures");
    assert_eq!(records(&items)[0]["error"], json!(quota));
    // From a client's logger, any exception is the client's.
    let client =
        logs("openai._base_client", vec![exc("httpx.ConnectTimeout", "timed out", json!(17))]);
    assert_eq!(shape(&super::items(&client)), "R");
    let old = json!({"resourceLogs": [{"instrumentationLibraryLogs": [{"instrumentationLibrary": {"name": "litellm"},
        "logRecords": [exc("Exception", "boom", json!(0))]}]}]});
    assert_eq!(shape(&super::items(&old)), "R");
}

#[test]
fn an_exception_of_an_inference_events_span_joins_it() {
    let line = logs(
        "app",
        vec![
            json!({"eventName": "gen_ai.client.inference.operation.details", "traceId": "t1", "spanId": "p1",
            "attributes": kv(&[("gen_ai.request.model", s("gpt-4o")), ("error.type", s("RateLimitError"))])}),
            json!({"traceId": "t1", "spanId": "p1", "severityNumber": 17, "attributes": kv(&[
            ("exception.type", s("openai.RateLimitError")), ("exception.message", s("Error code: 429 - {...}"))])}),
            json!({"traceId": "t1", "spanId": "p2", "severityNumber": 17, "attributes": kv(&[
            ("exception.type", s("openai.APIConnectionError")), ("exception.message", s("Connection error."))])}),
        ],
    );
    let items = items(&line);
    assert_eq!(shape(&items), "RnR");
    assert_eq!(records(&items)[0]["error"], json!("Error code: 429 - {...}"));
}

#[test]
fn a_line_of_both_signals_or_of_neither() {
    let mut both = traces(vec![chat("p1", &[], json!({}))]);
    both["resourceLogs"] =
        logs("app", vec![json!({"body": {"stringValue": "hi"}})])["resourceLogs"].clone();
    assert_eq!(shape(&items(&both)), "Rn");
    assert!(items(&json!({"resourceSpans": []})).is_empty());
    assert!(
        items(&json!({"resourceSpans": [{"scopeSpans": [{"spans": "x"}]}], "resourceLogs": 3}))
            .is_empty()
    );
}

#[test]
fn a_framework_span_around_the_client_span_is_one_call() {
    let llm = |id: &str, parent: Option<&str>, name: &str| {
        let mut span = json!({"traceId": "t1", "spanId": id, "name": name, "attributes": kv(&[
            ("openinference.span.kind", s("LLM")), ("llm.model_name", s("gpt-4o"))]),
            "status": {"code": 2, "message": format!("{name} failed")}});
        if let Some(p) = parent {
            span["parentSpanId"] = json!(p);
        }
        span
    };
    // LangChain's ChatOpenAI around two OpenAI ChatCompletion attempts (its own retry).
    let line = traces(vec![
        llm("c1", Some("w"), "ChatCompletion"),
        llm("c2", Some("w"), "ChatCompletion"),
        llm("w", Some("chain"), "ChatOpenAI"),
        json!({"traceId": "t1", "spanId": "chain", "attributes": kv(&[("openinference.span.kind", s("CHAIN"))])}),
    ]);
    let items = items(&line);
    assert_eq!(shape(&items), "RRnn");
    assert_eq!(records(&items)[0]["error"], json!("ChatCompletion failed"));
    // Alone in its line, the wrapper is the only record of the call.
    assert_eq!(shape(&super::items(&traces(vec![llm("w", Some("chain"), "ChatOpenAI")]))), "R");
}
