//! The driver: reads each source, cuts it into chunks, runs a [`Job`] on every
//! chunk (on rayon's pool, or in order when `--threads 1`: the same code either
//! way) and hands the results back in input order with their first line
//! number, so that `file:line` places are exact however the work was split.
//!
//! Every source (plain file, decoder, stdin) is read on a thread of its own
//! that fills chunks into buffers and sends them through a short bounded
//! channel. Each chunk goes to a worker as soon as one is free (a few per
//! worker at most), results are absorbed in input order as they come back,
//! and each buffer then goes back to a free list for the next chunks and the
//! next files: memory stays at a few chunks per worker, and a run of many
//! small files does not allocate (or fault in) a buffer per file.
//!
//! An input that ends early (a cut or corrupt `.gz`, a file truncated while
//! read, a read error) keeps the lines read before, and its file row, stderr
//! and the exit code say so.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel, sync_channel};
use std::sync::{Mutex, PoisonError};

use crate::detect::{self, Format, Reading};
use crate::input::{self, Buffer, Chunk, ChunkReader, Compression, Source, for_each_line};
use crate::parse::{Line, Malformed, parse_bytes};
use crate::report::model::FileRow;

/// Work done on one chunk of whole lines.
pub trait Job: Sync {
    /// What one chunk yields.
    type Out: Send;
    /// Processes the lines of a chunk of file `file`, read as `reading` says;
    /// returns the number of lines and the result (line numbers in it are
    /// relative to the chunk).
    fn chunk(&self, file: u32, reading: &Reading<'_>, chunk: Chunk<'_>) -> (u64, Self::Out);
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
    /// Chunks handed to the workers and not yet absorbed: enough to keep each
    /// worker busy while the results before come back in order; bounded
    /// because their buffers (and `classify`'s output) are held meanwhile.
    fn in_flight(&self) -> usize {
        self.threads * 2
    }

    /// Chunks the reader may have ready ahead of the workers: reading is
    /// much faster than parsing, so a few are enough.
    fn read_ahead(&self) -> usize {
        self.threads + 1
    }
}

