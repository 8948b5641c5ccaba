//! "What to do now": at most [`MAX_ACTIONS`] steps, each one line naming
//! the owner, the subject (project, key, model) and the concrete step, ranked
//! by impact. Impact is the failures a step would remove, doubled when
//! retrying can never fix them (they fail until someone acts). Steps come from
//! the findings, one per subject where the subject is the thing to fix (a
//! project out of quota, a failing key, a misspelt model) and one per finding
//! where the step is one change (pace requests, trim prompts); causes no
//! finding covers add their playbook's first step.

use std::collections::BTreeSet;

use crate::report::model::{Action, CauseRow, Finding, FindingRow, TimeRange};
use crate::report::tables::thousands;

/// The most actions a report lists.
pub const MAX_ACTIONS: usize = 5;

/// The ranked actions for these findings and causes.
pub fn actions(
    findings: &[Finding],
    causes: &[CauseRow],
    range: Option<&TimeRange>,
) -> Vec<Action> {
    let when = |t: &Option<String>| t.as_deref().map(|t| short_time(t, range));
    let cause_of = |id: &Option<String>| causes.iter().find(|c| Some(&c.category) == id.as_ref());
    let mut out: Vec<Action> = Vec::new();
    for f in findings {
        let cause = cause_of(&f.category);
        let owner = cause.map_or("provider", |c| c.owner.as_str());
        let retry_helps = cause.is_some_and(|c| retry_can_fix(&c.retry));
        out.extend(from_finding(f, &when).into_iter().map(|(subject, failures, since, text)| {
            Action {
                owner: owner.to_string(),
                subject,
                category: f.category.clone(),
                finding: Some(f.kind.clone()),
                failures,
                retry_helps: retry_helps || f.kind == "provider_incident",
                since,
                text,
            }
        }));
    }
    let covered: BTreeSet<&str> = findings.iter().filter_map(|f| f.category.as_deref()).collect();
    out.extend(causes.iter().filter(|c| !covered.contains(c.category.as_str())).map(from_cause));
    rank(out)
}

/// Whether retrying soon can fix failures of this retry advice: `backoff` and
/// `failover` can; `wait` (quota, billing, daily limits) and `no` cannot
/// until someone acts.
fn retry_can_fix(retry: &str) -> bool {
    matches!(retry, "backoff" | "failover")
}

/// Sorts by impact (ties: more failures, then text) and keeps the first few.
fn rank(mut actions: Vec<Action>) -> Vec<Action> {
    let impact = |a: &Action| a.failures * if a.retry_helps { 1 } else { 2 };
    actions.sort_by(|a, b| {
        impact(b).cmp(&impact(a)).then(b.failures.cmp(&a.failures)).then(a.text.cmp(&b.text))
    });
    actions.truncate(MAX_ACTIONS);
    actions
}

/// `08:16` within one day's report, else `11-21 08:16` (`2026-11-21 08:16`
/// when the report spans years).
fn short_time(rfc3339: &str, range: Option<&TimeRange>) -> String {
    let same = |n: usize| range.is_some_and(|r| r.start.get(..n) == r.end.get(..n));
    let (date, time) = (rfc3339.get(..10).unwrap_or(rfc3339), rfc3339.get(11..16).unwrap_or(""));
    match (same(10), same(4)) {
        (true, _) => time.to_string(),
        (false, true) => format!("{} {time}", date.get(5..).unwrap_or(date)),
        _ => format!("{date} {time}"),
    }
}

/// (subject, failures, since, line) for each step a finding calls for.
type Step = (Option<String>, u64, Option<String>, String);

