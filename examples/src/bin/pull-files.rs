//! Pull files from a remote repository (oras-go
//! `Example_pullFilesFromRemoteRepository`).
//!
//! ```text
//! cargo run -p oras-examples --bin pull-files -- --plain-http \
//!     localhost:5000/hello:v1 --output ./pulled
//! ```
//!
//! Every layer titled with a file name (`org.opencontainers.image.title`)
//! is written under the output directory; the manifest and config stay in
//! the file store's memory.

use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;
use oras_copy::{CopyGraphOptions, CopyOptions, copy};
use oras_examples::{ConnectArgs, CredentialArgs, json};
use oras_remote::Repository;
use oras_spec::Reference;
use oras_store_file::Store as FileStore;

/// Pull the files of an artifact into a directory.
#[derive(Parser)]
struct Args {
    /// What to pull: `registry/repository[:tag|@digest]` (`latest` when
    /// neither is given).
    reference: String,
    /// The directory the files are written to (created when missing).
    #[arg(short, long, default_value = ".")]
    output: PathBuf,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let reference: Reference = args.reference.parse()?;
    // A tag or a digest (`latest` when neither is given).
    let target = match reference.reference_string() {
        target if target.is_empty() => "latest".to_owned(),
        target => target,
    };

    // 0. Create a file store over the output directory. Titled content
    //    pushed into it becomes files there, written through a temp file
    //    and a rename once its digest is verified; titles that would leave
    //    the directory are refused.
    std::fs::create_dir_all(&args.output)?;
    let store = FileStore::new(&args.output)?;

    // 1. Connect to the remote repository (credentials only when needed).
    let config = args
        .credentials
        .apply(args.connect.client_config(), reference.registry());
    let repo = Repository::with_config(&args.reference, config)?;

    // 2. Copy from the repository to the file store. The post-copy hook
    //    reports each file as it lands.
    let graph = CopyGraphOptions::default().with_post_copy(|desc| async move {
        if let Some(title) = desc.title() {
            println!("wrote {title} ({} bytes)", desc.size);
        }
        Ok(())
    });
    let manifest = copy(&repo, &target, &store, &target, &CopyOptions::new(graph)).await?;
    println!("manifest descriptor: {}", json(&manifest));

    // 3. Close the store: it removes its temp files (dropping it would too).
    store.close()?;
    Ok(())
}
