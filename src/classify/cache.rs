//! A verdict cache: the same error body with the same status, model, provider,
//! endpoint and day always gets the same verdict, and real logs repeat their failures
//! verbatim (quota, 5xx, auth). Caching skips unwrapping and the rule scan for
//! those. Most verdicts do not depend on the model or the day at all (only the
//! model catalog's judgements and retirement evidence do): those are kept once
//! for any model and day, so a log of many models (or fine-tunes, or
//! deployments) still hits. The cache is sharded to keep the two or more
//! workers off each other's locks, and bounded in entries and in bytes: a full
//! shard is simply emptied.
//!
//! Each worker also keeps a [`Local`] cache in front of the shared one: a hit
//! there takes no lock and touches no reference count, so two workers meeting
//! the same frequent failure do not take turns on one shard's lock (with the
//! shared cache alone, 300k copies of one failure took 0.20 s on two threads
//! against 0.24 s on one; 0.15 s with the workers' own caches).

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use rustc_hash::{FxHashMap, FxHasher};

use super::Verdict;

const SHARDS: usize = 16;
const PER_SHARD: usize = 4096;
/// Bytes a shard may hold (keys and verdicts, estimated): 64 MiB in all.
const SHARD_BYTES: usize = 4 << 20;
/// Larger keys (HTML pages, stack traces, big header sets) are not kept.
const MAX_KEY_BYTES: usize = 4096;
/// The fixed cost of an entry beyond its text: the owned key, the verdict,
/// their boxes and the map slot (an estimate, on the high side).
const ENTRY_OVERHEAD: usize = 512;

/// What a verdict depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key<'a> {
    /// The raw error value.
    pub error: &'a [u8],
    /// The logged status.
    pub status: Option<u16>,
    /// The model asked for.
    pub model: Option<&'a [u8]>,
    /// The provider.
    pub provider: Option<&'a [u8]>,
    /// The endpoint (rules may look at it: an Azure 404's path).
    pub endpoint: Option<&'a [u8]>,
    /// The day of the record (retirement is judged at the record's date).
    pub day: Option<i64>,
    /// Logged response headers (retry-after evidence).
    pub headers: Option<&'a [u8]>,
    /// Logged retry-after, as `f64` bits.
    pub retry_after: Option<u64>,
    /// The entry holds for any model and day (both are `None` then).
    pub any_context: bool,
}

#[derive(Debug)]
struct Owned {
    error: Box<[u8]>,
    status: Option<u16>,
    model: Option<Box<[u8]>>,
    provider: Option<Box<[u8]>>,
    endpoint: Option<Box<[u8]>>,
    day: Option<i64>,
    headers: Option<Box<[u8]>>,
    retry_after: Option<u64>,
    any_context: bool,
}

impl Key<'_> {
    /// The bytes of text the key holds.
    fn len(&self) -> usize {
        let opt = |b: Option<&[u8]>| b.map_or(0, <[u8]>::len);
        self.error.len()
            + opt(self.model)
            + opt(self.provider)
            + opt(self.endpoint)
            + opt(self.headers)
    }
}

/// The estimated bytes an entry holds.
fn entry_bytes(key: &Key<'_>, v: &Verdict) -> usize {
    let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    let info = &v.info;
    let text = [&info.etype, &info.code, &info.inner_code, &info.param, &info.provider, &info.host]
        .into_iter()
        .map(opt)
        .sum::<usize>()
        + info.message.len()
        + info.context.len()
        + opt(&v.signature)
        + opt(&v.rule);
    let evidence: usize = v.evidence.iter().map(|(n, val)| n.len() + val.len() + 48).sum();
    ENTRY_OVERHEAD + key.len() + text + evidence
}

impl Owned {
    fn matches(&self, k: &Key<'_>) -> bool {
        *self.error == *k.error
            && self.status == k.status
            && self.model.as_deref() == k.model
            && self.provider.as_deref() == k.provider
            && self.endpoint.as_deref() == k.endpoint
            && self.day == k.day
            && self.headers.as_deref() == k.headers
            && self.retry_after == k.retry_after
            && self.any_context == k.any_context
    }
}

