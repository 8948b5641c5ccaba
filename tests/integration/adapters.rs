//! Real log formats: every line of every `samples/formats/*.jsonl` file (and
//! of `tests/formats/*.jsonl`, lines copied from public fixtures) gets the
//! category the directory's `EXPECTED.tsv` gives it (the items of
//! multi-item lines, OTLP spans and log records and Azure envelopes, joined with `+`;
//! broken lines `malformed`, records that are not LLM requests `not_llm`,
//! records of no known layout `unrecognized`), each file is detected as its
//! format, and `--input-format` / `--map` work and fail clearly.

use std::collections::BTreeMap;

use serde_json::Value;

use super::util::*;

fn dir() -> String {
    format!("{}/samples/formats", env!("CARGO_MANIFEST_DIR"))
}

/// Real lines from public fixtures (`tests/formats/README.md`).
fn public_dir() -> String {
    format!("{}/tests/formats", env!("CARGO_MANIFEST_DIR"))
}

/// `file -> line -> expected categories` of the sample formats.
fn expected() -> BTreeMap<String, BTreeMap<u64, Vec<String>>> {
    expected_in(&dir())
}

/// `file -> line -> expected categories` of a directory's `EXPECTED.tsv`.
fn expected_in(dir: &str) -> BTreeMap<String, BTreeMap<u64, Vec<String>>> {
    let text = std::fs::read_to_string(format!("{dir}/EXPECTED.tsv")).unwrap();
    let mut out: BTreeMap<String, BTreeMap<u64, Vec<String>>> = BTreeMap::new();
    for row in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = row.split('\t').collect();
        let ids = cols[2].split('+').map(|s| s.trim().to_string()).collect();
        out.entry(cols[0].to_string()).or_default().insert(cols[1].parse().unwrap(), ids);
    }
    out
}

/// `litellm-slp.jsonl` -> `litellm_slp`; every `otlp*.jsonl` -> `otlp`;
/// `azure-request-response.event-hub.jsonl` (another shape of one format) ->
/// `azure_request_response`.
fn format_of(file: &str) -> String {
    if file.starts_with("otlp") {
        return "otlp".to_string();
    }
    file.split('.').next().unwrap_or_default().replace('-', "_")
}

/// Expected items that are not request records: the summary counts them.
const NOT_REQUESTS: [&str; 3] = ["malformed", NOT_LLM, "unrecognized"];

/// A span, log record or Azure record that is not an LLM request.
const NOT_LLM: &str = "not_llm";

#[test]
fn every_format_sample_line_gets_its_expected_category() {
    lines_get_their_expected_category(&dir());
}

