//! Partial reports: analysing groups of the inputs to state files and
//! merging the states gives the report of analysing all inputs at once, for
//! any split, in every format; damaged, foreign and mismatched states are
//! refused.

use std::path::{Path, PathBuf};

use crate::util::{TempDir, errlens, ok_stdout};

/// Every log file of the samples, in a fixed order.
fn sample_files() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![root.join("samples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.to_string_lossy().contains(".jsonl") {
                files.push(path.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    assert!(files.len() > 15, "{files:?}");
    files
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

/// `files` cut into 2 to 5 runs of random lengths, in order.
fn split(files: &[String], rng: &mut Rng) -> Vec<Vec<String>> {
    let groups = 2 + rng.below(4);
    let mut cuts: Vec<usize> = (0..groups - 1).map(|_| 1 + rng.below(files.len() - 1)).collect();
    cuts.extend([0, files.len()]);
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2).map(|w| files[w[0]..w[1]].to_vec()).collect()
}

fn run(args: &[&str]) -> String {
    let out = errlens(args, None);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Writes one state per group with the fold flags; returns their paths.
fn states(dir: &Path, groups: &[Vec<String>], fold: &[&str], tag: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let path = dir.join(format!("{tag}-{i}.state")).to_string_lossy().into_owned();
        let mut args = vec!["analyze", "--format", "state", "-o", &path];
        args.extend(group.iter().map(String::as_str));
        args.extend_from_slice(fold);
        run(&args);
        paths.push(path);
    }
    paths
}

/// The report formats compared, as flags.
const OUTPUTS: [&[&str]; 8] = [
    &["--format", "text", "--full"],
    &["--format", "json", "--full"],
    &["--format", "markdown"],
    &["--format", "html"],
    &["--format", "csv", "--table", "causes"],
    &["--format", "csv", "--table", "timeline"],
    &["--format", "csv", "--table", "files"],
    &["--format", "csv", "--table", "signatures"],
];

#[test]
fn merged_states_give_the_report_of_one_run_for_any_split() {
    let dir = TempDir::new("states");
    let files = sample_files();
    let inputs: Vec<&str> = files.iter().map(String::as_str).collect();
    let folds: [&[&str]; 3] =
        [&[], &["--by", "key,model,status", "--every", "1h"], &["--by", "category"]];
    let mut rng = Rng(13);
    for (f, fold) in folds.iter().enumerate() {
        let outputs = if f == 0 { &OUTPUTS[..] } else { &OUTPUTS[..2] };
        let whole: Vec<String> =
            outputs.iter().map(|o| run(&[&["analyze"], &inputs[..], fold, o].concat())).collect();
        for attempt in 0..3 {
            let groups = split(&files, &mut rng);
            let parts = states(dir.path(), &groups, fold, &format!("f{f}-{attempt}"));
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            for (output, want) in outputs.iter().zip(&whole) {
                let got = run(&[&["analyze"], &parts[..], fold, output].concat());
                assert!(got == *want, "{fold:?} {output:?}, split {groups:?}: differs");
            }
        }
    }
}

#[test]
fn states_and_logs_mix_and_compare_with_states() {
    let dir = TempDir::new("states-mix");
    let files = sample_files();
    let (head, tail) = files.split_at(files.len() / 2);
    let before = "samples/aliases.jsonl";
    let root = env!("CARGO_MANIFEST_DIR");
    let before_state = states(dir.path(), &[vec![format!("{root}/{before}")]], &[], "before");
    let parts = states(dir.path(), &[head.to_vec()], &[], "head");
    let mut merged = vec!["analyze", "--format", "json", parts[0].as_str()];
    merged.extend(tail.iter().map(String::as_str));
    merged.extend(["--compare", before_state[0].as_str()]);
    let mut whole = vec!["analyze", "--format", "json"];
    whole.extend(files.iter().map(String::as_str));
    let before_path = format!("{root}/{before}");
    whole.extend(["--compare", before_path.as_str()]);
    let (got, want) = (run(&merged), run(&whole));
    assert!(got.contains("\"comparison\""));
    assert!(got == want, "a state among logs, and a state compared, differ");
}

#[test]
fn bad_states_are_errors_that_say_why() {
    let dir = TempDir::new("states-bad");
    let root = env!("CARGO_MANIFEST_DIR");
    let input = format!("{root}/samples/app-2026-11-21.jsonl");
    let state = states(dir.path(), &[vec![input.clone()]], &["--by", "model"], "one").remove(0);
    let bytes = std::fs::read(&state).unwrap();
    let write = |name: &str, bytes: &[u8]| -> PathBuf { dir.write(name, bytes) };
    let mut flipped = bytes.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let cut = &bytes[..bytes.len() / 2];
    let other = String::from_utf8_lossy(&bytes).replacen("format 1 errlens", "format 2 errlens", 1);
    let cases: [(PathBuf, &[&str], &str); 5] = [
        (write("flipped.state", &flipped), &["--by", "model"], "corrupt state"),
        (write("cut.state", cut), &["--by", "model"], "corrupt state"),
        (
            write("other.state", other.as_bytes()),
            &["--by", "model"],
            "reads only states of its own",
        ),
        (state.clone().into(), &[], "--by / --every"),
        (state.clone().into(), &["--by", "model", "--max-distinct", "5"], "--max-distinct"),
    ];
    for (path, flags, says) in cases {
        let mut args = vec!["analyze", path.to_str().unwrap()];
        args.extend_from_slice(flags);
        let out = errlens(&args, None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed a report");
    }
    let out = errlens(&["analyze", &input, "--format", "state", "--compare", &input], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--compare judges a whole report"));
    // The extension says state; the merged report reads it back.
    let named = dir.path().join("named.state");
    ok_stdout(&errlens(&["analyze", &input, "-o", named.to_str().unwrap()], None), 0);
    assert!(std::fs::read(&named).unwrap().starts_with(b"errlens state\n"));
}
