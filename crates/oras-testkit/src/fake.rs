//! An in-process, in-memory OCI distribution-spec v1.1 registry for tests.
//!
//! [`FakeRegistry::start`] binds `127.0.0.1:0`, serves HTTP/1.1 and h2c
//! with hyper, and keeps everything in memory. By default it is a
//! **strict, correct** registry: it implements every endpoint of the
//! spec's checklist (end-1 … end-14) with the statuses, headers and error
//! codes a conformant registry must produce, and refuses what a strict
//! registry refuses. [`FakeConfig`] then breaks exactly one rule, or
//! enables exactly one optional feature, per switch, so a client test (or
//! the conformance runner's own tests) can show which behaviour it relies
//! on.
//!
//! # What the strict registry does
//!
//! | endpoint | behaviour |
//! |---|---|
//! | `GET /v2/` | 200 `{}` |
//! | `GET /v2/_catalog`, `GET /v2/<name>/tags/list` | byte-sorted lists, `n`/`last` (exclusive), `Link: <…>; rel="next"` when more remain; unknown repository → 404 `NAME_UNKNOWN` |
//! | `GET`/`HEAD /v2/<name>/blobs/<digest>` | 200, `Content-Length`, `Content-Type: application/octet-stream`, `Docker-Content-Digest`, `Accept-Ranges: bytes`; one `Range` → 206 + `Content-Range: bytes a-b/len`, unsatisfiable → 416 + `Content-Range: bytes */len`; unknown → 404 `BLOB_UNKNOWN` |
//! | `DELETE /v2/<name>/blobs/<digest>` | 202, unknown → 404 `BLOB_UNKNOWN` |
//! | `POST /v2/<name>/blobs/uploads/` | 202, `Location`, `Docker-Upload-UUID`, `Range: 0-0` (+ `OCI-Chunk-Min-Length` if configured); `?digest=` → 201 single-request upload; `?mount=&from=` → 201 when `from` has the blob, else 202 and a session |
//! | `PATCH <location>` | chunk streamed or with `Content-Range: a-b`; 202 + `Range: 0-<end>`; a chunk not starting at the current size → 416; length not matching the range → 400 `SIZE_INVALID` |
//! | `PUT <location>?digest=` | optional last chunk; 201 + `Location` + `Docker-Content-Digest`; wrong digest → 400 `DIGEST_INVALID` |
//! | `GET`/`DELETE <location>` | 204 + `Range` / 204; unknown session → 404 `BLOB_UPLOAD_UNKNOWN` |
//! | `PUT /v2/<name>/manifests/<ref>` | JSON of a known manifest type ≤ 4 MiB (413 above), `Content-Type` = `mediaType`, digest references verified, referenced blobs and index children must exist with their sizes (`MANIFEST_BLOB_UNKNOWN`) except `subject`; 201 + `Location` + `Docker-Content-Digest` (+ `OCI-Subject` when there is a subject, + one `OCI-Tag` per `?tag=`) |
//! | `GET`/`HEAD /v2/<name>/manifests/<ref>` | stored bytes, `Content-Type` = stored type, `Docker-Content-Digest`, `Content-Length`; unknown → 404 `MANIFEST_UNKNOWN` |
//! | `DELETE /v2/<name>/manifests/<ref>` | by digest: 202, removes its tags too; by tag: 202 (configurable refusal) |
//! | `GET /v2/<name>/referrers/<digest>` | 200 image index of the manifests whose `subject` is the digest (artifact type, annotations), empty for an unknown subject; `?artifactType=` filters and answers `OCI-Filters-Applied: artifactType` |
//!
//! Names are checked against the spec grammar (400 `NAME_INVALID`),
//! digests may be sha256, sha384 or sha512 (400 `DIGEST_INVALID`
//! otherwise), errors are `{"errors":[{"code","message","detail"}]}`
//! ([`ErrorCode`]), and every response carries
//! `Docker-Distribution-API-Version: registry/2.0`. Locations are
//! relative unless [`FakeConfig::absolute_location`] is set.
//!
//! # Two origins
//!
//! The fake also listens on a second port, the *other origin*
//! ([`FakeRegistry::other_url`]), which serves the same store without any
//! authentication. It plays the blob CDN ([`FakeConfig::blob_redirect`]),
//! the foreign upload host ([`FakeConfig::foreign_upload_location`]) and
//! the target of cross-origin `Link`s ([`FakeConfig::cross_origin_link`]);
//! its requests are logged with [`Origin::Other`], so a test can check
//! that no credential followed the client there.
//!
//! # Faults, auth and inspection
//!
//! - [`Fault`]s fail the Nth request matching a method and path glob: a
//!   status (with `Retry-After` for 429), a connection cut after K bytes of
//!   the response or of the request body, a closed connection, a delay.
//!   [`dropping_download`] and [`dropping_upload`] are the ready-made ones
//!   for resume tests.
//! - [`Auth::Basic`] and [`Auth::Bearer`] (token endpoint `/token` on the
//!   same server, GET and OAuth2 POST, tokens bound to scopes, challenge
//!   with `realm`, `service` and `scope`); [`FakeRegistry::token_requests`]
//!   counts and describes every token request.
//! - [`FakeRegistry::requests`] is the request log ([`RequestRecord`]:
//!   method, path and query, all request and response headers, status);
//!   [`FakeRegistry::unexpected_requests`] lists requests no spec
//!   endpoint matches.
//! - Seed and inspect the store directly: [`FakeRegistry::put_blob`],
//!   [`FakeRegistry::put_manifest`], [`FakeRegistry::tag`],
//!   [`FakeRegistry::blob`], [`FakeRegistry::manifest`],
//!   [`FakeRegistry::tags`], [`FakeRegistry::uploads`]. Seeding checks
//!   nothing, so a test can plant content a strict push would refuse.
//!
//! # Recipes
//!
//! | to test | configure | then check |
//! |---|---|---|
//! | resume of a download | `faults: vec![dropping_download(k, 1)]` | the second GET carries `Range: bytes=k-` ([`RequestRecord::range`]) |
//! | resume of a chunked upload | `faults: vec![dropping_upload(k, 1)]` | a `GET <location>` then a PATCH from byte `k` |
//! | retries | [`Fault::server_errors`], [`Fault::too_many_requests`] | the count of matching requests in [`FakeRegistry::requests`] |
//! | referrers fallback | `referrers_api: false` | the `sha256-<hex>` tag in [`FakeRegistry::tags`] |
//! | no credential to a CDN | `blob_redirect: true` with [`Auth::basic`] | no [`RequestRecord::has_authorization`] on [`Origin::Other`] |
//! | token caching | [`Auth::bearer`] | [`FakeRegistry::token_request_count`]; [`FakeRegistry::revoke_tokens`] forces a re-fetch |
//! | Link and page caps | `page_size: Some(n)`, `cross_origin_link: true` | the pages requested |
//! | a digest-header lie | `blob_digest_header: DigestHeader::Wrong` | the client's error |
//! | a range lie | `range_answer: RangeAnswer::Whole` (or `Shifted`, `Longer`) | the client's fallback or error |
//!
//! # Memory
//!
//! Blobs are stored as `bytes::Bytes`; mounts share them, GETs and range
//! requests serve slices of them, so nothing is copied per download.
//! Upload chunks are kept as the frames hyper delivered and joined once,
//! into a buffer of the exact received size, at completion; the digest is
//! computed on a blocking thread. A blob of a few GiB therefore costs
//! about its size (twice, briefly, at completion of a multi-chunk upload).
//!
//! # Example
//!
//! ```
//! use std::io::{Read, Write};
//! use oras_testkit::fake::{FakeConfig, FakeRegistry};
//!
//! # let runtime = tokio::runtime::Runtime::new().unwrap();
//! # runtime.block_on(async {
//! let registry = FakeRegistry::start(FakeConfig::default()).await;
//! let digest = registry.put_blob("library/hello", &b"hello"[..]);
//!
//! // Any HTTP client will do; here, a raw HTTP/1.1 request.
//! let host = registry.host();
//! let response = tokio::task::spawn_blocking(move || {
//!     let mut stream = std::net::TcpStream::connect(&host).unwrap();
//!     let request = format!(
//!         "GET /v2/library/hello/blobs/{digest} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
//!     );
//!     stream.write_all(request.as_bytes()).unwrap();
//!     let mut response = String::new();
//!     stream.read_to_string(&mut response).unwrap();
//!     response
//! })
//! .await
//! .unwrap();
//! assert!(response.starts_with("HTTP/1.1 200 OK"));
//! assert!(response.ends_with("hello"));
//! assert_eq!(registry.requests().len(), 1);
//! registry.stop();
//! # });
//! ```