/// What every chunk of a run shares: the plan, the job, the workers and the
/// free list of buffers (reused across files, so a run of many small files
/// does not allocate, or fault in, a buffer per file).
struct Run<'r, J> {
    plan: Plan,
    job: &'r J,
    pool: Option<rayon::ThreadPool>,
    free: Mutex<Vec<Buffer>>,
    progress: &'r crate::progress::Progress,
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
    let run = Run { plan, job, pool, free: Mutex::new(Vec::new()), progress };
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
        match input::open(source) {
            Err(e) => row.error = Some(e.to_string()),
            Ok(opened) => {
                row.compression = compression_name(opened.compression).to_string();
                let mut lines = 0;
                let (format, failed) = run.source(opened.reader, file, forced, |n, out| {
                    absorb(file, lines, out)?;
                    lines += n;
                    Ok(())
                })?;
                row.format = format.name().to_string();
                row.lines = lines;
                row.error = failed.map(|e| read_error(&e, opened.compression, lines));
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

/// The reading thread: chunks into buffers from the free list, until the
/// input ends or the consumer stops listening.
fn read(
    plan: Plan,
    free: &Mutex<Vec<Buffer>>,
    reader: Box<dyn std::io::Read + Send>,
    stop: Arc<AtomicBool>,
    tx: std::sync::mpsc::SyncSender<FromReader>,
) {
    let mut chunks = ChunkReader::new(reader, plan.chunk_size, plan.max_line).stop_on(stop);
    loop {
        let spare = free.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut buf = spare.unwrap_or_default();
        let Some(read) = chunks.next_into(&mut buf) else {
            return give_back(free, buf);
        };
        if tx.send(read.map(|()| buf)).is_err() {
            return;
        }
    }
}

fn give_back(free: &Mutex<Vec<Buffer>>, buf: Buffer) {
    free.lock().unwrap_or_else(PoisonError::into_inner).push(buf);
}

/// What the reader sends: a chunk, or the error that ended the input.
type FromReader = std::io::Result<Buffer>;

/// A chunk's result on its way back from a worker, with its index and
/// buffer; a panic in the job travels back as such.
type Done<O> = (usize, Buffer, std::thread::Result<(u64, O)>);

impl<J: Job> Run<'_, J> {
    /// Reads one source on a thread of its own and runs the job on its
    /// chunks; `absorb(lines, out)` gets the results in order. Returns the
    /// format (detected from the first chunk unless `forced`: the prior its
    /// records are read with) and the read error that ended the input early,
    /// if any.
    fn source<'f>(
        &self,
        reader: Box<dyn std::io::Read + Send>,
        file: u32,
        forced: Option<Format<'f>>,
        mut absorb: impl FnMut(u64, J::Out) -> std::io::Result<()>,
    ) -> std::io::Result<(Format<'f>, Option<std::io::Error>)> {
        let (tx, rx) = sync_channel::<FromReader>(self.plan.read_ahead());
        let stop = Arc::new(AtomicBool::new(false));
        let reader_stop = Arc::clone(&stop);
        std::thread::scope(|scope| {
            let (plan, free) = (self.plan, &self.free);
            scope.spawn(move || read(plan, free, reader, reader_stop, tx));
            let first = rx.recv().ok();
            let bytes = match &first {
                Some(Ok(buf)) => buf.chunk(self.plan.max_line).bytes,
                _ => &[][..],
            };
            let reading = match forced {
                Some(format) => Reading::forced(format),
                None => Reading::detected(detect::detect(bytes)),
            };
            let result = match &self.pool {
                Some(pool) => self.pooled(pool, first, &rx, file, &reading, &mut absorb),
                None => self.in_order(first, &rx, file, &reading, &mut absorb),
            };
            stop.store(true, Ordering::Relaxed);
            drop(rx);
            result.map(|failed| (reading.format, failed))
        })
    }

    /// Hands a processed chunk's result on, counts it, and frees its buffer.
    fn absorb_one(
        &self,
        buf: Buffer,
        (lines, out): (u64, J::Out),
        absorb: &mut impl FnMut(u64, J::Out) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.progress.advance(buf.chunk(self.plan.max_line).bytes.len() as u64, lines);
        absorb(lines, out)?;
        give_back(&self.free, buf);
        Ok(())
    }

    /// One thread: each chunk is processed and absorbed as it comes.
    fn in_order(
        &self,
        mut next: Option<FromReader>,
        rx: &Receiver<FromReader>,
        file: u32,
        reading: &Reading<'_>,
        absorb: &mut impl FnMut(u64, J::Out) -> std::io::Result<()>,
    ) -> std::io::Result<Option<std::io::Error>> {
        loop {
            match next.take().or_else(|| rx.recv().ok()) {
                None => return Ok(None),
                Some(Err(e)) => return Ok(Some(e)),
                Some(Ok(buf)) => {
                    let out = self.job.chunk(file, reading, buf.chunk(self.plan.max_line));
                    self.absorb_one(buf, out, absorb)?;
                }
            }
        }
    }

    /// The pool: each chunk is handed to a worker as it comes (no batch
    /// waits for its slowest chunk), with at most [`Plan::in_flight`] out at
    /// a time; results are absorbed in input order as they come back.
    fn pooled(
        &self,
        pool: &rayon::ThreadPool,
        mut next: Option<FromReader>,
        rx: &Receiver<FromReader>,
        file: u32,
        reading: &Reading<'_>,
        absorb: &mut impl FnMut(u64, J::Out) -> std::io::Result<()>,
    ) -> std::io::Result<Option<std::io::Error>> {
        let (done_tx, done_rx) = channel::<Done<J::Out>>();
        let (job, plan) = (self.job, self.plan);
        pool.in_place_scope_fifo(|scope| {
            let mut waiting: BTreeMap<usize, (Buffer, (u64, J::Out))> = BTreeMap::new();
            let (mut sent, mut absorbed, mut ended) = (0, 0, None);
            loop {
                while ended.is_none() && sent - absorbed < plan.in_flight() {
                    match next.take().or_else(|| rx.recv().ok()) {
                        None => ended = Some(None),
                        Some(Err(e)) => ended = Some(Some(e)),
                        Some(Ok(buf)) => {
                            let done = done_tx.clone();
                            scope.spawn_fifo(move |_| {
                                let work = || job.chunk(file, reading, buf.chunk(plan.max_line));
                                let out = std::panic::catch_unwind(AssertUnwindSafe(work));
                                let _ = done.send((sent, buf, out));
                            });
                            sent += 1;
                        }
                    }
                }
                if absorbed == sent {
                    return Ok(ended.flatten());
                }
                let (index, buf, out) = done_rx.recv().expect("a worker sends every chunk back");
                let out = out.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                waiting.insert(index, (buf, out));
                while let Some((buf, out)) = waiting.remove(&absorbed) {
                    self.absorb_one(buf, out, absorb)?;
                    absorbed += 1;
                }
            }
        })
    }
}

