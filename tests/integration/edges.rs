//! Edges of input and output (issue 9): inputs that end early, an output that
//! names an input, odd folders, endless lines, a stderr that cannot be
//! written, files truncated while read, limits on what the command line asks.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::util::*;

/// `n` lines of varied content (so that compressors need many blocks), a
/// failure every seventh.
fn varied_log(n: u64) -> String {
    let mut seed = 42u64;
    (0..n)
        .map(|i| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let status = if i % 7 == 0 { 429 } else { 200 };
            format!(
                r#"{{"ts":"2026-11-21T10:{:02}:{:02}Z","request_id":"req_{seed:x}","model":"gpt-4o","status":{status}}}"#,
                i / 60 % 60,
                i % 60
            ) + "\n"
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_of(out: &Output, code: i32) -> Value {
    serde_json::from_str(&ok_stdout(out, code)).unwrap()
}

/// Runs errlens with stderr going to `stderr` and no stdin.
fn errlens_with_stderr(args: &[&str], stderr: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_errlens"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1795305600")
        .stdin(Stdio::null())
        .stderr(stderr)
        .output()
        .unwrap()
}

// Item 3: an input that cannot be read to its end.

#[test]
fn cut_and_corrupt_compressed_inputs_are_errors_everywhere() {
    let dir = TempDir::new("cut-streams");
    let log = varied_log(40_000);
    let gz = gzip(log.as_bytes());
    let zst = zstd::encode_all(log.as_bytes(), 3).unwrap();
    let mut corrupt_gz = gz.clone();
    let mut corrupt_zst = zst.clone();
    for bytes in [&mut corrupt_gz, &mut corrupt_zst] {
        let middle = bytes.len() / 2;
        bytes[middle..middle + 64].iter_mut().for_each(|b| *b ^= 0x55);
    }
    let cases = [
        ("cut.jsonl.gz", gz[..gz.len() / 2].to_vec(), "incomplete gzip stream after"),
        ("trailer.jsonl.gz", gz[..gz.len() - 3].to_vec(), "incomplete gzip stream after"),
        ("corrupt.jsonl.gz", corrupt_gz, "corrupt gzip stream after"),
        ("cut.jsonl.zst", zst[..zst.len() / 2].to_vec(), "incomplete zstd stream after"),
        ("corrupt.jsonl.zst", corrupt_zst, "corrupt zstd stream after"),
    ];
    for (name, bytes, says) in cases {
        let path = dir.write(name, bytes);
        let p = path.to_str().unwrap();
        let out = errlens(&["analyze", "--format", "json", p], None);
        let r = json_of(&out, 2);
        let file = &r["summary"]["files"][0];
        let lines = file["lines"].as_u64().unwrap();
        let error = file["error"].as_str().unwrap();
        assert!(error.starts_with(&format!("{says} {lines} lines")), "{name}: {error}");
        assert_eq!(r["summary"]["lines"], lines, "{name}: lines read are counted");
        assert!(stderr_of(&out).contains(&format!("errlens: {p}: {error}\n")), "{name}");
        let classified = errlens(&["classify", p], None);
        assert_eq!(classified.status.code(), Some(2), "{name}");
        assert!(stderr_of(&classified).contains(&format!("errlens: {p}: {says}")), "{name}");
    }
    // Lines before the cut are read; the cut line is counted as cut short.
    let cut = dir.path().join("cut.jsonl.gz");
    let r = json_of(&errlens(&["analyze", "--format", "json", cut.to_str().unwrap()], None), 2);
    assert!(r["summary"]["records"].as_u64().unwrap() > 10_000);
    assert!(r["summary"]["malformed_by_reason"].get("invalid_json").is_none());
}

#[test]
fn every_report_format_shows_a_read_error() {
    let dir = TempDir::new("error-formats");
    let gz = gzip(varied_log(20_000).as_bytes());
    let path = dir.write("cut.jsonl.gz", &gz[..gz.len() / 2]);
    let p = path.to_str().unwrap();
    for format in [&["text"][..], &["markdown"], &["html"], &["csv", "--table", "files"]] {
        let mut args = vec!["analyze", p, "--format"];
        args.extend_from_slice(format);
        let out = ok_stdout(&errlens(&args, None), 2);
        assert!(out.contains("incomplete gzip stream after"), "{format:?}:\n{out}");
    }
}

#[test]
fn an_unreadable_compare_input_is_an_error_too() {
    let dir = TempDir::new("compare-cut");
    let now = dir.write("now.jsonl", varied_log(2_000));
    let gz = gzip(varied_log(20_000).as_bytes());
    let before = dir.write("before.jsonl.gz", &gz[..gz.len() / 2]);
    let (n, b) = (now.to_str().unwrap(), before.to_str().unwrap());
    let out = errlens(&["analyze", n, "--format", "json", "--compare", b], None);
    let r = json_of(&out, 2);
    let unread = &r["comparison"]["previous"]["unread"][0];
    assert_eq!(unread["path"], b);
    assert!(unread["error"].as_str().unwrap().starts_with("incomplete gzip stream after"));
    assert!(stderr_of(&out).contains(&format!("errlens: {b}: incomplete gzip stream")));
    let text = ok_stdout(&errlens(&["analyze", n, "--compare", b], None), 2);
    assert!(text.contains("Not read to its end"), "{text}");
    let whole = dir.write("whole.jsonl", varied_log(2_000));
    let out = errlens(&["analyze", n, "--compare", whole.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
}

// Item 5: `-o` naming an input.

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let dir = TempDir::new("output-input");
    let log = varied_log(50);
    let path = dir.write("logs/app.jsonl", &log);
    let other = dir.write("other.jsonl", &log);
    let folder = dir.path().join("logs");
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let hard = dir.path().join("hard.json");
    std::fs::hard_link(&path, &hard).unwrap();
    let spelled = folder.join(".").join("app.jsonl");
    let (p, o, f) = (path.to_str().unwrap(), other.to_str().unwrap(), folder.to_str().unwrap());
    let cases: Vec<Vec<&str>> = vec![
        vec!["analyze", p, "--format", "json", "-o", p],
        vec!["analyze", f, "--format", "json", "-o", p],
        vec!["analyze", p, "--format", "json", "-o", spelled.to_str().unwrap()],
        vec!["analyze", p, "--format", "json", "-o", link.to_str().unwrap()],
        vec!["analyze", p, "--format", "json", "-o", hard.to_str().unwrap()],
        vec!["analyze", o, "--format", "json", "-o", p, "--compare", f],
        vec!["classify", p, "-o", p],
        vec!["classify", f, "-o", hard.to_str().unwrap()],
    ];
    for args in cases {
        let out = errlens(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr_of(&out).contains("is the input"), "{args:?}: {}", stderr_of(&out));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), log, "{args:?} kept the input");
    }
    let report = dir.path().join("report.json");
    ok_stdout(&errlens(&["analyze", f, "-o", report.to_str().unwrap()], None), 0);
}

