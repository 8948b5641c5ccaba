//! Bounded tallies. Every map the fold keeps by a logged value (key, project,
//! model, signature, evidence value, ...) is a [`Capped`] map: exact for the
//! first [`Cap`] distinct values in input order, after which occurrences of a
//! new value are folded into one "other" entry, so that memory is bounded on
//! any input while totals stay exact. Chunk accumulators are uncapped (a chunk
//! is bounded by its size) and are merged into the run's accumulator in input
//! order, each chunk's values in the order they were first seen (every entry
//! carries that ordinal): which values are kept exactly is then the same for
//! any thread count and chunk size. Values longer than [`MAX_NAME_BYTES`] are
//! stored shortened (see [`stored`]).

use std::borrow::Cow;
use std::hash::Hash;

use hashbrown::hash_map::{Entry, EntryRef};
use hashbrown::{Equivalent, HashMap};
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How many distinct values a map keeps exactly (the `--max-distinct` flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cap(pub usize);

impl Default for Cap {
    /// Unbounded: chunk accumulators, bounded by the chunk's size.
    fn default() -> Cap {
        Cap(usize::MAX)
    }
}

/// The default `--max-distinct`.
pub const DEFAULT_MAX_DISTINCT: usize = 100_000;

/// A value that can absorb another of its kind: the merge of two tallies.
pub trait Fold: Default {
    /// Adds `other` into `self`.
    fn fold(&mut self, other: Self);
    /// The occurrences (records, failures) it stands for.
    fn weight(&self) -> u64;
}

impl Fold for u64 {
    fn fold(&mut self, other: u64) {
        *self += other;
    }
    fn weight(&self) -> u64 {
        *self
    }
}

/// A map exact up to a cap on distinct keys, then folding new keys into
/// [`Capped::other`]. Each entry keeps the ordinal of its first sighting.
#[derive(Debug, Clone)]
pub struct Capped<K, V> {
    map: HashMap<K, (u64, V), FxBuildHasher>,
    other: V,
}

impl<K, V: Default> Default for Capped<K, V> {
    fn default() -> Self {
        Capped { map: HashMap::default(), other: V::default() }
    }
}

impl<K: Hash + Eq, V: PartialEq> PartialEq for Capped<K, V> {
    /// Equal as maps (ordinals aside), with equal folded values.
    fn eq(&self, other: &Self) -> bool {
        self.map.len() == other.map.len()
            && self.other == other.other
            && self.map.iter().all(|(k, (_, v))| other.map.get(k).is_some_and(|(_, w)| v == w))
    }
}

impl<K: Hash + Eq, V: Fold> Capped<K, V> {
    /// The entry for `key`: its own while the map has room for it, else the
    /// folded entry. One lookup; the cap is checked only when `key` is new.
    #[inline]
    pub fn slot<Q>(&mut self, key: &Q, cap: Cap) -> &mut V
    where
        Q: ?Sized + Hash + Equivalent<K>,
        for<'q> &'q Q: Into<K>,
    {
        let n = self.map.len();
        match self.map.entry_ref(key) {
            EntryRef::Occupied(e) => &mut e.into_mut().1,
            EntryRef::Vacant(e) if n < cap.0 => {
                &mut e.insert_with_key(key.into(), (n as u64, V::default())).1
            }
            EntryRef::Vacant(_) => &mut self.other,
        }
    }

    /// As [`Capped::slot`], with an owned key.
    pub fn slot_owned(&mut self, key: K, cap: Cap) -> &mut V {
        let n = self.map.len();
        match self.map.entry(key) {
            Entry::Occupied(e) => &mut e.into_mut().1,
            Entry::Vacant(e) if n < cap.0 => &mut e.insert((n as u64, V::default())).1,
            Entry::Vacant(_) => &mut self.other,
        }
    }

    /// Merges `other` in its first-seen order: known keys add up, new keys are
    /// kept while there is room, the rest (and `other`'s folded entry) fold.
    pub fn merge(&mut self, other: Capped<K, V>, cap: Cap) {
        let (entries, folded) = other.into_parts();
        for (key, value) in entries {
            self.slot_owned(key, cap).fold(value);
        }
        self.other.fold(folded);
    }

    /// The kept entries in first-seen order, and the folded entry.
    fn into_parts(self) -> (Vec<(K, V)>, V) {
        let mut entries: Vec<(K, (u64, V))> = self.map.into_iter().collect();
        entries.sort_unstable_by_key(|e| e.1.0);
        (entries.into_iter().map(|(k, (_, v))| (k, v)).collect(), self.other)
    }

    /// The same tally with every key renamed by `rename`, in the same
    /// first-seen order; keys renamed alike add up.
    pub fn rekey(self, rename: impl Fn(K) -> K) -> Capped<K, V> {
        let (entries, other) = self.into_parts();
        let mut renamed = Capped { map: HashMap::default(), other };
        for (key, value) in entries {
            renamed.slot_owned(rename(key), Cap::default()).fold(value);
        }
        renamed
    }

    /// Sets `key`'s value (tests and hand-built tallies; no cap).
    pub fn insert(&mut self, key: K, value: V) {
        let n = self.map.len() as u64;
        self.map.entry(key).or_insert((n, V::default())).1 = value;
    }

    /// The value of `key`, if kept.
    pub fn get<Q: ?Sized + Hash + Equivalent<K>>(&self, key: &Q) -> Option<&V> {
        self.map.get(key).map(|(_, v)| v)
    }

    /// The kept entries, in no particular order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.map.iter())
    }

    /// The kept entries sorted by key (for output that must not depend on
    /// the order of a hash map).
    pub fn sorted(&self) -> Vec<(&K, &V)>
    where
        K: Ord,
    {
        let mut entries: Vec<(&K, &V)> = self.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        entries
    }

    /// The kept values, mutable.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.map.values_mut().map(|(_, v)| v)
    }

    /// How many distinct keys are kept.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing is kept (nor folded).
    pub fn is_empty(&self) -> bool {
        self.map.is_empty() && self.other.weight() == 0
    }

    /// What was folded: the occurrences of keys past the cap.
    pub fn other(&self) -> &V {
        &self.other
    }

    /// The occurrences folded past the cap.
    pub fn folded(&self) -> u64 {
        self.other.weight()
    }
}

