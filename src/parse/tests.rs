use super::*;

fn record(line: &str) -> Record<'_> {
    match parse_line(line) {
        Line::Record(r) => r,
        other => panic!("{line}: {other:?}"),
    }
}

fn malformed(line: &[u8]) -> Malformed {
    match parse_bytes(line) {
        Line::Malformed(m) => m,
        other => panic!("{}: {other:?}", String::from_utf8_lossy(line)),
    }
}

#[test]
fn canonical_fields_and_aliases() {
    let r = record(
        r#"{"timestamp":"2026-11-21T10:00:00Z","status_code":"429","api_key_id":"k1","model":"gpt-4o","duration_ms":812.5,"error":{"error":{"message":"x"}},"attempt":2,"stream":true}"#,
    );
    assert_eq!(r.ts, Some(1_795_255_200_000));
    assert_eq!(r.status, Some(429));
    assert_eq!(r.key.unwrap().decode(), "k1");
    assert_eq!(r.model.unwrap().decode(), "gpt-4o");
    assert_eq!(r.latency_ms, Some(812.5));
    assert_eq!(r.attempt, Some(2));
    assert_eq!(r.stream, Some(true));
    assert!(r.error.unwrap().bytes().starts_with(b"{\"error\""));
    assert!(r.is_failure());
}

