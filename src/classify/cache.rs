//! A verdict cache: the same error body with the same status, model, provider
//! and day always gets the same verdict, and real logs repeat their failures
//! verbatim (quota, 5xx, auth). Caching skips unwrapping and the rule scan for
//! those. The cache is sharded to keep the two or more workers off each other's
//! locks, and bounded: a full shard is simply emptied.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use rustc_hash::{FxHashMap, FxHasher};

use super::Verdict;

const SHARDS: usize = 16;
const PER_SHARD: usize = 4096;
/// Larger bodies (HTML pages, stack traces) are not kept.
const MAX_KEY_BYTES: usize = 4096;

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
    day: Option<i64>,
    headers: Option<Box<[u8]>>,
    retry_after: Option<u64>,
}

impl Owned {
    fn matches(&self, k: &Key<'_>) -> bool {
        *self.error == *k.error
            && self.status == k.status
            && self.model.as_deref() == k.model
            && self.provider.as_deref() == k.provider
            && self.day == k.day
            && self.headers.as_deref() == k.headers
            && self.retry_after == k.retry_after
    }
}

type Shard = FxHashMap<u64, Vec<(Owned, Arc<Verdict>)>>;

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
        if key.error.len() > MAX_KEY_BYTES {
            return Arc::new(make());
        }
        let mut hasher = FxHasher::default();
        key.hash(&mut hasher);
        let hash = hasher.finish();
        let shard = &self.shards[(hash >> 32) as usize % SHARDS];
        let hit = shard.lock().ok().and_then(|s| {
            s.get(&hash)
                .and_then(|b| b.iter().find(|(k, _)| k.matches(&key)).map(|(_, v)| v.clone()))
        });
        if let Some(v) = hit {
            return v;
        }
        let verdict = Arc::new(make());
        if let Ok(mut s) = shard.lock() {
            if s.len() >= PER_SHARD {
                s.clear();
            }
            let owned = Owned {
                error: key.error.into(),
                status: key.status,
                model: key.model.map(Into::into),
                provider: key.provider.map(Into::into),
                day: key.day,
                headers: key.headers.map(Into::into),
                retry_after: key.retry_after,
            };
            s.entry(hash).or_default().push((owned, verdict.clone()));
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
    }
}
