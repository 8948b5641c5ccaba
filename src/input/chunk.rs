//! Cutting bytes into chunks of whole lines, and lines out of a chunk.
//!
//! A chunk ends right after a `\n` (or at the end of the input), so no line is
//! ever split between two workers. A line longer than the target size makes its
//! chunk longer; it is never cut.

use std::io::{self, Read};

use memchr::{memchr, memchr_iter, memrchr};

/// Splits in-memory bytes into chunks of about `target` bytes at line ends.
pub fn split_chunks(bytes: &[u8], target: usize) -> Vec<&[u8]> {
    let target = target.max(1);
    let mut chunks = Vec::with_capacity(bytes.len() / target + 1);
    let mut start = 0;
    while start < bytes.len() {
        let end = chunk_end(bytes, start, target);
        chunks.push(&bytes[start..end]);
        start = end;
    }
    chunks
}

/// The end of the chunk starting at `start`: after the last `\n` before the
/// target, else after the first `\n` past it, else the end of the input.
fn chunk_end(bytes: &[u8], start: usize, target: usize) -> usize {
    let soft = start.saturating_add(target);
    if soft >= bytes.len() {
        return bytes.len();
    }
    if let Some(nl) = memrchr(b'\n', &bytes[start..soft]) {
        return start + nl + 1;
    }
    memchr(b'\n', &bytes[soft..]).map_or(bytes.len(), |nl| soft + nl + 1)
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

/// Reads a stream into owned chunks of whole lines (the last may lack `\n`).
/// Strips a UTF-8 byte-order mark at the start of the stream.
pub struct StreamChunks<R> {
    reader: R,
    target: usize,
    carry: Vec<u8>,
    started: bool,
    done: bool,
    /// A read error, reported after the lines read before it.
    failed: Option<io::Error>,
}

impl<R: Read> StreamChunks<R> {
    /// Chunks of about `target` bytes from `reader`.
    pub fn new(reader: R, target: usize) -> Self {
        StreamChunks {
            reader,
            target: target.max(1),
            carry: Vec::new(),
            started: false,
            done: false,
            failed: None,
        }
    }

    /// Reads until the buffer holds `target` bytes and a line end, or EOF.
    fn fill(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        let mut searched = 0;
        loop {
            if buf.len() >= self.target {
                if memrchr(b'\n', &buf[searched..]).is_some() {
                    return Ok(());
                }
                searched = buf.len();
            }
            let want = self.target.max(64 << 10);
            let len = buf.len();
            buf.resize(len + want, 0);
            let n = loop {
                match self.reader.read(&mut buf[len..]) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            let n = n.inspect_err(|_| buf.truncate(len))?;
            buf.truncate(len + n);
            if n == 0 {
                self.done = true;
                return Ok(());
            }
        }
    }
}

impl<R: Read> Iterator for StreamChunks<R> {
    type Item = io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.failed.take() {
            return Some(Err(e));
        }
        if self.done && self.carry.is_empty() {
            return None;
        }
        let mut buf = std::mem::take(&mut self.carry);
        if let Err(e) = self.fill(&mut buf) {
            // Hand out what was read (a cut last line included), then the error.
            self.done = true;
            self.failed = Some(e);
        }
        if !self.started {
            self.started = true;
            if buf.starts_with(b"\xEF\xBB\xBF") {
                buf.drain(..3);
            }
        }
        if !self.done {
            let cut = memrchr(b'\n', &buf).map_or(buf.len(), |nl| nl + 1);
            self.carry = buf.split_off(cut);
        }
        if buf.is_empty() {
            return self.failed.take().map(Err);
        }
        Some(Ok(buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for c in chunks {
            for_each_line(c, |_, l| out.push(l.to_vec()));
        }
        out
    }

    #[test]
    fn chunks_end_at_line_ends_whatever_the_target() {
        let data = b"aaa\nbb\n\ncccccccccc\nd";
        let expect = lines_of(&[data]);
        assert_eq!(expect.len(), 5);
        for target in 1..=data.len() + 1 {
            let chunks = split_chunks(data, target);
            assert_eq!(chunks.concat(), data.to_vec());
            for c in &chunks[..chunks.len() - 1] {
                assert_eq!(c.last(), Some(&b'\n'), "target {target}");
            }
            assert_eq!(lines_of(&chunks), expect, "target {target}");
        }
    }

    #[test]
    fn line_counting() {
        assert_eq!(for_each_line(b"", |_, _| {}), 0);
        assert_eq!(for_each_line(b"\n", |_, _| {}), 1);
        assert_eq!(for_each_line(b"a\nb", |_, _| {}), 2);
        assert_eq!(for_each_line(b"a\nb\n", |_, _| {}), 2);
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
    fn stream_chunks_match_in_memory_chunks() {
        let data = b"\xEF\xBB\xBFaaa\nbb\n\ncccccccccc\nd";
        let expect = lines_of(&[&data[3..]]);
        for target in [1, 2, 5, 100] {
            for step in [1, 3, 1000] {
                let chunks: Vec<Vec<u8>> = StreamChunks::new(Trickle(data, step), target)
                    .collect::<io::Result<_>>()
                    .unwrap();
                let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
                assert_eq!(lines_of(&refs), expect, "target {target} step {step}");
            }
        }
    }
}
