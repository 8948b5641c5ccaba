//! Cutting a stream of bytes into chunks of whole lines, and lines out of a
//! chunk.
//!
//! [`ChunkReader`] reads (plain files, decoders, stdin alike) into [`Buffer`]s
//! that the driver hands back for reuse, so reading allocates nothing once the
//! first windows are out. A chunk ends right after a `\n` (or at the end of
//! the input): after the last `\n` within the target size, else after the
//! first one past it, so no line is split between two workers and chunking
//! does not depend on how the bytes arrived.
//!
//! Memory stays bounded on any input: a line longer than the cap
//! ([`DEFAULT_MAX_LINE`]) is not kept. The reader leaves an empty line in its
//! place, remembers where, and drops the bytes up to the line's `\n`;
//! [`Chunk::too_long`] then reports it (and any line longer than the cap that
//! arrived whole), so the line is counted as `line_too_long` whatever the
//! chunk size.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use memchr::{memchr, memchr_iter, memrchr};

/// The longest line read, in bytes: longer ones are malformed `line_too_long`.
pub const DEFAULT_MAX_LINE: usize = 64 << 20;

/// The least asked of the reader at a time.
const MIN_READ: usize = 64 << 10;

/// The first chunk of an input is at least this large, so that format
/// detection samples the same lines whatever the chunk size: every line that
/// ends within these first bytes (and the first line, however long) is in it.
pub const FIRST_CHUNK: usize = 64 << 10;

/// A chunk of whole lines, borrowed, with what the reader left out.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    /// The bytes: whole lines, the last one without `\n` only at the end of
    /// an input.
    pub bytes: &'a [u8],
    /// Offsets of the empty lines standing for lines too long to keep.
    dropped: &'a [usize],
    /// The longest line that is not too long.
    max_line: usize,
}

impl<'a> Chunk<'a> {
    /// Whole lines in memory; lines longer than `max_line` are too long.
    pub fn new(bytes: &'a [u8], max_line: usize) -> Self {
        Chunk { bytes, dropped: &[], max_line }
    }

    /// Whether `line` (a line of this chunk) is too long: longer than the
    /// cap, or the empty line the reader left in place of such a line. One
    /// comparison for the lines in between.
    #[inline]
    pub fn too_long(&self, line: &[u8]) -> bool {
        line.len().wrapping_sub(1) >= self.max_line
            && (line.len() > self.max_line || self.dropped_at(line))
    }

    #[cold]
    fn dropped_at(&self, line: &[u8]) -> bool {
        let offset = (line.as_ptr() as usize).wrapping_sub(self.bytes.as_ptr() as usize);
        line.is_empty() && self.dropped.contains(&offset)
    }

    /// The lines ended by `\n`, and the last line when it has none (the end
    /// of an input, complete or cut short).
    pub fn split_last(&self) -> (&'a [u8], Option<&'a [u8]>) {
        match self.bytes.last() {
            None | Some(b'\n') => (self.bytes, None),
            Some(_) => {
                let end = memrchr(b'\n', self.bytes).map_or(0, |nl| nl + 1);
                (&self.bytes[..end], Some(&self.bytes[end..]))
            }
        }
    }
}

/// Calls `f(line_number, line)` for each line of a chunk (1-based within the
/// chunk, `\n` removed) and returns the number of lines. A final line without
/// `\n` counts; an empty chunk has none.
pub fn for_each_line<'a>(chunk: &'a [u8], mut f: impl FnMut(u64, &'a [u8])) -> u64 {
    let mut start = 0;
    let mut n = 0;
    for nl in memchr_iter(b'\n', chunk) {
        n += 1;
        f(n, &chunk[start..nl]);
        start = nl + 1;
    }
    if start < chunk.len() {
        n += 1;
        f(n, &chunk[start..]);
    }
    n
}

/// An owned chunk in a buffer that is filled again once its lines are done.
#[derive(Debug, Default)]
pub struct Buffer {
    /// Initialised bytes; the chunk is `data[..len]`, the rest is room.
    data: Vec<u8>,
    len: usize,
    /// Offsets of the empty lines standing for lines too long to keep.
    dropped: Vec<usize>,
}

