//! Bounded memory and bounded reports (issue 9, item 13): tallies exact up to
//! `--max-distinct` and folded into "(other)" past it, the same for any thread
//! count and chunk size; time series coarsened past it; report tables cut to
//! their top rows with what they leave out, complete with `--full` and in CSV.

use serde_json::Value;

use super::util::*;

/// One request: `minute` past 2026-11-21T10:00Z, failing with a quota error
/// when `failed`.
fn line(minute: u32, key: &str, project: &str, failed: bool) -> String {
    let ts = format!("2026-11-21T{:02}:{:02}:00Z", 10 + minute / 60, minute % 60);
    let tail = if failed {
        r#""status":429,"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","code":"insufficient_quota"}"#
    } else {
        r#""status":200"#
    };
    format!(r#"{{"ts":"{ts}","key":"{key}","project":"{project}","model":"gpt-4o",{tail}}}"#) + "\n"
}

/// 60 requests by 12 keys, first seen in order key_0 .. key_11, within 3 minutes.
fn twelve_keys() -> String {
    (0..60).map(|i| line(i % 3, &format!("key_{}", i % 12), "proj_a", i % 4 == 0)).collect()
}

fn run_json(args: &[&str]) -> Value {
    analyze_json(args)
}

fn names(rows: &Value) -> Vec<String> {
    let mut names: Vec<String> =
        rows.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect();
    names.sort();
    names
}

fn sum(rows: &Value, field: &str) -> u64 {
    rows.as_array().unwrap().iter().map(|r| r[field].as_u64().unwrap()).sum()
}

#[test]
fn values_past_max_distinct_fold_into_other_the_same_for_any_split() {
    let dir = TempDir::new("max-distinct");
    let path = dir.write("keys.jsonl", twelve_keys());
    let p = path.to_str().unwrap();
    let r = run_json(&["--max-distinct", "5", "--threads", "1", p]);
    // The first five keys seen are kept, with every one of their requests.
    assert_eq!(names(&r["keys"]), ["key_0", "key_1", "key_2", "key_3", "key_4"]);
    assert!(r["keys"].as_array().unwrap().iter().all(|k| k["requests"] == 5));
    assert_eq!(r["keys_omitted"]["rows"], 0);
    assert_eq!(r["keys_omitted"]["requests"], 35);
    assert_eq!(sum(&r["keys"], "failures") + r["keys_omitted"]["failures"].as_u64().unwrap(), 15);
    assert_eq!(r["summary"]["capped"]["keys"], 35);
    assert_eq!(r["summary"]["records"], 60);
    let base = serde_json::to_string(&r).unwrap();
    for (threads, chunk) in [("2", "1"), ("2", "97"), ("3", "500"), ("1", "3")] {
        let again =
            run_json(&["--max-distinct", "5", "--threads", threads, "--chunk-size", chunk, p]);
        assert_eq!(serde_json::to_string(&again).unwrap(), base, "threads {threads} chunk {chunk}");
    }
}

#[test]
fn at_max_distinct_nothing_is_capped_one_below_it_is() {
    let dir = TempDir::new("max-distinct-boundary");
    let path = dir.write("keys.jsonl", twelve_keys());
    let p = path.to_str().unwrap();
    let uncapped = ok_stdout(&errlens(&["analyze", "--format", "json", p], None), 0);
    for chunk in ["1", "200", "1000000"] {
        let at = ["analyze", "--format", "json", "--max-distinct", "12", "--chunk-size", chunk, p];
        assert_eq!(ok_stdout(&errlens(&at, None), 0), uncapped, "chunk {chunk}");
    }
    assert!(!uncapped.contains("capped") && !uncapped.contains("_omitted"));
    let below = run_json(&["--max-distinct", "11", "--chunk-size", "97", p]);
    assert_eq!(below["keys"].as_array().unwrap().len(), 11);
    assert_eq!(below["summary"]["capped"], serde_json::json!({"keys": 5}));
    let text = ok_stdout(&errlens(&["analyze", "--max-distinct", "11", p], None), 0);
    assert!(
        text.contains(
            "capped keys: more distinct values than --max-distinct; 5 counted as (other)"
        ),
        "{text}"
    );
    let zero = errlens(&["analyze", "--max-distinct", "0", p], None);
    assert_eq!(zero.status.code(), Some(2));
}

#[test]
fn time_series_coarsen_past_max_distinct_with_exact_totals() {
    let dir = TempDir::new("max-distinct-time");
    let log: String = (0..100).map(|i| line(i, "key_a", "proj_a", i % 10 == 0)).collect();
    let path = dir.write("minutes.jsonl", log);
    let p = path.to_str().unwrap();
    let r = run_json(&["--max-distinct", "10", "--every", "1m", p]);
    assert_eq!(r["summary"]["time_resolution_minutes"], 15);
    let buckets = r["timeline"]["buckets"].as_array().unwrap();
    assert_eq!(r["timeline"]["every"], "15m");
    assert_eq!(buckets.iter().map(|b| b["requests"].as_u64().unwrap()).sum::<u64>(), 100);
    assert_eq!(buckets.iter().map(|b| b["failures"].as_u64().unwrap()).sum::<u64>(), 10);
    let base = serde_json::to_string(&r).unwrap();
    for (threads, chunk) in [("2", "1"), ("2", "333"), ("1", "5000")] {
        let args = [
            "--max-distinct",
            "10",
            "--every",
            "1m",
            "--threads",
            threads,
            "--chunk-size",
            chunk,
            p,
        ];
        assert_eq!(serde_json::to_string(&run_json(&args)).unwrap(), base, "{threads} {chunk}");
    }
    let md = ok_stdout(
        &errlens(&["analyze", "--format", "markdown", "--max-distinct", "10", p], None),
        0,
    );
    assert!(md.contains("> **capped**: time: more distinct minutes than --max-distinct; times kept per 15 minutes"), "{md}");
    let uncapped = run_json(&[p]);
    assert!(uncapped["summary"].get("time_resolution_minutes").is_none());
}

#[test]
fn signatures_evidence_and_breakdown_groups_are_capped_too() {
    let dir = TempDir::new("max-distinct-dims");
    let mut log = String::new();
    for i in 0..30 {
        let word: String =
            (0..3).map(|d| char::from(b'g' + ((i / 20u32.pow(d)) % 20) as u8)).collect();
        log.push_str(&format!(
            "{{\"ts\":\"2026-11-21T10:00:00Z\",\"key\":\"key_{i}\",\"status\":418,\"error\":\"frobnicator {word} refused\"}}\n"
        ));
    }
    let path = dir.write("sigs.jsonl", log);
    let p = path.to_str().unwrap();
    let r = run_json(&["--max-distinct", "10", "--by", "key", p]);
    assert_eq!(r["unclassified"].as_array().unwrap().len(), 10);
    assert_eq!(r["unclassified_omitted"]["failures"], 20);
    assert_eq!(r["summary"]["capped"]["signatures"], 20);
    let b = &r["breakdown"];
    assert_eq!(b["rows"].as_array().unwrap().len(), 10);
    assert_eq!(b["rows_omitted"]["requests"], 20);
    assert_eq!(r["summary"]["capped"]["breakdown"], 20);
    let csv = ok_stdout(
        &errlens(
            &[
                "analyze",
                "--format",
                "csv",
                "--table",
                "breakdown",
                "--by",
                "key",
                "--max-distinct",
                "10",
                p,
            ],
            None,
        ),
        0,
    );
    let last = csv.lines().last().unwrap();
    assert!(last.starts_with(",(other),20,20,1"), "{csv}");
    let sigs = ok_stdout(
        &errlens(
            &["analyze", "--format", "csv", "--table", "signatures", "--max-distinct", "10", p],
            None,
        ),
        0,
    );
    assert_eq!(sigs.lines().count(), 12);
    assert!(sigs.lines().last().unwrap().starts_with("(other),20,"), "{sigs}");
}

#[test]
fn report_tables_list_their_top_rows_and_what_they_leave_out() {
    let dir = TempDir::new("row-limits");
    let mut log: String =
        (0..1050).map(|i| line(i % 60, &format!("key_{i:04}"), "proj_a", i % 3 == 0)).collect();
    for _ in 0..5 {
        log.push_str(&line(0, "key_hot", "proj_a", true));
    }
    let path = dir.write("many-keys.jsonl", log);
    let p = path.to_str().unwrap();
    let r = run_json(&[p]);
    let keys = r["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1000);
    assert_eq!(keys[0]["name"], "key_hot");
    assert_eq!(r["keys_omitted"]["rows"], 51);
    let requests = sum(&r["keys"], "requests") + r["keys_omitted"]["requests"].as_u64().unwrap();
    assert_eq!(requests, 1055);
    assert!(r["summary"].get("capped").is_none());
    let full = run_json(&["--full", p]);
    assert_eq!(full["keys"].as_array().unwrap().len(), 1051);
    assert!(full.get("keys_omitted").is_none());
    let csv = ok_stdout(&errlens(&["analyze", "--format", "csv", "--table", "keys", p], None), 0);
    assert_eq!(csv.lines().count(), 1052);
    let md = ok_stdout(&errlens(&["analyze", "--format", "markdown", p], None), 0);
    let keys_table: Vec<&str> = md
        .split("## Keys")
        .nth(1)
        .unwrap()
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(keys_table.len(), 2 + 20 + 1, "{}", keys_table.join("\n"));
    assert!(
        keys_table.last().unwrap().starts_with("| (other): 1,031 more keys | 1,031 |"),
        "{}",
        keys_table.last().unwrap()
    );
}

#[test]
fn findings_and_files_are_cut_in_human_reports() {
    let dir = TempDir::new("findings-files");
    for i in 0..25 {
        let log: String =
            (0..=i % 3).map(|_| line(i, "key_a", &format!("proj_{i:02}"), true)).collect();
        dir.write(&format!("logs/app-{i:02}.jsonl"), log);
    }
    let p = dir.path().join("logs");
    let p = p.to_str().unwrap();
    let json = run_json(&[p]);
    let findings = json["findings"].as_array().unwrap();
    let quota: Vec<&Value> = findings.iter().filter(|f| f["kind"] == "quota_ran_out").collect();
    assert_eq!(quota.len(), 1, "one finding for the cause");
    assert_eq!(quota[0]["rows"].as_array().unwrap().len(), 25, "a row per project, all in JSON");
    assert_eq!(json["summary"]["files"].as_array().unwrap().len(), 25);
    let text = ok_stdout(&errlens(&["analyze", p], None), 0);
    assert!(text.contains("· 25 files"), "{text}");
    assert_eq!(text.matches("quota ran out:").count(), 1, "{text}");
    assert_eq!(text.matches("      proj_").count(), 5, "{text}");
    assert!(text.contains("… and 20 more"), "{text}");
    let md = ok_stdout(&errlens(&["analyze", "--format", "markdown", p], None), 0);
    assert!(md.contains("| (other): 5 more files |"), "{md}");
    let full = ok_stdout(&errlens(&["analyze", "--full", p], None), 0);
    assert_eq!(full.matches("      proj_").count(), 25, "--full lists every subject");
}
