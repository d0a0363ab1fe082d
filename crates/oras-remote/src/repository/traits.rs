//! The oras-content traits of [`Repository`], routing each call to the
//! blob or manifest endpoints by media type, plus pushes from reopenable
//! sources.

use std::path::Path;

use async_trait::async_trait;
use oras_content::{
    BlobReader, Capabilities, Deleter, ErrorKind, Fetcher, Mounter, PredecessorFinder, Pusher,
    ReadOnlyStorage, ReferenceFetcher, ReferencePusher, ReferrerLister, Resolver, Result,
    TagLister, Tagger, bytes_reader,
};
use oras_spec::{Descriptor, ReferenceTarget};

use super::Repository;
use super::upload::{BlobSource, FileSource, Source};

impl Repository {
    /// Pushes a blob whose content can be reopened, so that an interrupted
    /// chunked upload resumes from what the registry has.
    pub async fn push_from(&self, expected: &Descriptor, source: &dyn BlobSource) -> Result<()> {
        if self.is_manifest(&expected.media_type) {
            return self
                .push_manifest(expected, source.open().await?, &expected.digest.to_string())
                .await;
        }
        self.push_blob(expected, Source::Reopen(source)).await
    }

    /// Pushes the file at `path` as `expected` (resumable, see
    /// [`Repository::push_from`]).
    pub async fn push_file(&self, expected: &Descriptor, path: &Path) -> Result<()> {
        self.push_from(expected, &FileSource(path.to_path_buf()))
            .await
    }
}

#[async_trait]
impl Fetcher for Repository {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        if self.is_manifest(&target.media_type) {
            self.fetch_manifest(target).await
        } else {
            self.fetch_blob(target).await
        }
    }
}

#[async_trait]
impl Pusher for Repository {
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()> {
        if self.is_manifest(&expected.media_type) {
            self.push_manifest(expected, content, &expected.digest.to_string())
                .await
        } else {
            self.push_blob(expected, Source::Reader(Some(content)))
                .await
        }
    }
}

#[async_trait]
impl ReadOnlyStorage for Repository {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        let found = if self.is_manifest(&target.media_type) {
            self.resolve_manifest(&ReferenceTarget::Digest(target.digest.clone()))
                .await
        } else {
            self.resolve_blob(&target.digest).await
        };
        match found {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl Resolver for Repository {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        let target = self.parse_reference(reference)?;
        self.resolve_manifest(&target).await
    }
}

#[async_trait]
impl Tagger for Repository {
    async fn tag(&self, desc: &Descriptor, reference: &str) -> Result<()> {
        if !self.is_manifest(&desc.media_type) {
            return Err(oras_content::Error::Unsupported(format!(
                "tagging a blob of type {:?}",
                desc.media_type
            )));
        }
        self.tag_manifest(desc, reference).await
    }
}

#[async_trait]
impl Deleter for Repository {
    async fn delete(&self, target: &Descriptor) -> Result<()> {
        if self.is_manifest(&target.media_type) {
            self.delete_manifest(target).await
        } else {
            self.delete_raw(target, false).await
        }
    }
}

#[async_trait]
impl PredecessorFinder for Repository {
    /// The referrers of `node` (the registry cannot list other predecessors).
    async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>> {
        self.list_referrers(node, None).await
    }
}

#[async_trait]
impl ReferenceFetcher for Repository {
    async fn fetch_reference(&self, reference: &str) -> Result<(Descriptor, BlobReader)> {
        let target = self.parse_reference(reference)?;
        let (desc, bytes) = self.fetch_manifest_reference(&target).await?;
        Ok((desc, bytes_reader(bytes)))
    }
}

#[async_trait]
impl ReferencePusher for Repository {
    async fn push_reference(
        &self,
        expected: &Descriptor,
        content: BlobReader,
        reference: &str,
    ) -> Result<()> {
        let target = self.parse_reference(reference)?;
        self.push_manifest(expected, content, &target.to_string())
            .await
    }
}

#[async_trait]
impl TagLister for Repository {
    async fn tags(&self, last: Option<&str>) -> Result<Vec<String>> {
        self.list_tags(last).await
    }
}

#[async_trait]
impl ReferrerLister for Repository {
    async fn referrers(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>> {
        self.list_referrers(subject, artifact_type).await
    }
}

#[async_trait]
impl Mounter for Repository {
    async fn mount(&self, desc: &Descriptor, from_repository: &str) -> Result<bool> {
        self.mount_blob(desc, from_repository).await
    }
}

impl Capabilities for Repository {
    fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
        Some(self)
    }
    fn as_reference_pusher(&self) -> Option<&dyn ReferencePusher> {
        Some(self)
    }
    fn as_mounter(&self) -> Option<&dyn Mounter> {
        Some(self)
    }
    fn as_deleter(&self) -> Option<&dyn Deleter> {
        Some(self)
    }
    fn as_tag_lister(&self) -> Option<&dyn TagLister> {
        Some(self)
    }
    fn as_referrer_lister(&self) -> Option<&dyn ReferrerLister> {
        Some(self)
    }
    fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
        Some(self)
    }
}
