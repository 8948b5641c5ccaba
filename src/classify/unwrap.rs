//! Unwrapping: every shape an error arrives in becomes one [`ErrorInfo`]
//! (status, type, code, param, message, provider, host) before any rule runs.
//!
//! Whatever a log holds arrives here whole (a whole response body, too), and
//! the most specific message in it is found. Shapes handled: `{"error":{...}}`
//! or the inner object, and the wrappers of [`object`] (`detail`,
//! `helicone-message`, a relay's own keys, an envelope nested under any key);
//! JSON inside a JSON string, several levels deep (`metadata.raw`, `detail`,
//! `responseBody`, a body encoded twice); Python dict reprs and JS object
//! literals (`Error code: 429 - {'error': {...None...}}`); gateway wrappers
//! (`litellm.RateLimitError: AzureException ... LiteLLM Retried: 2 times`);
//! relay suffixes `(request id: ...)`; HTML error pages ([`signals`]: the
//! `<title>` gives status and failing host, else the heading or the text);
//! plain-text `error code: 1015`; stream error events. A status missing from
//! the record is inferred from the text and marked.

use std::borrow::Cow;

use serde_json::Value;

/// How many levels of JSON-inside-a-string are followed (objects inside an
/// object are bounded by serde_json's own recursion limit).
const MAX_NESTING: usize = 6;
/// Longest message kept (bytes); longer text is cut at a character boundary.
const MAX_MESSAGE: usize = 4096;

/// The fields classification works on, whatever shape the error came in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorInfo {
    /// HTTP status, from the record or inferred from the text.
    pub status: Option<u16>,
    /// True when `status` was inferred from the error text.
    pub status_inferred: bool,
    /// The provider's error `type`.
    pub etype: Option<String>,
    /// The provider's error `code` (numbers as text).
    pub code: Option<String>,
    /// An inner error code (Azure `innererror.code`).
    pub inner_code: Option<String>,
    /// The offending parameter.
    pub param: Option<String>,
    /// The innermost human message (or the whole text when it has none).
    pub message: String,
    /// Text around the body: exception classes, gateway prefixes.
    pub context: String,
    /// Provider named by a gateway wrapper (`AzureException` -> `azure`).
    pub provider: Option<String>,
    /// The host named by an HTML error page title.
    pub host: Option<String>,
    /// Retries a gateway reports (`LiteLLM Retried: 2 times`).
    pub gateway_retries: Option<u32>,
}

impl ErrorInfo {
    /// True when the failure carries no error text at all: no message, type,
    /// code or surrounding text (a log without bodies, a bare failure flag).
    pub fn is_bare(&self) -> bool {
        self.message.trim().is_empty() && self.context.trim().is_empty() && self.has_no_codes()
    }

    /// True when its text names no cause, so only its status (and provider)
    /// can: no type or code, and a message and surrounding text that are
    /// empty, say only that a request failed ("Request failed with status
    /// code 429", "HTTP 429") or hold no English word (a relay's own note in
    /// another language, which no rule reads).
    pub fn names_no_cause(&self) -> bool {
        says_nothing(&self.message) && says_nothing(&self.context) && self.has_no_codes()
    }

    fn has_no_codes(&self) -> bool {
        self.etype.is_none() && self.code.is_none() && self.inner_code.is_none()
    }
}

/// Text without a word that could name a cause (see [`ErrorInfo::names_no_cause`]).
fn says_nothing(text: &str) -> bool {
    object::generic_words(text, 8).is_some()
}

/// Unwraps a raw error value (the record's `error` field, verbatim JSON).
pub fn unwrap_raw(raw: &[u8], status: Option<u16>) -> ErrorInfo {
    let mut info = ErrorInfo { status, ..ErrorInfo::default() };
    match serde_json::from_slice::<Value>(raw) {
        Ok(value) => absorb_value(&mut info, &value, 0),
        Err(_) => absorb_text(&mut info, &String::from_utf8_lossy(raw), 0),
    }
    finish(&mut info);
    info
}

