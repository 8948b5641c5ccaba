//! Terminal and spreadsheet injection (issue 9): control sequences from a log
//! never reach the terminal, and no CSV cell can start a formula.

use crate::util::{TempDir, errlens, ok_stdout};

const HOSTILE: [&str; 6] = [
    "\u{1b}[2J\u{1b}[H",
    "\u{1b}]0;owned\u{7}",
    "ok\rREWRITTEN",
    "\u{9b}31m",
    "\u{202e}txt.exe",
    "\u{1b}[31mred",
];

fn hostile_log() -> String {
    HOSTILE
        .iter()
        .enumerate()
        .map(|(i, h)| {
            serde_json::json!({
                "ts": format!("2026-11-21T10:0{i}:00Z"), "status": 500, "model": h,
                "project": format!(" =HYPERLINK(\"http://x\",\"{i}\")"),
                "user": "\n=cmd|' /C calc'!A0", "key": "\u{ff1d}1+1",
                "error": {"error": {"message": format!("boom {h} end"), "type": "server_error"}}
            })
            .to_string()
                + "\n"
        })
        .collect()
}

/// No control character but line feed and tab, and (with colour) SGR colour.
fn assert_inert(out: &str, colour: bool) {
    let mut rest = out;
    while let Some(i) = rest.find(|c: char| {
        (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
    }) {
        let tail = &rest[i..];
        let sgr = colour
            && tail.starts_with("\u{1b}[")
            && tail[2..]
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == ';')
                .starts_with('m');
        assert!(sgr, "control character reaches the terminal: {:?}", &tail[..tail.len().min(20)]);
        rest = &tail[1..];
    }
    assert!(!out.contains("\u{1b}[2J") && !out.contains("\u{1b}]0;"), "{out:?}");
}

#[test]
fn control_sequences_from_logs_are_escaped() {
    let dir = TempDir::new("injection");
    let log = dir.write("app.jsonl", hostile_log());
    let log = log.to_str().unwrap();
    for colour in ["always", "never"] {
        for format in ["text", "markdown"] {
            let out = ok_stdout(
                &errlens(&["analyze", log, "--format", format, "--color", colour], None),
                0,
            );
            assert_inert(&out, colour == "always");
            assert!(out.contains("\\x1b"), "shown, escaped: {out}");
        }
    }
    let classified = ok_stdout(&errlens(&["classify", log], None), 0);
    assert_inert(&classified, false);
    for h in HOSTILE {
        let out = ok_stdout(&errlens(&["explain", &format!("500 boom {h}")], None), 0);
        assert_inert(&out, false);
    }
}

#[test]
fn json_outputs_stay_json_and_inert() {
    // serde_json leaves DEL, C1 and bidirectional controls raw: the output
    // boundary writes them as JSON escapes, never as `\x7f` (not JSON).
    let dir = TempDir::new("injection-json");
    let extra = serde_json::json!({"status": 400, "model": "m\u{7f}x",
        "error": {"error": {"message": "bad \u{9b}2J \u{7f}", "param": "messa\u{7f}es"}}});
    let log = dir.write("app.jsonl", format!("{}{extra}\n", hostile_log()));
    let log = log.to_str().unwrap();
    let report = ok_stdout(&errlens(&["analyze", log, "--format", "json"], None), 0);
    assert_inert(&report, false);
    let value: serde_json::Value = serde_json::from_str(&report).expect("the report is JSON");
    assert!(value.to_string().contains("messa\u{7f}es"), "the text survives, escaped");
    let rows = ok_stdout(&errlens(&["classify", "--all", log], None), 0);
    assert_inert(&rows, false);
    for row in rows.lines() {
        serde_json::from_str::<serde_json::Value>(row).expect("a classify row is JSON");
    }
    let explained =
        ok_stdout(&errlens(&["explain", "--format", "json", "400 bad \u{7f}\u{202e}"], None), 0);
    assert_inert(&explained, false);
    serde_json::from_str::<serde_json::Value>(&explained).expect("explain --format json is JSON");
}

#[test]
fn no_csv_cell_starts_a_formula() {
    let dir = TempDir::new("csv-injection");
    let log = dir.write("app.jsonl", hostile_log());
    let log = log.to_str().unwrap();
    for table in ["projects", "keys", "models", "breakdown"] {
        let out = ok_stdout(
            &errlens(
                &["analyze", log, "--format", "csv", "--table", table, "--by", "user,project,key"],
                None,
            ),
            0,
        );
        for cell in csv_cells(&out) {
            let first = cell.trim_start().chars().next();
            let formula = first.is_some_and(|c| "=+@\u{ff1d}\u{ff0b}\u{ff20}".contains(c));
            assert!(!formula, "{table}: {cell:?} in\n{out}");
        }
        assert!(
            table == "models" || out.contains("'"),
            "{table}: hostile cells are present and neutralised:\n{out}"
        );
    }
}

/// The cells of an RFC 4180 text, unquoted, record after record.
fn csv_cells(text: &str) -> Vec<String> {
    crate::util::csv_records(text).into_iter().flatten().collect()
}
