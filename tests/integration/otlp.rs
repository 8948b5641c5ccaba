//! OpenTelemetry as it is emitted: only LLM calls are requests (other spans
//! and log records are `not_llm`, in the accounting), HTTP child spans lend
//! their status instead of being second failures, the app's server spans
//! never give a provider's cause, and the logs signal is read by detection
//! and `--input-format otlp` alike.

use serde_json::Value;

use super::util::*;

fn sample(file: &str) -> String {
    format!("{}/samples/formats/{file}", env!("CARGO_MANIFEST_DIR"))
}

fn n(summary: &Value, key: &str) -> u64 {
    summary[key].as_u64().unwrap_or_else(|| panic!("{key} in {summary}"))
}

/// `lines = records + out_of_range + not_llm - extra_records + blank +
/// malformed + unrecognized`.
fn assert_accounted(s: &Value) {
    assert_eq!(
        n(s, "lines"),
        n(s, "records") + n(s, "out_of_range") + n(s, "not_llm") - n(s, "extra_records")
            + n(s, "blank")
            + n(s, "malformed")
            + n(s, "unrecognized"),
        "{s}"
    );
}

fn causes(report: &Value) -> Vec<String> {
    let causes = report["causes"].as_array().unwrap();
    causes.iter().map(|c| c["category"].as_str().unwrap().to_string()).collect()
}

#[test]
fn only_llm_calls_are_requests_in_every_sample() {
    // file, records, failures, not_llm
    let want = [
        ("otlp.jsonl", 22, 12, 15),
        ("otlp-logs.jsonl", 6, 5, 10),
        ("otlp-openinference.jsonl", 7, 4, 6),
        ("otlp-litellm.jsonl", 6, 3, 8),
    ];
    for (file, records, failures, not_llm) in want {
        let r = analyze_json(&[&sample(file)]);
        let s = &r["summary"];
        assert_eq!(s["files"][0]["format"], "otlp", "{file}");
        assert_eq!(
            (n(s, "records"), n(s, "failures"), n(s, "not_llm")),
            (records, failures, not_llm),
            "{file}"
        );
        assert_eq!(n(s, "unrecognized"), 0, "{file}");
        assert_accounted(s);
    }
}

#[test]
fn server_spans_and_http_children_are_not_failures() {
    let r = analyze_json(&[&sample("otlp.jsonl")]);
    let causes = causes(&r);
    // Line 15: the app's server span answered 500 and its httpx child got 429:
    // one failure, the call's own rate limit; no server error of the provider.
    assert!(!causes.iter().any(|c| c == "server.internal_error"), "{causes:?}");
    assert!(causes.iter().any(|c| c == "rate_limit.tokens"), "{causes:?}");
    // Line 16: the call's status came from its HTTP child.
    assert!(causes.iter().any(|c| c == "server.bad_gateway"), "{causes:?}");
}

#[test]
fn litellm_identity_reaches_the_report() {
    let r = analyze_json(&[&sample("otlp-litellm.jsonl")]);
    let rate = r["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "rate_limit.tokens")
        .expect("the Azure 429 of the proxy span")
        .clone();
    assert_eq!(rate["top_keys"][0]["name"], "checkout-prod", "{rate}");
    assert_eq!(
        causes(&r),
        ["auth.invalid_api_key", "rate_limit.tokens", "safety.content_filter"].map(String::from)
    );
}

#[test]
fn a_file_of_only_non_llm_spans_and_logs_says_so() {
    let dir = TempDir::new("otlp-none");
    let lines = [
        // opentelemetry-proto examples/trace.json and examples/logs.json, on one line each.
        r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"my.service"}}]},"scopeSpans":[{"scope":{"name":"my.library","version":"1.0.0","attributes":[{"key":"my.scope.attribute","value":{"stringValue":"some scope attribute"}}]},"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","parentSpanId":"EEE19B7EC3C1B173","name":"I'm a server span","startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000","kind":2,"attributes":[{"key":"my.span.attr","value":{"stringValue":"some value"}}]}]}]}]}"#,
        r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"my.service"}}]},"scopeLogs":[{"scope":{"name":"my.library","version":"1.0.0"},"logRecords":[{"timeUnixNano":"1544712660300000000","observedTimeUnixNano":"1544712660300000000","severityNumber":10,"severityText":"Information","traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","body":{"stringValue":"Example log record"}}]}]}]}"#,
        r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"a1","spanId":"b1","name":"GET /orders","kind":2,"attributes":[{"key":"http.response.status_code","value":{"intValue":"500"}}],"status":{"code":2}},{"traceId":"a1","spanId":"b2","parentSpanId":"b1","name":"SELECT","kind":3,"attributes":[{"key":"db.system","value":{"stringValue":"postgresql"}}]}]}]}]}"#,
    ];
    let path = dir.write("spans.jsonl", lines.join("\n") + "\n");
    let p = path.to_str().unwrap();
    let s = analyze_json(&[p])["summary"].clone();
    assert_eq!((n(&s, "records"), n(&s, "not_llm"), n(&s, "extra_records")), (0, 4, 1));
    assert_eq!(s["files"][0]["format"], "otlp");
    assert_accounted(&s);
    let text = ok_stdout(&errlens(&["analyze", p], None), 0);
    assert!(text.contains("4 non-LLM records"), "the text report says what it read:\n{text}");
}

#[test]
fn detection_and_input_format_agree_on_the_logs_signal() {
    let path = sample("otlp-logs.jsonl");
    let detected = analyze_json(&[&path]);
    let forced = analyze_json(&["--input-format", "otlp", &path]);
    assert_eq!(detected["summary"]["files"][0]["format"], "otlp");
    assert_eq!(detected["summary"], forced["summary"]);
    assert_eq!(detected["causes"], forced["causes"]);
}

#[test]
fn chunking_does_not_change_what_an_otlp_file_holds() {
    let path = sample("otlp.jsonl");
    let whole = analyze_json(&[&path]);
    for size in ["1", "4096"] {
        let cut = analyze_json(&["--chunk-size", size, "--threads", "2", &path]);
        assert_eq!(whole["summary"], cut["summary"], "--chunk-size {size}");
        assert_eq!(whole["causes"], cut["causes"], "--chunk-size {size}");
    }
}
