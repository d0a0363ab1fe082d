//! [`Repository`]: one repository of a registry, implementing the
//! oras-content traits (oras-go `registry/remote.Repository`). Requests go
//! to blobs or manifests by media type (`is_manifest` against the Accept
//! list); every request carries its scope hints (pull for reads,
//! pull+push for writes, delete for deletes).

mod blob_fetch;
mod blob_stream;
mod blobs;
mod endpoints;
mod manifests;
mod prestage;
mod ranged_fetch;
mod referrers;
mod response;
mod tags;
mod traits;
mod upload;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use oras_auth::{Action, Scopes};
use oras_spec::{Digest, Reference, ReferenceTarget, media_type};
use url::Url;

use crate::client::ClientConfig;
use crate::error::Error;
use crate::remote::{Remote, repository_scopes};

pub use endpoints::{Blobs, Manifests};
pub use prestage::{FilePrestage, PRESTAGE_MIN_SIZE, Prestage};
pub use upload::{BlobSource, FileSource};

/// The default cap on the page bodies of one listing: 64 MiB, room for
/// about a million tags of 60 characters.
pub const MAX_LISTING_BYTES: u64 = 64 * 1024 * 1024;

/// The bytes a listing has read so far, against its cap.
pub(crate) struct ListingBudget {
    what: String,
    limit: u64,
    used: u64,
}

impl ListingBudget {
    pub(crate) fn new(what: String, limit: u64) -> Self {
        ListingBudget {
            what,
            limit,
            used: 0,
        }
    }

    /// Counts a page of `bytes`; an error once the listing exceeds its cap.
    pub(crate) fn take(&mut self, bytes: usize) -> Result<(), Error> {
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        self.used = self.used.saturating_add(bytes);
        if self.used > self.limit {
            return Err(Error::ListingTooLarge {
                what: std::mem::take(&mut self.what),
                limit: self.limit,
            });
        }
        Ok(())
    }
}

/// Tunables of a repository, with oras-go's defaults where it has them.
#[derive(Clone, Debug)]
pub struct RepositoryOptions {
    /// `n` for tag and catalog listing pages (registry default when `None`).
    pub page_size: Option<u32>,
    /// `n` for referrers pages (registry default when `None`).
    pub referrers_page_size: Option<u32>,
    /// Most pages a listing follows before failing with `TooManyPages`.
    pub max_pages: usize,
    /// Most bytes of page bodies one listing (tags, catalog, referrers)
    /// reads in all, [`MAX_LISTING_BYTES`] by default: with the page and
    /// metadata caps alone a registry could make a listing hold 1,000
    /// pages of 4 MiB.
    pub max_listing_bytes: u64,
    /// Cap on manifests, indexes, tag lists and other metadata read into
    /// memory (4 MiB).
    pub max_metadata_bytes: u64,
    /// The `Accept` list for manifests; also decides which media types
    /// are manifests.
    pub manifest_media_types: Vec<String>,
    /// Keep the old referrers index after a tag-schema update (oras-go
    /// `SkipReferrersGC`).
    pub skip_referrers_gc: bool,
    /// Size of each PATCH of a chunked upload (raised to the registry's
    /// `OCI-Chunk-Min-Length`).
    pub chunk_size: u64,
    /// Blobs larger than this are uploaded in chunks (resumable). By
    /// default none is: oras-go always uploads in one `PUT`, and a single
    /// PUT is what registries ingest fastest (Distribution takes a 1 GiB
    /// blob about a fifth faster than in 16 MiB PATCHes).
    pub chunked_threshold: u64,
    /// Upload every blob in chunks.
    pub force_chunked: bool,
    /// How many times an interrupted upload or download is resumed (per
    /// range, for a ranged download).
    pub max_resumes: u32,
    /// Blobs of at least this size are downloaded in byte ranges over
    /// several connections when the registry (or the server it redirects
    /// to) advertises `Accept-Ranges: bytes` and the probe
    /// ([`RepositoryOptions::ranged_fetch_probe`]) came slower than
    /// [`RepositoryOptions::ranged_fetch_fast_rate`]; 64 MiB by default.
    pub ranged_fetch_threshold: u64,
    /// The bytes of the first response read before choosing one stream or
    /// ranges (16 MiB). The rate is timed over the second half only: the
    /// first bytes of a connection do not come at its steady rate (a
    /// congestion window opening, the server's first read, or a burst of
    /// what the path buffered), and timing them would choose wrongly. On a
    /// path capped at 50 MiB/s per connection the first 4.5 MiB came in
    /// 9 ms and bytes 4.5 to 8 MiB at 61 MiB/s; bytes 8 to 16 MiB come at
    /// the cap.
    pub ranged_fetch_probe: u64,
    /// The size of each range of a ranged download (2 MiB): memory holds
    /// at most [`RepositoryOptions::ranged_fetch_connections`] − 1 of
    /// them. Each range costs a round trip before its first byte, so on a
    /// path of round-trip time `r` and per-connection rate `b` a range of
    /// `c` bytes keeps its connection busy `c / (c + r·b)` of the time:
    /// for the memory they hold, many small ranges fetch faster than a few
    /// large ones (measured at 80 ms and 50 MiB/s per connection, 1 GiB:
    /// 8 × 4 MiB 5.0 s, 16 × 2 MiB 4.4 s, 32 × 1 MiB 4.6 s with more
    /// memory).
    pub ranged_fetch_chunk: u64,
    /// How many ranges are fetched at once (16), by all the ranged
    /// downloads of the repository together; 1 or less downloads every
    /// blob as one stream.
    pub ranged_fetch_connections: usize,
    /// Bytes per second at or above which a download goes on in its first
    /// stream (64 MiB/s: a registry nearby, where more connections only
    /// add work and memory, as when several blobs of a copy already share
    /// the machine); `u64::MAX` uses ranges whatever the speed.
    pub ranged_fetch_fast_rate: u64,
}

