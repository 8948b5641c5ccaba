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

#[test]
fn gateway_and_app_wrappers_give_their_message() {
    let raw = |v: serde_json::Value, status| unwrap_raw(v.to_string().as_bytes(), status);
    let helicone = raw(
        serde_json::json!({"helicone-message": "Helicone ran into an error servicing your request: TypeError: fetch failed",
            "support": "Please reach out on our discord or email us at help@helicone.ai, we'd love to help!",
            "helicone-error": "{}"}),
        Some(500),
    );
    assert!(helicone.message.starts_with("Helicone ran into an error"), "{helicone:?}");
    let fastapi = raw(
        serde_json::json!({"detail": [{"loc": ["body", "model"], "msg": "field required", "type": "value_error.missing"}]}),
        Some(422),
    );
    assert_eq!(fastapi.message, "field required");
    assert_eq!(fastapi.etype.as_deref(), Some("value_error.missing"));
    let framework = raw(
        serde_json::json!({"statusCode": 400, "error": "Bad Request", "message": "body must have required property 'model'"}),
        None,
    );
    assert_eq!(framework.message, "body must have required property 'model'");
    assert_eq!(framework.context, "Bad Request");
    assert_eq!(framework.status, Some(400));
    let apim = raw(
        serde_json::json!({"statusCode": 429, "message": "Rate limit is exceeded. Try again in 5 seconds."}),
        Some(429),
    );
    assert_eq!(apim.message, "Rate limit is exceeded. Try again in 5 seconds.");
    let relay =
        raw(serde_json::json!({"ok": false, "errorInfo": {"reason": "upstream quota"}}), Some(429));
    assert_eq!(relay.message, "upstream quota");
}

#[test]
fn an_envelope_nested_under_any_key_is_found() {
    let body = serde_json::json!({"response": {"status": {"http": {"code": 403, "description": ""}},
        "headers": {"policy-id": "ThrowExceptionDueToTrafficDenied"}},
        "result": {"error": {"code": "403", "message": "Access denied due to Virtual Network/Firewall rules."}}});
    let info = unwrap_raw(body.to_string().as_bytes(), Some(403));
    assert_eq!(info.message, "Access denied due to Virtual Network/Firewall rules.");
    assert_eq!(info.code.as_deref(), Some("403"));
}

