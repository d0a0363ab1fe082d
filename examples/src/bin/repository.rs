//! Work with one repository of a registry directly: list, push, resolve,
//! fetch, tag (oras-go `registry/remote` examples: `ExampleRepository_Tags`,
//! `ExampleRepository_Push`, `ExampleRepository_Push_referrerManifest`,
//! `ExampleRepository_Resolve_byTag`/`_byDigest`,
//! `ExampleRepository_Fetch_manifestByTag`/`_manifestByDigest`,
//! `ExampleRepository_FetchReference_manifestByTag`/`_manifestByDigest`,
//! `ExampleRepository_fetchManifestLayers`,
//! `ExampleRepository_Fetch_referrerManifest`, `ExampleRepository_Tag`,
//! `ExampleRegistry_Repositories`, `Example_pullByTag`/`_pullByDigest`,
//! `Example_pushAndTag`, `Example_tagReference`; and `registry`'s
//! `ExampleRepositories`, `ExampleTags`).
//!
//! ```text
//! cargo run -p oras-examples --bin repository -- --plain-http push-and-tag localhost:5000/hello:latest
//! cargo run -p oras-examples --bin repository -- --plain-http resolve localhost:5000/hello:latest
//! cargo run -p oras-examples --bin repository -- --plain-http list-tags localhost:5000/hello
//! ```
//!
//! Each subcommand is one example. `Repository` implements the storage
//! traits of `oras-content` (`Fetcher`, `Pusher`, `Resolver`, `Tagger` …)
//! plus the registry-only ones (`ReferenceFetcher`, `ReferencePusher`,
//! `TagLister`, `ReferrerLister`), so these calls are the same ones a copy
//! makes.

use anyhow::{Context, Result};
use bytes::Bytes;
use clap::{Parser, Subcommand};
use oras_content::{
    Fetcher, Pusher, ReferenceFetcher, ReferencePusher, ReferrerLister, Resolver, TagLister,
    Tagger, bytes_reader, fetch_all, read_all,
};
use oras_examples::{ConnectArgs, CredentialArgs};
use oras_remote::{Registry, Repository};
use oras_spec::{Descriptor, Manifest, Parsed, Reference, media_type};

/// Manifests and other metadata are read whole only up to this size.
const METADATA_LIMIT: u64 = oras_content::MAX_METADATA_BYTES;

/// Layers are printed only up to this size.
const PRINT_LIMIT: u64 = 64 * 1024;

/// Call the repository API of a registry, one example per subcommand.
#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    example: Example,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
}

