//! The driver: reads each source, cuts it into chunks, runs a [`Job`] on every
//! chunk (on rayon's pool, or in order when `--threads 1`: the same code either
//! way) and hands the results back in input order with their first line
//! number, so that `file:line` places are exact however the work was split.
//!
//! Every source (plain file, decoder, stdin) is read on a thread of its own
//! that fills chunks into buffers and sends them through a bounded channel
//! while the workers parse the previous window; the buffers go back to a free
//! list once their window is done, for the next chunks and the next files, so
//! memory stays at two windows of chunks and a run of many small files does
//! not allocate (or zero) a buffer per file.
//!
//! An input that ends early (a cut or corrupt `.gz`, a file truncated while
//! read, a read error) keeps the lines read before, and its file row, stderr
//! and the exit code say so.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use crate::detect::{self, Format};
use crate::input::{self, Buffer, Chunk, ChunkReader, Compression, Source, for_each_line};
use crate::parse::{Line, Malformed, parse_bytes, parse_line};
use crate::report::model::FileRow;

/// Work done on one chunk of whole lines.
pub trait Job: Sync {
    /// What one chunk yields.
    type Out: Send;
    /// Processes the lines of a chunk of file `file`, in `format`; returns the
    /// number of lines and the result (line numbers in it are relative to the
    /// chunk).
    fn chunk(&self, file: u32, format: &Format<'_>, chunk: Chunk<'_>) -> (u64, Self::Out);
}

/// How the driver splits work.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Worker threads; 1 runs everything in order on the calling thread.
    pub threads: usize,
    /// Target chunk size in bytes.
    pub chunk_size: usize,
    /// The longest line read; longer ones are malformed `line_too_long`.
    pub max_line: usize,
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
/// (its row says why, as does a line on stderr) and the run goes on.
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
    let run = |chunks: &[Chunk<'_>], file: u32, format: &Format<'_>| -> Vec<(u64, J::Out)> {
        let outs: Vec<(u64, J::Out)> = match &pool {
            Some(pool) => {
                pool.install(|| chunks.par_iter().map(|c| job.chunk(file, format, *c)).collect())
            }
            None => chunks.iter().map(|c| job.chunk(file, format, *c)).collect(),
        };
        let bytes: usize = chunks.iter().map(|c| c.bytes.len()).sum();
        progress.advance(bytes as u64, outs.iter().map(|o| o.0).sum());
        outs
    };
    let free = Mutex::new(Vec::new());
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
            Ok(opened) => {
                row.compression = compression_name(opened.compression).to_string();
                let mut format = forced;
                let failed = read_chunks(opened.reader, plan, &free, |chunks| {
                    let fmt = *format.get_or_insert_with(|| {
                        detect::detect(chunks.first().map_or(&[][..], |c| c.bytes))
                    });
                    row.format = fmt.name().to_string();
                    feed(run(chunks, file, &fmt), &mut row)
                })?;
                row.error = failed.map(|e| read_error(&e, opened.compression, row.lines));
            }
        }
        if let Some(error) = &row.error {
            progress.finish();
            crate::message::warn(format_args!("{}: {error}", row.path));
        }
        rows.push(row);
    }
    progress.finish();
    Ok(rows)
}

/// What the file row and stderr say of a read that ended early, after `lines`.
fn read_error(e: &std::io::Error, compression: Compression, lines: u64) -> String {
    let name = compression_name(compression);
    if input::is_shrink(e) {
        format!("file shrank while being read (truncated after {lines} lines)")
    } else if compression == Compression::None || e.raw_os_error().is_some() {
        format!("read error after {lines} lines: {e}")
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof {
        format!("incomplete {name} stream after {lines} lines")
    } else {
        format!("corrupt {name} stream after {lines} lines ({e})")
    }
}

/// Drops `value` on a thread of its own. Freeing a cache of tens of
/// thousands of verdicts takes tens of milliseconds that the report does not
/// need to wait for (and that exiting does not wait for).
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

/// Reads `reader` on a thread of its own and calls `each` with windows of
/// chunks. Returns the read error that ended the input early, if any.
fn read_chunks(
    reader: Box<dyn std::io::Read + Send>,
    plan: Plan,
    free: &Mutex<Vec<Buffer>>,
    mut each: impl FnMut(&[Chunk<'_>]) -> std::io::Result<()>,
) -> std::io::Result<Option<std::io::Error>> {
    let (tx, rx) = sync_channel::<std::io::Result<Buffer>>(plan.window());
    let stop = Arc::new(AtomicBool::new(false));
    let reader_stop = Arc::clone(&stop);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut chunks =
                ChunkReader::new(reader, plan.chunk_size, plan.max_line).stop_on(reader_stop);
            loop {
                let popped = free.lock().unwrap_or_else(PoisonError::into_inner).pop();
                let mut buf = popped.unwrap_or_default();
                let Some(read) = chunks.next_into(&mut buf) else {
                    free.lock().unwrap_or_else(PoisonError::into_inner).push(buf);
                    break;
                };
                if tx.send(read.map(|()| buf)).is_err() {
                    break;
                }
            }
        });
        let result = consume(&rx, plan, free, &mut each);
        stop.store(true, Ordering::Relaxed);
        drop(rx);
        result
    })
}

