//! The values [`super::Stats`] folds: places in the input, occurrences with
//! their first places, examples (the earliest wins), time spans, request and
//! failure counts, counters by name, and unmatched message signatures. Each
//! merges with another of its kind, whatever the order.

use serde::{Deserialize, Serialize};

use crate::parse::time::Millis;
use crate::redact;

use super::capped::{Cap, Capped, Fold, stored};

/// The longest example message kept, in bytes (cut at a character boundary).
pub const MAX_EXAMPLE_BYTES: usize = 4096;

/// How many `file:line` places are kept per malformed reason (and per reason
/// values were dropped).
pub const PLACES_KEPT: usize = 5;

/// A line in the input: file index and 1-based line number (within a chunk
/// until [`super::Stats::shift_lines`] makes it file-relative).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Place {
    /// Index of the file in the run's input list.
    pub file: u32,
    /// 1-based line number.
    pub line: u64,
}

/// A count and the first few places it happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Occurrences {
    /// How many times.
    pub count: u64,
    /// The earliest places, sorted, distinct, at most [`PLACES_KEPT`].
    pub first: Vec<Place>,
}

impl Occurrences {
    pub(super) fn add(&mut self, place: Place) {
        self.count += 1;
        // Records of one line (OTLP spans) share a place: it is listed once.
        if self.first.contains(&place) {
            return;
        }
        if self.first.len() < PLACES_KEPT {
            self.first.push(place);
        } else if place < self.first[PLACES_KEPT - 1] {
            self.first[PLACES_KEPT - 1] = place;
            self.first.sort_unstable();
        }
    }

    pub(super) fn merge(&mut self, other: Occurrences) {
        self.count += other.count;
        self.first.extend(other.first);
        self.first.sort_unstable();
        self.first.dedup();
        self.first.truncate(PLACES_KEPT);
    }
}

/// One failure shown as an example: the earliest place wins a merge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// Where it is.
    pub place: Place,
    /// Its HTTP status.
    pub status: Option<u16>,
    /// Its message, with secrets redacted.
    pub message: String,
}

pub(crate) fn keep_earliest(slot: &mut Option<Example>, other: Option<Example>) {
    if let Some(o) = other {
        if slot.as_ref().is_none_or(|s| o.place < s.place) {
            *slot = Some(o);
        }
    }
}

/// Earliest and latest timestamps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Earliest.
    pub first: Option<Millis>,
    /// Latest.
    pub last: Option<Millis>,
}

impl Span {
    pub(crate) fn add(&mut self, ts: Option<Millis>) {
        if let Some(t) = ts {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
    }

    pub(crate) fn merge(&mut self, other: Span) {
        self.add(other.first);
        self.add(other.last);
    }
}

/// Requests and failures for one key, project or model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// All records.
    pub requests: u64,
    /// Failed records.
    pub failures: u64,
}

impl Fold for Counts {
    fn fold(&mut self, other: Counts) {
        self.requests += other.requests;
        self.failures += other.failures;
    }
    fn weight(&self) -> u64 {
        self.requests
    }
}

/// A counter by name, exact up to the cap on distinct names.
pub type Tally = Capped<Box<str>, u64>;

/// Requests and failures by name (key, project, model).
pub type DimCounts = Capped<Box<str>, Counts>;

/// Counts one occurrence of `name` (long names stored shortened).
pub(crate) fn bump(tally: &mut Tally, name: &str, cap: Cap) {
    *tally.slot(&*stored(name.into()), cap) += 1;
}

/// A message signature no rule matched.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignatureStats {
    /// Failures with this signature.
    pub count: u64,
    /// The earliest one.
    pub example: Example,
}

impl SignatureStats {
    pub(super) fn add(&mut self, count: u64, example: impl FnOnce() -> Example, place: Place) {
        if self.count == 0 || place < self.example.place {
            self.example = example();
        }
        self.count += count;
    }
}

impl Fold for SignatureStats {
    fn fold(&mut self, other: SignatureStats) {
        let place = other.example.place;
        self.add(other.count, || other.example, place);
    }
    fn weight(&self) -> u64 {
        self.count
    }
}

/// A message as kept in an example: at most [`MAX_EXAMPLE_BYTES`], redacted
/// before it is cut so that no secret is cut into a piece the output
/// boundary would no longer recognise. A message kept whole is left to the
/// boundary (verdicts' messages arrive redacted already, and redacting twice
/// changes nothing): an unclassified failure makes an example per new
/// signature.
pub(super) fn example_message(message: &str) -> String {
    if message.len() <= MAX_EXAMPLE_BYTES {
        return message.to_string();
    }
    let text = redact::redact_text(message);
    let cut = (0..=MAX_EXAMPLE_BYTES.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    if cut < text.len() { format!("{}…", &text[..cut]) } else { text.into_owned() }
}
