//! What errlens keeps about one root cause while folding: counts, when, by
//! whom, evidence tallies, and the typed evidence findings need (rate limits,
//! model fixes, first/last seen per project and key, context overflows,
//! failures that were retries). Every merge here is associative and
//! commutative, like the rest of the fold; every map keyed by a logged value
//! is [`Capped`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Cap, Capped, Example, Fold, Span, Tally, keep_earliest, stored};
use crate::parse::Record;

/// Separates the model from the value in [`CauseStats::retry_after_by_model`].
pub const MODEL_VALUE: char = '\u{1f}';

/// Everything errlens knows about one root cause.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CauseStats {
    /// Failures with this cause.
    pub count: u64,
    /// When it was first and last seen.
    pub seen: Span,
    /// Failures by key (as logged; fingerprinted when shown).
    pub keys: Tally,
    /// Failures by project.
    pub projects: Tally,
    /// Failures by model.
    pub models: Tally,
    /// Evidence values by name, counted (e.g. `suggestion` -> `gpt-4o` x 12).
    pub evidence: BTreeMap<String, Tally>,
    /// The earliest failure.
    pub example: Option<Example>,
    /// Rate limits by (model, dimension): the limit and the peak usage.
    pub limits: Capped<(String, String), LimitStats>,
    /// Model fixes by the model asked for (typo suggestion, or retirement).
    pub model_fixes: Capped<String, ModelFix>,
    /// When and how often each project saw this cause.
    pub by_project: Capped<Box<str>, Seen>,
    /// When and how often each key saw this cause.
    pub by_key: Capped<Box<str>, Seen>,
    /// Context-window overflows by model.
    pub overflows: Capped<String, Overflow>,
    /// Retry-after values (seconds) by model: `model` [`MODEL_VALUE`] `value`.
    pub retry_after_by_model: Tally,
    /// Failures that were themselves retries (`attempt` >= 1).
    pub retried: u64,
}

/// A count and the time range it happened in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// How many.
    pub count: u64,
    /// When.
    pub span: Span,
}

impl Fold for Seen {
    fn fold(&mut self, other: Seen) {
        self.count += other.count;
        self.span.merge(other.span);
    }
    fn weight(&self) -> u64 {
        self.count
    }
}

/// How far prompts overflowed a model's context window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overflow {
    /// Failures with both numbers stated.
    pub count: u64,
    /// The context window stated.
    pub max_context: u64,
    /// The largest overflow (tokens requested beyond the window).
    pub max_over: u64,
    /// The sum of overflows (for the mean).
    pub total_over: u64,
    /// Failures that would have fit without the completion reservation (max_tokens).
    pub fits_without_reservation: u64,
}

impl Fold for Overflow {
    fn fold(&mut self, other: Overflow) {
        self.count += other.count;
        self.max_context = self.max_context.max(other.max_context);
        self.max_over = self.max_over.max(other.max_over);
        self.total_over += other.total_over;
        self.fits_without_reservation += other.fits_without_reservation;
    }
    fn weight(&self) -> u64 {
        self.count
    }
}

/// A rate limit seen in messages: the largest limit and usage reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitStats {
    /// The limit stated (the largest, should it change).
    pub limit: u64,
    /// The highest usage stated.
    pub peak_used: Option<u64>,
    /// Failures that stated it.
    pub count: u64,
}

impl Fold for LimitStats {
    fn fold(&mut self, other: LimitStats) {
        self.limit = self.limit.max(other.limit);
        self.peak_used = self.peak_used.max(other.peak_used);
        self.count += other.count;
    }
    fn weight(&self) -> u64 {
        self.count
    }
}

/// What to ask for instead of a model that failed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelFix {
    /// The nearest known id (typos).
    pub suggestion: Option<String>,
    /// The shutdown date (retired models).
    pub shutdown_date: Option<String>,
    /// The replacement active at the record's time (retired models).
    pub replacement: Option<String>,
    /// Failures.
    pub count: u64,
}

impl Fold for ModelFix {
    /// Adds `other`'s count; of two different fixes the smaller is kept, so
    /// the result does not depend on the order of merging.
    fn fold(&mut self, other: ModelFix) {
        if other.count == 0 {
            return;
        }
        let count = self.count + other.count;
        let key =
            |f: &ModelFix| (f.suggestion.clone(), f.shutdown_date.clone(), f.replacement.clone());
        if self.count == 0 || key(&other) < key(self) {
            *self = other;
        }
        self.count = count;
    }
    fn weight(&self) -> u64 {
        self.count
    }
}

