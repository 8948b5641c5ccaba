//! Throughput of the pipeline on a realistic log: the generated
//! `samples/app-2026-11-21.jsonl` (made by `examples/gen.rs`) repeated to about
//! 32 MB, written to a temporary file so the real path (reads, chunks, rayon) is
//! measured. Three benches: parse only, and parse + classify +
//! aggregate on one thread and on two.
//!
//! `cargo bench --bench pipeline`

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use errlens::classify::Classifier;
use errlens::config::{Config, DEFAULT_CHUNK_SIZE, Task};
use errlens::detect::{Format as InputFormat, Reading};
use errlens::input::{Chunk, DEFAULT_MAX_LINE, Source};
use errlens::parse::Line;
use errlens::pipeline::{Plan, parse_chunk};
use errlens::report::{Format, Style};

const TARGET_BYTES: usize = 32 << 20;

fn log_bytes() -> Vec<u8> {
    let sample =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/app-2026-11-21.jsonl"))
            .expect("samples/app-2026-11-21.jsonl is in the repository");
    sample.repeat(TARGET_BYTES.div_ceil(sample.len()))
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

fn pipeline(c: &mut Criterion) {
    let bytes = log_bytes();
    let path = std::env::temp_dir().join(format!("errlens-bench-{}.jsonl", std::process::id()));
    std::fs::write(&path, &bytes).expect("temp file is writable");
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
    for threads in [1, 2] {
        let config = config(path.clone(), threads);
        group.bench_function(format!("analyze_threads_{threads}"), |b| {
            b.iter(|| {
                errlens::run::analyze_report(&config, &classifier, Default::default())
                    .expect("analyze runs")
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
