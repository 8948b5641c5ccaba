//! Honest times and values (issue 9, items 2 and 4): an impossible time,
//! latency, status, retry-after or attempt is dropped from its record and
//! counted with its places; the record still counts, and time ranges,
//! timelines and breakdown buckets never see a dropped time.

use serde_json::{Value, json};

use super::util::*;

/// Lines 1-12 (13 is blank): every kind of dropped value beside valid
/// records, all between 10:00 and 10:09 on 2026-11-21 when their time is valid.
fn hostile_values_log() -> String {
    [
        r#"{"ts":"2026-11-21T10:00:00Z","model":"gpt-4o","status":200,"latency_ms":100}"#,
        r#"{"ts":"2026-02-30T10:00:00Z","model":"gpt-4o","status":500,"error":"boom"}"#,
        r#"{"ts":"2026-11-21T10:00:00+99:99","model":"gpt-4o","status":200}"#,
        r#"{"ts":99999999999,"model":"gpt-4o","status":429,"error":{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","code":"insufficient_quota"}}}"#,
        r#"{"ts":1e300,"model":"gpt-4o","status":200}"#,
        r#"{"ts":"2026-11-21T10:05:00Z","model":"gpt-4o","status":200,"latency_ms":-5}"#,
        r#"{"ts":"2026-11-21T10:06:00Z","model":"gpt-4o","status":503,"error":"overloaded","latency_ms":1e12}"#,
        r#"{"ts":"2026-11-21T10:07:00Z","model":"gpt-4o","status":999}"#,
        r#"{"ts":"2026-11-21T10:08:00Z","model":"gpt-4o","status":0}"#,
        r#"{"ts":"2026-11-21T10:09:00Z","model":"gpt-4o","status":"-1","error":"openai.APITimeoutError: Request timed out."}"#,
        r#"{"ts":"2026-11-21T10:03:00Z","model":"gpt-4o","status":429,"error":"Rate limit reached","retry_after":-3,"attempt":-1}"#,
        r#"{"ts":253402300799,"model":"gpt-4o","status":200}"#,
        "",
    ]
    .join("\n")
        + "\n"
}

fn dropped(report: &Value) -> Vec<(String, u64, Vec<u64>)> {
    let map = report["summary"]["dropped_values"].as_object().unwrap();
    let line_of = |p: &Value| p.as_str().unwrap().rsplit(':').next().unwrap().parse().unwrap();
    map.iter()
        .map(|(id, row)| {
            let lines = row["first"].as_array().unwrap().iter().map(line_of).collect();
            (id.clone(), row["count"].as_u64().unwrap(), lines)
        })
        .collect()
}

