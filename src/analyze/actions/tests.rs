use std::collections::BTreeMap;

use super::*;

fn finding(kind: &str, category: Option<&str>, rows: &[(&str, u64)]) -> Finding {
    let rows: Vec<FindingRow> = rows
        .iter()
        .map(|(subject, failures)| FindingRow {
            what: "project".into(),
            subject: subject.to_string(),
            failures: *failures,
            start: Some("2026-11-21T08:16:00Z".into()),
            end: Some("2026-11-21T09:00:00Z".into()),
            detail: "project, from the first failure on".into(),
            numbers: BTreeMap::from([("models".into(), 3.0)]),
        })
        .collect();
    let total: u64 = rows.iter().map(|r| r.failures).sum();
    Finding {
        kind: kind.into(),
        category: category.map(str::to_string),
        sentence: String::new(),
        start: None,
        end: None,
        subjects: Vec::new(),
        numbers: BTreeMap::from([("failures".into(), total as f64), ("working_keys".into(), 22.0)]),
        rows,
    }
}

fn cause(category: &str, retry: &str, count: u64) -> CauseRow {
    CauseRow {
        category: category.into(),
        group: "g".into(),
        title: format!("{category} title"),
        owner: "you".into(),
        retry: retry.into(),
        count,
        share_of_failures: 0.0,
        share_of_requests: 0.0,
        first_seen: None,
        last_seen: None,
        top_keys: Vec::new(),
        top_projects: Vec::new(),
        top_models: Vec::new(),
        evidence: BTreeMap::new(),
        notes: Vec::new(),
        rate_limits: Vec::new(),
        retry_after_s: None,
        model_fixes: Vec::new(),
        example: None,
        fix: vec!["Do the first thing".into(), "Then the second".into()],
    }
}

#[test]
fn steps_name_owner_subject_and_what_to_do() {
    let findings = [
        finding("quota_ran_out", Some("quota.exhausted"), &[("proj_batch", 53)]),
        finding("key_failing", Some("auth.invalid_api_key"), &[("sk-proj-...rO6K#ed91", 49)]),
        finding("provider_incident", None, &[("12:35 to 13:15", 71)]),
    ];
    let causes = [cause("quota.exhausted", "no", 53), cause("auth.invalid_api_key", "no", 49)];
    let range =
        TimeRange { start: "2026-11-21T00:00:00Z".into(), end: "2026-11-21T23:00:00Z".into() };
    let got: Vec<String> =
        actions(&findings, &causes, Some(&range)).into_iter().map(|a| a.text).collect();
    assert_eq!(
        got,
        [
            "Add credits for project proj_batch: 53 failures since 08:16, retrying cannot help",
            "Replace key sk-proj-...rO6K#ed91: 49 auth failures since 08:16 while 22 other keys work",
            "Fail over: provider incident 08:16-09:00, 71 failures across 3 models",
        ]
    );
}

#[test]
fn failures_retrying_cannot_fix_rank_first_and_five_at_most() {
    let causes: Vec<CauseRow> = (0..8)
        .map(|i| cause(&format!("c.{i}"), if i == 7 { "no" } else { "backoff" }, 10 + i))
        .collect();
    let got = actions(&[], &causes, None);
    assert_eq!(got.len(), MAX_ACTIONS);
    assert_eq!(got[0].category.as_deref(), Some("c.7"), "17 that never pass on retry weigh 34");
    assert_eq!(got[1].category.as_deref(), Some("c.6"));
    assert!(got[0].text.ends_with("(17 failures): Do the first thing"), "{}", got[0].text);
    assert!(!got[0].retry_helps);
}

#[test]
fn dates_show_when_the_report_spans_days() {
    let findings = [finding("quota_ran_out", Some("quota.exhausted"), &[("p", 2)])];
    let range =
        TimeRange { start: "2026-11-20T00:00:00Z".into(), end: "2026-11-21T23:00:00Z".into() };
    let got = actions(&findings, &[cause("quota.exhausted", "no", 2)], Some(&range));
    assert!(got[0].text.contains("since 11-21 08:16"), "{}", got[0].text);
    assert_eq!(count(1, "retry"), "1 retry");
    assert_eq!(count(3, "retry"), "3 retries");
}