// Handlers return their early HTTP answer as the `Err` of a `Result`:
// internal, cold paths where boxing the response would buy nothing.
#![allow(clippy::result_large_err)]

pub(crate) mod auth;
mod blobs;
mod body;
mod config;
mod errors;
mod exchange;
mod fault;
mod listing;
mod log;
mod manifests;
mod route;
mod scope;
mod server;
mod state;
mod uploads;

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use oras_spec::{Algorithm, Digest};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use config::{
    Auth, BearerAuth, DEFAULT_MAX_MANIFEST_SIZE, DEFAULT_SERVICE, DigestHeader, FakeConfig,
    RangeAnswer, TagDelete,
};
pub use errors::ErrorCode;
pub use fault::{Fault, FaultAction, dropping_download, dropping_upload};
pub use log::{Origin, RequestRecord, TokenRequest};
pub use state::StoredManifest;

use exchange::Shared;

/// A running fake registry. Dropping it (or [`FakeRegistry::stop`])
/// aborts both servers and every open connection.
pub struct FakeRegistry {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

/// An upload session in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadInfo {
    /// The repository it belongs to.
    pub repository: String,
    /// Its id (the last segment of its location, `Docker-Upload-UUID`).
    pub id: String,
    /// Bytes received so far.
    pub size: u64,
}

