//! Secrets never leave errlens. Anything that looks like a credential is
//! replaced by a stable fingerprint (`sk-proj-...abcd#3f2a`: a short public
//! prefix, the last four characters and a hash), the same one wherever the
//! secret shows up, so a report can still say "this key" without showing it.
//!
//! Two kinds of detector:
//! - **By shape**, anywhere: OpenAI-style keys (`sk-`, `sk-proj-`,
//!   `sk-svcacct-`, `sk-admin-`, `rk-`, and the `sk-ant-` / `sk-or-v1-` keys of
//!   providers behind gateways), anything carrying the `T3BlbkFJ` marker of
//!   legacy OpenAI keys, JWTs, `Bearer` tokens, 84-character Azure keys, and a
//!   few other providers' key prefixes.
//! - **By context**: a value after a header or parameter name that says secret
//!   (`api-key:`, `Authorization:`, `Ocp-Apim-Subscription-Key:`, `?key=`,
//!   `api_key=`, `client_secret=`, `password=`, ...) is always redacted; a value
//!   after a looser word (`key`, `token`, `secret`, `sig`) only when it looks
//!   random (32 hex digits, or 20+ characters mixing letters and digits). A
//!   bare 32-hex value is an Azure key only where the context says key: in key
//!   fields, after such names, or in a key field of the log; elsewhere (trace,
//!   request and user ids) it is left alone.
//!
//! Secrets may be written with JSON (`\u002d`) or URL (`%2D`) escapes inside
//! them; the detectors read through both. Hashed keys (64 hex digits), key
//! ids, masked keys (`sk-abc***xyz`) and fingerprints stay as they are.
//!
//! Redaction happens at the output boundary ([`crate::report::boundary`]),
//! which every byte of every output passes, and before any step that could cut
//! a secret into pieces it would no longer recognise (signatures, clipping).

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::{Captures, Regex};

/// One character of a token, or an escape standing for one.
const TOKEN: &str = r"(?:[A-Za-z0-9_\-]|%[0-9A-Fa-f]{2}|\\+u[0-9A-Fa-f]{4})";

/// One character of a header or parameter value (base64 included).
const VALUE: &str = r"(?:[A-Za-z0-9_\-.~+/=]|%[0-9A-Fa-f]{2}|\\+u[0-9A-Fa-f]{4}|\\+/)";

/// Names whose value is a secret whatever it looks like.
const STRONG: &str = r"x-api-key|api[-_]?key|apikey|x-goog-api-key|ocp-apim-subscription-key|subscription[-_]?key|proxy-authorization|authorization|client[-_]?secret|access[-_]?token|refresh[-_]?token|id[-_]?token|auth[-_]?token|session[-_]?token|password|passwd";

/// Names whose value is a secret when it looks random.
const WEAK: &str = r"secret|token|key|sig|credential|credentials";

/// Secrets by shape (free-spacing syntax).
fn shapes() -> String {
    format!(
        r#"
              \b(?:sk|rk)(?:[-_]|%2[dD]|%5[fF]|\\+u00(?:2[dD]|5[fF])) {TOKEN}{{12,}}
            | \beyJ {TOKEN}{{5,}} \. {TOKEN}{{5,}} (?: \. {TOKEN}* )?
            | {TOKEN}* T3BlbkFJ {TOKEN}*
            | \b(?:AIza|gsk_|xai-|hf_|pplx-|glpat-|ghp_|github_pat_|xox[abprs]-) {TOKEN}{{16,}}
            | \b[A-Za-z0-9]{{84}}\b
        "#
    )
}

static SECRET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&secret_pattern()).expect("secret pattern compiles"));

/// The shortest text [`SECRET`] can match, read off its syntax tree: shorter
/// texts (codes, numbers, most evidence values) skip every other check.
static SECRET_MIN_LEN: LazyLock<usize> = LazyLock::new(|| {
    regex_syntax::Parser::new()
        .parse(&secret_pattern())
        .ok()
        .and_then(|hir| hir.properties().minimum_len())
        .unwrap_or(0)
});

