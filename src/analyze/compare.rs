//! Comparison with a previous period (`--compare`): per cause, what is new,
//! gone, grown or shrunk, with the change in percent; and the error rate
//! before and now.

use std::collections::BTreeSet;

use crate::report::model::{CauseChange, Comparison, PeriodRow, Report};

/// Compares `now` with `before` (both built the same way).
pub fn compare(now: &Report, before: &Report) -> Comparison {
    let ids: BTreeSet<&str> =
        now.causes.iter().chain(&before.causes).map(|c| c.category.as_str()).collect();
    let count =
        |r: &Report, id: &str| r.causes.iter().find(|c| c.category == id).map_or(0, |c| c.count);
    let mut causes: Vec<CauseChange> = ids
        .into_iter()
        .map(|id| {
            let (n, b) = (count(now, id), count(before, id));
            let change = match (n, b) {
                (_, 0) => "new",
                (0, _) => "gone",
                (n, b) if n > b => "grown",
                (n, b) if n < b => "shrunk",
                _ => "same",
            };
            let percent_change =
                (b > 0).then(|| ((n as f64 - b as f64) / b as f64 * 1e4).round() / 1e4);
            CauseChange {
                category: id.to_string(),
                change: change.to_string(),
                now: n,
                before: b,
                percent_change,
            }
        })
        .collect();
    let rank = |c: &CauseChange| {
        ["new", "grown", "shrunk", "gone", "same"].iter().position(|k| *k == c.change)
    };
    causes.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then(b.now.abs_diff(b.before).cmp(&a.now.abs_diff(a.before)))
            .then(a.category.cmp(&b.category))
    });
    let s = &before.summary;
    Comparison {
        previous: PeriodRow {
            records: s.records,
            failures: s.failures,
            error_rate: s.error_rate,
            time_range: s.time_range.clone(),
            unread: s.files.iter().filter(|f| f.error.is_some()).cloned().collect(),
        },
        error_rate_change: ((now.summary.error_rate - s.error_rate) * 1e6).round() / 1e6,
        causes,
    }
}
