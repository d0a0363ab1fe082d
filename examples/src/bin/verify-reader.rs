//! Read content through a verifying reader (oras-go `content`
//! `ExampleVerifyReader`).
//!
//! ```text
//! cargo run -p oras-examples --bin verify-reader -- "hello world"
//! ```
//!
//! A `VerifyReader` counts and hashes the bytes as they pass and reports
//! the end of the stream only once size and digest matched the
//! descriptor: a reader that got to the end without an error has verified
//! content. Content that does not match ends in an error instead.

use anyhow::{Result, bail};
use clap::Parser;
use oras_content::VerifyReader;
use oras_spec::{Descriptor, media_type};
use tokio::io::AsyncReadExt;

/// Verify content against its descriptor while reading it.
#[derive(Parser)]
struct Args {
    /// The content to describe and read back.
    #[arg(default_value = "hello world")]
    blob: String,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let blob = args.blob.into_bytes();

    // 1. Describe the content: media type, SHA-256 digest, size.
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &blob);

    // 2. Read it through a verifying reader. Do not trust what was read
    //    until the reader reached its end without an error.
    let mut reader = VerifyReader::new(&blob[..], &desc);
    let mut read = Vec::new();
    reader.read_to_end(&mut read).await?;
    if !reader.is_verified() {
        bail!("the content was not verified");
    }
    println!("{}", String::from_utf8_lossy(&read));

    // 3. The same descriptor over other bytes of the same size: the read
    //    fails at the end, with a digest mismatch.
    let mut tampered = blob.clone();
    if let Some(first) = tampered.first_mut() {
        *first ^= 0x20;
    }
    let mut reader = VerifyReader::new(&tampered[..], &desc);
    match reader.read_to_end(&mut Vec::new()).await {
        Ok(_) => bail!("tampered content was accepted"),
        Err(e) => println!("tampered content refused: {e}"),
    }
    Ok(())
}
