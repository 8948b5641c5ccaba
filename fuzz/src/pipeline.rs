//! The whole pipeline over a small log, configured through the command line
//! (`Cli` → `Config` → `errlens::run::run_with`) as the binary is. Input: a mode byte
//! (`analyze` in text, markdown, html, csv or json, `classify`, `classify
//! --all`), a byte for the chunk size and CSV table, then the log, written to
//! a file of this process's own (so compressed logs are fuzzed too).
//!
//! Invariants checked besides "no panic" and "no error" (and no unreadable
//! input unless it is compressed: a corrupt stream is reported, not fatal):
//! - the JSON report is JSON and accounts for every line: `lines = records +
//!   out_of_range + not_llm - extra_records + blank + malformed +
//!   unrecognized`, and `lines` is the
//!   number of lines in a plain (uncompressed) input;
//! - the JSON report is the same whatever the chunk size and thread count;
//! - every output is UTF-8; `classify` writes one JSON object per failure
//!   (per record with `--all`).

use std::path::PathBuf;
use std::sync::{LazyLock, OnceLock};

use clap::Parser;
use errlens::classify::Classifier;
use errlens::cli::Cli;
use errlens::input::{Compression, for_each_line};
use errlens::{Config, Outcome};
use serde_json::Value;

/// `analyze --format` values, then the two `classify` modes.
const MODES: [&str; 7] = ["text", "markdown", "html", "csv", "json", "classify", "classify-all"];
/// `--table` values for CSV.
const TABLES: [&str; 9] = [
    "causes",
    "timeline",
    "breakdown",
    "findings",
    "changes",
    "keys",
    "projects",
    "models",
    "signatures",
];

/// The log, rewritten for every input.
static LOG: LazyLock<PathBuf> = LazyLock::new(|| {
    // SAFETY: set once, before errlens reads it, and nothing else touches the
    // environment. Fixes "now" (and so `generated_at`) for comparisons.
    unsafe { std::env::set_var("SOURCE_DATE_EPOCH", "1795219200") };
    std::env::temp_dir().join(format!("errlens-fuzz-{}.log", std::process::id()))
});

/// Runs errlens with `args` (the log path is appended, and `--threads 1`
/// unless `args` say otherwise) and returns its output. `readable`: the log
/// is plain, so nothing stops reading it; a compressed one may be corrupt.
pub fn errlens(args: &[&str], readable: bool) -> Vec<u8> {
    let log = LOG.to_str().expect("the temporary path is UTF-8");
    let mut argv = vec!["errlens"];
    argv.extend_from_slice(args);
    if !args.contains(&"--threads") {
        argv.extend(["--threads", "1"]);
    }
    argv.extend(["--progress", "never", log]);
    let config = Config::from_cli(Cli::parse_from(&argv)).expect("a valid command line");
    // Compiling the rules takes longer than a run of a few lines: once only
    // (no `--rules`, and "now" is fixed, so every run would compile the same).
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    let classifier = CLASSIFIER.get_or_init(|| {
        Classifier::new(&config.rules, config.now).expect("the embedded rules compile")
    });
    let mut out = Vec::new();
    let outcome = errlens::run::run_with(&config, classifier, &mut out).expect("the run succeeds");
    assert!(!readable || outcome != Outcome::InputError, "a plain log is readable: {args:?}");
    String::from_utf8(out).expect("output is UTF-8").into_bytes()
}

/// The JSON report with chunks of about `chunk_size` bytes, on `threads`.
fn json_report(chunk_size: usize, threads: &str, readable: bool) -> Value {
    let size = chunk_size.to_string();
    let args = ["analyze", "--format", "json", "--chunk-size", &size, "--threads", threads];
    let out = errlens(&args, readable);
    serde_json::from_slice(&out).expect("the JSON report is JSON")
}

/// The harness.
pub fn check(data: &[u8]) {
    let [mode, param, body @ ..] = data else { return };
    std::fs::write(&*LOG, body).expect("writing the log");
    let plain = Compression::sniff(body) == Compression::None;
    let report = json_report(1 << 20, "1", plain);
    let summary = &report["summary"];
    let n = |field: &str| summary[field].as_u64().unwrap_or_else(|| panic!("summary.{field}"));
    let lines = n("lines");
    assert_eq!(
        lines + n("extra_records"),
        n("records") + n("out_of_range") + n("not_llm") + n("blank") + n("malformed")
            + n("unrecognized"),
        "every line is accounted for"
    );
    if plain {
        assert_eq!(lines, for_each_line(body, |_, _| ()), "every line is read");
    }
    let small = 1 + usize::from(*param) % 64;
    let split = json_report(small, "2", plain);
    assert_eq!(split, report, "chunks of {small} bytes on 2 threads change the report");
    match MODES[usize::from(*mode) % MODES.len()] {
        "json" => {}
        "classify" => check_classify(&[], n("failures"), plain),
        "classify-all" => check_classify(&["--all"], n("records"), plain),
        "csv" => {
            let table = TABLES[usize::from(*param) % TABLES.len()];
            errlens(&["analyze", "--format", "csv", "--table", table], plain);
        }
        format => {
            errlens(&["analyze", "--format", format, "--color", "never"], plain);
        }
    }
}

/// `classify` writes `rows` JSON objects, one a line.
fn check_classify(flags: &[&str], rows: u64, readable: bool) {
    let mut args = vec!["classify"];
    args.extend_from_slice(flags);
    let out = errlens(&args, readable);
    let mut written = 0;
    for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let row: Value = serde_json::from_slice(line).expect("a classify row is JSON");
        assert!(row.is_object(), "a classify row is an object");
        written += 1;
    }
    assert_eq!(written, rows, "classify writes one row per record it reports");
}