impl FakeRegistry {
    /// Starts a fake registry on `127.0.0.1:0` (and its other origin on a
    /// second port). Must be called inside a tokio runtime.
    ///
    /// # Panics
    ///
    /// When loopback ports cannot be bound (see [`FakeRegistry::try_start`]).
    pub async fn start(config: FakeConfig) -> FakeRegistry {
        match FakeRegistry::try_start(config).await {
            Ok(registry) => registry,
            Err(err) => panic!("fake registry: cannot listen on 127.0.0.1: {err}"),
        }
    }

    /// Starts a fake registry, reporting a failure to bind.
    pub async fn try_start(config: FakeConfig) -> std::io::Result<FakeRegistry> {
        let registry = TcpListener::bind("127.0.0.1:0").await?;
        let other = TcpListener::bind("127.0.0.1:0").await?;
        let shared = Arc::new(Shared::new(
            config,
            registry.local_addr()?,
            other.local_addr()?,
        ));
        let tasks = vec![
            tokio::spawn(server::serve(registry, shared.clone(), Origin::Registry)),
            tokio::spawn(server::serve(other, shared.clone(), Origin::Other)),
        ];
        Ok(FakeRegistry { shared, tasks })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.shared.base_url(Origin::Registry)
    }

    /// `127.0.0.1:<port>`, the registry host for references.
    pub fn host(&self) -> String {
        self.shared.registry_addr.to_string()
    }

    /// The registry's socket address.
    pub fn addr(&self) -> SocketAddr {
        self.shared.registry_addr
    }

    /// `http://127.0.0.1:<other port>`: the other origin (CDN, foreign
    /// upload host, cross-origin `Link` target).
    pub fn other_url(&self) -> String {
        self.shared.base_url(Origin::Other)
    }

    /// `127.0.0.1:<other port>`.
    pub fn other_host(&self) -> String {
        self.shared.other_addr.to_string()
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &FakeConfig {
        &self.shared.config
    }

    /// Stops both servers and drops every open connection (idempotent).
    pub fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }

    /// Every request so far, in arrival order (both origins).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().log.clone()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }

    /// Requests that matched no endpoint of the spec (unknown path, or a
    /// method the path does not have).
    pub fn unexpected_requests(&self) -> Vec<RequestRecord> {
        self.shared
            .lock()
            .log
            .iter()
            .filter(|r| r.unexpected)
            .cloned()
            .collect()
    }

