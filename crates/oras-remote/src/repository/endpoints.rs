//! The forced endpoints of a repository (oras-go `Repository.Blobs()` and
//! `Repository.Manifests()`): every call goes to `/blobs/` or to
//! `/manifests/` whatever the media type says, for content the
//! repository's Accept list would route the other way (a manifest of a
//! type it does not list, a blob that looks like a manifest).

use async_trait::async_trait;
use oras_content::{
    BlobReader, Capabilities, Deleter, ErrorKind, Fetcher, Mounter, Pusher, ReadOnlyStorage,
    ReferenceFetcher, ReferencePusher, Resolver, Result, Tagger,
};
use oras_spec::{Descriptor, ReferenceTarget};

use super::Repository;
use super::upload::Source;
use crate::error::Error;

/// The blob endpoints of a repository (oras-go `registry.BlobStore`),
/// from [`Repository::blobs`]. Cheap to clone.
///
/// ```
/// use oras_content::Fetcher;
/// use oras_spec::Descriptor;
///
/// # async fn example(repository: oras_remote::Repository) -> oras_content::Result<()> {
/// // A manifest media type, but the content is stored as a blob.
/// let desc = Descriptor::from_bytes(oras_spec::media_type::IMAGE_MANIFEST, b"{}");
/// let reader = repository.blobs().fetch(&desc).await?;
/// # drop(reader);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Blobs {
    repository: Repository,
}

/// The manifest endpoints of a repository (oras-go
/// `registry.ManifestStore`), from [`Repository::manifests`]. Cheap to
/// clone.
///
/// ```
/// use oras_content::Resolver;
///
/// # async fn example(repository: oras_remote::Repository) -> oras_content::Result<()> {
/// let desc = repository.manifests().resolve("v1").await?;
/// # drop(desc);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Manifests {
    repository: Repository,
}

impl Repository {
    /// This repository's blob endpoints only: fetch, push, exists, delete,
    /// resolve a digest, mount, whatever the media type.
    pub fn blobs(&self) -> Blobs {
        Blobs {
            repository: self.clone(),
        }
    }

    /// This repository's manifest endpoints only: fetch, push, exists,
    /// delete, resolve, tag, whatever the media type. Pushes and deletes
    /// keep the referrers index up to date as the repository's own do.
    pub fn manifests(&self) -> Manifests {
        Manifests {
            repository: self.clone(),
        }
    }
}

impl Blobs {
    /// The repository these endpoints belong to.
    pub fn repository(&self) -> &Repository {
        &self.repository
    }
}

impl Manifests {
    /// The repository these endpoints belong to.
    pub fn repository(&self) -> &Repository {
        &self.repository
    }
}

#[async_trait]
impl Fetcher for Blobs {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        self.repository.fetch_blob(target).await
    }
}

#[async_trait]
impl Pusher for Blobs {
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()> {
        self.repository
            .push_blob(expected, Source::Reader(Some(content)))
            .await
    }
}

#[async_trait]
impl ReadOnlyStorage for Blobs {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        match self.repository.resolve_blob(&target.digest).await {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl Deleter for Blobs {
    async fn delete(&self, target: &Descriptor) -> Result<()> {
        self.repository.delete_raw(target, false).await
    }
}

#[async_trait]
impl Resolver for Blobs {
    /// A digest (or a reference holding one) to the blob's descriptor
    /// (oras-go `blobStore.Resolve`: a tag is an invalid reference).
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        let digest = blob_digest(&self.repository, reference)?;
        self.repository.resolve_blob(&digest).await
    }
}

#[async_trait]
impl ReferenceFetcher for Blobs {
    /// The blob a digest reference names, streamed and verified (oras-go
    /// `blobStore.FetchReference`).
    async fn fetch_reference(&self, reference: &str) -> Result<(Descriptor, BlobReader)> {
        let digest = blob_digest(&self.repository, reference)?;
        let desc = self.repository.resolve_blob(&digest).await?;
        let reader = self.repository.fetch_blob(&desc).await?;
        Ok((desc, reader))
    }
}

#[async_trait]
impl Mounter for Blobs {
    async fn mount(&self, desc: &Descriptor, from_repository: &str) -> Result<bool> {
        self.repository.mount_blob(desc, from_repository).await
    }
}

impl Capabilities for Blobs {
    fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
        Some(self)
    }
    fn as_mounter(&self) -> Option<&dyn Mounter> {
        Some(self)
    }
    fn as_deleter(&self) -> Option<&dyn Deleter> {
        Some(self)
    }
}

/// The digest of a blob reference; a tag is refused.
fn blob_digest(repository: &Repository, reference: &str) -> Result<oras_spec::Digest> {
    match repository.parse_reference(reference)? {
        ReferenceTarget::Digest(digest) => Ok(digest),
        ReferenceTarget::Tag(tag) => Err(Error::InvalidReference {
            reference: reference.to_owned(),
            reason: format!("{tag:?} is a tag; blobs are named by digest"),
        }
        .into()),
    }
}

#[async_trait]
impl Fetcher for Manifests {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        self.repository.fetch_manifest(target).await
    }
}

#[async_trait]
impl Pusher for Manifests {
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()> {
        self.repository
            .push_manifest(expected, content, &expected.digest.to_string())
            .await
    }
}

#[async_trait]
impl ReadOnlyStorage for Manifests {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        let digest = ReferenceTarget::Digest(target.digest.clone());
        match self.repository.resolve_manifest(&digest).await {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl Deleter for Manifests {
    async fn delete(&self, target: &Descriptor) -> Result<()> {
        self.repository.delete_manifest(target).await
    }
}

#[async_trait]
impl Resolver for Manifests {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        let target = self.repository.parse_reference(reference)?;
        self.repository.resolve_manifest(&target).await
    }
}

#[async_trait]
impl Tagger for Manifests {
    async fn tag(&self, desc: &Descriptor, reference: &str) -> Result<()> {
        self.repository.tag_manifest(desc, reference).await
    }
}

#[async_trait]
impl ReferenceFetcher for Manifests {
    async fn fetch_reference(&self, reference: &str) -> Result<(Descriptor, BlobReader)> {
        let target = self.repository.parse_reference(reference)?;
        let (desc, bytes) = self.repository.fetch_manifest_reference(&target).await?;
        Ok((desc, oras_content::bytes_reader(bytes)))
    }
}

#[async_trait]
impl ReferencePusher for Manifests {
    async fn push_reference(
        &self,
        expected: &Descriptor,
        content: BlobReader,
        reference: &str,
    ) -> Result<()> {
        let target = self.repository.parse_reference(reference)?;
        self.repository
            .push_manifest(expected, content, &target.to_string())
            .await
    }
}

impl Capabilities for Manifests {
    fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
        Some(self)
    }
    fn as_reference_pusher(&self) -> Option<&dyn ReferencePusher> {
        Some(self)
    }
    fn as_deleter(&self) -> Option<&dyn Deleter> {
        Some(self)
    }
}
