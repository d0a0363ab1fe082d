//! Copy an artifact between memory, an OCI layout and remote repositories
//! (oras-go `ExampleCopy_repositoryToRepository`,
//! `ExampleCopy_repositoryToRepositoryWithMount`,
//! `ExampleCopy_repositoryToMemory`, `ExampleCopy_memoryToMemory`,
//! `ExampleCopy_memoryToOCIStore`, `ExampleCopy_memoryToRepository`).
//!
//! ```text
//! cargo run -p oras-examples --bin copy -- --plain-http memory-to-repository localhost:5000/source
//! cargo run -p oras-examples --bin copy -- --plain-http repository-to-repository \
//!     localhost:5000/source localhost:5000/destination --mount
//! cargo run -p oras-examples --bin copy -- memory-to-oci-layout ./layout
//! ```
//!
//! Each subcommand is one oras-go example. `copy` is the same call
//! whatever the stores: it resolves the source reference, copies the
//! graph below it (children before parents, skipping what the destination
//! has), and tags the root at the destination. Every copy prints the
//! root's digest; the memory store of the examples always holds the same
//! image, `sha256:7cbb44b44e8ede5a89cf193db3f5f2fd019d89697e6b87e8ed2589e60649b0d1`,
//! byte for byte the one of oras-go's examples.

use std::path::PathBuf;

use anyhow::{Context, Result};
use bytes::Bytes;
use clap::{Parser, Subcommand};
use oras_content::{ReadOnlyStorage, Tagger, memory};
use oras_copy::{CopyGraphOptions, CopyOptions, copy, push_bytes};
use oras_examples::{ConnectArgs, CredentialArgs};
use oras_remote::Repository;
use oras_spec::{Manifest, Parsed, Reference, media_type};
use oras_store_oci::Store as OciStore;

/// Copy an artifact between memory, an OCI layout and repositories.
#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    scenario: Scenario,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
}

#[derive(Subcommand)]
enum Scenario {
    /// Copy `latest` from one repository to another.
    RepositoryToRepository {
        /// The source, `registry/repository[:tag]`.
        source: String,
        /// The destination, `registry/repository[:tag]`, on the same
        /// registry when `--mount` is given.
        destination: String,
        /// Mount the blobs from the source repository instead of copying
        /// their bytes (cross-repository blob mount).
        #[arg(long)]
        mount: bool,
    },
    /// Copy from a repository into memory.
    RepositoryToMemory {
        /// The source, `registry/repository[:tag]`.
        source: String,
    },
    /// Copy the example image from one memory store to another.
    MemoryToMemory,
    /// Copy the example image from memory into an OCI layout.
    MemoryToOciLayout {
        /// The layout directory (created when missing).
        dir: PathBuf,
    },
    /// Copy the example image from memory to a repository.
    MemoryToRepository {
        /// The destination, `registry/repository[:tag]`.
        destination: String,
    },
}

/// The tag every scenario copies, unless a reference names another.
const TAG: &str = "latest";

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    match &args.scenario {
        Scenario::RepositoryToRepository {
            source,
            destination,
            mount,
        } => repository_to_repository(&args, source, destination, *mount).await,
        Scenario::RepositoryToMemory { source } => repository_to_memory(&args, source).await,
        Scenario::MemoryToMemory => memory_to_memory().await,
        Scenario::MemoryToOciLayout { dir } => memory_to_oci_layout(dir).await,
        Scenario::MemoryToRepository { destination } => {
            memory_to_repository(&args, destination).await
        }
    }
}

