//! The floor for reading a compressed log: decodes a `.gz` or `.zst` file with
//! the same library and buffering errlens uses (flate2 with zlib-rs, the zstd
//! crate; a 1 MiB buffered file under the decoder, told apart by magic bytes)
//! and throws the bytes away, counting them. `benches/compare.py --gz` times
//! `errlens analyze` on a compressed file against this, so the ratio says how
//! much of the parsing hides behind decompression.
//!
//! `cargo run --release --example decompress -- FILE.gz` prints the decoded
//! byte count.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::process::ExitCode;

/// The read size: errlens reads its input in chunks of about this many bytes.
const BUF: usize = 1 << 20;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: decompress FILE.gz|FILE.zst");
        return ExitCode::from(2);
    };
    match decoded_len(&path) {
        Ok(n) => {
            println!("{n}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("decompress: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Opens `path`, picks the decoder by its first bytes and counts what it
/// decodes.
fn decoded_len(path: &str) -> io::Result<u64> {
    let mut file = BufReader::with_capacity(BUF, File::open(path)?);
    let decoder: Box<dyn Read> = match file.fill_buf()? {
        [0x1f, 0x8b, ..] => Box::new(flate2::bufread::MultiGzDecoder::new(file)),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Box::new(zstd::stream::read::Decoder::with_buffer(file)?),
        _ => return Err(io::Error::new(io::ErrorKind::InvalidData, "neither gzip nor zstd")),
    };
    drain(decoder)
}

/// Reads `reader` to its end into one reused buffer; returns the byte count.
fn drain(mut reader: impl Read) -> io::Result<u64> {
    let mut buf = vec![0u8; BUF];
    let mut total = 0u64;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
