//! Message signatures for failures no rule matched: numbers, ids, hex strings
//! and quoted names are masked so that the same error with different values
//! counts once, and the report can say which rule to add.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::redact;

/// Longest signature kept, in characters.
const MAX_CHARS: usize = 160;

/// A mask: the pattern, its replacement, and a cheap test that the text could
/// hold a match at all (a character every match contains), so that a mask
/// that cannot apply costs no regex search and no copy.
struct Mask {
    re: Regex,
    with: &'static str,
    may_apply: MayApply,
}

/// Whether a mask's pattern can match a text at all.
type MayApply = fn(&str) -> bool;

static MASKS: LazyLock<Vec<Mask>> = LazyLock::new(|| {
    let digit = |s: &str| s.bytes().any(|b| b.is_ascii_digit());
    let masks: [(&str, &str, MayApply); 7] = [
        (r"https?://\S+", "<url>", |s| s.contains("http")),
        (r"`[^`]*`|'[^'\n]{1,200}'|\x22[^\x22\n]{1,200}\x22", "'<*>'", |s| {
            s.contains(['`', '\'', '"'])
        }),
        (
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
            "<uuid>",
            |s| s.contains('-'),
        ),
        (r"\b[A-Za-z]+[-_][A-Za-z0-9]*[0-9][A-Za-z0-9]*\b", "<id>", digit),
        (
            r"\b0x[0-9a-fA-F]+\b|\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b",
            "<hex>",
            digit,
        ),
        (r"\d+(?:[.,]\d+)*", "<n>", |s| s.chars().any(char::is_numeric)),
        // Changes the text only where white space is not one plain space
        // (Unicode white space is non-ASCII).
        (r"\s+", " ", |s| {
            !s.is_ascii()
                || s.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r'))
                || s.contains("  ")
        }),
    ];
    masks
        .into_iter()
        .map(|(p, with, may_apply)| Mask {
            re: Regex::new(p).expect("signature mask compiles"),
            with,
            may_apply,
        })
        .collect()
});

/// The signature of a message; `status` stands in when there is no message.
pub fn signature(message: &str, status: Option<u16>) -> String {
    of_redacted(&redact::redact_text(message), status)
}

/// [`signature`] of a message [`redact::redact_text`] already gave (a
/// signature masks and cuts, so it must never see a secret whole).
pub fn of_redacted(message: &str, status: Option<u16>) -> String {
    let message = message.trim();
    if message.is_empty() {
        return match status {
            Some(s) => format!("HTTP {s} with no error message"),
            None => "no status and no error message".to_string(),
        };
    }
    let s = masked(message);
    let s = s.trim();
    match s.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_string(),
    }
}

/// Each mask applied in turn to a redacted message.
fn masked(message: &str) -> String {
    let mut s = message.to_string();
    for mask in MASKS.iter() {
        if !(mask.may_apply)(&s) {
            continue;
        }
        if let Cow::Owned(replaced) = mask.re.replace_all(&s, mask.with) {
            s = replaced;
        }
    }
    s
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

    /// The masks' pre-checks only skip work: every signature is the one all
    /// masks give when run unconditionally, over every string of the test
    /// data and texts made to reach each mask.
    #[test]
    fn skipping_masks_that_cannot_apply_changes_no_signature() {
        let unfiltered = |message: &str| {
            let mut s = redact::redact_text(message).into_owned();
            for mask in MASKS.iter() {
                s = mask.re.replace_all(&s, mask.with).into_owned();
            }
            s
        };
        let root = env!("CARGO_MANIFEST_DIR");
        let mut texts: Vec<String> = [
            "a\u{a0}b  c\td\ne\x0bf\u{2003}g",
            "id_9x 0x1f deadbeef1 12,345.6 \u{0663}\u{0664}",
            "'q' `b` \"d\" http://x.y/z https://a",
            "d7fc0c4f-4c08-415c-b22b-3b9a59524a41",
            "plain words only",
            // One per mask, each alone reaching it.
            "a\x0bb",
            "a\u{2003}b",
            "a\u{0663}b",
            "a 0x1f",
            "id_9x",
            "it's 'q'",
            "see http://x",
            "a-b",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for file in ["tests/data/real-errors.jsonl", "tests/data/real-errors-v2.jsonl"] {
            let text = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
            texts.extend(text.lines().map(str::to_string));
        }
        assert!(texts.len() > 100);
        for text in &texts {
            assert_eq!(masked(&redact::redact_text(text)), unfiltered(text), "{text}");
        }
    }

    #[test]
    fn secrets_never_reach_a_signature() {
        let s = signature("bad key sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234", Some(401));
        assert!(!s.contains("AbCdEf"), "{s}");
    }
}