/// One shard: entries by hash, and the bytes they hold.
#[derive(Debug, Default)]
struct Shard {
    map: FxHashMap<u64, Vec<(Owned, Arc<Verdict>)>>,
    bytes: usize,
}

/// The cache.
#[derive(Debug)]
pub struct Cache {
    shards: Vec<Mutex<Shard>>,
}

impl Default for Cache {
    fn default() -> Self {
        Cache { shards: (0..SHARDS).map(|_| Mutex::default()).collect() }
    }
}

/// A key, the same key for any model and day, and their hashes.
#[derive(Clone, Copy)]
struct Keys<'a> {
    key: Key<'a>,
    hash: u64,
    any: Key<'a>,
    any_hash: u64,
}

impl<'a> Keys<'a> {
    fn of(key: Key<'a>) -> Keys<'a> {
        let any = Key { model: None, day: None, any_context: true, ..key };
        Keys { key, hash: hash_of(&key), any, any_hash: hash_of(&any) }
    }

    /// The key `verdict` is kept under: the general one unless it is contextual.
    fn for_verdict(&self, verdict: &Verdict) -> (&Key<'a>, u64) {
        match verdict.contextual {
            true => (&self.key, self.hash),
            false => (&self.any, self.any_hash),
        }
    }
}

impl Cache {
    /// The cached verdict for `key`, or `make()`'s, remembered: for any
    /// model and day unless the verdict is [`Verdict::contextual`].
    pub fn get_or_insert(&self, key: Key<'_>, make: impl FnOnce() -> Verdict) -> Arc<Verdict> {
        if key.len() > MAX_KEY_BYTES {
            return Arc::new(make());
        }
        self.get_or_insert_keys(&Keys::of(key), make)
    }

    fn get_or_insert_keys(&self, keys: &Keys<'_>, make: impl FnOnce() -> Verdict) -> Arc<Verdict> {
        // Most verdicts are general: looked up first.
        if let Some(v) = self.get(&keys.any, keys.any_hash) {
            return v;
        }
        if let Some(v) = self.get(&keys.key, keys.hash) {
            return v;
        }
        let verdict = Arc::new(make());
        let (key, hash) = keys.for_verdict(&verdict);
        self.insert(key, hash, &verdict);
        verdict
    }

    fn shard(&self, hash: u64) -> &Mutex<Shard> {
        &self.shards[(hash >> 32) as usize % SHARDS]
    }

    fn get(&self, key: &Key<'_>, hash: u64) -> Option<Arc<Verdict>> {
        let shard = self.shard(hash).lock().ok()?;
        let bucket = shard.map.get(&hash)?;
        bucket.iter().find(|(k, _)| k.matches(key)).map(|(_, v)| v.clone())
    }

    fn insert(&self, key: &Key<'_>, hash: u64, verdict: &Arc<Verdict>) {
        let bytes = entry_bytes(key, verdict);
        let Ok(mut s) = self.shard(hash).lock() else { return };
        if s.map.len() >= PER_SHARD || s.bytes + bytes > SHARD_BYTES {
            *s = Shard::default();
        }
        s.bytes += bytes;
        s.map.entry(hash).or_default().push((Owned::from(key), verdict.clone()));
    }
}

impl From<&Key<'_>> for Owned {
    fn from(key: &Key<'_>) -> Owned {
        Owned {
            error: key.error.into(),
            status: key.status,
            model: key.model.map(Into::into),
            provider: key.provider.map(Into::into),
            endpoint: key.endpoint.map(Into::into),
            day: key.day,
            headers: key.headers.map(Into::into),
            retry_after: key.retry_after,
            any_context: key.any_context,
        }
    }
}

/// Entries a worker's [`Local`] cache holds before it starts afresh.
const LOCAL_ENTRIES: usize = 8192;
/// Bytes a [`Local`] cache may hold (estimated as the shared cache's).
const LOCAL_BYTES: usize = 8 << 20;

/// One worker's cache in front of the shared [`Cache`]: its hits take no
/// lock and no reference count. Bounded like a shard: a full one is emptied.
#[derive(Debug, Default)]
pub struct Local {
    map: FxHashMap<u64, Vec<(Owned, Arc<Verdict>)>>,
    bytes: usize,
    /// The last verdict too big to keep (returned by reference all the same).
    uncached: Option<Verdict>,
}

