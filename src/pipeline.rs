//! The driver: reads each source, cuts it into chunks, runs a [`Job`] on every
//! chunk (on rayon's pool, or in order when `--threads 1`: the same code either
//! way) and hands the results back in input order with their first line
//! number, so that `file:line` places are exact however the work was split.
//!
//! Plain files are memory-mapped and chunked in place. Compressed input and
//! stdin are decoded on a thread of their own that feeds owned chunks through a
//! bounded channel while the workers parse the previous window.

use std::sync::mpsc::{Receiver, sync_channel};

use rayon::prelude::*;

use crate::detect::{self, Format};
use crate::input::{self, Compression, Opened, Source, StreamChunks, for_each_line};
use crate::parse::{Line, parse_bytes, parse_line};
use crate::report::model::FileRow;

/// Work done on one chunk of whole lines.
pub trait Job: Sync {
    /// What one chunk yields.
    type Out: Send;
    /// Processes the lines of a chunk of file `file`, in `format`; returns the
    /// number of lines and the result (line numbers in it are relative to the
    /// chunk).
    fn chunk(&self, file: u32, format: &Format<'_>, bytes: &[u8]) -> (u64, Self::Out);
}

/// How the driver splits work.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Worker threads; 1 runs everything in order on the calling thread.
    pub threads: usize,
    /// Target chunk size in bytes.
    pub chunk_size: usize,
}

impl Plan {
    /// Chunks handed out per window. Workers idle at the end of each window
    /// while the slowest chunk finishes, so windows are long; they are bounded
    /// because `classify` holds a window's output in memory.
    fn window(&self) -> usize {
        self.threads * 4
    }
}

/// Runs `job` over every source; `absorb(file, first_line, out)` receives the
/// chunk results in input order (`first_line` is the number of lines before the
/// chunk in its file). Returns one row per file; read errors end that file
/// (its row says why) and the run goes on.
pub fn drive<J: Job>(
    sources: &[Source],
    plan: Plan,
    job: &J,
    forced: Option<Format<'_>>,
    progress: &crate::progress::Progress,
    mut absorb: impl FnMut(u32, u64, J::Out) -> std::io::Result<()>,
) -> crate::error::Result<Vec<FileRow>> {
    let pool = (plan.threads > 1)
        .then(|| rayon::ThreadPoolBuilder::new().num_threads(plan.threads).build())
        .transpose()
        .map_err(|e| {
            crate::error::Error::Usage(format!("cannot start {} threads: {e}", plan.threads))
        })?;
    let run = |chunks: &[&[u8]], file: u32, format: &Format<'_>| -> Vec<(u64, J::Out)> {
        let outs: Vec<(u64, J::Out)> = match &pool {
            Some(pool) => {
                pool.install(|| chunks.par_iter().map(|c| job.chunk(file, format, c)).collect())
            }
            None => chunks.iter().map(|c| job.chunk(file, format, c)).collect(),
        };
        let bytes: usize = chunks.iter().map(|c| c.len()).sum();
        progress.advance(bytes as u64, outs.iter().map(|o| o.0).sum());
        outs
    };
    let mut rows = Vec::with_capacity(sources.len());
    for (index, source) in sources.iter().enumerate() {
        let file = index as u32;
        let mut row = FileRow {
            path: source.name(),
            format: "canonical".to_string(),
            compression: "none".to_string(),
            lines: 0,
            error: None,
        };
        let mut feed = |outs: Vec<(u64, J::Out)>, row: &mut FileRow| -> std::io::Result<()> {
            for (lines, out) in outs {
                absorb(file, row.lines, out)?;
                row.lines += lines;
            }
            Ok(())
        };
        match input::open(source) {
            Err(e) => row.error = Some(e.to_string()),
            Ok(Opened::Stream(reader, compression)) => {
                row.compression = compression_name(compression).to_string();
                let mut format = forced;
                let rx_error = stream(reader, plan, |chunks| {
                    let fmt = *format.get_or_insert_with(|| {
                        detect::detect(chunks.first().copied().unwrap_or_default())
                    });
                    row.format = fmt.name().to_string();
                    feed(run(&chunks, file, &fmt), &mut row)
                })?;
                row.error = rx_error;
            }
            Ok(opened) => {
                let bytes = input::strip_bom(opened.bytes().unwrap_or_default());
                let format = forced.unwrap_or_else(|| {
                    detect::detect(&bytes[..bytes.len().min(plan.chunk_size.max(1 << 16))])
                });
                row.format = format.name().to_string();
                for window in input::split_chunks(bytes, plan.chunk_size).chunks(plan.window()) {
                    feed(run(window, file, &format), &mut row)?;
                }
                if bytes.len() >= DISCARD_BYTES {
                    discard(opened);
                }
            }
        }
        rows.push(row);
    }
    progress.finish();
    Ok(rows)
}

/// Maps at least this large are unmapped by [`discard`] (~20 ms per 400 MB);
/// smaller ones are not worth a thread.
const DISCARD_BYTES: usize = 64 << 20;