impl<K, V> Serialize for Capped<K, V>
where
    K: Hash + Eq + Serialize,
    V: Fold + Serialize,
{
    /// The kept entries in first-seen order, then the folded entry.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut entries: Vec<(&K, &(u64, V))> = self.map.iter().collect();
        entries.sort_unstable_by_key(|e| e.1.0);
        let entries: Vec<(&K, &V)> = entries.into_iter().map(|(k, (_, v))| (k, v)).collect();
        (entries, &self.other).serialize(s)
    }
}

impl<'de, K, V> Deserialize<'de> for Capped<K, V>
where
    K: Hash + Eq + Deserialize<'de>,
    V: Fold + Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (entries, other): (Vec<(K, V)>, V) = Deserialize::deserialize(d)?;
        let mut capped = Capped { map: HashMap::default(), other };
        for (key, value) in entries {
            capped.slot_owned(key, Cap::default()).fold(value);
        }
        Ok(capped)
    }
}

/// The kept entries of a [`Capped`] map.
pub struct Iter<'a, K, V>(hashbrown::hash_map::Iter<'a, K, (u64, V)>);

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, (_, v))| (k, v))
    }
}

impl<'a, K: Hash + Eq + 'a, V: Fold + 'a> IntoIterator for &'a Capped<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Values longer than this are stored shortened.
pub const MAX_NAME_BYTES: usize = 256;
/// How much of a long value is kept before its hash.
const KEPT_BYTES: usize = 200;

