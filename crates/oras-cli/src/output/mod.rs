//! What commands print: the shared [`Printer`], status lines and progress
//! bars ([`status`], drawn by [`progress`], both speaking the transfer
//! [`event`]s), text summaries ([`text`]), the JSON models of
//! `--format json` ([`model`]), Go-compatible JSON ([`json`]), discover's
//! tree and table ([`tree`]), and [`render`], which writes a model in the
//! chosen format. Human-readable text has its control characters made
//! visible ([`escape`]).

pub mod escape;
pub mod event;
pub mod json;
pub mod model;
mod printer;
pub mod progress;
pub mod status;
pub mod summary;
pub mod text;
pub mod tree;

pub use printer::{Captured, Printer};

use serde::Serialize;

use crate::options::OutputFormat;

/// Writes `model` as `--format json` (indented) or `--format
/// go-template=…` wants it; for the text formats, calls `text` instead.
pub fn render<T: Serialize>(
    printer: &Printer,
    format: &OutputFormat,
    model: &T,
    text: impl FnOnce(&Printer) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match format {
        OutputFormat::Json => printer.write_out(json::to_pretty_json(model)?.as_bytes())?,
        OutputFormat::GoTemplate(source) => {
            let data = json::template_data(model)?;
            // Go executes into stdout, so what a failing template wrote
            // before the failing action is shown before the error.
            let out = crate::template::render(source, &data).inspect_err(|err| {
                let _ = printer.write_out(err.partial.as_bytes());
            })?;
            printer.write_out(out.as_bytes())?;
        }
        OutputFormat::Text | OutputFormat::Tree | OutputFormat::Table => text(printer)?,
    }
    Ok(())
}
