//! Message signatures for failures no rule matched: numbers, ids, hex strings
//! and quoted names are masked so that the same error with different values
//! counts once, and the report can say which rule to add.

use std::sync::LazyLock;

use regex::Regex;

use crate::redact;

/// Longest signature kept, in characters.
const MAX_CHARS: usize = 160;

static MASKS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"https?://\S+", "<url>"),
        (r"`[^`]*`|'[^'\n]{1,200}'|\x22[^\x22\n]{1,200}\x22", "'<*>'"),
        (
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
            "<uuid>",
        ),
        (r"\b[A-Za-z]+[-_][A-Za-z0-9]*[0-9][A-Za-z0-9]*\b", "<id>"),
        (r"\b0x[0-9a-fA-F]+\b|\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b", "<hex>"),
        (r"\d+(?:[.,]\d+)*", "<n>"),
        (r"\s+", " "),
    ]
    .into_iter()
    .map(|(p, r)| (Regex::new(p).expect("signature mask compiles"), r))
    .collect()
});

/// The signature of a message; `status` stands in when there is no message.
pub fn signature(message: &str, status: Option<u16>) -> String {
    let message = message.trim();
    if message.is_empty() {
        return match status {
            Some(s) => format!("HTTP {s} with no error message"),
            None => "no status and no error message".to_string(),
        };
    }
    let mut s = redact::redact_text(message).into_owned();
    for (re, with) in MASKS.iter() {
        s = re.replace_all(&s, *with).into_owned();
    }
    let s = s.trim();
    match s.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_error_different_values_same_signature() {
        let a = signature(
            "upstream connect error after 1234 ms (ref 8f3a2c9d) for 'proj_a'",
            Some(500),
        );
        let b = signature(
            "upstream connect error after 98 ms (ref 1b2c3d4e) for 'proj_bbb'",
            Some(500),
        );
        assert_eq!(a, b);
        assert!(!a.contains("1234"));
    }

    #[test]
    fn masks_ids_uuids_and_urls() {
        let s = signature(
            "Run run_KfVG8fSJg882 failed, id d7fc0c4f-4c08-415c-b22b-3b9a59524a41, see https://x.y/z?q=1",
            None,
        );
        assert_eq!(s, "Run <id> failed, id <uuid>, see <url>");
    }

    #[test]
    fn empty_messages_use_the_status() {
        assert_eq!(signature("", Some(401)), "HTTP 401 with no error message");
        assert_eq!(signature("  ", None), "no status and no error message");
    }

    #[test]
    fn long_messages_are_cut() {
        assert!(signature(&"word ".repeat(100), None).chars().count() <= MAX_CHARS + 3);
    }

    #[test]
    fn secrets_never_reach_a_signature() {
        let s = signature("bad key sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234", Some(401));
        assert!(!s.contains("AbCdEf"), "{s}");
    }
}