/// Drops `value` on a thread of its own. Unmapping a large file or freeing a
/// cache of tens of thousands of verdicts takes tens of milliseconds that the
/// report does not need to wait for (and that exiting does not wait for).
pub fn discard<T: Send + 'static>(value: T) {
    // Should no thread start, the value comes back in the error and is
    // dropped here.
    let _ = std::thread::Builder::new().name("discard".into()).spawn(move || drop(value));
}

fn compression_name(c: Compression) -> &'static str {
    match c {
        Compression::None => "none",
        Compression::Gzip => "gzip",
        Compression::Zstd => "zstd",
    }
}

/// Decodes `reader` on a thread of its own and calls `each` with windows of
/// chunks. Returns the read error that ended the stream early, if any.
fn stream(
    reader: Box<dyn std::io::Read + Send>,
    plan: Plan,
    mut each: impl FnMut(Vec<&[u8]>) -> std::io::Result<()>,
) -> std::io::Result<Option<String>> {
    let (tx, rx) = sync_channel::<std::io::Result<Vec<u8>>>(plan.window());
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for chunk in StreamChunks::new(reader, plan.chunk_size) {
                if tx.send(chunk).is_err() {
                    break;
                }
            }
        });
        let result = consume(&rx, plan.window(), &mut each);
        drop(rx);
        result
    })
}

fn consume(
    rx: &Receiver<std::io::Result<Vec<u8>>>,
    window: usize,
    each: &mut impl FnMut(Vec<&[u8]>) -> std::io::Result<()>,
) -> std::io::Result<Option<String>> {
    loop {
        let mut owned = Vec::with_capacity(window);
        let mut error = None;
        for chunk in rx.iter() {
            match chunk {
                Ok(c) => owned.push(c),
                Err(e) => {
                    error = Some(e.to_string());
                    break;
                }
            }
            if owned.len() == window {
                break;
            }
        }
        let done = owned.len() < window || error.is_some();
        each(owned.iter().map(Vec::as_slice).collect())?;
        if done {
            return Ok(error);
        }
    }
}

/// Walks a chunk's lines, parsed: `f(line_number, parsed, first)`, where
/// `first` is false for the second and later records of one line (OTLP lines
/// hold several spans). Canonical lines are parsed in place, validating UTF-8
/// once for the whole chunk; other formats are translated line by line.
pub fn parse_chunk(
    bytes: &[u8],
    format: &Format<'_>,
    mut f: impl FnMut(u64, Line<'_>, bool),
) -> u64 {
    match (format, std::str::from_utf8(bytes)) {
        (Format::Canonical | Format::Unknown, Ok(text)) => for_each_line(bytes, |line_no, line| {
            // Lines of valid UTF-8 split at `\n` are valid UTF-8.
            let start = line.as_ptr() as usize - bytes.as_ptr() as usize;
            f(line_no, parse_line(&text[start..start + line.len()]), true)
        }),
        (Format::Canonical | Format::Unknown, Err(_)) => {
            for_each_line(bytes, |line_no, line| f(line_no, parse_bytes(line), true))
        }
        (adapted, _) => {
            for_each_line(bytes, |line_no, line| adapt_line(adapted, line_no, line, &mut f))
        }
    }
}

/// One line of an adapted format: blank and malformed lines as such, else
/// each record it holds translated to a canonical line and parsed.
fn adapt_line(
    format: &Format<'_>,
    line_no: u64,
    line: &[u8],
    f: &mut impl FnMut(u64, Line<'_>, bool),
) {
    // The skimmer decides blank and malformed lines (and their reasons), as for
    // canonical input; only records go on to serde_json and the mapping.
    let checked = parse_bytes(line);
    if !matches!(checked, Line::Record(_)) {
        return f(line_no, checked, true);
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(line) else {
        return f(line_no, Line::Malformed(crate::parse::Malformed::InvalidJson), true);
    };
    let records = match format {
        Format::Otlp => crate::parse::adapt::otlp_spans(&value),
        Format::Mapped(m) => vec![m.translate(&value)],
        Format::Canonical | Format::Unknown => Vec::new(),
    };
    if records.is_empty() {
        return f(line_no, Line::Aside(crate::parse::Aside::Unrecognized), true);
    }
    for (i, record) in records.into_iter().enumerate() {
        let text = serde_json::Value::Object(record).to_string();
        f(line_no, parse_line(&text), i == 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discard_drops_the_value_on_another_thread() {
        struct Signal(std::sync::mpsc::Sender<std::thread::ThreadId>);
        impl Drop for Signal {
            fn drop(&mut self) {
                let _ = self.0.send(std::thread::current().id());
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        discard(Signal(tx));
        let dropped_on = rx.recv_timeout(std::time::Duration::from_secs(10)).expect("dropped");
        assert_ne!(dropped_on, std::thread::current().id());
    }
}
