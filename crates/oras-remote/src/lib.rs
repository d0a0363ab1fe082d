//! The registry client of oras-rs: the OCI distribution spec v1.1 over
//! hyper 1 and tower, behaving like oras-go v2.6's `registry/remote`.
//!
//! - [`Registry`]: one registry host: [`Registry::ping`] (`GET /v2/`),
//!   [`Registry::repositories`] (the catalog, paginated) and
//!   [`Registry::repository`].
//! - [`Repository`]: one repository, implementing the oras-content traits
//!   (`Fetcher`, `Pusher`, `ReadOnlyStorage`, `Resolver`, `Tagger`,
//!   `Deleter`, `PredecessorFinder`, and through `Capabilities` the
//!   registry-level ones: `ReferenceFetcher`, `ReferencePusher`,
//!   `TagLister`, `ReferrerLister`, `Mounter`), so `oras-copy` and the CLI
//!   use it like any store. Blobs and manifests are told apart by media
//!   type.
//! - [`ClientConfig`]: the remote flags of the oras CLI (plain HTTP,
//!   `--insecure`, `--ca-file`, client certificate, `-H` headers,
//!   credentials, user agent, retry policy, timeouts, proxies, `--resolve`
//!   DNS overrides, a handler of the registry's [`Warning`]s); it builds a
//!   [`Client`], the tower service every request goes through.
//! - [`Error`]: this crate's error; through the content traits it travels
//!   as `oras_content::Error::External` with an `ErrorKind` (registry error
//!   codes mapped: `*_UNKNOWN` → not found, `UNAUTHORIZED`, `DENIED`, 429 →
//!   too many requests, `UNSUPPORTED` …) and the registry's own message.
//!
//! # The stack
//!
//! Outermost first: trace (a span per request; no header and no query
//! string is ever logged) → warnings (`Warning: 299 - "…"` headers to the
//! handler, if any) → user agent (`oras-rs/<version>`) → retry
//! (oras-go's policy: 5 retries, 250 ms × 2ⁿ ±10% within [200 ms, 3 s], on
//! 408/429/5xx and timeouts, `Retry-After` on 429; only replayable bodies)
//! → auth (`oras_auth::AuthLayer`, fed scope hints by every request) →
//! redirects (GET/HEAD; `Authorization`, cookies and custom headers
//! dropped on any change of scheme, host or port; a hop from https to http
//! refused) → custom headers (only on requests for the registry's origin)
//! → timeout → hyper-util's pooled client over hyper-rustls (system roots
//! plus extra CAs, the client certificate only for the registry's origin),
//! direct or through `HTTP(S)_PROXY` (CONNECT for https; TLS to an
//! `https://` proxy) unless `NO_PROXY` says otherwise. Bearer token
//! requests have a pool of their own whose connections must not reach an
//! address the [`RealmPolicy`] blocks (loopback, link-local, metadata),
//! unless the realm is on the registry's own host.
//!
//! # Opening the client
//!
//! - Callers' tower layers: [`ClientConfig::layer_outside_auth`] (each
//!   call once) and [`ClientConfig::layer_inside_auth`] (each attempt and
//!   token request, with `Authorization` set).
//! - One client for many values: [`ClientConfig::build`] then
//!   [`Registry::with_client`] / [`Repository::with_client`]; clones share
//!   connections and tokens.
//! - Auth options: [`ClientConfig::client_id`],
//!   [`ClientConfig::force_attempt_oauth2`], [`ClientConfig::scope`];
//!   tokens are refreshed before their `expires_in` runs out.
//! - Timeouts: [`ClientConfig::timeout`] (response headers),
//!   [`ClientConfig::read_timeout`] (each wait for body data),
//!   [`ClientConfig::idle_timeout`] (pooled connections).
//! - Retries: [`RetryPolicy::retry_if`] and [`RetryPolicy::backoff_with`]
//!   replace oras-go's decision and wait.
//! - Listings as streams of pages: [`Repository::tag_pages`],
//!   [`Registry::repository_pages`], [`Repository::referrer_pages`].
//! - oras-go's other pieces: [`Repository::blobs`] / [`Repository::manifests`]
//!   (forced endpoints), [`Repository::mount_with_fallback`],
//!   [`Registry::ping_with`] (login checks), [`errcode`] (error codes).
//!
//! # Content
//!
//! Manifests and other metadata are read whole under a 4 MiB cap and
//! verified before anything is returned. Blobs stream: a download is
//! verified as it is read (the stream ends only after size and digest
//! matched) and resumes after a dropped connection, with `Range` when the
//! registry advertises it; an upload streams from its source in constant
//! memory, monolithic (`POST` + `PUT ?digest=`, the default as in oras-go)
//! or, when configured, chunked (`PATCH` with `Content-Range`), and a
//! chunked upload resumes from the registry's `Range`
//! ([`Repository::push_from`], [`Repository::push_file`]). The client
//! does not hash what it uploads (the registry checks `?digest=`), and
//! [`Repository::prestage`] starts an upload before its digest is known,
//! so a large file is sent while the caller hashes it ([`Prestage`]).
//! Upload `Location`s and `Link`s that leave the registry's origin are
//! refused, and one listing (tags, catalog, referrers) reads at most
//! [`MAX_LISTING_BYTES`] of pages.
//!
//! # Example
//!
//! A repository over an in-process registry (a `tower::service_fn` in
//! place of the network) that knows one tag:
//!
//! ```
//! use oras_content::{Resolver, fetch_all};
//! use oras_remote::{ClientConfig, Registry, ResponseBody};
//! use oras_spec::{Descriptor, media_type};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let index: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
//! let desc = Descriptor::from_bytes(media_type::IMAGE_INDEX, index);
//! let digest = desc.digest.to_string();
//!
//! let registry = tower::service_fn(move |request: http::Request<oras_auth::Body>| {
//!     let digest = digest.clone();
//!     async move {
//!         let path = request.uri().path().to_owned();
//!         let response = http::Response::builder()
//!             .header("content-type", media_type::IMAGE_INDEX)
//!             .header("content-length", index.len())
//!             .header("docker-content-digest", digest.as_str());
//!         let response = match (request.method().as_str(), path.as_str()) {
//!             ("HEAD", "/v2/hello/manifests/v1") => response.body(ResponseBody::empty()),
//!             ("GET", p) if p == format!("/v2/hello/manifests/{digest}") => {
//!                 response.body(ResponseBody::full(index))
//!             }
//!             _ => http::Response::builder().status(404).body(ResponseBody::empty()),
//!         };
//!         Ok::<_, oras_remote::BoxError>(response?)
//!     }
//! });
//!
//! let config = ClientConfig::new().transport(registry);
//! let repository = Registry::with_config("registry.example", config)?.repository("hello")?;
//! let resolved = repository.resolve("v1").await?;
//! assert_eq!(resolved.digest, desc.digest);
//! assert_eq!(fetch_all(&repository, &resolved, 1 << 20).await?, index);
//! # Ok(())
//! # }
//! ```

pub mod client;
pub mod errcode;
mod error;
mod pages;
mod registry;
mod remote;
mod repository;

pub use client::{
    Client, ClientConfig, ProxyConfig, ResponseBody, RetryPolicy, Warning, WarningHandler,
};
pub use errcode::{ErrorDetail, MAX_ERROR_BODY_BYTES, ResponseError};
pub use error::{BoxError, Error};
pub use oras_auth::{
    Body, Credential, CredentialProvider, IpPrefix, RealmPolicy, StaticCredential, TokenCache,
};
pub use pages::Pages;
pub use registry::Registry;
pub use repository::{
    BlobSource, Blobs, FilePrestage, FileSource, MAX_LISTING_BYTES, Manifests, PRESTAGE_MIN_SIZE,
    Prestage, Repository, RepositoryOptions,
};

/// The README's example, run as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
