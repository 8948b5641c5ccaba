//! A literal prefilter for rule patterns: which patterns could possibly match
//! a text, found with one Aho-Corasick scan instead of running every regex.
//!
//! For each pattern, [`required`] reads its syntax tree (HIR) and finds a set
//! of literals at least one of which every match must contain, compared ASCII
//! case-insensitively (`(?i)rate limit|too many requests` needs `rate limit` or
//! `too many requests`); when no such set is known (`\d+`, `.*`) the pattern is
//! always a candidate. A [`Prefilter`] puts the literals of all patterns into
//! one automaton: one pass over the text marks the patterns whose literal
//! occurred, and only those run their regex. The rule is one-sided and must
//! stay so: a literal may occur without its regex matching (the regex then
//! says no), but a regex never matches without one of its literals occurring.

use std::collections::{BTreeMap, BTreeSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex_syntax::ParserBuilder;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Literals, lowercased (ASCII); sorted so that builds are deterministic.
type Literals = BTreeSet<Vec<u8>>;

/// Most strings an exact set may hold: beyond it a piece counts as "many
/// strings" (a concatenation then starts a new run of literals).
const MAX_EXACT: usize = 64;
/// Most distinct bytes (after case folding) a class may hold and still be
/// spelled out: `[ _-]` is, `\d` and `\w` are not.
const MAX_CLASS: usize = 4;
/// Most literals a pattern may require before it counts as unknown (a huge
/// alternation is cheaper to run than to prefilter).
const MAX_REQUIRED: usize = 256;

/// Literals one of which every match of `pattern` contains (ASCII case
/// folded, lowercase), or `None` when no such set is known. The pattern is
/// parsed as the rule regexes are compiled: bytes, without Unicode.
pub(super) fn required(pattern: &str) -> Option<Literals> {
    let hir = ParserBuilder::new().unicode(false).utf8(false).build().parse(pattern).ok()?;
    facts(&hir).required.filter(|set| set.len() <= MAX_REQUIRED).map(minimal)
}

/// The set without the literals that contain another of its literals: a text
/// holding the longer one holds the shorter one too.
fn minimal(set: Literals) -> Literals {
    let contains = |long: &[u8], short: &[u8]| {
        long.len() > short.len() && long.windows(short.len()).any(|w| w == short)
    };
    set.iter().filter(|l| !set.iter().any(|s| contains(l, s))).cloned().collect()
}

/// What is known of the strings a piece of a pattern matches.
#[derive(Debug, Clone, Default)]
struct Facts {
    /// Every string the piece can match, when there are few.
    exact: Option<Literals>,
    /// Literals one of which every match contains (none of them empty).
    required: Option<Literals>,
}

impl Facts {
    /// A piece that matches exactly these strings.
    fn exact(set: Literals) -> Facts {
        Facts { required: useful(&set).then(|| set.clone()), exact: Some(set) }
    }

    /// A piece that matches only the empty string (an assertion).
    fn empty() -> Facts {
        Facts::exact(Literals::from([Vec::new()]))
    }
}

/// A set is useful as a requirement when it is not empty and no member is
/// (every text contains the empty string).
fn useful(set: &Literals) -> bool {
    !set.is_empty() && set.iter().all(|l| !l.is_empty())
}

fn facts(hir: &Hir) -> Facts {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Facts::empty(),
        HirKind::Literal(lit) => Facts::exact(Literals::from([lit.0.to_ascii_lowercase()])),
        HirKind::Class(class) => class_bytes(class).map_or_else(Facts::default, Facts::exact),
        HirKind::Capture(capture) => facts(&capture.sub),
        HirKind::Repetition(rep) => repetition(rep.min, rep.max, &facts(&rep.sub)),
        HirKind::Concat(subs) => concat(subs),
        HirKind::Alternation(subs) => alternation(subs),
    }
}

/// The bytes a small class matches, case folded: `[Aa]` is `a`, `[ _-]` is
/// three one-byte strings; `None` for a large class or a non-ASCII one.
fn class_bytes(class: &Class) -> Option<Literals> {
    let ranges: Vec<(u32, u32)> = match class {
        Class::Bytes(c) => c.ranges().iter().map(|r| (r.start().into(), r.end().into())).collect(),
        Class::Unicode(c) => {
            c.ranges().iter().map(|r| (r.start().into(), r.end().into())).collect()
        }
    };
    let mut set = Literals::new();
    for b in ranges.into_iter().flat_map(|(start, end)| start..=end) {
        // A Unicode class beyond ASCII would need its UTF-8 spelling: unknown.
        let byte =
            u8::try_from(b).ok().filter(|b| b.is_ascii() || matches!(class, Class::Bytes(_)))?;
        set.insert(vec![byte.to_ascii_lowercase()]);
        if set.len() > MAX_CLASS {
            return None;
        }
    }
    Some(set)
}