#[derive(Subcommand)]
enum Example {
    /// List the repositories of a registry (the catalog).
    ListRepositories {
        /// The registry, `host[:port]`.
        registry: String,
    },
    /// List the tags of a repository.
    ListTags {
        /// `registry/repository`.
        repository: String,
    },
    /// Push one layer blob.
    PushBlob {
        /// `registry/repository`.
        repository: String,
        /// The content of the layer.
        #[arg(long, default_value = "Example layer content")]
        content: String,
    },
    /// Push a layer, a config and a manifest over them, tagged.
    PushAndTag {
        /// `registry/repository[:tag]` (tag `latest` when absent).
        reference: String,
    },
    /// Push a manifest, then a second manifest that refers to it.
    PushReferrerManifest {
        /// `registry/repository`.
        repository: String,
    },
    /// Resolve a tag or digest to the descriptor of a manifest.
    Resolve {
        /// `registry/repository:tag` or `registry/repository@digest`.
        reference: String,
    },
    /// Resolve a manifest, then fetch it (two requests).
    FetchManifest {
        /// `registry/repository:tag` or `registry/repository@digest`.
        reference: String,
    },
    /// Fetch a manifest by tag or digest in one request.
    FetchReference {
        /// `registry/repository:tag` or `registry/repository@digest`.
        reference: String,
    },
    /// Fetch a manifest, then each of its layers.
    FetchManifestLayers {
        /// `registry/repository:tag` or `registry/repository@digest`.
        reference: String,
    },
    /// List the referrers of a manifest and fetch each.
    Referrers {
        /// `registry/repository:tag` or `registry/repository@digest`.
        reference: String,
    },
    /// Resolve a manifest and give it another tag (`Tagger::tag`).
    Tag {
        /// `registry/repository:tag` or `registry/repository@digest`.
        reference: String,
        /// The new tag.
        tag: String,
    },
    /// Give a manifest another tag with `oras_copy::tag`, which fetches
    /// and pushes it by reference.
    TagReference {
        /// `registry/repository:tag` or `registry/repository@digest`.
        reference: String,
        /// The new tag.
        tag: String,
    },
    /// Resolve a tag or digest and fetch the manifest's content.
    Pull {
        /// `registry/repository:tag` or `registry/repository@digest`.
        reference: String,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    match &args.example {
        Example::ListRepositories { registry } => list_repositories(&args, registry).await,
        Example::ListTags { repository } => list_tags(&args, repository).await,
        Example::PushBlob {
            repository,
            content,
        } => push_blob(&args, repository, content).await,
        Example::PushAndTag { reference } => push_and_tag(&args, reference).await,
        Example::PushReferrerManifest { repository } => {
            push_referrer_manifest(&args, repository).await
        }
        Example::Resolve { reference } => resolve(&args, reference).await,
        Example::FetchManifest { reference } => fetch_manifest(&args, reference).await,
        Example::FetchReference { reference } => fetch_reference(&args, reference).await,
        Example::FetchManifestLayers { reference } => fetch_manifest_layers(&args, reference).await,
        Example::Referrers { reference } => referrers(&args, reference).await,
        Example::Tag { reference, tag } => tag_manifest(&args, reference, tag).await,
        Example::TagReference { reference, tag } => tag_reference(&args, reference, tag).await,
        Example::Pull { reference } => pull(&args, reference).await,
    }
}

/// `ExampleRegistry_Repositories`: the catalog, every page of it.
async fn list_repositories(args: &Args, registry: &str) -> Result<()> {
    let config = args
        .credentials
        .apply(args.connect.client_config(), registry);
    let registry = Registry::with_config(registry, config)?;
    for repository in registry.repositories(None).await? {
        println!("{repository}");
    }
    Ok(())
}

/// `ExampleRepository_Tags`: every tag, every page.
async fn list_tags(args: &Args, repository: &str) -> Result<()> {
    let (repo, _) = connect(args, repository)?;
    for tag in repo.tags(None).await? {
        println!("{tag}");
    }
    Ok(())
}

/// `ExampleRepository_Push`: describe a blob, then push it.
async fn push_blob(args: &Args, repository: &str, content: &str) -> Result<()> {
    let (repo, _) = connect(args, repository)?;

    // 1. Assemble a descriptor: media type, digest and size of the bytes.
    let layer = Bytes::copy_from_slice(content.as_bytes());
    let descriptor = Descriptor::from_bytes(media_type::IMAGE_LAYER, &layer);

    // 2. Push the descriptor and the content; the registry checks the
    //    digest before it keeps anything.
    repo.push(&descriptor, bytes_reader(layer)).await?;
    println!("pushed {}", descriptor.digest);
    Ok(())
}

/// `Example_pushAndTag`: an image (config, layer, manifest) under a tag.
async fn push_and_tag(args: &Args, reference: &str) -> Result<()> {
    let (repo, parsed) = connect(args, reference)?;
    let tag = parsed.tag().unwrap_or("latest");

    // 1. Assemble the descriptors and the manifest.
    let layer = Bytes::from_static(b"Hello layer");
    let layer_desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &layer);
    let config = Bytes::from_static(b"Hello config");
    let config_desc = Descriptor::from_bytes(media_type::IMAGE_CONFIG, &config);
    let manifest = image_manifest(config_desc.clone(), vec![layer_desc.clone()], None, "");
    let manifest_desc = manifest.descriptor(media_type::IMAGE_MANIFEST);

