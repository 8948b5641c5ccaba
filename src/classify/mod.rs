//! Classify stage: a failed record in, a root cause with its evidence out.
//!
//! The error is unwrapped into one shape ([`unwrap`]), the rules ([`rules`],
//! data) pick a cause, the model catalog ([`models`]) settles "model not found",
//! and a failure no rule matches keeps its message signature ([`signature`]).

mod cache;
pub mod evidence;
pub mod models;
pub mod rules;
pub mod signature;
pub mod unwrap;

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::parse::time::Millis;
use crate::parse::{Raw, Record, unescape};
use crate::taxonomy::{CauseId, Taxonomy};
use models::{Catalog, Judgement};
use rules::{RuleSet, Target};
pub use unwrap::ErrorInfo;

/// The outcome for one failure.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The root cause.
    pub cause: CauseId,
    /// The error, unwrapped.
    pub info: ErrorInfo,
    /// Evidence: `(name, value)`, sorted by name.
    pub evidence: Vec<(String, String)>,
    /// The message signature, for unclassified failures.
    pub signature: Option<String>,
    /// The rule that decided, if any.
    pub rule: Option<String>,
    /// Whether the record's model or date took part (the model catalog
    /// judged, or retirement evidence was added): otherwise the same error
    /// gets the same verdict for any model on any day.
    pub contextual: bool,
}

/// What the record says around its error.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The model asked for.
    pub model: Option<&'a str>,
    /// The provider.
    pub provider: Option<&'a str>,
    /// The endpoint: a path, a URL or an operation name.
    pub endpoint: Option<&'a str>,
    /// The record's time.
    pub ts: Option<Millis>,
    /// The logged response headers (raw JSON object).
    pub headers: Option<&'a [u8]>,
    /// The logged retry-after, in seconds.
    pub retry_after: Option<f64>,
}

/// The compiled classifier: taxonomy, rules and model catalog.
#[derive(Debug)]
pub struct Classifier {
    taxonomy: &'static Taxonomy,
    rules: RuleSet,
    catalog: &'static Catalog,
    unclassified: CauseId,
    /// The time used to judge retirement when a record has none.
    now: Millis,
    cache: cache::Cache,
    /// The workers' own caches between chunks (one per worker at most).
    locals: Mutex<Vec<cache::Local>>,
}

impl Classifier {
    /// Compiles the embedded rules plus `extra` rules files `(name, text)`.
    pub fn new(extra: &[(String, String)], now: Millis) -> Result<Classifier> {
        let taxonomy = Taxonomy::get();
        Ok(Classifier {
            rules: RuleSet::compile(taxonomy, extra)?,
            unclassified: taxonomy.unclassified(),
            catalog: Catalog::get(),
            taxonomy,
            now,
            cache: cache::Cache::default(),
            locals: Mutex::default(),
        })
    }