impl Default for RepositoryOptions {
    fn default() -> Self {
        RepositoryOptions {
            page_size: None,
            referrers_page_size: None,
            max_pages: 1000,
            max_listing_bytes: MAX_LISTING_BYTES,
            max_metadata_bytes: oras_content::MAX_METADATA_BYTES,
            manifest_media_types: media_type::DEFAULT_MANIFEST_ACCEPT
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            skip_referrers_gc: false,
            chunk_size: 16 * 1024 * 1024,
            chunked_threshold: u64::MAX,
            force_chunked: false,
            max_resumes: 5,
            ranged_fetch_threshold: 64 * 1024 * 1024,
            ranged_fetch_probe: 16 * 1024 * 1024,
            ranged_fetch_chunk: 2 * 1024 * 1024,
            ranged_fetch_connections: 16,
            ranged_fetch_fast_rate: 64 * 1024 * 1024,
        }
    }
}

const REFERRERS_UNKNOWN: u8 = 0;
const REFERRERS_SUPPORTED: u8 = 1;
const REFERRERS_UNSUPPORTED: u8 = 2;

pub(crate) struct Inner {
    registry: String,
    name: String,
    remote: Remote,
    options: RepositoryOptions,
    referrers: AtomicU8,
    /// One lock per referrers tag, so concurrent index updates of one
    /// subject do not lose each other's entries.
    referrer_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Uploads sent before their digest was known, by the digest they
    /// were committed as, with their size.
    prestaged: Mutex<HashMap<oras_spec::Digest, (u64, prestage::SentUpload)>>,
    /// The ranges all ranged downloads of this repository may have in
    /// flight together (`ranged_fetch_connections`): memory stays bounded
    /// however many blobs are fetched at once.
    range_slots: Arc<tokio::sync::Semaphore>,
}

/// A repository of a registry. Cheap to clone; clones share the referrers
/// capability state.
#[derive(Clone)]
pub struct Repository {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Repository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Repository({}/{})", self.inner.registry, self.inner.name)
    }
}