#[test]
fn canonical_name_wins_over_alias() {
    let r = record(r#"{"time":1,"ts":"2026-11-21T10:00:00Z","status":200,"status_code":500}"#);
    assert_eq!(r.ts, Some(1_795_255_200_000));
    assert_eq!(r.status, Some(200));
    assert!(!r.is_failure());
}

#[test]
fn epoch_timestamps_by_magnitude() {
    for ts in
        ["1795255200", "1795255200000", "1795255200000000", "1795255200000000000", "\"1795255200\""]
    {
        assert_eq!(record(&format!(r#"{{"ts":{ts}}}"#)).ts, Some(1_795_255_200_000), "{ts}");
    }
}

#[test]
fn failure_needs_status_or_error() {
    assert!(!record(r#"{"status":200,"error":null}"#).is_failure());
    assert!(!record(r#"{"status":200,"error":""}"#).is_failure());
    assert!(!record(r#"{"status":200,"error":{ }}"#).is_failure());
    assert!(!record(r#"{"error":false}"#).is_failure());
    assert!(record(r#"{"status":503}"#).is_failure());
    assert!(record(r#"{"error":"Request timed out."}"#).is_failure());
    assert!(record(r#"{"status":200,"error":{"type":"error"}}"#).is_failure());
    assert_eq!(record(r#"{"status":"success"}"#).status, None);
    assert_eq!(record(r#"{"status":4290}"#).status, None);
    assert_eq!(record(r#"{"status":429.0}"#).status, Some(429));
}

#[test]
fn escaped_strings_decode() {
    let r = record(r#"{"key":"a\"b\\c\u00e9\ud83d\ude00\n","model":"plain"}"#);
    assert_eq!(r.key.unwrap().decode(), "a\"b\\cé😀\n");
    assert!(matches!(r.model.unwrap().decode(), Cow::Borrowed("plain")));
}

#[test]
fn blank_and_crlf() {
    assert_eq!(parse_line(""), Line::Blank);
    assert_eq!(parse_line("  \t\r"), Line::Blank);
    assert_eq!(parse_bytes(b" \t"), Line::Blank);
    assert_eq!(record("{\"status\":200}\r").status, Some(200));
}

#[test]
fn malformed_reasons() {
    assert_eq!(malformed(b"{\"a\":1"), Malformed::InvalidJson);
    assert_eq!(malformed(b"{\"a\":1} x"), Malformed::InvalidJson);
    assert_eq!(malformed(b"{\"a\":01}"), Malformed::InvalidJson);
    assert_eq!(malformed(b"{\"a\":\"\\x\"}"), Malformed::InvalidJson);
    assert_eq!(malformed(b"{\"a\":\"tab\there\"}"), Malformed::InvalidJson);
    assert_eq!(malformed(b"{a:1}"), Malformed::InvalidJson);
    assert_eq!(malformed(b"{\"a\":[1,]}"), Malformed::InvalidJson);
    assert_eq!(malformed(b"{\"a\":tru}"), Malformed::InvalidJson);
    assert_eq!(malformed(b"[1,2]"), Malformed::NotAnObject);
    assert_eq!(malformed(b"\"hello\""), Malformed::NotAnObject);
    assert_eq!(malformed(b"42"), Malformed::NotAnObject);
    assert_eq!(malformed(b"{\"a\":\"\xff\"}"), Malformed::InvalidUtf8);
    assert_eq!(malformed(b"\x00\x01binary"), Malformed::InvalidJson);
}

#[test]
fn deep_nesting_is_bounded() {
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(malformed(deep.as_bytes()), Malformed::NestedTooDeep);
    let open = "[".repeat(100_000);
    assert_eq!(malformed(open.as_bytes()), Malformed::NestedTooDeep);
    let ok = format!("{{\"a\":{}{}}}", "[".repeat(100), "]".repeat(100));
    record(&ok);
}

#[test]
fn depth_bound_is_serde_json_s() {
    // Found with the parse fuzz harness's oracle: the skimmer took a line nested 128
    // deep that serde_json (adapted formats, error bodies) then rejected.
    let nested =
        |levels: usize| format!("{{\"a\":{}{}}}", "[".repeat(levels - 1), "]".repeat(levels - 1));
    let deepest = nested(MAX_DEPTH as usize);
    record(&deepest);
    assert!(serde_json::from_str::<serde_json::Value>(&deepest).is_ok());
    let deeper = nested(MAX_DEPTH as usize + 1);
    assert_eq!(malformed(deeper.as_bytes()), Malformed::NestedTooDeep);
    assert!(serde_json::from_str::<serde_json::Value>(&deeper).is_err());
}

#[test]
fn huge_line_is_a_record() {
    let big = format!(r#"{{"status":500,"error":"{}"}}"#, "x".repeat(30 << 20));
    assert_eq!(record(&big).status, Some(500));
}

#[test]
fn agrees_with_serde_json_on_validity() {
    let cases = [
        r#"{"a":[1,2,{"b":null}],"c":-0.5e+3}"#,
        r#"{"a":{}}"#,
        r#"{"a":[]}"#,
        r#"{ "a" : "x" , "b" : [ ] }"#,
        r#"{"a":1,}"#,
        r#"{"a":-}"#,
        r#"{"a":1.}"#,
        r#"{"a":.5}"#,
        r#"{"a":"\u12"}"#,
        r#"{"a" 1}"#,
        r#"{"a":[1 2]}"#,
        r#"{"a":{"b"}}"#,
    ];
    for case in cases {
        let ours = matches!(parse_line(case), Line::Record(_));
        let serde = serde_json::from_str::<serde_json::Value>(case).is_ok();
        assert_eq!(ours, serde, "{case}");
    }
}

fn dropped(line: &str) -> Vec<&'static str> {
    record(line).invalid.iter().map(Invalid::id).collect()
}

#[test]
fn implausible_times_are_dropped_with_a_reason() {
    for ts in [
        r#""2026-02-30T10:00:00Z""#,
        r#""2023-02-29""#,
        r#""2026-11-21T10:00:00+99:99""#,
        r#""2026-11-21T10:00:00+14:01""#,
        r#""1999-12-31T23:59:59Z""#,
        r#""yesterday""#,
        "99999999999",
        "253402300799",
        "1e300",
        "1e23",
        "-1795255200",
        "0",
        "true",
        "{}",
    ] {
        let line = format!(r#"{{"ts":{ts},"status":500}}"#);
        let r = record(&line);
        assert_eq!((r.ts, dropped(&line)), (None, vec!["invalid_time"]), "{ts}");
        assert!(r.is_failure(), "{ts}: the record stays, without its time");
    }
    for ts in [r#""2024-02-29T00:00:00Z""#, r#""2026-11-22T00:00:00+14:00""#, "1795255200"] {
        let line = format!(r#"{{"ts":{ts}}}"#);
        assert!(record(&line).ts.is_some(), "{ts}");
        assert!(dropped(&line).is_empty(), "{ts}");
    }
    for absent in [r#"{"ts":null}"#, r#"{"ts":""}"#, r#"{"status":200}"#] {
        assert!(dropped(absent).is_empty(), "{absent}");
    }
}

#[test]
fn implausible_latencies_retries_and_attempts_are_dropped() {
    for (line, want) in [
        (r#"{"latency_ms":-5}"#, "invalid_latency"),
        (r#"{"duration_ms":"NaN"}"#, "invalid_latency"),
        (r#"{"latency_ms":1e400}"#, "invalid_latency"),
        (r#"{"latency_ms":86400001}"#, "invalid_latency"),
        (r#"{"latency_ms":"fast"}"#, "invalid_latency"),
        (r#"{"retry_after":-1}"#, "invalid_retry_after"),
        (r#"{"retry_after":1e9}"#, "invalid_retry_after"),
        (r#"{"attempt":-1}"#, "invalid_attempt"),
        (r#"{"retries":2.5}"#, "invalid_attempt"),
        (r#"{"attempt":4294967296}"#, "invalid_attempt"),
    ] {
        let r = record(line);
        assert_eq!((r.latency_ms, r.retry_after, r.attempt), (None, None, None), "{line}");
        assert_eq!(dropped(line), [want], "{line}");
    }
    let r = record(r#"{"latency_ms":86400000,"retry_after":0.5,"attempt":3}"#);
    assert_eq!((r.latency_ms, r.retry_after, r.attempt), (Some(86_400_000.0), Some(0.5), Some(3)));
    assert!(r.invalid.is_empty());
}

#[test]
fn implausible_statuses_are_dropped_and_zero_means_no_response() {
    for status in ["999", "4290", "-1", "99", "600", "429.5", r#""success""#, r#""4xx""#] {
        let line = format!(r#"{{"status":{status}}}"#);
        let r = record(&line);
        assert_eq!((r.status, r.no_response), (None, false), "{status}");
        assert_eq!(dropped(&line), ["invalid_status"], "{status}");
        assert!(!r.is_failure(), "{status}: no status and no error");
    }
    for zero in [r#"{"status":0}"#, r#"{"status_code":"0"}"#] {
        let r = record(zero);
        assert_eq!((r.status, r.no_response), (None, true), "{zero}");
        assert!(r.invalid.is_empty(), "{zero}: 0 is a convention, not garbage");
        assert!(r.is_failure(), "{zero}: no response is a failure, error or not");
    }
    let r = record(r#"{"status":599,"error":null}"#);
    assert_eq!((r.status, r.is_failure()), (Some(599), true));
}

#[test]
fn a_byte_order_mark_may_start_any_line() {
    let r = record("\u{feff}{\"status\":429,\"model\":\"gpt-4o\"}");
    assert_eq!((r.status, r.model.map(|m| m.decode())), (Some(429), Some("gpt-4o".into())));
    assert_eq!(parse_line("\u{feff}"), Line::Blank);
    assert_eq!(malformed(b"{\"a\":\xEF\xBB\xBF1}"), Malformed::InvalidJson, "only at the start");
}