impl Buffer {
    /// The chunk, whose lines longer than `max_line` are too long.
    pub fn chunk(&self, max_line: usize) -> Chunk<'_> {
        Chunk { bytes: &self.data[..self.len], dropped: &self.dropped, max_line }
    }

    /// Makes room for `n` more bytes after the chunk. A new buffer comes
    /// zeroed from the allocator (fresh pages are zero already), so it is not
    /// written twice.
    fn room(&mut self, n: usize) {
        let need = self.len + n;
        if self.data.is_empty() {
            self.data = vec![0; need];
        } else if self.data.len() < need {
            self.data.resize(need, 0);
        }
    }

    /// Starts a chunk with the bytes carried over from the previous one, with
    /// room for the `usual` chunk. A buffer grown for a long line is let go
    /// rather than kept.
    fn start(&mut self, carry: &[u8], dropped: &[usize], usual: usize) {
        if self.data.len() > 4 * usual {
            self.data = Vec::new();
        }
        self.len = 0;
        self.room(carry.len().max(usual));
        self.data[..carry.len()].copy_from_slice(carry);
        self.len = carry.len();
        self.dropped.clear();
        self.dropped.extend_from_slice(dropped);
    }

    /// Replaces the line starting at `at` (the rest of the chunk) by an empty
    /// line marked as dropped.
    fn drop_line(&mut self, at: usize) {
        self.data[at] = b'\n';
        self.len = at + 1;
        self.dropped.push(at);
    }
}

/// Reads a stream into chunks of whole lines of about `target` bytes (the
/// last may lack its `\n`), keeping no line longer than `max_line`.
pub struct ChunkReader<R> {
    reader: R,
    target: usize,
    max_line: usize,
    /// Bytes read past the end of the last chunk, and the dropped lines in them.
    carry: Vec<u8>,
    carry_dropped: Vec<usize>,
    /// Inside a line longer than `max_line`: bytes are dropped up to its `\n`.
    skipping: bool,
    /// No chunk handed out yet.
    first: bool,
    done: bool,
    /// A read error, handed out after the lines read before it.
    failed: Option<io::Error>,
    /// Set by the consumer when it wants no more chunks.
    stop: Option<Arc<AtomicBool>>,
}

impl<R: Read> ChunkReader<R> {
    /// Chunks of about `target` bytes from `reader`, lines of at most
    /// `max_line` bytes.
    pub fn new(reader: R, target: usize, max_line: usize) -> Self {
        ChunkReader {
            reader,
            target: target.max(1),
            max_line: max_line.max(1),
            carry: Vec::new(),
            carry_dropped: Vec::new(),
            skipping: false,
            first: true,
            done: false,
            failed: None,
            stop: None,
        }
    }

    /// Stops reading (as at the end of the input) once `flag` is set: a
    /// consumer that gave up must not wait for the end of an endless line.
    pub fn stop_on(mut self, flag: Arc<AtomicBool>) -> Self {
        self.stop = Some(flag);
        self
    }

    /// Fills `buf` with the next chunk. `None` at the end; a read error comes
    /// once, after the chunks of the lines read before it.
    pub fn next_into(&mut self, buf: &mut Buffer) -> Option<io::Result<()>> {
        if self.done && self.carry.is_empty() {
            return self.failed.take().map(Err);
        }
        let target = if self.first { self.target.max(FIRST_CHUNK) } else { self.target };
        self.first = false;
        buf.start(&self.carry, &self.carry_dropped, self.target.max(MIN_READ) + MIN_READ);
        self.carry.clear();
        self.carry_dropped.clear();
        let mut last_nl = memrchr(b'\n', &buf.data[..buf.len]).map_or(0, |nl| nl + 1);
        loop {
            if buf.len >= target {
                if let Some(cut) = cut_at(&buf.data[..buf.len], target, last_nl) {
                    self.keep_rest(buf, cut);
                    return Some(Ok(()));
                }
            }
            if self.done {
                break;
            }
            self.read_more(buf, &mut last_nl);
        }
        if buf.len == 0 {
            return self.failed.take().map(Err);
        }
        Some(Ok(()))
    }

    /// Moves the bytes after `cut` to the carry.
    fn keep_rest(&mut self, buf: &mut Buffer, cut: usize) {
        self.carry.extend_from_slice(&buf.data[cut..buf.len]);
        self.carry_dropped.extend(buf.dropped.iter().filter(|&&d| d >= cut).map(|d| d - cut));
        buf.dropped.retain(|&d| d < cut);
        buf.len = cut;
    }

