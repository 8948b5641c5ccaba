use super::*;

const KEY: &str = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd";
const AZURE32: &str = "0123456789abcdef0123456789abcdef";
const AZURE84: &str =
    "5xFqLm2ZpQ8rT1vW9yB3nC6dE0gH4jK7sU2aX5zR8tY1wV3bN6mL9kJ2hG5fD8sA1qP4oI7uJQQJ99BCACYe";

/// No 12-character run of `secret` stands in `out`.
fn assert_hidden(secret: &str, out: &str) {
    let chars: Vec<char> = secret.chars().collect();
    for run in chars.windows(12) {
        let run: String = run.iter().collect();
        assert!(!out.contains(&run), "{run:?} of {secret:?} leaked in {out:?}");
    }
}

#[test]
fn fingerprints_raw_keys_only() {
    let fp = display_key(KEY);
    assert!(fp.starts_with("sk-proj-...abcd#"), "{fp}");
    assert_hidden(KEY, &fp);
    assert_eq!(display_key(KEY), display_key(KEY), "stable");
    assert_ne!(fingerprint(KEY), fingerprint("sk-proj-ZZCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd"));
    for kept in [
        "key_backend_prod",
        "team-ml-research-key-01",
        "sk-PMafP****E873",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "sk-proj-...abcd#3f2a",
    ] {
        assert_eq!(display_key(kept), kept);
    }
    assert!(is_raw_key(AZURE32));
    assert!(is_raw_key(AZURE84));
    assert!(is_raw_key("Bearer sk-abcdefghijklmnopqrstuvwx"));
}

#[test]
fn key_fields_see_through_schemes_headers_and_invisible_characters() {
    for written in [
        format!("Bearer {KEY}"),
        format!("BEARER {KEY}"),
        format!("bearer   {KEY}"),
        format!("Authorization: Bearer {KEY}"),
        format!("authorization:Bearer {KEY}"),
        format!("\u{feff}{KEY}"),
        format!("\u{200b}{KEY} "),
        format!("api-key: {AZURE32}"),
        AZURE84.to_string(),
        format!("Bearer {AZURE84}"),
    ] {
        let shown = display_key(&written);
        assert_hidden(KEY, &shown);
        assert_hidden(AZURE32, &shown);
        assert_hidden(AZURE84, &shown);
        assert!(shown.contains("...") && shown.contains('#'), "{written:?} -> {shown}");
    }
    assert_eq!(display_key(&format!("Bearer {KEY}")), display_key(KEY), "one key, one fingerprint");
}

#[test]
fn every_key_shape_is_redacted_in_text() {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    let shapes = [
        KEY,
        "sk-AbCdEfGhIjKlMnOpQrStT3BlbkFJuVwXyZ0123456789ab",
        "sk-svcacct-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        "sk-admin-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-AAAA",
        "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "rk-live-AbCdEfGhIjKlMnOpQrStUvWx",
        "AbCdEfGhT3BlbkFJIjKlMnOpQrSt",
        jwt,
        AZURE84,
    ];
    for secret in shapes {
        for text in [
            format!("auth failed for {secret}."),
            format!("{{\"error\":\"bad key '{secret}'\"}}"),
            format!("Incorrect API key provided: {secret}. You can find your API key at"),
            format!("key={secret}&x=1"),
            format!("Authorization: Bearer {secret}"),
            format!("BEARER {secret}"),
            format!("\u{feff}{secret}"),
        ] {
            let out = redact_text(&text);
            assert_hidden(secret, &out);
        }
    }
}

#[test]
fn context_redacts_what_only_context_says_is_secret() {
    for text in [
        format!("api-key: {AZURE32}"),
        format!("\"api-key\": \"{AZURE32}\""),
        format!("Ocp-Apim-Subscription-Key: {AZURE32}"),
        format!("https://x.openai.azure.com/openai/deployments/d?api-version=1&api-key={AZURE32}"),
        format!("https://x.example/v1?key={AZURE32}"),
        format!("AZURE_OPENAI_API_KEY={AZURE32}"),
        format!("the key: {AZURE32}"),
        format!("token={AZURE32}"),
        "x-api-key: tinysecret1".to_string(),
        "password=hunter2hunter2".to_string(),
    ] {
        let out = redact_text(&text);
        assert_hidden(AZURE32, &out);
        assert!(!out.contains("tinysecret1") && !out.contains("hunter2hunter2"), "{out}");
    }
    // The same 32 hex digits as an id are an id.
    for kept in [
        format!("trace_id {AZURE32} failed"),
        format!("\"request_id\": \"{AZURE32}\""),
        "key: key_backend_prod".to_string(),
        "tokens: 30000".to_string(),
        "max_tokens: 4096".to_string(),
        "Authorization: Bearer $OPENAI_API_KEY".to_string(),
        "send exactly: Authorization: Bearer <key>".to_string(),
    ] {
        assert_eq!(redact_text(&kept), kept);
    }
}

