//! Attach a blob to an existing artifact (oras-go
//! `Example_attachBlobToRemoteRepository`).
//!
//! ```text
//! cargo run -p oras-examples --bin attach-blob -- --plain-http \
//!     localhost:5000/hello@sha256:… --blob "example blob"
//! ```
//!
//! The attached blob is wrapped in a manifest whose `subject` is the
//! existing artifact: a referrer. Registries with the referrers API list
//! it there; for the others (CNCF Distribution 2.8, for one) the client
//! also keeps the `sha256-<hex>` tag schema's index up to date, so
//! `oras discover` and `extended-copy-*` find it either way.

use anyhow::Result;
use bytes::Bytes;
use clap::Parser;
use oras_content::Resolver;
use oras_copy::{PackManifestOptions, PackManifestVersion, pack_manifest, push_bytes};
use oras_examples::{ConnectArgs, CredentialArgs};
use oras_remote::Repository;
use oras_spec::{Reference, media_type};

/// Attach a blob to an artifact as a referrer.
#[derive(Parser)]
struct Args {
    /// The artifact to attach to: `registry/repository@digest` or `:tag`.
    subject: String,
    /// The content of the blob.
    #[arg(long, default_value = "example blob")]
    blob: String,
    /// The artifact type of the referrer.
    #[arg(long, default_value = "application/vnd.example+type")]
    artifact_type: String,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let reference: Reference = args.subject.parse()?;

    // 0. Connect to the remote repository (credentials only when needed).
    let config = args
        .credentials
        .apply(args.connect.client_config(), reference.registry());
    let repo = Repository::with_config(&args.subject, config)?;

    // 1. Resolve the subject: its descriptor (media type, digest, size)
    //    is what the referrer points at.
    let subject = repo.resolve(&reference.reference_string()).await?;
    println!("subject: {} {}", subject.digest, subject.media_type);

    // 2. Push the blob to the repository.
    let blob = push_bytes(&repo, media_type::IMAGE_LAYER, Bytes::from(args.blob)).await?;
    println!("pushed the blob {} to the repository", blob.digest);

    // 3. Pack the blob into an image-spec 1.1 manifest whose subject is
    //    the artifact, and push it (with its empty config).
    let opts = PackManifestOptions {
        layers: vec![blob],
        subject: Some(subject.clone()),
        ..Default::default()
    };
    let referrer =
        pack_manifest(&repo, PackManifestVersion::V1_1, &args.artifact_type, &opts).await?;
    println!("attached {} to {}", referrer.digest, subject.digest);
    Ok(())
}
