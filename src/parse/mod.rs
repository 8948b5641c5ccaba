//! Parse stage: one line in, one borrowed [`Record`] (or blank / malformed) out.
//!
//! The canonical record of DESIGN.md with its common aliases. Every line is
//! validated by the skimmer, which also picks out the raw bytes of the fields
//! errlens uses; only those are decoded, and strings stay borrowed unless they
//! hold escapes. The error body of a failed request stays raw here: the classify
//! stage unwraps it.

pub mod adapt;
pub mod check;
pub mod otlp;
mod skim;
pub mod time;

use std::borrow::Cow;
use std::cell::Cell;

pub use check::{Invalid, InvalidSet};
pub use skim::{MAX_DEPTH, Malformed, Raw};
use time::Millis;

/// The canonical fields, in slot order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Ts,
    RequestId,
    Key,
    Org,
    Project,
    User,
    Provider,
    Endpoint,
    Model,
    Status,
    Error,
    LatencyMs,
    Stream,
    Attempt,
    RetryAfter,
    Headers,
    Usage,
}

const N_FIELDS: usize = 17;

/// Maps a top-level key to its field slot; `true` marks the canonical name,
/// which wins over an alias present on the same line.
fn field_of(key: &[u8]) -> Option<(usize, bool)> {
    use Field::*;
    let (field, canonical) = match key {
        b"ts" => (Ts, true),
        b"timestamp" | b"time" | b"@timestamp" | b"created_at" | b"start_time" => (Ts, false),
        b"request_id" => (RequestId, true),
        b"requestId" | b"x_request_id" | b"x-request-id" => (RequestId, false),
        b"key" => (Key, true),
        b"api_key_id" | b"key_id" | b"api_key" | b"key_hash" | b"api_key_hash" => (Key, false),
        b"org" => (Org, true),
        b"org_id" | b"organization" | b"organization_id" => (Org, false),
        b"project" => (Project, true),
        b"project_id" => (Project, false),
        b"user" => (User, true),
        b"user_id" | b"end_user" => (User, false),
        b"provider" => (Provider, true),
        b"llm_provider" => (Provider, false),
        b"endpoint" => (Endpoint, true),
        b"path" | b"url" | b"route" => (Endpoint, false),
        b"model" => (Model, true),
        b"model_id" | b"model_name" => (Model, false),
        b"status" => (Status, true),
        b"status_code" | b"http_status" | b"statusCode" | b"response_status" => (Status, false),
        b"error" => (Error, true),
        b"error_message" | b"exception" | b"err" => (Error, false),
        b"latency_ms" => (LatencyMs, true),
        b"duration_ms" | b"elapsed_ms" | b"response_time_ms" => (LatencyMs, false),
        b"stream" => (Stream, true),
        b"attempt" => (Attempt, true),
        b"retry_count" | b"retries" | b"attempt_number" => (Attempt, false),
        b"retry_after" => (RetryAfter, true),
        b"headers" => (Headers, true),
        b"response_headers" => (Headers, false),
        b"usage" => (Usage, true),
        _ => return None,
    };
    Some((field as usize, canonical))
}

/// Whether `key` is a canonical field name or one of its aliases.
pub fn is_field_name(key: &[u8]) -> bool {
    field_of(key).is_some()
}

/// A string field as it stands in the line, decoded on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text<'a> {
    text: &'a str,
    escaped: bool,
}

impl<'a> Text<'a> {
    /// A text field from a raw value of `line`: strings as such, numbers and
    /// booleans by their JSON text; `null`, objects, arrays and empty strings
    /// are absent. The value is re-sliced from the `&str` line (it starts and
    /// ends next to ASCII bytes, so on character boundaries): no re-validation.
    fn from_raw(line: &'a str, raw: Raw<'a>) -> Option<Self> {
        let (bytes, escaped) = match raw {
            Raw::Str { bytes: [], .. } | Raw::Other(b"null" | [b'{' | b'[', ..]) => return None,
            Raw::Str { bytes, escaped } => (bytes, escaped),
            Raw::Other(bytes) => (bytes, false),
        };
        let start = bytes.as_ptr() as usize - line.as_ptr() as usize;
        line.get(start..start + bytes.len()).map(|text| Text { text, escaped })
    }

