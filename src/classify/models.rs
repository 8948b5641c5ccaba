//! The model catalog, embedded from `data/openai-models.tsv`, and the decision
//! it makes for a "model not found": a typo (with the nearest known id), a retired
//! model (judged at the record's own time, with the shutdown date and the
//! replacement chain followed to a model still active then), a real model the
//! key cannot use, or a fine-tune that is gone.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::parse::time::{self, Millis};

/// One model of the catalog.
#[derive(Debug, Clone)]
pub struct Model {
    /// The exact API id.
    pub id: String,
    /// Family, for grouping.
    pub family: String,
    /// Max input tokens, where known.
    pub context_window: Option<u64>,
    /// Max output tokens, where known.
    pub max_output_tokens: Option<u64>,
    /// Whether it is a reasoning model, where known.
    pub reasoning: Option<bool>,
    /// Shutdown date (`YYYY-MM-DD`), where announced.
    pub shutdown_date: Option<String>,
    shutdown: Option<Millis>,
    /// The documented replacement, as written.
    pub replacement: Option<String>,
}

impl Model {
    /// Whether the model is shut down at `at`.
    pub fn retired_at(&self, at: Millis) -> bool {
        self.shutdown.is_some_and(|s| s <= at)
    }
}

/// All known model ids.
#[derive(Debug)]
pub struct Catalog {
    models: Vec<Model>,
    by_id: HashMap<String, usize>,
}

/// What the catalog says about a model name from a not-found error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Not a known id; the nearest known id, when one is close.
    Typo {
        /// The nearest known id.
        suggestion: Option<String>,
    },
    /// Shut down at the record's time.
    Retired {
        /// The shutdown date, `YYYY-MM-DD`.
        shutdown_date: String,
        /// The replacement still active at the record's time, or as written.
        replacement: Option<String>,
    },
    /// A real model, current at the record's time: an access problem.
    NoAccess,
    /// A fine-tuned model: deleted, owned by another organization, or dead
    /// with its base (a not-found on an `ft:` id names the fine-tune, whose
    /// owner is the first thing to check, whatever its base).
    FineTune {
        /// The base model of the fine-tune.
        base: String,
        /// The base's shutdown date, when it was retired at the record's time
        /// (fine-tunes stop with their base).
        base_shutdown: Option<String>,
    },
}

impl Catalog {
    /// The embedded catalog, parsed once.
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::parse(include_str!("../../data/openai-models.tsv")))
    }

    /// Parses the TSV (header row first; endpoint rows are skipped).
    pub fn parse(tsv: &str) -> Catalog {
        let models: Vec<Model> = tsv.lines().skip(1).filter_map(parse_row).collect();
        let by_id = models.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
        Catalog { models, by_id }
    }

    /// A model by exact id.
    pub fn lookup(&self, id: &str) -> Option<&Model> {
        self.by_id.get(id).map(|&i| &self.models[i])
    }

    /// All models.
    pub fn models(&self) -> &[Model] {
        &self.models
    }

    /// Judges a model name at time `at` (epoch ms).
    pub fn judge(&self, name: &str, at: Millis) -> Judgement {
        let name = strip_provider_prefix(name.trim());
        if let Some(base) = fine_tune_base(name) {
            let base_shutdown = self
                .lookup(&base)
                .filter(|m| m.retired_at(at))
                .map(|m| m.shutdown_date.clone().unwrap_or_default());
            return Judgement::FineTune { base, base_shutdown };
        }
        match self.lookup(name) {
            Some(m) if m.retired_at(at) => self.retired(m, at),
            Some(_) => Judgement::NoAccess,
            None => Judgement::Typo { suggestion: self.nearest(name) },
        }
    }

    fn retired(&self, model: &Model, at: Millis) -> Judgement {
        Judgement::Retired {
            shutdown_date: model.shutdown_date.clone().unwrap_or_default(),
            replacement: self.replacement_at(model, at),
        }
    }

    /// Follows the replacement chain to a model still active at `at`; a
    /// replacement that is not an id is returned as written.
    pub fn replacement_at(&self, model: &Model, at: Millis) -> Option<String> {
        let mut current = model.replacement.clone()?;
        for _ in 0..12 {
            match self.lookup(&current) {
                Some(next) if next.retired_at(at) => match &next.replacement {
                    Some(r) => current = r.clone(),
                    None => break,
                },
                _ => break,
            }
        }
        Some(current)
    }

    /// The nearest known id: same id in another case, common confusions
    /// (`gtp`, `gpt4`), then the smallest edit distance within a bound.
    pub fn nearest(&self, name: &str) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let fixed = normalise(&lower);
        if let Some(m) = self.lookup(&lower).or_else(|| self.lookup(&fixed)) {
            return Some(m.id.clone());
        }
        let bound = (fixed.chars().count() / 4).clamp(1, 3);
        let len = fixed.chars().count();
        self.models
            .iter()
            // The distance is at least the length difference: skip the hopeless.
            .filter(|m| !m.id.contains(' ') && m.id.chars().count().abs_diff(len) <= bound)
            .map(|m| (edit_distance(&fixed, &m.id), m.id.len().abs_diff(fixed.len()), &m.id))
            .filter(|(d, _, _)| *d <= bound)
            .min()
            .map(|(_, _, id)| id.clone())
    }
}