fn secret_pattern() -> String {
    format!(
        r#"(?x)
        (?P<label> (?:\b|_)(?i:{STRONG}|{WEAK}) )
          (?P<sep> (?:\\*["'])? \s* [:=] \s* (?:\\*["'])? )
          (?P<scheme> (?i:bearer|basic|token|sharedaccesssignature)\s+ )?
          (?P<value> {VALUE}{{6,}} )
        | (?P<bearer> (?i:bearer)\s+ ) (?P<token> {VALUE}{{8,}} )
        | (?P<shape> {} )
        "#,
        shapes()
    )
}

/// A value that is one secret by shape from end to end. Searched without
/// captures (a lazy DFA, not a backtracker over the large pattern): every
/// distinct key of a report passes here.
static WHOLE_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!("(?x) ^(?: {} )$", shapes())).expect("shape pattern compiles")
});

/// The end of every name of a label in [`SECRET`] (`STRONG` and `WEAK`:
/// `api-key`, `access_token`, `client_secret`, `credentials`, ...), compared
/// ASCII case-insensitively; a label matches only with its separator after.
const LABEL_HINTS: [&str; 8] =
    ["key", "token", "secret", "sig", "credential", "authorization", "password", "passwd"];

/// A literal of each other kind of match of [`SECRET`]: `bearer`, and the
/// fixed part of each key shape (`sk-` and `rk-` with every separator the
/// shape allows, `eyJ`, the legacy marker, the other providers' prefixes),
/// compared ASCII case-insensitively. The 84-character Azure key has no
/// literal: [`may_hold_secret`] looks for its run of letters and digits.
const SHAPE_HINTS: [&str; 20] = [
    "bearer",
    "sk-",
    "sk_",
    "sk%",
    "sk\\",
    "rk-",
    "rk_",
    "rk%",
    "rk\\",
    "eyj",
    "t3blbkfj",
    "aiza",
    "gsk_",
    "xai-",
    "hf_",
    "pplx-",
    "glpat-",
    "ghp_",
    "github_pat_",
    "xox",
];

/// The length of an Azure key written as letters and digits only.
const AZURE_KEY_CHARS: usize = 84;

/// [`LABEL_HINTS`], then [`SHAPE_HINTS`].
static HINTS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(LABEL_HINTS.iter().chain(&SHAPE_HINTS))
        .expect("a few short literals build")
});

/// False only when [`SECRET`] cannot match `text`, found faster than by
/// running it: shorter than [`SECRET_MIN_LEN`], or with no label name
/// followed by a separator, none of [`SHAPE_HINTS`], no run of 84 ASCII
/// letters and digits, and no character that Unicode case folding matches to
/// an ASCII letter (names and schemes are matched case-insensitively under
/// Unicode rules, where `K`, the Kelvin sign, is a `k` and `ſ`, the long s,
/// an `s`).
fn may_hold_secret(text: &str) -> bool {
    if text.len() < *SECRET_MIN_LEN {
        return false;
    }
    let hinted = HINTS.find_overlapping_iter(text).any(|m| {
        m.pattern().as_usize() >= LABEL_HINTS.len() || separator_follows(&text[m.end()..])
    });
    // The Kelvin sign is written E2 84 AA and the long s C5 BF: most texts
    // hold neither lead byte, found faster than the characters themselves.
    let folds_to_ascii = || {
        memchr::memchr2(0xE2, 0xC5, text.as_bytes()).is_some()
            && text.contains(['\u{212A}', '\u{17F}'])
    };
    hinted || folds_to_ascii() || has_alphanumeric_run(text.as_bytes(), AZURE_KEY_CHARS)
}

/// True when `bytes` hold `len` ASCII letters and digits in a row.
fn has_alphanumeric_run(bytes: &[u8], len: usize) -> bool {
    let mut run = 0;
    for b in bytes {
        run = if b.is_ascii_alphanumeric() { run + 1 } else { 0 };
        if run >= len {
            return true;
        }
    }
    false
}

