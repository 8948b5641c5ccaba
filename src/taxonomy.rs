//! The taxonomy of root causes: ids (a public interface, never renamed), titles,
//! owners, retry advice and each cause's playbook, embedded from
//! `data/taxonomy.toml` and looked up by a small integer id on the hot path.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Index of a cause in [`Taxonomy::causes`].
pub type CauseId = u16;

/// The taxonomy built in.
pub const EMBEDDED: &str = include_str!("../data/taxonomy.toml");

/// The id every failure gets when no rule matched.
pub const UNCLASSIFIED: &str = "unclassified";

/// Whose problem a cause is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Owner {
    /// Your code, key, configuration or billing.
    You,
    /// The API side.
    Provider,
    /// Between the two.
    Network,
}

/// What retrying can do for a cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Retry {
    /// Retrying cannot help until something is fixed.
    No,
    /// Retry with exponential backoff and jitter, honouring retry-after.
    Backoff,
    /// Retry only after a long wait (daily limits, billing).
    Wait,
    /// Retry elsewhere: another model, region or provider.
    Failover,
}

impl Owner {
    /// The lowercase word used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::You => "you",
            Owner::Provider => "provider",
            Owner::Network => "network",
        }
    }
}

impl Retry {
    /// The lowercase word used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Retry::No => "no",
            Retry::Backoff => "backoff",
            Retry::Wait => "wait",
            Retry::Failover => "failover",
        }
    }
}

/// One root cause and its playbook.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Cause {
    /// Stable id, e.g. `quota.exhausted`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Whose problem it is.
    pub owner: Owner,
    /// What retrying can do.
    pub retry: Retry,
    /// The root cause in plain words.
    pub explanation: String,
    /// The signals that identify it.
    #[serde(default)]
    pub signals: Vec<String>,
    /// The fix, as steps.
    pub fix: Vec<String>,
    /// A diagnostic command, where one exists.
    #[serde(default)]
    pub diagnose: Option<String>,
    /// Python code, where code is the fix.
    #[serde(default)]
    pub python: Option<String>,
    /// TypeScript code, where code is the fix.
    #[serde(default)]
    pub typescript: Option<String>,
    /// What common clients do with this error by default.
    #[serde(default)]
    pub clients: BTreeMap<String, String>,
}

impl Cause {
    /// The category group: the part of the id before the dot.
    pub fn group(&self) -> &str {
        self.id.split('.').next().unwrap_or(&self.id)
    }
}

/// All causes, in the order of the taxonomy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    /// The causes.
    #[serde(rename = "cause")]
    pub causes: Vec<Cause>,
}

impl Taxonomy {
    /// The embedded taxonomy, parsed once.
    pub fn get() -> &'static Taxonomy {
        static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
        TAXONOMY.get_or_init(|| {
            toml::from_str(EMBEDDED).expect("embedded data/taxonomy.toml is valid (tested)")
        })
    }

    /// The index of an id.
    pub fn find(&self, id: &str) -> Option<CauseId> {
        self.causes.iter().position(|c| c.id == id).map(|i| i as CauseId)
    }

    /// The cause at an index.
    pub fn cause(&self, id: CauseId) -> &Cause {
        &self.causes[id as usize]
    }

    /// The index of `unclassified`.
    pub fn unclassified(&self) -> CauseId {
        self.find(UNCLASSIFIED).expect("the taxonomy has `unclassified` (tested)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_taxonomy_is_complete() {
        let t = Taxonomy::get();
        assert!(t.causes.len() > 50);
        t.unclassified();
        let mut ids: Vec<&str> = t.causes.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), t.causes.len(), "duplicate ids");
        for c in &t.causes {
            assert!(
                !c.title.is_empty() && !c.fix.is_empty() && !c.explanation.is_empty(),
                "{}",
                c.id
            );
        }
    }
}
