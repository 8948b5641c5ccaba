//! `errlens explain` on every corpus row's text, and `errlens taxonomy`.

use std::collections::BTreeSet;

use serde_json::Value;

use super::util::*;

fn corpus() -> Vec<Value> {
    [include_str!("../data/real-errors.jsonl"), include_str!("../data/real-errors-v2.jsonl")]
        .iter()
        .flat_map(|corpus| corpus.lines())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn expected(row: &Value) -> Vec<String> {
    let mut ids = vec![row["expect"].as_str().unwrap_or("unclassified").to_string()];
    ids.extend(
        row["also_ok"].as_array().into_iter().flatten().map(|v| v.as_str().unwrap().to_string()),
    );
    ids
}

#[test]
fn explain_gives_the_cause_and_a_complete_playbook_for_every_row() {
    let mut wrong = Vec::new();
    for row in corpus() {
        let text = match row["raw"].as_str().filter(|r| !r.is_empty()) {
            Some(raw) => raw.to_string(),
            None => row["body"].to_string(),
        };
        let mut args = vec!["explain", "--format", "json"];
        let model = row["model"].as_str().unwrap_or_default().to_string();
        if !model.is_empty() {
            args.extend(["--model", &model]);
        }
        args.push("-");
        let e: Value =
            serde_json::from_str(&ok_stdout(&errlens(&args, Some(text.as_bytes())), 0)).unwrap();
        let category = e["category"].as_str().unwrap().to_string();
        if !expected(&row).contains(&category) {
            wrong.push(format!("{} expected {:?} got {category}", row["id"], expected(&row)));
        }
        for field in ["title", "owner", "retry", "explanation"] {
            assert!(!e[field].as_str().unwrap_or_default().is_empty(), "{}: {field}", row["id"]);
        }
        assert!(!e["fix"].as_array().unwrap().is_empty(), "{}: fix", row["id"]);
        assert_eq!(e["clients"].as_object().unwrap().len(), 4, "{}: clients", row["id"]);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn explain_text_and_markdown_carry_the_playbook() {
    let quota = "openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota, please check your plan and billing details.', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}";
    let text = ok_stdout(&errlens(&["explain", quota], None), 0);
    for want in [
        "quota.exhausted",
        "owner: you · retry: wait · HTTP 429 (read from the error text)",
        "FIX",
        "WHAT YOUR CLIENT DOES BY DEFAULT",
        "PYTHON",
    ] {
        assert!(text.contains(want), "{want} in\n{text}");
    }
    let md = ok_stdout(&errlens(&["explain", "--format", "markdown", quota], None), 0);
    assert!(md.starts_with("## `quota.exhausted`") && md.contains("```python"), "{md}");
    let typo = ok_stdout(
        &errlens(
            &[
                "explain",
                "--format",
                "json",
                "The model `gtp-4o` does not exist or you do not have access to it.",
            ],
            None,
        ),
        0,
    );
    let typo: Value = serde_json::from_str(&typo).unwrap();
    assert_eq!(typo["category"], "model.typo");
    assert_eq!(typo["evidence"]["suggestion"], "gpt-4o");
}

#[test]
fn explain_reads_whole_log_lines_and_needs_input() {
    let line = r#"{"ts":"2024-06-01T00:00:00Z","model":"text-davinci-003","status":404,"error":{"error":{"message":"The model `text-davinci-003` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations","code":"model_not_found"}}}"#;
    let e: Value =
        serde_json::from_str(&ok_stdout(&errlens(&["explain", "--format", "json", line], None), 0))
            .unwrap();
    assert_eq!(e["category"], "model.retired");
    assert_eq!(e["evidence"]["shutdown_date"], "2024-01-04");
    assert_eq!(
        e["evidence"]["replacement"], "gpt-3.5-turbo-instruct",
        "judged at the record's own time"
    );
    let empty = errlens(&["explain", "  "], None);
    assert_eq!(empty.status.code(), Some(2));
}

#[test]
fn taxonomy_lists_every_id_in_every_format() {
    let json: Value =
        serde_json::from_str(&ok_stdout(&errlens(&["taxonomy", "--format", "json"], None), 0))
            .unwrap();
    let ids: Vec<String> =
        json.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    let embedded: Vec<String> =
        errlens::taxonomy::Taxonomy::get().causes.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, embedded);
    assert_eq!(ids.len(), 56);
    for c in json.as_array().unwrap() {
        for field in ["title", "owner", "retry", "explanation"] {
            assert!(c[field].as_str().is_some_and(|s| !s.is_empty()), "{} {field}", c["id"]);
        }
    }
    for format in ["text", "markdown"] {
        let out = ok_stdout(&errlens(&["taxonomy", "--format", format], None), 0);
        for id in &ids {
            assert!(out.contains(id.as_str()), "{format} lists {id}");
        }
    }
}

#[test]
fn every_taxonomy_id_is_reached_by_a_corpus_row_or_a_case() {
    let mut reached: BTreeSet<String> = corpus()
        .iter()
        .map(|r| r["expect"].as_str().unwrap_or("unclassified").to_string())
        .collect();
    let cases = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases");
    for file in std::fs::read_dir(cases).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        reached.extend(text.lines().map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["expect"].as_str().unwrap().to_string()
        }));
    }
    let missing: Vec<&str> = errlens::taxonomy::Taxonomy::get()
        .causes
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| !reached.contains(*id))
        .collect();
    assert!(missing.is_empty(), "no test reaches {missing:?}");
}

#[test]
fn explain_splits_context_overflow_by_part() {
    let text = "This model's maximum context length is 8192 tokens. However, you requested 8711 tokens (6211 in the messages, 1500 in the functions, 1000 in the completion).";
    let e: Value =
        serde_json::from_str(&ok_stdout(&errlens(&["explain", "--format", "json", text], None), 0))
            .unwrap();
    assert_eq!(e["category"], "request.context_length_exceeded");
    let ev = &e["evidence"];
    assert_eq!(
        (
            &ev["max_context"],
            &ev["prompt_tokens"],
            &ev["function_tokens"],
            &ev["completion_tokens"]
        ),
        (&Value::from("8192"), &Value::from("6211"), &Value::from("1500"), &Value::from("1000"))
    );
}
