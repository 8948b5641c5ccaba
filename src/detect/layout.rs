//! Which layout one record fits. Every record is read by the layout it fits,
//! the file's format (the prior) first: OTLP, an Azure `records` envelope,
//! a mapped format of `data/formats.toml`, a known record that is not an LLM
//! request, the canonical record, or none (unrecognized).
//!
//! Canonical records keep their allocation-free path: a line is parsed as
//! JSON only when the skimmer saw no canonical signal in it (no status, error
//! or model) or saw a top-level key that another layout needs. That key set
//! is derived from the data: the first steps of every layout's `require` and
//! `any` pointers that are not canonical field names, one bit each, and per
//! layout the bits it needs ([`Layouts::suspect`] over-approximates "some
//! other layout may fit", so the fast path never takes a line that another
//! layout would).

use std::sync::OnceLock;

use serde_json::Value;

use super::Format;
use crate::parse::adapt::{self, Mapping};

/// Top-level keys of OTLP/JSON lines: traces (`resourceSpans`, and the legacy
/// `instrumentationLibrarySpans`) and logs (`resourceLogs`), also in the
/// protobuf field names some exporters write.
pub const OTLP_KEYS: [&str; 5] = [
    "resourceSpans",
    "instrumentationLibrarySpans",
    "resourceLogs",
    "resource_spans",
    "resource_logs",
];

/// The key of an Azure Event Hub / storage envelope: `{"records": [...]}`.
pub const ENVELOPE_KEY: &str = "records";

/// What one record (a line, or an envelope's inner record) fits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fit<'m> {
    /// An OTLP/JSON line: a record per span.
    Otlp,
    /// A `{"records": [...]}` envelope: each inner record read by itself.
    Envelope,
    /// A mapped format.
    Mapped(&'m Mapping),
    /// The canonical record.
    Canonical,
    /// A known record that is not an LLM request.
    NotLlm,
    /// No known layout.
    Unrecognized,
}

/// The layouts' key table: bits for the keys only other layouts use, and
/// the bits each layout needs.
#[derive(Debug)]
pub struct Layouts {
    /// `(key, bit)`, sorted; at most 62 bits (the rest share the last).
    keys: Vec<(Box<[u8]>, u64)>,
    /// Per layout: (bits all required, bits of which one is needed, or 0
    /// when `any` is empty or names a canonical field).
    needs: Vec<(u64, u64)>,
    /// OTLP and envelope keys: any of them sends a line to the slow path.
    always: u64,
}

/// A bit set aside for keys that hold an escape (`"call\u005ftype"`): the
/// skimmer sees them undecoded, so they may be any key.
const ESCAPED: u64 = 1 << 63;

/// The embedded layouts' table, built once.
pub fn layouts() -> &'static Layouts {
    static LAYOUTS: OnceLock<Layouts> = OnceLock::new();
    LAYOUTS.get_or_init(|| Layouts::new(adapt::mappings().iter().chain(adapt::not_llm_layouts())))
}

impl Layouts {
    fn new<'m>(layouts: impl Iterator<Item = &'m Mapping>) -> Layouts {
        let mut table = Layouts { keys: Vec::new(), needs: Vec::new(), always: 0 };
        for key in OTLP_KEYS.iter().chain([&ENVELOPE_KEY]) {
            table.always |= table.add(key);
        }
        for m in layouts {
            let require = m.require.iter().fold(0, |bits, p| bits | table.add_pointer(p));
            let any: Option<u64> =
                m.any.iter().try_fold(0, |bits, p| Some(bits | table.add_foreign(p)?));
            let any = any.unwrap_or(0);
            // A layout whose keys are all canonical field names cannot be
            // told from a canonical line by its keys: its lines are found
            // only when they lack a canonical signal.
            if require != 0 || any != 0 {
                table.needs.push((require, any));
            }
        }
        table.keys.sort();
        table
    }

    /// The bit of the first step of `pointer` (0 for a canonical field name).
    fn add_pointer(&mut self, pointer: &str) -> u64 {
        self.add_foreign(pointer).unwrap_or(0)
    }

    /// The bit of the first step of `pointer`, `None` for a canonical field
    /// name (which the skimmer takes as a field: always there, as far as the
    /// key table can tell).
    fn add_foreign(&mut self, pointer: &str) -> Option<u64> {
        let step = pointer.split('/').nth(1).unwrap_or_default();
        let step = step.replace("~1", "/").replace("~0", "~");
        if crate::parse::is_field_name(step.as_bytes()) {
            return None;
        }
        Some(self.add(&step))
    }

    fn add(&mut self, key: &str) -> u64 {
        if let Some((_, bit)) = self.keys.iter().find(|(k, _)| **k == *key.as_bytes()) {
            return *bit;
        }
        let bit = 1u64 << self.keys.len().min(62);
        self.keys.push((key.as_bytes().into(), bit));
        bit
    }

    /// The bit of a top-level key that is not a canonical field (0 when no
    /// layout uses it).
    #[inline]
    pub fn bit(&self, key: &[u8]) -> u64 {
        if key.contains(&b'\\') {
            return ESCAPED;
        }
        self.keys.binary_search_by(|(k, _)| k.as_ref().cmp(key)).map_or(0, |i| self.keys[i].1)
    }

    /// Whether a line holding the keys `seen` may fit a layout other than
    /// the canonical one.
    #[inline]
    pub fn suspect(&self, seen: u64) -> bool {
        seen != 0
            && (seen & (self.always | ESCAPED) != 0
                || self
                    .needs
                    .iter()
                    .any(|&(all, one)| seen & all == all && (one == 0 || seen & one != 0)))
    }
}

