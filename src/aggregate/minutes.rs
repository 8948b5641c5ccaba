//! Time series at a bounded resolution. The fold counts requests and failures
//! per epoch minute; when the run's accumulator holds more distinct buckets
//! than the cap (or its per-cause and per-model series more than
//! [`FAN_OUT`] times the cap), every time series is re-bucketed to the next
//! width of a fixed ladder (1m, 5m, 15m, 1h, 6h, 1d, 1w, then doubling), until
//! they fit or hold a single bucket. Counts stay exact at the coarser width,
//! and since a merge only ever sees part of the final entries, the width
//! reached is the smallest that fits the whole input: the same for any thread
//! count and chunk size.

use std::hash::Hash;

use rustc_hash::FxHashMap;

use super::{Cap, Fold};

/// Bucket widths in minutes, finest first; past the last, widths double.
const LADDER: [i64; 7] = [1, 5, 15, 60, 360, 1440, 10_080];
/// No width grows past this (about 2 million years: one bucket for any input).
const MAX_WIDTH: i64 = 1 << 50;
/// Entries per bucket the per-cause and per-model series may hold on average
/// before they too make the buckets coarser.
pub const FAN_OUT: usize = 8;

/// The width, in minutes, of the buckets the time series are kept at.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Resolution(pub i64);

impl Default for Resolution {
    fn default() -> Resolution {
        Resolution(1)
    }
}

impl Resolution {
    /// The start of the bucket holding `minute`.
    pub fn floor(self, minute: i64) -> i64 {
        if self.0 == 1 { minute } else { minute.div_euclid(self.0) * self.0 }
    }

    /// The next coarser width, or `None` at the coarsest.
    fn coarser(self) -> Option<Resolution> {
        let next = LADDER.iter().copied().find(|w| *w > self.0).unwrap_or(self.0.saturating_mul(2));
        (self.0 < MAX_WIDTH).then_some(Resolution(next))
    }
}

/// Adds `from` into `into`, each key's minute floored to `res`.
pub(crate) fn merge_series<K: Hash + Eq, V: Fold>(
    into: &mut FxHashMap<K, V>,
    from: FxHashMap<K, V>,
    res: Resolution,
    rekey: impl Fn(K, Resolution) -> K,
) {
    for (key, value) in from {
        into.entry(rekey(key, res)).or_default().fold(value);
    }
}

/// The three series of the accumulator, borrowed for re-bucketing.
pub(crate) struct Series<'a> {
    /// Requests and failures per minute.
    pub minutes: &'a mut FxHashMap<i64, super::Counts>,
    /// Failures per (minute, cause).
    pub causes: &'a mut FxHashMap<(i64, crate::taxonomy::CauseId), u64>,
    /// Provider failures per (minute, model).
    pub provider: &'a mut FxHashMap<(i64, Box<str>), u64>,
}

impl Series<'_> {
    /// Whether the series hold more entries than `cap` allows.
    pub fn over(&self, cap: Cap) -> bool {
        let fanned = cap.0.saturating_mul(FAN_OUT);
        self.minutes.len() > cap.0 || self.causes.len() > fanned || self.provider.len() > fanned
    }

    /// Coarsens `res` until every series fits `cap`, or holds one bucket
    /// (where per-cause entries are bounded by the causes, per-model ones by
    /// the models kept).
    pub fn fit(&mut self, res: &mut Resolution, cap: Cap) {
        while self.over(cap) && self.minutes.len() > 1 {
            let Some(next) = res.coarser() else { return };
            *res = next;
            self.rebucket(next);
        }
    }

    /// Floors every bucket to `res`, adding up those that meet.
    pub fn rebucket(&mut self, res: Resolution) {
        let old = std::mem::take(self.minutes);
        merge_series(self.minutes, old, res, |m, r| r.floor(m));
        let old = std::mem::take(self.causes);
        merge_series(self.causes, old, res, |(m, c), r| (r.floor(m), c));
        let old = std::mem::take(self.provider);
        merge_series(self.provider, old, res, |(m, model), r| (r.floor(m), model));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_goes_from_minutes_to_weeks_then_doubles() {
        let mut r = Resolution::default();
        let mut widths = vec![r.0];
        while let Some(next) = r.coarser() {
            r = next;
            widths.push(r.0);
        }
        assert_eq!(widths[..9], [1, 5, 15, 60, 360, 1440, 10_080, 20_160, 40_320]);
        assert!(*widths.last().unwrap() >= MAX_WIDTH);
        assert_eq!(Resolution(15).floor(-1), -15);
        assert_eq!(Resolution(15).floor(44), 30);
    }

    #[test]
    fn series_coarsen_until_they_fit() {
        let mut minutes: FxHashMap<i64, super::super::Counts> = FxHashMap::default();
        for m in 0..100 {
            minutes.entry(m).or_default().requests += 1;
        }
        let (mut causes, mut provider) = (FxHashMap::default(), FxHashMap::default());
        provider.insert((7, "m".into()), 2);
        let mut res = Resolution::default();
        let mut s = Series { minutes: &mut minutes, causes: &mut causes, provider: &mut provider };
        s.fit(&mut res, Cap(10));
        assert_eq!(res, Resolution(15));
        assert_eq!(minutes.len(), 7);
        assert_eq!(minutes.values().map(|c| c.requests).sum::<u64>(), 100);
        assert_eq!(minutes[&90].requests, 10);
        assert_eq!(provider[&(0, "m".into())], 2);
    }

    #[test]
    fn coarsening_stops_at_one_bucket() {
        let mut minutes: FxHashMap<i64, super::super::Counts> = FxHashMap::default();
        let mut causes = FxHashMap::default();
        for m in 0..3 {
            minutes.entry(m).or_default().requests += 30;
            (0..30).for_each(|c| *causes.entry((m, c)).or_default() += 1);
        }
        let mut provider = FxHashMap::default();
        let mut res = Resolution::default();
        let mut s = Series { minutes: &mut minutes, causes: &mut causes, provider: &mut provider };
        s.fit(&mut res, Cap(2));
        assert_eq!(res, Resolution(5));
        assert_eq!((minutes.len(), causes.len()), (1, 30));
        assert_eq!(causes[&(0, 7)], 3);
    }
}

/// Serde for the time series: entries sorted by key, so that equal series
/// are written alike whatever the hash map's order.
pub mod sorted {
    use std::hash::Hash;

    use rustc_hash::FxHashMap;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes the entries sorted by key.
    pub fn serialize<K, V, S>(map: &FxHashMap<K, V>, s: S) -> Result<S::Ok, S::Error>
    where
        K: Ord + Serialize,
        V: Serialize,
        S: Serializer,
    {
        let mut entries: Vec<(&K, &V)> = map.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        entries.serialize(s)
    }

    /// Reads entries written by [`serialize`].
    pub fn deserialize<'de, K, V, D>(d: D) -> Result<FxHashMap<K, V>, D::Error>
    where
        K: Hash + Eq + Deserialize<'de>,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        let entries: Vec<(K, V)> = Deserialize::deserialize(d)?;
        Ok(entries.into_iter().collect())
    }
}
