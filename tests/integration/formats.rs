//! Every report format from one fixed input, compared with the committed
//! snapshots in `tests/snapshots/` (run with `UPDATE_SNAPSHOTS=1` to rewrite
//! them after an intended change, then review the diff); the same output for
//! any thread count and chunk size, on that input and on a few MB of the
//! generator's output; escaping; cron exit codes.

use std::path::Path;

use super::util::*;

const INPUT: &str = "tests/data/snapshot.jsonl";

/// `(snapshot file, extra args)` for every format and CSV table.
const FORMATS: [(&str, &[&str]); 14] = [
    ("report.txt", &["--format", "text"]),
    ("report.md", &["--format", "markdown"]),
    ("report.html", &["--format", "html"]),
    ("report.json", &["--format", "json"]),
    ("causes.csv", &["--format", "csv", "--table", "causes"]),
    ("timeline.csv", &["--format", "csv", "--table", "timeline", "--every", "1h"]),
    ("keys.csv", &["--format", "csv", "--table", "keys"]),
    ("models.csv", &["--format", "csv", "--table", "models"]),
    ("projects.csv", &["--format", "csv", "--table", "projects"]),
    ("signatures.csv", &["--format", "csv", "--table", "signatures"]),
    (
        "breakdown.csv",
        &["--format", "csv", "--table", "breakdown", "--by", "model,category", "--every", "6h"],
    ),
    ("breakdown.md", &["--format", "markdown", "--by", "key,status"]),
    ("compare.txt", &["--format", "text", "--compare", "samples/aliases.jsonl"]),
    (
        "changes.csv",
        &["--format", "csv", "--table", "changes", "--compare", "samples/aliases.jsonl"],
    ),
];

fn run_in_repo(args: &[&str]) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_errlens"))
        .args(args)
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", "1795305600")
        .output()
        .unwrap();
    ok_stdout(&out, 0)
}

#[test]
fn every_format_matches_its_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut stale = Vec::new();
    for (file, args) in FORMATS {
        let mut all = vec!["analyze", "--threads", "2", INPUT];
        all.extend_from_slice(args);
        let got = run_in_repo(&all);
        let path = dir.join(file);
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if got != want {
            let line = got.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(0);
            stale.push(format!("{file}: first difference at line {}", line + 1));
        }
    }
    assert!(
        stale.is_empty(),
        "snapshots differ (UPDATE_SNAPSHOTS=1 to rewrite):\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_format_is_identical_for_any_thread_count() {
    for (file, args) in FORMATS {
        let run = |threads: &str, chunk: &str| {
            let mut all = vec!["analyze", "--threads", threads, "--chunk-size", chunk, INPUT];
            all.extend_from_slice(args);
            run_in_repo(&all)
        };
        assert_eq!(run("1", "1000000"), run("2", "300"), "{file}");
    }
}

/// The formats checked on the generated mix (a subset of [`FORMATS`]: each run
/// takes seconds in a debug build).
const MIX_FORMATS: [&str; 8] = [
    "report.txt",
    "report.md",
    "report.html",
    "report.json",
    "causes.csv",
    "timeline.csv",
    "signatures.csv",
    "breakdown.csv",
];

/// Thread counts and chunk sizes compared with one thread and the default
/// chunk size: a chunk per line (after the first chunk's 64 KiB floor) on two
/// workers, chunks of an odd size above that floor on three.
const SPLITS: [(&str, &str); 2] = [("2", "1"), ("3", "65537")];

#[test]
fn the_generated_mix_is_identical_for_any_thread_count_and_chunk_size() {
    let dir = TempDir::new("identity");
    let mix = dir.write("mix.jsonl", generated_mix());
    let mix = mix.to_str().unwrap();
    for (file, args) in FORMATS.iter().filter(|(file, _)| MIX_FORMATS.contains(file)) {
        let run = |split: &[&str]| {
            let mut all = vec!["analyze", mix];
            all.extend_from_slice(split);
            all.extend_from_slice(args);
            run_in_repo(&all)
        };
        let base = run(&["--threads", "1"]);
        for (threads, chunk) in SPLITS {
            let split = run(&["--threads", threads, "--chunk-size", chunk]);
            if let Some(diff) = first_difference(&base, &split) {
                panic!("{file}, --threads {threads} --chunk-size {chunk}: {diff}");
            }
        }
    }
}