    /// One read into the room after the chunk; `last_nl` is the end of the
    /// last whole line in the buffer.
    fn read_more(&mut self, buf: &mut Buffer, last_nl: &mut usize) {
        if self.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
            self.done = true;
            return;
        }
        let start = buf.len;
        let want = self.want(start, start - *last_nl);
        buf.room(want);
        let mut end = match read_some(&mut self.reader, &mut buf.data[start..start + want]) {
            Ok(0) => return self.done = true,
            Ok(n) => start + n,
            Err(e) => {
                self.failed = Some(e);
                return self.done = true;
            }
        };
        if self.skipping {
            let Some(nl) = memchr(b'\n', &buf.data[start..end]) else { return };
            buf.data.copy_within(start + nl + 1..end, start);
            end -= nl + 1;
            self.skipping = false;
        }
        buf.len = end;
        if let Some(nl) = memrchr(b'\n', &buf.data[start..end]) {
            *last_nl = start + nl + 1;
        }
        if end - *last_nl > self.max_line {
            buf.drop_line(*last_nl);
            *last_nl = buf.len;
            self.skipping = true;
        }
    }

    /// How much to ask for: up to the target, else half the line being read
    /// (a long line grows the buffer geometrically), never less than
    /// [`MIN_READ`], and never much more than the line may still grow: the
    /// buffer holds at most one line of the cap and a read more.
    fn want(&self, len: usize, partial: usize) -> usize {
        if self.skipping {
            return self.target.max(MIN_READ);
        }
        let grow = if len < self.target { self.target - len } else { partial / 2 };
        let line_room = self.max_line.saturating_sub(partial) + 1;
        grow.min(line_room).max(MIN_READ)
    }
}

/// Where a chunk of `bytes` (at least `target` long, whole lines up to
/// `last_nl`) ends: after the last `\n` within the target, else after the
/// first one past it; `None` when it holds no `\n` yet.
fn cut_at(bytes: &[u8], target: usize, last_nl: usize) -> Option<usize> {
    if last_nl == 0 {
        None
    } else if last_nl <= target {
        Some(last_nl)
    } else {
        memrchr(b'\n', &bytes[..target])
            .map(|nl| nl + 1)
            .or_else(|| memchr(b'\n', &bytes[target..]).map(|nl| target + nl + 1))
    }
}