    /// Every call of the token endpoint so far.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.shared.lock().token_log.clone()
    }

    /// How many times the token endpoint was called.
    pub fn token_request_count(&self) -> usize {
        self.shared.lock().token_log.len()
    }

    /// Invalidates every access token issued so far (refresh tokens stay
    /// valid), so the next request gets a 401 and a client must fetch a
    /// new token.
    pub fn revoke_tokens(&self) {
        self.shared.lock().tokens.clear();
    }

    /// Stores `data` in `repository` under its sha256 digest, unchecked.
    pub fn put_blob(&self, repository: &str, data: impl Into<Bytes>) -> Digest {
        self.put_blob_with(repository, Algorithm::Sha256, data)
    }

    /// Stores `data` in `repository` under its `algorithm` digest, unchecked.
    pub fn put_blob_with(
        &self,
        repository: &str,
        algorithm: Algorithm,
        data: impl Into<Bytes>,
    ) -> Digest {
        let data = data.into();
        let digest = Digest::compute(algorithm, &data);
        self.shared
            .lock()
            .put_blob(repository, digest.clone(), data);
        digest
    }

    /// A blob of `repository`.
    pub fn blob(&self, repository: &str, digest: &Digest) -> Option<Bytes> {
        self.shared.lock().blob(repository, digest)
    }

    /// The digests of the blobs of `repository`, sorted.
    pub fn blobs(&self, repository: &str) -> Vec<Digest> {
        let mut digests = self.listed(repository, |repo| repo.blobs.keys().cloned().collect());
        digests.sort();
        digests
    }

    /// Stores a manifest of `media_type` in `repository` under its sha256
    /// digest, unchecked (its `subject` is still indexed for referrers).
    pub fn put_manifest(
        &self,
        repository: &str,
        media_type: &str,
        bytes: impl Into<Bytes>,
    ) -> Digest {
        let bytes = bytes.into();
        let digest = Digest::sha256(&bytes);
        self.shared
            .lock()
            .put_manifest(repository, digest.clone(), media_type, bytes, &[]);
        digest
    }

    /// Points `tag` of `repository` at `digest` (which need not exist).
    pub fn tag(&self, repository: &str, tag: &str, digest: &Digest) {
        self.shared
            .lock()
            .repo_mut(repository)
            .tags
            .insert(tag.to_owned(), digest.clone());
    }

    /// The manifest `reference` (a tag or a digest) of `repository`.
    pub fn manifest(&self, repository: &str, reference: &str) -> Option<StoredManifest> {
        self.shared.lock().manifest(repository, reference)
    }

    /// The manifests of `repository`, in push order.
    pub fn manifests(&self, repository: &str) -> Vec<StoredManifest> {
        let mut manifests = self.listed(repository, |repo| {
            repo.manifests.values().cloned().collect()
        });
        manifests.sort_by_key(|m| m.seq);
        manifests
    }

    /// What `list` takes from `repository`; nothing when it does not exist.
    fn listed<T>(&self, repository: &str, list: impl FnOnce(&state::Repo) -> Vec<T>) -> Vec<T> {
        let state = self.shared.lock();
        state.repos.get(repository).map(list).unwrap_or_default()
    }

    /// The tags of `repository`, sorted.
    pub fn tags(&self, repository: &str) -> Vec<String> {
        self.shared
            .lock()
            .repos
            .get(repository)
            .map(|repo| repo.tags.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The repositories holding anything, sorted.
    pub fn repositories(&self) -> Vec<String> {
        self.shared.lock().repos.keys().cloned().collect()
    }

    /// The upload sessions in progress.
    pub fn uploads(&self) -> Vec<UploadInfo> {
        let state = self.shared.lock();
        let mut uploads: Vec<UploadInfo> = state
            .uploads
            .iter()
            .map(|(id, upload)| UploadInfo {
                repository: upload.repo.clone(),
                id: id.clone(),
                size: upload.len,
            })
            .collect();
        uploads.sort_by(|a, b| a.id.cmp(&b.id));
        uploads
    }
}

impl Drop for FakeRegistry {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for FakeRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeRegistry")
            .field("url", &self.url())
            .field("other_url", &self.other_url())
            .finish_non_exhaustive()
    }
}