#[test]
fn public_fixture_lines_get_their_expected_category_and_format() {
    lines_get_their_expected_category(&public_dir());
    let r = analyze_json(&[&public_dir()]);
    let files = r["summary"]["files"].as_array().unwrap();
    assert_eq!(files.len(), expected_in(&public_dir()).len());
    for f in files {
        let name = f["path"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
        assert_eq!(f["format"], format_of(&name).as_str(), "{name}");
    }
    assert_eq!(r["summary"]["warnings"], serde_json::json!([]));
    assert_eq!(r["summary"]["malformed"], 0);
    // Langfuse's v2 API names the model in camelCase.
    let out = ok_stdout(
        &errlens(&["classify", "--all", &format!("{}/langfuse.jsonl", public_dir())], None),
        0,
    );
    assert!(out.contains(r#""model":"gpt-4o""#), "{out}");
}

fn lines_get_their_expected_category(dir: &str) {
    let mut wrong = Vec::new();
    for (file, lines) in expected_in(dir) {
        let path = format!("{dir}/{file}");
        let out = ok_stdout(&errlens(&["classify", "--all", &path], None), 0);
        let mut got: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for row in out.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()) {
            got.entry(row["line"].as_u64().unwrap())
                .or_default()
                .push(row["category"].as_str().unwrap().to_string());
        }
        let mut asides: BTreeMap<&str, u64> = NOT_REQUESTS.iter().map(|k| (*k, 0)).collect();
        for (line, want) in &lines {
            for item in want.iter().filter(|i| NOT_REQUESTS.contains(&i.as_str())) {
                *asides.get_mut(item.as_str()).unwrap() += 1;
            }
            let want: Vec<&String> =
                want.iter().filter(|i| !NOT_REQUESTS.contains(&i.as_str())).collect();
            let have: Vec<&String> = got.get(line).map(|v| v.iter().collect()).unwrap_or_default();
            if have != want {
                wrong.push(format!("{file}:{line} expected {want:?} got {have:?}"));
            }
        }
        let summary = &analyze_json(&[&path])["summary"];
        for (bucket, n) in asides {
            let have = summary[bucket].as_u64().unwrap();
            if have != n {
                wrong.push(format!("{file}: expected {n} {bucket} got {have}"));
            }
        }
        wrong.extend(not_llm_wrong(dir, &file, &lines));
    }
    assert!(wrong.is_empty(), "{} lines wrong:\n{}", wrong.len(), wrong.join("\n"));
}

/// What is wrong with a file's `not_llm` items: their count in the summary,
/// and the first places it names, against the `not_llm` ids expected.
fn not_llm_wrong(dir: &str, file: &str, lines: &BTreeMap<u64, Vec<String>>) -> Vec<String> {
    let count = |ids: &Vec<String>| ids.iter().filter(|id| *id == NOT_LLM).count() as u64;
    let want: u64 = lines.values().map(count).sum();
    let path = format!("{dir}/{file}");
    let summary = analyze_json(&[&path])["summary"].clone();
    let mut wrong = Vec::new();
    if summary["not_llm"] != want {
        wrong.push(format!("{file}: expected {want} not_llm items, got {}", summary["not_llm"]));
    }
    let places = summary["set_aside"][NOT_LLM]["first"].as_array().cloned().unwrap_or_default();
    for place in places {
        let line: u64 = place.as_str().unwrap().rsplit(':').next().unwrap().parse().unwrap();
        if lines.get(&line).is_none_or(|ids| count(ids) == 0) {
            wrong
                .push(format!("{file}:{line} is counted not_llm, expected {:?}", lines.get(&line)));
        }
    }
    wrong
}

#[test]
fn every_format_is_detected_and_accounted_for() {
    let r = analyze_json(&[&dir()]);
    let files = r["summary"]["files"].as_array().unwrap();
    assert_eq!(files.len(), expected().len());
    for f in files {
        let name = f["path"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
        assert_eq!(f["format"], format_of(&name).as_str(), "{name}");
    }
    let s = &r["summary"];
    let n = |k: &str| s[k].as_u64().unwrap();
    assert_eq!(
        n("lines") + n("extra_records"),
        n("records")
            + n("out_of_range")
            + n("not_llm")
            + n("blank")
            + n("malformed")
            + n("unrecognized")
    );
    assert!(n("extra_records") >= 1, "an OTLP line holds two spans");
    assert!(n("not_llm") >= 1, "OTLP lines hold spans and log records that are not LLM calls");
    assert_eq!(s["warnings"], serde_json::json!([]), "every sample is read as requests");
    assert!(n("malformed") >= expected().len() as u64, "one broken line per file");
}

#[test]
fn input_format_can_be_forced_and_is_checked() {
    let path = format!("{}/litellm-slp.jsonl", dir());
    let forced = analyze_json(&["--input-format", "canonical", &path]);
    assert_eq!(forced["summary"]["files"][0]["format"], "canonical");
    let bad = errlens(&["analyze", "--input-format", "splunk", &path], None);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("splunk") && err.contains("litellm_slp"), "{err}");
}

#[test]
fn map_reads_any_layout_and_names_bad_flags() {
    let dir = TempDir::new("map");
    let path = dir.write(
        "custom.jsonl",
        concat!(
            r#"{"at":"2026-11-21T10:00:00Z","response":{"status_code":429,"body":{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}},"who":{"key":"k1"}}"#,
            "\n",
            r#"{"at":"2026-11-21T10:00:01Z","response":{"status_code":200,"body":{"id":"x"}},"who":{"key":"k1"}}"#,
            "\n"
        ),
    );
    let p = path.to_str().unwrap();
    let args = [
        "--map",
        "status=/response/status_code",
        "--map",
        "error=/response/body/error",
        "--map",
        "ts=/at",
        "--map",
        "key=/who/key",
    ];
    let mut all = args.to_vec();
    all.push(p);
    let r = analyze_json(&all);
    assert_eq!(r["summary"]["files"][0]["format"], "custom");
    assert_eq!(r["summary"]["failures"], 1);
    assert_eq!(r["causes"][0]["category"], "quota.exhausted");
    assert_eq!(r["causes"][0]["top_keys"][0]["name"], "k1");
    for (flag, says) in [
        ("colour=/x", "not a field"),
        ("status=response", "starts with `/`"),
        ("status", "FIELD=/json/pointer"),
    ] {
        let out = errlens(&["analyze", "--map", flag, p], None);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag) && err.contains(says), "{err}");
    }
}

