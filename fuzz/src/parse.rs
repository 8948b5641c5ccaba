//! Line parsing per format. Input: one selector byte, then log lines. The
//! selector picks the reading: its low bits the format (0 detects it from
//! the lines, as a run does, then canonical, OTLP, unknown and each embedded
//! mapping in turn), its high bit whether the format is forced
//! (`--input-format`) or a prior (records read by the layout each fits).
//!
//! Invariants checked besides "no panic":
//! - `parse_chunk` reports every line once, in order, and returns their count
//!   (the count `for_each_line` gives);
//! - a line parses the same through `parse_bytes` and `parse_line`, and as a
//!   chunk line read as forced canonical (where a record without a status,
//!   error or model is unrecognized), but for a last line without its line
//!   end that does not parse, which the chunk calls `incomplete_last_line`;
//! - the canonical fast path takes no line another layout would read: a
//!   line's items are the same through it as through its layout;
//! - the skimmer agrees with serde_json: a line serde_json reads as an object
//!   is a record, one it reads as another value is `not_an_object`, and a
//!   record is JSON serde_json reads (but for numbers out of its range and
//!   lone surrogates, which the JSON grammar allows);
//! - record fields are in their documented ranges (status 100-999, finite
//!   numbers) and every text field decodes.

use errlens::detect::{self, Format, Reading};
use errlens::input::{Chunk, DEFAULT_MAX_LINE, for_each_line};
use errlens::parse::{
    Aside, Line, Malformed, Raw, Record, adapt, parse_bytes, parse_line, strip_bom, time,
};
use errlens::pipeline::parse_chunk;

/// The reading chosen by `selector` for `body`.
pub fn reading(selector: u8, body: &[u8]) -> Reading<'static> {
    let mappings = adapt::mappings();
    let format = match usize::from(selector & 0x7f) % (4 + mappings.len()) {
        0 => detect::detect(body),
        1 => Format::Canonical,
        2 => Format::Otlp,
        3 => Format::Unknown,
        n => Format::Mapped(&mappings[n - 4]),
    };
    if selector & 0x80 == 0 { Reading::detected(format) } else { Reading::forced(format) }
}

/// The harness.
pub fn check(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else { return };
    let reading = reading(selector, body);
    let (mut last, mut firsts) = (0u64, 0u64);
    let chunk = Chunk::new(body, DEFAULT_MAX_LINE);
    let lines = parse_chunk(chunk, &reading, |line, parsed, first| {
        if first {
            assert_eq!(line, last + 1, "lines are reported once, in order");
            firsts += 1;
        } else {
            assert_eq!(line, last, "further records belong to the line before");
        }
        last = line;
        if let Line::Record(r) = &parsed {
            check_record(r);
        }
    });
    assert_eq!(lines, firsts, "every line is reported");
    let mut canonical = Vec::new();
    let counted = for_each_line(body, |_, line| canonical.push(line));
    assert_eq!(lines, counted, "parse_chunk counts the lines for_each_line walks");
    let mut i = 0;
    let open_end = !body.is_empty() && !body.ends_with(b"\n");
    parse_chunk(chunk, &Reading::forced(Format::Canonical), |_, parsed, _| {
        let alone = match parse_bytes(canonical[i]) {
            Line::Record(r) if !r.has_signal() => Line::Aside(Aside::Unrecognized),
            other => other,
        };
        i += 1;
        let cut = open_end && i == canonical.len();
        if cut && parsed == Line::Malformed(Malformed::IncompleteLastLine) {
            let why = [Malformed::InvalidJson, Malformed::InvalidUtf8];
            assert!(why.iter().any(|m| alone == Line::Malformed(*m)), "{alone:?} cut short");
        } else {
            assert_eq!(parsed, alone, "chunk and single-line parses agree");
        }
    });
    canonical.iter().for_each(|line| check_line(line));
    let prior = Reading::detected(Format::Canonical);
    for line in canonical.iter().filter(|l| l.len() <= DEFAULT_MAX_LINE) {
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        detect::read::line(&prior, line, &mut |item, first| fast.push(format!("{first} {item:?}")));
        detect::read::line_by_layout(&prior, line, &mut |item, first| {
            slow.push(format!("{first} {item:?}"))
        });
        assert_eq!(fast, slow, "the fast path reads a line as its layout does");
    }
}

/// One line through both entry points and against serde_json.
fn check_line(line: &[u8]) {
    let parsed = parse_bytes(line);
    if let Ok(text) = std::str::from_utf8(line) {
        assert_eq!(parsed, parse_line(text), "parse_bytes and parse_line agree");
    }
    let json = strip_bom(line.strip_suffix(b"\r").unwrap_or(line));
    match (&parsed, serde_json::from_slice::<serde_json::Value>(json)) {
        (Line::Record(_), Ok(v)) => assert!(v.is_object(), "a record is an object"),
        (Line::Record(_), Err(e)) => {
            assert!(grammar_allows(json, &e), "the skimmer took a line serde_json rejects: {e}")
        }
        (Line::Malformed(Malformed::NotAnObject), Ok(v)) => assert!(!v.is_object()),
        (other, Ok(_)) => panic!("serde_json reads the line but the skimmer says {other:?}"),
        (_, Err(_)) => {}
    }
}

/// serde_json errors on JSON the grammar allows: numbers beyond f64, and
/// escapes of UTF-16 surrogates that do not pair up (or, approximately, a line
/// holding any surrogate escape).
fn grammar_allows(line: &[u8], e: &serde_json::Error) -> bool {
    let surrogate = line
        .windows(4)
        .any(|w| matches!(w, [b'\\', b'u', b'd' | b'D', b'8' | b'9' | b'a'..=b'f' | b'A'..=b'F']));
    surrogate || e.to_string().contains("number out of range")
}

fn check_record(r: &Record<'_>) {
    if let Some(s) = r.status {
        assert!((100..=999).contains(&s), "status {s}");
    }
    for n in [r.latency_ms, r.retry_after].into_iter().flatten() {
        assert!(n.is_finite());
    }
    if let Some(ts) = r.ts {
        let _ = time::format_rfc3339(ts);
    }
    let texts = [r.request_id, r.key, r.org, r.project, r.user, r.provider, r.endpoint, r.model];
    for t in texts.into_iter().flatten() {
        assert!(!t.decode().is_empty() || t.raw().is_empty());
    }
    if let Some(Raw::Other(raw)) = r.error {
        assert!(raw_is_allowed(raw), "an error value the skimmer took is JSON");
    }
}

/// A raw value serde_json reads, or rejects only for the reasons of
/// [`grammar_allows`].
fn raw_is_allowed(raw: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(raw).err().is_none_or(|e| grammar_allows(raw, &e))
}