#[test]
fn escaped_secrets_are_read_through_and_fingerprinted_alike() {
    let json_escaped = KEY.replace('-', "\\u002d");
    let url_escaped = KEY.replace('-', "%2D");
    let plain = redact_text(KEY).into_owned();
    for written in [json_escaped.clone(), url_escaped, json_escaped.replace('\\', "\\\\")] {
        let out = redact_text(&written);
        assert!(!out.contains("AbCdEfGhIjKl"), "{written} -> {out}");
        assert!(!out.contains("MnOpQrStUvWx"), "{written} -> {out}");
        assert_eq!(out, plain, "one secret, one fingerprint");
    }
    let sas =
        "https://acct.blob.core.windows.net/c/f.jsonl?sv=2024&sig=Ab%2BcDeF9gHiJkL0mNoPqRsTuV%3D";
    let out = redact_text(sas);
    assert!(!out.contains("cDeF9gHiJkL0"), "{out}");
}

#[test]
fn fingerprints_show_at_most_eleven_characters_of_prefix() {
    assert_eq!(public_prefix("sk-proj-AbC"), "sk-proj-");
    assert_eq!(public_prefix("sk-svcacct-AbC"), "sk-svcacct-");
    assert_eq!(public_prefix("sk-ant-api03-AbC"), "sk-ant-");
    assert_eq!(public_prefix("sk-or-v1-0123"), "sk-or-v1-");
    assert_eq!(public_prefix("eyJhbGciOi"), "");
    assert_eq!(public_prefix("0123456789abcdef0123"), "");
    assert_eq!(public_prefix("sk-abcdefgh-ijklmnop"), "sk-");
}

#[test]
fn masked_keys_and_fingerprints_stay() {
    let masked = "Incorrect API key provided: sk-PMafP***************************************E873.";
    assert_eq!(redact_text(masked), masked);
    let once = redact_text(&format!("key {KEY} and api-key: {AZURE32}")).into_owned();
    assert_eq!(redact_text(&once), once, "redacting twice changes nothing");
}

#[test]
fn a_whole_shape_is_what_the_secret_pattern_finds_end_to_end() {
    // The definition `is_raw_key` had before it used WHOLE_SHAPE: the first
    // match of SECRET is a shape spanning the whole value.
    let first_match_is_whole_shape = |v: &str| {
        SECRET
            .captures(v)
            .and_then(|c| c.name("shape").map(|m| m.as_str().len() == v.len()))
            .unwrap_or(false)
    };
    let values = [
        KEY,
        AZURE32,
        AZURE84,
        "sk-abcdefghijklmnop",
        "sk-abc",
        "rk_live_0123456789abcdef",
        "sk\\u002dproj\\u002dAbCdEfGhIjKlMnOp",
        "sk%2Dproj%2DAbCdEfGhIjKlMnOp",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX2hlcmU",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.",
        "abcT3BlbkFJxyz",
        "AIzaSyA1234567890abcdefghij",
        "ghp_0123456789abcdefghijklmnop",
        "xoxb-0123456789-abcdefghijklmnop",
        "key_backend_prod",
        "sk-proj-abc.def",
        "sk-proj-abcdefghijklmnop def",
        "prefix sk-proj-abcdefghijklmnop",
        "api_key=sk-proj-abcdefghijklmnop",
        "sk-proj-...abcd#3f2a",
        "",
        "-",
        "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx_-",
    ];
    for v in values {
        assert_eq!(WHOLE_SHAPE.is_match(v), first_match_is_whole_shape(v), "{v:?}");
    }
}

/// Every name of a label, with its optional separators spelled each way.
fn label_names() -> Vec<String> {
    let mut names = Vec::new();
    for name in STRONG.split('|').chain(WEAK.split('|')) {
        for sep in ["", "-", "_"] {
            names.push(name.replace("[-_]?", sep));
        }
    }
    names
}

#[test]
fn every_label_name_holds_a_hint() {
    for name in label_names() {
        assert!(!name.contains(['[', '?', '(']), "{name}: a name pattern the test cannot spell");
        for text in [name.clone(), name.to_ascii_uppercase()] {
            assert!(may_hold_secret(&format!("{text}=AbCd1234")), "{text}");
        }
    }
}