/// Walks a chunk's lines, parsed: `f(line_number, item, first)`, where
/// `first` is false for the second and later items of one line (OTLP spans,
/// the records of an Azure envelope). Each line is read by the layout it
/// fits, `reading`'s format first ([`detect::read`]): canonical lines are
/// parsed in place, validating UTF-8 once for the whole chunk; others are
/// translated. A line too long to read is malformed `line_too_long`; the last
/// line of an input, when it has no line end and does not parse, was cut
/// short (`incomplete_last_line`).
pub fn parse_chunk(
    chunk: Chunk<'_>,
    reading: &Reading<'_>,
    mut f: impl FnMut(u64, Line<'_>, bool),
) -> u64 {
    let (body, last) = chunk.split_last();
    let canonical = reading.reads_canonical();
    let mut lines = match std::str::from_utf8(body) {
        Ok(text) if canonical => for_each_line(body, |line_no, line| {
            if chunk.too_long(line) {
                return f(line_no, Line::Malformed(Malformed::LineTooLong), true);
            }
            // Lines of valid UTF-8 split at `\n` are valid UTF-8.
            let start = line.as_ptr() as usize - body.as_ptr() as usize;
            let text = &text[start..start + line.len()];
            detect::read::text_line(reading, text, &mut |item, first| f(line_no, item, first));
        }),
        _ => for_each_line(body, |line_no, line| one_line(chunk, reading, line_no, line, &mut f)),
    };
    if let Some(line) = last {
        lines += 1;
        if !chunk.too_long(line) && cut_short(line) {
            f(lines, Line::Malformed(Malformed::IncompleteLastLine), true);
        } else {
            one_line(chunk, reading, lines, line, &mut f);
        }
    }
    lines
}

/// One line of any reading, by itself.
fn one_line(
    chunk: Chunk<'_>,
    reading: &Reading<'_>,
    line_no: u64,
    line: &[u8],
    f: &mut impl FnMut(u64, Line<'_>, bool),
) {
    if chunk.too_long(line) {
        return f(line_no, Line::Malformed(Malformed::LineTooLong), true);
    }
    detect::read::line(reading, line, &mut |item, first| f(line_no, item, first));
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

        fn chunk(&self, _file: u32, reading: &Reading<'_>, chunk: Chunk<'_>) -> (u64, ()) {
            if !self.done.swap(true, Ordering::Relaxed) {
                let file = std::fs::OpenOptions::new().write(true).open(&self.path).unwrap();
                file.set_len(0).unwrap();
            }
            (parse_chunk(chunk, reading, |_, _, _| {}), ())
        }
    }

    #[test]
    fn a_file_truncated_while_read_is_reported_with_the_lines_read() {
        let path =
            std::env::temp_dir().join(format!("errlens-shrink-{}.jsonl", std::process::id()));
        std::fs::write(&path, "{\"status\":200}\n".repeat(200_000)).unwrap();
        let job = Truncating { path: path.clone(), done: AtomicBool::new(false) };
        // The reader runs a few 4 KB chunks (after a first chunk of 64 KB)
        // ahead of the workers: far from the end of 3 MB.
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

    /// Panics on the third chunk it sees.
    struct Panicking(std::sync::atomic::AtomicUsize);

    impl Job for Panicking {
        type Out = u64;

        fn chunk(&self, _file: u32, reading: &Reading<'_>, chunk: Chunk<'_>) -> (u64, u64) {
            assert_ne!(self.0.fetch_add(1, Ordering::Relaxed), 2, "the third chunk");
            let lines = parse_chunk(chunk, reading, |_, _, _| {});
            (lines, lines)
        }
    }

    #[test]
    fn results_come_back_in_order_and_a_panic_is_not_a_hang() {
        let path = std::env::temp_dir().join(format!("errlens-order-{}.jsonl", std::process::id()));
        let lines: String =
            (0..20_000).map(|i| format!("{{\"status\":{}}}\n", 200 + i % 300)).collect();
        std::fs::write(&path, lines).unwrap();
        let sources = [Source::File(path.clone())];
        let progress = crate::progress::Progress::off();
        let plan = Plan { threads: 3, chunk_size: 1000, max_line: 1 << 20 };
        let job = Panicking(std::sync::atomic::AtomicUsize::new(3));
        let mut firsts = Vec::new();
        drive(&sources, plan, &job, None, &progress, |_, first, n| {
            firsts.push((first, n));
            Ok(())
        })
        .unwrap();
        assert!(firsts.windows(2).all(|w| w[0].0 + w[0].1 == w[1].0), "in order, none lost");
        assert_eq!(firsts.last().map(|l| l.0 + l.1), Some(20_000));
        let job = Panicking(std::sync::atomic::AtomicUsize::new(0));
        let run = std::panic::catch_unwind(AssertUnwindSafe(|| {
            drive(&sources, plan, &job, None, &progress, |_, _, _| Ok(()))
        }));
        let _ = std::fs::remove_file(&path);
        assert!(run.is_err(), "the worker's panic reaches the caller");
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