/// Takes windows of chunks from the reader, hands each to `each`, and puts
/// the buffers back on the free list.
fn consume(
    rx: &Receiver<std::io::Result<Buffer>>,
    plan: Plan,
    free: &Mutex<Vec<Buffer>>,
    each: &mut impl FnMut(&[Chunk<'_>]) -> std::io::Result<()>,
) -> std::io::Result<Option<std::io::Error>> {
    let window = plan.window();
    loop {
        let mut owned = Vec::with_capacity(window);
        let mut error = None;
        for chunk in rx.iter() {
            match chunk {
                Ok(c) => owned.push(c),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
            if owned.len() == window {
                break;
            }
        }
        let done = owned.len() < window || error.is_some();
        let chunks: Vec<Chunk<'_>> = owned.iter().map(|b| b.chunk(plan.max_line)).collect();
        each(&chunks)?;
        drop(chunks);
        free.lock().unwrap_or_else(PoisonError::into_inner).extend(owned);
        if done {
            return Ok(error);
        }
    }
}

/// Walks a chunk's lines, parsed: `f(line_number, parsed, first)`, where
/// `first` is false for the second and later records of one line (OTLP lines
/// hold several spans). Canonical lines are parsed in place, validating UTF-8
/// once for the whole chunk; other formats are translated line by line. A
/// line too long to read is malformed `line_too_long`; the last line of an
/// input, when it has no line end and does not parse, was cut short
/// (`incomplete_last_line`).
pub fn parse_chunk(
    chunk: Chunk<'_>,
    format: &Format<'_>,
    mut f: impl FnMut(u64, Line<'_>, bool),
) -> u64 {
    let (body, last) = chunk.split_last();
    let mut lines = match (format, std::str::from_utf8(body)) {
        (Format::Canonical | Format::Unknown, Ok(text)) => for_each_line(body, |line_no, line| {
            if chunk.too_long(line) {
                return f(line_no, Line::Malformed(Malformed::LineTooLong), true);
            }
            // Lines of valid UTF-8 split at `\n` are valid UTF-8.
            let start = line.as_ptr() as usize - body.as_ptr() as usize;
            f(line_no, parse_line(&text[start..start + line.len()]), true)
        }),
        _ => for_each_line(body, |line_no, line| one_line(chunk, format, line_no, line, &mut f)),
    };
    if let Some(line) = last {
        lines += 1;
        if !chunk.too_long(line) && cut_short(line) {
            f(lines, Line::Malformed(Malformed::IncompleteLastLine), true);
        } else {
            one_line(chunk, format, lines, line, &mut f);
        }
    }
    lines
}

/// One line of any format, by itself.
fn one_line(
    chunk: Chunk<'_>,
    format: &Format<'_>,
    line_no: u64,
    line: &[u8],
    f: &mut impl FnMut(u64, Line<'_>, bool),
) {
    if chunk.too_long(line) {
        return f(line_no, Line::Malformed(Malformed::LineTooLong), true);
    }
    match format {
        Format::Canonical | Format::Unknown => f(line_no, parse_bytes(line), true),
        adapted => adapt_line(adapted, line_no, line, f),
    }
}

/// Whether a last line without its line end is a line cut short: not JSON,
/// or UTF-8 that stops in the middle of a character.
fn cut_short(line: &[u8]) -> bool {
    match parse_bytes(line) {
        Line::Malformed(Malformed::InvalidJson) => true,
        Line::Malformed(Malformed::InvalidUtf8) => {
            std::str::from_utf8(line).is_err_and(|e| e.error_len().is_none())
        }
        _ => false,
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
    let line = crate::parse::strip_bom(line);
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(line) else {
        return f(line_no, Line::Malformed(Malformed::InvalidJson), true);
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

    /// Counts lines, and truncates a file when it sees the first chunk.
    struct Truncating {
        path: std::path::PathBuf,
        done: AtomicBool,
    }

    impl Job for Truncating {
        type Out = ();

        fn chunk(&self, _file: u32, format: &Format<'_>, chunk: Chunk<'_>) -> (u64, ()) {
            if !self.done.swap(true, Ordering::Relaxed) {
                let file = std::fs::OpenOptions::new().write(true).open(&self.path).unwrap();
                file.set_len(0).unwrap();
            }
            (parse_chunk(chunk, format, |_, _, _| {}), ())
        }
    }

    #[test]
    fn a_file_truncated_while_read_is_reported_with_the_lines_read() {
        let path =
            std::env::temp_dir().join(format!("errlens-shrink-{}.jsonl", std::process::id()));
        std::fs::write(&path, "{\"status\":200}\n".repeat(200_000)).unwrap();
        let job = Truncating { path: path.clone(), done: AtomicBool::new(false) };
        // The reader runs at most two windows of 4 KB chunks (after a first
        // chunk of 64 KB) ahead of the workers: far from the end of 3 MB.
        let plan = Plan { threads: 1, chunk_size: 4096, max_line: 1 << 20 };
        let progress = crate::progress::Progress::off();
        let sources = [Source::File(path.clone())];
        let rows = drive(&sources, plan, &job, None, &progress, |_, _, ()| Ok(())).unwrap();
        let _ = std::fs::remove_file(&path);
        let lines = rows[0].lines;
        assert!(lines > 0 && lines < 100_000, "{lines}");
        let want = format!("file shrank while being read (truncated after {lines} lines)");
        assert_eq!(rows[0].error.as_deref(), Some(want.as_str()));
    }

    #[test]
    fn read_errors_say_what_ended_the_input() {
        use std::io::{Error, ErrorKind};
        let eof = Error::new(ErrorKind::UnexpectedEof, "incomplete deflate stream");
        assert_eq!(read_error(&eof, Compression::Gzip, 7), "incomplete gzip stream after 7 lines");
        let bad = Error::other("Data corruption detected");
        assert_eq!(
            read_error(&bad, Compression::Zstd, 0),
            "corrupt zstd stream after 0 lines (Data corruption detected)"
        );
        let io = Error::from_raw_os_error(5);
        assert!(read_error(&io, Compression::Gzip, 3).starts_with("read error after 3 lines: "));
    }
}