#[test]
fn dropped_values_are_counted_with_places_and_records_kept() {
    let dir = TempDir::new("values");
    let path = dir.write("app.jsonl", hostile_values_log());
    let r = analyze_json(&[path.to_str().unwrap()]);
    let s = &r["summary"];
    let n = |k: &str| s[k].as_u64().unwrap();
    assert_eq!((n("lines"), n("records"), n("blank"), n("malformed")), (13, 12, 1, 0));
    assert_eq!(n("failures"), 6, "2-30, quota, 503, status 0, timeout, rate limit: none lost");
    assert_eq!(n("invalid_time"), 5);
    let s = |id: &str, count, lines: &[u64]| (id.to_string(), count, lines.to_vec());
    assert_eq!(
        dropped(&r),
        [
            s("invalid_attempt", 1, &[11]),
            s("invalid_latency", 2, &[6, 7]),
            s("invalid_retry_after", 1, &[11]),
            s("invalid_status", 2, &[8, 10]),
            s("invalid_time", 5, &[2, 3, 4, 5, 12]),
        ]
    );
    let causes: Vec<&str> =
        r["causes"].as_array().unwrap().iter().map(|c| c["category"].as_str().unwrap()).collect();
    assert!(causes.contains(&"quota.exhausted") && causes.contains(&"network.timeout"));
    let signatures: Vec<&str> = r["unclassified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["signature"].as_str().unwrap())
        .collect();
    assert!(signatures.contains(&"no status and no error message"), "status 0: {signatures:?}");
}

#[test]
fn dropped_times_stay_out_of_ranges_timelines_and_buckets() {
    let dir = TempDir::new("values-time");
    let path = dir.write("app.jsonl", hostile_values_log());
    let p = path.to_str().unwrap();
    let r = analyze_json(&["--by", "model", "--every", "1h", p]);
    let range = &r["summary"]["time_range"];
    assert_eq!(range, &json!({"start": "2026-11-21T10:00:00Z", "end": "2026-11-21T10:09:00Z"}));
    let buckets = r["timeline"]["buckets"].as_array().unwrap();
    let timed: u64 = buckets.iter().map(|b| b["requests"].as_u64().unwrap()).sum();
    assert_eq!(timed, 7, "only the records with a valid time are on the timeline");
    assert!(buckets.iter().all(|b| b["start"].as_str().unwrap().starts_with("2026-11-21T10:")));
    for c in r["causes"].as_array().unwrap() {
        for k in ["first_seen", "last_seen"] {
            let t = c[k].as_str().unwrap_or("2026-11-21T10:00:00Z");
            assert!(t.starts_with("2026-11-21T10:0"), "{} {k} {t}", c["category"]);
        }
    }
    let rows = r["breakdown"]["rows"].as_array().unwrap();
    let bucketed: Vec<&Value> = rows.iter().filter(|row| !row["bucket"].is_null()).collect();
    assert!(bucketed.iter().all(|row| row["bucket"] == "2026-11-21T10:00:00Z"), "{rows:?}");
    let requests =
        |rows: &[&Value]| -> u64 { rows.iter().map(|r| r["requests"].as_u64().unwrap()).sum() };
    assert_eq!(requests(&bucketed), 7);
    assert_eq!(requests(&rows.iter().collect::<Vec<_>>()), 12, "no record lost");
    for f in r["findings"].as_array().unwrap() {
        for k in ["start", "end"] {
            let t = f[k].as_str().unwrap_or("2026-11-21T10:00:00Z");
            assert!(t.starts_with("2026-11-21T1"), "{f}");
        }
    }
}

#[test]
fn dropped_values_are_the_same_for_any_threads_and_chunk_size() {
    let dir = TempDir::new("values-determinism");
    let path = dir.write("big.jsonl", hostile_values_log().repeat(40));
    let p = path.to_str().unwrap();
    let base = ok_stdout(&errlens(&["analyze", "--format", "json", "--threads", "1", p], None), 0);
    assert!(base.contains(r#""invalid_time": 200"#), "{base}");
    for (threads, chunk) in [("2", "1"), ("2", "333"), ("3", "4096")] {
        let out = errlens(
            &["analyze", "--format", "json", "--threads", threads, "--chunk-size", chunk, p],
            None,
        );
        assert_eq!(ok_stdout(&out, 0), base, "threads {threads} chunk {chunk}");
    }
}

#[test]
fn every_summary_shows_the_dropped_values() {
    let dir = TempDir::new("values-formats");
    let path = dir.write("app.jsonl", hostile_values_log());
    let p = path.to_str().unwrap();
    let line = format!(
        "invalid_latency 2 ({p}:6, {p}:7), invalid_retry_after 1 ({p}:11), invalid_status 2 ({p}:8, {p}:10)"
    );
    let text = ok_stdout(&errlens(&["analyze", "--color", "never", p], None), 0);
    // Wrapped to the width: compared with the white space folded.
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        folded.contains(&format!("dropped values: invalid_attempt 1 ({p}:11), {line}")),
        "{text}"
    );
    let md = ok_stdout(&errlens(&["analyze", "--format", "markdown", p], None), 0);
    assert!(md.contains("| dropped values | invalid_attempt 1"), "{md}");
    // Markdown lines stop at 300 characters: the list is cut there, whole in HTML.
    assert!(md.contains(&format!("invalid_latency 2 ({p}:6, {p}:7)")), "{md}");
    let html = ok_stdout(&errlens(&["analyze", "--format", "html", p], None), 0);
    assert!(html.contains("dropped values") && html.contains(&line), "{html}");
}

#[test]
fn a_dropped_time_outside_the_window_is_still_noted() {
    let dir = TempDir::new("values-window");
    let path = dir.write("app.jsonl", hostile_values_log());
    let r = analyze_json(&["--since", "2026-11-21T10:05:00Z", path.to_str().unwrap()]);
    let s = &r["summary"];
    let n = |k: &str| s[k].as_u64().unwrap();
    assert_eq!(n("lines"), n("records") + n("out_of_range") + n("blank") + n("malformed"));
    assert_eq!((n("records"), n("out_of_range")), (5, 7), "no time: outside any window");
    assert_eq!(n("invalid_time"), 5);
    assert_eq!(s["time_range"]["start"], "2026-11-21T10:05:00Z");
}

#[test]
fn adapted_formats_go_through_the_same_checks() {
    let dir = TempDir::new("values-adapted");
    let log = [
        r#"{"t":"2026-02-30T00:00:00Z","s":500,"d":5}"#,
        r#"{"t":639308520000000000,"s":200,"d":-1}"#,
        r#"{"t":"2026-11-21T10:00:00Z","s":0}"#,
        r#"{"t":1795255200000,"s":"abc"}"#,
    ]
    .join("\n");
    let path = dir.write("gateway.jsonl", log);
    let p = path.to_str().unwrap();
    let r = analyze_json(&["--map", "ts=/t", "--map", "status=/s", "--map", "latency_ms=/d", p]);
    let s = &r["summary"];
    assert_eq!((s["records"].as_u64(), s["failures"].as_u64()), (Some(4), Some(2)));
    let range = &s["time_range"];
    assert_eq!(range, &json!({"start": "2026-11-21T10:00:00Z", "end": "2026-11-21T10:00:00Z"}));
    let got: Vec<(String, u64)> = dropped(&r).into_iter().map(|(id, n, _)| (id, n)).collect();
    let want = [("invalid_latency", 1), ("invalid_status", 1), ("invalid_time", 1)];
    assert_eq!(got, want.map(|(id, n)| (id.to_string(), n)));
}
