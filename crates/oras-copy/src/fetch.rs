//! [`resolve`], [`fetch`] and [`fetch_bytes`]: oras-go's helpers of the same
//! names (`content.go`), with optional platform selection.

use bytes::Bytes;
use oras_content::{BlobReader, MAX_METADATA_BYTES, ReadOnlyTarget, bytes_reader, read_all};
use oras_spec::{Descriptor, Platform, media_type};

use crate::error::{Error, Result};
use crate::platform::select_manifest_within;
use crate::proxy::Proxy;

/// Options of [`resolve`] and [`fetch`] (oras-go `ResolveOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolveOptions {
    /// Select the manifest for this platform under the resolved node.
    pub target_platform: Option<Platform>,
    /// Largest manifest read to select a platform; 0 means 4 MiB.
    pub max_metadata_bytes: u64,
}

/// Options of [`fetch_bytes`] (oras-go `FetchBytesOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchBytesOptions {
    /// How to resolve the reference.
    pub resolve: ResolveOptions,
    /// Largest content returned; 0 means 4 MiB.
    pub max_bytes: u64,
}

impl ResolveOptions {
    fn limit(&self) -> u64 {
        if self.max_metadata_bytes == 0 {
            MAX_METADATA_BYTES
        } else {
            self.max_metadata_bytes
        }
    }
}

/// The descriptor `reference` names in `target`, or with a target platform
/// the manifest for that platform under it.
pub async fn resolve<T: ReadOnlyTarget + ?Sized>(
    target: &T,
    reference: &str,
    opts: &ResolveOptions,
) -> Result<Descriptor> {
    match &opts.target_platform {
        None => Ok(target.resolve(reference).await?),
        Some(platform) => {
            let proxy = Proxy::new(target, opts.limit());
            resolve_platform(&proxy, reference, platform, opts.limit()).await
        }
    }
}

/// Resolves with a platform through `proxy`, caching the root when it
/// came with a `GET` (oras-go `resolve`).
async fn resolve_platform<T: ReadOnlyTarget + ?Sized>(
    proxy: &Proxy<'_, T>,
    reference: &str,
    platform: &Platform,
    limit: u64,
) -> Result<Descriptor> {
    let target = proxy.source();
    let root = match target.as_reference_fetcher() {
        Some(fetcher) => {
            let (root, reader) = fetcher.fetch_reference(reference).await?;
            if !matches!(
                root.media_type.as_str(),
                media_type::DOCKER_MANIFEST_LIST
                    | media_type::IMAGE_INDEX
                    | media_type::DOCKER_MANIFEST
                    | media_type::IMAGE_MANIFEST
            ) {
                return Err(Error::Unsupported(format!(
                    "{}: {}",
                    root.digest, root.media_type
                )));
            }
            if root.size > limit {
                return Err(Error::SizeExceedsLimit {
                    size: root.size,
                    limit_name: "MaxMetadataBytes",
                    limit,
                });
            }
            let content = read_all(reader, &root, limit).await?;
            proxy.insert(&root, content.into());
            root
        }
        None => target.resolve(reference).await?,
    };
    proxy.set_caching(false);
    select_manifest_within(proxy, &root, platform, limit).await
}

/// The descriptor `reference` names and a stream of its content (not
/// verified: wrap it in [`oras_content::VerifyReader`] or use
/// [`fetch_bytes`]). Uses one `GET` on a [`oras_content::ReferenceFetcher`].
pub async fn fetch<T: ReadOnlyTarget + ?Sized>(
    target: &T,
    reference: &str,
    opts: &ResolveOptions,
) -> Result<(Descriptor, BlobReader)> {
    let Some(platform) = &opts.target_platform else {
        if let Some(fetcher) = target.as_reference_fetcher() {
            return Ok(fetcher.fetch_reference(reference).await?);
        }
        let desc = target.resolve(reference).await?;
        let reader = target.fetch(&desc).await?;
        return Ok((desc, reader));
    };
    let proxy = Proxy::new(target, opts.limit());
    let desc = resolve_platform(&proxy, reference, platform, opts.limit()).await?;
    let reader = match proxy.cached(&desc) {
        Some(content) => bytes_reader(content),
        None => target.fetch(&desc).await?,
    };
    Ok((desc, reader))
}

/// The descriptor `reference` names and its whole verified content, at
/// most `opts.max_bytes` (4 MiB by default).
pub async fn fetch_bytes<T: ReadOnlyTarget + ?Sized>(
    target: &T,
    reference: &str,
    opts: &FetchBytesOptions,
) -> Result<(Descriptor, Bytes)> {
    let limit = if opts.max_bytes == 0 {
        MAX_METADATA_BYTES
    } else {
        opts.max_bytes
    };
    let (desc, reader) = fetch(target, reference, &opts.resolve).await?;
    if desc.size > limit {
        return Err(Error::SizeExceedsLimit {
            size: desc.size,
            limit_name: "MaxBytes",
            limit,
        });
    }
    let content = read_all(reader, &desc, limit).await?;
    Ok((desc, content.into()))
}
