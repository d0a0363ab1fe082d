//! What commands print: the shared [`Printer`], status lines and progress
//! bars, text summaries and the JSON models of `--format json`.

mod printer;

pub use printer::{Captured, Printer};
