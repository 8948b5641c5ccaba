//! What errlens keeps about one root cause while folding: counts, when, by
//! whom, evidence tallies, and the typed evidence findings need (rate limits,
//! model fixes, first/last seen per project and key, context overflows,
//! failures that were retries). Every merge here is associative and
//! commutative, like the rest of the fold.

use std::collections::BTreeMap;

use super::{Example, Span, Tally, keep_earliest, merge_tally};
use crate::parse::Record;

/// Everything errlens knows about one root cause.
#[derive(Debug, Clone, Default, PartialEq)]
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
    pub limits: BTreeMap<(String, String), LimitStats>,
    /// Model fixes by the model asked for (typo suggestion, or retirement).
    pub model_fixes: BTreeMap<String, ModelFix>,
    /// When and how often each project saw this cause.
    pub by_project: BTreeMap<Box<str>, Seen>,
    /// When and how often each key saw this cause.
    pub by_key: BTreeMap<Box<str>, Seen>,
    /// Context-window overflows by model.
    pub overflows: BTreeMap<String, Overflow>,
    /// Failures that were themselves retries (`attempt` >= 1).
    pub retried: u64,
}

/// A count and the time range it happened in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    /// How many.
    pub count: u64,
    /// When.
    pub span: Span,
}

impl Seen {
    fn add(&mut self, other: Seen) {
        self.count += other.count;
        self.span.merge(other.span);
    }
}

/// How far prompts overflowed a model's context window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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

impl Overflow {
    fn add(&mut self, other: Overflow) {
        self.count += other.count;
        self.max_context = self.max_context.max(other.max_context);
        self.max_over = self.max_over.max(other.max_over);
        self.total_over += other.total_over;
        self.fits_without_reservation += other.fits_without_reservation;
    }
}

/// A rate limit seen in messages: the largest limit and usage reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LimitStats {
    /// The limit stated (the largest, should it change).
    pub limit: u64,
    /// The highest usage stated.
    pub peak_used: Option<u64>,
    /// Failures that stated it.
    pub count: u64,
}

impl LimitStats {
    fn merge(&mut self, other: &LimitStats) {
        self.limit = self.limit.max(other.limit);
        self.peak_used = self.peak_used.max(other.peak_used);
        self.count += other.count;
    }
}

/// What to ask for instead of a model that failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

impl ModelFix {
    /// Adds `other`'s count; of two different fixes the smaller is kept, so
    /// the result does not depend on the order of merging.
    fn absorb(&mut self, other: ModelFix) {
        let count = self.count + other.count;
        let key =
            |f: &ModelFix| (f.suggestion.clone(), f.shutdown_date.clone(), f.replacement.clone());
        if self.count == 0 || key(&other) < key(self) {
            *self = other;
        }
        self.count = count;
    }
}

impl CauseStats {
    /// Notes which project and key failed when, and whether it was a retry.
    pub(crate) fn observe_who(
        &mut self,
        record: &Record<'_>,
        key: Option<&str>,
        project: Option<&str>,
    ) {
        let seen = Seen { count: 1, span: Span { first: record.ts, last: record.ts } };
        for (map, name) in [(&mut self.by_project, project), (&mut self.by_key, key)] {
            let Some(name) = name else { continue };
            // Look up before inserting: an owned key would allocate on every failure.
            match map.get_mut(name) {
                Some(s) => s.add(seen),
                None => map.entry(name.into()).or_default().add(seen),
            }
        }
        self.retried += u64::from(record.attempt.is_some_and(|a| a > 0));
    }

    /// Adds the typed evidence of one failure.
    pub(crate) fn observe_evidence(&mut self, evidence: &[(String, String)], model: Option<&str>) {
        let get = |k: &str| evidence.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let named = get("model").or(model).unwrap_or("(model not logged)");
        if let Some(limit) = get("limit").and_then(|l| l.parse::<u64>().ok()) {
            let key = (named.to_string(), get("dimension").unwrap_or_default().to_string());
            let used = get("used").and_then(|u| u.parse::<u64>().ok());
            self.limits.entry(key).or_default().merge(&LimitStats {
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
            self.overflows.entry(named.to_string()).or_default().add(over);
        }
        if get("suggestion").is_some() || get("shutdown_date").is_some() {
            let fix = ModelFix {
                suggestion: get("suggestion").map(str::to_string),
                shutdown_date: get("shutdown_date").map(str::to_string),
                replacement: get("replacement").map(str::to_string),
                count: 1,
            };
            self.model_fixes.entry(named.to_string()).or_default().absorb(fix);
        }
    }

    pub(crate) fn merge(&mut self, other: CauseStats) {
        self.count += other.count;
        self.seen.merge(other.seen);
        merge_tally(&mut self.keys, other.keys);
        merge_tally(&mut self.projects, other.projects);
        merge_tally(&mut self.models, other.models);
        for (name, tally) in other.evidence {
            merge_tally(self.evidence.entry(name).or_default(), tally);
        }
        keep_earliest(&mut self.example, other.example);
        for (key, limit) in other.limits {
            self.limits.entry(key).or_default().merge(&limit);
        }
        for (model, fix) in other.model_fixes {
            self.model_fixes.entry(model).or_default().absorb(fix);
        }
        for (mine, theirs) in
            [(&mut self.by_project, other.by_project), (&mut self.by_key, other.by_key)]
        {
            for (name, seen) in theirs {
                mine.entry(name).or_default().add(seen);
            }
        }
        for (model, o) in other.overflows {
            self.overflows.entry(model).or_default().add(o);
        }
        self.retried += other.retried;
    }
}