/// Unwraps free text (a pasted error, an exception string).
pub fn unwrap_text(text: &str, status: Option<u16>) -> ErrorInfo {
    let mut info = ErrorInfo { status, ..ErrorInfo::default() };
    absorb_text(&mut info, text, 0);
    finish(&mut info);
    info
}

fn absorb_value(info: &mut ErrorInfo, value: &Value, depth: usize) {
    match value {
        Value::String(s) => absorb_text(info, s, depth),
        Value::Object(map) => absorb_object(info, map, depth),
        Value::Array(items) => {
            if let Some(first) = items.iter().find(|v| v.is_object() || v.is_string()) {
                absorb_value(info, first, depth);
            }
        }
        _ => {}
    }
}

fn absorb_text(info: &mut ErrorInfo, text: &str, depth: usize) {
    let text = plain_quotes(text.trim());
    let text = text.as_ref();
    if text.is_empty() || depth > MAX_NESTING {
        return;
    }
    if let Some(value) = parse_embedded(text) {
        if value.is_object() {
            return absorb_value(info, &value, depth + 1);
        }
    }
    // A body encoded twice: a JSON string holding the JSON text.
    if text.starts_with('"') {
        if let Ok(Value::String(inner)) = serde_json::from_str::<Value>(text) {
            return absorb_text(info, &inner, depth + 1);
        }
    }
    scan_context(info, text);
    if let Some((text, (start, end, value))) = find_body_maybe_escaped(text) {
        let text = text.as_ref();
        let outside = format!("{} {}", &text[..start], &text[end..]);
        push_context(info, outside.trim());
        absorb_value(info, &value, depth + 1);
        if info.message.is_empty() {
            // A body without a message (`{code: 'ERR_...'}`): the text is the message.
            info.message = strip_relay_suffixes(text).to_string();
        }
        return;
    }
    if let Some(title) = html_title(text) {
        absorb_html_title(info, &title);
        return;
    }
    if let Some(words) = html_text(text) {
        info.message = format!("HTML error page: {words}");
        return;
    }
    info.message = strip_relay_suffixes(text).to_string();
}

fn push_context(info: &mut ErrorInfo, text: &str) {
    if !text.is_empty() {
        if !info.context.is_empty() {
            info.context.push(' ');
        }
        info.context.push_str(text);
    }
}

/// The whole text as JSON, a Python dict repr or a JS object literal.
fn parse_embedded(text: &str) -> Option<Value> {
    if !(text.starts_with('{') || text.starts_with('[')) {
        return None;
    }
    let parse = |t: &str| {
        serde_json::from_str(t).ok().or_else(|| serde_json::from_str(&repr_to_json(t)?).ok())
    };
    parse(text).or_else(|| {
        // A repr inside a quoted repr carries its quotes escaped: `{\'error\': ...}`.
        (text.contains("\\'") || text.contains("\\\""))
            .then(|| parse(&text.replace("\\'", "'").replace("\\\"", "\"")))
            .flatten()
    })
}

/// [`find_embedded_body`] in the text, or else in the text with `\'` and `\"`
/// unescaped (a repr quoted inside another repr). Returns the text searched.
fn find_body_maybe_escaped(text: &str) -> Option<(Cow<'_, str>, (usize, usize, Value))> {
    if let Some(found) = find_embedded_body(text) {
        return Some((Cow::Borrowed(text), found));
    }
    if !text.contains("\\'") && !text.contains("\\\"") {
        return None;
    }
    let unescaped = text.replace("\\'", "'").replace("\\\"", "\"");
    let found = find_embedded_body(&unescaped)?;
    Some((Cow::Owned(unescaped), found))
}

/// The first `{...}` inside the text that parses (as JSON, repr or literal) to
/// an object that looks like an error body. Returns its byte range too.
fn find_embedded_body(text: &str) -> Option<(usize, usize, Value)> {
    let bytes = text.as_bytes();
    let mut from = 0;
    for _ in 0..16 {
        let start = from + memchr::memchr(b'{', &bytes[from..])?;
        if let Some(end) = balanced_end(bytes, start) {
            if let Some(value) = parse_embedded(&text[start..end]).filter(looks_like_error) {
                return Some((start, end, value));
            }
        }
        from = start + 1;
    }
    None
}

