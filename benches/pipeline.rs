//! Throughput on a realistic log, the generated `samples/app-2026-11-21.jsonl`
//! (made by `examples/gen.rs`: 4,000 lines, 9% failures). Two groups:
//!
//! - `skim`: the skimmer alone, `errlens::parse::parse_line` over the sample's
//!   success lines (the hot path: every field picked, nothing allocated) and
//!   over all its lines, in bytes of lines per second;
//! - `pipeline`: the sample repeated to about 32 MB and written to a temporary
//!   file, so the real path (reads, chunks, rayon) is measured: parse only
//!   (chunks of the bytes in memory), and `analyze` (parse + classify +
//!   aggregate + report) on one thread and on two. Repeated failures hit the
//!   verdict cache: the cost of classifying new messages is measured by
//!   `benches/cardinality.py`;
//! - `repeated_failure`: `analyze` on one thread and on two over 32 MB of one
//!   failure repeated (an incident's 429s): every record a verdict cache
//!   hit, where each hit once took the same lock on both threads.
//!
//! `cargo bench --bench pipeline` (about a minute and a half of measuring);
//! `cargo bench --bench pipeline -- skim` for one group.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use errlens::classify::Classifier;
use errlens::config::{Config, DEFAULT_CHUNK_SIZE, Task};
use errlens::detect::{Format as InputFormat, Reading};
use errlens::input::{Chunk, DEFAULT_MAX_LINE, Source};
use errlens::parse::{Line, parse_line};
use errlens::pipeline::{Plan, parse_chunk};
use errlens::report::{Format, Style};

/// The binary's allocator, so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TARGET_BYTES: usize = 32 << 20;

/// The generated sample log.
fn sample() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/app-2026-11-21.jsonl"))
        .expect("samples/app-2026-11-21.jsonl is in the repository")
}

/// The sample repeated to about [`TARGET_BYTES`].
fn log_bytes() -> Vec<u8> {
    let sample = sample().into_bytes();
    sample.repeat(TARGET_BYTES.div_ceil(sample.len()))
}

/// Which parsed lines a bench reads.
type Keep = fn(&Line) -> bool;

/// Whether a parsed line is a successful request.
fn is_success(line: &Line) -> bool {
    matches!(line, Line::Record(r) if !r.is_failure())
}

/// The lines of `log` that `keep` selects once parsed, and their bytes.
fn lines_where(log: &str, keep: Keep) -> (Vec<&str>, u64) {
    let lines: Vec<&str> = log.lines().filter(|l| keep(&parse_line(l))).collect();
    let bytes = lines.iter().map(|l| l.len() as u64).sum();
    (lines, bytes)
}

/// The skimmer alone: `parse_line` over the sample's success lines, and over
/// all its lines.
fn skim(c: &mut Criterion) {
    let log = sample();
    let mut group = c.benchmark_group("skim");
    group.measurement_time(Duration::from_secs(4));
    let sets: [(&str, Keep); 2] =
        [("parse_line_successes", is_success), ("parse_line_all", |_| true)];
    for (name, keep) in sets {
        let (lines, bytes) = lines_where(&log, keep);
        assert!(lines.len() > 1000, "{name}: the sample has lines of this kind");
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(name, |b| {
            b.iter(|| {
                lines.iter().filter(|l| matches!(parse_line(black_box(l)), Line::Record(_))).count()
            })
        });
    }
    group.finish();
}

fn config(path: PathBuf, threads: usize) -> Config {
    Config {
        task: Task::Analyze {
            format: Format::Json,
            style: Style::default(),
            strict: false,
            every_minutes: None,
            breakdown: None,
            window: Default::default(),
            compare: Vec::new(),
            fail_on_new: false,
            fail_on: Vec::new(),
            max_error_rate: None,
            full: false,
            max_distinct: errlens::aggregate::DEFAULT_MAX_DISTINCT,
        },
        sources: vec![Source::File(path)],
        plan: Plan { threads, chunk_size: DEFAULT_CHUNK_SIZE, max_line: DEFAULT_MAX_LINE },
        rules: Vec::new(),
        input: Default::default(),
        progress: false,
        output: None,
        now: 1_795_305_600_000,
    }
}

/// `bytes` written to a temporary file named after `name`.
fn temp_log(name: &str, bytes: &[u8]) -> PathBuf {
    let file = format!("errlens-bench-{name}-{}.jsonl", std::process::id());
    let path = std::env::temp_dir().join(file);
    std::fs::write(&path, bytes).expect("temp file is writable");
    path
}

/// `analyze` of `path` on one thread and on two, in `group`.
fn analyze_threads(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    path: &std::path::Path,
    classifier: &Classifier,
) {
    for threads in [1, 2] {
        let config = config(path.to_path_buf(), threads);
        group.bench_function(format!("analyze_threads_{threads}"), |b| {
            b.iter(|| {
                errlens::run::analyze_report(&config, classifier, Default::default())
                    .expect("analyze runs")
            })
        });
    }
}

fn pipeline(c: &mut Criterion) {
    let bytes = log_bytes();
    let path = temp_log("mix", &bytes);
    let classifier = Classifier::new(&[], 1_795_305_600_000).expect("embedded rules compile");
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(bytes.len() as u64)).sample_size(10);
    group.bench_function("parse_only", |b| {
        b.iter(|| {
            let mut records = 0u64;
            parse_chunk(
                Chunk::new(&bytes, DEFAULT_MAX_LINE),
                &Reading::detected(InputFormat::Canonical),
                |_, line, _| records += u64::from(matches!(line, Line::Record(_))),
            );
            records
        })
    });
    analyze_threads(&mut group, &path, &classifier);
    group.finish();
    let _ = std::fs::remove_file(&path);
}

fn repeated_failure(c: &mut Criterion) {
    let sample = sample();
    let failure = sample
        .lines()
        .find(|l| matches!(parse_line(l), Line::Record(r) if r.is_failure()))
        .expect("the sample has failures");
    let bytes = format!("{failure}\n").repeat(TARGET_BYTES / (failure.len() + 1)).into_bytes();
    let path = temp_log("repeated", &bytes);
    let classifier = Classifier::new(&[], 1_795_305_600_000).expect("embedded rules compile");
    let mut group = c.benchmark_group("repeated_failure");
    group.throughput(Throughput::Bytes(bytes.len() as u64)).sample_size(10);
    analyze_threads(&mut group, &path, &classifier);
    group.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, skim, pipeline, repeated_failure);
criterion_main!(benches);
