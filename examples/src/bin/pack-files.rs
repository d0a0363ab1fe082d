//! Add files to a file store and pack a manifest referencing them, as
//! defined in image-spec v1.1 (oras-go `content/file` `Example_packFiles`).
//!
//! ```text
//! cargo run -p oras-examples --bin pack-files -- --dir ./work foo.txt bar.txt
//! ```
//!
//! Nothing leaves the machine: this is the first half of `push-files`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;
use oras_copy::{PackManifestOptions, PackManifestVersion, pack_manifest};
use oras_examples::json;
use oras_store_file::Store as FileStore;

/// Describe files with a file store and pack them into a manifest.
#[derive(Parser)]
struct Args {
    /// The file names, relative to `--dir`; each is also the layer's title.
    #[arg(required = true)]
    names: Vec<String>,
    /// The working directory of the file store.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// The media type of every file layer.
    #[arg(long, default_value = "example/file")]
    media_type: String,
    /// The artifact type of the manifest.
    #[arg(long, default_value = "example/test")]
    artifact_type: String,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();

    // 0. Create a file store over the working directory.
    let store = FileStore::new(&args.dir)?;

    // 1. Add the files into the file store. An empty path means "the file
    //    called `name` in the working directory"; each descriptor carries
    //    the name as its title.
    let mut layers = Vec::with_capacity(args.names.len());
    for name in &args.names {
        let layer = store.add(name, &args.media_type, "").await?;
        println!("file descriptor for {name}: {}", json(&layer));
        layers.push(layer);
    }

    // 2. Generate a manifest referencing the files.
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
    println!("manifest media type: {}", manifest.media_type);
    println!("manifest descriptor: {}", json(&manifest));

    // 3. Close the store (it would remove temp files made for directories).
    store.close()?;
    Ok(())
}
