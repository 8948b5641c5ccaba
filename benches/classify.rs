//! The cost of classifying a failure the verdict cache has not seen: real
//! messages carry varying numbers and ids, so on a large log most failures
//! are new to the cache and pay for unwrapping, the rule scan, evidence and
//! redaction in full.
//!
//! The failures are those of the generated `samples/app-2026-11-21.jsonl`
//! (made by `examples/gen.rs`), each repeated in variants whose longer
//! numbers and ids differ (token counts, limits, request ids), as the
//! generator's do. Two benches, each over [`VARIANTS`] x the sample's
//! failures: `unwrap_and_classify` (all a cache miss costs:
//! [`unwrap::unwrap_raw`] then [`Classifier::classify`]) and `rules_find` (the
//! rule scan alone, on unwrapped errors). Criterion's `thrpt` line is in
//! messages per second; the time per message is the `time` line divided by
//! the number of messages printed before the runs.
//!
//! `cargo bench --bench classify`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use errlens::classify::rules::RuleSet;
use errlens::classify::{Classifier, Context, ErrorInfo, unwrap};
use errlens::taxonomy::Taxonomy;
use serde_json::Value;

/// The binary's allocator, so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Variants of each failure of the sample.
const VARIANTS: usize = 8;

/// "Now" for judging retirement: the sample's day.
const NOW: i64 = 1_795_305_600_000;

/// One failure as a record holds it.
struct Failure {
    /// The raw JSON of the record's `error` value.
    error: Vec<u8>,
    status: Option<u16>,
    model: Option<String>,
    provider: Option<String>,
    endpoint: Option<String>,
}

/// Every failure of the sample, in [`VARIANTS`] variants each.
fn failures() -> Vec<Failure> {
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/app-2026-11-21.jsonl"
    ))
    .expect("samples/app-2026-11-21.jsonl is in the repository");
    let records: Vec<Value> = sample.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let mut out = Vec::new();
    for variant in 0..VARIANTS {
        for record in &records {
            let Some(error) = record.get("error").filter(|e| !e.is_null()) else { continue };
            let text = |k: &str| record.get(k).and_then(Value::as_str).map(str::to_string);
            out.push(Failure {
                error: vary_numbers(&error.to_string(), variant).into_bytes(),
                status: record.get("status").and_then(Value::as_u64).map(|s| s as u16),
                model: text("model"),
                provider: text("provider"),
                endpoint: text("endpoint"),
            });
        }
    }
    out
}

/// The text with each run of four or more digits shifted by `variant` (same
/// length, so the shapes stay those of the generator): token counts, limits
/// and the digits of ids differ between variants; statuses do not.
fn vary_numbers(text: &str, variant: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 4 {
            let shifted: String = digits
                .bytes()
                .enumerate()
                .map(|(i, d)| {
                    char::from(b'0' + ((d - b'0') as usize + variant * (i + 1)) as u8 % 10)
                })
                .collect();
            out.push_str(&shifted);
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// What a cache miss costs: unwrap, then classify.
fn classify_one(classifier: &Classifier, f: &Failure) -> usize {
    let info = unwrap::unwrap_raw(&f.error, f.status);
    let context = Context {
        model: f.model.as_deref(),
        provider: f.provider.as_deref(),
        endpoint: f.endpoint.as_deref(),
        ts: Some(NOW),
        headers: None,
        retry_after: None,
    };
    classifier.classify(info, &context).evidence.len()
}

fn classify(c: &mut Criterion) {
    let failures = failures();
    eprintln!("classify benches: {} messages per iteration", failures.len());
    let classifier = Classifier::new(&[], NOW).expect("embedded rules compile");
    let rules = RuleSet::compile(Taxonomy::get(), &[]).expect("embedded rules compile");
    let infos: Vec<(ErrorInfo, &Failure)> =
        failures.iter().map(|f| (unwrap::unwrap_raw(&f.error, f.status), f)).collect();
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Elements(failures.len() as u64)).sample_size(20);
    group.bench_function("unwrap_and_classify", |b| {
        b.iter(|| failures.iter().map(|f| classify_one(&classifier, black_box(f))).sum::<usize>())
    });
    group.bench_function("rules_find", |b| {
        b.iter(|| {
            infos
                .iter()
                .filter_map(|(info, f)| {
                    rules.find(black_box(info), f.provider.as_deref(), f.endpoint.as_deref())
                })
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, classify);
criterion_main!(benches);
