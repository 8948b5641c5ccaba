use super::*;

fn text(s: &str) -> ErrorInfo {
    unwrap_text(s, None)
}

#[test]
fn error_object_and_inner_object() {
    let outer = unwrap_raw(
        br#"{"error":{"message":"m","type":"tokens","param":null,"code":"rate_limit_exceeded"}}"#,
        Some(429),
    );
    let inner = unwrap_raw(
        br#"{"message":"m","type":"tokens","param":null,"code":"rate_limit_exceeded"}"#,
        Some(429),
    );
    assert_eq!(outer, inner);
    assert_eq!(outer.code.as_deref(), Some("rate_limit_exceeded"));
    assert_eq!(outer.etype.as_deref(), Some("tokens"));
    assert_eq!(outer.message, "m");
    assert!(!outer.status_inferred);
}

#[test]
fn python_repr_with_status_prefix() {
    let info = text(
        "openai.RateLimitError: Error code: 429 - {'error': {'message': \"You exceeded your current quota, it's over.\", 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}",
    );
    assert_eq!(info.status, Some(429));
    assert!(info.status_inferred);
    assert_eq!(info.code.as_deref(), Some("insufficient_quota"));
    assert_eq!(info.message, "You exceeded your current quota, it's over.");
    assert!(info.context.contains("openai.RateLimitError"));
}

#[test]
fn js_object_literal() {
    let info = text(
        "{\n  message: 'Rate limit reached for gpt-4',\n  type: 'tokens',\n  param: null,\n  code: 'rate_limit_exceeded'\n}",
    );
    assert_eq!(info.etype.as_deref(), Some("tokens"));
    assert_eq!(info.message, "Rate limit reached for gpt-4");
}

#[test]
fn json_inside_json_strings() {
    let inner = r#"{"error":{"message":"deep","code":"content_filter"}}"#;
    let mid = serde_json::json!({ "error": { "message": "Provider returned error", "metadata": { "raw": inner } } });
    let outer = serde_json::json!({ "detail": serde_json::to_string(&mid).unwrap() });
    let info = unwrap_raw(outer.to_string().as_bytes(), Some(400));
    assert_eq!(info.message, "deep");
    assert_eq!(info.code.as_deref(), Some("content_filter"));
}

#[test]
fn gateway_wrapper() {
    let info = text(
        "litellm.RateLimitError: AzureException RateLimitError - {'error': {'code': '429', 'message': 'Requests to the ChatCompletions_Create Operation have exceeded call rate limit.'}} Received Model Group=gpt-4o LiteLLM Retried: 2 times, LiteLLM Max Retries: 3",
    );
    assert_eq!(info.provider.as_deref(), Some("azure"));
    assert_eq!(info.gateway_retries, Some(2));
    assert_eq!(info.status, Some(429));
    assert!(info.message.starts_with("Requests to the ChatCompletions_Create"));
}

#[test]
fn relay_suffixes_are_dropped() {
    let info = text(
        "Invalid 'tools[6].function.description': string too long. (request id: 2025a) (request id: 2025b)",
    );
    assert_eq!(info.message, "Invalid 'tools[6].function.description': string too long.");
}

#[test]
fn html_pages_give_status_and_host() {
    let info = text(
        "<html><head><title>api.openai.com | 502: Bad gateway</title></head><body>cloudflare</body></html>",
    );
    assert_eq!(info.status, Some(502));
    assert_eq!(info.host.as_deref(), Some("api.openai.com"));
    let proxy = text("<!DOCTYPE html><title>oai.hconeai.com | 522: Connection timed out</title>");
    assert_eq!(proxy.host.as_deref(), Some("oai.hconeai.com"));
    assert_eq!(proxy.status, Some(522));
    let bare = text("<html><head><title>502 Bad Gateway</title></head></html>");
    assert_eq!(bare.status, Some(502));
    assert_eq!(bare.host, None);
}

#[test]
fn stream_error_events() {
    let info = unwrap_raw(
        br#"{"type":"error","sequence_number":3,"error":{"type":"invalid_request_error","code":"previous_response_not_found","message":"Previous response with id 'resp_1' not found."}}"#,
        None,
    );
    assert_eq!(info.code.as_deref(), Some("previous_response_not_found"));
    assert_eq!(info.etype.as_deref(), Some("invalid_request_error"));
}

#[test]
fn status_inference() {
    assert_eq!(infer_status("HTTP 503 Service Unavailable"), Some(503));
    assert_eq!(infer_status("Error: 400 This model's maximum context length"), Some(400));
    assert_eq!(infer_status("status code: 401"), Some(401));
    assert_eq!(infer_status("openai.NotFoundError: boom"), Some(404));
    assert_eq!(infer_status("Request timed out."), None);
}

#[test]
fn record_status_wins_over_body_status() {
    let info = unwrap_raw(br#"{"status":400,"error":{"message":"x"}}"#, Some(429));
    assert_eq!(info.status, Some(429));
    assert!(!info.status_inferred);
}

#[test]
fn content_filter_finish_reason() {
    let info = unwrap_raw(
        br#"{"id":"c","choices":[{"finish_reason":"content_filter","index":0}]}"#,
        Some(200),
    );
    assert_eq!(info.code.as_deref(), Some("content_filter"));
}

#[test]
fn garbage_never_panics() {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let alphabet = b"{}[]\"'\\:,0123456789abcNoneTrue <title>|-\n";
    for len in 0..400 {
        let s: String = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                alphabet[(seed % alphabet.len() as u64) as usize] as char
            })
            .collect();
        let _ = unwrap_text(&s, None);
        let _ = unwrap_raw(s.as_bytes(), None);
    }
}
