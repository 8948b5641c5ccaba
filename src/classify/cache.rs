//! A verdict cache: the same error body with the same status, model, provider,
//! endpoint and day always gets the same verdict, and real logs repeat their failures
//! verbatim (quota, 5xx, auth). Caching skips unwrapping and the rule scan for
//! those. Most verdicts do not depend on the model or the day at all (only the
//! model catalog's judgements and retirement evidence do): those are kept once
//! for any model and day, so a log of many models (or fine-tunes, or
//! deployments) still hits. The cache is sharded to keep the two or more
//! workers off each other's locks, and bounded in entries and in bytes: a full
//! shard is simply emptied.

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

impl Cache {
    /// The cached verdict for `key`, or `make()`'s, remembered: for any
    /// model and day unless the verdict is [`Verdict::contextual`].
    pub fn get_or_insert(&self, key: Key<'_>, make: impl FnOnce() -> Verdict) -> Arc<Verdict> {
        if key.len() > MAX_KEY_BYTES {
            return Arc::new(make());
        }
        let any = Key { model: None, day: None, any_context: true, ..key };
        // Most verdicts are general: the full key is hashed only when the
        // general entry is missing.
        let any_hash = hash_of(&any);
        if let Some(v) = self.get(&any, any_hash) {
            return v;
        }
        let hash = hash_of(&key);
        if let Some(v) = self.get(&key, hash) {
            return v;
        }
        let verdict = Arc::new(make());
        match verdict.contextual {
            true => self.insert(&key, hash, &verdict),
            false => self.insert(&any, any_hash, &verdict),
        }
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
        let owned = Owned {
            error: key.error.into(),
            status: key.status,
            model: key.model.map(Into::into),
            provider: key.provider.map(Into::into),
            endpoint: key.endpoint.map(Into::into),
            day: key.day,
            headers: key.headers.map(Into::into),
            retry_after: key.retry_after,
            any_context: key.any_context,
        };
        s.map.entry(hash).or_default().push((owned, verdict.clone()));
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