impl CauseStats {
    /// Notes which project and key failed when, and whether it was a retry.
    pub(crate) fn observe_who(
        &mut self,
        record: &Record<'_>,
        key: Option<&str>,
        project: Option<&str>,
        cap: Cap,
    ) {
        let seen = Seen { count: 1, span: Span { first: record.ts, last: record.ts } };
        for (map, name) in [(&mut self.by_project, project), (&mut self.by_key, key)] {
            // Looked up before inserting: an owned key would allocate on every failure.
            if let Some(name) = name {
                map.slot(name, cap).fold(seen);
            }
        }
        self.retried += u64::from(record.attempt.is_some_and(|a| a > 0));
    }

    /// Adds the typed evidence of one failure.
    pub(crate) fn observe_evidence(
        &mut self,
        evidence: &[(String, String)],
        model: Option<&str>,
        cap: Cap,
    ) {
        let get = |k: &str| evidence.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let named = stored(get("model").or(model).unwrap_or(super::MODEL_NOT_LOGGED).into());
        if let Some(limit) = get("limit").and_then(|l| l.parse::<u64>().ok()) {
            let dimension = stored(get("dimension").unwrap_or_default().into()).into_owned();
            let used = get("used").and_then(|u| u.parse::<u64>().ok());
            self.limits.slot_owned((named.to_string(), dimension), cap).fold(LimitStats {
                limit,
                peak_used: used,
                count: 1,
            });
        }
        let number = |k: &str| get(k).and_then(|v| v.parse::<u64>().ok());
        if let (Some(max), Some(requested)) =
            (number("max_context"), number("requested_tokens").or(number("requested")))
        {
            let prompt = number("prompt_tokens").unwrap_or(requested);
            let over = Overflow {
                count: 1,
                max_context: max,
                max_over: requested.saturating_sub(max),
                total_over: requested.saturating_sub(max),
                fits_without_reservation: u64::from(prompt <= max && requested > max),
            };
            self.overflows.slot(&*named, cap).fold(over);
        }
        if let Some(wait) = get("retry_after_s") {
            let key = format!("{named}{MODEL_VALUE}{wait}");
            super::bump(&mut self.retry_after_by_model, &key, cap);
        }
        if get("suggestion").is_some() || get("shutdown_date").is_some() {
            let fix = ModelFix {
                suggestion: get("suggestion").map(str::to_string),
                shutdown_date: get("shutdown_date").map(str::to_string),
                replacement: get("replacement").map(str::to_string),
                count: 1,
            };
            self.model_fixes.slot(&*named, cap).fold(fix);
        }
    }

    pub(crate) fn merge(&mut self, other: CauseStats, cap: Cap) {
        self.count += other.count;
        self.seen.merge(other.seen);
        self.keys.merge(other.keys, cap);
        self.projects.merge(other.projects, cap);
        self.models.merge(other.models, cap);
        for (name, tally) in other.evidence {
            self.evidence.entry(name).or_default().merge(tally, cap);
        }
        keep_earliest(&mut self.example, other.example);
        self.limits.merge(other.limits, cap);
        self.model_fixes.merge(other.model_fixes, cap);
        self.by_project.merge(other.by_project, cap);
        self.by_key.merge(other.by_key, cap);
        self.overflows.merge(other.overflows, cap);
        self.retry_after_by_model.merge(other.retry_after_by_model, cap);
        self.retried += other.retried;
    }

    /// Occurrences folded past the cap in the evidence this cause keeps
    /// (evidence values, rate limits, model fixes, overflows).
    pub fn evidence_folded(&self) -> u64 {
        self.evidence.values().map(Tally::folded).sum::<u64>()
            + self.limits.folded()
            + self.model_fixes.folded()
            + self.overflows.folded()
            + self.retry_after_by_model.folded()
    }

    /// The retry-after values of `model`'s failures, counted.
    pub fn retry_after_of(&self, model: &str) -> Tally {
        let mut values = Tally::default();
        for (key, &n) in &self.retry_after_by_model {
            let Some((m, value)) = key.split_once(MODEL_VALUE) else { continue };
            if m == model {
                values.insert(value.into(), n);
            }
        }
        values
    }
}
