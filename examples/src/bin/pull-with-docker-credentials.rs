//! Pull an image using Docker's credentials (oras-go
//! `Example_pullImageUsingDockerCredentials`).
//!
//! ```text
//! docker login registry.example.com   # or `oras login`, or the `login` example
//! cargo run -p oras-examples --bin pull-with-docker-credentials -- \
//!     registry.example.com/user/my-repo:latest --oci-layout ./layout
//! ```
//!
//! The credentials come from Docker's `config.json`
//! (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), through
//! whatever it names for the registry: a credential helper
//! (`credHelpers`, `credsStore`) or the plaintext `auths` entry.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use clap::Parser;
use oras_copy::{CopyOptions, copy};
use oras_credentials::{DynamicStore, StoreOptions};
use oras_examples::ConnectArgs;
use oras_remote::Repository;
use oras_spec::Reference;
use oras_store_oci::Store as OciStore;

/// Pull an image into an OCI layout, logging in with Docker's credentials.
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

    // 1. Load Docker's credential store. Nothing is read from a helper
    //    yet: the store is asked for a host's credential only when that
    //    registry challenges a request.
    let credentials = DynamicStore::from_docker(StoreOptions::default())?;
    println!(
        "using credentials from {}",
        credentials.config_path().display()
    );

    // 2. Connect to the remote repository with the store as the
    //    credential provider of its client.
    let config = args
        .connect
        .client_config()
        .credentials(Arc::new(credentials));
    let repo = Repository::with_config(&args.reference, config)?;

    // 3. Copy from the repository to the OCI layout.
    let manifest = copy(&repo, &target, &store, &target, &CopyOptions::default()).await?;
    println!(
        "manifest pulled: {} {}",
        manifest.digest, manifest.media_type
    );
    Ok(())
}
