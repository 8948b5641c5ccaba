//! Report stage: one renderer per output format, all reading the same
//! [`model::Report`]. The per-record `classify` output lives in [`records`],
//! `explain` in [`playbook`] and `taxonomy` in [`taxonomy`].

mod json;
pub mod model;
pub mod playbook;
pub mod records;
pub mod taxonomy;
mod text;

use std::io::{self, Write};

pub use model::Report;

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For the terminal.
    Text,
    /// The whole report as JSON (the documented contract).
    Json,
}

/// How a report is rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colour on.
    pub color: bool,
}

/// Writes `report` in `format`.
pub fn render(
    report: &Report,
    format: Format,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::render(report, style, out),
        Format::Json => json::render(report, out),
    }
}