/// `x{min,max}`: at least one `x` when `min >= 1`; `x?` is `x` or nothing.
fn repetition(min: u32, max: Option<u32>, sub: &Facts) -> Facts {
    match (min, max) {
        (1, Some(1)) => sub.clone(),
        (0, Some(1)) => match &sub.exact {
            Some(set) if set.len() < MAX_EXACT => {
                let mut set = set.clone();
                set.insert(Vec::new());
                Facts::exact(set)
            }
            _ => Facts::default(),
        },
        (0, _) => Facts::default(),
        _ => Facts { exact: None, required: sub.required.clone() },
    }
}

/// A concatenation: runs of pieces with exact sets multiply into longer
/// literals; each run, and each other piece's requirement, is a candidate
/// requirement for the whole, and the best one is kept.
fn concat(subs: &[Hir]) -> Facts {
    let mut candidates: Vec<Literals> = Vec::new();
    let mut run = Literals::from([Vec::new()]);
    let mut all_exact = true;
    for sub in subs {
        let f = facts(sub);
        let Some(exact) = f.exact else {
            candidates.push(std::mem::replace(&mut run, Literals::from([Vec::new()])));
            candidates.extend(f.required);
            all_exact = false;
            continue;
        };
        match product(&run, &exact) {
            Some(longer) => run = longer,
            None => {
                candidates.push(std::mem::replace(&mut run, exact));
                all_exact = false;
            }
        }
    }
    let exact = all_exact.then(|| run.clone());
    candidates.push(run);
    Facts { exact, required: best(candidates) }
}

/// Every `a` followed by every `b`, unless there would be too many.
fn product(a: &Literals, b: &Literals) -> Option<Literals> {
    if a.len() * b.len() > MAX_EXACT {
        return None;
    }
    Some(a.iter().flat_map(|x| b.iter().map(move |y| [x.as_slice(), y].concat())).collect())
}

/// The candidate that filters best: the longest shortest literal, then the
/// fewest literals; candidates with an empty literal say nothing.
fn best(candidates: Vec<Literals>) -> Option<Literals> {
    candidates.into_iter().filter(useful).max_by(|a, b| {
        let shortest = |s: &Literals| s.iter().map(Vec::len).min().unwrap_or(0);
        shortest(a).cmp(&shortest(b)).then(b.len().cmp(&a.len()))
    })
}

/// An alternation: any branch may match, so its strings (or requirements)
/// are the union of the branches'; one branch without leaves it unknown.
fn alternation(subs: &[Hir]) -> Facts {
    let branches: Vec<Facts> = subs.iter().map(facts).collect();
    let union = |pick: fn(&Facts) -> Option<&Literals>, cap: usize| {
        let mut all = Literals::new();
        for f in &branches {
            all.extend(pick(f)?.iter().cloned());
            if all.len() > cap {
                return None;
            }
        }
        Some(all)
    };
    Facts {
        exact: union(|f| f.exact.as_ref(), MAX_EXACT),
        required: union(|f| f.required.as_ref(), MAX_REQUIRED),
    }
}

/// The patterns a text may match, as a bit per pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Candidates {
    bits: Vec<u64>,
}

impl Candidates {
    /// True when pattern `i` may match.
    pub(super) fn contains(&self, i: usize) -> bool {
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    fn insert(&mut self, i: usize) {
        self.bits[i / 64] |= 1 << (i % 64);
    }
}

/// The literals of a list of patterns in one automaton.
#[derive(Debug)]
pub(super) struct Prefilter {
    automaton: AhoCorasick,
    /// For each literal of the automaton, the patterns that require it.
    owners: Vec<Vec<usize>>,
    /// Patterns with no known literal: candidates for every text.
    always: Candidates,
}

impl Prefilter {
    /// The prefilter of `patterns` (as the rule regexes are written).
    pub(super) fn new<'p>(patterns: impl IntoIterator<Item = &'p str>) -> Prefilter {
        let mut owners: BTreeMap<Vec<u8>, Vec<usize>> = BTreeMap::new();
        let mut count = 0;
        let mut unknown = Vec::new();
        for (i, pattern) in patterns.into_iter().enumerate() {
            count = i + 1;
            match required(pattern) {
                Some(literals) => {
                    literals.into_iter().for_each(|l| owners.entry(l).or_default().push(i))
                }
                None => unknown.push(i),
            }
        }
        let (literals, owners): (Vec<Vec<u8>>, Vec<Vec<usize>>) = owners.into_iter().unzip();
        let mut always = Candidates { bits: vec![0; count.div_ceil(64)] };
        unknown.into_iter().for_each(|i| always.insert(i));
        // A DFA scans fastest (the embedded rules' takes about 3 MB); should a
        // huge rules file outgrow it, the builder picks a leaner automaton.
        let build = |kind| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(kind)
                .build(&literals)
        };
        let automaton = build(Some(AhoCorasickKind::DFA))
            .or_else(|_| build(None))
            .expect("literals of patterns the regex size limit admitted fit an automaton");
        Prefilter { automaton, owners, always }
    }

    /// The patterns that may match `text`: those with no known literal, and
    /// those one of whose literals occurs in it.
    pub(super) fn candidates(&self, text: &[u8]) -> Candidates {
        let mut found = self.always.clone();
        for m in self.automaton.find_overlapping_iter(text) {
            for &i in &self.owners[m.pattern().as_usize()] {
                found.insert(i);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests;
