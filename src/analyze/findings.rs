//! Findings across records: what a person should act on, each with its
//! numbers and one sentence. Provider incidents (bursts of provider-owned
//! failures across models), the moment quota ran out, a key failing while
//! others work, typo'd and retired models, context overflows, rate-limit
//! headroom, and retries spent on errors that can never succeed on retry.

use std::collections::{BTreeMap, BTreeSet};

use crate::aggregate::{CauseStats, Stats};
use crate::parse::time;
use crate::redact;
use crate::report::model::{CauseRow, Finding, FindingRow};
use crate::report::tables::thousands;
use crate::taxonomy::{Retry, Taxonomy};

/// Incident detection works on windows of this many minutes.
const WINDOW_MINUTES: i64 = 5;
/// The fewest provider failures in a window that can be an incident.
const MIN_INCIDENT_FAILURES: u64 = 5;
/// The share of a window's requests that provider failures must reach.
const MIN_INCIDENT_RATE: f64 = 0.05;

/// All findings, in a fixed order of kinds: one per kind and root cause.
pub fn findings(stats: &Stats, taxonomy: &Taxonomy, causes: &[CauseRow]) -> Vec<Finding> {
    let by_id = |id: &str| taxonomy.find(id).and_then(|c| stats.causes.get(&c));
    let mut out: Vec<Finding> = incidents(stats).into_iter().collect();
    for id in ["quota.exhausted", "quota.billing_inactive", "quota.hard_limit"] {
        out.extend(by_id(id).and_then(|c| quota(id, c)));
    }
    for id in ["auth.invalid_api_key", "auth.account_disabled"] {
        out.extend(by_id(id).and_then(|c| failing_keys(id, c, stats)));
    }
    out.extend(causes.iter().flat_map(model_fixes));
    out.extend(by_id("request.context_length_exceeded").and_then(overflows));
    out.extend(causes.iter().filter_map(headroom));
    out.extend(futile_retries(stats, taxonomy));
    out
}

/// A finding over `rows` (sorted here, most failures first): its subjects,
/// time span and total failures follow from them.
fn finding(kind: &str, category: Option<&str>, sentence: String, rows: Vec<FindingRow>) -> Finding {
    let mut rows = rows;
    rows.sort_by(|a, b| b.failures.cmp(&a.failures).then_with(|| a.subject.cmp(&b.subject)));
    let total: u64 = rows.iter().map(|r| r.failures).sum();
    Finding {
        kind: kind.to_string(),
        category: category.map(str::to_string),
        sentence,
        start: rows.iter().filter_map(|r| r.start.clone()).min(),
        end: rows.iter().filter_map(|r| r.end.clone()).max(),
        subjects: rows.iter().map(|r| r.subject.clone()).collect(),
        numbers: BTreeMap::from([("failures".to_string(), total as f64)]),
        rows,
    }
}

/// A row with its failures, time span and figures.
fn row(
    what: &str,
    subject: String,
    failures: u64,
    span: (Option<i64>, Option<i64>),
    detail: String,
) -> FindingRow {
    FindingRow {
        what: what.to_string(),
        subject,
        failures,
        start: span.0.map(clock),
        end: span.1.map(clock),
        detail,
        numbers: BTreeMap::from([("failures".to_string(), failures as f64)]),
    }
}

/// `1 failure`, `2 failures`, `1,234 failures`.
fn count(n: u64, noun: &str) -> String {
    format!("{} {noun}{}", thousands(n), if n == 1 { "" } else { "s" })
}

fn clock(ms: i64) -> String {
    time::format_rfc3339(ms)
}

