//! Findings across records: what a person should act on, each with its
//! numbers and one sentence. Provider incidents (bursts of provider-owned
//! failures across models), the moment quota ran out, a key failing while
//! others work, typo'd and retired models, context overflows, rate-limit
//! headroom, and retries spent on errors that can never succeed on retry.

use std::collections::{BTreeMap, BTreeSet};

use crate::aggregate::{CauseStats, Stats};
use crate::parse::time;
use crate::redact;
use crate::report::model::{CauseRow, Finding};
use crate::report::tables::thousands;
use crate::taxonomy::{Retry, Taxonomy};

/// Incident detection works on windows of this many minutes.
const WINDOW_MINUTES: i64 = 5;
/// The fewest provider failures in a window that can be an incident.
const MIN_INCIDENT_FAILURES: u64 = 5;
/// The share of a window's requests that provider failures must reach.
const MIN_INCIDENT_RATE: f64 = 0.05;

/// All findings, in a fixed order of kinds.
pub fn findings(stats: &Stats, taxonomy: &Taxonomy, causes: &[CauseRow]) -> Vec<Finding> {
    let by_id = |id: &str| taxonomy.find(id).and_then(|c| stats.causes.get(&c));
    let mut out = incidents(stats);
    for id in ["quota.exhausted", "quota.billing_inactive", "quota.hard_limit"] {
        out.extend(by_id(id).map(|c| quota(id, c)).unwrap_or_default());
    }
    for id in ["auth.invalid_api_key", "auth.account_disabled"] {
        out.extend(by_id(id).map(|c| failing_keys(id, c, stats)).unwrap_or_default());
    }
    out.extend(causes.iter().flat_map(model_fixes));
    out.extend(by_id("request.context_length_exceeded").map(overflows).unwrap_or_default());
    out.extend(causes.iter().flat_map(headroom));
    out.extend(futile_retries(stats, taxonomy));
    out
}