/// A few MB of the generator's mix (`examples/gen.rs`): the two generated
/// samples (seeds 42 and 7, the second decompressed) with the broken lines of
/// `samples/broken.jsonl` after them, in one file.
fn generated_mix() -> Vec<u8> {
    use std::io::Read;
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut mix = std::fs::read(samples.join("app-2026-11-21.jsonl")).unwrap();
    let gz = std::fs::File::open(samples.join("gateway-2026-11-21.jsonl.gz")).unwrap();
    flate2::read::MultiGzDecoder::new(gz).read_to_end(&mut mix).unwrap();
    mix.extend(std::fs::read(samples.join("broken.jsonl")).unwrap());
    assert!(mix.len() > 2_000_000, "the samples are a few MB");
    mix
}

/// The first line where two outputs differ, both versions, or `None`.
fn first_difference(want: &str, got: &str) -> Option<String> {
    if want == got {
        return None;
    }
    let (mut want_lines, mut got_lines) = (want.lines(), got.lines());
    for n in 1.. {
        let (w, g) = (want_lines.next(), got_lines.next());
        if w != g {
            return Some(format!("line {n} differs:\n  one thread: {w:?}\n  split:      {g:?}"));
        }
        if w.is_none() {
            break;
        }
    }
    Some("the outputs differ in their line endings".to_string())
}

#[test]
fn log_strings_are_escaped() {
    let html = run_in_repo(&["analyze", "--format", "html", INPUT]);
    // The one script is the renderer's table sorter, verbatim; the rest of the
    // page holds no script, and neither loads anything.
    let sorter = format!("<script>{}</script>", include_str!("../../src/report/html/sort.js"));
    assert_eq!(html.matches("<script").count(), 1, "one script only");
    let page = html.replace(&sorter, "");
    assert_ne!(page, html, "the script is the table sorter");
    assert!(page.contains("&lt;script&gt;"));
    assert!(!page.contains("<b>gpt</b>"));
    for external in ["src=", "href=", "<link", "<script", "@import", "url("] {
        assert!(!page.contains(external), "no external assets or scripts: {external}");
    }
    for loads in ["src", "http", "fetch", "XMLHttpRequest", "import", "eval"] {
        assert!(!sorter.contains(loads), "the sorter loads nothing: {loads}");
    }
    let csv = run_in_repo(&["analyze", "--format", "csv", "--table", "keys", INPUT]);
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "{csv}");
    let md = run_in_repo(&["analyze", "--format", "markdown", INPUT]);
    assert!(md.contains("&lt;script&gt;") && md.contains("\\| pipe"), "{md}");
}