/// Common misspellings fixed before measuring distance.
fn normalise(name: &str) -> String {
    let mut s = name.replace("gtp", "gpt").replace('_', "-");
    for (from, to) in
        [("gpt4", "gpt-4"), ("gpt3", "gpt-3"), ("gpt5", "gpt-5"), ("gpt-35", "gpt-3.5")]
    {
        if s.starts_with(from) && !s.starts_with(to) {
            s = format!("{to}{}", &s[from.len()..]);
        }
    }
    s
}

/// `openai/gpt-4o` -> `gpt-4o`.
fn strip_provider_prefix(name: &str) -> &str {
    ["openai/", "azure/", "openrouter/openai/", "models/"]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name)
}

/// A regex (Rust syntax) matching exactly the names [`Catalog::judge`] reads
/// as fine-tunes: after trimming and at most one provider prefix, `ft:...`
/// or anything holding `:ft-`. For restating that decision elsewhere (the
/// SQL export); a test keeps the two in step.
pub const FINE_TUNE_PATTERN: &str = r"^\s*(?:openai/|azure/|openrouter/openai/|models/)?ft:|:ft-";

/// The base model of a fine-tune id: `ft:gpt-4o-mini-2024-07-18:org:x:id`, or
/// the legacy `curie:ft-org-2022-...`.
fn fine_tune_base(name: &str) -> Option<String> {
    if let Some(rest) = name.strip_prefix("ft:") {
        return rest.split(':').next().map(str::to_string);
    }
    name.split_once(":ft-").map(|(base, _)| base.to_string())
}

/// Levenshtein distance with adjacent transpositions (optimal string alignment).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