/// Whether `value` is a `{"records": [...]}` envelope (that key alone).
pub fn is_envelope(value: &Value) -> bool {
    value.as_object().is_some_and(|o| o.len() == 1)
        && value.get(ENVELOPE_KEY).is_some_and(Value::is_array)
}

/// Whether `value` is an OTLP/JSON line.
pub fn is_otlp(value: &Value) -> bool {
    OTLP_KEYS.iter().any(|k| value.get(*k).is_some())
}

/// What a whole line fits, read with `prior` as the file's format (no
/// prior: [`Format::Unknown`]). `canonical` says whether the skimmer found a
/// canonical signal in it; asked only when nothing more specific fits.
pub fn fit_line<'m>(
    value: &Value,
    prior: &Format<'m>,
    canonical: impl FnOnce() -> bool,
) -> Fit<'m> {
    if let Format::Mapped(m) = prior {
        if m.matches(value) {
            return Fit::Mapped(m);
        }
    }
    if is_otlp(value) {
        return Fit::Otlp;
    }
    if is_envelope(value) {
        return Fit::Envelope;
    }
    fit_record(value, prior, canonical)
}

/// What one record fits, other than OTLP and envelopes (an envelope's inner
/// records, and the rest of [`fit_line`]).
pub fn fit_record<'m>(
    value: &Value,
    prior: &Format<'m>,
    canonical: impl FnOnce() -> bool,
) -> Fit<'m> {
    let prior_mapping = match prior {
        Format::Mapped(m) => Some(*m),
        _ => None,
    };
    if let Some(m) = prior_mapping.filter(|m| m.matches(value)) {
        return Fit::Mapped(m);
    }
    if let Some(m) = adapt::mappings().iter().find(|m| m.matches(value)) {
        return Fit::Mapped(m);
    }
    // In a file of the prior's format, its `require` (and `values`) are
    // enough: some of its lines lack the optional fields detection asks for.
    if let Some(m) = prior_mapping.filter(|m| !m.require.is_empty() && m.holds_required(value)) {
        return Fit::Mapped(m);
    }
    // A known non-LLM record may carry a canonical field (Azure Storage
    // logs have `statusCode`): its layout says what it is.
    if adapt::not_llm_layouts().iter().any(|m| m.matches(value)) {
        return Fit::NotLlm;
    }
    if canonical() {
        return Fit::Canonical;
    }
    Fit::Unrecognized
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(keys: &[&str]) -> u64 {
        keys.iter().fold(0, |b, k| b | layouts().bit(k.as_bytes()))
    }

    #[test]
    fn only_keys_of_other_layouts_are_suspect() {
        let t = layouts();
        assert_eq!(t.bit(b"model"), 0, "a canonical field has no bit (the skimmer takes it)");
        assert_eq!(t.bit(b"colour"), 0, "no layout uses it");
        assert!(!t.suspect(0));
        assert!(!t.suspect(bits(&["colour", "spend"])), "one key of a layout is not enough");
        assert!(t.suspect(bits(&["id", "call_type", "startTime"])), "LiteLLM's required keys");
        assert!(t.suspect(bits(&["resourceSpans"])));
        assert!(t.suspect(bits(&["records"])));
        assert!(t.suspect(t.bit(b"call\\u005ftype")), "an escaped key may be any key");
        assert!(t.suspect(bits(&["custom_id"])), "Batch: `any` names the canonical `error`");
    }

    #[test]
    fn every_embedded_layout_can_be_told_from_canonical_lines() {
        let t = layouts();
        assert_eq!(t.needs.len(), adapt::mappings().len() + adapt::not_llm_layouts().len());
        assert!(t.keys.len() < 62, "one bit per key: {}", t.keys.len());
    }

    #[test]
    fn values_keep_common_keys_from_claiming_a_line() {
        let app = serde_json::json!({"id": "r1", "level": "info", "type": "request",
            "trace_id": "t1", "status": 500, "model": "gpt-4o"});
        assert_eq!(fit_line(&app, &Format::Canonical, || true), Fit::Canonical);
        let langfuse = serde_json::json!({"id": "o1", "level": "ERROR", "type": "GENERATION",
            "trace_id": "t1", "status_message": "boom"});
        assert!(
            matches!(fit_line(&langfuse, &Format::Canonical, || false), Fit::Mapped(m) if m.name == "langfuse")
        );
    }

    #[test]
    fn envelopes_are_records_arrays_alone() {
        assert!(is_envelope(&serde_json::json!({"records": []})));
        assert!(is_envelope(&serde_json::json!({"records": [{"a": 1}]})));
        assert!(!is_envelope(&serde_json::json!({"records": [], "total": 0})));
        assert!(!is_envelope(&serde_json::json!({"records": "x"})));
    }
}
