//! Unwrapping and classification of error text, and `explain`. Input: a
//! status selector byte, a context selector byte (provider and model), then
//! the error text (a pasted message, a body, a whole log line).
//!
//! Invariants checked besides "no panic":
//! - a message is at most 4096 bytes once unwrapped;
//! - text unwraps the same as free text and as a JSON string holding it;
//! - classifying is deterministic, evidence is sorted by name, and a verdict
//!   has a signature exactly when no rule decided;
//! - `explain` renders in every format, its JSON is JSON;
//! - redaction is idempotent.

use std::sync::LazyLock;

use errlens::classify::{Classifier, Context, Verdict, unwrap};
use errlens::cli::DocFormat;
use errlens::redact::redact_text;
use errlens::report::playbook::{self, Explanation};

/// 2026-11-21T00:00:00Z: retirement judgements need a fixed "now".
const NOW: i64 = 1_795_219_200_000;

/// Statuses the selector picks from (0 is none).
const STATUSES: [u16; 18] =
    [400, 401, 403, 404, 408, 409, 413, 415, 422, 424, 429, 500, 502, 503, 504, 520, 524, 529];
/// Providers the context selector picks from.
const PROVIDERS: [Option<&str>; 4] = [None, Some("openai"), Some("azure"), Some("Azure")];
/// Models the context selector picks from (current, retired, typo, fine-tune).
const MODELS: [Option<&str>; 6] = [
    None,
    Some("gpt-4o"),
    Some("gpt-4-0314"),
    Some("gpt-4o-mnii"),
    Some("ft:gpt-4o-mini-2024-07-18:org::abc123"),
    Some("text-davinci-003"),
];

static CLASSIFIER: LazyLock<Classifier> =
    LazyLock::new(|| Classifier::new(&[], NOW).expect("the embedded rules compile"));

/// The status a selector byte stands for.
pub fn status(selector: u8) -> Option<u16> {
    let n = usize::from(selector);
    (n != 0).then(|| STATUSES[(n - 1) % STATUSES.len()])
}

/// The context a selector byte stands for: provider in the low bits, model in
/// the high ones.
pub fn context(selector: u8) -> Context<'static> {
    let n = usize::from(selector);
    Context {
        provider: PROVIDERS[n % PROVIDERS.len()],
        model: MODELS[(n / PROVIDERS.len()) % MODELS.len()],
        ..Context::default()
    }
}

/// The harness.
pub fn check(data: &[u8]) {
    let [status_byte, context_byte, body @ ..] = data else { return };
    let (status, context) = (status(*status_byte), context(*context_byte));
    let text = String::from_utf8_lossy(body);
    let info = unwrap::unwrap_text(&text, status);
    assert!(info.message.len() <= 4096, "message of {} bytes", info.message.len());
    let quoted = serde_json::to_string(&text).expect("a string serializes");
    assert_eq!(unwrap::unwrap_raw(quoted.as_bytes(), status), info, "a JSON string is its text");
    check_verdict(&CLASSIFIER.classify(info.clone(), &context), &info, &context);
    let raw = unwrap::unwrap_raw(body, status);
    assert!(raw.message.len() <= 4096);
    check_verdict(&CLASSIFIER.classify(raw.clone(), &context), &raw, &context);
    if !text.trim().is_empty() {
        let verdict = errlens::run::explain(&CLASSIFIER, &text, &context, status);
        assert_eq!(verdict, errlens::run::explain(&CLASSIFIER, &text, &context, status));
        check_explanation(&verdict);
    }
    let once = redact_text(&text);
    assert_eq!(redact_text(&once), once, "redaction is idempotent");
}

fn check_verdict(verdict: &Verdict, info: &unwrap::ErrorInfo, context: &Context<'_>) {
    assert_eq!(verdict, &CLASSIFIER.classify(info.clone(), context), "deterministic");
    assert!(verdict.evidence.windows(2).all(|w| w[0].0 <= w[1].0), "evidence sorted by name");
    assert_eq!(verdict.signature.is_some(), verdict.rule.is_none(), "signature iff no rule");
    let _ = CLASSIFIER.taxonomy().cause(verdict.cause);
}

fn check_explanation(verdict: &Verdict) {
    let cause = CLASSIFIER.taxonomy().cause(verdict.cause);
    let explanation = Explanation::new(cause, verdict);
    for format in [DocFormat::Text, DocFormat::Markdown, DocFormat::Json] {
        let mut out = Vec::new();
        playbook::render(&explanation, format, &mut out).expect("writing to memory");
        if matches!(format, DocFormat::Json) {
            serde_json::from_slice::<serde_json::Value>(&out).expect("explain's JSON is JSON");
        }
    }
}