    // 2. Push the blobs, then the manifest under the tag in one request
    //    (`PUT /manifests/<tag>`): children before their parent, so the
    //    registry never holds a manifest whose blobs are missing.
    repo.push(&layer_desc, bytes_reader(layer)).await?;
    repo.push(&config_desc, bytes_reader(config)).await?;
    let content = bytes_reader(manifest.bytes().to_vec());
    repo.push_reference(&manifest_desc, content, tag).await?;
    println!("pushed {} as {tag}", manifest_desc.digest);
    Ok(())
}

/// `ExampleRepository_Push_referrerManifest`: a manifest, then a manifest
/// whose `subject` is the first. Pushing the second also indexes it as a
/// referrer of the first (referrers API, or the tag schema).
async fn push_referrer_manifest(args: &Args, repository: &str) -> Result<()> {
    let (repo, _) = connect(args, repository)?;

    // 1. Assemble and push the referenced manifest (and its config first).
    let config = Bytes::from_static(b"config bytes");
    let config_desc = Descriptor::from_bytes(media_type::IMAGE_CONFIG, &config);
    repo.push(&config_desc, bytes_reader(config)).await?;
    let manifest = image_manifest(config_desc.clone(), Vec::new(), None, "");
    let manifest_desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
    repo.push(&manifest_desc, bytes_reader(manifest.bytes().to_vec()))
        .await?;
    println!("pushed manifest {}", manifest_desc.digest);

    // 2. Assemble and push the referrer: same config, an artifact type,
    //    and the first manifest as its subject.
    let referrer = image_manifest(
        config_desc,
        Vec::new(),
        Some(&manifest_desc),
        "sbom/example",
    );
    let referrer_desc = referrer.descriptor(media_type::IMAGE_MANIFEST);
    repo.push(&referrer_desc, bytes_reader(referrer.bytes().to_vec()))
        .await?;
    println!("pushed referrer {}", referrer_desc.digest);
    Ok(())
}

/// `ExampleRepository_Resolve_byTag` and `_byDigest`: one `HEAD`.
async fn resolve(args: &Args, reference: &str) -> Result<()> {
    let (repo, parsed) = connect(args, reference)?;
    let descriptor = repo.resolve(&target(&parsed)?).await?;
    println!("{}", descriptor.media_type);
    println!("{}", descriptor.digest);
    println!("{}", descriptor.size);
    Ok(())
}

/// `ExampleRepository_Fetch_manifestByTag` and `_manifestByDigest`:
/// resolve, then fetch the content the descriptor names. The reader checks
/// size and digest as the bytes arrive.
async fn fetch_manifest(args: &Args, reference: &str) -> Result<()> {
    let (repo, parsed) = connect(args, reference)?;
    let descriptor = repo.resolve(&target(&parsed)?).await?;
    let reader = repo.fetch(&descriptor).await?;
    let content = read_all(reader, &descriptor, METADATA_LIMIT).await?;
    println!("{}", String::from_utf8_lossy(&content));
    Ok(())
}

/// `ExampleRepository_FetchReference_manifestByTag` and
/// `_manifestByDigest`: descriptor and content in one `GET`.
async fn fetch_reference(args: &Args, reference: &str) -> Result<()> {
    let (repo, parsed) = connect(args, reference)?;
    let (descriptor, reader) = repo.fetch_reference(&target(&parsed)?).await?;
    let content = read_all(reader, &descriptor, METADATA_LIMIT).await?;
    println!("{}", String::from_utf8_lossy(&content));
    Ok(())
}