    /// The raw bytes as they stand in the line (escapes undecoded).
    pub fn raw(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The decoded string; borrowed unless it held escapes.
    pub fn decode(&self) -> Cow<'a, str> {
        if self.escaped { Cow::Owned(unescape(self.text)) } else { Cow::Borrowed(self.text) }
    }
}

/// Decodes JSON string escapes (the skimmer has validated them).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => out.push(unicode_escape(&mut chars)),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The character of a `\uXXXX` escape, joining surrogate pairs.
fn unicode_escape(chars: &mut std::str::Chars<'_>) -> char {
    let hex = |chars: &mut std::str::Chars<'_>| {
        let h: String = chars.by_ref().take(4).collect();
        u32::from_str_radix(&h, 16).unwrap_or(0xFFFD)
    };
    let hi = hex(chars);
    if (0xD800..0xDC00).contains(&hi) && chars.as_str().starts_with("\\u") {
        let mut look = chars.clone();
        look.nth(1);
        let lo = hex(&mut look);
        if (0xDC00..0xE000).contains(&lo) {
            *chars = look;
            return char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                .unwrap_or('\u{FFFD}');
        }
    }
    char::from_u32(hi).unwrap_or('\u{FFFD}')
}

/// One request attempt, borrowed from its line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record<'a> {
    /// When the request was made, epoch milliseconds UTC (2000 to 2100).
    pub ts: Option<Millis>,
    /// HTTP status; `None` when no response was received (or none was logged).
    pub status: Option<u16>,
    /// The client logged status 0: it got no response. A failure even without
    /// an error.
    pub no_response: bool,
    /// Values the line held but that were dropped as implausible (`ts` above
    /// is then `None`, and so on): [`check`].
    pub invalid: InvalidSet,
    /// The error as logged (object or string), still raw.
    pub error: Option<Raw<'a>>,
    /// Provider or gateway request id.
    pub request_id: Option<Text<'a>>,
    /// API key (raw, hashed or an id); fingerprinted before any output.
    pub key: Option<Text<'a>>,
    /// Organization.
    pub org: Option<Text<'a>>,
    /// Project.
    pub project: Option<Text<'a>>,
    /// End user.
    pub user: Option<Text<'a>>,
    /// Provider (`openai`, `azure`, ...).
    pub provider: Option<Text<'a>>,
    /// Endpoint path.
    pub endpoint: Option<Text<'a>>,
    /// Model (or Azure deployment) asked for.
    pub model: Option<Text<'a>>,
    /// Latency in milliseconds.
    pub latency_ms: Option<f64>,
    /// Attempt number (0 = first try) where the client logs it.
    pub attempt: Option<u32>,
    /// Retry-after in seconds where the client logs it.
    pub retry_after: Option<f64>,
    /// Whether the request was streamed.
    pub stream: Option<bool>,
    /// Response headers, raw.
    pub headers: Option<Raw<'a>>,
    /// Token usage, raw.
    pub usage: Option<Raw<'a>>,
}

impl Record<'_> {
    /// A failure: status >= 400, no response (status 0), or an error present.
    pub fn is_failure(&self) -> bool {
        self.status.is_some_and(|s| s >= 400) || self.no_response || self.error.is_some()
    }

    /// Whether the record says something of a request: a status (even 0, or
    /// one dropped as implausible), an error or a model. A JSON object with
    /// none of them is not read as a request (never as a success): it fits
    /// another layout, or it is unrecognized.
    pub fn has_signal(&self) -> bool {
        self.status.is_some()
            || self.no_response
            || self.error.is_some()
            || self.model.is_some()
            || self.invalid.contains(Invalid::Status)
    }
}

