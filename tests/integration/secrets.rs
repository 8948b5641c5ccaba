//! The adversarial secret test (issue 9): every key shape, written every way
//! (plain, behind `Bearer`, in an `Authorization:` header, behind U+FEFF,
//! split by JSON escapes, URL-encoded in a query parameter), in every string
//! field of a line of every log format, through every output (each report
//! format, every CSV table, `--by` breakdowns, `classify`, `explain`): no
//! 12-character run of any secret may appear on stdout or stderr.

use serde_json::Value;

use crate::util::{TempDir, errlens};

/// Pseudo-random characters from `alphabet`, the same every run.
fn random(seed: u64, len: usize, alphabet: &[u8]) -> String {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

const B62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// A secret, and whether it is a secret by context only (a bare 32-hex Azure
/// key, which is left alone in id fields by design).
struct Secret {
    text: String,
    context_only: bool,
}

fn secrets() -> Vec<Secret> {
    let b62 = |seed, len| random(seed, len, B62);
    let shaped = [
        format!("sk-proj-{}", b62(1, 48)),
        format!("sk-{}T3BlbkFJ{}", b62(2, 20), b62(3, 20)),
        format!("sk-svcacct-{}", b62(4, 40)),
        format!("sk-admin-{}", b62(5, 40)),
        format!("sk-ant-api03-{}-{}", b62(6, 80), b62(7, 6)),
        format!("sk-or-v1-{}", random(8, 64, HEX)),
        format!("eyJhbGciOiJSUzI1NiJ9.eyJ{}.{}", b62(9, 40), b62(10, 43)),
        b62(11, 84),
    ];
    let mut all: Vec<Secret> =
        shaped.into_iter().map(|text| Secret { text, context_only: false }).collect();
    all.push(Secret { text: random(12, 32, HEX), context_only: true });
    all
}

/// The ways a secret is written into a field.
fn written(secret: &Secret, way: usize) -> String {
    let s = &secret.text;
    if secret.context_only {
        return match way % 3 {
            0 => format!("api-key: {s}"),
            1 => format!(
                "https://res.openai.azure.com/openai/deployments/d/chat?api-version=2024-10-21&api-key={s}"
            ),
            _ => format!("Ocp-Apim-Subscription-Key: {s}"),
        };
    }
    match way % 7 {
        0 => s.clone(),
        1 => format!("Bearer {s}"),
        2 => format!("BEARER {s}"),
        3 => format!("Authorization: Bearer {s}"),
        4 => format!("\u{feff}{s}"),
        5 => format!("https://gw.example/v1/chat/completions?key={}", s.replace('-', "%2D")),
        _ => format!(
            "Incorrect API key provided: {s}. You can find your API key at https://platform.openai.com/account/api-keys."
        ),
    }
}

/// Writes `line` with the secret's dashes and every fifth character as JSON
/// `\u00XX` escapes (valid JSON that decodes to the same text).
fn json_escaped(line: &str, secret: &str) -> String {
    let escaped: String =
        secret
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if c == '-' || i % 5 == 3 { format!("\\u{:04x}", c as u32) } else { c.to_string() }
            })
            .collect();
    line.replace(secret, &escaped)
}

/// Every path to a string leaf of `value`.
fn string_leaves(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::String(_) => out.push(path.clone()),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            path.push(k.clone());
            string_leaves(v, path, out);
            path.pop();
        }),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| {
            path.push(i.to_string());
            string_leaves(v, path, out);
            path.pop();
        }),
        _ => {}
    }
}

fn leaf_mut<'v>(value: &'v mut Value, path: &[String]) -> &'v mut Value {
    path.iter().fold(value, |v, step| match v {
        Value::Array(items) => &mut items[step.parse::<usize>().unwrap()],
        other => &mut other[step.as_str()],
    })
}

