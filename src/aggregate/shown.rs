//! Names as they may be shown. The fold keeps every logged value as it came
//! (a key is counted by the key itself); before a report is built, or a state
//! written, [`Stats::redact_names`] renames every kept value to the form the
//! output may hold: keys fingerprinted, secrets inside any other value
//! redacted. Renaming is idempotent (a fingerprint stays itself), so a state
//! read back and merged names its values exactly as the run that wrote it did,
//! and values that read the same once shown are counted as one in both.

use std::borrow::Cow;

use super::breakdown::{Breakdown, Dim, Owned, Spec};
use super::{Capped, CauseStats, Fold, Stats};
use crate::redact;

/// How a kept value is renamed.
#[derive(Clone, Copy)]
enum Kind {
    /// A key: fingerprinted when raw ([`redact::display_key`]).
    Key,
    /// Anything else: secrets inside it redacted.
    Text,
}

impl Kind {
    fn show(self, value: &str) -> Cow<'_, str> {
        match self {
            Kind::Key => redact::display_key(value),
            Kind::Text => redact::redact_text(value),
        }
    }

    /// A renamer for tallies keyed by `K`, allocating only for a changed name.
    fn rename<K: From<String> + AsRef<str>>(self) -> impl Fn(K) -> K {
        move |key: K| match self.show(key.as_ref()) {
            Cow::Borrowed(_) => key,
            Cow::Owned(shown) => K::from(shown),
        }
    }
}

fn rekey<K, V>(tally: &mut Capped<K, V>, kind: Kind)
where
    K: std::hash::Hash + Eq + From<String> + AsRef<str>,
    V: Fold,
{
    *tally = std::mem::take(tally).rekey(kind.rename());
}

impl Stats {
    /// Renames every kept value to the form it may be shown in; `spec` says
    /// which breakdown values are keys.
    pub fn redact_names(&mut self, spec: Option<&Spec>) {
        rekey(&mut self.keys, Kind::Key);
        rekey(&mut self.projects, Kind::Text);
        rekey(&mut self.models, Kind::Text);
        self.causes.values_mut().for_each(CauseStats::redact_names);
        let provider = std::mem::take(&mut self.provider_minutes);
        for ((minute, model), n) in provider {
            let model: Box<str> = Kind::Text.rename()(model);
            *self.provider_minutes.entry((minute, model)).or_default() += n;
        }
        if let Some(spec) = spec {
            self.breakdown = std::mem::take(&mut self.breakdown).renamed(&spec.dims);
        }
    }
}

impl CauseStats {
    fn redact_names(&mut self) {
        rekey(&mut self.keys, Kind::Key);
        rekey(&mut self.by_key, Kind::Key);
        rekey(&mut self.projects, Kind::Text);
        rekey(&mut self.by_project, Kind::Text);
        rekey(&mut self.models, Kind::Text);
        rekey(&mut self.model_fixes, Kind::Text);
        rekey(&mut self.overflows, Kind::Text);
        rekey(&mut self.retry_after_by_model, Kind::Text);
        self.evidence.values_mut().for_each(|tally| rekey(tally, Kind::Text));
        let limits = std::mem::take(&mut self.limits);
        self.limits = limits.rekey(|(model, dimension)| (Kind::Text.rename()(model), dimension));
    }
}

impl Breakdown {
    /// The same breakdown with its groups' values shown; groups that read
    /// the same once shown become one.
    fn renamed(self, dims: &[Dim]) -> Breakdown {
        let show = |dim: &Dim, value: Owned| match (dim, value) {
            (Dim::Key, Owned::Text(t)) => Owned::Text(Kind::Key.rename()(t)),
            (_, Owned::Text(t)) => Owned::Text(Kind::Text.rename()(t)),
            (_, other) => other,
        };
        let mut shown = self;
        shown.map_groups(|group| {
            let values = std::mem::take(&mut group.values);
            group.values = dims.iter().zip(values).map(|(d, v)| show(d, v)).collect();
        });
        let mut merged = Breakdown::default();
        merged.merge(shown, super::Cap::default());
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Tally;

    const KEY: &str = "sk-proj-Abcdefghij1234567890KLMNOPqrstuvwx";

    #[test]
    fn keys_are_fingerprinted_and_alike_names_add_up() {
        let mut stats = Stats::default();
        let fingerprint = redact::display_key(KEY).into_owned();
        stats.keys.insert(KEY.into(), crate::aggregate::Counts { requests: 2, failures: 1 });
        stats.keys.insert(
            fingerprint.as_str().into(),
            crate::aggregate::Counts { requests: 3, failures: 0 },
        );
        stats.redact_names(None);
        assert_eq!(stats.keys.len(), 1);
        let counts = stats.keys.get(fingerprint.as_str()).expect("kept under its fingerprint");
        assert_eq!((counts.requests, counts.failures), (5, 1));
    }

    #[test]
    fn renaming_twice_is_renaming_once() {
        let mut tally = Tally::default();
        tally.insert(format!("team {KEY}").into(), 4);
        tally.insert("gpt-4o".into(), 1);
        let mut stats = Stats::default();
        stats.causes.entry(0).or_default().projects = tally.clone();
        stats.causes.entry(0).or_default().keys = tally;
        stats.redact_names(None);
        let once = stats.clone();
        stats.redact_names(None);
        assert_eq!(stats, once);
        let projects = &once.causes[&0].projects;
        assert!(projects.iter().all(|(name, _)| !name.contains("Abcdefghij")));
        assert_eq!(projects.get("gpt-4o"), Some(&1));
    }
}
