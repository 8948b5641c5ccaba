//! Aggregate stage: one mergeable accumulator, [`Stats`], folded per chunk and
//! merged. The merge is associative and commutative (sums, min/max, and "the
//! earliest place wins" for examples), so the result is the same for any thread
//! count and chunk size. Memory is bounded: the run's accumulator keeps at most
//! [`Stats::cap`] distinct values per dimension ([`capped`]) and coarsens its
//! time series past that many buckets ([`minutes`]).

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::classify::Verdict;
use crate::parse::time::Millis;
use crate::parse::{Aside, Invalid, InvalidSet, Malformed, Record};
use crate::taxonomy::CauseId;

pub mod breakdown;
pub mod capped;
mod cause;
pub mod minutes;
mod shown;
mod values;

pub use capped::{Cap, Capped, DEFAULT_MAX_DISTINCT, Fold, stored};
pub use cause::{CauseStats, LimitStats, ModelFix, Overflow, Seen};
pub use minutes::Resolution;
use values::example_message;
pub use values::{
    Counts, DimCounts, Example, MAX_EXAMPLE_BYTES, Occurrences, PLACES_KEPT, Place, SignatureStats,
    Span, Tally,
};
pub(crate) use values::{bump, keep_earliest};

/// The model name provider failures are counted under when none was logged.
pub const MODEL_NOT_LOGGED: &str = "(model not logged)";
/// The name folded values are counted under where a name is needed.
pub const OTHER: &str = "(other)";
/// The run's accumulator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Input lines.
    pub lines: u64,
    /// Empty or whitespace-only lines.
    pub blank: u64,
    /// Records without a failure.
    pub successes: u64,
    /// Failed records.
    pub failures: u64,
    /// Records left out by `--since` / `--until`.
    pub out_of_range: u64,
    /// Records beyond the first on lines that held several (OTLP spans).
    pub extra_records: u64,
    /// Malformed lines by reason.
    pub malformed: BTreeMap<Malformed, Occurrences>,
    /// Lines of no known layout, and records that are not LLM requests.
    pub aside: BTreeMap<Aside, Occurrences>,
    /// Values dropped from records as implausible, by reason: a note on
    /// records (each is still a success, failure or out of range), not a bucket
    /// of the line accounting. Counted for every record read.
    pub dropped: BTreeMap<Invalid, Occurrences>,
    /// Time range of all records.
    pub time: Span,
    /// Failures by root cause.
    pub causes: BTreeMap<CauseId, CauseStats>,
    /// Unclassified failures by message signature.
    pub signatures: Capped<String, SignatureStats>,
    /// Requests and failures by key.
    pub keys: DimCounts,
    /// Requests and failures by project.
    pub projects: DimCounts,
    /// Requests and failures by model.
    pub models: DimCounts,
    /// The most distinct values kept per dimension (unbounded in a chunk's
    /// accumulator; `--max-distinct` in the run's).
    pub cap: Cap,
    /// The width of the buckets of `minutes`, `cause_minutes` and
    /// `provider_minutes` (1 unless more than `cap` buckets were needed).
    pub resolution: Resolution,
    /// Requests and failures by minute (epoch minutes, floored to
    /// `resolution`); re-bucketed for reports.
    #[serde(with = "minutes::sorted")]
    pub minutes: FxHashMap<i64, Counts>,
    /// Failures by (epoch minute, cause).
    #[serde(with = "minutes::sorted")]
    pub cause_minutes: FxHashMap<(i64, CauseId), u64>,
    /// The `--by` / `--every` breakdown, when asked for.
    pub breakdown: breakdown::Breakdown,
    /// Provider-owned failures by (epoch minute, model): incident detection.
    #[serde(with = "minutes::sorted")]
    pub provider_minutes: FxHashMap<(i64, Box<str>), u64>,
}

/// The epoch minute of a timestamp.
pub fn minute_of(ts: Millis) -> i64 {
    ts.div_euclid(60_000)
}

fn count_dim(map: &mut DimCounts, name: Option<&str>, failed: bool, cap: Cap) {
    let Some(name) = name else { return };
    let counts = map.slot(name, cap);
    counts.requests += 1;
    counts.failures += u64::from(failed);
}

/// A decoded field as stored: long values shortened.
#[inline]
fn field<'a>(text: Option<crate::parse::Text<'a>>) -> Option<std::borrow::Cow<'a, str>> {
    text.map(|t| stored(t.decode()))
}

impl Stats {
    /// The run's accumulator: at most `max_distinct` values per dimension.
    pub fn capped(max_distinct: usize) -> Stats {
        Stats { cap: Cap(max_distinct), ..Stats::default() }
    }

    /// Counts a blank line.
    pub fn blank(&mut self) {
        self.blank += 1;
    }

    /// Counts a malformed line.
    pub fn malformed(&mut self, reason: Malformed, place: Place) {
        self.malformed.entry(reason).or_default().add(place);
    }

    /// Counts input read but set aside: an unrecognised line, a non-LLM record.
    pub fn aside(&mut self, kind: Aside, place: Place) {
        self.aside.entry(kind).or_default().add(place);
    }