/// What one input line turned out to be.
// Boxing the record would allocate on every line; the value lives on the stack
// for the time of one line.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq)]
pub enum Line<'a> {
    /// Empty or whitespace only.
    Blank,
    /// Not a record, and why.
    Malformed(Malformed),
    /// A record.
    Record(Record<'a>),
    /// Read, but not a request (see [`Aside`]).
    Aside(Aside),
}

/// Input that is read but is not a request record. Never a success: counted
/// in its own bucket of the accounting, with its first places.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Aside {
    /// A line of valid JSON that is not a record of any known layout.
    Unrecognized,
    /// A record that is valid but not an LLM request: a span that is not a
    /// GenAI call, a log record of another Azure resource. It counts as an
    /// item of its line, like a record.
    NotLlm,
}

impl Aside {
    /// The id used in reports.
    pub fn id(self) -> &'static str {
        match self {
            Aside::Unrecognized => "unrecognized",
            Aside::NotLlm => "not_llm",
        }
    }

    /// The bucket in words.
    pub fn describe(self) -> &'static str {
        match self {
            Aside::Unrecognized => "valid JSON, but not a request record of any known layout",
            Aside::NotLlm => {
                "records that are not LLM requests (other spans, other resources' logs)"
            }
        }
    }
}

/// Parses one line (without its `\n`; a trailing `\r` is ignored). Taking
/// `&str` means the caller has validated UTF-8 (once per chunk, in the hot
/// path); [`parse_bytes`] does it for a single line.
pub fn parse_line(line: &str) -> Line<'_> {
    parse_inner(line, true, &Cell::new(0), &|_| 0)
}

/// [`parse_line`], and the bits `other_key` gives the top-level keys that are
/// not canonical fields, or-ed together: which keys of other layouts the
/// line holds (detection's key table), at no cost for the canonical keys.
#[inline]
pub fn parse_line_keys(line: &str, other_key: impl Fn(&[u8]) -> u64) -> (Line<'_>, u64) {
    let seen = Cell::new(0);
    let parsed = parse_inner(line, true, &seen, &other_key);
    (parsed, seen.get())
}

/// [`parse_line`]; `bom` allows one retry without a byte-order mark; keys
/// that are not canonical fields are noted in `seen` ([`parse_line_keys`]).
#[inline(always)]
fn parse_inner<'a>(
    line: &'a str,
    bom: bool,
    seen: &Cell<u64>,
    other_key: &impl Fn(&[u8]) -> u64,
) -> Line<'a> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.bytes().all(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\x0c')) {
        return Line::Blank;
    }
    let mut slots = [None; N_FIELDS];
    let want = |key: &[u8]| {
        let slot = field_of(key);
        if slot.is_none() {
            seen.set(seen.get() | other_key(key));
        }
        slot
    };
    match skim::skim_object(line.as_bytes(), want, &mut slots) {
        Ok(_) => Line::Record(record_from(line, &slots)),
        Err(reason) if bom => after_bom(line, reason, seen, other_key),
        Err(reason) => Line::Malformed(reason),
    }
}

/// A line that is not a record may start with a byte-order mark (any line
/// may: files concatenated with `cat`): it is parsed again without it. Only
/// lines that failed get here, so the hot path keeps its shape.
#[cold]
#[inline(never)]
fn after_bom<'a>(
    line: &'a str,
    reason: Malformed,
    seen: &Cell<u64>,
    other_key: &impl Fn(&[u8]) -> u64,
) -> Line<'a> {
    match line.strip_prefix('\u{feff}') {
        Some(rest) => {
            seen.set(0);
            parse_inner(rest, false, seen, other_key)
        }
        None => Line::Malformed(reason),
    }
}

/// Parses one line of bytes: invalid UTF-8 is a malformed line (unless the
/// line is blank).
pub fn parse_bytes(line: &[u8]) -> Line<'_> {
    match std::str::from_utf8(line) {
        Ok(text) => parse_line(text),
        Err(_) if line.iter().all(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\x0c')) => Line::Blank,
        Err(_) => Line::Malformed(Malformed::InvalidUtf8),
    }
}

