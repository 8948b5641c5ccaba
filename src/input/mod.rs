//! Input stage: finds the files ([`discover`]), opens each as a stream of
//! bytes (decoded when gzip or zstd, told apart by magic bytes), and cuts the
//! bytes into chunks of whole lines for the workers ([`ChunkReader`]).
//!
//! Every input is read with ordinary `read` calls into reused buffers, plain
//! files included: a memory map dies of SIGBUS when another process truncates
//! the file (logrotate's `copytruncate`), while a read just ends early, which
//! [`SizeCheck`] notices and reports.

mod chunk;
mod discover;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

pub use chunk::{Buffer, Chunk, ChunkReader, DEFAULT_MAX_LINE, FIRST_CHUNK, for_each_line};
pub use discover::{FileId, LOOKED_FOR, discover, file_id, is_log_name};

use crate::error::{Error, Result};

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input (`-`).
    Stdin,
    /// A file on disk.
    File(PathBuf),
}

impl Source {
    /// The name used in reports and `file:line` places.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "-".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }
}

/// Whether a name says compressed (progress then counts decoded bytes, whose
/// total is unknown).
pub fn is_compressed_name(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    [".gz", ".zst", ".zstd"].iter().any(|ext| name.ends_with(ext))
}

/// How the bytes of a source are compressed, from their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (`1f 8b`), possibly several members.
    Gzip,
    /// zstd (`28 b5 2f fd`).
    Zstd,
}

impl Compression {
    /// Sniffs the magic bytes.
    pub fn sniff(head: &[u8]) -> Self {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

/// An opened source: its bytes as a stream (decoded), and how they were
/// compressed.
pub struct Opened {
    /// The decoded bytes.
    pub reader: Box<dyn Read + Send>,
    /// The compression found by the magic bytes.
    pub compression: Compression,
}

/// Opens a source. Plain regular files are read as they are (through a
/// [`SizeCheck`]); compressed files, pipes and stdin are buffered and decoded.
pub fn open(source: &Source) -> Result<Opened> {
    match source {
        Source::Stdin => stream(BufReader::with_capacity(1 << 20, io::stdin()))
            .map_err(|e| Error::Input { path: PathBuf::from("-"), source: e }),
        Source::File(path) => {
            open_file(path).map_err(|e| Error::Input { path: path.clone(), source: e })
        }
    }
}

fn open_file(path: &Path) -> io::Result<Opened> {
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return stream(BufReader::with_capacity(1 << 20, file));
    }
    let mut head = [0u8; 4];
    let n = read_full(&mut file, &mut head)?;
    file.rewind()?;
    let file = SizeCheck::new(file, meta.len());
    match Compression::sniff(&head[..n]) {
        Compression::None => Ok(Opened { reader: Box::new(file), compression: Compression::None }),
        _ => stream(BufReader::with_capacity(1 << 20, file)),
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// A regular file read to its end, which fails when the end comes before the
/// size the file had when opened: another process truncated it while it was
/// read (logrotate's `copytruncate`). Growth is fine (a live log).
pub struct SizeCheck<R> {
    inner: R,
    expected: u64,
    read: u64,
}

/// The error [`SizeCheck`] ends a shrunk file with; see [`is_shrink`].
#[derive(Debug)]
struct Shrank;

impl std::fmt::Display for Shrank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("file shrank while being read")
    }
}

impl std::error::Error for Shrank {}

/// Whether a read error says the file shrank while it was read.
pub fn is_shrink(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Shrank>())
}

impl<R: Read> SizeCheck<R> {
    /// Reads `inner`, which held `expected` bytes when opened.
    pub fn new(inner: R, expected: u64) -> Self {
        SizeCheck { inner, expected, read: 0 }
    }
}

impl<R: Read> Read for SizeCheck<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if n == 0 && !buf.is_empty() && self.read < self.expected {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, Shrank));
        }
        Ok(n)
    }
}

/// Wraps a buffered reader in the decoder its first bytes ask for.
fn stream<R: BufRead + Send + 'static>(mut reader: R) -> io::Result<Opened> {
    let compression = Compression::sniff(reader.fill_buf()?);
    let decoded: Box<dyn Read + Send> = match compression {
        Compression::None => Box::new(reader),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(reader)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(reader)?),
    };
    Ok(Opened { reader: decoded, compression })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd]), Compression::Zstd);
        assert_eq!(Compression::sniff(b"{\"a\":1}"), Compression::None);
        assert_eq!(Compression::sniff(b""), Compression::None);
    }

    #[test]
    fn a_file_that_shrinks_while_read_fails() {
        let path = std::env::temp_dir().join(format!("errlens-size-{}.log", std::process::id()));
        std::fs::write(&path, vec![b'x'; 10_000]).unwrap();
        let mut file = SizeCheck::new(File::open(&path).unwrap(), 10_000);
        let mut buf = [0u8; 4000];
        assert_eq!(file.read(&mut buf).unwrap(), 4000);
        File::options().write(true).open(&path).unwrap().set_len(3000).unwrap();
        let e = file.read(&mut buf).unwrap_err();
        let _ = std::fs::remove_file(&path);
        assert!(is_shrink(&e), "{e}");
        let mut grown = SizeCheck::new(&b"abc"[..], 2);
        assert_eq!(grown.read_to_end(&mut Vec::new()).unwrap(), 3, "growth is fine");
    }

    #[test]
    fn every_cut_of_a_compressed_stream_is_an_error() {
        use std::io::Write;
        let mut data = Vec::new();
        let mut seed = 1u64;
        for i in 0..400 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            writeln!(data, "{{\"i\":{i},\"r\":{seed}}}").unwrap();
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&data).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::encode_all(&data[..], 3).unwrap();
        for whole in [gz, zst] {
            for cut in 4..whole.len() {
                let Opened { mut reader, .. } =
                    stream(io::Cursor::new(whole[..cut].to_vec())).unwrap();
                let read = reader.read_to_end(&mut Vec::new());
                assert!(read.is_err(), "a cut at {cut} of {} read as complete", whole.len());
            }
            let Opened { mut reader, .. } = stream(io::Cursor::new(whole.clone())).unwrap();
            let mut out = Vec::new();
            reader.read_to_end(&mut out).unwrap();
            assert_eq!(out, data);
        }
    }
}
