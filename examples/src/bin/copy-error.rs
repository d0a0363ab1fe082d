//! Inspect the error of a failed copy (oras-go `ExampleCopyError`).
//!
//! ```text
//! cargo run -p oras-examples --bin copy-error
//! ```
//!
//! A copy that fails in a storage step says which step (`op`, with
//! oras-go's names: `Resolve`, `Fetch`, `Push`, `Tag` …) failed on which
//! side (`origin`: source or destination), and keeps the store's own error.

use anyhow::Result;
use clap::Parser;
use oras_content::memory;
use oras_copy::{CopyOptions, copy};

/// Copy a reference that does not exist and print the CopyError.
#[derive(Parser)]
struct Args {
    /// The reference to look for in an empty store.
    #[arg(default_value = "non-existent-reference")]
    reference: String,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let src = memory::Store::new();
    let dst = memory::Store::new();

    // Try to copy a reference the source does not have: this must fail.
    let Err(err) = copy(&src, &args.reference, &dst, "", &CopyOptions::default()).await else {
        println!("Copy succeeded unexpectedly");
        return Ok(());
    };

    // Check whether the error is a CopyError and print its details.
    match err.as_copy_error() {
        Some(copy_err) => {
            println!("origin: {}", copy_err.origin);
            println!("op: {}", copy_err.op);
            println!("source: {}", copy_err.source);
            println!("kind: {:?}", copy_err.kind());
            println!("error: {copy_err}");
        }
        None => println!("err is not a CopyError: {err}"),
    }
    Ok(())
}
