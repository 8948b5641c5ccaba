//! Cross-format consistency: every row of both real-error corpora
//! (`tests/data/real-errors.jsonl`, `real-errors-v2.jsonl`) is written the
//! way each format that carries an error really carries it ([`lines`]), one
//! file per format, and read back with `errlens classify --all`; each row must
//! get the category its canonical record gets (not the corpus label: the
//! question is whether the adapters and the unwrapping lose anything).
//! Where a format honestly holds less than the canonical record, the
//! difference is listed in [`EXCEPTIONS`] with the reason; an exception that
//! no longer differs fails the test too, so the list stays true.

mod lines;

use std::collections::BTreeMap;

use serde_json::Value;

use super::util::*;
use lines::Row;

type Writer = fn(&Row) -> Option<Value>;

/// Every format that carries an error text or body.
const FORMATS: [(&str, Writer); 9] = [
    ("litellm_slp", lines::litellm_slp),
    ("litellm_spend_log", lines::litellm_spend_log),
    ("litellm_error_log", lines::litellm_error_log),
    ("azure_apim_gateway", lines::azure_apim_gateway),
    ("helicone", lines::helicone),
    ("langfuse", lines::langfuse),
    ("portkey", lines::portkey),
    ("openai_batch", lines::openai_batch),
    ("otlp", lines::otlp),
];

/// `(format, row id, why the honest answer differs from the canonical one)`.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    // An HTTP 200 completion whose choice ended with `finish_reason:
    // content_filter`: the canonical record logged it as its error; a format
    // that logs the whole response body logs a success, and a completion body
    // never makes a record a failure.
    ("azure_apim_gateway", "r202", FILTERED_200),
    ("helicone", "r202", FILTERED_200),
    ("portkey", "r202", FILTERED_200),
    ("openai_batch", "r202", FILTERED_200),
];

const FILTERED_200: &str = "a 200 completion is a success where the whole body is logged";

fn rows() -> Vec<Row> {
    let corpora =
        [include_str!("../data/real-errors.jsonl"), include_str!("../data/real-errors-v2.jsonl")];
    let rows: Vec<Row> = corpora
        .iter()
        .flat_map(|c| c.lines())
        .map(|l| Row::new(&serde_json::from_str(l).expect("corpus row is JSON")))
        .collect();
    assert!(rows.len() > 250, "both corpora read");
    rows
}

/// Writes the rows a format can carry (one per line) and classifies the
/// file: row index -> category.
fn categories(dir: &TempDir, format: &str, write: Writer, rows: &[Row]) -> BTreeMap<usize, String> {
    let mut text = String::new();
    let mut index = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(line) = write(row) {
            text.push_str(&line.to_string());
            text.push('\n');
            index.push(i);
        }
    }
    let path = dir.write(&format!("{format}.jsonl"), text);
    let args = ["classify", "--all", "--input-format", format, path.to_str().unwrap()];
    let out = ok_stdout(&errlens(&args, None), 0);
    let mut got = BTreeMap::new();
    for rec in out.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()) {
        let line = rec["line"].as_u64().unwrap() as usize;
        let category = rec["category"].as_str().unwrap().to_string();
        assert!(got.insert(index[line - 1], category).is_none(), "{format}: one record per line");
    }
    assert_eq!(got.len(), index.len(), "{format}: every line is a record");
    got
}

#[test]
fn every_row_classifies_the_same_in_every_format_as_canonical() {
    let rows = rows();
    let dir = TempDir::new("consistency");
    let canonical = categories(&dir, "canonical", lines::canonical, &rows);
    assert_eq!(canonical.len(), rows.len());
    let mut wrong = Vec::new();
    let mut stale: Vec<_> = EXCEPTIONS.iter().map(|(f, id, _)| (*f, *id)).collect();
    for (format, write) in FORMATS {
        let got = categories(&dir, format, write, &rows);
        assert!(got.len() > 40, "{format}: only {} rows written", got.len());
        for (i, category) in got {
            let (id, want) = (&rows[i].id, &canonical[&i]);
            let excepted = EXCEPTIONS.iter().any(|(f, r, _)| *f == format && r == id);
            if category == *want {
                continue;
            }
            stale.retain(|(f, r)| (*f, *r) != (format, id.as_str()));
            if !excepted {
                wrong.push(format!("{format} {id}: canonical {want}, got {category}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} rows differ:\n{}", wrong.len(), wrong.join("\n"));
    assert!(stale.is_empty(), "exceptions that no longer differ: {stale:?}");
}

#[test]
fn python_repr_reads_back_as_the_body() {
    let body = serde_json::json!({"error": {"message": "it's \"quoted\"\nnext", "param": null, "n": 1, "ok": true, "l": ["a"]}});
    let text = lines::py_repr(&body);
    assert_eq!(
        text,
        r#"{'error': {'l': ['a'], 'message': 'it\'s "quoted"\nnext', 'n': 1, 'ok': True, 'param': None}}"#
    );
    let back: Value =
        serde_json::from_str(&errlens::classify::unwrap::repr_to_json(&text).unwrap()).unwrap();
    assert_eq!(back, body);
}
