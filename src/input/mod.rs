//! Input stage: finds the files, opens each (memory-mapped when plain, streamed
//! through a decoder when gzip or zstd, told apart by magic bytes), and cuts the
//! bytes into chunks of whole lines for the workers.
//!
//! Folders are walked recursively in sorted order so that runs are reproducible;
//! inside a folder only log-like names are read (`.jsonl`, `.ndjson`, `.json`,
//! `.log`, `.txt`, optionally `.gz` / `.zst`), while a file named on the command
//! line is always read.

mod chunk;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

pub use chunk::{StreamChunks, for_each_line, split_chunks};

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

/// Expands folders (recursively, sorted) and keeps files and `-` as given.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            out.push(Source::Stdin);
        } else if path.is_dir() {
            walk(path, &mut out)?;
        } else if path.exists() {
            out.push(Source::File(path.clone()));
        } else {
            let source = io::Error::new(io::ErrorKind::NotFound, "no such file or folder");
            return Err(Error::Input { path: path.clone(), source });
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Source>) -> Result<()> {
    let io_err = |source| Error::Input { path: dir.to_path_buf(), source };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io_err)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()
        .map_err(io_err)?;
    entries.sort();
    for path in entries {
        let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_log_name(&path) {
            out.push(Source::File(path));
        }
    }
    Ok(())
}

/// Whether a file found inside a folder looks like a log errlens reads.
fn is_log_name(path: &Path) -> bool {
    let name =
        path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let base = ["gz", "zst", "zstd"]
        .iter()
        .find_map(|c| name.strip_suffix(&format!(".{c}")))
        .unwrap_or(&name);
    ["jsonl", "ndjson", "json", "log", "txt"].iter().any(|ext| base.ends_with(&format!(".{ext}")))
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

    #[test]
    fn log_names() {
        for yes in ["a.jsonl", "b.JSONL.gz", "c.log.zst", "d.ndjson", "e.json", "f.txt.zstd"] {
            assert!(is_log_name(Path::new(yes)), "{yes}");
        }
        for no in ["README.md", "x.gz", "data.parquet", "jsonl"] {
            assert!(!is_log_name(Path::new(no)), "{no}");
        }
    }
}