fn parse_row(line: &str) -> Option<Model> {
    let cols: Vec<&str> = line.split('\t').collect();
    let col = |i: usize| cols.get(i).map(|s| s.trim()).filter(|s| !s.is_empty());
    if col(1)? == "endpoint" {
        return None;
    }
    let shutdown_date =
        col(6).filter(|d| time::parse_rfc3339(d.as_bytes()).is_some()).map(str::to_string);
    Some(Model {
        id: col(0)?.to_string(),
        family: col(1)?.to_string(),
        context_window: col(3).and_then(|v| v.parse().ok()),
        max_output_tokens: col(4).and_then(|v| v.parse().ok()),
        reasoning: col(5).map(|v| v == "yes"),
        shutdown: shutdown_date.as_deref().and_then(|d| time::parse_rfc3339(d.as_bytes())),
        shutdown_date,
        replacement: col(7).map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str) -> Millis {
        time::parse_rfc3339(date.as_bytes()).unwrap()
    }

    #[test]
    fn catalog_loads() {
        let c = Catalog::get();
        assert!(c.models().len() > 150);
        assert!(c.lookup("gpt-4o").is_some());
        assert!(c.lookup("/v1/engines").is_none(), "endpoint rows are not models");
    }

    #[test]
    fn typos_get_the_nearest_id() {
        let c = Catalog::get();
        let now = at("2026-11-21");
        for (typo, want) in [
            ("gtp-4o", "gpt-4o"),
            ("GPT-4o", "gpt-4o"),
            ("gpt-4o-mnii", "gpt-4o-mini"),
            ("gpt4o", "gpt-4o"),
        ] {
            assert_eq!(
                c.judge(typo, now),
                Judgement::Typo { suggestion: Some(want.to_string()) },
                "{typo}"
            );
        }
        assert_eq!(c.judge("hal-9000", now), Judgement::Typo { suggestion: None });
    }

    #[test]
    fn retirement_is_judged_at_the_record_time() {
        let c = Catalog::get();
        assert_eq!(c.judge("gpt-4", at("2026-01-01")), Judgement::NoAccess);
        let Judgement::Retired { shutdown_date, replacement } = c.judge("gpt-4", at("2026-11-21"))
        else {
            panic!("gpt-4 is retired in late 2026")
        };
        assert_eq!(shutdown_date, "2026-10-23");
        let r = replacement.unwrap();
        assert!(
            !c.lookup(&r).is_some_and(|m| m.retired_at(at("2026-11-21"))),
            "replacement {r} is active"
        );
    }

    #[test]
    fn replacement_chain_is_followed() {
        let c = Catalog::get();
        let Judgement::Retired { replacement, .. } = c.judge("text-davinci-003", at("2026-11-21"))
        else {
            panic!("text-davinci-003 is retired")
        };
        assert_eq!(replacement.as_deref(), Some("gpt-5.6-terra"));
        let Judgement::Retired { replacement, .. } = c.judge("text-davinci-003", at("2024-06-01"))
        else {
            panic!("text-davinci-003 is retired in 2024")
        };
        assert_eq!(replacement.as_deref(), Some("gpt-3.5-turbo-instruct"));
    }

    #[test]
    fn fine_tunes_and_prefixes() {
        let c = Catalog::get();
        let now = at("2026-11-21");
        assert_eq!(
            c.judge("ft:gpt-4.1-2025-04-14:acme:x:BPsmyr4l", now),
            Judgement::FineTune { base: "gpt-4.1-2025-04-14".to_string(), base_shutdown: None }
        );
        assert_eq!(
            c.judge("ft:gpt-3.5-turbo-0613:acme::abc", now),
            Judgement::FineTune {
                base: "gpt-3.5-turbo-0613".to_string(),
                base_shutdown: Some("2024-09-13".to_string())
            }
        );
        assert_eq!(c.judge("openai/gpt-4o", now), Judgement::NoAccess);
    }

    #[test]
    fn the_fine_tune_pattern_says_what_judge_does() {
        let re = regex::Regex::new(FINE_TUNE_PATTERN).unwrap();
        let names = [
            "ft:gpt-4o-mini-2024-07-18:org:x:id",
            " ft:gpt-4o:x",
            "openai/ft:gpt-4o:x",
            "azure/ft:x",
            "models/ft:x",
            "openrouter/openai/ft:x",
            "models/openai/ft:x",
            "openai/openai/ft:x",
            "curie:ft-acme-2022-01-01",
            "openai/curie:ft-x",
            "FT:gpt-4o:x",
            "gpt-4o",
            "xft:y",
            "gift:card",
            "",
        ];
        for name in names {
            let judged = fine_tune_base(strip_provider_prefix(name.trim())).is_some();
            assert_eq!(re.is_match(name), judged, "{name:?}");
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("gpt-4o", "gpt-4o"), 0);
        assert_eq!(edit_distance("gtp-4o", "gpt-4o"), 1);
        assert_eq!(edit_distance("abc", ""), 3);
    }
}