// Item 6: folders.

#[test]
fn a_symlink_loop_reads_each_file_once() {
    let dir = TempDir::new("loop");
    dir.write("logs/a.jsonl", varied_log(10));
    let logs = dir.path().join("logs");
    std::os::unix::fs::symlink(".", logs.join("again")).unwrap();
    std::os::unix::fs::symlink(&logs, logs.join("up")).unwrap();
    std::os::unix::fs::symlink(logs.join("a.jsonl"), logs.join("b.jsonl")).unwrap();
    let r = analyze_json(&[logs.to_str().unwrap(), logs.join("a.jsonl").to_str().unwrap()]);
    assert_eq!(r["summary"]["files"].as_array().unwrap().len(), 1, "{}", r["summary"]["files"]);
    assert_eq!(r["summary"]["lines"], 10);
}

/// Runs errlens, failing the test if it takes longer than `limit`.
fn run_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_errlens"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("errlens {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn a_fifo_in_a_folder_is_skipped_with_a_note() {
    let dir = TempDir::new("fifo");
    dir.write("logs/a.jsonl", varied_log(10));
    let logs = dir.path().join("logs");
    mkfifo(&logs.join("pipe.jsonl"));
    let out = run_within(
        &["analyze", "--format", "json", logs.to_str().unwrap()],
        Duration::from_secs(60),
    );
    let r = json_of(&out, 0);
    assert_eq!(r["summary"]["files"].as_array().unwrap().len(), 1);
    let err = stderr_of(&out);
    assert!(err.contains("pipe.jsonl: skipped: not a regular file (a FIFO)"), "{err}");
}

#[test]
fn rotated_logs_are_read_and_other_names_skipped() {
    let dir = TempDir::new("rotated");
    let log = varied_log(7);
    let gz = gzip(log.as_bytes());
    dir.write("logs/app.log", &log);
    dir.write("logs/app.log.1", &log);
    dir.write("logs/app.jsonl.2.gz", &gz);
    dir.write("logs/app.log-20261121.gz", &gz);
    dir.write("logs/app.log-20261121", &log);
    dir.write("logs/app.jsonl.1.zst", zstd::encode_all(log.as_bytes(), 3).unwrap());
    dir.write("logs/0123abcd-json.log.3", &log);
    dir.write("logs/README.md", "# notes\n");
    dir.write("logs/data.parquet", "PAR1");
    dir.write("logs/.hidden.log.1", "garbage\n");
    dir.write("logs/app.1", "garbage\n");
    let r = analyze_json(&[dir.path().join("logs").to_str().unwrap()]);
    let files = r["summary"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 7, "{files:?}");
    assert_eq!(r["summary"]["lines"], 49);
    assert_eq!(r["summary"]["malformed"], 0);
}

#[test]
fn a_path_without_logs_warns_and_no_input_at_all_is_an_error() {
    let dir = TempDir::new("no-logs");
    dir.write("empty/README.md", "# not a log\n");
    std::fs::create_dir_all(dir.path().join("bare")).unwrap();
    let log = dir.write("app.jsonl", varied_log(3));
    let empty_file = dir.write("empty.jsonl", "");
    let (e, b) = (dir.path().join("empty"), dir.path().join("bare"));
    let (e, b) = (e.to_str().unwrap(), b.to_str().unwrap());
    for args in [vec!["analyze", e], vec!["analyze", e, b], vec!["classify", b]] {
        let out = errlens(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: no report");
        let err = stderr_of(&out);
        assert!(err.contains("no log files found (looked for *.jsonl"), "{args:?}: {err}");
    }
    let out = errlens(&["analyze", "--format", "json", e, log.to_str().unwrap()], None);
    assert_eq!(json_of(&out, 0)["summary"]["lines"], 3);
    assert!(stderr_of(&out).contains(&format!("errlens: {e}: no log files found")));
    // An empty file is an input like any other.
    let out = errlens(&["analyze", "--format", "json", empty_file.to_str().unwrap()], None);
    assert_eq!(json_of(&out, 0)["summary"]["lines"], 0);
    assert!(out.stderr.is_empty());
}

// Item 7: lines without end.

#[test]
fn lines_longer_than_the_cap_are_malformed_and_reading_resumes() {
    let dir = TempDir::new("long-lines");
    let mut log = vec![b'x'; 3 << 20];
    log.push(b'\n');
    log.extend_from_slice(varied_log(5).as_bytes());
    log.extend_from_slice(&[b'{'; 5000]);
    log.push(b'\n');
    log.extend_from_slice(varied_log(2).as_bytes());
    let path = dir.write("long.jsonl", &log);
    let p = path.to_str().unwrap();
    let gz = dir.write("endless.jsonl.gz", gzip(&vec![b'y'; 8 << 20]));
    let base = ["analyze", "--format", "json", "--max-line", "4096"];
    for (chunk, input) in [("1000000", Some(&log)), ("100", Some(&log)), ("1000000", None)] {
        let mut args = base.to_vec();
        args.extend(["--chunk-size", chunk]);
        let r = match input {
            Some(bytes) => json_of(&errlens(&[&args[..], &["-"]].concat(), Some(bytes)), 0),
            None => json_of(&errlens(&[&args[..], &[p]].concat(), None), 0),
        };
        let s = &r["summary"];
        assert_eq!((s["lines"].as_u64(), s["records"].as_u64()), (Some(9), Some(7)), "{s}");
        let too_long = &s["malformed_by_reason"]["line_too_long"];
        assert_eq!(too_long["count"], 2, "{s}");
        assert!(too_long["first"][0].as_str().unwrap().ends_with(":1"), "{s}");
    }
    let r = json_of(&errlens(&[&base[..], &[gz.to_str().unwrap()]].concat(), None), 0);
    assert_eq!(r["summary"]["lines"], 1);
    assert_eq!(r["summary"]["malformed_by_reason"]["line_too_long"]["count"], 1);
}

// Item 9: a stderr that cannot be written.

#[test]
fn a_stderr_that_cannot_be_written_does_not_panic() {
    let dir = TempDir::new("stderr-full");
    let gz = gzip(varied_log(20_000).as_bytes());
    let cut = dir.write("cut.jsonl.gz", &gz[..gz.len() / 2]);
    let log = dir.write("app.jsonl", varied_log(10));
    std::fs::create_dir_all(dir.path().join("bare")).unwrap();
    let bare = dir.path().join("bare");
    let full = || Stdio::from(std::fs::File::create("/dev/full").unwrap());
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["analyze", "/no/such/errlens/input"], 2),
        (vec!["analyze", cut.to_str().unwrap()], 2),
        (vec!["classify", cut.to_str().unwrap()], 2),
        (vec!["analyze", "--threads", "100000", log.to_str().unwrap()], 0),
        (vec!["analyze", bare.to_str().unwrap(), log.to_str().unwrap()], 0),
        (vec!["analyze", bare.to_str().unwrap()], 2),
    ];
    for (args, code) in cases {
        let out = errlens_with_stderr(&args, full());
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
}

#[test]
fn messages_on_stderr_are_cleaned_like_any_output() {
    let dir = TempDir::new("stderr-clean");
    let key = "sk-proj-SECRETSECRETSECRETSECRET0123456789wxyz";
    let odd = dir.path().join(key).join("\u{1b}[2J.jsonl");
    let out = errlens(&["analyze", odd.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.starts_with("errlens: ") && err.contains("no such file"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains("SECRETSECRET"), "{err}");
}

// Item 10: files truncated while read, cut last lines, byte-order marks.

#[test]
fn a_file_truncated_while_read_is_reported_not_a_crash() {
    let dir = TempDir::new("shrink");
    let path = dir.write("live.jsonl", varied_log(400_000));
    let p = path.to_str().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_errlens"))
        .args(["analyze", "--format", "json", "--threads", "1", "--chunk-size", "4096", p])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(1000).unwrap();
    let out = child.wait_with_output().unwrap();
    // Reading may have ended before the cut; it must not have died of it.
    match out.status.code() {
        Some(0) => {}
        Some(2) => {
            let error = json_of(&out, 2)["summary"]["files"][0]["error"].clone();
            let error = error.as_str().unwrap();
            assert!(error.starts_with("file shrank while being read (truncated after"), "{error}");
            assert!(stderr_of(&out).contains(error));
        }
        other => panic!("exit {other:?} (a signal?); stderr: {}", stderr_of(&out)),
    }
}

#[test]
fn a_last_line_cut_short_is_incomplete_not_invalid() {
    let dir = TempDir::new("last-line");
    let whole = varied_log(3);
    let cut = format!("{whole}{{\"ts\":\"2026-11-21T10:00:00Z\",\"sta");
    let complete = whole.trim_end().to_string();
    let cut_utf8 = [whole.as_bytes(), "{\"model\":\"gpt-4o ü".as_bytes()].concat();
    let cut_utf8 = &cut_utf8[..cut_utf8.len() - 1];
    let middle = format!("{{\"a\":\n{whole}");
    let cases: [(&[u8], u64, &str); 4] = [
        (cut.as_bytes(), 3, "incomplete_last_line"),
        (complete.as_bytes(), 3, ""),
        (cut_utf8, 3, "incomplete_last_line"),
        (middle.as_bytes(), 3, "invalid_json"),
    ];
    for (i, (bytes, records, reason)) in cases.into_iter().enumerate() {
        let path = dir.write(&format!("{i}.jsonl"), bytes);
        for chunk in ["1", "1000000"] {
            let r = analyze_json(&["--chunk-size", chunk, path.to_str().unwrap()]);
            let s = &r["summary"];
            assert_eq!(s["records"], records, "case {i}: {s}");
            let reasons: Vec<&String> =
                s["malformed_by_reason"].as_object().unwrap().keys().collect();
            let want: Vec<&str> = [reason].into_iter().filter(|r| !r.is_empty()).collect();
            assert_eq!(reasons, want, "case {i}");
        }
        let piped = errlens(&["analyze", "--format", "json", "-"], Some(bytes));
        assert_eq!(json_of(&piped, 0)["summary"]["records"], records, "case {i} on stdin");
    }
}

#[test]
fn a_byte_order_mark_may_start_any_line() {
    let dir = TempDir::new("boms");
    let part = varied_log(3);
    let joined = format!("\u{feff}{part}\u{feff}{part}\u{feff}{part}");
    let path = dir.write("cat.jsonl", &joined);
    let r = analyze_json(&[path.to_str().unwrap()]);
    assert_eq!(
        (r["summary"]["records"].as_u64(), r["summary"]["malformed"].as_u64()),
        (Some(9), Some(0))
    );
    // The same through a mapping (lines parsed by serde_json).
    let mapped = "\u{feff}{\"r\":{\"s\":429}}\n\u{feff}{\"r\":{\"s\":200}}\n";
    let path = dir.write("mapped.jsonl", mapped);
    let r = analyze_json(&["--map", "status=/r/s", path.to_str().unwrap()]);
    assert_eq!(
        (r["summary"]["failures"].as_u64(), r["summary"]["malformed"].as_u64()),
        (Some(1), Some(0))
    );
}

// Item 11: limits on the command line.

#[test]
fn too_many_threads_are_capped_with_a_note() {
    let dir = TempDir::new("threads");
    let path = dir.write("app.jsonl", varied_log(500));
    let p = path.to_str().unwrap();
    let out = errlens(&["analyze", "--format", "json", "--threads", "100000", p], None);
    let capped = ok_stdout(&out, 0);
    assert!(stderr_of(&out).contains("--threads 100000 capped to"), "{}", stderr_of(&out));
    let one = ok_stdout(&errlens(&["analyze", "--format", "json", "--threads", "1", p], None), 0);
    assert_eq!(capped, one);
}

#[test]
fn a_rules_file_that_cannot_compile_is_rejected_fast() {
    let dir = TempDir::new("bad-regex");
    let path = dir.write("app.jsonl", varied_log(5));
    let huge = dir.write(
        "huge.toml",
        "[[rule]]\nname = \"huge\"\ncause = \"quota.exhausted\"\nmessage = '(a{1000}){1000}'\n",
    );
    let syntax = dir.write(
        "syntax.toml",
        "[[rule]]\nname = \"unclosed\"\ncause = \"quota.exhausted\"\nmessage = '(oops'\n",
    );
    for (rules, rule) in [(huge, "rule `huge`"), (syntax, "rule `unclosed`")] {
        let out =
            errlens(&["analyze", "--rules", rules.to_str().unwrap(), path.to_str().unwrap()], None);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr_of(&out);
        let name = rules.file_name().unwrap().to_str().unwrap();
        assert!(err.contains(name) && err.contains(rule) && err.contains("bad regex"), "{err}");
    }
}
