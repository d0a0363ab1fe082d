//! Copy an artifact from a remote repository into memory, by digest
//! (oras-go `Example_copyArtifactFromRepository`).
//!
//! ```text
//! cargo run -p oras-examples --bin copy-artifact-from-repository -- --plain-http \
//!     localhost:5000/hello@sha256:…
//! ```
//!
//! `copy_graph` copies the graph under a descriptor, without resolving or
//! tagging anything: the building block under `copy`.

use anyhow::{Context, Result};
use clap::Parser;
use oras_content::{ReadOnlyStorage, Resolver, memory};
use oras_copy::{CopyGraphOptions, copy_graph};
use oras_examples::{ConnectArgs, CredentialArgs};
use oras_remote::Repository;
use oras_spec::Reference;

/// Copy the graph of one manifest, named by digest, into memory.
#[derive(Parser)]
struct Args {
    /// The artifact: `registry/repository@sha256:…`.
    reference: String,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let reference: Reference = args.reference.parse()?;
    let digest = reference
        .digest()
        .context("the reference must name a digest (`repository@sha256:…`)")?;

    // 0. Connect to the remote repository (credentials only when needed).
    let config = args
        .credentials
        .apply(args.connect.client_config(), reference.registry());
    let src = Repository::with_config(&args.reference, config)?;

    // 1. Create a memory store.
    let dst = memory::Store::new();

    // 2. Resolve the descriptor of the artifact from the digest: the
    //    registry tells its media type and size.
    let descriptor = src.resolve(&digest.to_string()).await?;

    // 3. Copy the artifact's graph (config, layers, manifest).
    copy_graph(&src, &dst, &descriptor, &CopyGraphOptions::default()).await?;

    // 4. Verify that the manifest now exists in the memory store.
    println!("{}", dst.exists(&descriptor).await?);
    println!("copied {} nodes", dst.len());
    Ok(())
}