impl Repository {
    /// The repository `name` of the registry `registry` reached through
    /// `remote`; an error when `name` is not a valid repository name.
    pub(crate) fn open(
        registry: String,
        name: &str,
        remote: Remote,
        options: RepositoryOptions,
    ) -> Result<Repository, Error> {
        Reference::validate_repository(name).map_err(|e| Error::InvalidReference {
            reference: name.to_owned(),
            reason: e.to_string(),
        })?;
        let name = name.to_owned();
        let range_slots = Arc::new(tokio::sync::Semaphore::new(
            options.ranged_fetch_connections.max(1),
        ));
        Ok(Repository {
            inner: Arc::new(Inner {
                registry,
                name,
                remote,
                range_slots,
                options,
                referrers: AtomicU8::new(REFERRERS_UNKNOWN),
                referrer_locks: Mutex::new(HashMap::new()),
                prestaged: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The repository `registry/name` (a tag or digest is ignored) with the
    /// default client.
    pub fn new(reference: &str) -> Result<Repository, Error> {
        Repository::with_config(reference, ClientConfig::new())
    }

    /// The repository `registry/name` with a client built from `config`.
    pub fn with_config(reference: &str, config: ClientConfig) -> Result<Repository, Error> {
        let parsed = Reference::parse(reference).map_err(|e| Error::InvalidReference {
            reference: reference.to_owned(),
            reason: e.to_string(),
        })?;
        let remote = Remote::connect(parsed.registry(), &config)?;
        Repository::open(
            parsed.registry().to_owned(),
            parsed.repository(),
            remote,
            RepositoryOptions::default(),
        )
    }

    /// The repository `registry/name` (a tag or digest is ignored)
    /// reached through `client`, which must have been built for its
    /// registry ([`ClientConfig::build`]); clones of one client share
    /// connections and tokens.
    pub fn with_client(
        reference: &str,
        client: crate::client::Client,
    ) -> Result<Repository, Error> {
        let parsed = Reference::parse(reference).map_err(|e| Error::InvalidReference {
            reference: reference.to_owned(),
            reason: e.to_string(),
        })?;
        let remote = Remote::with_client(parsed.registry(), client)?;
        Repository::open(
            parsed.registry().to_owned(),
            parsed.repository(),
            remote,
            RepositoryOptions::default(),
        )
    }

    /// The base URL requests go to (`https://registry-1.docker.io/`).
    pub fn base_url(&self) -> &Url {
        &self.inner.remote.base
    }

    /// The registry name, as given.
    pub fn registry(&self) -> &str {
        &self.inner.registry
    }

    /// The repository name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The options in force.
    pub fn options(&self) -> &RepositoryOptions {
        &self.inner.options
    }

    /// Whether the registry supports the referrers API: `None` until known.
    pub fn referrers_capability(&self) -> Option<bool> {
        match self.inner.referrers.load(Ordering::SeqCst) {
            REFERRERS_SUPPORTED => Some(true),
            REFERRERS_UNSUPPORTED => Some(false),
            _ => None,
        }
    }

    /// Sets whether the registry supports the referrers API (the CLI's
    /// `--distribution-spec v1.1-referrers-api` / `v1.1-referrers-tag`).
    /// Setting it to another value than an earlier one fails
    /// (oras-go `ErrReferrersCapabilityAlreadySet`).
    pub fn set_referrers_capability(&self, supported: bool) -> Result<(), Error> {
        let want = if supported {
            REFERRERS_SUPPORTED
        } else {
            REFERRERS_UNSUPPORTED
        };
        match self.inner.referrers.compare_exchange(
            REFERRERS_UNKNOWN,
            want,
            Ordering::SeqCst,
            Ordering::SeqCst,
        ) {
            Ok(_) => Ok(()),
            Err(current) if current == want => Ok(()),
            Err(_) => Err(Error::ReferrersCapabilityAlreadySet),
        }
    }

    /// Records a detected capability unless one is already set.
    fn detect_referrers_capability(&self, supported: bool) {
        let _ = self.set_referrers_capability(supported);
    }

    /// Parses a reference the way oras-go's `Repository.ParseReference`
    /// does: a bare tag, a bare digest, `tag@digest` (the tag is dropped),
    /// or a full reference that must name this registry and repository.
    pub fn parse_reference(&self, reference: &str) -> Result<ReferenceTarget, Error> {
        let invalid = |reason: String| Error::InvalidReference {
            reference: reference.to_owned(),
            reason,
        };
        if let Ok(full) = Reference::parse(reference) {
            if full.registry() != self.inner.registry || full.repository() != self.inner.name {
                return Err(invalid(format!(
                    "mismatch between received {:?} and expected \"{}/{}\"",
                    full.to_string(),
                    self.inner.registry,
                    self.inner.name
                )));
            }
            return full
                .target()
                .cloned()
                .ok_or_else(|| invalid("missing tag or digest".into()));
        }
        if let Some((_, digest)) = reference.split_once('@') {
            return digest
                .parse::<Digest>()
                .map(ReferenceTarget::Digest)
                .map_err(|e| invalid(e.to_string()));
        }
        if reference.is_empty() {
            return Err(invalid("empty reference".into()));
        }
        reference
            .parse::<ReferenceTarget>()
            .map_err(|e| invalid(e.to_string()))
    }

    fn remote(&self) -> &Remote {
        &self.inner.remote
    }

    /// Whether `media_type` goes to the manifests endpoint.
    fn is_manifest(&self, media_type: &str) -> bool {
        self.inner
            .options
            .manifest_media_types
            .iter()
            .any(|m| m == media_type)
    }

    /// `registry/name:tag` or `registry/name@digest`, as oras-go's
    /// `registry.Reference.String` names what was not found.
    pub(crate) fn reference_text(&self, target: &oras_spec::ReferenceTarget) -> String {
        let separator = if target.as_digest().is_some() {
            '@'
        } else {
            ':'
        };
        format!(
            "{}/{}{separator}{target}",
            self.inner.registry, self.inner.name
        )
    }

    /// `/v2/<name>/<rest>`.
    fn url(&self, rest: &str) -> Result<Url, Error> {
        self.remote()
            .url(&format!("/v2/{}/{rest}", self.inner.name))
    }

    fn scopes(&self, actions: &[Action]) -> Scopes {
        repository_scopes(&self.inner.name, actions)
    }

    fn pull_scopes(&self) -> Scopes {
        self.scopes(&[Action::Pull])
    }

    fn push_scopes(&self) -> Scopes {
        self.scopes(&[Action::Pull, Action::Push])
    }

    fn delete_scopes(&self) -> Scopes {
        self.scopes(&[Action::Delete])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> Repository {
        Repository::with_config(
            "localhost:5000/hello/world",
            ClientConfig::new().proxy(crate::client::ProxyConfig::none()),
        )
        .unwrap()
    }

    #[test]
    fn parses_references_like_oras_go() {
        let r = repo();
        let digest = Digest::sha256(b"x");
        assert_eq!(
            r.parse_reference("v1").unwrap(),
            ReferenceTarget::Tag("v1".into())
        );
        assert_eq!(
            r.parse_reference(&digest.to_string()).unwrap(),
            ReferenceTarget::Digest(digest.clone())
        );
        assert_eq!(
            r.parse_reference(&format!("v1@{digest}")).unwrap(),
            ReferenceTarget::Digest(digest.clone())
        );
        assert_eq!(
            r.parse_reference("localhost:5000/hello/world:v2").unwrap(),
            ReferenceTarget::Tag("v2".into())
        );
        for bad in [
            "",
            "localhost:5000/other:v1",
            "other:5000/hello/world:v1",
            "bad tag",
            "v1@sha256:abc",
            "localhost:5000/hello/world",
        ] {
            let err = r.parse_reference(bad).unwrap_err();
            assert_eq!(
                err.kind(),
                oras_content::ErrorKind::InvalidReference,
                "{bad}"
            );
        }
    }

    #[test]
    fn capability_is_set_once() {
        let r = repo();
        assert_eq!(r.referrers_capability(), None);
        r.set_referrers_capability(true).unwrap();
        r.set_referrers_capability(true).unwrap();
        assert!(matches!(
            r.set_referrers_capability(false),
            Err(Error::ReferrersCapabilityAlreadySet)
        ));
        assert_eq!(r.referrers_capability(), Some(true));
        let clone = r.clone();
        assert_eq!(clone.referrers_capability(), Some(true));
    }
}