impl Local {
    /// The verdict for `key`: this cache's, else the shared cache's (or
    /// `make()`'s, remembered there), then remembered here too.
    pub fn get_or_insert(
        &mut self,
        shared: &Cache,
        key: Key<'_>,
        make: impl FnOnce() -> Verdict,
    ) -> &Verdict {
        if key.len() > MAX_KEY_BYTES {
            return self.uncached.insert(make());
        }
        let keys = Keys::of(key);
        let found = self.position(&keys.any, keys.any_hash).map(|i| (keys.any_hash, i));
        let found = found.or_else(|| self.position(&keys.key, keys.hash).map(|i| (keys.hash, i)));
        if let Some((hash, i)) = found {
            return &self.map[&hash][i].1;
        }
        let verdict = shared.get_or_insert_keys(&keys, make);
        let (key, hash) = keys.for_verdict(&verdict);
        let bytes = entry_bytes(key, &verdict);
        if self.map.len() >= LOCAL_ENTRIES || self.bytes + bytes > LOCAL_BYTES {
            self.map.clear();
            self.bytes = 0;
        }
        self.bytes += bytes;
        let bucket = self.map.entry(hash).or_default();
        bucket.push((Owned::from(key), verdict));
        &bucket[bucket.len() - 1].1
    }

    fn position(&self, key: &Key<'_>, hash: u64) -> Option<usize> {
        self.map.get(&hash)?.iter().position(|(k, _)| k.matches(key))
    }
}

