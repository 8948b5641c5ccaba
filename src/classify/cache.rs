//! A verdict cache: the same error body with the same status, model, provider,
//! endpoint and day always gets the same verdict, and real logs repeat their failures
//! verbatim (quota, 5xx, auth). Caching skips unwrapping and the rule scan for
//! those. The cache is sharded to keep the two or more workers off each other's
//! locks, and bounded in entries and in bytes: a full shard is simply emptied.

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
    /// The cached verdict for `key`, or `make()`'s, remembered.
    pub fn get_or_insert(&self, key: Key<'_>, make: impl FnOnce() -> Verdict) -> Arc<Verdict> {
        if key.len() > MAX_KEY_BYTES {
            return Arc::new(make());
        }
        let mut hasher = FxHasher::default();
        key.hash(&mut hasher);
        let hash = hasher.finish();
        let shard = &self.shards[(hash >> 32) as usize % SHARDS];
        let hit = shard.lock().ok().and_then(|s| {
            s.map
                .get(&hash)
                .and_then(|b| b.iter().find(|(k, _)| k.matches(&key)).map(|(_, v)| v.clone()))
        });
        if let Some(v) = hit {
            return v;
        }
        let verdict = Arc::new(make());
        let bytes = entry_bytes(&key, &verdict);
        if let Ok(mut s) = shard.lock() {
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
            };
            s.map.entry(hash).or_default().push((owned, verdict.clone()));
        }
        verdict
    }
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
        }
    }

    #[test]
    fn same_key_same_verdict_other_key_recomputed() {
        let cache = Cache::default();
        let key = Key {
            error: b"e",
            status: Some(429),
            model: Some(b"m"),
            provider: None,
            endpoint: None,
            day: Some(1),
            headers: None,
            retry_after: None,
        };
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