fn finding(kind: &str, category: Option<&str>, sentence: String) -> Finding {
    Finding {
        kind: kind.to_string(),
        category: category.map(str::to_string),
        sentence,
        start: None,
        end: None,
        subjects: Vec::new(),
        numbers: BTreeMap::new(),
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
fn incidents(stats: &Stats) -> Vec<Finding> {
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
    runs.iter().map(|run| incident(run, width, &failures, &requests, &models)).collect()
}

fn incident(
    run: &[i64],
    width: i64,
    failures: &BTreeMap<i64, u64>,
    requests: &BTreeMap<i64, u64>,
    models: &BTreeMap<i64, BTreeMap<&str, u64>>,
) -> Finding {
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
    let start = first * width * 60_000;
    let end = (last + 1) * width * 60_000;
    let names: Vec<&str> = ranked.iter().take(5).map(|m| m.0).collect();
    let sentence = format!(
        "Provider incident {} to {}: {} (5xx, overloads, gateway errors), peaking at {:.0}% of requests in {width} minutes, across {} ({}). Not your code: retry with backoff and fail over to another model or region while it lasts.",
        clock(start),
        clock(end),
        count(total, "provider-side failure"),
        peak * 100.0,
        count(ranked.len() as u64, "model"),
        names.join(", ")
    );
    let mut f = finding("provider_incident", None, sentence);
    f.start = Some(clock(start));
    f.end = Some(clock(end));
    f.subjects = ranked.iter().map(|m| m.0.to_string()).collect();
    f.numbers = BTreeMap::from([
        ("failures".to_string(), total as f64),
        ("peak_rate".to_string(), (peak * 1e4).round() / 1e4),
    ]);
    f
}

/// When each project (else each key) first hit a quota cause.
fn quota(id: &str, c: &CauseStats) -> Vec<Finding> {
    let (who, seen) =
        if c.by_project.is_empty() { ("Key", &c.by_key) } else { ("Project", &c.by_project) };
    seen.sorted()
        .into_iter()
        .filter_map(|(name, s)| {
            let first = s.span.first?;
            let shown = redact::display_value(name, who == "Key").into_owned();
            let last = s.span.last.map_or(String::new(), |l| format!(" to {}", clock(l)));
            let what = match id {
                "quota.exhausted" => "ran out of quota",
                "quota.billing_inactive" => "lost active billing",
                _ => "hit its spend cap",
            };
            let sentence = format!(
                "{who} {shown} {what} at {} ({id}): {} from then{last}. Retrying cannot help: add credits or raise the limit, and stop retrying this error.",
                clock(first),
                count(s.count, "failed request"),
            );
            let mut f = finding("quota_ran_out", Some(id), sentence);
            f.start = Some(clock(first));
            f.end = s.span.last.map(clock);
            f.subjects = vec![shown];
            f.numbers = BTreeMap::from([("failures".to_string(), s.count as f64)]);
            Some(f)
        })
        .collect()
}

/// Keys failing authentication while other keys keep working.
fn failing_keys(id: &str, c: &CauseStats, stats: &Stats) -> Vec<Finding> {
    let working: BTreeSet<&str> = stats
        .keys
        .iter()
        .filter(|(_, n)| n.requests > n.failures)
        .map(|(k, _)| k.as_ref())
        .collect();
    c.by_key
        .sorted()
        .into_iter()
        .filter(|(_, s)| s.count >= 3)
        .filter_map(|(key, s)| {
            let others = working.len() - usize::from(working.contains(key.as_ref()));
            if others == 0 {
                return None;
            }
            let shown = redact::display_key(key).into_owned();
            let first = s.span.first.map_or("an unknown time".to_string(), clock);
            let sentence = format!(
                "Key {shown} started failing with {id} at {first} ({}) while {} kept working: it was revoked, rotated or leaked. Replace it where it is deployed.",
                count(s.count, "failure"),
                count(others as u64, "other key"),
            );
            let mut f = finding("key_failing", Some(id), sentence);
            f.start = s.span.first.map(clock);
            f.end = s.span.last.map(clock);
            f.subjects = vec![shown];
            f.numbers = BTreeMap::from([("failures".to_string(), s.count as f64), ("working_keys".to_string(), others as f64)]);
            Some(f)
        })
        .collect()
}

/// Typo'd and retired models, with what to use instead.
fn model_fixes(c: &CauseRow) -> Vec<Finding> {
    c.model_fixes
        .iter()
        .map(|m| {
            let (kind, sentence) = match (&m.suggestion, &m.shutdown_date) {
                (Some(s), _) => (
                    "model_typo",
                    format!(
                        "`{}` is not a model id: use `{s}` ({}).",
                        m.model,
                        count(m.count, "failure")
                    ),
                ),
                (None, Some(date)) => (
                    "model_retired",
                    format!(
                        "`{}` was shut down on {date}: use `{}` ({}).",
                        m.model,
                        m.replacement.as_deref().unwrap_or("its documented replacement"),
                        count(m.count, "failure")
                    ),
                ),
                (None, None) => (
                    "model_typo",
                    format!(
                        "`{}` is not a known model id ({}).",
                        m.model,
                        count(m.count, "failure")
                    ),
                ),
            };
            let mut f = finding(kind, Some(&c.category), sentence);
            f.subjects = vec![m.model.clone()];
            f.numbers = BTreeMap::from([("failures".to_string(), m.count as f64)]);
            f
        })
        .collect()
}

/// How far prompts overflow each model's window, and whether max_tokens did it.
fn overflows(c: &CauseStats) -> Vec<Finding> {
    c.overflows
        .sorted()
        .into_iter()
        .map(|(model, o)| {
            let mean = o.total_over / o.count.max(1);
            let reservation = if o.fits_without_reservation > 0 {
                format!(" {} of them would have fit without the max_tokens reservation: lower max_tokens.", o.fits_without_reservation)
            } else {
                " Trim or summarise the prompt before sending.".to_string()
            };
            let sentence = format!(
                "{model}: {} exceeded the {}-token context window by up to {} tokens (mean {}).{reservation}",
                count(o.count, "prompt"),
                thousands(o.max_context),
                thousands(o.max_over),
                thousands(mean)
            );
            let mut f = finding("context_overflow", Some("request.context_length_exceeded"), sentence);
            f.subjects = vec![model.clone()];
            f.numbers = BTreeMap::from([
                ("failures".to_string(), o.count as f64),
                ("max_context".to_string(), o.max_context as f64),
                ("max_overflow".to_string(), o.max_over as f64),
                ("mean_overflow".to_string(), mean as f64),
                ("fit_without_reservation".to_string(), o.fits_without_reservation as f64),
            ]);
            f
        })
        .collect()
}

/// Peak usage against each stated rate limit, with the retry-after spread.
fn headroom(c: &CauseRow) -> Vec<Finding> {
    if !matches!(
        c.category.as_str(),
        "rate_limit.tokens" | "rate_limit.requests" | "rate_limit.daily"
    ) {
        return Vec::new();
    }
    let wait = c
        .retry_after_s
        .as_ref()
        .map_or(String::new(), |d| format!(" Retry-after p50 {}s, p90 {}s.", d.p50, d.p90));
    c.rate_limits
        .iter()
        .take(3)
        .map(|l| {
            let used = l.peak_used.map_or("usage not stated".to_string(), |u| {
                format!("peak usage {} ({:.0}% of the limit)", thousands(u), u as f64 / l.limit.max(1) as f64 * 100.0)
            });
            let dimension = if l.dimension.is_empty() { "limit" } else { l.dimension.as_str() };
            let sentence = format!(
                "{}: {dimension} limit {} with {used}, {} ({}).{wait} Pace requests below the limit or ask for more.",
                l.model,
                thousands(l.limit),
                count(l.count, "failure"),
                c.category
            );
            let mut f = finding("rate_limit_headroom", Some(&c.category), sentence);
            f.subjects = vec![l.model.clone()];
            f.numbers = BTreeMap::from([("limit".to_string(), l.limit as f64), ("failures".to_string(), l.count as f64)]);
            if let Some(u) = l.peak_used {
                f.numbers.insert("peak_used".to_string(), u as f64);
            }
            f
        })
        .collect()
}

/// Retries (`attempt` >= 1) spent on causes whose retry advice is `no`.
fn futile_retries(stats: &Stats, taxonomy: &Taxonomy) -> Option<Finding> {
    let mut wasted: Vec<(&str, u64)> = stats
        .causes
        .iter()
        .filter(|(id, c)| c.retried > 0 && taxonomy.cause(**id).retry == Retry::No)
        .map(|(id, c)| (taxonomy.cause(*id).id.as_str(), c.retried))
        .collect();
    if wasted.is_empty() {
        return None;
    }
    wasted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let total: u64 = wasted.iter().map(|w| w.1).sum();
    let list: Vec<String> = wasted.iter().take(5).map(|(id, n)| format!("{id} {n}")).collect();
    let sentence = format!(
        "{} spent on errors that can never succeed on retry ({}). Make the client stop retrying these: see each cause's playbook.",
        if total == 1 {
            "1 retry was".to_string()
        } else {
            format!("{} retries were", thousands(total))
        },
        list.join(", ")
    );
    let mut f = finding("futile_retries", None, sentence);
    f.subjects = wasted.iter().map(|w| w.0.to_string()).collect();
    f.numbers = BTreeMap::from([("retries".to_string(), total as f64)]);
    Some(f)
}