    /// Counts a record left out by `--since` / `--until`.
    pub fn outside_window(&mut self, record: &Record<'_>, place: Place) {
        self.out_of_range += 1;
        self.note_dropped(record.invalid, place);
    }

    /// Notes the values dropped from the record at `place`.
    fn note_dropped(&mut self, invalid: InvalidSet, place: Place) {
        if invalid.is_empty() {
            return;
        }
        for reason in invalid.iter() {
            self.dropped.entry(reason).or_default().add(place);
        }
    }

    /// Adds a record to the breakdown by `spec`; `cause` is the failure's id.
    pub fn breakdown(&mut self, spec: &breakdown::Spec, record: &Record<'_>, cause: Option<&str>) {
        use breakdown::{Dim, Value};
        let texts: Vec<Option<std::borrow::Cow<'_, str>>> = spec
            .dims
            .iter()
            .map(|dim| {
                let field = match dim {
                    Dim::Key => record.key,
                    Dim::Project => record.project,
                    Dim::Org => record.org,
                    Dim::User => record.user,
                    Dim::Model => record.model,
                    Dim::Endpoint => record.endpoint,
                    Dim::Provider => record.provider,
                    Dim::Status | Dim::Category => None,
                };
                field.map(|t| stored(t.decode()))
            })
            .collect();
        let values: Vec<Value<'_>> = spec
            .dims
            .iter()
            .zip(&texts)
            .map(|(dim, text)| match (dim, text) {
                (Dim::Status, _) => record.status.map_or(Value::None, Value::Status),
                (Dim::Category, _) => Value::Text(cause.unwrap_or("success")),
                (_, Some(t)) => Value::Text(t),
                (_, None) => Value::None,
            })
            .collect();
        let bucket = breakdown::bucket(record.ts, spec.every_minutes);
        self.breakdown.add(bucket, &values, cause.is_some(), record.latency_ms, self.cap);
    }

    /// Counts a record; `verdict` is present exactly for failures.
    pub fn record(&mut self, record: &Record<'_>, verdict: Option<&Verdict>, place: Place) {
        self.observe(record, verdict, place);
        let cap = self.cap;
        if self.series().over(cap) {
            self.fit_series();
        }
    }

    fn observe(&mut self, record: &Record<'_>, verdict: Option<&Verdict>, place: Place) {
        self.note_dropped(record.invalid, place);
        self.time.add(record.ts);
        let (key, project, model) = (field(record.key), field(record.project), field(record.model));
        let (failed, cap) = (verdict.is_some(), self.cap);
        count_dim(&mut self.keys, key.as_deref(), failed, cap);
        count_dim(&mut self.projects, project.as_deref(), failed, cap);
        count_dim(&mut self.models, model.as_deref(), failed, cap);
        let minute = record.ts.map(|ts| self.resolution.floor(minute_of(ts)));
        if let Some(minute) = minute {
            let counts = self.minutes.entry(minute).or_default();
            counts.requests += 1;
            counts.failures += u64::from(failed);
            if let Some(v) = verdict {
                *self.cause_minutes.entry((minute, v.cause)).or_default() += 1;
            }
        }
        let Some(verdict) = verdict else {
            self.successes += 1;
            return;
        };
        self.failures += 1;
        let example = || Example {
            place,
            status: verdict.info.status,
            message: example_message(&verdict.info.message),
        };
        if let Some(signature) = &verdict.signature {
            self.signatures.slot(signature.as_str(), cap).add(1, example, place);
        }
        let cause = self.causes.entry(verdict.cause).or_default();
        cause.count += 1;
        cause.seen.add(record.ts);
        [(&mut cause.keys, &key), (&mut cause.projects, &project), (&mut cause.models, &model)]
            .into_iter()
            .for_each(|(tally, name)| {
                if let Some(n) = name {
                    bump(tally, n, cap);
                }
            });
        for (name, value) in &verdict.evidence {
            match cause.evidence.get_mut(name.as_str()) {
                Some(tally) => bump(tally, value, cap),
                None => bump(cause.evidence.entry(name.clone()).or_default(), value, cap),
            }
        }
        cause.observe_evidence(&verdict.evidence, model.as_deref(), cap);
        cause.observe_who(record, key.as_deref(), project.as_deref(), cap);
        let provider_owned = crate::taxonomy::Taxonomy::get().cause(verdict.cause).owner
            == crate::taxonomy::Owner::Provider;
        if let (true, Some(minute)) = (provider_owned, minute) {
            let model = model.as_deref().unwrap_or(MODEL_NOT_LOGGED);
            let model = if self.models.get(model).is_some() || model == MODEL_NOT_LOGGED {
                model
            } else {
                OTHER
            };
            *self.provider_minutes.entry((minute, model.into())).or_default() += 1;
        }
        if cause.example.as_ref().is_none_or(|e| place < e.place) {
            cause.example = Some(example());
        }
    }

    /// Turns chunk-relative line numbers into file-relative ones.
    pub fn shift_lines(&mut self, first_line: u64) {
        self.places_mut().for_each(|p| p.line += first_line);
    }

