//! Pull an image into an OCI layout (oras-go
//! `Example_pullImageFromRemoteRepository`).
//!
//! ```text
//! cargo run -p oras-examples --bin pull-image -- --plain-http \
//!     localhost:5000/hello:v1 --oci-layout ./layout
//! ```
//!
//! The OCI image layout is the on-disk format every OCI tool reads
//! (`oci-layout`, `index.json`, `blobs/sha256/…`); the pulled manifest is
//! recorded there under the same tag (or digest).

use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;
use oras_copy::{CopyOptions, copy};
use oras_examples::{ConnectArgs, CredentialArgs, json};
use oras_remote::Repository;
use oras_spec::Reference;
use oras_store_oci::Store as OciStore;

/// Pull an image (or any artifact) into an OCI image layout.
#[derive(Parser)]
struct Args {
    /// What to pull: `registry/repository[:tag|@digest]` (`latest` when
    /// neither is given).
    reference: String,
    /// The OCI layout directory (created when missing).
    #[arg(long, default_value = "oci-layout-root")]
    oci_layout: PathBuf,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let reference: Reference = args.reference.parse()?;
    // A tag or a digest; the layout records it as a reference either way.
    let target = match reference.reference_string() {
        target if target.is_empty() => "latest".to_owned(),
        target => target,
    };

    // 0. Open (or create) the OCI layout store.
    let store = OciStore::open(&args.oci_layout).await?;

    // 1. Connect to the remote repository (credentials only when needed).
    let config = args
        .credentials
        .apply(args.connect.client_config(), reference.registry());
    let repo = Repository::with_config(&args.reference, config)?;

    // 2. Copy from the repository to the layout: every blob streams into
    //    `blobs/` (verified before it gets its final name), the manifest
    //    last, then the tag is written to `index.json`.
    let manifest = copy(&repo, &target, &store, &target, &CopyOptions::default()).await?;
    println!("manifest descriptor: {}", json(&manifest));
    println!("tagged {target} in {}", args.oci_layout.display());
    Ok(())
}