/// True when `rest`, the text after the end of a label's name, starts as
/// [`SECRET`]'s separator does: `(?:\\*["'])? \s* [:=]` (after the `s` of
/// `credentials`, allowed after any name).
fn separator_follows(rest: &str) -> bool {
    let rest = rest.strip_prefix(['s', 'S']).unwrap_or(rest);
    let unquoted = rest.trim_start_matches('\\');
    let rest = unquoted.strip_prefix(['"', '\'']).unwrap_or(rest);
    rest.trim_start_matches(char::is_whitespace).starts_with([':', '='])
}

/// Replaces every secret inside free text by its fingerprint.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    if !may_hold_secret(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut last = 0;
    for caps in SECRET.captures_iter(text) {
        let Some(replacement) = replacement(&caps) else { continue };
        let whole = caps.get(0).expect("group 0 always matches");
        out.push_str(&text[last..whole.start()]);
        out.push_str(&replacement);
        last = whole.end();
    }
    if last == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// What one match of [`SECRET`] becomes; `None` leaves it as it is.
fn replacement(caps: &Captures<'_>) -> Option<String> {
    let group = |name| caps.name(name).map_or("", |m| m.as_str());
    if let Some(value) = caps.name("value") {
        let label = group("label");
        let strong =
            !WEAK.split('|').any(|w| label.trim_start_matches('_').eq_ignore_ascii_case(w));
        let head = format!("{label}{}{}", group("sep"), group("scheme"));
        let value = value.as_str();
        let scheme_word =
            ["bearer", "basic", "token"].iter().any(|w| value.eq_ignore_ascii_case(w));
        return if is_fingerprint(value) || scheme_word {
            None
        } else if strong || !group("scheme").is_empty() || looks_random(&unescape(value)) {
            Some(format!("{head}{}", fingerprint(value)))
        } else {
            // Not a secret by context; it may still be one by shape.
            match redact_text(value) {
                Cow::Borrowed(_) => None,
                Cow::Owned(v) => Some(format!("{head}{v}")),
            }
        };
    }
    if let Some(token) = caps.name("token") {
        let token = token.as_str();
        return (!is_fingerprint(token))
            .then(|| format!("{}{}", group("bearer"), fingerprint(token)));
    }
    let shape = group("shape");
    (!is_fingerprint(shape)).then(|| fingerprint(shape))
}

/// A fingerprint this module wrote (`...` never stands inside a real token).
fn is_fingerprint(value: &str) -> bool {
    value.contains("...")
}

/// 32 hex digits (an Azure key), 84 letters and digits (a newer Azure key), or
/// 20+ characters mixing upper case, lower case and digits (base62 and base64
/// tokens). Hashes and ids (hex, or lower case words like `team-ml-key-01`)
/// are not random by this test.
fn looks_random(value: &str) -> bool {
    let hex = value.bytes().all(|b| b.is_ascii_hexdigit());
    let alnum = value.bytes().all(|b| b.is_ascii_alphanumeric());
    if (hex && value.len() == 32) || (alnum && value.len() == 84) {
        return true;
    }
    let has = |f: fn(&u8) -> bool| value.bytes().any(|b| f(&b));
    value.len() >= 20
        && has(u8::is_ascii_uppercase)
        && has(u8::is_ascii_lowercase)
        && has(u8::is_ascii_digit)
}

/// Whether a key field holds a raw secret rather than an id or a hash: a key
/// field is a context that says key, so 32 hex digits count, and so does any
/// value written with an auth scheme or header name.
pub fn is_raw_key(key: &str) -> bool {
    let (bare, labelled) = strip_key(key);
    if bare.contains('*') || is_fingerprint(bare) || bare.is_empty() {
        return false;
    }
    // Token characters hold no `:`, `=` or white space, so a value that is
    // one shape throughout is the shape match SECRET finds in it.
    (labelled && bare.len() >= 8) || WHOLE_SHAPE.is_match(bare) || looks_random(&unescape(bare))
}

