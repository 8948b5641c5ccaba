//! Per-record detection and input warnings (issue 10, items 1 and 2): one
//! odd line does not flip a file, a mixed file is read record by record, the
//! answer does not depend on the chunk size, other Azure resources' logs are
//! not Azure OpenAI logs, and a file errlens cannot read as requests says so
//! in every report format, on stderr and (with `--strict`) in the exit code.

use std::collections::BTreeMap;

use serde_json::Value;

use super::util::*;

fn repo(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// Line `n` (1-based) of a file of the repository.
fn line_of(path: &str, n: usize) -> String {
    let text = std::fs::read_to_string(repo(path)).unwrap();
    text.lines().nth(n - 1).unwrap().to_string()
}

/// The categories `classify --all` gives, by line.
fn categories(path: &str, args: &[&str]) -> BTreeMap<u64, Vec<String>> {
    let mut all = vec!["classify", "--all", path];
    all.extend_from_slice(args);
    let mut got: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for row in ok_stdout(&errlens(&all, None), 0).lines() {
        let row: Value = serde_json::from_str(row).unwrap();
        let category = row["category"].as_str().unwrap().to_string();
        got.entry(row["line"].as_u64().unwrap()).or_default().push(category);
    }
    got
}

/// What `samples/formats/EXPECTED.tsv` expects of line `n` of `file`.
fn expected(file: &str, n: usize) -> Vec<String> {
    let text = std::fs::read_to_string(repo("samples/formats/EXPECTED.tsv")).unwrap();
    let row = text.lines().find(|l| l.starts_with(&format!("{file}\t{n}\t"))).unwrap();
    row.rsplit('\t').next().unwrap().split('+').map(str::to_string).collect()
}

fn summary_counts(r: &Value) -> (u64, u64, u64, u64) {
    let s = &r["summary"];
    let n = |k: &str| s[k].as_u64().unwrap();
    (n("records"), n("failures"), n("not_llm"), n("unrecognized"))
}

#[test]
fn one_litellm_line_does_not_flip_the_canonical_sample() {
    let sample = std::fs::read_to_string(repo("samples/app-2026-11-21.jsonl")).unwrap();
    let litellm = line_of("samples/formats/litellm-slp.jsonl", 3);
    let mut lines: Vec<&str> = sample.lines().collect();
    lines.insert(150, &litellm);
    let dir = TempDir::new("one-litellm");
    let path = dir.write("app.jsonl", lines.join("\n") + "\n");
    let path = path.to_str().unwrap();
    let r = analyze_json(&[path]);
    assert_eq!(r["summary"]["files"][0]["format"], "canonical");
    assert_eq!(summary_counts(&r), (4001, 368, 0, 0), "367 failures kept, and LiteLLM's");
    let got = categories(path, &[]);
    assert_eq!(got[&151], expected("litellm-slp.jsonl", 3), "the LiteLLM line read as LiteLLM");
    let row = ok_stdout(&errlens(&["classify", path], None), 0);
    let id: Value = serde_json::from_str(&litellm).unwrap();
    assert!(
        row.contains(&format!("\"request_id\":{}", id["id"])),
        "LiteLLM's id is the request id"
    );
}

/// `(file, line)` of sample lines of every kind, mixed into one file.
const MIXED: [(&str, usize); 10] = [
    ("litellm-slp.jsonl", 5),
    ("helicone.jsonl", 2),
    ("langfuse.jsonl", 3),
    ("azure-request-response.event-hub.jsonl", 4),
    ("portkey.jsonl", 2),
    ("cloudflare-ai-gateway.jsonl", 2),
    ("openai-batch.jsonl", 2),
    ("otlp.jsonl", 4),
    ("azure-apim-gateway.jsonl", 4),
    ("azure-openai-log-analytics.jsonl", 5),
];

#[test]
fn a_mixed_file_is_read_record_by_record() {
    let canonical = r#"{"ts":"2026-11-21T10:00:00Z","model":"gpt-4o","status":429,"error":{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","code":"insufficient_quota"}}}"#;
    let mut lines = vec![canonical.to_string()];
    lines.extend(MIXED.iter().map(|(file, n)| line_of(&format!("samples/formats/{file}"), *n)));
    let dir = TempDir::new("mixed");
    let path = dir.write("mixed.jsonl", lines.join("\n") + "\n");
    let got = categories(path.to_str().unwrap(), &[]);
    assert_eq!(got[&1], ["quota.exhausted"]);
    for (i, (file, n)) in MIXED.iter().enumerate() {
        let want: Vec<String> = expected(file, *n).into_iter().filter(|c| c != "not_llm").collect();
        assert_eq!(got.get(&(i as u64 + 2)), Some(&want), "{file}:{n}");
    }
}

#[test]
fn the_answer_does_not_depend_on_the_chunk_size() {
    // Canonical lines of 3 KB fill the first 64 KiB; LiteLLM lines follow and
    // outnumber them: a sample of the first chunk would depend on its size.
    let pad = "x".repeat(3000);
    let mut text = String::new();
    for i in 0..40 {
        let status = if i % 4 == 0 { 429 } else { 200 };
        text.push_str(&format!(
            "{{\"ts\":\"2026-11-21T10:{:02}:00Z\",\"model\":\"gpt-4o\",\"status\":{status},\"note\":\"{pad}\"}}\n",
            i % 60
        ));
    }
    let litellm = line_of("samples/formats/litellm-slp.jsonl", 1);
    for _ in 0..60 {
        text.push_str(&litellm);
        text.push('\n');
    }
    let dir = TempDir::new("chunks");
    let path = dir.write("mixed.jsonl", &text);
    let path = path.to_str().unwrap();
    let run = |chunk: &str, threads: &str| {
        let args = ["analyze", "--format", "json", "--chunk-size", chunk, "--threads", threads];
        let mut all = args.to_vec();
        all.push(path);
        ok_stdout(&errlens(&all, None), 0)
    };
    let first = run("1000", "1");
    for (chunk, threads) in [("4096", "2"), ("65536", "1"), ("70000", "2"), ("10485760", "1")] {
        assert_eq!(run(chunk, threads), first, "--chunk-size {chunk} --threads {threads}");
    }
    let r: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(r["summary"]["files"][0]["format"], "canonical");
    assert_eq!(summary_counts(&r), (100, 10, 0, 0), "every line read by its layout");
}

/// Objects of keys that say nothing of a request, drawn from a fixed seed.
fn random_objects(n: usize) -> String {
    const KEYS: [&str; 16] = [
        "id",
        "name",
        "type",
        "value",
        "level",
        "time",
        "path",
        "user",
        "count",
        "tags",
        "enabled",
        "data",
        "message",
        "host",
        "request_id",
        "category",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut text = String::new();
    for _ in 0..n {
        let mut object = serde_json::Map::new();
        for _ in 0..(1 + next() % 6) {
            let key = KEYS[(next() % KEYS.len() as u64) as usize];
            let value = match next() % 4 {
                0 => Value::from(next() % 1000),
                1 => Value::from(format!("v{}", next() % 100)),
                2 => Value::Bool(next() % 2 == 0),
                _ => serde_json::json!([next() % 10, {"k": "v"}]),
            };
            object.insert(key.to_string(), value);
        }
        text.push_str(&Value::Object(object).to_string());
        text.push('\n');
    }
    text
}

#[test]
fn random_json_objects_are_unrecognized_and_said_everywhere() {
    let dir = TempDir::new("random");
    let path = dir.write("random.jsonl", random_objects(50));
    let path = path.to_str().unwrap();
    let r = analyze_json(&[path]);
    assert_eq!(r["summary"]["files"][0]["format"], "unknown");
    assert_eq!(summary_counts(&r), (0, 0, 0, 50));
    let warnings = r["summary"]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0]["kind"], "unknown_layout");
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(message.contains("random.jsonl") && message.contains("--input-format"), "{message}");
    for format in ["text", "markdown", "html"] {
        let out = errlens(&["analyze", "--format", format, path], None);
        let report = ok_stdout(&out, 0);
        let head: String = report.lines().take(8).collect::<Vec<_>>().join("\n");
        assert!(head.contains("random.jsonl: format unknown"), "{format} at the top:\n{head}");
        assert!(!report.contains("No failed requests."), "{format} is not silent:\n{report}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(message), "{format}: stderr");
    }
    let csv =
        ok_stdout(&errlens(&["analyze", "--format", "csv", "--table", "files", path], None), 0);
    assert!(csv.contains(",unknown_layout,") && csv.contains("--map"), "{csv}");
    let text = ok_stdout(&errlens(&["analyze", path], None), 0);
    // Wrapped to the width: compared with the white space folded.
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(folded.contains("random.jsonl:1, "), "unrecognized lines keep their places:\n{text}");
    let classify = errlens(&["classify", path], None);
    assert_eq!(ok_stdout(&classify, 0), "", "no record");
    assert!(String::from_utf8_lossy(&classify.stderr).contains(message), "classify: stderr");
    assert_eq!(errlens(&["analyze", "--strict", path], None).status.code(), Some(1));
}

#[test]
fn strict_passes_a_clean_file_and_fails_a_mostly_unrecognized_one() {
    let dir = TempDir::new("strict");
    let clean = dir.write("clean.jsonl", "{\"status\":200,\"model\":\"gpt-4o\"}\n".repeat(3));
    let out = errlens(&["analyze", "--strict", clean.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = format!("{}{}", "{\"status\":200}\n".repeat(3), random_objects(6));
    let mostly = dir.write("mostly.jsonl", text);
    let r = analyze_json(&[mostly.to_str().unwrap()]);
    assert_eq!(r["summary"]["files"][0]["format"], "canonical");
    assert_eq!(r["summary"]["warnings"][0]["kind"], "mostly_unrecognized");
    let out = errlens(&["analyze", "--strict", mostly.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_plain_text_log_is_said_everywhere_not_reported_as_no_failures() {
    let dir = TempDir::new("plain-text");
    let text =
        "2026-11-21 10:00:01 INFO POST /v1/chat/completions 429 Too Many Requests\n".repeat(20);
    let path = dir.write("app.log", format!("{{\"status\":200}}\n{text}"));
    let p = path.to_str().unwrap();
    let out = errlens(&["analyze", p], None);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("20 of 21 lines are not JSON objects"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("20 of 21 lines are not JSON objects"));
    let r = analyze_json(&[p]);
    assert_eq!(r["summary"]["warnings"][0]["kind"], "mostly_malformed");
    assert_eq!(errlens(&["analyze", "--strict", p], None).status.code(), Some(1));
}

#[test]
fn other_azure_resource_logs_are_not_azure_openai_logs() {
    // Entra audit and sign-in logs, Key Vault AuditEvent (an envelope), the
    // Azure OpenAI account's own Audit record, a Storage log with a status.
    let path = repo("tests/data/azure-other-resources.jsonl");
    let r = analyze_json(&[&path]);
    assert_eq!(r["summary"]["files"][0]["format"], "unknown");
    assert_eq!(summary_counts(&r), (0, 0, 6, 0));
    assert_eq!(r["summary"]["warnings"][0]["kind"], "unknown_layout");
    let forced = analyze_json(&["--input-format", "azure_request_response", &path]);
    assert_eq!(summary_counts(&forced), (0, 0, 6, 0), "forcing the format claims none");
}

#[test]
fn a_forced_format_reads_envelopes_record_by_record() {
    let path = repo("samples/formats/azure-request-response.event-hub.jsonl");
    let detected = analyze_json(&[&path]);
    let forced = analyze_json(&["--input-format", "azure_request_response", &path]);
    assert_eq!(summary_counts(&forced), summary_counts(&detected));
    assert_eq!(summary_counts(&detected), (11, 5, 4, 1));
}

#[test]
fn a_map_that_finds_nothing_is_not_a_success() {
    let dir = TempDir::new("map-nothing");
    let path =
        dir.write("app.jsonl", "{\"code\":429,\"when\":\"2026-11-21T10:00:00Z\"}\n".repeat(4));
    let r = analyze_json(&["--map", "status=/http/status", path.to_str().unwrap()]);
    assert_eq!(summary_counts(&r), (0, 0, 0, 4));
    assert_eq!(r["summary"]["warnings"][0]["kind"], "mostly_unrecognized");
    let r = analyze_json(&["--map", "status=/code", path.to_str().unwrap()]);
    assert_eq!(summary_counts(&r), (4, 4, 0, 0));
}

#[test]
fn envelope_items_of_no_layout_are_accounted_for() {
    let dir = TempDir::new("envelope-items");
    let text = concat!(
        "{\"records\":[1,\"x\",{\"status\":500,\"model\":\"gpt-4o\"}]}\n",
        "{\"records\":[{\"a\":1},{\"b\":2}]}\n",
        "{\"records\":[]}\n",
    );
    let path = dir.write("envelopes.jsonl", text);
    let r = analyze_json(&["--threads", "1", path.to_str().unwrap()]);
    let s = &r["summary"];
    let n = |k: &str| s[k].as_u64().unwrap();
    assert_eq!((n("lines"), n("extra_records")), (3, 3));
    assert_eq!(summary_counts(&r), (1, 1, 1, 4));
}
