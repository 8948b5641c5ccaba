//! Report stage: one renderer per output format, all reading the same
//! [`model::Report`]: text, Markdown and HTML (sharing [`tables`]), CSV and
//! JSON. The per-record `classify` output lives in [`records`], `explain` in
//! [`playbook`], `taxonomy` in [`taxonomy`] and `taxonomy --format sql` in
//! [`sql`].

pub mod boundary;
mod csv;
mod html;
mod json;
mod markdown;
pub mod model;
pub mod playbook;
pub mod records;
pub mod sql;
pub mod tables;
pub mod taxonomy;
mod text;

use std::io::{self, Write};

pub use crate::cli::CsvTable;
pub use csv::COLUMNS as CSV_COLUMNS;
pub use model::Report;

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For the terminal.
    Text,
    /// Markdown: pastes into a pull request or a chat.
    Markdown,
    /// One self-contained HTML file with inline SVG charts.
    Html,
    /// One table as CSV (see --table).
    Csv,
    /// The whole report as JSON (the documented contract).
    Json,
    /// A partial report to merge later: give state files to `analyze` among
    /// its inputs (binary; written to -o or a pipe).
    State,
}

/// How a report is rendered.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colour on (text).
    pub color: bool,
    /// The table written by CSV.
    pub table: CsvTable,
    /// The width text lines fit in (the terminal's, else 100 columns).
    pub width: usize,
    /// How much of each cause text and Markdown show.
    pub detail: Detail,
}

/// How much a human-readable report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Summary, actions and the causes table (`--brief`, for cron mail).
    Brief,
    /// Also findings, and evidence and fix for the top causes.
    Top,
    /// Evidence and fix for every cause (`--verbose`, `--full`).
    All,
}

/// The causes whose evidence and fix are shown at [`Detail::Top`].
pub const TOP_DETAILED: usize = 3;
/// Rows of a finding's table shown in text and Markdown before "and N more".
pub const FINDING_ROWS: usize = 5;
/// The width text fits in when the output is not a terminal.
pub const DEFAULT_WIDTH: usize = 100;

impl Default for Style {
    fn default() -> Self {
        Style { color: false, table: CsvTable::Causes, width: DEFAULT_WIDTH, detail: Detail::Top }
    }
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
        Format::Markdown => markdown::render(report, style.detail, out),
        Format::Html => html::render(report, out),
        Format::Csv => csv::render(report, style.table, out),
        Format::Json => json::render(report, out),
        Format::State => Err(io::Error::other("a state is written from the accumulator")),
    }
}
