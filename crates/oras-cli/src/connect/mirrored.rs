//! A repository read through a mirror (`ORAS_EXPERIMENTAL_CONTAINERS_CONFIG=1`):
//! the endpoint that resolved the reference serves everything; content it
//! then fails to serve (not found, or the connection failed) is fetched
//! from the endpoints after it in order, the last being the registry
//! itself. containers/image tries the pull sources in order for the whole
//! image; per piece of content is finer, and the digest every fetch is
//! checked against makes any source's bytes as good as another's.

use async_trait::async_trait;
use oras_content::{
    BlobReader, Capabilities, ErrorKind, Fetcher, PredecessorFinder, ReadOnlyStorage,
    ReferenceFetcher, ReferrerLister, Resolver, Result, TagLister,
};
use oras_remote::Repository;
use oras_spec::Descriptor;

/// The repository that resolved the reference, then the endpoints to fall
/// back to for content it lacks.
#[derive(Clone, Debug)]
pub struct MirroredRepository {
    primary: Repository,
    fallbacks: Vec<Repository>,
}

impl MirroredRepository {
    /// `primary` serves; `fallbacks`, in order, fill in what it cannot.
    pub fn new(primary: Repository, fallbacks: Vec<Repository>) -> Self {
        MirroredRepository { primary, fallbacks }
    }

    /// The repository that resolved the reference (tags, referrers and
    /// registry-only operations go there).
    pub fn primary(&self) -> &Repository {
        &self.primary
    }
}

/// Whether another endpoint may have what this one failed to serve: it
/// does not have it, or could not be reached. Anything else (a digest
/// mismatch, a refused credential) is the answer.
fn worth_another_endpoint(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::NotFound | ErrorKind::Network)
}

#[async_trait]
impl Fetcher for MirroredRepository {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        let mut error = match self.primary.fetch(target).await {
            Ok(reader) => return Ok(reader),
            Err(err) => err,
        };
        for fallback in &self.fallbacks {
            if !worth_another_endpoint(error.kind()) {
                break;
            }
            tracing::debug!(digest = %target.digest, error = %error, "trying the next endpoint");
            match fallback.fetch(target).await {
                Ok(reader) => return Ok(reader),
                Err(err) => error = err,
            }
        }
        Err(error)
    }
}

#[async_trait]
impl ReadOnlyStorage for MirroredRepository {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        self.primary.exists(target).await
    }
}

#[async_trait]
impl Resolver for MirroredRepository {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        self.primary.resolve(reference).await
    }
}

#[async_trait]
impl PredecessorFinder for MirroredRepository {
    async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>> {
        self.primary.predecessors(node).await
    }
}

#[async_trait]
impl TagLister for MirroredRepository {
    async fn tags(&self, last: Option<&str>) -> Result<Vec<String>> {
        self.primary.tags(last).await
    }
}

impl Capabilities for MirroredRepository {
    fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
        self.primary.as_reference_fetcher()
    }
    fn as_tag_lister(&self) -> Option<&dyn TagLister> {
        self.primary.as_tag_lister()
    }
    fn as_referrer_lister(&self) -> Option<&dyn ReferrerLister> {
        self.primary.as_referrer_lister()
    }
    fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
        self.primary.as_predecessor_finder()
    }
}