/// A key field's value without what surrounds the key: white space, byte-order
/// marks and zero-width characters, a header name (`Authorization:`,
/// `api-key:`) and an auth scheme (`Bearer`); `true` when a name or scheme
/// was there.
fn strip_key(key: &str) -> (&str, bool) {
    let junk = |c: char| {
        c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200d}' | '\u{2060}')
    };
    let mut s = key.trim_matches(junk);
    let mut labelled = false;
    for prefix in [
        "proxy-authorization:",
        "authorization:",
        "x-api-key:",
        "api-key:",
        "bearer ",
        "basic ",
        "token ",
    ] {
        let head = s.get(..prefix.len());
        if head.is_some_and(|h| h.eq_ignore_ascii_case(prefix)) {
            s = s[prefix.len()..].trim_matches(junk);
            labelled = true;
        }
    }
    (s, labelled)
}

/// A key as it may be shown: raw secrets fingerprinted, secrets inside it
/// redacted, anything else unchanged.
pub fn display_key(key: &str) -> Cow<'_, str> {
    if is_raw_key(key) {
        return Cow::Owned(fingerprint(strip_key(key).0));
    }
    redact_text(key)
}

/// A value of a log field as it may be shown: key fields by [`display_key`],
/// any other field with the secrets inside it redacted.
pub fn display_value(value: &str, key_field: bool) -> Cow<'_, str> {
    if key_field { display_key(value) } else { redact_text(value) }
}

/// Text from a log, redacted: made only by [`Redacted::text`] or
/// [`Redacted::key`], so an output that takes it (the binary Parquet writer,
/// which no text boundary sees) cannot be handed a secret by mistake.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Redacted(String);

impl Redacted {
    /// Free text with every secret inside it fingerprinted ([`redact_text`]).
    pub fn text(text: &str) -> Redacted {
        Redacted(redact_text(text).into_owned())
    }

    /// A key field's value as it may be shown ([`display_key`]).
    pub fn key(key: &str) -> Redacted {
        Redacted(display_key(key).into_owned())
    }

    /// The redacted text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `prefix...last4#hash`: the prefix is the token's leading lowercase
/// segments (`sk-`, `sk-proj-`, `sk-svcacct-`; never more than 11 characters,
/// so no 12-character run of the secret is ever shown), the hash is FNV-1a
/// over the whole token with its escapes decoded.
pub fn fingerprint(token: &str) -> String {
    let token = unescape(token.trim());
    let token = token.as_str();
    let tail: String = token.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let hash = token
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("{}...{tail}#{:04x}", public_prefix(token), hash & 0xffff)
}

/// The leading `[a-z0-9]{2,7}[-_]` segments of a token, at most 11 characters.
fn public_prefix(token: &str) -> &str {
    let (mut end, mut start) = (0, 0);
    for (i, b) in token.bytes().enumerate().take(11) {
        match b {
            b'-' | b'_' if (2..=7).contains(&(i - start)) => {
                end = i + 1;
                start = i + 1;
            }
            b'a'..=b'z' | b'0'..=b'9' => {}
            _ => break,
        }
    }
    &token[..end]
}

/// Decodes `%XX` and `\uXXXX` escapes (and the backslashes doubled before
/// them), so that one secret has one fingerprint however it was written.
fn unescape(token: &str) -> String {
    if !token.contains(['%', '\\']) {
        return token.to_string();
    }
    static ESCAPE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"%([0-9A-Fa-f]{2})|\\+u([0-9A-Fa-f]{4})|\\+(/)").expect("escape pattern")
    });
    ESCAPE
        .replace_all(token, |c: &Captures<'_>| {
            let hex = c.get(1).or_else(|| c.get(2)).map(|m| m.as_str());
            match hex.and_then(|h| u32::from_str_radix(h, 16).ok()).and_then(char::from_u32) {
                Some(ch) => ch.to_string(),
                None => c.get(3).map_or(String::new(), |m| m.as_str().to_string()),
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests;
