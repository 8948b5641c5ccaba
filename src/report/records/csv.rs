//! `classify --format csv`: a header row, then one row per record, written as
//! each record comes, in the columns of [`super::schema`]. Text cells are
//! quoted as RFC 4180 says and neutralised against spreadsheet formulas by the
//! analyze CSV's own [`escape`]; numbers and booleans are written bare, a null
//! as an empty cell, `ts` as RFC 3339 UTC with microseconds, the evidence
//! object as JSON text.

use std::io::{self, Write};

use super::schema::{COLUMNS, Cell};
use super::{Classified, RecordWriter};
use crate::parse::time;
use crate::redact::Redacted;
use crate::report::csv::escape;

/// Writes records as CSV rows.
pub struct CsvWriter<'w> {
    files: &'w [Redacted],
    out: &'w mut dyn Write,
    line: String,
}

impl<'w> CsvWriter<'w> {
    /// A writer to `out`, with the header row written; `files` name the
    /// sources by index.
    pub fn new(files: &'w [Redacted], out: &'w mut dyn Write) -> io::Result<Self> {
        let header: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        writeln!(out, "{}", header.join(","))?;
        Ok(CsvWriter { files, out, line: String::new() })
    }
}

impl RecordWriter for CsvWriter<'_> {
    fn write(&mut self, row: Classified) -> io::Result<()> {
        let view = super::view(self.files, &row)?;
        self.line.clear();
        for (i, column) in COLUMNS.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            self.line.push_str(&cell_text(column.cell(&view)));
        }
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        self.out.flush()
    }
}

/// One cell as CSV text.
pub fn cell_text(cell: Cell<'_>) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Text(text) => escape(&text),
        Cell::Int(n) => n.to_string(),
        Cell::Double(f) => f.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Micros(us) => time::format_rfc3339_micros(us),
    }
}
