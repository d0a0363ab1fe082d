//! Push files to a remote repository (oras-go
//! `Example_pushFilesToRemoteRepository`).
//!
//! ```text
//! cargo run -p oras-examples --bin push-files -- --plain-http \
//!     localhost:5000/hello:v1 notes.txt data.json
//! ```
//!
//! The files are described in place by a file store, packed into an
//! image-spec 1.1 manifest, and copied to the repository under the tag of
//! the reference (`latest` when it has none).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;
use oras_content::Tagger;
use oras_copy::{CopyOptions, PackManifestOptions, PackManifestVersion, copy, pack_manifest};
use oras_examples::{ConnectArgs, CredentialArgs, json};
use oras_remote::Repository;
use oras_spec::Reference;
use oras_store_file::Store as FileStore;

/// Push files to a remote repository as one artifact.
#[derive(Parser)]
struct Args {
    /// Where to push: `registry/repository[:tag]`.
    reference: String,
    /// The files to push; each becomes a layer titled with its file name.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The media type of every file layer.
    #[arg(long, default_value = "application/vnd.test.file")]
    media_type: String,
    /// The artifact type of the manifest.
    #[arg(long, default_value = "application/vnd.test.artifact")]
    artifact_type: String,
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

    // 0. Create a file store. Its working directory only matters for
    //    relative paths and for files pulled into it; here every file is
    //    added with its own path and nothing is written.
    let store = FileStore::new(std::env::current_dir()?)?;

    // 1. Add the files to the file store. `add` hashes each file as a
    //    stream and returns its descriptor, titled with the file name
    //    (`org.opencontainers.image.title`), which is where `pull-files`
    //    will write it back.
    let mut layers = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .with_context(|| format!("{} has no usable file name", path.display()))?;
        let layer = store.add(name, &args.media_type, path).await?;
        println!("file descriptor for {}: {}", path.display(), json(&layer));
        layers.push(layer);
    }

    // 2. Pack the files into a manifest and tag it in the file store. The
    //    manifest (and the empty config it needs) are kept in the file
    //    store's memory, next to the files it describes.
    let opts = PackManifestOptions {
        layers,
        ..Default::default()
    };
    let manifest = pack_manifest(
        &store,
        PackManifestVersion::V1_1,
        &args.artifact_type,
        &opts,
    )
    .await?;
    println!("manifest descriptor: {}", json(&manifest));
    store.tag(&manifest, tag).await?;

    // 3. Connect to the remote repository. The credentials can be left
    //    out when the registry does not ask for any.
    let config = args
        .credentials
        .apply(args.connect.client_config(), reference.registry());
    let repo = Repository::with_config(&args.reference, config)?;

    // 4. Copy from the file store to the repository: the files and the
    //    config first, then the manifest, pushed under the tag.
    let root = copy(&store, tag, &repo, tag, &CopyOptions::default()).await?;
    println!(
        "pushed {} to {}/{}:{tag}",
        root.digest,
        repo.registry(),
        repo.name()
    );
    Ok(())
}
