//! Finding the inputs: paths as given, folders walked recursively in sorted
//! order (so runs are reproducible), each real file read once.
//!
//! Inside a folder only log-like names are read: `.jsonl`, `.ndjson`, `.json`,
//! `.log`, `.txt`, optionally compressed (`.gz`, `.zst`) and optionally with the
//! suffix log rotation adds (`app.log.1`, `app.jsonl.2.gz`, `app.log-20261121`).
//! Hidden names are skipped. A file is known by its device and inode, so a
//! symlink loop (`a -> .`), a hard link or a second spelling of a path never
//! reads the same bytes twice. Anything that is neither a folder nor a regular
//! file (a FIFO, a socket, a device) is skipped with a note: opening a FIFO
//! blocks until someone writes to it. A path named on the command line is
//! always read, whatever its name or kind (a FIFO given on purpose is a stream).

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use super::Source;
use crate::error::{Error, Result};

/// What a folder is searched for, for the message when it holds none.
pub const LOOKED_FOR: &str = "looked for *.jsonl, *.ndjson, *.json, *.log, *.txt, \
     optionally .gz / .zst and rotated as app.log.1 or app.log-20261121";

/// A file's identity: device and inode (the canonical path where there are none).
#[cfg(unix)]
pub type FileId = (u64, u64);
/// A file's identity: device and inode (the canonical path where there are none).
#[cfg(not(unix))]
pub type FileId = PathBuf;

/// The identity of the file `path` names (symlinks followed), if it exists.
pub fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok()
    }
}

/// Expands folders (recursively, sorted) and keeps files and `-` as given;
/// notes (skipped special files, folders without logs) go to stderr. A path
/// that does not exist is an error; so is a run that finds no input at all.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Source>> {
    let mut walk = Walk::default();
    for path in paths {
        walk.top(path)?;
    }
    walk.notes.iter().for_each(crate::message::warn);
    if walk.out.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::Usage(format!(
            "no input: {}: no log files found ({LOOKED_FOR})",
            names.join(", ")
        )));
    }
    Ok(walk.out)
}

/// The state of one discovery: what was found, what was seen, what to say.
#[derive(Default)]
struct Walk {
    out: Vec<Source>,
    files: HashSet<FileId>,
    dirs: HashSet<FileId>,
    notes: Vec<String>,
}

impl Walk {
    /// A path from the command line.
    fn top(&mut self, path: &Path) -> Result<()> {
        if path.as_os_str() == "-" {
            self.out.push(Source::Stdin);
            return Ok(());
        }
        let meta = std::fs::metadata(path).map_err(|e| {
            let source = match e.kind() {
                io::ErrorKind::NotFound => io::Error::new(e.kind(), "no such file or folder"),
                _ => e,
            };
            Error::Input { path: path.to_path_buf(), source }
        })?;
        if !meta.is_dir() {
            self.file(path.to_path_buf());
            return Ok(());
        }
        if self.dir(path)? == Some(0) {
            self.notes.push(format!("{}: no log files found ({LOOKED_FOR})", path.display()));
        }
        Ok(())
    }

    /// Walks a folder; returns how many log files it holds (read now or
    /// already, through another path), or `None` when it was walked already.
    fn dir(&mut self, dir: &Path) -> Result<Option<usize>> {
        if !file_id(dir).is_none_or(|id| self.dirs.insert(id)) {
            return Ok(None);
        }
        let io_err = |source| Error::Input { path: dir.to_path_buf(), source };
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io_err)?
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<_>>()
            .map_err(io_err)?;
        entries.sort();
        let mut found = 0;
        for path in entries {
            let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if !hidden {
                found += self.entry(path)?;
            }
        }
        Ok(Some(found))
    }

    /// One entry of a folder: a folder is walked, a log file kept, a special
    /// file noted. An entry whose kind cannot be read (a dangling symlink) is
    /// kept when its name says log, so that the report says why it failed.
    fn entry(&mut self, path: PathBuf) -> Result<usize> {
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => Ok(self.dir(&path)?.unwrap_or(0)),
            Ok(meta) if !meta.is_file() => {
                self.notes.push(format!(
                    "{}: skipped: not a regular file ({})",
                    path.display(),
                    kind(&meta)
                ));
                Ok(0)
            }
            _ if is_log_name(&path) => {
                self.file(path);
                Ok(1)
            }
            _ => Ok(0),
        }
    }

    /// Keeps a file unless it was kept already.
    fn file(&mut self, path: PathBuf) {
        if file_id(&path).is_none_or(|id| self.files.insert(id)) {
            self.out.push(Source::File(path));
        }
    }
}

/// What a non-regular, non-folder file is, in a word.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        } else if t.is_socket() {
            return "a socket";
        } else if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = meta;
    "a special file"
}

/// Whether a file found inside a folder looks like a log errlens reads: a log
/// extension, then optionally a rotation suffix (`.1`, `-20261121`), then
/// optionally a compression suffix.
pub fn is_log_name(path: &Path) -> bool {
    let name =
        path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let base = ["gz", "zst", "zstd"]
        .iter()
        .find_map(|c| name.strip_suffix(&format!(".{c}")))
        .unwrap_or(&name);
    let base = strip_rotation(base);
    ["jsonl", "ndjson", "json", "log", "txt"].iter().any(|ext| base.ends_with(&format!(".{ext}")))
}

/// `app.log.1` -> `app.log`, `app.log-20261121` -> `app.log`: the trailing run
/// of digits, dots, dashes and underscores that logrotate and Docker append,
/// when it starts with `.` or `-` and holds a digit.
fn strip_rotation(name: &str) -> &str {
    let keep =
        name.trim_end_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | '-' | '_')).len();
    let suffix = &name[keep..];
    let rotated = suffix.starts_with(['.', '-']) && suffix.bytes().any(|b| b.is_ascii_digit());
    if rotated { &name[..keep] } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_names() {
        for yes in [
            "a.jsonl",
            "b.JSONL.gz",
            "c.log.zst",
            "d.ndjson",
            "e.json",
            "f.txt.zstd",
            "app.log.1",
            "app.jsonl.2.gz",
            "app.log-20261121.gz",
            "app.log-20261121",
            "app.jsonl.1.zst",
            "app.log-2026-11-21",
            "0123abcd-json.log.3",
        ] {
            assert!(is_log_name(Path::new(yes)), "{yes}");
        }
        for no in ["README.md", "x.gz", "data.parquet", "jsonl", "app.1", "notes.md.1", "a.log.."] {
            assert!(!is_log_name(Path::new(no)), "{no}");
        }
    }
}
