//! Every row of `tests/data/real-errors.jsonl` (real error bodies from public bug
//! reports, copied from the shared reference) classifies to its expected id or
//! one of its `also_ok` ids: once as a logged record (the body when the row has
//! one, else the raw text, with the status when it was really logged), and once
//! as the raw text alone, the way a user pastes it.

use errlens::classify::{Classifier, Context, unwrap};
use errlens::parse::{Line, parse_line};
use serde_json::{Value, json};

/// 2026-11-22T00:00:00Z: retirement is judged at this time for rows without one.
const NOW: i64 = 1_795_305_600_000;

struct Row {
    id: String,
    expect: Vec<String>,
    value: Value,
}

fn rows() -> Vec<Row> {
    include_str!("../data/real-errors.jsonl")
        .lines()
        .map(|l| {
            let value: Value = serde_json::from_str(l).expect("corpus row is JSON");
            let mut expect: Vec<String> = vec![
                value["expect"].as_str().unwrap_or(errlens::taxonomy::UNCLASSIFIED).to_string(),
            ];
            expect.extend(
                value["also_ok"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(String::from)),
            );
            Row { id: value["id"].as_str().unwrap_or_default().to_string(), expect, value }
        })
        .collect()
}

fn cause_id(classifier: &Classifier, cause: u16) -> String {
    classifier.taxonomy().cause(cause).id.clone()
}

/// The row as the canonical record a log would hold.
fn as_record(row: &Value) -> String {
    let logged_status = if row["status_inferred"].as_bool() == Some(true) {
        Value::Null
    } else {
        row["status"].clone()
    };
    let error = if row["body"].is_null() { row["raw"].clone() } else { row["body"].clone() };
    json!({
        "status": logged_status,
        "model": row["model"],
        "provider": row["provider"],
        "endpoint": row["endpoint"],
        "error": error,
    })
    .to_string()
}

#[test]
fn every_corpus_row_classifies_as_logged() {
    let classifier = Classifier::new(&[], NOW).unwrap();
    let mut wrong = Vec::new();
    for row in rows() {
        let line = as_record(&row.value);
        let Line::Record(record) = parse_line(&line) else { panic!("{}: not a record", row.id) };
        let got = cause_id(&classifier, classifier.classify_record(&record).cause);
        if !row.expect.contains(&got) {
            wrong.push(format!("{} expected {:?} got {got}", row.id, row.expect));
        }
    }
    assert!(wrong.is_empty(), "{} rows misclassified:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn every_corpus_raw_text_classifies_when_pasted() {
    let classifier = Classifier::new(&[], NOW).unwrap();
    let mut wrong = Vec::new();
    for row in rows() {
        let Some(raw) = row.value["raw"].as_str().filter(|r| !r.is_empty()) else { continue };
        let info = unwrap::unwrap_text(raw, None);
        let context = Context {
            model: row.value["model"].as_str(),
            provider: row.value["provider"].as_str(),
            ..Context::default()
        };
        let got = cause_id(&classifier, classifier.classify(info, &context).cause);
        if !row.expect.contains(&got) {
            wrong.push(format!("{} expected {:?} got {got}", row.id, row.expect));
        }
    }
    assert!(wrong.is_empty(), "{} rows misclassified:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn truncated_corpus_rows_never_panic() {
    let classifier = Classifier::new(&[], NOW).unwrap();
    for row in rows() {
        let raw = row.value["raw"].as_str().unwrap_or_default();
        let body = row.value["body"].to_string();
        for text in [raw, body.as_str()] {
            for cut in (0..text.len()).step_by(7).filter(|&c| text.is_char_boundary(c)) {
                let info = unwrap::unwrap_text(&text[..cut], None);
                classifier.classify(info, &Context::default());
                let _ = unwrap::unwrap_raw(&text.as_bytes()[..cut], Some(400));
            }
        }
    }
}