/// Windows where provider-owned failures burst above the day's baseline.
fn incidents(stats: &Stats) -> Option<Finding> {
    // Windows are never finer than the minutes were kept at (`--max-distinct`).
    let width = WINDOW_MINUTES.max(stats.resolution.0);
    let window = |minute: i64| minute.div_euclid(width);
    let mut failures: BTreeMap<i64, u64> = BTreeMap::new();
    let mut models: BTreeMap<i64, BTreeMap<&str, u64>> = BTreeMap::new();
    for ((minute, model), n) in &stats.provider_minutes {
        *failures.entry(window(*minute)).or_default() += n;
        *models.entry(window(*minute)).or_default().entry(model.as_ref()).or_default() += n;
    }
    let mut requests: BTreeMap<i64, u64> = BTreeMap::new();
    for (minute, c) in &stats.minutes {
        *requests.entry(window(*minute)).or_default() += c.requests;
    }
    let mut counts: Vec<u64> =
        requests.keys().map(|w| failures.get(w).copied().unwrap_or(0)).collect();
    counts.sort_unstable();
    let baseline = counts.get(counts.len() / 2).copied().unwrap_or(0);
    let hot = |w: &i64| {
        let f = failures.get(w).copied().unwrap_or(0);
        let r = requests.get(w).copied().unwrap_or(0).max(1);
        f >= MIN_INCIDENT_FAILURES.max(3 * baseline + 1) && f as f64 / r as f64 >= MIN_INCIDENT_RATE
    };
    let mut runs: Vec<Vec<i64>> = Vec::new();
    for w in requests.keys().filter(|w| hot(w)) {
        match runs.last_mut() {
            Some(run) if w - run.last().copied().unwrap_or(*w) <= 2 => run.push(*w),
            _ => runs.push(vec![*w]),
        }
    }
    let rows: Vec<FindingRow> =
        runs.iter().map(|run| incident(run, width, &failures, &requests, &models)).collect();
    let total: u64 = rows.iter().map(|r| r.failures).sum();
    let peak =
        rows.iter().filter_map(|r| r.numbers.get("peak_rate")).fold(0.0, |a: f64, b| a.max(*b));
    let mut all_models: BTreeSet<&str> = BTreeSet::new();
    models.values().flat_map(|m| m.keys()).for_each(|m| {
        all_models.insert(m);
    });
    let what = if rows.len() == 1 {
        "Provider incident".to_string()
    } else {
        format!("{} provider incidents", rows.len())
    };
    (!rows.is_empty()).then(|| {
        let sentence = format!(
            "{what}: {} (5xx, overloads, gateway errors), peaking at {:.0}% of requests in {width} minutes. Not your code: retry with backoff and fail over to another model or region while it lasts.",
            count(total, "provider-side failure"),
            peak * 100.0,
        );
        let mut f = finding("provider_incident", None, sentence, rows);
        f.numbers.insert("peak_rate".to_string(), peak);
        f
    })
}

/// One incident: a run of hot windows.
fn incident(
    run: &[i64],
    width: i64,
    failures: &BTreeMap<i64, u64>,
    requests: &BTreeMap<i64, u64>,
    models: &BTreeMap<i64, BTreeMap<&str, u64>>,
) -> FindingRow {
    let (first, last) = (run[0], run[run.len() - 1]);
    let total: u64 = (first..=last).filter_map(|w| failures.get(&w)).sum();
    let peak = run
        .iter()
        .map(|w| {
            failures.get(w).copied().unwrap_or(0) as f64
                / requests.get(w).copied().unwrap_or(1).max(1) as f64
        })
        .fold(0.0, f64::max);
    let mut affected: BTreeMap<&str, u64> = BTreeMap::new();
    for w in first..=last {
        for (m, n) in models.get(&w).into_iter().flatten() {
            *affected.entry(m).or_default() += n;
        }
    }
    let mut ranked: Vec<(&str, u64)> = affected.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let (start, end) = (first * width * 60_000, (last + 1) * width * 60_000);
    let names: Vec<&str> = ranked.iter().take(5).map(|m| m.0).collect();
    let more = ranked.len().saturating_sub(names.len());
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    let detail = format!(
        "peak {:.0}% of requests, {}: {}{more}",
        peak * 100.0,
        count(ranked.len() as u64, "model"),
        names.join(", ")
    );
    let (a, b) = (clock(start), clock(end));
    let subject = match (a.get(..11) == b.get(..11), a.get(11..16), b.get(11..16)) {
        (true, Some(t1), Some(t2)) => format!("{} {t1}-{t2}", &a[..10]),
        _ => format!("{a} to {b}"),
    };
    let mut r = row("incident", subject, total, (Some(start), Some(end)), detail);
    r.numbers.insert("peak_rate".to_string(), (peak * 1e4).round() / 1e4);
    r.numbers.insert("models".to_string(), ranked.len() as f64);
    r
}

