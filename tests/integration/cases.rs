//! Data-driven cases: every `tests/cases/*.jsonl` line is a record with an extra
//! `expect` field (the parser ignores unknown fields) naming the category
//! `errlens classify --all` must give it (`success` for records that did not
//! fail). Adding a case needs no Rust: add a line. An optional
//! `expect_evidence` object names evidence the verdict must carry (`null`: must
//! not carry), e.g. `{"status_only": "true"}`.

use serde_json::Value;

use super::util::*;

#[test]
fn every_case_gets_its_expected_category() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "jsonl")) {
        let text = std::fs::read_to_string(file).unwrap();
        let cases: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let expected: Vec<String> =
            cases.iter().map(|c| c["expect"].as_str().unwrap().to_string()).collect();
        let out = ok_stdout(&errlens(&["classify", "--all", file.to_str().unwrap()], None), 0);
        let got: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(got.len(), expected.len(), "{}: one output row per record", file.display());
        for ((row, want), case) in got.iter().zip(&expected).zip(&cases) {
            checked += 1;
            if let Some(err) = evidence_mismatch(row, case) {
                wrong.push(format!("{}:{} {err}", file.display(), row["line"]));
            }
            if row["category"] != want.as_str() {
                wrong.push(format!(
                    "{}:{} expected {want} got {} ({})",
                    file.display(),
                    row["line"],
                    row["category"],
                    row["message"]
                ));
            }
        }
    }
    assert!(checked > 0, "no cases found in {dir}");
    assert!(wrong.is_empty(), "{} cases wrong:\n{}", wrong.len(), wrong.join("\n"));
}

/// What the row's evidence lacks (or holds wrongly) against the case's
/// `expect_evidence`.
fn evidence_mismatch(row: &Value, case: &Value) -> Option<String> {
    let wanted = case.get("expect_evidence")?.as_object()?;
    let bad: Vec<String> = wanted
        .iter()
        .filter(|(k, v)| row["evidence"].get(k.as_str()).unwrap_or(&Value::Null) != *v)
        .map(|(k, v)| format!("evidence {k} expected {v} got {}", row["evidence"]))
        .collect();
    (!bad.is_empty()).then(|| bad.join("; "))
}
