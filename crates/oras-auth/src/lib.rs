//! Registry authentication for oras-rs, as a tower layer.
//!
//! [`AuthLayer`] wraps the HTTP service of the registry client and answers
//! the registry's `401 Unauthorized` challenges the way oras-go's
//! `auth.Client` does (v2.6.2): Basic with a username and password, Bearer
//! with a token from the challenge's realm (the distribution token GET, or
//! an OAuth2 POST for refresh tokens), anonymous tokens when there is no
//! credential. The flow is documented step by step in `auth/flow.rs`.
//!
//! The parts, each in its own module:
//! - [`Credential`] and [`CredentialProvider`]: what to log in with, per
//!   registry host; [`StaticCredential`] is the simplest provider. They
//!   are defined in oras-credentials (whose Docker config stores and
//!   credential helpers are providers) and re-exported here.
//! - [`TokenCache`]: tokens per origin and scope set, shared by every client
//!   holding a clone, fetched once however many requests wait (single
//!   flight), and refreshed before the lifetime their token answer gave
//!   (`expires_in`, `issued_at`) runs out.
//! - [`WithCredential`]: a request extension that authenticates one
//!   request with a given credential alone (login checks).
//! - [`Scopes`]: a request extension of scope hints, so one token covers
//!   the pull and push of an upload; [`Scope`], [`Action`] and
//!   [`clean_scopes`] build and normalise them.
//! - [`parse_challenges`]: `WWW-Authenticate` parsing.
//! - [`Body`]: the request body of the whole client stack, replayable when
//!   it lives in memory, so a request can be re-sent after a challenge.
//!
//! Security rules (each has a test): a token or Basic credential is cached
//! per origin (scheme, host, port) and attached only to requests for that
//! origin; a 401 from another origin (see [`ResponseUri`]) is not
//! answered; a bearer realm must be https (http only for an http registry),
//! its host written in canonical form, and, unless on the registry's own
//! host, not an address blocked by the [`RealmPolicy`] (loopback,
//! link-local, unspecified and cloud metadata by default); token requests
//! carry a [`RealmRequest`] extension so the transport can check the
//! address it connects to; token responses are read up to
//! [`MAX_TOKEN_RESPONSE_BYTES`]; `Debug` never prints a secret.
//!
//! Token requests go through a clone of the wrapped service, so they share
//! its TLS settings and timeouts but not the headers of layers above auth.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::Full;
//! use oras_auth::{AuthLayer, Body, BoxError, Credential, StaticCredential, TokenCache};
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), BoxError> {
//! // A fake registry that wants Basic auth.
//! let registry = tower::service_fn(|request: Request<Body>| async move {
//!     let status = match request.headers().get("authorization") {
//!         Some(value) if value == "Basic YWxpY2U6czNjcmV0" => 200, // alice:s3cret
//!         _ => 401,
//!     };
//!     let response = Response::builder()
//!         .status(status)
//!         .header("www-authenticate", r#"Basic realm="registry""#)
//!         .body(Full::new(Bytes::new()))?;
//!     Ok::<_, BoxError>(response)
//! });
//!
//! let credentials = StaticCredential::new("localhost:5000", Credential::basic("alice", "s3cret"));
//! let client = ServiceBuilder::new()
//!     .layer(AuthLayer::new(Arc::new(credentials), TokenCache::new()))
//!     .service(registry);
//!
//! let request = Request::get("http://localhost:5000/v2/").body(Body::empty())?;
//! let response = client.oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//! # Ok(())
//! # }
//! ```

mod auth;
mod body;
mod cache;
mod challenge;
mod error;
mod origin;
mod realm;
mod scope;
mod token;

pub use auth::{Auth, AuthLayer, DEFAULT_CLIENT_ID, ResponseFuture, ResponseUri, WithCredential};
pub use body::{Body, BoxError, ChunkStream};
pub use cache::TokenCache;
pub use challenge::{Challenge, Scheme, parse_challenges, select_challenge};
pub use error::Error;
pub use oras_credentials::{Credential, CredentialProvider, RegistryPing, StaticCredential};
pub use origin::Origin;
pub use realm::{IpPrefix, RealmPolicy, RealmRequest};
pub use scope::{Action, Scope, Scopes, clean_scopes};
pub use token::MAX_TOKEN_RESPONSE_BYTES;

/// The README's example, run as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