    /// The taxonomy in use.
    pub fn taxonomy(&self) -> &'static Taxonomy {
        self.taxonomy
    }

    /// The rules in force.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Classifies a failed record (remembering verdicts of repeated errors).
    pub fn classify_record(&self, record: &Record<'_>) -> Arc<Verdict> {
        self.cache.get_or_insert(cache_key(record), || self.classify_uncached(record))
    }

    /// A worker's handle, with a cache of its own in front of the shared one
    /// (kept for the next worker when this one is dropped).
    pub fn worker(&self) -> Worker<'_> {
        let local = self.locals.lock().ok().and_then(|mut l| l.pop()).unwrap_or_default();
        Worker { classifier: self, local }
    }

    fn classify_uncached(&self, record: &Record<'_>) -> Verdict {
        let info = match record.error {
            Some(Raw::Str { bytes, escaped }) => {
                let text = String::from_utf8_lossy(bytes);
                let text = if escaped { Cow::Owned(unescape(&text)) } else { text };
                unwrap::unwrap_text(&text, record.status)
            }
            Some(Raw::Other(bytes)) => unwrap::unwrap_raw(bytes, record.status),
            None => ErrorInfo { status: record.status, ..ErrorInfo::default() },
        };
        let model = record.model.map(|m| m.decode());
        let provider = record.provider.map(|p| p.decode());
        let endpoint = record.endpoint.map(|e| e.decode());
        let context = Context {
            model: model.as_deref(),
            provider: provider.as_deref(),
            endpoint: endpoint.as_deref(),
            ts: record.ts,
            headers: record.headers.map(|h| h.bytes()),
            retry_after: record.retry_after,
        };
        self.classify(info, &context)
    }

    /// Classifies an unwrapped error.
    pub fn classify(&self, mut info: ErrorInfo, context: &Context<'_>) -> Verdict {
        // Rules compare providers ASCII case-insensitively: no lowercase copy.
        let (found, mut evidence) = self.rules.judge(&info, context.provider, context.endpoint);
        let (cause, rule) = match found {
            None => (self.unclassified, None),
            Some(found) => {
                let cause = match found.target {
                    Target::Cause(cause) => cause,
                    Target::Model => self.judge_model(&info, context, &mut evidence),
                };
                (cause, Some(found))
            }
        };
        let retired = cause == self.id("model.retired");
        if retired {
            self.retirement_evidence(context, &mut evidence);
        }
        let contextual = retired || rule.is_some_and(|r| r.target == Target::Model);
        let rule = rule.map(|r| r.name.clone());
        evidence::normalize(&mut evidence, &info, context.headers, context.retry_after);
        evidence::implied_dimension(&mut evidence, &self.taxonomy.cause(cause).id);
        // Redacted once, for the verdict and for its signature.
        redact_in_place(&mut info.message);
        let signature = rule.is_none().then(|| signature::of_redacted(&info.message, info.status));
        for (_, value) in &mut evidence {
            redact_in_place(value);
        }
        Verdict { cause, info: redacted_but_message(info), evidence, signature, rule, contextual }
    }

    /// A message that says "deprecated" names the model: add its shutdown date
    /// and the replacement active at the record's time, when the catalog knows.
    fn retirement_evidence(&self, context: &Context<'_>, evidence: &mut Vec<(String, String)>) {
        if evidence.iter().any(|(k, _)| k == "shutdown_date") {
            return;
        }
        let named = evidence.iter().find(|(k, _)| k == "model").map(|(_, v)| v.clone());
        let Some(name) = named.or_else(|| context.model.map(str::to_string)) else { return };
        if let Some(model) = self.catalog.lookup(&name) {
            let at = context.ts.unwrap_or(self.now);
            evidence.push(("model".to_string(), name));
            evidence.extend(model.shutdown_date.clone().map(|d| ("shutdown_date".to_string(), d)));
            evidence.extend(
                self.catalog.replacement_at(model, at).map(|r| ("replacement".to_string(), r)),
            );
        }
    }

    /// Settles a "model not found" with the catalog, adding its evidence.
    fn judge_model(
        &self,
        info: &ErrorInfo,
        context: &Context<'_>,
        evidence: &mut Vec<(String, String)>,
    ) -> CauseId {
        let named = evidence.iter().find(|(k, _)| k == "model").map(|(_, v)| v.clone());
        let Some(name) = named.or_else(|| context.model.map(str::to_string)) else {
            return self.id("model.no_access");
        };
        let azure = [info.provider.as_deref(), context.provider]
            .iter()
            .flatten()
            .any(|p| p.eq_ignore_ascii_case("azure"));
        let mut add = |k: &str, v: String| evidence.push((k.to_string(), v));
        add("model", name.clone());
        let cause = match self.catalog.judge(&name, context.ts.unwrap_or(self.now)) {
            Judgement::Typo { .. } if azure => "model.no_access",
            Judgement::Typo { suggestion } => {
                if let Some(s) = suggestion {
                    add("suggestion", s);
                }
                "model.typo"
            }
            Judgement::Retired { shutdown_date, replacement } => {
                add("shutdown_date", shutdown_date);
                if let Some(r) = replacement {
                    add("replacement", r);
                }
                "model.retired"
            }
            Judgement::NoAccess => "model.no_access",
            Judgement::FineTune { base, base_shutdown } => {
                add("base_model", base);
                if let Some(date) = base_shutdown {
                    add("base_shutdown_date", date);
                }
                "model.fine_tune_unavailable"
            }
        };
        evidence.sort();
        evidence.dedup_by(|a, b| a.0 == b.0);
        self.id(cause)
    }

    fn id(&self, id: &str) -> CauseId {
        self.taxonomy.find(id).unwrap_or(self.unclassified)
    }
}

/// What a record's verdict depends on.
fn cache_key<'a>(record: &Record<'a>) -> cache::Key<'a> {
    cache::Key {
        error: record.error.map_or(&[][..], |e| e.bytes()),
        status: record.status,
        model: record.model.map(|m| m.raw()),
        provider: record.provider.map(|p| p.raw()),
        endpoint: record.endpoint.map(|e| e.raw()),
        day: record.ts.map(|t| t.div_euclid(86_400_000)),
        headers: record.headers.map(|h| h.bytes()),
        retry_after: record.retry_after.map(f64::to_bits),
        any_context: false,
    }
}

/// One worker's way to the [`Classifier`]: the same verdicts, through a cache
/// of its own that takes no lock on a hit.
#[derive(Debug)]
pub struct Worker<'c> {
    classifier: &'c Classifier,
    local: cache::Local,
}

impl Worker<'_> {
    /// Classifies a failed record, as [`Classifier::classify_record`] does.
    pub fn classify_record(&mut self, record: &Record<'_>) -> &Verdict {
        let classifier = self.classifier;
        self.local.get_or_insert(&classifier.cache, cache_key(record), || {
            classifier.classify_uncached(record)
        })
    }
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        if let Ok(mut locals) = self.classifier.locals.lock() {
            locals.push(std::mem::take(&mut self.local));
        }
    }
}

/// The error, its message already redacted, with secrets redacted in every
/// other text it holds: a verdict outlives its record (cached, aggregated,
/// shown), the raw secret does not.
fn redacted_but_message(mut info: ErrorInfo) -> ErrorInfo {
    redact_in_place(&mut info.context);
    let fields =
        [&mut info.etype, &mut info.code, &mut info.inner_code, &mut info.param, &mut info.host];
    fields.into_iter().flatten().for_each(redact_in_place);
    info
}

fn redact_in_place(text: &mut String) {
    if let Cow::Owned(clean) = crate::redact::redact_text(text) {
        *text = clean;
    }
}
