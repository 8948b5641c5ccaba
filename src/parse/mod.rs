//! Parse stage: one line in, one borrowed [`Record`] (or blank / malformed) out.
//!
//! The canonical record of DESIGN.md with its common aliases. Every line is
//! validated by the skimmer, which also picks out the raw bytes of the fields
//! errlens uses; only those are decoded, and strings stay borrowed unless they
//! hold escapes. The error body of a failed request stays raw here: the classify
//! stage unwraps it.

mod skim;
pub mod time;

use std::borrow::Cow;

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

/// A string field as it stands in the line, decoded on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text<'a> {
    bytes: &'a [u8],
    escaped: bool,
}

impl<'a> Text<'a> {
    /// A text field from a raw value: strings as such, numbers and booleans by
    /// their JSON text; `null`, objects, arrays and empty strings are absent.
    fn from_raw(raw: Raw<'a>) -> Option<Self> {
        match raw {
            Raw::Str { bytes: [], .. } => None,
            Raw::Str { bytes, escaped } => Some(Text { bytes, escaped }),
            Raw::Other(b"null" | [b'{' | b'[', ..]) => None,
            Raw::Other(bytes) => Some(Text { bytes, escaped: false }),
        }
    }

    /// The raw bytes as they stand in the line (escapes undecoded).
    pub fn raw(&self) -> &'a [u8] {
        self.bytes
    }

    /// The decoded string; borrowed unless it held escapes.
    pub fn decode(&self) -> Cow<'a, str> {
        // The line was validated as UTF-8 before skimming.
        let s = std::str::from_utf8(self.bytes).unwrap_or_default();
        if self.escaped { Cow::Owned(unescape(s)) } else { Cow::Borrowed(s) }
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
    /// When the request was made, epoch milliseconds UTC.
    pub ts: Option<Millis>,
    /// HTTP status; `None` when no response was received (or none was logged).
    pub status: Option<u16>,
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
    /// A failure: status >= 400, or an error present.
    pub fn is_failure(&self) -> bool {
        self.status.is_some_and(|s| s >= 400) || self.error.is_some()
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
}

/// Parses one line (without its `\n`; a trailing `\r` is ignored). `utf8_checked`
/// tells that the caller has validated the bytes already.
pub fn parse_line(line: &[u8], utf8_checked: bool) -> Line<'_> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\x0c')) {
        return Line::Blank;
    }
    if !utf8_checked && std::str::from_utf8(line).is_err() {
        return Line::Malformed(Malformed::InvalidUtf8);
    }
    let mut slots = [None; N_FIELDS];
    match skim::skim_object(line, field_of, &mut slots) {
        Ok(_) => Line::Record(record_from(&slots)),
        Err(reason) => Line::Malformed(reason),
    }
}

fn record_from<'a>(slots: &[Option<Raw<'a>>; N_FIELDS]) -> Record<'a> {
    let text = |f: Field| slots[f as usize].and_then(Text::from_raw);
    let num = |f: Field| slots[f as usize].and_then(number);
    Record {
        ts: slots[Field::Ts as usize].and_then(timestamp),
        status: slots[Field::Status as usize].and_then(status),
        error: slots[Field::Error as usize].filter(error_present),
        request_id: text(Field::RequestId),
        key: text(Field::Key),
        org: text(Field::Org),
        project: text(Field::Project),
        user: text(Field::User),
        provider: text(Field::Provider),
        endpoint: text(Field::Endpoint),
        model: text(Field::Model),
        latency_ms: num(Field::LatencyMs),
        attempt: num(Field::Attempt).filter(|a| *a >= 0.0 && a.fract() == 0.0).map(|a| a as u32),
        retry_after: num(Field::RetryAfter),
        stream: slots[Field::Stream as usize].and_then(|r| match r.bytes() {
            b"true" => Some(true),
            b"false" => Some(false),
            _ => None,
        }),
        headers: slots[Field::Headers as usize].filter(|r| r.bytes().starts_with(b"{")),
        usage: slots[Field::Usage as usize].filter(|r| r.bytes().starts_with(b"{")),
    }
}

/// A number, or a string holding one.
fn number(raw: Raw<'_>) -> Option<f64> {
    let s = std::str::from_utf8(raw.bytes()).ok()?.trim();
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// An HTTP status: an integer (or numeric string) from 100 to 999.
fn status(raw: Raw<'_>) -> Option<u16> {
    let v = number(raw)?;
    (v.fract() == 0.0 && (100.0..=999.0).contains(&v)).then_some(v as u16)
}

/// `ts` as an RFC 3339 string, or an epoch number (or numeric string).
fn timestamp(raw: Raw<'_>) -> Option<Millis> {
    match raw {
        Raw::Str { bytes, .. } => {
            time::parse_rfc3339(bytes).or_else(|| number(raw).and_then(time::from_epoch))
        }
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
