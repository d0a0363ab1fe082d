//! The one error type of oras-auth.
//!
//! The service returns it boxed in a [`BoxError`](crate::BoxError); callers
//! downcast to [`Error`] and use [`Error::is_unauthorized`] to map it onto
//! their own error kinds. It is `Clone` so that one failed single-flight
//! token fetch can be reported to every request that waited on it.

use std::sync::Arc;

use crate::BoxError;

/// An error while authenticating a request.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The registry asked for Basic auth and no credential is known
    /// (oras-go `ErrBasicCredentialNotFound`).
    #[error("basic credential not found for {host}")]
    BasicCredentialNotFound {
        /// The registry host.
        host: String,
    },
    /// Basic auth needs both a username and a password.
    #[error("missing username or password for basic auth on {host}")]
    IncompleteBasicCredential {
        /// The registry host.
        host: String,
    },
    /// The OAuth2 password grant needs both a username and a password.
    #[error("missing username or password for bearer auth on {host}")]
    IncompleteBearerCredential {
        /// The registry host.
        host: String,
    },
    /// The credential provider failed.
    #[error("resolving the credential for {host}: {source}")]
    Credential {
        /// The registry host.
        host: String,
        /// What the provider reported.
        source: Arc<BoxError>,
    },
    /// The request URI has no scheme or host, so it has no origin.
    #[error("request URI {uri} has no scheme and host")]
    InvalidUri {
        /// The URI.
        uri: String,
    },
    /// The bearer challenge has no usable realm.
    #[error("bearer challenge from {host} has no realm")]
    MissingRealm {
        /// The registry host.
        host: String,
    },
    /// The bearer realm is refused (GHSA-28r5-37g7-p6mp, GHSA-xf85-363p-868w).
    #[error("refusing token realm {realm:?} of {host}: {reason}")]
    UnsafeRealm {
        /// The realm as the registry gave it.
        realm: String,
        /// The registry host.
        host: String,
        /// Why it is refused.
        reason: String,
    },
    /// An IP prefix of a [`RealmPolicy`](crate::RealmPolicy) is malformed.
    #[error("invalid IP prefix {prefix:?}: {reason}")]
    InvalidPrefix {
        /// The prefix as given.
        prefix: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The token request could not be sent or its response not read.
    #[error("token request {method} {realm}: {source}")]
    TokenTransport {
        /// `GET` or `POST`.
        method: &'static str,
        /// The realm URL.
        realm: String,
        /// The transport error.
        source: Arc<BoxError>,
    },
    /// The token endpoint answered with a non-200 status.
    #[error("token request {method} {realm}: status {status}: {body}")]
    TokenStatus {
        /// `GET` or `POST`.
        method: &'static str,
        /// The realm URL.
        realm: String,
        /// The HTTP status.
        status: http::StatusCode,
        /// The start of the response body, for the user to read.
        body: String,
    },
    /// The token response is larger than 128 KiB.
    #[error("token request {method} {realm}: response exceeds {limit} bytes")]
    TokenTooLarge {
        /// `GET` or `POST`.
        method: &'static str,
        /// The realm URL.
        realm: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// A credential or token cannot be put in an HTTP header.
    #[error("{what} is not a valid HTTP header value")]
    InvalidHeaderValue {
        /// What it is.
        what: &'static str,
    },
    /// The token response is not the expected JSON or holds no token.
    #[error("token request {method} {realm}: {detail}")]
    TokenResponse {
        /// `GET` or `POST`.
        method: &'static str,
        /// The realm URL.
        realm: String,
        /// What is wrong with it.
        detail: String,
    },
}

impl Error {
    /// Whether this error means the client is not (or cannot be)
    /// authenticated, as opposed to a transport failure.
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            Error::BasicCredentialNotFound { .. }
                | Error::IncompleteBasicCredential { .. }
                | Error::IncompleteBearerCredential { .. }
        ) || matches!(
            self,
            Error::TokenStatus { status, .. }
                if *status == http::StatusCode::UNAUTHORIZED || *status == http::StatusCode::FORBIDDEN
        )
    }
}
