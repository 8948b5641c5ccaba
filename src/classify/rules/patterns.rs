//! Rule patterns: the message (and context, endpoint, extract) patterns of a
//! rule set, each compiled on first use as a single regex with ASCII classes
//! and case folding, behind a literal prefilter ([`super::literals`]) that
//! tells which of them can match a text at all. Each group of patterns is
//! also compiled once as a `RegexSet`, only to check it: a bad or too big
//! pattern is refused with the file and the rule it came from.

use std::cell::OnceCell;
use std::sync::OnceLock;

use regex::bytes::{Regex as BytesRegex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::literals::{Candidates, Prefilter};
use crate::error::{Error, Result};

/// A pattern already validated by its `RegexSet`, compiled on first use: a
/// regex runs only when the prefilter lets its pattern through, so many never
/// need compiling. It is compiled as the set is (ASCII classes and case
/// folding), so it matches exactly when the set would, and compiles and runs
/// several times faster than its Unicode form.
#[derive(Debug)]
pub(super) struct LazyRegex {
    pattern: String,
    regex: OnceLock<BytesRegex>,
}

impl LazyRegex {
    pub(super) fn new(pattern: &str) -> LazyRegex {
        LazyRegex { pattern: pattern.to_string(), regex: OnceLock::new() }
    }

    pub(super) fn get(&self) -> &BytesRegex {
        self.regex.get_or_init(|| {
            RegexBuilder::new(&self.pattern)
                .unicode(false)
                .build()
                .expect("validated by the RegexSet")
        })
    }
}

/// Patterns read against one kind of text (messages, contexts or endpoints),
/// with the prefilter over all their literals.
#[derive(Debug)]
pub(super) struct Group {
    regexes: Vec<LazyRegex>,
    prefilter: Prefilter,
}

impl Group {
    /// The group of `patterns` (as [`Patterns::texts`] gives them).
    pub(super) fn new<'p>(patterns: impl IntoIterator<Item = &'p str>) -> Group {
        let patterns: Vec<&str> = patterns.into_iter().collect();
        Group {
            regexes: patterns.iter().map(|p| LazyRegex::new(p)).collect(),
            prefilter: Prefilter::new(patterns.iter().copied()),
        }
    }

    /// The number of patterns.
    #[cfg(test)]
    pub(super) fn count(&self) -> usize {
        self.regexes.len()
    }

    /// Pattern `i`'s regex.
    pub(super) fn regex(&self, i: usize) -> &BytesRegex {
        self.regexes[i].get()
    }

    /// A text to match patterns of this group against; the prefilter scans
    /// it once, when a pattern is first asked about.
    pub(super) fn scan<'a>(&'a self, text: &'a str) -> Scan<'a> {
        Scan { group: self, text, candidates: OnceCell::new() }
    }
}

/// One text and the patterns of a [`Group`] that may match it.
pub(super) struct Scan<'a> {
    group: &'a Group,
    text: &'a str,
    candidates: OnceCell<Candidates>,
}

impl Scan<'_> {
    /// True when pattern `i` may match: its literal occurs in the text (or
    /// it has none known). The regex itself has not run.
    pub(super) fn candidate(&self, i: usize) -> bool {
        let candidates =
            self.candidates.get_or_init(|| self.group.prefilter.candidates(self.text.as_bytes()));
        candidates.contains(i)
    }

    /// True when pattern `i` matches the text.
    pub(super) fn matches(&self, i: usize) -> bool {
        self.candidate(i) && self.group.regex(i).is_match(self.text.as_bytes())
    }

    /// Named captures of pattern `i` into `out`, when it matches.
    pub(super) fn captures_into(&self, i: usize, out: &mut Vec<(String, String)>) {
        if self.candidate(i) {
            captures_into(self.group.regex(i), self.text, out);
        }
    }
}

