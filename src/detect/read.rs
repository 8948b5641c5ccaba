//! Reading one line by the layout it fits ([`super::layout`]), or, with a
//! format forced by `--input-format` / `--map`, by that format alone.
//!
//! A canonical line with a canonical signal and no key of another layout is
//! parsed in place, as before ([`text_line`]). Any other line is parsed as
//! JSON and read by its layout: a mapped or OTLP record is translated into a
//! canonical line and parsed; an Azure `{"records": [...]}` envelope gives
//! one item per inner record, each read by its own layout (the second and
//! later with `first` false, like OTLP spans: `extra_records`), and an empty
//! envelope one `not_llm` item. A record that fits nothing, and a canonical
//! or forced record without a signal, is `unrecognized`, never a success.

use serde_json::{Map, Value};

use super::layout::{self, Fit, layouts};
use super::{Format, Reading};
use crate::parse::adapt::{self, Mapping};
use crate::parse::{Aside, Line, parse_bytes, parse_line, parse_line_keys, strip_bom};

/// The callback of a line's items: `(item, first)`.
pub trait Emit: FnMut(Line<'_>, bool) {}
impl<F: FnMut(Line<'_>, bool)> Emit for F {}

/// One line of valid UTF-8 in a reading of canonical lines (a canonical or
/// unknown prior, or `--input-format canonical`).
#[inline]
pub fn text_line(reading: &Reading<'_>, line: &str, f: &mut impl Emit) {
    if reading.forced {
        return f(signalled(parse_line(line)), true);
    }
    let table = layouts();
    match parse_line_keys(line, |key| table.bit(key)) {
        (Line::Record(r), seen) if r.has_signal() && !table.suspect(seen) => {
            f(Line::Record(r), true)
        }
        (Line::Record(r), _) => {
            let signal = r.has_signal();
            by_layout(reading, line.as_bytes(), signal, f)
        }
        (other, _) => f(other, true),
    }
}

/// One line of bytes, in any reading.
pub fn line(reading: &Reading<'_>, line: &[u8], f: &mut impl Emit) {
    if reading.reads_canonical() {
        return match std::str::from_utf8(line) {
            Ok(text) => text_line(reading, text, f),
            Err(_) => f(parse_bytes(line), true),
        };
    }
    line_by_layout(reading, line, f)
}

/// One line read without the canonical fast path: every record parsed as
/// JSON and read by its layout. What [`line`] gives, slower (tests and the
/// fuzz harness check that the fast path takes no line another layout would).
#[doc(hidden)]
pub fn line_by_layout(reading: &Reading<'_>, line: &[u8], f: &mut impl Emit) {
    // The skimmer decides blank and malformed lines (and their reasons), as
    // for canonical input; only records go on to serde_json.
    match parse_bytes(line) {
        Line::Record(r) => {
            let signal = r.has_signal();
            by_layout(reading, line, signal, f)
        }
        other => f(other, true),
    }
}

/// Whether a parsed JSON record has a canonical signal read as a canonical
/// line.
pub fn has_signal(value: &Value) -> bool {
    matches!(parse_line(&value.to_string()), Line::Record(r) if r.has_signal())
}

/// A record read as canonical: without a signal it is unrecognized.
fn signalled(line: Line<'_>) -> Line<'_> {
    match line {
        Line::Record(r) if !r.has_signal() => Line::Aside(Aside::Unrecognized),
        other => other,
    }
}

/// A line the skimmer read as a record (`signal`: with a canonical signal),
/// parsed as JSON and read by its layout.
fn by_layout(reading: &Reading<'_>, line: &[u8], signal: bool, f: &mut impl Emit) {
    let Ok(value) = serde_json::from_slice::<Value>(strip_bom(line)) else {
        // JSON the grammar allows but serde_json does not read (a number
        // beyond f64, a lone surrogate): what the skimmer saw is all there is.
        return f(signalled(parse_bytes(line)), true);
    };
    if reading.forced {
        return forced(&reading.format, &value, line, f);
    }
    match layout::fit_line(&value, &reading.format, || signal) {
        Fit::Otlp => spans(&value, f),
        Fit::Envelope => envelope(&value, reading, f),
        Fit::Mapped(m) => translated(m.translate(&value), true, true, f),
        Fit::Canonical => f(parse_bytes(line), true),
        Fit::NotLlm => f(Line::Aside(Aside::NotLlm), true),
        Fit::Unrecognized => f(Line::Aside(Aside::Unrecognized), true),
    }
}

/// A line read by a forced format.
fn forced(format: &Format<'_>, value: &Value, line: &[u8], f: &mut impl Emit) {
    match format {
        Format::Otlp => spans(value, f),
        Format::Mapped(m) if layout::is_envelope(value) => {
            each_inner(value, f, |item, first, f| forced_record(m, item, first, f))
        }
        Format::Mapped(m) => forced_record(m, value, true, f),
        Format::Canonical | Format::Unknown => f(signalled(parse_bytes(line)), true),
    }
}

/// A record read by a forced mapping: as such when it fits the mapping or
/// its mapped fields have a signal; a known non-LLM record (another Azure
/// resource's log) stays one.
fn forced_record(m: &Mapping, value: &Value, first: bool, f: &mut impl Emit) {
    let fits = !m.require.is_empty() && m.matches(value);
    if !fits && adapt::not_llm_layouts().iter().any(|n| n.matches(value)) {
        return f(Line::Aside(Aside::NotLlm), first);
    }
    translated(m.translate(value), fits, first, f)
}

/// The spans and log records of an OTLP line (LLM calls as records, the
/// rest `not_llm`), or one unrecognized item when it holds none.
fn spans(value: &Value, f: &mut impl Emit) {
    let items = crate::parse::otlp::items(value);
    if items.is_empty() {
        return f(Line::Aside(Aside::Unrecognized), true);
    }
    for (i, item) in items.into_iter().enumerate() {
        match item {
            crate::parse::otlp::Item::Record(record) => translated(record, true, i == 0, f),
            crate::parse::otlp::Item::NotLlm => f(Line::Aside(Aside::NotLlm), i == 0),
        }
    }
}

/// An envelope's inner records, each by its own layout.
fn envelope(value: &Value, reading: &Reading<'_>, f: &mut impl Emit) {
    each_inner(value, f, |item, first, f| {
        match layout::fit_record(item, &reading.format, || has_signal(item)) {
            Fit::Mapped(m) => translated(m.translate(item), true, first, f),
            Fit::Canonical => f(parse_line(&item.to_string()), first),
            Fit::NotLlm => f(Line::Aside(Aside::NotLlm), first),
            _ => f(Line::Aside(Aside::Unrecognized), first),
        }
    })
}

/// Calls `each(item, first, f)` on an envelope's inner records: one
/// `not_llm` item for an envelope without any, one unrecognized item for an
/// inner value that is not an object.
fn each_inner<E: Emit>(value: &Value, f: &mut E, mut each: impl FnMut(&Value, bool, &mut E)) {
    let items = value.get(layout::ENVELOPE_KEY).and_then(Value::as_array);
    let items = items.map_or(&[][..], Vec::as_slice);
    if items.is_empty() {
        return f(Line::Aside(Aside::NotLlm), true);
    }
    for (i, item) in items.iter().enumerate() {
        if item.is_object() {
            each(item, i == 0, f);
        } else {
            f(Line::Aside(Aside::Unrecognized), i == 0);
        }
    }
}

/// A translated record, parsed as a canonical line; unless `trusted` (the
/// record fits its layout), one without a signal is unrecognized.
fn translated(record: Map<String, Value>, trusted: bool, first: bool, f: &mut impl Emit) {
    let text = Value::Object(record).to_string();
    match parse_line(&text) {
        Line::Record(r) if trusted || r.has_signal() => f(Line::Record(r), first),
        Line::Record(_) => f(Line::Aside(Aside::Unrecognized), first),
        other => f(other, first),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The items of one line, as text (records by their debug form).
    fn items(line: &[u8], slow: bool, reading: &Reading<'_>) -> Vec<String> {
        let mut out = Vec::new();
        let mut f = |item: Line<'_>, first: bool| out.push(format!("{first} {item:?}"));
        if slow {
            line_by_layout(reading, line, &mut f)
        } else {
            super::line(reading, line, &mut f)
        }
        out
    }

    #[test]
    fn the_fast_path_reads_as_the_layouts_would() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/samples");
        let mut files =
            vec![format!("{root}/app-2026-11-21.jsonl"), format!("{root}/aliases.jsonl")];
        for entry in std::fs::read_dir(format!("{root}/formats")).unwrap() {
            files.push(entry.unwrap().path().to_string_lossy().into_owned());
        }
        let extra = [
            &br#"{"status":200,"call\u005ftype":"x"}"#[..],
            br#"{"ts":1795255200,"user":"u"}"#,
            br#"{"records":[{"status":500}]}"#,
            br#"{"status":"abc"}"#,
        ];
        for reading in [Reading::detected(Format::Canonical), Reading::detected(Format::Unknown)] {
            for file in files.iter().filter(|f| f.ends_with(".jsonl")) {
                let text = std::fs::read(file).unwrap();
                for line in text.split(|&b| b == b'\n').take(500).chain(extra) {
                    let (fast, slow) = (items(line, false, &reading), items(line, true, &reading));
                    assert_eq!(fast, slow, "{file}: {}", String::from_utf8_lossy(line));
                }
            }
        }
    }

    #[test]
    fn lines_without_a_signal_are_unrecognized_and_envelopes_give_items() {
        let reading = Reading::detected(Format::Canonical);
        assert_eq!(
            items(br#"{"ts":1795255200,"user":"u"}"#, false, &reading),
            ["true Aside(Unrecognized)"]
        );
        let envelope = br#"{"records":[{"status":500},{"x":1},[1]]}"#;
        let got = items(envelope, false, &reading);
        assert_eq!(got.len(), 3);
        assert!(got[0].starts_with("true Record("), "{got:?}");
        assert_eq!(got[1..], ["false Aside(Unrecognized)", "false Aside(Unrecognized)"]);
        assert_eq!(items(br#"{"records":[]}"#, false, &reading), ["true Aside(NotLlm)"]);
        let forced = Reading::forced(Format::Canonical);
        assert_eq!(
            items(br#"{"records":[{"status":500}]}"#, false, &forced),
            ["true Aside(Unrecognized)"]
        );
        let invalid = items(br#"{"status":"abc"}"#, false, &forced);
        assert!(invalid[0].starts_with("true Record("), "a dropped status is a signal");
    }
}
