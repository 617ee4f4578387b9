//! Reporters: pure functions from a finished [`Report`] to text. They never
//! decide a status; they only arrange what evaluation decided.

pub mod json;
pub mod markdown;
pub mod table;

use crate::model::Report;

/// Output formats of `audit --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

/// Render `report` in `format`. `width` is the terminal width for tables.
pub fn render(report: &Report, format: Format, width: Option<u16>) -> String {
    match format {
        Format::Table => table::render(report, width),
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
    }
}