/// Lines of one format with a secret in each string field in turn: the field
/// replaced, or the secret appended to it (keeping JSON inside strings whole).
fn poisoned(lines: &[Value], secrets: &[Secret]) -> String {
    let mut out = String::new();
    let mut way = 0;
    for line in lines {
        out.push_str(&line.to_string());
        out.push('\n');
        let mut leaves = Vec::new();
        string_leaves(line, &mut Vec::new(), &mut leaves);
        for path in &leaves {
            for secret in secrets {
                way += 1;
                let mut copy = line.clone();
                let leaf = leaf_mut(&mut copy, path);
                let text = written(secret, way);
                *leaf = match (way % 2, leaf.as_str()) {
                    (0, Some(old)) => Value::String(format!("{old} {text}")),
                    _ => Value::String(text),
                };
                let mut text = copy.to_string();
                if way % 3 == 0 {
                    text = json_escaped(&text, &secret.text);
                }
                out.push_str(&text);
                out.push('\n');
            }
        }
    }
    out
}

/// A failing line and a successful one of each sample format.
fn sample_lines(file: &std::path::Path) -> Vec<Value> {
    let text = std::fs::read_to_string(file).unwrap();
    let values: Vec<Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let failing = values.iter().find(|v| {
        let t = v.to_string().to_ascii_lowercase();
        t.contains("error") && !t.contains("\"error\":null")
    });
    values.first().into_iter().chain(failing).cloned().collect()
}

/// The canonical record with every canonical field present.
fn canonical_line() -> Value {
    serde_json::json!({
        "ts": "2026-11-21T10:00:00Z", "request_id": "req_1", "key": "key_one", "org": "org-1",
        "project": "proj_a", "user": "u1", "provider": "openai", "endpoint": "/v1/chat/completions",
        "model": "gpt-4o", "status": 401, "latency_ms": 120,
        "error": {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                  "param": "auth", "code": "invalid_api_key"}},
        "headers": {"x-request-id": "req_1", "retry-after": "2"},
        "metadata": {"team_alias": "ml", "note": "n"}
    })
}

fn assert_hidden(secrets: &[Secret], what: &str, bytes: &[u8]) {
    let out = String::from_utf8_lossy(bytes);
    for secret in secrets {
        let chars: Vec<char> = secret.text.chars().collect();
        for run in chars.windows(12) {
            let run: String = run.iter().collect();
            if let Some(at) = out.find(&run) {
                let from = out[..at].char_indices().rev().nth(80).map_or(0, |(i, _)| i);
                panic!(
                    "{what}: {run:?} of a secret leaked: …{}…",
                    &out[from..(at + 40).min(out.len())]
                );
            }
        }
    }
}

/// Writes into `dir` the canonical line and a failing and a successful line
/// of every sample format, each poisoned with every secret in every field.
fn write_poisoned(dir: &TempDir, secrets: &[Secret]) {
    let sample_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/formats");
    let mut files = vec![("canonical.jsonl".to_string(), vec![canonical_line()])];
    let mut names: Vec<_> =
        std::fs::read_dir(&sample_dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for path in names.iter().filter(|p| p.extension().is_some_and(|e| e == "jsonl")) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        files.push((name, sample_lines(path)));
    }
    for (name, lines) in &files {
        dir.write(name, poisoned(lines, secrets));
    }
}

