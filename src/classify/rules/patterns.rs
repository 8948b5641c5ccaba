//! Rule patterns: all message (and context, endpoint, extract) patterns of a
//! rule set compiled as one `RegexSet` each, with ASCII classes and case
//! folding, and single regexes compiled the same way on first use for the
//! captures of the rule that won.

use std::sync::OnceLock;

use regex::bytes::{Regex as BytesRegex, RegexBuilder, RegexSet, RegexSetBuilder};

use crate::error::{Error, Result};

/// A pattern already validated by its `RegexSet`, compiled on first use (for
/// captures): most rules never win, so most never need their own regex. It is
/// compiled as the set is (ASCII classes and case folding), so it matches
/// exactly when the set did, and compiles and runs several times faster than
/// its Unicode form.
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

/// Cache for the lazy DFA of each pattern set, per thread. The default (a few
/// MB) is too small for ~90 case-insensitive patterns searched for overlapping
/// matches: the cache thrashes and each failure costs a million instructions.
/// The sets are also compiled without Unicode (ASCII case folding, `\w`, `\b`):
/// Unicode case folding multiplies the automaton's states for no gain on error
/// messages. Captures use single regexes compiled the same way.
const SET_DFA_BYTES: usize = 64 << 20;

/// Named captures of `re` in `haystack`. An ASCII-mode capture can end inside
/// a multi-byte character (`[^`]+` stops at a byte); such a cut is replaced by
/// U+FFFD rather than split.
pub(super) fn captures_into(re: &BytesRegex, haystack: &str, out: &mut Vec<(String, String)>) {
    if let Some(caps) = re.captures(haystack.as_bytes()) {
        for name in re.capture_names().flatten() {
            if let Some(m) = caps.name(name) {
                let value = String::from_utf8_lossy(m.as_bytes()).into_owned();
                out.push((name.to_string(), value));
            }
        }
    }
}

/// Patterns gathered for one `RegexSet`, with the file and the rule (or
/// extract) each came from.
#[derive(Default)]
pub(super) struct Patterns {
    patterns: Vec<String>,
    owners: Vec<(String, String)>,
}

impl Patterns {
    pub(super) fn add(
        &mut self,
        pattern: &Option<String>,
        file: &str,
        owner: &str,
    ) -> Option<usize> {
        let p = pattern.as_ref()?;
        self.patterns.push(ascii_word_boundaries(p));
        self.owners.push((file.to_string(), owner.to_string()));
        Some(self.patterns.len() - 1)
    }

    /// One set for all; when it fails, the error names the file and the rule
    /// of the pattern to blame. Too big a pattern fails fast: compiling stops
    /// at the regex crate's size limit (10 MB), it does not run on.
    pub(super) fn set(&self) -> Result<RegexSet> {
        set_of(&self.patterns).map_err(|set_error| {
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

    pub(super) fn lazy(&self) -> Vec<LazyRegex> {
        self.patterns.iter().map(|p| LazyRegex::new(p)).collect()
    }
}

/// A set compiled as every rule set is (ASCII classes and case folding).
fn set_of(patterns: &[String]) -> std::result::Result<RegexSet, regex::Error> {
    RegexSetBuilder::new(patterns).unicode(false).dfa_size_limit(SET_DFA_BYTES).build()
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