/// A value as stored in a tally: itself when at most [`MAX_NAME_BYTES`] long
/// (no allocation), else its first 200 bytes, `…#` and a 64-bit hash of the
/// whole, so that long values stay distinct but cost a bounded amount. A long
/// value is redacted before it is cut (a secret cut in two would no longer be
/// recognised at the output boundary).
#[inline]
pub fn stored(value: Cow<'_, str>) -> Cow<'_, str> {
    if value.len() <= MAX_NAME_BYTES { value } else { Cow::Owned(shorten(&value)) }
}

#[cold]
fn shorten(raw: &str) -> String {
    let value = crate::redact::redact_text(raw);
    let cut = (0..=KEPT_BYTES).rev().find(|&i| value.is_char_boundary(i)).unwrap_or(0);
    let hash = raw
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("{}…#{hash:016x}", &value[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    type Tally = Capped<Box<str>, u64>;

    fn filled(names: &[&str], cap: Cap) -> Tally {
        let mut t = Tally::default();
        for n in names {
            *t.slot(*n, cap) += 1;
        }
        t
    }

    #[test]
    fn exact_up_to_the_cap_then_folded() {
        let t = filled(&["a", "b", "a", "c", "d", "a", "c"], Cap(2));
        assert_eq!(
            t.sorted().iter().map(|(k, v)| (&***k, **v)).collect::<Vec<_>>(),
            [("a", 3), ("b", 1)]
        );
        assert_eq!(t.folded(), 3);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn merging_in_input_order_keeps_the_first_values_seen_however_split() {
        let names = ["x", "y", "x", "z", "w", "y", "v", "z", "x"];
        let whole = filled(&names, Cap(3));
        for split in 0..=names.len() {
            let mut total = Tally::default();
            total.merge(filled(&names[..split], Cap::default()), Cap(3));
            total.merge(filled(&names[split..], Cap::default()), Cap(3));
            assert_eq!(total, whole, "split at {split}");
            assert_eq!(
                total.sorted().iter().map(|(k, _)| &***k).collect::<Vec<_>>(),
                ["x", "y", "z"]
            );
        }
        assert_eq!(whole.folded(), 2);
    }

    #[test]
    fn below_the_cap_merge_is_exact_in_any_order() {
        let (a, b) =
            (filled(&["p", "q", "p"], Cap::default()), filled(&["r", "q"], Cap::default()));
        let (mut ab, mut ba) = (Tally::default(), Tally::default());
        ab.merge(a.clone(), Cap(3));
        ab.merge(b.clone(), Cap(3));
        ba.merge(b, Cap(3));
        ba.merge(a, Cap(3));
        assert_eq!(ab, ba);
        assert_eq!(ab.folded(), 0);
        assert_eq!(
            ab.sorted().iter().map(|(k, v)| (&***k, **v)).collect::<Vec<_>>(),
            [("p", 2), ("q", 2), ("r", 1)]
        );
    }

    #[test]
    fn long_values_are_stored_short_and_distinct() {
        assert!(matches!(stored(Cow::Borrowed("short")), Cow::Borrowed("short")));
        let a = "é".repeat(300);
        let b = format!("{}x", "é".repeat(300));
        let (sa, sb) = (stored(Cow::Borrowed(&a)), stored(Cow::Borrowed(&b)));
        assert!(sa.len() < MAX_NAME_BYTES && sb.len() < MAX_NAME_BYTES);
        assert_ne!(sa, sb);
        assert!(sa.starts_with("éé") && sa.contains("…#"));
    }

    #[test]
    fn a_secret_across_the_cut_is_redacted_not_cut() {
        let secret = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
        // Cut at byte 200, the secret would keep its first 12 characters: too few
        // for the output boundary to see a key in them.
        let value = format!("{} {secret} {}", "x".repeat(187), "y".repeat(100));
        let kept = stored(Cow::Borrowed(&value));
        for run in 0..secret.len() - 12 {
            assert!(!kept.contains(&secret[run..run + 12]), "{kept}");
        }
    }
}