#[test]
fn output_file_extension_picks_the_format() {
    let dir = TempDir::new("ext");
    for (name, marker) in
        [("r.md", "# errlens report"), ("r.html", "<!DOCTYPE html>"), ("r.csv", "category,group,")]
    {
        let path = dir.path().join(name);
        ok_stdout(
            &errlens(
                &[
                    "analyze",
                    "-o",
                    path.to_str().unwrap(),
                    &format!("{}/{INPUT}", env!("CARGO_MANIFEST_DIR")),
                ],
                None,
            ),
            0,
        );
        assert!(std::fs::read_to_string(&path).unwrap().starts_with(marker), "{name}");
    }
    let bad =
        errlens(&["analyze", "-o", dir.path().join("r.xyz").to_str().unwrap(), "-"], Some(b""));
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn cron_conditions_set_the_exit_code() {
    let input = format!("{}/{INPUT}", env!("CARGO_MANIFEST_DIR"));
    let code = |args: &[&str]| {
        let mut all = vec!["analyze", "--format", "json", input.as_str()];
        all.extend_from_slice(args);
        errlens(&all, None).status.code()
    };
    assert_eq!(code(&[]), Some(0));
    assert_eq!(code(&["--fail-on", "quota.*,auth.*"]), Some(1));
    assert_eq!(code(&["--fail-on", "gateway.*"]), Some(0));
    assert_eq!(
        code(&["--fail-on", "qouta.*"]),
        Some(2),
        "a glob that matches no cause is a usage error"
    );
    assert_eq!(code(&["--max-error-rate", "0.9"]), Some(0));
    assert_eq!(code(&["--max-error-rate", "0.05"]), Some(1));
    assert_eq!(code(&["--max-error-rate", "5"]), Some(2));
    assert_eq!(code(&["--every", "2h"]), Some(2));
}

#[test]
fn breakdowns_add_up_and_bad_dimensions_are_errors() {
    let input = format!("{}/{INPUT}", env!("CARGO_MANIFEST_DIR"));
    let r = analyze_json(&["--by", "model,category", "--every", "1h", &input]);
    let b = &r["breakdown"];
    assert_eq!(b["by"], serde_json::json!(["model", "category"]));
    assert_eq!(b["every"], "1h");
    let rows = b["rows"].as_array().unwrap();
    let sum = |k: &str| rows.iter().map(|row| row[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("requests"), r["summary"]["records"].as_u64().unwrap());
    assert_eq!(sum("failures"), r["summary"]["failures"].as_u64().unwrap());
    assert!(rows.iter().any(|row| row["failure_latency_p50_ms"].is_number()));
    let bad = errlens(&["analyze", "--by", "model,colour", &input], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("colour"));
}

#[test]
fn since_and_until_keep_every_line_accounted_for() {
    let input = format!("{}/samples/app-2026-11-21.jsonl", env!("CARGO_MANIFEST_DIR"));
    let r = analyze_json(&[
        "--since",
        "2026-11-21T12:00:00Z",
        "--until",
        "2026-11-21T13:00:00Z",
        &input,
    ]);
    let s = &r["summary"];
    let n = |k: &str| s[k].as_u64().unwrap();
    assert_eq!(n("lines"), n("records") + n("out_of_range") + n("blank") + n("malformed"));
    assert!(n("records") > 0 && n("out_of_range") > 0);
    assert!(s["time_range"]["start"].as_str().unwrap() >= "2026-11-21T12:00:00Z");
    assert!(s["time_range"]["end"].as_str().unwrap() < "2026-11-21T13:00:00Z");
    // Relative to SOURCE_DATE_EPOCH (2026-11-22T00:00:00Z): the last 12 hours.
    let relative = analyze_json(&["--since", "12h", &input]);
    let start = relative["summary"]["time_range"]["start"].as_str().unwrap().to_string();
    assert!(start.as_str() >= "2026-11-21T12:00:00Z", "{start}");
}

/// The generated sample tells a known story (samples/README.md): the findings
/// must tell it back.
#[test]
fn findings_tell_the_samples_story() {
    let input = format!("{}/samples/app-2026-11-21.jsonl", env!("CARGO_MANIFEST_DIR"));
    let r = analyze_json(&[&input]);
    let findings = r["findings"].as_array().unwrap();
    let of = |kind: &str| findings.iter().filter(|f| f["kind"] == kind).collect::<Vec<_>>();
    let incident = of("provider_incident");
    assert_eq!(incident.len(), 1, "one incident: {incident:?}");
    let (start, end) =
        (incident[0]["start"].as_str().unwrap(), incident[0]["end"].as_str().unwrap());
    assert!(("2026-11-21T12:25:00Z"..="2026-11-21T12:40:00Z").contains(&start), "{start}");
    assert!(("2026-11-21T12:55:00Z"..="2026-11-21T13:10:00Z").contains(&end), "{end}");
    let models = incident[0]["rows"][0]["numbers"]["models"].as_f64().unwrap();
    assert!(models >= 3.0, "several models: {models}");
    let quota = of("quota_ran_out");
    let rows = quota.iter().flat_map(|f| f["rows"].as_array().unwrap());
    let batch = rows.clone().find(|r| r["subject"] == "proj_batch").expect("proj_batch ran out");
    assert!(batch["start"].as_str().unwrap().starts_with("2026-11-21T16:19"), "{batch}");
    let keys = of("key_failing");
    assert!(
        keys.iter().any(|f| f["subjects"][0].as_str().unwrap().starts_with("sk-proj-...rO6K#")),
        "{keys:?}"
    );
    assert!(!r.to_string().contains("SECRET"));
    let typos = of("model_typo");
    let details = typos.iter().flat_map(|f| f["rows"].as_array().unwrap()).map(|r| &r["detail"]);
    assert!(details.clone().any(|d| d.as_str().unwrap().contains("use `gpt-4o-mini`")));
    assert!(!of("context_overflow").is_empty());
    let headroom = of("rate_limit_headroom");
    assert!(headroom.iter().any(|f| f["subjects"][0] == "gpt-4o TPM"), "{headroom:?}");
    let csv = ok_stdout(
        &errlens(&["analyze", "--format", "csv", "--table", "findings", &input], None),
        0,
    );
    let rows: usize = findings.iter().map(|f| f["rows"].as_array().unwrap().len()).sum();
    assert_eq!(csv.lines().count(), rows + 1, "a CSV row per subject of each finding");
}

#[test]
fn compare_says_what_is_new_gone_grown_or_shrunk() {
    let root = env!("CARGO_MANIFEST_DIR");
    let now = format!("{root}/samples/app-2026-11-21.jsonl");
    let before = format!("{root}/samples/aliases.jsonl");
    let r = analyze_json(&[&now, "--compare", &before]);
    let c = &r["comparison"];
    assert_eq!(c["previous"]["records"], 20);
    let causes = c["causes"].as_array().unwrap();
    let of = |id: &str| causes.iter().find(|x| x["category"] == id).unwrap().clone();
    assert_eq!(of("quota.exhausted")["change"], "grown");
    assert_eq!(of("quota.exhausted")["before"], 1);
    assert_eq!(of("quota.exhausted")["percent_change"], 29.0);
    assert_eq!(of("request.json_mode")["change"], "new");
    assert!(of("request.json_mode")["percent_change"].is_null());
    let reverse = analyze_json(&[&before, "--compare", &now]);
    let gone =
        reverse["comparison"]["causes"].as_array().unwrap().iter().any(|x| x["change"] == "gone");
    assert!(gone);
    let code = |args: &[&str]| errlens(args, None).status.code();
    assert_eq!(code(&["analyze", &now, "--compare", &before, "--fail-on-new"]), Some(1));
    assert_eq!(code(&["analyze", &now, "--compare", &now, "--fail-on-new"]), Some(0));
    assert_eq!(code(&["analyze", &now, "--fail-on-new"]), Some(2), "--fail-on-new needs --compare");
}

#[test]
fn progress_goes_to_stderr_only_when_asked() {
    let input = format!("{}/samples/app-2026-11-21.jsonl", env!("CARGO_MANIFEST_DIR"));
    let quiet = errlens(&["analyze", "--format", "json", &input], None);
    assert!(quiet.stderr.is_empty(), "no progress when stderr is not a terminal");
    let shown = errlens(
        &["analyze", "--format", "json", "--chunk-size", "100000", "--progress", "always", &input],
        None,
    );
    let err = String::from_utf8_lossy(&shown.stderr);
    assert!(err.contains("MB/s") && err.contains("lines/s") && err.contains('%'), "{err}");
    assert_eq!(ok_stdout(&shown, 0), ok_stdout(&quiet, 0), "stdout is the same");
}
