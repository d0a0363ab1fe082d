//! Copy an artifact and its referrers from a remote repository into memory
//! (oras-go `Example_extendedCopyArtifactAndReferrersFromRepository`).
//!
//! ```text
//! cargo run -p oras-examples --bin extended-copy-from-repository -- --plain-http \
//!     localhost:5000/hello:v1
//! ```
//!
//! The memory store vanishes when the program ends, so the program prints
//! what it holds: the artifact and the referrers that came with it.

use anyhow::Result;
use clap::Parser;
use oras_content::{ReadOnlyStorage, memory};
use oras_copy::{CopyGraphOptions, ExtendedCopyOptions, extended_copy, referrers};
use oras_examples::{ConnectArgs, CredentialArgs};
use oras_remote::Repository;
use oras_spec::Reference;

/// Copy an artifact with all its referrers into memory.
#[derive(Parser)]
struct Args {
    /// What to copy: `registry/repository[:tag]` (tag `latest` when absent).
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
    let tag = reference.tag().unwrap_or("latest");

    // 0. Connect to the remote repository (credentials only when needed).
    let config = args
        .credentials
        .apply(args.connect.client_config(), reference.registry());
    let src = Repository::with_config(&args.reference, config)?;

    // 1. Create a memory store.
    let dst = memory::Store::new();

    // 2. Copy the artifact tagged `tag` along with all of its referrers,
    //    and referrers of referrers (no depth limit by default), reporting
    //    each node as it is copied.
    let graph = CopyGraphOptions::default().with_post_copy(|desc| async move {
        println!("copied {} {}", desc.digest, desc.media_type);
        Ok(())
    });
    let opts = ExtendedCopyOptions::new(graph);
    let root = extended_copy(&src, tag, &dst, tag, &opts).await?;
    println!("root: {}", root.digest);

    // 3. Look at what arrived: the root and the referrers memory now knows.
    println!("root exists in memory: {}", dst.exists(&root).await?);
    for referrer in referrers(&dst, &root, None).await? {
        println!("referrer: {} {}", referrer.digest, referrer.artifact_type);
    }
    Ok(())
}