fn hash_of(key: &Key<'_>) -> u64 {
    let mut hasher = FxHasher::default();
    key.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::ErrorInfo;

    fn verdict(message: &str) -> Verdict {
        Verdict {
            cause: 1,
            info: ErrorInfo { message: message.to_string(), ..ErrorInfo::default() },
            evidence: Vec::new(),
            signature: None,
            rule: None,
            contextual: true,
        }
    }

    /// A record's key: `error` with status 429, `model` on day 1.
    fn key<'a>(error: &'a [u8], model: &'a [u8]) -> Key<'a> {
        Key {
            error,
            status: Some(429),
            model: Some(model),
            provider: None,
            endpoint: None,
            day: Some(1),
            headers: None,
            retry_after: None,
            any_context: false,
        }
    }

    #[test]
    fn same_key_same_verdict_other_key_recomputed() {
        let cache = Cache::default();
        let key = key(b"e", b"m");
        assert_eq!(cache.get_or_insert(key, || verdict("first")).info.message, "first");
        assert_eq!(cache.get_or_insert(key, || verdict("second")).info.message, "first");
        let other_day = Key { day: Some(2), ..key };
        assert_eq!(cache.get_or_insert(other_day, || verdict("third")).info.message, "third");
        let other_model = Key { model: None, ..key };
        assert_eq!(cache.get_or_insert(other_model, || verdict("fourth")).info.message, "fourth");
        let other_headers = Key { headers: Some(b"{}"), ..key };
        assert_eq!(cache.get_or_insert(other_headers, || verdict("fifth")).info.message, "fifth");
        let other_endpoint = Key { endpoint: Some(b"/openai/models"), ..key };
        assert_eq!(cache.get_or_insert(other_endpoint, || verdict("sixth")).info.message, "sixth");
    }

    #[test]
    fn a_verdict_that_took_no_context_serves_every_model_and_day() {
        let cache = Cache::default();
        let key = key(b"quota", b"m1");
        let general = || Verdict { contextual: false, ..verdict("general") };
        assert_eq!(cache.get_or_insert(key, general).info.message, "general");
        let elsewhere = Key { model: Some(b"m2"), day: Some(9), ..key };
        assert_eq!(cache.get_or_insert(elsewhere, || verdict("x")).info.message, "general");
        let no_model = Key { model: None, day: None, ..key };
        assert_eq!(cache.get_or_insert(no_model, || verdict("x")).info.message, "general");
        // A contextual verdict stays with its model and day, and a record
        // without either does not take it for a general one.
        let other = Key { error: b"model gone", ..key };
        assert_eq!(cache.get_or_insert(other, || verdict("m1 day 1")).info.message, "m1 day 1");
        let other_model = Key { model: Some(b"m2"), ..other };
        assert_eq!(cache.get_or_insert(other_model, || verdict("m2")).info.message, "m2");
        let bare = Key { model: None, day: None, ..other };
        assert_eq!(cache.get_or_insert(bare, || verdict("bare")).info.message, "bare");
        let bare_again = Key { model: Some(b"m3"), day: Some(3), ..other };
        assert_eq!(cache.get_or_insert(bare_again, || verdict("m3")).info.message, "m3");
    }

    #[test]
    fn a_local_cache_gives_the_shared_verdicts_and_keeps_them() {
        let shared = Cache::default();
        let (mut one, mut two) = (Local::default(), Local::default());
        let general = |m: &str| Verdict { contextual: false, ..verdict(m) };
        let key = key(b"quota", b"m1");
        assert_eq!(one.get_or_insert(&shared, key, || general("first")).info.message, "first");
        // Computed once for all workers: the second finds it in the shared cache.
        assert_eq!(two.get_or_insert(&shared, key, || general("again")).info.message, "first");
        // Kept locally: found even after the shared cache forgot it.
        shared.shards.iter().for_each(|s| *s.lock().unwrap() = Shard::default());
        let elsewhere = Key { model: Some(b"m2"), day: Some(5), ..key };
        assert_eq!(one.get_or_insert(&shared, elsewhere, || verdict("x")).info.message, "first");
        // A contextual verdict stays with its model and day, locally too.
        let gone = Key { error: b"model gone", ..key };
        assert_eq!(one.get_or_insert(&shared, gone, || verdict("m1")).info.message, "m1");
        let other_model = Key { model: Some(b"m2"), ..gone };
        assert_eq!(one.get_or_insert(&shared, other_model, || verdict("m2")).info.message, "m2");
        assert_eq!(one.get_or_insert(&shared, gone, || verdict("y")).info.message, "m1");
    }

    #[test]
    fn a_local_cache_stays_within_its_budget_and_keeps_no_big_key() {
        let (shared, mut local) = (Cache::default(), Local::default());
        let message = "m".repeat(3000);
        for i in 0..5_000u32 {
            let error = format!("{i:>3000}");
            let key = Key { error: error.as_bytes(), ..key(b"", b"m") };
            local.get_or_insert(&shared, key, || verdict(&message));
            assert!(local.bytes <= LOCAL_BYTES && local.map.len() <= LOCAL_ENTRIES);
        }
        let big = vec![b'e'; MAX_KEY_BYTES + 1];
        let key = Key { error: &big, ..key(b"", b"m") };
        assert_eq!(local.get_or_insert(&shared, key, || verdict("big")).info.message, "big");
        assert_eq!(local.get_or_insert(&shared, key, || verdict("made")).info.message, "made");
        assert!(local.map.values().flatten().all(|(k, _)| k.error.len() <= MAX_KEY_BYTES));
    }

    #[test]
    fn shards_stay_within_their_byte_budget() {
        let cache = Cache::default();
        let message = "m".repeat(3000);
        for i in 0..20_000u32 {
            let error = format!("{i:>3000}");
            let key = Key {
                error: error.as_bytes(),
                status: None,
                model: None,
                provider: None,
                endpoint: None,
                day: None,
                headers: None,
                retry_after: None,
                any_context: false,
            };
            cache.get_or_insert(key, || verdict(&message));
        }
        for shard in &cache.shards {
            let s = shard.lock().unwrap();
            assert!(s.bytes <= SHARD_BYTES, "{}", s.bytes);
            let held: usize =
                s.map.values().flatten().map(|(k, v)| k.error.len() + v.info.message.len()).sum();
            assert!(held <= SHARD_BYTES);
        }
        let big = vec![b'h'; MAX_KEY_BYTES];
        let key = Key {
            error: b"e",
            status: None,
            model: None,
            provider: None,
            endpoint: None,
            day: None,
            headers: Some(&big),
            retry_after: None,
            any_context: false,
        };
        cache.get_or_insert(key, || verdict("x"));
        assert!(
            cache.shards.iter().all(|s| s
                .lock()
                .unwrap()
                .map
                .values()
                .flatten()
                .all(|(k, _)| k.headers.is_none()))
        );
    }
}