/// Strips a UTF-8 byte-order mark from the start of a line.
pub fn strip_bom(line: &[u8]) -> &[u8] {
    line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
}

fn record_from<'a>(line: &'a str, slots: &[Option<Raw<'a>>; N_FIELDS]) -> Record<'a> {
    let text = |f: Field| slots[f as usize].and_then(|raw| Text::from_raw(line, raw));
    let slot = |f: Field| slots[f as usize];
    let mut invalid = InvalidSet::default();
    let ts = check::checked(slot(Field::Ts), Invalid::Time, &mut invalid, timestamp);
    let status = numeric(slot(Field::Status), Invalid::Status, &mut invalid, check::status);
    let latency_ms =
        numeric(slot(Field::LatencyMs), Invalid::Latency, &mut invalid, check::latency_ms);
    let attempt = numeric(slot(Field::Attempt), Invalid::Attempt, &mut invalid, check::attempt);
    let retry_after =
        numeric(slot(Field::RetryAfter), Invalid::RetryAfter, &mut invalid, check::retry_after_s);
    Record {
        ts,
        status: status.filter(|s| *s != 0),
        no_response: status == Some(0),
        invalid,
        error: slots[Field::Error as usize].filter(error_present),
        request_id: text(Field::RequestId),
        key: text(Field::Key),
        org: text(Field::Org),
        project: text(Field::Project),
        user: text(Field::User),
        provider: text(Field::Provider),
        endpoint: text(Field::Endpoint),
        model: text(Field::Model),
        latency_ms,
        attempt,
        retry_after,
        stream: slots[Field::Stream as usize].and_then(|r| match r.bytes() {
            b"true" => Some(true),
            b"false" => Some(false),
            _ => None,
        }),
        headers: slots[Field::Headers as usize].filter(|r| r.bytes().starts_with(b"{")),
        usage: slots[Field::Usage as usize].filter(|r| r.bytes().starts_with(b"{")),
    }
}

/// A number, or a string holding one. Plain integers (statuses, latencies,
/// attempts: nearly every number in a log) skip float parsing.
fn number(raw: Raw<'_>) -> Option<f64> {
    let bytes = raw.bytes();
    if !bytes.is_empty() && bytes.len() <= 15 && bytes.iter().all(u8::is_ascii_digit) {
        return Some(bytes.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')) as f64);
    }
    let s = std::str::from_utf8(bytes).ok()?.trim();
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A numeric field checked by `ok` ([`check::checked`]).
fn numeric<T>(
    raw: Option<Raw<'_>>,
    reason: Invalid,
    invalid: &mut InvalidSet,
    ok: fn(f64) -> Option<T>,
) -> Option<T> {
    check::checked(raw, reason, invalid, |r| number(r).and_then(ok))
}

/// `ts` as an RFC 3339 string, or an epoch number (or numeric string), from
/// 2000 to 2100 ([`time::PLAUSIBLE`]).
pub fn timestamp(raw: Raw<'_>) -> Option<Millis> {
    match raw {
        Raw::Str { bytes, .. } => time::parse_rfc3339(bytes)
            .and_then(time::plausible)
            .or_else(|| number(raw).and_then(time::from_epoch)),
        Raw::Other(_) => number(raw).and_then(time::from_epoch),
    }
}

/// An error counts as present unless it is `null`, `false`, `""`, `{}` or `[]`.
fn error_present(raw: &Raw<'_>) -> bool {
    match raw {
        Raw::Str { bytes, .. } => !bytes.iter().all(u8::is_ascii_whitespace),
        Raw::Other(b"null" | b"false") => false,
        Raw::Other(b) => {
            !(b.len() >= 2
                && matches!(b[0], b'{' | b'[')
                && b[1..b.len() - 1].iter().all(u8::is_ascii_whitespace))
        }
    }
}

#[cfg(test)]
mod tests;