/// One read, retried when interrupted.
fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every chunk `reader` yields (with a reused buffer), owned.
    fn chunks_of(reader: impl Read, target: usize, max_line: usize) -> Vec<(Vec<u8>, Vec<usize>)> {
        let mut chunks = ChunkReader::new(reader, target, max_line);
        let mut buf = Buffer::default();
        let mut out = Vec::new();
        while let Some(r) = chunks.next_into(&mut buf) {
            r.unwrap();
            let c = buf.chunk(max_line);
            out.push((c.bytes.to_vec(), c.dropped.to_vec()));
        }
        out
    }

    /// The lines of the chunks, too-long ones as `None`.
    fn lines_of(chunks: &[(Vec<u8>, Vec<usize>)], max_line: usize) -> Vec<Option<Vec<u8>>> {
        let mut out = Vec::new();
        for (bytes, dropped) in chunks {
            let chunk = Chunk { bytes, dropped, max_line };
            for_each_line(bytes, |_, l| out.push((!chunk.too_long(l)).then(|| l.to_vec())));
        }
        out
    }

    /// A reader that hands out at most `step` bytes per call.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn line_counting() {
        assert_eq!(for_each_line(b"", |_, _| {}), 0);
        assert_eq!(for_each_line(b"\n", |_, _| {}), 1);
        assert_eq!(for_each_line(b"a\nb", |_, _| {}), 2);
        assert_eq!(for_each_line(b"a\nb\n", |_, _| {}), 2);
    }

    #[test]
    fn chunks_are_whole_lines_whatever_the_target_and_the_reads() {
        let data: Vec<u8> = b"aaa\nbb\n\ncccccccccc\nd".repeat(20_000);
        let expect: Vec<Option<Vec<u8>>> =
            data.split(|&b| b == b'\n').map(|l| Some(l.to_vec())).collect();
        for target in [1, 2, 5, 100, 70_000, 1 << 20] {
            for step in [1 << 20, 7, 1000] {
                let chunks = chunks_of(Trickle(&data, step), target, 1000);
                let all: Vec<u8> = chunks.iter().flat_map(|c| c.0.clone()).collect();
                assert_eq!(all, data, "target {target} step {step}");
                for (c, _) in &chunks[..chunks.len() - 1] {
                    assert_eq!(c.last(), Some(&b'\n'), "target {target} step {step}");
                }
                assert_eq!(lines_of(&chunks, 1000), expect, "target {target} step {step}");
            }
        }
    }

    #[test]
    fn chunk_ends_do_not_depend_on_the_reads() {
        let data: Vec<u8> = b"aaa\nbb\n\ncccccccccc\nd\n".repeat(30_000);
        let whole = chunks_of(&data[..], 1000, 100);
        assert_eq!(whole, chunks_of(Trickle(&data, 999), 1000, 100));
        // The first chunk is 64 KiB (for format detection), the others end at
        // the last line end within the target.
        let sizes: Vec<usize> = whole.iter().map(|c| c.0.len()).collect();
        assert!(sizes[0] > FIRST_CHUNK - 20 && sizes[0] <= FIRST_CHUNK, "{sizes:?}");
        let middle = &sizes[1..sizes.len() - 1];
        assert!(middle.iter().all(|&n| n <= 1000 && n > 980), "{sizes:?}");
    }

    #[test]
    fn lines_longer_than_the_cap_are_dropped_and_reading_resumes() {
        let long = vec![b'x'; 5000];
        let mut data = b"{}\n".to_vec();
        data.extend_from_slice(&long);
        data.extend_from_slice(b"\n{\"a\":1}\n");
        data.extend_from_slice(&long);
        data.extend_from_slice(b"yz\nlast\n");
        data.extend_from_slice(&long);
        let expect = vec![
            Some(b"{}".to_vec()),
            None,
            Some(b"{\"a\":1}".to_vec()),
            None,
            Some(b"last".to_vec()),
            None,
        ];
        for target in [1, 10, 100_000] {
            for step in [1 << 20, 3, 999] {
                let chunks = chunks_of(Trickle(&data, step), target, 4096);
                assert_eq!(lines_of(&chunks, 4096), expect, "target {target} step {step}");
                // A line of exactly the cap is kept.
                let chunks = chunks_of(Trickle(&data, step), target, 5002);
                assert_eq!(lines_of(&chunks, 5002)[3], Some([&long[..], b"yz"].concat()));
            }
        }
    }

    /// Endless `x`s, then a line end and a short line, `n` bytes in all.
    struct Endless(u64);
    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let tail = b"\n{}\n";
            let n = (buf.len() as u64).min(self.0) as usize;
            for (i, b) in buf[..n].iter_mut().enumerate() {
                let from_end = self.0 as usize - i;
                *b = if from_end <= tail.len() { tail[tail.len() - from_end] } else { b'x' };
            }
            self.0 -= n as u64;
            Ok(n)
        }
    }

    #[test]
    fn an_endless_line_does_not_grow_the_buffer() {
        let mut chunks = ChunkReader::new(Endless(40 << 20), 1 << 20, 1 << 20);
        let mut buf = Buffer::default();
        let mut lines = Vec::new();
        while let Some(r) = chunks.next_into(&mut buf) {
            r.unwrap();
            assert!(buf.data.len() < 4 << 20, "buffer grew to {}", buf.data.len());
            let c = buf.chunk(1 << 20);
            for_each_line(c.bytes, |_, l| lines.push((!c.too_long(l)).then(|| l.to_vec())));
        }
        assert_eq!(lines, [None, Some(b"{}".to_vec())]);
    }

    #[test]
    fn a_stop_ends_an_endless_line() {
        let stop = Arc::new(AtomicBool::new(true));
        let mut chunks = ChunkReader::new(Endless(u64::MAX), 1, 100).stop_on(stop);
        let mut buf = Buffer::default();
        let mut n = 0;
        while let Some(r) = chunks.next_into(&mut buf) {
            r.unwrap();
            n += 1;
        }
        assert!(n <= 1);
    }

    /// `data`, then an error.
    struct Failing<'a>(&'a [u8]);
    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut"));
            }
            Trickle(self.0, 5).read(buf).inspect(|&n| self.0 = &self.0[n..])
        }
    }

    #[test]
    fn a_read_error_comes_after_the_lines_before_it() {
        let data = b"aaa\nbb\ncut li".repeat(10_000);
        for target in [1, 1000, 1 << 20] {
            let mut chunks = ChunkReader::new(Failing(&data), target, 100);
            let mut buf = Buffer::default();
            let mut got = Vec::new();
            let mut errors = 0;
            while let Some(r) = chunks.next_into(&mut buf) {
                match r {
                    Ok(()) => got.extend_from_slice(buf.chunk(100).bytes),
                    Err(e) => {
                        errors += 1;
                        assert_eq!(e.to_string(), "cut");
                    }
                }
            }
            assert_eq!((got, errors), (data.clone(), 1), "target {target}");
        }
    }

    #[test]
    fn the_last_line_without_its_end_is_told_apart() {
        let c = Chunk::new(b"a\nb\nc", 10);
        assert_eq!(c.split_last(), (&b"a\nb\n"[..], Some(&b"c"[..])));
        assert_eq!(Chunk::new(b"a\n", 10).split_last(), (&b"a\n"[..], None));
        assert_eq!(Chunk::new(b"c", 10).split_last(), (&b""[..], Some(&b"c"[..])));
        assert_eq!(Chunk::new(b"", 10).split_last(), (&b""[..], None));
        let c = Chunk::new(b"\n0123456789a\n0123456789\n", 10);
        let mut long = Vec::new();
        for_each_line(c.bytes, |_, l| long.push(c.too_long(l)));
        assert_eq!(long, [false, true, false], "an empty line not dropped is blank");
    }
}