fn looks_like_error(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        ["error", "message", "code", "type", "detail"].iter().any(|k| m.contains_key(*k))
    })
}

/// The end (exclusive) of the bracketed segment opening at `start`, skipping
/// over single- and double-quoted strings.
fn balanced_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

fn take_status(info: &mut ErrorInfo, v: Option<&Value>) {
    if info.status.is_some() && !info.status_inferred {
        return;
    }
    let status = match v {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    if let Some(s) = status.filter(|s| (100..1000).contains(s)) {
        info.status = Some(s as u16);
        info.status_inferred = true;
    }
}

/// A scalar as text: strings as such, numbers and booleans by their JSON text.
fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn set_some(slot: &mut Option<String>, value: Option<String>) {
    if value.is_some() {
        *slot = value;
    }
}

fn set_if_none(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

/// Final touches: a status from a numeric code (`"code": 502`), a sentence
/// in `param` joined to the message, the message capped, whitespace folded.
fn finish(info: &mut ErrorInfo) {
    join_sentence_param(info);
    if info.status.is_none() {
        if let Some(code) = info
            .code
            .as_deref()
            .and_then(|c| c.parse::<u16>().ok())
            .filter(|c| (400..600).contains(c))
        {
            info.status = Some(code);
            info.status_inferred = true;
        }
    }
    if let Cow::Owned(folded) = fold_whitespace(&info.message) {
        info.message = folded;
    }
    if info.message.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !info.message.is_char_boundary(cut) {
            cut -= 1;
        }
        info.message.truncate(cut);
    }
}

/// Some relays put the provider's words in `param` and their own in
/// `message` (`"message": "Param Incorrect", "param": "max_tokens is too
/// large: ..."`): a param of several words is text, not a parameter name.
fn join_sentence_param(info: &mut ErrorInfo) {
    let Some(param) = info.param.take_if(|p| p.split_whitespace().nth(2).is_some()) else {
        return;
    };
    if info.message.is_empty() {
        info.message = param;
    } else {
        info.message = format!("{}: {param}", info.message);
    }
}

/// True when the text holds white space other than single spaces. Read by
/// bytes while the text is ASCII (most messages): a byte loop the compiler
/// can keep tight, where decoding characters costs several times as much.
fn needs_folding(text: &str) -> bool {
    let mut previous_space = false;
    // White space that is not one plain space after a non-space.
    let mut folds = |space: bool, plain: bool| {
        let folds = space && (previous_space || !plain);
        previous_space = space;
        folds
    };
    let ascii = text.bytes().take_while(u8::is_ascii).count();
    // `char::is_whitespace` on ASCII: space, \t, \n, \x0B, \x0C, \r.
    text.as_bytes()[..ascii]
        .iter()
        .any(|&b| folds(b == b' ' || (b'\t'..=b'\r').contains(&b), b == b' '))
        || text[ascii..].chars().any(|c| folds(c.is_whitespace(), c == ' '))
}

/// Typographic quotes as ASCII: a body pasted through a chat or a word
/// processor (`{“error”: ...}`) parses again, and `don’t` reads as `don't`.
fn plain_quotes(text: &str) -> Cow<'_, str> {
    // All five are written E2 80 xx in UTF-8: most texts have no E2 byte at
    // all, found far faster than the characters themselves.
    if memchr::memchr(0xE2, text.as_bytes()).is_none()
        || !text.contains(['\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '\u{201e}'])
    {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\u{201c}' | '\u{201d}' | '\u{201e}' => '"',
                '\u{2018}' | '\u{2019}' => '\'',
                c => c,
            })
            .collect(),
    )
}

/// Runs of white space (line breaks of a wrapped paste, padding a relay
/// added) as one space, so that rules see the words as written.
fn fold_whitespace(text: &str) -> Cow<'_, str> {
    if !needs_folding(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

mod object;
mod repr;
mod signals;
#[cfg(test)]
mod tests;

use object::absorb_object;
pub use repr::repr_to_json;
pub use signals::infer_status;
use signals::{absorb_html_title, html_text, html_title, scan_context, strip_relay_suffixes};