/// `ExampleCopy_repositoryToRepository` and `…WithMount`.
async fn repository_to_repository(
    args: &Args,
    source: &str,
    destination: &str,
    mount: bool,
) -> Result<()> {
    let (src, src_tag) = connect(args, source)?;
    let (dst, dst_tag) = connect(args, destination)?;

    let mut graph = CopyGraphOptions::default();
    if mount {
        // Enable cross-repository blob mounting: for each blob, the
        // registry is first asked to mount it from these repositories (the
        // list could as well come from a database of known locations). A
        // refused mount falls back to an ordinary copy.
        let from = src.name().to_owned();
        graph = graph
            .with_mount_from(move |_blob| {
                let from = from.clone();
                async move { Ok(vec![from]) }
            })
            // Optionally be told when a mount happened.
            .with_on_mounted(|blob| async move {
                println!("mounted {}", blob.digest);
                Ok(())
            });
    }

    let root = copy(&src, &src_tag, &dst, &dst_tag, &CopyOptions::new(graph)).await?;
    println!("Final {}", root.digest);
    Ok(())
}

/// `ExampleCopy_repositoryToMemory`.
async fn repository_to_memory(args: &Args, source: &str) -> Result<()> {
    let (src, tag) = connect(args, source)?;
    let dst = memory::Store::new();

    let root = copy(&src, &tag, &dst, &tag, &CopyOptions::default()).await?;
    println!("{}", root.digest);
    println!("{} blobs and manifests in memory", dst.len());
    Ok(())
}

/// `ExampleCopy_memoryToMemory`.
async fn memory_to_memory() -> Result<()> {
    let src = example_memory_store().await?;
    let dst = memory::Store::new();

    let root = copy(&src, TAG, &dst, TAG, &CopyOptions::default()).await?;
    println!("{}", root.digest);
    println!("exists in the destination: {}", dst.exists(&root).await?);
    Ok(())
}

/// `ExampleCopy_memoryToOCIStore`.
async fn memory_to_oci_layout(dir: &std::path::Path) -> Result<()> {
    let src = example_memory_store().await?;
    let dst = OciStore::open(dir).await?;

    let root = copy(&src, TAG, &dst, TAG, &CopyOptions::default()).await?;
    println!("{}", root.digest);
    Ok(())
}

/// `ExampleCopy_memoryToRepository`.
async fn memory_to_repository(args: &Args, destination: &str) -> Result<()> {
    let src = example_memory_store().await?;
    let (dst, tag) = connect(args, destination)?;

    let root = copy(&src, TAG, &dst, &tag, &CopyOptions::default()).await?;
    println!("{}", root.digest);
    Ok(())
}

/// The repository a reference names, with the flags' client settings,
/// and the tag to use there.
fn connect(args: &Args, reference: &str) -> Result<(Repository, String)> {
    let parsed: Reference = reference
        .parse()
        .with_context(|| format!("invalid reference {reference:?}"))?;
    let config = args
        .credentials
        .apply(args.connect.client_config(), parsed.registry());
    let repository = Repository::with_config(reference, config)?;
    Ok((repository, parsed.tag().unwrap_or(TAG).to_owned()))
}

/// A memory store holding the image of oras-go's copy examples, tagged
/// `latest`: a layer `Hello layer`, a config `Hello config`, and an image
/// manifest over them (without `mediaType`, as Go marshals it).
async fn example_memory_store() -> Result<memory::Store> {
    let store = memory::Store::new();
    let layer = push_bytes(
        &store,
        media_type::IMAGE_LAYER,
        Bytes::from_static(b"Hello layer"),
    )
    .await?;
    let config = push_bytes(
        &store,
        media_type::IMAGE_CONFIG,
        Bytes::from_static(b"Hello config"),
    )
    .await?;
    let manifest = Parsed::from_value(Manifest {
        schema_version: 2,
        media_type: String::new(),
        artifact_type: String::new(),
        config,
        layers: vec![layer],
        subject: None,
        annotations: Default::default(),
    });
    let manifest_desc = push_bytes(
        &store,
        media_type::IMAGE_MANIFEST,
        Bytes::copy_from_slice(manifest.bytes()),
    )
    .await?;
    store.tag(&manifest_desc, TAG).await?;
    Ok(store)
}
