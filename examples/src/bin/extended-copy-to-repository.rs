//! Push an artifact and its referrer to a remote repository (oras-go
//! `Example_extendedCopyArtifactAndReferrersToRepository`).
//!
//! ```text
//! cargo run -p oras-examples --bin extended-copy-to-repository -- --plain-http \
//!     localhost:5000/hello:v1
//! ```
//!
//! An artifact and an "SBOM" that refers to it are assembled in memory;
//! one extended copy sends both: the artifact, then every manifest whose
//! `subject` is the artifact.

use anyhow::Result;
use clap::Parser;
use oras_content::{Tagger, memory};
use oras_copy::{
    ExtendedCopyOptions, PackManifestOptions, PackManifestVersion, extended_copy, pack_manifest,
};
use oras_examples::{ConnectArgs, CredentialArgs, json};
use oras_remote::Repository;
use oras_spec::Reference;

/// Push an artifact with its referrer in one extended copy.
#[derive(Parser)]
struct Args {
    /// Where to push: `registry/repository[:tag]` (tag `v1` when absent).
    reference: String,
    /// The artifact type of the artifact.
    #[arg(long, default_value = "application/vnd.example+type")]
    artifact_type: String,
    /// The artifact type of its referrer.
    #[arg(long, default_value = "sbom/example")]
    referrer_type: String,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let reference: Reference = args.reference.parse()?;
    let tag = reference.tag().unwrap_or("v1");

    // 0. Assemble the artifact in memory: an image-spec 1.1 manifest with
    //    no layers (the empty config and empty layer are pushed for it),
    //    tagged so the copy can find it by name.
    let src = memory::Store::new();
    let manifest = pack_manifest(
        &src,
        PackManifestVersion::V1_1,
        &args.artifact_type,
        &PackManifestOptions::default(),
    )
    .await?;
    println!("created manifest: {}", json(&manifest));
    src.tag(&manifest, tag).await?;
    println!("tagged manifest: {}", manifest.digest);

    // 1. Assemble the referrer in memory: a manifest whose subject is the
    //    artifact. The memory store records the edge, so the artifact now
    //    has a predecessor there.
    let opts = PackManifestOptions {
        subject: Some(manifest.clone()),
        ..Default::default()
    };
    let referrer =
        pack_manifest(&src, PackManifestVersion::V1_1, &args.referrer_type, &opts).await?;
    println!("created referrer: {}", json(&referrer));

    // 2. Connect to the remote repository (credentials only when needed).
    let config = args
        .credentials
        .apply(args.connect.client_config(), reference.registry());
    let repo = Repository::with_config(&args.reference, config)?;

    // 3. Copy the artifact and its referrers: the extended copy finds the
    //    predecessors of the tagged manifest in the source and copies each
    //    graph; the registry client indexes the referrer (referrers API, or
    //    the `sha256-<hex>` tag schema where there is none). The artifact
    //    is tagged at the destination with the same tag.
    let root = extended_copy(&src, tag, &repo, "", &ExtendedCopyOptions::default()).await?;
    println!("pushed: {}", root.digest);
    println!("pushed referrer: {}", referrer.digest);
    Ok(())
}
