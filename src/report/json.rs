//! The JSON renderer: the report model, pretty-printed, as documented in the
//! README ("JSON contract").

use std::io::{self, Write};

use super::Report;

/// Writes the report as pretty JSON with a final newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