#[test]
fn no_secret_leaves_in_any_output() {
    let secrets = secrets();
    let dir = TempDir::new("secrets");
    write_poisoned(&dir, &secrets);
    let root = dir.path().to_str().unwrap();
    // Not vacuous: every file is read in a known format, and failures are found.
    let report = crate::util::analyze_json(&[root]);
    for file in report["summary"]["files"].as_array().unwrap() {
        let format = file["format"].as_str().unwrap();
        assert!(format != "unknown", "{file}");
        let canonical = file["path"].as_str().unwrap().ends_with("canonical.jsonl");
        assert!(canonical == (format == "canonical"), "{file}");
    }
    assert!(report["summary"]["failures"].as_u64().unwrap() > 1000, "{}", report["summary"]);
    let mut runs: Vec<Vec<&str>> = ["text", "markdown", "html", "json"]
        .iter()
        .map(|f| vec!["analyze", root, "--format", f, "--color", "always"])
        .collect();
    for table in
        ["causes", "timeline", "breakdown", "findings", "keys", "projects", "models", "signatures"]
    {
        runs.push(vec![
            "analyze",
            root,
            "--format",
            "csv",
            "--table",
            table,
            "--by",
            "key,project,org,user,model,endpoint,provider,status,category",
        ]);
    }
    let by = "key,project,org,user,model,endpoint,provider,status,category";
    runs.push(vec!["analyze", root, "--format", "json", "--by", by, "--every", "1h"]);
    runs.push(vec!["analyze", root, "--format", "text", "--by", by]);
    runs.push(vec!["analyze", root, "--format", "csv", "--table", "changes", "--compare", root]);
    runs.push(vec!["classify", root]);
    runs.push(vec!["classify", root, "--all"]);
    for args in &runs {
        let out = errlens(args, None);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{args:?} printed nothing");
        assert_hidden(&secrets, &format!("{args:?} stdout"), &out.stdout);
        assert_hidden(&secrets, &format!("{args:?} stderr"), &out.stderr);
    }
    // A state file is compressed: decoded, it holds no secret either.
    let states = TempDir::new("secrets-state");
    let state = states.path().join("all.state");
    let state = state.to_str().unwrap();
    let args = ["analyze", root, "--format", "state", "-o", state, "--by", by, "--every", "1h"];
    assert!(errlens(&args, None).status.code().is_some_and(|c| c <= 1));
    let part = errlens::analyze::state::decode(&std::fs::read(state).unwrap()).unwrap();
    assert!(part.stats.failures > 1000);
    assert_hidden(&secrets, "the state", format!("{part:?}").as_bytes());
}

/// Issue 13: the CSV and Parquet files of `classify` (Parquet is compressed:
/// its strings are read back and checked one by one).
#[test]
fn no_secret_in_classify_files() {
    let secrets = secrets();
    let dir = TempDir::new("secrets-records");
    write_poisoned(&dir, &secrets);
    let out = TempDir::new("secrets-records-out");
    let root = dir.path().to_str().unwrap();
    for name in ["all.csv", "all.parquet"] {
        let path = out.path().join(name);
        let run = errlens(&["classify", "--all", root, "-o", path.to_str().unwrap()], None);
        assert!(run.status.code().is_some_and(|c| c <= 1), "{name}");
        assert_hidden(&secrets, &format!("classify -o {name}: stderr"), &run.stderr);
        let text = if name.ends_with(".csv") {
            std::fs::read_to_string(&path).unwrap()
        } else {
            let rows = crate::util::parquet_rows(&path);
            assert!(rows.len() > 2000, "{name}: {} rows", rows.len());
            let strings = rows.iter().flatten().filter_map(|(_, v)| match v {
                parquet::record::Field::Str(s) => Some(s.as_str()),
                _ => None,
            });
            strings.collect::<Vec<_>>().join("\n")
        };
        assert!(text.contains("sk-proj-...") && text.contains("Bearer "), "{name}: not vacuous");
        assert_hidden(&secrets, &format!("classify -o {name}"), text.as_bytes());
    }
}

#[test]
fn explain_never_echoes_a_secret() {
    let secrets = secrets();
    for (i, secret) in secrets.iter().enumerate() {
        let text = written(secret, i);
        for pasted in [
            format!(
                "Error code: 401 - {{'error': {{'message': 'Incorrect API key provided: {text}.', 'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}}}"
            ),
            format!(
                "{{\"error\":{{\"message\":\"{text}\",\"code\":\"{text}\",\"param\":\"{text}\"}}}}"
            ),
            format!("curl -H 'Authorization: Bearer {}' failed: 401 Unauthorized", secret.text),
        ] {
            for format in ["text", "markdown", "json"] {
                let out = errlens(&["explain", "--format", format, &pasted], None);
                assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
                assert_hidden(&secrets, &format!("explain {format}"), &out.stdout);
            }
        }
    }
}

#[test]
fn stderr_messages_are_redacted_too() {
    let secrets = secrets();
    let missing = format!("/nonexistent/{}/app.jsonl", secrets[0].text);
    let out = errlens(&["analyze", &missing], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("errlens:"));
    assert_hidden(&secrets, "stderr of a missing file", &out.stderr);
}
