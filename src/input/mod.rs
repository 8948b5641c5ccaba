//! Input stage: finds the files ([`discover`]), opens each (memory-mapped when
//! plain, streamed through a decoder when gzip or zstd, told apart by magic
//! bytes), and cuts the bytes into chunks of whole lines for the workers.

mod chunk;
mod discover;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

pub use chunk::{StreamChunks, for_each_line, split_chunks};
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

/// An opened source: whole bytes (mapped or read) or a stream to decode.
pub enum Opened {
    /// A plain file, memory-mapped.
    Mapped(memmap2::Mmap),
    /// Bytes already in memory (an empty file).
    Bytes(Vec<u8>),
    /// Bytes to be read (and decoded) as a stream, and how they are compressed.
    Stream(Box<dyn Read + Send>, Compression),
}

impl Opened {
    /// The whole bytes, when they are in memory.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Opened::Mapped(m) => Some(m),
            Opened::Bytes(b) => Some(b),
            Opened::Stream(..) => None,
        }
    }
}

/// Opens a source. Plain regular files are memory-mapped; compressed files,
/// pipes and stdin are streamed.
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
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return stream(BufReader::with_capacity(1 << 20, file));
    }
    if meta.len() == 0 {
        return Ok(Opened::Bytes(Vec::new()));
    }
    // SAFETY: the map is read-only; a log file truncated by another process while
    // we read it is the one hazard, accepted as every mmap-based reader does.
    // `populate` pre-faults the pages in one go instead of one fault per page
    // inside the workers.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file)? };
    match Compression::sniff(&map) {
        Compression::None => Ok(Opened::Mapped(map)),
        _ => stream(BufReader::with_capacity(1 << 20, io::Cursor::new(map))),
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
    Ok(Opened::Stream(decoded, compression))
}

/// Strips a UTF-8 byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
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
}