/// Each project (else each key) that hit a quota cause, from when.
fn quota(id: &str, c: &CauseStats) -> Option<Finding> {
    let (who, seen) =
        if c.by_project.is_empty() { ("key", &c.by_key) } else { ("project", &c.by_project) };
    let rows: Vec<FindingRow> = seen
        .sorted()
        .into_iter()
        .filter(|(_, s)| s.span.first.is_some())
        .map(|(name, s)| {
            let shown = redact::display_value(name, who == "key").into_owned();
            row(who, shown, s.count, (s.span.first, s.span.last), String::new())
        })
        .collect();
    let what = match id {
        "quota.exhausted" => "ran out of quota",
        "quota.billing_inactive" => "lost active billing",
        _ => "hit a spend cap",
    };
    let total: u64 = rows.iter().map(|r| r.failures).sum();
    let sentence = format!(
        "{} {what} ({id}): {}. Retrying cannot help: add credits or raise the limit, and stop retrying this error.",
        count(rows.len() as u64, who),
        count(total, "failed request"),
    );
    (!rows.is_empty()).then(|| finding("quota_ran_out", Some(id), sentence, rows))
}

/// Keys failing authentication while other keys keep working.
fn failing_keys(id: &str, c: &CauseStats, stats: &Stats) -> Option<Finding> {
    let working: BTreeSet<&str> = stats
        .keys
        .iter()
        .filter(|(_, n)| n.requests > n.failures)
        .map(|(k, _)| k.as_ref())
        .collect();
    let failing: Vec<(&Box<str>, &crate::aggregate::Seen)> =
        c.by_key.sorted().into_iter().filter(|(_, s)| s.count >= 3).collect();
    let others = working.iter().filter(|k| !failing.iter().any(|(f, _)| f.as_ref() == **k)).count();
    if failing.is_empty() || others == 0 {
        return None;
    }
    let rows: Vec<FindingRow> = failing
        .into_iter()
        .map(|(key, s)| {
            let shown = redact::display_key(key).into_owned();
            row("key", shown, s.count, (s.span.first, s.span.last), String::new())
        })
        .collect();
    let sentence = format!(
        "{} started failing with {id} while {} kept working: revoked, rotated or leaked. Replace them where they are deployed.",
        count(rows.len() as u64, "key"),
        count(others as u64, "other key"),
    );
    let mut f = finding("key_failing", Some(id), sentence, rows);
    f.numbers.insert("working_keys".to_string(), others as f64);
    Some(f)
}

/// Typo'd and retired models, with what to use instead: a finding of each.
fn model_fixes(c: &CauseRow) -> Vec<Finding> {
    let (mut typos, mut retired) = (Vec::new(), Vec::new());
    for m in &c.model_fixes {
        match (&m.suggestion, &m.shutdown_date) {
            (None, Some(date)) => {
                let to = m.replacement.as_deref().unwrap_or("its documented replacement");
                let detail = format!("shut down on {date}: use `{to}`");
                retired.push(row("model", m.model.clone(), m.count, (None, None), detail));
            }
            (suggestion, _) => {
                let detail = suggestion
                    .as_ref()
                    .map_or("not a known model id".to_string(), |s| format!("use `{s}`"));
                typos.push(row("model", m.model.clone(), m.count, (None, None), detail));
            }
        }
    }
    let mut out = Vec::new();
    if !typos.is_empty() {
        let total = typos.iter().map(|r| r.failures).sum();
        let sentence = format!(
            "{} not a model id ({}): use the id each row names. Retrying cannot help.",
            if typos.len() == 1 {
                "1 model name is".to_string()
            } else {
                format!("{} model names are", typos.len())
            },
            count(total, "failure")
        );
        out.push(finding("model_typo", Some(&c.category), sentence, typos));
    }
    if !retired.is_empty() {
        let total = retired.iter().map(|r| r.failures).sum();
        let sentence = format!(
            "{} shut down ({}): move to the replacement each row names.",
            if retired.len() == 1 {
                "1 model was".to_string()
            } else {
                format!("{} models were", retired.len())
            },
            count(total, "failure")
        );
        out.push(finding("model_retired", Some(&c.category), sentence, retired));
    }
    out
}