#[test]
fn portkey_prefix_is_the_gateways_not_the_providers() {
    let info = unwrap_raw(
        br#"{"error":{"message":"azure-openai error: Resource not found","type":null,"param":null,"code":"404"},"provider":"azure-openai"}"#,
        Some(404),
    );
    assert_eq!(info.message, "Resource not found");
    assert_eq!(info.provider.as_deref(), Some("azure-openai"));
    assert!(info.context.contains("azure-openai error:"));
    let own = unwrap_raw(br#"{"error":{"message":"openai error: x"},"provider":"azure"}"#, None);
    assert_eq!(own.message, "openai error: x", "another provider's prefix stays");
}

#[test]
fn litellm_error_information_gives_class_and_status() {
    let info = unwrap_raw(
        br#"{"error_code":"429","error_class":"RateLimitError","llm_provider":"azure","error_message":null,"traceback":"Traceback ..."}"#,
        None,
    );
    assert_eq!(info.status, Some(429));
    assert_eq!(info.provider.as_deref(), Some("azure"));
    assert_eq!(info.context, "RateLimitError");
    let by_class = unwrap_raw(br#"{"error_code":"","error_class":"AuthenticationError"}"#, None);
    assert_eq!(by_class.status, Some(401));
}

#[test]
fn bodies_encoded_twice_and_pages_without_titles() {
    let inner = r#"{"error":{"message":"m","code":"rate_limit_exceeded"}}"#;
    let twice = serde_json::to_string(&serde_json::to_string(inner).unwrap()).unwrap();
    let info = unwrap_raw(twice.as_bytes(), Some(429));
    assert_eq!(info.code.as_deref(), Some("rate_limit_exceeded"));
    let h1 = text(
        "<html><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
    );
    assert_eq!(h1.message, "HTML error page: 502 Bad Gateway");
    assert_eq!(h1.status, Some(502));
    let plain =
        text("<!DOCTYPE html>\n<html><body><p>Upstream   service\n unavailable</p></body></html>");
    assert_eq!(plain.message, "HTML error page: Upstream service unavailable");
    assert_eq!(text("<b>not a page</b> 1 < 2").message, "<b>not a page</b> 1 < 2");
}

#[test]
fn typographic_quotes_and_wrapped_lines_read_as_written() {
    let curly = text("{“error”:{“code”:“404”,“message”: “Resource not found”}}");
    assert_eq!(curly.message, "Resource not found");
    assert_eq!(curly.code.as_deref(), Some("404"));
    assert_eq!(text("don’t retry").message, "don't retry");
    let wrapped = text("An assistant message must be\n      followed by tool messages");
    assert_eq!(wrapped.message, "An assistant message must be followed by tool messages");
    assert_eq!(text("one space only").message, "one space only");
}

#[test]
fn a_generic_outer_message_gives_way_to_a_specific_inner_one() {
    let body = br#"{"success":false,"msg":"API error","data":{"upstream":{"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}}}}"#;
    let info = unwrap_raw(body, Some(401));
    assert_eq!(info.message, "Incorrect API key provided");
    assert_eq!(info.code.as_deref(), Some("invalid_api_key"));
    assert!(info.context.contains("API error"), "{}", info.context);
    // A specific outer message stays, whatever is nested.
    let own =
        unwrap_raw(br#"{"message":"Rate limit reached","data":{"error":{"message":"x"}}}"#, None);
    assert_eq!(own.message, "Rate limit reached");
    for generic in [
        "API error",
        "upstream error",
        "Provider returned error",
        "Internal Server Error",
        "OpenAI API error.",
        "Request failed with status code 429",
    ] {
        assert!(object::is_generic(generic), "{generic}");
    }
    for specific in ["Rate limit reached", "Resource not found", "", "error: quota exceeded"] {
        assert!(!object::is_generic(specific), "{specific}");
    }
}

#[test]
fn a_sentence_in_param_is_joined_to_the_message() {
    let body = br#"{"error":{"message":"Param Incorrect","type":"upstream_error","param":"max_tokens is too large: 1048576. This model supports at most 131072 completion tokens","code":"400"}}"#;
    let info = unwrap_raw(body, Some(400));
    assert_eq!(
        info.message,
        "Param Incorrect: max_tokens is too large: 1048576. This model supports at most 131072 completion tokens"
    );
    assert_eq!(info.param, None);
    // A parameter's name or path stays the param.
    for param in ["max_tokens", "messages[0].content", "tools 0"] {
        let body = serde_json::json!({"error": {"message": "Invalid value", "param": param}});
        let info = unwrap_raw(body.to_string().as_bytes(), Some(400));
        assert_eq!((info.message.as_str(), info.param.as_deref()), ("Invalid value", Some(param)));
    }
    let alone =
        unwrap_raw(br#"{"error":{"message":"","param":"the model is overloaded now"}}"#, None);
    assert_eq!(alone.message, "the model is overloaded now");
}

#[test]
fn white_space_is_folded_as_characters_say_whatever_the_text() {
    // The definition: a white space character that is not a space, or that
    // follows another, needs folding.
    let by_chars = |text: &str| {
        let mut previous = false;
        text.chars().any(|c| {
            let run = c.is_whitespace() && (previous || c != ' ');
            previous = c.is_whitespace();
            run
        })
    };
    let pieces = [
        "a", " ", "  ", "\t", "\n", "\r", "\x0B", "\x0C", "\x1F", "é", "\u{85}", "\u{A0}",
        "\u{2003}", "日",
    ];
    let mut texts = vec![String::new()];
    for _ in 0..3 {
        texts = texts.iter().flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}"))).collect();
    }
    for text in &texts {
        assert_eq!(needs_folding(text), by_chars(text), "{text:?}");
        let folded = fold_whitespace(text);
        assert!(!by_chars(&folded), "{text:?} -> {folded:?}");
    }
}

#[test]
fn the_quick_checks_before_each_regex_let_through_what_it_matches() {
    // Unicode white space after a relay suffix or before an HTML page.
    let relayed = text("Bad request (request id: 2025a)\u{2003}\n");
    assert_eq!(relayed.message, "Bad request");
    let page = text("\u{a0} <html><body><h1>503 Service Unavailable</h1></body></html>");
    assert_eq!(page.message, "HTML error page: 503 Service Unavailable");
    // A gateway wrapper and a typographic quote anywhere in the text.
    let wrapped = text("OpenAIException - don’t retry");
    assert_eq!(wrapped.provider.as_deref(), Some("openai"));
    assert_eq!(wrapped.message, "OpenAIException - don't retry");
    // Texts the checks turn away: nothing taken from them.
    let plain = text("exception (request id: x) then more");
    assert_eq!(
        (plain.provider, plain.message.as_str()),
        (None, "exception (request id: x) then more")
    );
}