/// Named captures of `re` in `haystack`. An ASCII-mode capture can end inside
/// a multi-byte character (`[^`]+` stops at a byte); such a cut is replaced by
/// U+FFFD rather than split.
/// A regex without named groups is not run: it could add nothing.
fn captures_into(re: &BytesRegex, haystack: &str, out: &mut Vec<(String, String)>) {
    if re.capture_names().flatten().next().is_none() {
        return;
    }
    if let Some(caps) = re.captures(haystack.as_bytes()) {
        // By group index: looking each name up again costs a hash per group.
        for (i, name) in re.capture_names().enumerate() {
            if let (Some(name), Some(m)) = (name, caps.get(i)) {
                let value = String::from_utf8_lossy(m.as_bytes()).into_owned();
                out.push((name.to_string(), value));
            }
        }
    }
}

/// Patterns gathered for one `RegexSet` (rule messages, contexts, endpoints
/// or extracts), with the file and the rule (or extract) each came from.
#[derive(Default)]
pub(super) struct Patterns {
    patterns: Vec<String>,
    owners: Vec<(String, String)>,
    /// Whether each pattern is one of the embedded rules'.
    embedded: Vec<bool>,
}

impl Patterns {
    pub(super) fn add(
        &mut self,
        pattern: &Option<String>,
        file: &str,
        owner: &str,
        embedded: bool,
    ) -> Option<usize> {
        let p = pattern.as_ref()?;
        self.patterns.push(ascii_word_boundaries(p));
        self.owners.push((file.to_string(), owner.to_string()));
        self.embedded.push(embedded);
        Some(self.patterns.len() - 1)
    }

    /// Checks the patterns of rules files by compiling them as one set
    /// (then dropped: the searches use single regexes); when it fails, the
    /// error names the file and the rule of the pattern to blame. Too big a
    /// pattern fails fast: compiling stops at the regex crate's size limit
    /// (10 MB), it does not run on, and so do patterns too big together. The
    /// embedded rules' patterns are checked by a test instead of at every
    /// start, where compiling them as a set cost ~70 M instructions.
    pub(super) fn validate(&self) -> Result<()> {
        self.files_only().check()
    }

    /// The patterns that came from rules files, not the embedded rules.
    fn files_only(&self) -> Patterns {
        let mut out = Patterns::default();
        for i in (0..self.patterns.len()).filter(|&i| !self.embedded[i]) {
            out.patterns.push(self.patterns[i].clone());
            out.owners.push(self.owners[i].clone());
            out.embedded.push(false);
        }
        out
    }

    /// How many patterns came from rules files.
    #[cfg(test)]
    pub(super) fn files_only_count(&self) -> usize {
        self.files_only().patterns.len()
    }

    /// Compiles every pattern as one set; the error names the culprit.
    pub(super) fn check(&self) -> Result<()> {
        set_of(&self.patterns).map(drop).map_err(|set_error| {
            let (index, why) = self.culprit(&set_error);
            let (file, owner) = &self.owners[index];
            Error::Rules { file: file.clone(), message: format!("{owner}: bad regex: {why}") }
        })
    }

    /// The pattern to blame for a set that failed, and why: the first that
    /// fails on its own, else the first with which the set outgrows the size
    /// limit (found by halving: the patterns before it compile together).
    fn culprit(&self, set_error: &regex::Error) -> (usize, String) {
        let alone = self.patterns.iter().enumerate().find_map(|(i, p)| {
            RegexBuilder::new(p).unicode(false).build().err().map(|e| (i, e.to_string()))
        });
        if let Some(found) = alone {
            return found;
        }
        let (mut fits, mut fails) = (0, self.patterns.len());
        while fails - fits > 1 {
            let mid = (fits + fails) / 2;
            if set_of(&self.patterns[..mid]).is_ok() { fits = mid } else { fails = mid }
        }
        (fails - 1, format!("too big together with the patterns before it: {set_error}"))
    }

    /// The patterns as compiled (with ASCII word boundaries).
    pub(super) fn texts(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(String::as_str)
    }
}

/// A set compiled as every rule set is (ASCII classes and case folding).
fn set_of(patterns: &[String]) -> std::result::Result<RegexSet, regex::Error> {
    RegexSetBuilder::new(patterns).unicode(false).build()
}

/// `\b` -> `(?-u:\b)`: error messages only need ASCII word boundaries, and a
/// Unicode one makes the lazy DFA give up (falling back to a much slower
/// engine) on any message with non-ASCII text in it.
pub(super) fn ascii_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('b') if !in_class => out.push_str("(?-u:\\b)"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}