/// `ExampleRepository_fetchManifestLayers`: fetch a manifest, parse it,
/// fetch each layer it lists.
async fn fetch_manifest_layers(args: &Args, reference: &str) -> Result<()> {
    let (repo, parsed) = connect(args, reference)?;

    // 1. Fetch the manifest by tag or digest.
    let (descriptor, reader) = repo.fetch_reference(&target(&parsed)?).await?;
    let content = read_all(reader, &descriptor, METADATA_LIMIT).await?;
    println!("{}", String::from_utf8_lossy(&content));

    // 2. Parse it and fetch its layers (printed when small; a real program
    //    would stream large ones with `fetch` instead of reading them whole).
    let manifest: Manifest = serde_json::from_slice(&content).context("not an image manifest")?;
    for layer in &manifest.layers {
        if layer.size > PRINT_LIMIT {
            println!("({} bytes, not printed)", layer.size);
            continue;
        }
        let content = fetch_all(&repo, layer, PRINT_LIMIT).await?;
        println!("{}", String::from_utf8_lossy(&content));
    }
    Ok(())
}

/// `ExampleRepository_Fetch_referrerManifest`: list the referrers of a
/// manifest and fetch each. Registries without the referrers API are read
/// through the `sha256-<hex>` tag schema instead.
async fn referrers(args: &Args, reference: &str) -> Result<()> {
    let (repo, parsed) = connect(args, reference)?;
    let descriptor = repo.resolve(&target(&parsed)?).await?;
    for referrer in repo.referrers(&descriptor, None).await? {
        let content = fetch_all(&repo, &referrer, METADATA_LIMIT).await?;
        println!("{}", String::from_utf8_lossy(&content));
    }
    Ok(())
}

/// `ExampleRepository_Tag`: resolve, then tag the descriptor.
async fn tag_manifest(args: &Args, reference: &str, tag: &str) -> Result<()> {
    let (repo, parsed) = connect(args, reference)?;
    let descriptor = repo.resolve(&target(&parsed)?).await?;
    repo.tag(&descriptor, tag).await?;
    println!("Tagged {} as {tag}", descriptor.digest);
    Ok(())
}

/// `Example_tagReference`: `oras_copy::tag` fetches the manifest by its
/// reference and pushes it back under the new tag.
async fn tag_reference(args: &Args, reference: &str, tag: &str) -> Result<()> {
    let (repo, parsed) = connect(args, reference)?;
    let descriptor = oras_copy::tag(&repo, &target(&parsed)?, tag).await?;
    println!("Tagged {} as {tag}", descriptor.digest);
    Ok(())
}

/// `Example_pullByTag` and `Example_pullByDigest`: resolve, then fetch the
/// whole content (capped, and verified).
async fn pull(args: &Args, reference: &str) -> Result<()> {
    let (repo, parsed) = connect(args, reference)?;

    // 1. Resolve the descriptor.
    let descriptor = repo.resolve(&target(&parsed)?).await?;
    println!("{}", descriptor.digest);
    println!("{}", descriptor.size);

    // 2. Fetch the content.
    let content = fetch_all(&repo, &descriptor, METADATA_LIMIT).await?;
    println!("{}", String::from_utf8_lossy(&content));
    Ok(())
}

/// The repository a reference names, with the flags' client settings.
fn connect(args: &Args, reference: &str) -> Result<(Repository, Reference)> {
    let parsed: Reference = reference
        .parse()
        .with_context(|| format!("invalid reference {reference:?}"))?;
    let config = args
        .credentials
        .apply(args.connect.client_config(), parsed.registry());
    Ok((Repository::with_config(reference, config)?, parsed))
}

/// The tag or digest of a reference, which these examples need.
fn target(reference: &Reference) -> Result<String> {
    let target = reference.reference_string();
    anyhow::ensure!(
        !target.is_empty(),
        "{}/{} names no tag or digest",
        reference.registry(),
        reference.repository()
    );
    Ok(target)
}

/// An image manifest, as exact bytes with its parsed value.
fn image_manifest(
    config: Descriptor,
    layers: Vec<Descriptor>,
    subject: Option<&Descriptor>,
    artifact_type: &str,
) -> Parsed<Manifest> {
    Parsed::from_value(Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.to_owned(),
        artifact_type: artifact_type.to_owned(),
        config,
        layers,
        subject: subject.cloned(),
        annotations: Default::default(),
    })
}
