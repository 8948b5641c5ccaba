//! Every row of the two corpora of real errors (`tests/data/real-errors.jsonl`
//! and `real-errors-v2.jsonl`, real error bodies from public bug reports,
//! copied from the shared reference) classifies to its expected id or one of
//! its `also_ok` ids: once as a logged record (the body when the row has one,
//! else the raw text, with the status when it was really logged), and once as
//! the raw text alone, the way a user pastes it into `explain`. The accuracy
//! per id is printed (`cargo test corpus_accuracy -- --nocapture`).

use std::collections::BTreeMap;

use errlens::classify::{Classifier, Context, unwrap};
use errlens::parse::{Line, parse_line};
use serde_json::{Value, json};

/// 2026-11-22T00:00:00Z: retirement is judged at this time for rows without one.
const NOW: i64 = 1_795_305_600_000;

/// The corpora, by name.
const CORPORA: [(&str, &str); 2] = [
    ("real-errors", include_str!("../data/real-errors.jsonl")),
    ("real-errors-v2", include_str!("../data/real-errors-v2.jsonl")),
];

struct Row {
    corpus: &'static str,
    id: String,
    expect: Vec<String>,
    value: Value,
}

fn rows() -> Vec<Row> {
    CORPORA
        .iter()
        .flat_map(|(corpus, text)| text.lines().map(move |l| (*corpus, l)))
        .map(|(corpus, l)| {
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
            let id = value["id"].as_str().unwrap_or_default().to_string();
            Row { corpus, id, expect, value }
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

/// The category of the row logged as a canonical record (the analyze path).
fn as_logged(classifier: &Classifier, row: &Row) -> String {
    let line = as_record(&row.value);
    let Line::Record(record) = parse_line(&line) else { panic!("{}: not a record", row.id) };
    cause_id(classifier, classifier.classify_record(&record).cause)
}

/// The category of the row's text pasted into `explain`, with the model and
/// provider given as flags; `None` when the row has no text of its own.
fn as_pasted(classifier: &Classifier, row: &Row) -> Option<String> {
    let text = match row.value["raw"].as_str().filter(|r| !r.is_empty()) {
        Some(raw) => raw.to_string(),
        None if row.value["body"].is_null() => return None,
        None => row.value["body"].to_string(),
    };
    let context = Context {
        model: row.value["model"].as_str(),
        provider: row.value["provider"].as_str(),
        ..Context::default()
    };
    let verdict = errlens::run::explain(classifier, &text, &context, None);
    Some(cause_id(classifier, verdict.cause))
}

#[test]
fn every_corpus_row_classifies_as_logged() {
    let classifier = Classifier::new(&[], NOW).unwrap();
    let mut wrong = Vec::new();
    for row in rows() {
        let got = as_logged(&classifier, &row);
        if !row.expect.contains(&got) {
            wrong.push(format!("{} expected {:?} got {got}", row.id, row.expect));
        }
    }
    assert!(wrong.is_empty(), "{} rows misclassified:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn every_corpus_text_classifies_when_pasted() {
    let classifier = Classifier::new(&[], NOW).unwrap();
    let mut wrong = Vec::new();
    for row in rows() {
        let Some(got) = as_pasted(&classifier, &row) else { continue };
        if !row.expect.contains(&got) {
            wrong.push(format!("{} expected {:?} got {got}", row.id, row.expect));
        }
    }
    assert!(wrong.is_empty(), "{} rows misclassified:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn explain_and_analyze_agree_on_every_row() {
    let classifier = Classifier::new(&[], NOW).unwrap();
    let mut differ = Vec::new();
    for row in rows() {
        let Some(pasted) = as_pasted(&classifier, &row) else { continue };
        let logged = as_logged(&classifier, &row);
        if pasted != logged {
            differ.push(format!("{}: analyze {logged}, explain {pasted}", row.id));
        }
    }
    assert!(differ.is_empty(), "{} rows differ:\n{}", differ.len(), differ.join("\n"));
}

/// Correct / total per expected id, as logged and as pasted.
#[derive(Default)]
struct Tally {
    logged: (u32, u32),
    pasted: (u32, u32),
}

#[test]
fn corpus_accuracy_per_id() {
    let classifier = Classifier::new(&[], NOW).unwrap();
    let mut by_id: BTreeMap<(&str, String), Tally> = BTreeMap::new();
    for row in rows() {
        let tally = by_id.entry((row.corpus, row.expect[0].clone())).or_default();
        let ok = row.expect.contains(&as_logged(&classifier, &row));
        tally.logged = (tally.logged.0 + u32::from(ok), tally.logged.1 + 1);
        if let Some(got) = as_pasted(&classifier, &row) {
            let ok = row.expect.contains(&got);
            tally.pasted = (tally.pasted.0 + u32::from(ok), tally.pasted.1 + 1);
        }
    }
    let mut totals: BTreeMap<&str, Tally> = BTreeMap::new();
    eprintln!("{:<16} {:<40} {:>9} {:>9}", "corpus", "expected id", "logged", "pasted");
    for ((corpus, id), t) in &by_id {
        let cell = |(ok, n): (u32, u32)| format!("{ok}/{n}");
        eprintln!("{corpus:<16} {id:<40} {:>9} {:>9}", cell(t.logged), cell(t.pasted));
        let total = totals.entry(corpus).or_default();
        total.logged = (total.logged.0 + t.logged.0, total.logged.1 + t.logged.1);
        total.pasted = (total.pasted.0 + t.pasted.0, total.pasted.1 + t.pasted.1);
    }
    for (corpus, t) in &totals {
        let percent = |(ok, n): (u32, u32)| 100.0 * f64::from(ok) / f64::from(n.max(1));
        eprintln!(
            "{corpus}: {} rows; as logged {:.1}%, as pasted {:.1}%",
            t.logged.1,
            percent(t.logged),
            percent(t.pasted)
        );
    }
    assert_eq!(totals.len(), CORPORA.len(), "every corpus is read");
    assert!(totals.values().all(|t| t.logged.1 > 100), "the corpora are whole");
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