fn from_finding(f: &Finding, when: &dyn Fn(&Option<String>) -> Option<String>) -> Vec<Step> {
    let since = |r: &FindingRow| when(&r.start).map_or(String::new(), |t| format!(" since {t}"));
    let per_row = |line: &dyn Fn(&FindingRow) -> (String, String)| -> Vec<Step> {
        let step = |r: &FindingRow| {
            let (subject, text) = line(r);
            (Some(subject), r.failures, when(&r.start), text)
        };
        f.rows.iter().map(step).collect()
    };
    let n = |r: &FindingRow, noun: &str| count(r.failures, noun);
    match f.kind.as_str() {
        "quota_ran_out" => per_row(&|r| {
            let step = match f.category.as_deref() {
                Some("quota.billing_inactive") => "Restore billing for",
                Some("quota.hard_limit") => "Raise the spend cap of",
                _ => "Add credits for",
            };
            let subject = format!("{} {}", r.what, r.subject);
            let text =
                format!("{step} {subject}: {}{}, retrying cannot help", n(r, "failure"), since(r));
            (subject, text)
        }),
        "key_failing" => per_row(&|r| {
            let others = f.numbers.get("working_keys").copied().unwrap_or(0.0) as u64;
            let subject = format!("key {}", r.subject);
            let text = format!(
                "Replace {subject}: {}{} while {} work",
                n(r, "auth failure"),
                since(r),
                count(others, "other key")
            );
            (subject, text)
        }),
        "provider_incident" => per_row(&|r| {
            let models = r.numbers.get("models").copied().unwrap_or(0.0) as u64;
            let span = match (when(&r.start), when(&r.end)) {
                (Some(a), Some(b)) => format!("{a}-{}", b.rsplit(' ').next().unwrap_or(&b)),
                _ => r.subject.clone(),
            };
            let text = format!(
                "Fail over: provider incident {span}, {} across {}",
                n(r, "failure"),
                count(models, "model")
            );
            (format!("incident {span}"), text)
        }),
        "model_typo" | "model_retired" => per_row(&|r| {
            let subject = format!("model {}", r.subject);
            let verb = if f.kind == "model_typo" { "Fix the model name" } else { "Move off" };
            let text = format!(
                "{verb} `{}`: {} ({}), retrying cannot help",
                r.subject,
                r.detail,
                n(r, "failure")
            );
            (subject, text)
        }),
        _ => one_step(f).into_iter().collect(),
    }
}

/// The single step of a finding whose rows share one fix.
fn one_step(f: &Finding) -> Option<Step> {
    let total = f.numbers.get("failures").or(f.numbers.get("retries")).copied()? as u64;
    let top = f.rows.first()?;
    let most = format!("most {} ({})", top.subject, thousands(top.failures));
    let text = match f.kind.as_str() {
        "context_overflow" => format!(
            "Trim prompts: {} overflowed the context window on {}, {most}",
            count(total, "request"),
            count(f.rows.len() as u64, "model")
        ),
        "rate_limit_headroom" => format!(
            "Pace requests: {} {} failures on {}, {most}",
            thousands(total),
            f.category.as_deref().unwrap_or("rate limit"),
            count(f.rows.len() as u64, "limit")
        ),
        "futile_retries" => {
            format!(
                "Stop retrying errors that cannot succeed: {} wasted, {most}",
                count(total, "retry")
            )
        }
        _ => return None,
    };
    Some((None, total, None, text))
}

/// A cause no finding covers: its playbook's first step.
fn from_cause(c: &CauseRow) -> Action {
    let step = c.fix.first().map_or(String::new(), |s| format!(": {s}"));
    Action {
        owner: c.owner.clone(),
        subject: None,
        category: Some(c.category.clone()),
        finding: None,
        failures: c.count,
        retry_helps: retry_can_fix(&c.retry),
        since: None,
        text: format!("{} ({}){step}", c.title, count(c.count, "failure")),
    }
}

/// `1 failure`, `2 failures`; `retry` becomes `retries`, `key` `keys`.
fn count(n: u64, noun: &str) -> String {
    let consonant_y = |stem: &str| !stem.ends_with(['a', 'e', 'i', 'o', 'u']);
    let plural = match noun.strip_suffix('y') {
        Some(stem) if n != 1 && consonant_y(stem) => format!("{stem}ies"),
        _ if n != 1 => format!("{noun}s"),
        _ => noun.to_string(),
    };
    format!("{} {plural}", thousands(n))
}

#[cfg(test)]
mod tests;