#[test]
fn readme_lists_every_detected_format() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for name in errlens::detect::names() {
        assert!(readme.contains(&format!("| `{name}` |")), "README lists {name}");
    }
}

/// Fields each format must carry into the record (where its layout has them).
const MAPPED: [(&str, &[&str]); 17] = [
    ("litellm-slp.jsonl", &["ts", "request_id", "key", "project", "model"]),
    ("litellm-spend-log.jsonl", &["ts", "request_id", "key", "project", "model"]),
    ("litellm-error-log.jsonl", &["ts", "request_id", "model", "status"]),
    ("otlp.jsonl", &["ts", "request_id", "model"]),
    ("otlp-logs.jsonl", &["ts", "request_id"]),
    ("otlp-openinference.jsonl", &["ts", "request_id", "model"]),
    ("otlp-litellm.jsonl", &["ts", "request_id", "key", "project", "model"]),
    ("azure-request-response.jsonl", &["ts", "request_id", "project", "model", "status"]),
    ("azure-apim-gateway.jsonl", &["ts", "request_id", "key", "status"]),
    ("azure-request-response.event-hub.jsonl", &["ts", "request_id", "project", "model", "status"]),
    ("azure-openai-log-analytics.jsonl", &["ts", "request_id", "project", "model", "status"]),
    ("azure-apim-log-analytics.jsonl", &["ts", "request_id", "key", "status"]),
    ("helicone.jsonl", &["ts", "request_id", "model", "status"]),
    ("langfuse.jsonl", &["ts", "request_id", "model"]),
    ("portkey.jsonl", &["ts", "request_id", "key", "model", "status"]),
    ("cloudflare-ai-gateway.jsonl", &["ts", "request_id", "model", "status"]),
    ("openai-batch.jsonl", &["request_id", "model", "status"]),
];

#[test]
fn every_format_maps_its_identity_fields() {
    for (file, fields) in MAPPED {
        let out =
            ok_stdout(&errlens(&["classify", "--all", &format!("{}/{file}", dir())], None), 0);
        let rows: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        for field in fields {
            let filled = rows
                .iter()
                .filter(|r| {
                    r[field].as_str().is_some_and(|s| !s.is_empty()) || r[field].is_number()
                })
                .count();
            assert!(
                filled * 2 >= rows.len(),
                "{file}: `{field}` filled in only {filled} of {} records",
                rows.len()
            );
        }
        assert!(
            !out.contains("sk-proj-") || out.contains("..."),
            "{file}: raw keys are fingerprinted"
        );
    }
}
