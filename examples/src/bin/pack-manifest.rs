//! Pack an OCI image manifest as defined in image-spec v1.1 and v1.0
//! (oras-go `ExamplePackManifest_imageV11`, `ExamplePackManifest_imageV10`).
//!
//! ```text
//! cargo run -p oras-examples --bin pack-manifest
//! ```
//!
//! With the defaults the output is byte for byte oras-go's:
//! `sha256:c259a195…` (528 bytes) for v1.1 and `sha256:da221a11…`
//! (308 bytes) for v1.0.

use anyhow::Result;
use clap::Parser;
use oras_content::{fetch_all, memory};
use oras_copy::{PackManifestOptions, PackManifestVersion, pack_manifest};
use oras_examples::json;
use oras_spec::annotation;

/// Pack a manifest in both image-spec versions and print it.
#[derive(Parser)]
struct Args {
    /// The artifact type (v1.1: `artifactType`; v1.0: the config media type).
    #[arg(long, default_value = "application/vnd.example+type")]
    artifact_type: String,
    /// The `org.opencontainers.image.created` annotation (RFC 3339). It is
    /// generated from the clock when not given; a fixed value makes the
    /// result reproducible.
    #[arg(long, default_value = "2000-01-01T00:00:00Z")]
    created: String,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    for version in [PackManifestVersion::V1_1, PackManifestVersion::V1_0] {
        println!("image-spec {version}:");

        // 0. Create a storage: the manifest and the blobs it needs (the
        //    empty `{}` config) are pushed there.
        let store = memory::Store::new();

        // 1. Set the optional parameters: here only the creation time.
        let opts = PackManifestOptions {
            manifest_annotations: [(annotation::CREATED.to_owned(), args.created.clone())].into(),
            ..Default::default()
        };

        // 2. Pack the manifest.
        let manifest = pack_manifest(&store, version, &args.artifact_type, &opts).await?;
        println!("Manifest descriptor: {}", json(&manifest));

        // 3. Read the packed manifest back from the storage.
        let content = fetch_all(&store, &manifest, 1 << 20).await?;
        println!("Manifest content: {}", String::from_utf8_lossy(&content));
    }
    Ok(())
}
