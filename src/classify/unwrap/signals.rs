//! What error text says around or instead of a body: a status (`Error code:
//! 429`, `HTTP 503`, an exception class), a gateway wrapper (`AzureException`,
//! `LiteLLM Retried: 2 times`), an HTML error page (its `<title>` gives status
//! and failing host, else its first heading or its text), and the `(request
//! id: ...)` suffixes relays append.

use std::sync::LazyLock;

use regex::Regex;

use super::{ErrorInfo, set_if_none};

/// Notes what the text around a body tells: inferred status, gateway wrapper.
pub(super) fn scan_context(info: &mut ErrorInfo, text: &str) {
    if info.status.is_none() {
        if let Some(status) = infer_status(text) {
            info.status = Some(status);
            info.status_inferred = true;
        }
    }
    // Every match holds the literal: most texts skip the regex.
    if let Some(c) = text.contains("Exception").then(|| GATEWAY.captures(text)).flatten() {
        set_if_none(
            &mut info.provider,
            c.name("provider").map(|m| provider_from_exception(m.as_str())),
        );
    }
    if let Some(c) = RETRIED.captures(text) {
        info.gateway_retries = c[1].parse().ok();
    }
}

static STATUS_PATTERNS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?:error\ code|http\ code|status\ code|status(?:code)?|http(?:\ error|\ status)?|response\ code|code)
        \s*[:=]?\s*\(?\s*(?P<a>[1-5]\d\d)\b
        | ^\W{0,3}(?:error:\s*)?(?P<b>[45]\d\d)\s+[A-Za-z]
        | (?P<c>[45]\d\d)\ (?:bad\ request|unauthorized|forbidden|not\ found|too\ many\ requests|internal\ server\ error|bad\ gateway|service\ unavailable|gateway\ time-?out)
        ",
    )
    .expect("status pattern compiles")
});

/// Exception classes that imply a status (openai-python / LiteLLM names).
const CLASS_STATUS: [(&str, u16); 10] = [
    ("BadRequestError", 400),
    ("AuthenticationError", 401),
    ("PermissionDeniedError", 403),
    ("NotFoundError", 404),
    ("ConflictError", 409),
    ("UnprocessableEntityError", 422),
    ("RateLimitError", 429),
    ("InternalServerError", 500),
    ("ServiceUnavailableError", 503),
    ("ContextWindowExceededError", 400),
];

/// The status a text states (`Error code: 429`, `HTTP 503`, `429 Too Many
/// Requests`) or implies by an exception class name.
pub fn infer_status(text: &str) -> Option<u16> {
    if let Some(c) = STATUS_PATTERNS.captures(text) {
        let m = c.name("a").or_else(|| c.name("b")).or_else(|| c.name("c"));
        if let Some(status) = m.and_then(|m| m.as_str().parse().ok()) {
            return Some(status);
        }
    }
    CLASS_STATUS.iter().find(|(class, _)| text.contains(class)).map(|&(_, s)| s)
}

static GATEWAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?P<provider>[A-Z][A-Za-z]*)Exception\b").expect("gateway pattern compiles")
});
static RETRIED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)LiteLLM Retried: (\d+) times?").expect("retried pattern compiles")
});

/// `AzureException` -> `azure`, `OpenAIException` -> `openai`.
fn provider_from_exception(name: &str) -> String {
    match name {
        "Azure" | "AzureOpenAI" => "azure".to_string(),
        "OpenAI" => "openai".to_string(),
        other => other.to_ascii_lowercase(),
    }
}

static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<title>\s*(.*?)\s*</title>").expect("title pattern compiles")
});
static TITLE_PARTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?P<host>[A-Za-z0-9.\-]+\.[A-Za-z]{2,})\s*\|\s*)?(?P<status>[1-5]\d\d)\b\s*:?\s*(?P<text>.*)$")
        .expect("title parts pattern compiles")
});

pub(super) fn html_title(text: &str) -> Option<String> {
    memchr::memchr(b'<', text.as_bytes())?;
    TITLE.captures(text).map(|c| c[1].to_string())
}

/// `api.openai.com | 502: Bad gateway` -> status 502, host, message.
pub(super) fn absorb_html_title(info: &mut ErrorInfo, title: &str) {
    info.message = format!("HTML error page: {title}");
    if let Some(c) = TITLE_PARTS.captures(title) {
        info.host = c.name("host").map(|h| h.as_str().to_ascii_lowercase());
        if let Ok(status) = c["status"].parse() {
            if info.status.is_none() || info.status_inferred {
                info.status = Some(status);
                info.status_inferred = true;
            }
        }
    }
}

static RELAY_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\s*\(request id: [^)]*\))+\s*$").expect("relay pattern compiles")
});

/// Drops `(request id: ...)` suffixes that relays append.
pub(super) fn strip_relay_suffixes(text: &str) -> &str {
    if !text.trim_end().ends_with(')') {
        return text;
    }
    RELAY_SUFFIX.find(text).map_or(text, |m| &text[..m.start()])
}

static HTML: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)^\s*<(?:!doctype\s+html|html|head|body|center|h1)\b")
        .expect("html pattern compiles")
});
static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<h1[^>]*>\s*(.*?)\s*</h1>").expect("heading pattern compiles")
});
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<[^>]*>|&nbsp;|\s+").expect("tag pattern compiles"));

/// Longest text kept from an HTML page without a title or heading.
const MAX_HTML_TEXT: usize = 300;

/// An HTML page's words when it has no `<title>`: its first `<h1>`, else its
/// text without tags. `None` when the text is not an HTML page.
pub(super) fn html_text(text: &str) -> Option<String> {
    if !text.trim_start().starts_with('<') || !HTML.is_match(text) {
        return None;
    }
    let source = HEADING.captures(text).map_or(text, |c| c.get(1).map_or(text, |m| m.as_str()));
    let plain = TAG.replace_all(source, " ");
    let mut plain = plain.trim().to_string();
    if plain.len() > MAX_HTML_TEXT {
        let mut cut = MAX_HTML_TEXT;
        while !plain.is_char_boundary(cut) {
            cut -= 1;
        }
        plain.truncate(cut);
    }
    Some(plain)
}