    /// Moves every place `files` files on: the files of the run are listed
    /// after `files` others.
    pub fn shift_files(&mut self, files: u32) {
        self.places_mut().for_each(|p| p.file += files);
    }

    /// Every place kept: first places of occurrences, examples' places.
    pub fn places(&self) -> impl Iterator<Item = &Place> {
        let occurrences = self.malformed.values().chain(self.dropped.values());
        let firsts = occurrences.chain(self.aside.values()).flat_map(|o| &o.first);
        let examples = self.causes.values().filter_map(|c| c.example.as_ref());
        let signatures = self.signatures.iter().map(|(_, s)| &s.example);
        firsts.chain(examples.chain(signatures).map(|e| &e.place))
    }

    fn places_mut(&mut self) -> impl Iterator<Item = &mut Place> {
        let occurrences = self.malformed.values_mut().chain(self.dropped.values_mut());
        let firsts = occurrences.chain(self.aside.values_mut()).flat_map(|o| &mut o.first);
        let examples = self.causes.values_mut().filter_map(|c| c.example.as_mut());
        let signatures = self.signatures.values_mut().map(|s| &mut s.example);
        firsts.chain(examples.chain(signatures).map(|e| &mut e.place))
    }

    fn series(&mut self) -> minutes::Series<'_> {
        minutes::Series {
            minutes: &mut self.minutes,
            causes: &mut self.cause_minutes,
            provider: &mut self.provider_minutes,
        }
    }

    /// Coarsens the time series when they hold more buckets than the cap.
    fn fit_series(&mut self) {
        let (mut res, cap) = (self.resolution, self.cap);
        self.series().fit(&mut res, cap);
        self.resolution = res;
    }

    /// Adds `other`'s time series at this accumulator's resolution; a
    /// provider failure's model stays named only if the model is kept.
    fn merge_series(
        &mut self,
        theirs: Resolution,
        minutes: FxHashMap<i64, Counts>,
        causes: FxHashMap<(i64, CauseId), u64>,
        provider: FxHashMap<(i64, Box<str>), u64>,
    ) {
        if theirs > self.resolution {
            self.resolution = theirs;
            self.series().rebucket(theirs);
        }
        let res = self.resolution;
        minutes::merge_series(&mut self.minutes, minutes, res, |m, r| r.floor(m));
        minutes::merge_series(&mut self.cause_minutes, causes, res, |(m, c), r| (r.floor(m), c));
        let models = &self.models;
        minutes::merge_series(&mut self.provider_minutes, provider, res, |(m, model), r| {
            let kept = &*model == MODEL_NOT_LOGGED || models.get(&*model).is_some();
            (r.floor(m), if kept { model } else { OTHER.into() })
        });
        self.fit_series();
    }

    /// Merges another accumulator into this one. Values new to this
    /// accumulator are taken in `other`'s first-seen order while there is
    /// room under [`Stats::cap`]: merged in input order, the values kept are
    /// the first ones seen, however the input was split.
    pub fn merge(&mut self, other: Stats) {
        let cap = self.cap;
        self.lines += other.lines;
        self.blank += other.blank;
        self.successes += other.successes;
        self.failures += other.failures;
        self.out_of_range += other.out_of_range;
        self.extra_records += other.extra_records;
        self.time.merge(other.time);
        for (reason, occ) in other.malformed {
            self.malformed.entry(reason).or_default().merge(occ);
        }
        for (reason, occ) in other.dropped {
            self.dropped.entry(reason).or_default().merge(occ);
        }
        for (kind, occ) in other.aside {
            self.aside.entry(kind).or_default().merge(occ);
        }
        for (cause, stats) in other.causes {
            self.causes.entry(cause).or_default().merge(stats, cap);
        }
        self.signatures.merge(other.signatures, cap);
        self.breakdown.merge(other.breakdown, cap);
        self.keys.merge(other.keys, cap);
        self.projects.merge(other.projects, cap);
        self.models.merge(other.models, cap);
        let series = (other.minutes, other.cause_minutes, other.provider_minutes);
        self.merge_series(other.resolution, series.0, series.1, series.2);
    }

    /// Items (records, out of range, not LLM) - extra items + blank +
    /// malformed + unrecognized: always equals `lines`. The extra items are
    /// taken off last: an envelope's extra items may all be unrecognized.
    pub fn accounted(&self) -> u64 {
        self.checked_accounted().unwrap_or(u64::MAX)
    }

    /// [`Stats::accounted`], `None` when the counts cannot add up (a damaged
    /// state file).
    pub fn checked_accounted(&self) -> Option<u64> {
        let aside = |kind| self.aside.get(&kind).map_or(0, |o| o.count);
        let malformed = self.malformed.values().try_fold(0u64, |s, o| s.checked_add(o.count));
        [self.failures, self.out_of_range, aside(Aside::NotLlm), self.blank, malformed?]
            .into_iter()
            .chain([aside(Aside::Unrecognized)])
            .try_fold(self.successes, u64::checked_add)?
            .checked_sub(self.extra_records)
    }
}

#[cfg(test)]
mod tests;
