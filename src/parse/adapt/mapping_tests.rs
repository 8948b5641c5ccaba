//! Mappings of the embedded formats: whole bodies reach unwrapping only for
//! failures, APIM names its deployment, negative latencies are dropped.

use serde_json::{Value, json};

use super::*;

fn mapping(name: &str) -> &'static Mapping {
    mappings().iter().find(|m| m.name == name).unwrap()
}

#[test]
fn bodies_go_whole_to_unwrapping_only_when_the_record_failed() {
    let error = |name: &str, line: Value| mapping(name).translate(&line).remove("error");
    let completion = json!({"id": "chatcmpl-1", "choices": [{"finish_reason": "stop"}]});
    let wrapper = json!({"helicone-message": "Helicone ran into an error", "support": "s"});
    let azure = "{\"error\":{\"code\":\"429\",\"message\":\"m\"}}";
    let cases = [
        ("helicone", json!({"response_status": 200, "response_body": completion}), None),
        (
            "helicone",
            json!({"response_status": 500, "response_body": wrapper}),
            Some(wrapper.clone()),
        ),
        (
            "helicone",
            json!({"response_status": 502, "response_body": "<html>502</html>"}),
            Some(json!("<html>502</html>")),
        ),
        (
            "helicone",
            json!({"response_status": 200, "response_body": {"error": {"code": "x"}}}),
            Some(json!({"error": {"code": "x"}})),
        ),
        ("helicone", json!({"response_status": 404, "response_body": null}), None),
        (
            "portkey",
            json!({"response_status_code": 429, "response.body": {"error": {"message": "m"}, "provider": "openai"}}),
            Some(json!({"error": {"message": "m"}, "provider": "openai"})),
        ),
        ("portkey", json!({"response_status_code": 200, "response": {"body": completion}}), None),
        (
            "azure_apim_gateway",
            json!({"properties": {"backendResponseCode": 429, "backendResponseBody": azure}}),
            Some(json!(azure)),
        ),
        (
            "azure_apim_gateway",
            json!({"properties": {"responseCode": 504, "lastError": {"reason": "Timeout"}}}),
            Some(json!({"reason": "Timeout"})),
        ),
        (
            "azure_apim_gateway",
            json!({"properties": {"responseCode": 200, "lastError": {"reason": "ClientConnectionFailure"}}}),
            None,
        ),
        (
            "openai_batch",
            json!({"custom_id": "a", "response": {"status_code": 400, "body": {"error": {"code": "c"}}}, "error": null}),
            Some(json!({"error": {"code": "c"}})),
        ),
        (
            "openai_batch",
            json!({"custom_id": "a", "response": null, "error": {"code": "batch_expired"}}),
            Some(json!({"code": "batch_expired"})),
        ),
        (
            "langfuse",
            json!({"level": "ERROR", "output": "litellm.APIError: boom"}),
            Some(json!("litellm.APIError: boom")),
        ),
        (
            "langfuse",
            json!({"level": "DEFAULT", "output": {"error": "a model's JSON answer"}}),
            None,
        ),
        (
            "litellm_slp",
            json!({"status": "failure", "error_str": null, "error_information": {"error_class": "RateLimitError"}}),
            Some(json!({"error_class": "RateLimitError"})),
        ),
    ];
    for (name, line, want) in cases {
        assert_eq!(error(name, line.clone()), want, "{name} {line}");
    }
}

#[test]
fn apim_names_the_deployment_from_the_url_or_the_request_body() {
    let model = |props: Value| {
        mapping("azure_apim_gateway").translate(&json!({"properties": props})).remove("model")
    };
    let url = "https://aoai.openai.azure.com/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21";
    assert_eq!(model(json!({"backendUrl": url})), Some(json!("gpt-4o-prod")));
    assert_eq!(
        model(json!({"url": "https://apim.azure-api.net/deployments/mini/embeddings"})),
        Some(json!("mini"))
    );
    let v1 = json!({"backendUrl": "https://aoai.openai.azure.com/openai/v1/chat/completions",
        "requestBody": "{\"model\":\"gpt-4.1-eu\",\"messages\":[]}"});
    assert_eq!(model(v1), Some(json!("gpt-4.1-eu")));
    assert_eq!(model(json!({"backendUrl": "https://aoai.openai.azure.com/openai/models"})), None);
}

#[test]
fn negative_latencies_are_dropped_in_every_adapter() {
    for m in mappings() {
        let Some(first) = m.fields.get("latency_ms").and_then(|s| s.first()) else { continue };
        let Source::Pointer(pointer) = first else { continue };
        let line =
            pointer.rsplit('/').filter(|k| !k.is_empty()).fold(json!(-1500), |v, k| json!({k: v}));
        let text = Value::Object(m.translate(&line)).to_string();
        let crate::parse::Line::Record(record) = crate::parse::parse_line(&text) else {
            panic!("{}: {text}", m.name)
        };
        assert_eq!(record.latency_ms, None, "{}", m.name);
        assert!(record.invalid.contains(check::Invalid::Latency), "{}", m.name);
    }
    let m = Mapping::from_flags(&["latency_ms=/a".into(), "latency_ms=/b".into()]).unwrap();
    assert_eq!(m.translate(&json!({"a": -3, "b": "250"}))["latency_ms"], json!("250"));
}

#[test]
fn map_flags_name_a_whole_body_too() {
    let m = Mapping::from_flags(&[
        "status=/response/status_code".into(),
        "error_body=/response/body".into(),
    ])
    .unwrap();
    let ok = json!({"response": {"status_code": 200, "body": {"choices": []}}});
    assert!(!m.translate(&ok).contains_key("error"));
    let failed = json!({"response": {"status_code": 503, "body": "upstream connect error"}});
    assert_eq!(m.translate(&failed)["error"], json!("upstream connect error"));
    let err = Mapping::from_flags(&["body=/x".into()]).unwrap_err().to_string();
    assert!(err.contains("error_body"), "{err}");
}
