//! A tiny harness: temp folders, and running the built binary on them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary folder removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh folder under the system temp dir.
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("errlens-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes a file (parents created) and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs errlens with `args` (and `stdin` when given), with a fixed clock.
pub fn errlens(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_errlens"));
    cmd.args(args).env("SOURCE_DATE_EPOCH", "1795305600").env_remove("NO_COLOR");
    match stdin {
        Some(bytes) => {
            use std::io::Write;
            cmd.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            child.stdin.take().unwrap().write_all(bytes).unwrap();
            child.wait_with_output().unwrap()
        }
        None => cmd.output().unwrap(),
    }
}

/// Stdout as text, after asserting the exit code.
pub fn ok_stdout(out: &Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit code; stderr:\n{}\nstdout:\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Runs `analyze --format json` and parses the report.
pub fn analyze_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["analyze", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok_stdout(&errlens(&all, None), 0)).unwrap()
}

/// Every row of a Parquet file, read with the parquet crate's row reader:
/// `(column, value)` pairs in column order.
pub fn parquet_rows(path: &Path) -> Vec<Vec<(String, parquet::record::Field)>> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| row.unwrap().get_column_iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .collect()
}

/// The records of a CSV text (RFC 4180: quoted cells may hold commas, quotes
/// and line breaks), each a list of cells.
pub fn csv_records(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut cell)),
            ('\n', false) => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (c, _) => cell.push(c),
        }
    }
    if !cell.is_empty() || !record.is_empty() {
        record.push(cell);
        records.push(record);
    }
    records
}
