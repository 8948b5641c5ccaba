//! The binary, run on files: accounting, determinism, inputs, exit codes,
//! `classify`, rules files, redaction and hostile input.

use std::io::{Read, Write};

use serde_json::Value;

use super::util::*;

const KEY: &str = "sk-proj-SECRETSECRETSECRETSECRET0123456789wxyz";

/// A small log: successes, a few failures, a blank line, broken lines.
fn small_log() -> String {
    let mut lines = vec![
        r#"{"ts":"2026-11-21T10:00:00Z","key":"k1","project":"p1","model":"gpt-4o","status":200}"#.to_string(),
        r#"{"ts":"2026-11-21T10:00:01Z","key":"k1","project":"p1","model":"gpt-4o","status":429,"error":{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}}"#.to_string(),
        String::new(),
        r#"{"ts":"2026-11-21T10:00:02Z","key":"k2","model":"gpt-4o","status":"429","error":{"message":"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29937, Requested 385. Please try again in 644ms.","type":"tokens","code":"rate_limit_exceeded"}}"#.to_string(),
        "{\"ts\":\"2026-11-21T10:00:03Z\",\"status\":200".to_string(),
        "[1,2]".to_string(),
        format!(r#"{{"ts":1795255204,"key":"{KEY}","model":"gtp-4o","status":404,"error":"Error code: 404 - {{'error': {{'message': 'The model `gtp-4o` does not exist or you do not have access to it.', 'type': 'invalid_request_error', 'param': None, 'code': 'model_not_found'}}}}"}}"#),
        r#"{"ts":"2026-11-21T10:00:05Z","error":"openai.APITimeoutError: Request timed out."}"#.to_string(),
        r#"{"ts":"2026-11-21T10:00:06Z","status":418,"error":"I am a teapot (ref 77)"}"#.to_string(),
    ];
    lines.extend((0..20).map(|i| {
        format!(
            r#"{{"ts":"2026-11-21T11:00:{i:02}Z","key":"k2","model":"gpt-4o-mini","status":200}}"#
        )
    }));
    lines.join("\n") + "\n"
}

fn causes(report: &Value) -> Vec<(String, u64)> {
    report["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["category"].as_str().unwrap().to_string(), c["count"].as_u64().unwrap()))
        .collect()
}

#[test]
fn accounting_adds_up_and_places_are_exact() {
    let dir = TempDir::new("accounting");
    let path = dir.write("app.jsonl", small_log());
    let r = analyze_json(&[path.to_str().unwrap()]);
    let s = &r["summary"];
    let n = |k: &str| s[k].as_u64().unwrap();
    assert_eq!(n("lines"), 29);
    assert_eq!(n("lines"), n("records") + n("blank") + n("malformed"));
    assert_eq!(n("records"), n("successes") + n("failures"));
    assert_eq!((n("failures"), n("blank"), n("malformed")), (5, 1, 2));
    let by = &s["malformed_by_reason"];
    let place = format!("{}:5", path.display());
    assert_eq!(by["invalid_json"]["first"], serde_json::json!([place]));
    assert_eq!(by["not_an_object"]["count"], 1);
    assert_eq!(r["schema_version"], 1);
    assert_eq!(s["time_range"]["start"], "2026-11-21T10:00:00Z");
    let got = causes(&r);
    for id in
        ["quota.exhausted", "rate_limit.tokens", "model.typo", "network.timeout", "unclassified"]
    {
        assert!(got.iter().any(|(c, n)| c == id && *n == 1), "{id} in {got:?}");
    }
    let typo =
        r["causes"].as_array().unwrap().iter().find(|c| c["category"] == "model.typo").unwrap();
    assert_eq!(typo["evidence"]["suggestion"][0]["name"], "gpt-4o");
    assert_eq!(typo["owner"], "you");
    assert_eq!(typo["retry"], "no");
    assert!(!typo["fix"].as_array().unwrap().is_empty());
    assert_eq!(r["unclassified"][0]["signature"], "I am a teapot (ref <n>)");
    let tpm = r["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "rate_limit.tokens")
        .unwrap();
    assert_eq!(
        tpm["rate_limits"],
        serde_json::json!([{"model": "gpt-4o", "dimension": "TPM", "limit": 30000, "peak_used": 29937, "count": 1,
            "retry_after_s": {"count": 1, "min": 0.644, "p50": 0.644, "p90": 0.644, "max": 0.644}}])
    );
    assert_eq!(tpm["retry_after_s"]["p50"], 0.644);
    assert_eq!(typo["model_fixes"][0]["model"], "gtp-4o");
    assert_eq!(typo["model_fixes"][0]["suggestion"], "gpt-4o");
}

#[test]
fn same_report_for_any_threads_and_chunk_size() {
    let dir = TempDir::new("determinism");
    let log = small_log().repeat(50);
    let path = dir.write("big.jsonl", &log);
    let p = path.to_str().unwrap();
    let base = ok_stdout(&errlens(&["analyze", "--format", "json", "--threads", "1", p], None), 0);
    for (threads, chunk) in [("2", "1"), ("2", "97"), ("2", "4096"), ("1", "3"), ("3", "1000000")] {
        let out = errlens(
            &["analyze", "--format", "json", "--threads", threads, "--chunk-size", chunk, p],
            None,
        );
        assert_eq!(ok_stdout(&out, 0), base, "threads {threads} chunk {chunk}");
    }
    let c1 = ok_stdout(&errlens(&["classify", "--threads", "1", p], None), 0);
    let c2 = ok_stdout(&errlens(&["classify", "--threads", "2", "--chunk-size", "50", p], None), 0);
    assert_eq!(c1, c2);
}

#[test]
fn compressed_inputs_are_told_by_magic_bytes() {
    let dir = TempDir::new("compressed");
    let log = small_log();
    let plain = dir.write("plain/a.jsonl", &log);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(log.as_bytes()).unwrap();
    // A misleading name: the magic bytes decide.
    let gz_path = dir.write("gz/a.jsonl", gz.finish().unwrap());
    let zst_path = dir.write("zst/a.jsonl.zst", zstd::encode_all(log.as_bytes(), 3).unwrap());
    let base = analyze_json(&[plain.to_str().unwrap()]);
    for (path, compression) in [(gz_path, "gzip"), (zst_path, "zstd")] {
        let r = analyze_json(&[path.to_str().unwrap()]);
        assert_eq!(r["summary"]["files"][0]["compression"], compression);
        assert_eq!(r["summary"]["lines"], base["summary"]["lines"]);
        assert_eq!(causes(&r), causes(&base));
    }
}

#[test]
fn truncated_gzip_keeps_what_was_read_and_exits_2() {
    let dir = TempDir::new("truncated");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(small_log().repeat(200).as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    let path = dir.write("cut.jsonl.gz", &bytes[..bytes.len() / 2]);
    let out = errlens(&["analyze", "--format", "json", path.to_str().unwrap()], None);
    let r: Value = serde_json::from_str(&ok_stdout(&out, 2)).unwrap();
    assert!(r["summary"]["files"][0]["error"].as_str().is_some());
    assert!(r["summary"]["lines"].as_u64().unwrap() > 0);
}

#[test]
fn stdin_and_folders() {
    let dir = TempDir::new("folders");
    let log = small_log();
    dir.write("logs/b/2.jsonl", &log);
    dir.write("logs/a.log", &log);
    dir.write("logs/README.md", "# not a log\n");
    dir.write("logs/.hidden.jsonl", "garbage\n");
    let folder = dir.path().join("logs");
    let r = analyze_json(&[folder.to_str().unwrap()]);
    let files: Vec<&str> = r["summary"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].ends_with("a.log") && files[1].ends_with("2.jsonl"), "sorted: {files:?}");
    let piped = ok_stdout(&errlens(&["analyze", "--format", "json", "-"], Some(log.as_bytes())), 0);
    let piped: Value = serde_json::from_str(&piped).unwrap();
    assert_eq!(piped["summary"]["files"][0]["path"], "-");
    assert_eq!(causes(&piped).len(), 5);
}

#[test]
fn bom_and_crlf() {
    let dir = TempDir::new("bom");
    let log = format!("\u{feff}{}", small_log().replace('\n', "\r\n"));
    let path = dir.write("win.jsonl", log);
    let r = analyze_json(&[path.to_str().unwrap()]);
    assert_eq!(r["summary"]["malformed"], 2);
    assert_eq!(r["summary"]["records"], 26);
}

#[test]
fn classify_writes_one_line_per_failure() {
    let dir = TempDir::new("classify");
    let path = dir.write("app.jsonl", small_log());
    let out = ok_stdout(&errlens(&["classify", path.to_str().unwrap()], None), 0);
    let rows: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 5);
    let quota = &rows[0];
    assert_eq!(quota["line"], 2);
    assert_eq!(quota["file"], path.to_str().unwrap());
    assert_eq!(quota["category"], "quota.exhausted");
    assert_eq!(quota["owner"], "you");
    assert_eq!(quota["retry"], "wait");
    assert_eq!(quota["status"], 429);
    assert_eq!(quota["ts"], "2026-11-21T10:00:01Z");
    for key in ["request_id", "key", "project", "model", "evidence"] {
        assert!(quota.get(key).is_some(), "{key}");
    }
    assert_eq!(rows[1]["evidence"]["limit"], "30000");
    assert_eq!(rows[1]["evidence"]["retry_after_s"], "0.644");
    assert_eq!(rows[1]["evidence"]["dimension"], "TPM");
    assert_eq!(rows[2]["line"], 7);
    assert_eq!(rows[2]["status"], 404);
    let all = ok_stdout(&errlens(&["classify", "--all", path.to_str().unwrap()], None), 0);
    assert_eq!(all.lines().count(), 26);
}

#[test]
fn no_raw_key_in_any_output() {
    let dir = TempDir::new("redact");
    let path = dir.write("app.jsonl", small_log());
    let p = path.to_str().unwrap();
    for args in [
        vec!["analyze", p],
        vec!["analyze", "--format", "json", p],
        vec!["classify", p],
        vec!["classify", "--all", p],
    ] {
        let out = ok_stdout(&errlens(&args, None), 0);
        assert!(!out.contains("SECRETSECRET"), "{args:?} leaked the key");
        if args.contains(&"classify") || args.contains(&"json") {
            assert!(out.contains("sk-proj-...wxyz#"), "{args:?} shows the fingerprint");
        }
    }
}

#[test]
fn rules_files_add_and_fail_clearly() {
    let dir = TempDir::new("rules");
    let path = dir.write("app.jsonl", small_log());
    let rules = dir.write(
        "mine.toml",
        "[[rule]]\nname = \"teapot\"\ncause = \"server.overloaded\"\nstatus = [418]\n",
    );
    let r = analyze_json(&["--rules", rules.to_str().unwrap(), path.to_str().unwrap()]);
    assert!(causes(&r).contains(&("server.overloaded".to_string(), 1)));
    assert!(r["unclassified"].as_array().unwrap().is_empty());
    let bad = dir.write("bad.toml", "[[rule]]\nname = \"oops\"\ncause = \"server.nope\"\n");
    let out = errlens(&["analyze", "--rules", bad.to_str().unwrap(), path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("oops") && err.contains("server.nope") && err.contains("bad.toml"),
        "{err}"
    );
}

#[test]
fn exit_codes() {
    let dir = TempDir::new("exit");
    let path = dir.write("app.jsonl", small_log());
    let p = path.to_str().unwrap();
    assert_eq!(errlens(&["analyze", p], None).status.code(), Some(0));
    assert_eq!(errlens(&["analyze", "--strict", p], None).status.code(), Some(1));
    let missing = errlens(&["analyze", "/no/such/errlens/path"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("errlens: "));
    assert_eq!(errlens(&["analyze", "--threads", "0", p], None).status.code(), Some(2));
    assert_eq!(errlens(&["analyze", "--bogus"], None).status.code(), Some(2));
}

#[test]
fn text_report_ranks_causes() {
    let dir = TempDir::new("text");
    let path = dir.write("app.jsonl", small_log());
    let out = ok_stdout(&errlens(&["analyze", path.to_str().unwrap()], None), 0);
    assert!(!out.contains('\x1b'), "no colour when piped");
    for want in [
        "ROOT CAUSES",
        "quota.exhausted",
        "fix:",
        "UNCLASSIFIED",
        "MALFORMED LINES",
        "invalid JSON",
    ] {
        assert!(out.contains(want), "{want} in\n{out}");
    }
    let coloured =
        ok_stdout(&errlens(&["analyze", "--color", "always", path.to_str().unwrap()], None), 0);
    assert!(coloured.contains("\x1b[1m"));
    let file = dir.path().join("report.json");
    ok_stdout(
        &errlens(&["analyze", "-o", file.to_str().unwrap(), path.to_str().unwrap()], None),
        0,
    );
    let written: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    assert_eq!(written["schema_version"], 1);
}

#[test]
fn hostile_lines_are_accounted_for() {
    let dir = TempDir::new("hostile");
    let mut log = Vec::new();
    log.extend_from_slice(
        format!(r#"{{"status":500,"error":"{}"}}"#, "x".repeat(20 << 20)).as_bytes(),
    );
    log.push(b'\n');
    log.extend_from_slice(
        format!("{{\"a\":{}{}}}\n", "[".repeat(100_000), "]".repeat(100_000)).as_bytes(),
    );
    log.extend_from_slice(b"\x00\x01\x02\xff\xfe binary\n");
    log.extend_from_slice(b"{\"status\":200,\"x\":\"\xc3\x28\"}\n");
    log.extend_from_slice(b"\x00\x00\x00\n");
    let mut seed = 7u64;
    for _ in 0..200 {
        let line: Vec<u8> = (0..64)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                b"{}[]\":,0aZ\\ \xff"[(seed >> 59) as usize % 13]
            })
            .collect();
        log.extend_from_slice(&line);
        log.push(b'\n');
    }
    let path = dir.write("hostile.jsonl", &log);
    let r = analyze_json(&["--chunk-size", "4096", path.to_str().unwrap()]);
    let s = &r["summary"];
    assert_eq!(s["lines"], 205);
    assert_eq!(
        s["lines"].as_u64(),
        Some(
            s["records"].as_u64().unwrap()
                + s["blank"].as_u64().unwrap()
                + s["malformed"].as_u64().unwrap()
        )
    );
    assert_eq!(s["failures"], 1);
    assert_eq!(s["malformed_by_reason"]["nested_too_deep"]["count"], 1);
    assert!(s["malformed_by_reason"]["invalid_utf8"]["count"].as_u64().unwrap() >= 1);
}

#[test]
fn closed_pipe_is_success() {
    let dir = TempDir::new("pipe");
    let path = dir.write("big.jsonl", small_log().repeat(5000));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_errlens"))
        .args(["classify", "--all", path.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