/// How far prompts overflow each model's window, and whether max_tokens did it.
fn overflows(c: &CauseStats) -> Option<Finding> {
    let rows: Vec<FindingRow> = c
        .overflows
        .sorted()
        .into_iter()
        .map(|(model, o)| {
            let mean = o.total_over / o.count.max(1);
            let reservation = match o.fits_without_reservation {
                0 => String::new(),
                n => format!("; {n} would fit without the max_tokens reservation"),
            };
            let detail = format!(
                "{}-token window, over by up to {} tokens (mean {}){reservation}",
                thousands(o.max_context),
                thousands(o.max_over),
                thousands(mean)
            );
            let mut r = row("model", model.clone(), o.count, (None, None), detail);
            r.numbers.extend([
                ("max_context".to_string(), o.max_context as f64),
                ("max_overflow".to_string(), o.max_over as f64),
                ("mean_overflow".to_string(), mean as f64),
                ("fit_without_reservation".to_string(), o.fits_without_reservation as f64),
            ]);
            r
        })
        .collect();
    let total: u64 = rows.iter().map(|r| r.failures).sum();
    let fit: f64 = rows.iter().filter_map(|r| r.numbers.get("fit_without_reservation")).sum();
    let reservation = if fit > 0.0 {
        format!(" {fit} would have fit without the max_tokens reservation: lower max_tokens.")
    } else {
        String::new()
    };
    let sentence = format!(
        "{} exceeded the model's context window on {}. Trim or summarise prompts before sending.{reservation}",
        count(total, "prompt"),
        count(rows.len() as u64, "model"),
    );
    (!rows.is_empty()).then(|| {
        finding("context_overflow", Some("request.context_length_exceeded"), sentence, rows)
    })
}

/// Peak usage against each stated rate limit, with that model's retry-after.
fn headroom(c: &CauseRow) -> Option<Finding> {
    if !matches!(
        c.category.as_str(),
        "rate_limit.tokens" | "rate_limit.requests" | "rate_limit.daily"
    ) || c.rate_limits.is_empty()
    {
        return None;
    }
    let rows: Vec<FindingRow> = c.rate_limits.iter().map(limit_row).collect();
    let total: u64 = rows.iter().map(|r| r.failures).sum();
    let sentence = format!(
        "{} reached ({}): {}. Pace requests below the limit (retry after the time the error gives) or ask for more.",
        count(rows.len() as u64, "rate limit"),
        c.category,
        count(total, "failure")
    );
    Some(finding("rate_limit_headroom", Some(&c.category), sentence, rows))
}

/// One stated limit of a model: the limit, the peak usage, its retry-after.
fn limit_row(l: &crate::report::model::RateLimitRow) -> FindingRow {
    let dimension = if l.dimension.is_empty() { "limit" } else { l.dimension.as_str() };
    let used = l.peak_used.map_or(", usage not stated".to_string(), |u| {
        format!(", peak {} ({:.0}%)", thousands(u), u as f64 / l.limit.max(1) as f64 * 100.0)
    });
    let wait = l
        .retry_after_s
        .as_ref()
        .map_or(String::new(), |d| format!(", retry-after p50 {}s p90 {}s", d.p50, d.p90));
    let detail = format!("{dimension} {}{used}{wait}", thousands(l.limit));
    let mut r = row("limit", format!("{} {dimension}", l.model), l.count, (None, None), detail);
    r.numbers.insert("limit".to_string(), l.limit as f64);
    if let Some(u) = l.peak_used {
        r.numbers.insert("peak_used".to_string(), u as f64);
    }
    if let Some(d) = &l.retry_after_s {
        r.numbers.insert("retry_after_p50_s".to_string(), d.p50);
        r.numbers.insert("retry_after_p90_s".to_string(), d.p90);
    }
    r
}

/// Retries (`attempt` >= 1) spent on causes whose retry advice is `no`.
fn futile_retries(stats: &Stats, taxonomy: &Taxonomy) -> Option<Finding> {
    let rows: Vec<FindingRow> = stats
        .causes
        .iter()
        .filter(|(id, c)| c.retried > 0 && taxonomy.cause(**id).retry == Retry::No)
        .map(|(id, c)| {
            row("cause", taxonomy.cause(*id).id.clone(), c.retried, (None, None), String::new())
        })
        .collect();
    let total: u64 = rows.iter().map(|r| r.failures).sum();
    let sentence = format!(
        "{} spent on errors that can never succeed on retry. Make the client stop retrying these: see each cause's playbook.",
        if total == 1 {
            "1 retry was".to_string()
        } else {
            format!("{} retries were", thousands(total))
        },
    );
    let mut f = (!rows.is_empty()).then(|| finding("futile_retries", None, sentence, rows))?;
    f.numbers = BTreeMap::from([("retries".to_string(), total as f64)]);
    Some(f)
}
