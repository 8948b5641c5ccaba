//! Secrets never leave errlens: raw API keys in key fields are replaced by a
//! stable fingerprint (`sk-proj-...abcd#3f2a`), and keys or bearer tokens found
//! inside free text (messages, examples) are replaced the same way.
//!
//! Hashed keys, key ids and already-masked keys (`sk-abc***xyz`) stay as they are.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// Whether a key field holds a raw secret rather than an id or a hash.
pub fn is_raw_key(key: &str) -> bool {
    let key = key.trim();
    if key.contains('*') {
        return false;
    }
    let prefixed =
        ["sk-", "sk_", "rk-", "rk_", "Bearer ", "bearer "].iter().any(|p| key.starts_with(p));
    let azure = key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit());
    let jwt = key.starts_with("eyJ") && key.matches('.').count() == 2;
    (prefixed && key.len() >= 20) || azure || jwt
}

/// A key as it may be shown: raw secrets fingerprinted, anything else unchanged.
pub fn display_key(key: &str) -> Cow<'_, str> {
    if is_raw_key(key) { Cow::Owned(fingerprint(key)) } else { Cow::Borrowed(key) }
}

/// `prefix...last4#hash`: the prefix is `sk-` / `sk-proj-` style (up to the last
/// dash of the first 12 characters), the hash is FNV-1a over the whole key.
pub fn fingerprint(key: &str) -> String {
    let key = key.trim();
    let token = key.strip_prefix("Bearer ").or_else(|| key.strip_prefix("bearer ")).unwrap_or(key);
    let head: String = token.chars().take(12).collect();
    let prefix = head.rfind(['-', '_']).map_or("", |i| &head[..=i]);
    let tail: String = token.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let hash = token
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("{prefix}...{tail}#{:04x}", hash & 0xffff)
}

static SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \b(?:sk|rk)[-_][A-Za-z0-9_\-]{16,}          # OpenAI-style keys (masked ones hold '*')
        | (?i:bearer)\s+[A-Za-z0-9._~+/\-]{16,}=*   # bearer tokens
        | (?i:api-key|subscription-key|ocp-apim-subscription-key)[\x22']?\s*[:=]\s*[\x22']?[0-9a-fA-F]{32}\b
        | \beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}   # JWTs
        ",
    )
    .expect("secret pattern compiles")
});

/// Replaces every raw secret inside free text by its fingerprint.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    SECRET.replace_all(text, |c: &regex::Captures<'_>| {
        let m = &c[0];
        if m.contains('*') {
            return m.to_string();
        }
        match m.find([':', '=']) {
            Some(i) if !m.starts_with("sk") && !m.starts_with("rk") => {
                let (label, value) = m.split_at(i + 1);
                let value = value.trim_start_matches([' ', '"', '\'']);
                format!("{label} {}", fingerprint(value))
            }
            _ => fingerprint(m),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd";

    #[test]
    fn fingerprints_raw_keys_only() {
        let fp = display_key(KEY);
        assert!(fp.starts_with("sk-proj-...abcd#"), "{fp}");
        assert!(!fp.contains("AbCdEf"));
        assert_eq!(display_key(KEY), display_key(KEY), "stable");
        assert_ne!(
            fingerprint(KEY),
            fingerprint("sk-proj-ZZCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd")
        );
        for kept in [
            "key_backend_prod",
            "sk-PMafP****E873",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ] {
            assert_eq!(display_key(kept), kept);
        }
        assert!(is_raw_key("0123456789abcdef0123456789abcdef"));
        assert!(is_raw_key("Bearer sk-abcdefghijklmnopqrstuvwx"));
    }

    #[test]
    fn redacts_secrets_in_text() {
        let text = format!(
            "auth failed for {KEY} with header Authorization: Bearer {KEY} and api-key: 0123456789abcdef0123456789abcdef"
        );
        let out = redact_text(&text);
        assert!(!out.contains("AbCdEfGh"), "{out}");
        assert!(!out.contains("0123456789abcdef0123456789abcdef"), "{out}");
        assert!(out.contains("...abcd#"), "{out}");
        let masked =
            "Incorrect API key provided: sk-PMafP***************************************E873.";
        assert_eq!(redact_text(masked), masked);
    }
}