/// The names are matched case-insensitively under Unicode rules: the only
/// characters beyond ASCII that fold to an ASCII letter are the two
/// [`may_hold_secret`] looks for.
#[test]
fn only_kelvin_and_long_s_fold_to_ascii_letters() {
    let hir = regex_syntax::parse("(?i)[a-z]").unwrap();
    let regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(class)) = hir.kind()
    else {
        panic!("a Unicode class: {hir:?}");
    };
    let beyond: Vec<char> =
        class.ranges().iter().flat_map(|r| r.start()..=r.end()).filter(|c| !c.is_ascii()).collect();
    assert_eq!(beyond, vec!['\u{17F}', '\u{212A}']);
}

/// Whatever [`SECRET`] matches, [`may_hold_secret`] lets through: every
/// shape, label and scheme (in several cases), and every line of the test
/// data and samples.
#[test]
fn the_precheck_never_hides_what_the_pattern_matches() {
    let texts = secret_texts();
    let mut matched = 0;
    for text in &texts {
        for text in [text.clone(), text.to_ascii_uppercase(), text.to_ascii_lowercase()] {
            if SECRET.is_match(&text) {
                matched += 1;
                assert!(may_hold_secret(&text), "{text}");
            }
        }
    }
    assert!(matched > texts.len(), "the texts must hold secrets: {matched} matched");
    for plain in [
        "Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29100.",
        "max_tokens is too large: 100000. This model supports at most 16384 tokens",
        "token limit = 5; key limit: 3",
    ] {
        assert!(!may_hold_secret(plain), "{plain}");
    }
}

/// Redacting a redacted text changes nothing: verdicts carry redacted
/// messages, and what is made from them (examples, signatures, the output
/// boundary) may redact again.
#[test]
fn redacting_twice_is_redacting_once() {
    let mut changed = 0;
    for text in secret_texts() {
        for text in [text.clone(), text.to_ascii_uppercase(), text.to_ascii_lowercase()] {
            let once = redact_text(&text).into_owned();
            changed += usize::from(once != text);
            assert_eq!(redact_text(&once), once, "{text}");
        }
    }
    assert!(changed > 100, "the texts must hold secrets: {changed} changed");
}

/// Texts holding every shape, label and scheme of secret, and every line of
/// the test data and samples.
fn secret_texts() -> Vec<String> {
    let tail = "AbCdEfGhIjKlMnOpQrStUvWx0123456789";
    let mut texts: Vec<String> = [
        "sk-",
        "sk_",
        "sk%2D",
        "sk%5f",
        "sk\\u002d",
        "sk\\\\u005F",
        "rk-",
        "rk_",
        "AIza",
        "gsk_",
        "xai-",
        "hf_",
        "pplx-",
        "glpat-",
        "ghp_",
        "github_pat_",
        "xoxb-",
        "xoxp-",
        "eyJ",
    ]
    .iter()
    .map(|prefix| format!("x {prefix}{tail}.{tail} y"))
    .collect();
    texts.push(format!("a{AZURE84}b {AZURE84}"));
    texts.push(format!("AbT3BlbkFJ{tail}"));
    for scheme in ["Bearer", "bearer", "BEARER", "Basic", "Token"] {
        texts.push(format!("Authorization: {scheme} {tail}"));
        texts.push(format!("{scheme} {tail}"));
    }
    for name in label_names() {
        texts.push(format!("{name}: \"{tail}\""));
        texts.push(format!("_{name}={AZURE32}"));
        texts.push(format!("{{\"{name}\": \"{tail}\"}}"));
        texts.push(format!("{{\\\\\\'{name}\\\\\\' = {tail}}}"));
        texts.push(format!("{name}\u{3000}\u{a0}:\t{tail}"));
    }
    texts.push(format!("\u{212A}ey={tail}"));
    texts.push(format!("\u{17F}ecret={tail}"));
    let root = env!("CARGO_MANIFEST_DIR");
    for file in ["samples/app-2026-11-21.jsonl", "tests/data/real-errors.jsonl"] {
        let bytes = std::fs::read(format!("{root}/{file}")).unwrap();
        texts.extend(String::from_utf8_lossy(&bytes).lines().map(str::to_string));
    }
    texts
}

#[test]
fn texts_shorter_than_any_secret_skip_the_scan() {
    // A three-letter label, a separator and six characters is among the
    // shortest matches; the bound comes from the pattern's syntax tree.
    assert!(SECRET.is_match("sig=abcdef"));
    assert!((1..="sig=abcdef".len()).contains(&*SECRET_MIN_LEN));
    assert!(may_hold_secret("sig=abcdef"));
    assert!(!may_hold_secret(&"sk-proj-abcdef"[..*SECRET_MIN_LEN - 1]));
}
