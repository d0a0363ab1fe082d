//! The error of this crate. Through the content traits it travels as
//! `oras_content::Error::External` with the kind from [`Error::kind`].

use oras_content::ErrorKind;

use crate::errcode::ResponseError;

/// Errors and failures of the HTTP stack.
pub type BoxError = oras_auth::BoxError;

/// Everything that can go wrong talking to a registry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The registry answered with an unexpected status (its error body parsed).
    #[error(transparent)]
    Response(Box<ResponseError>),
    /// The request could not be sent or its response not read.
    #[error("{method} {url:?}: {source}")]
    Transport {
        /// The request method.
        method: http::Method,
        /// The request URL without query.
        url: String,
        /// What failed.
        source: BoxError,
    },
    /// The registry's response breaks the protocol (a header missing or
    /// malformed, a digest or size that does not match).
    #[error("{method} {url:?}: {message}")]
    Protocol {
        /// The request method.
        method: http::Method,
        /// The request URL without query.
        url: String,
        /// What is wrong.
        message: String,
        /// The kind callers decide on.
        kind: ErrorKind,
    },
    /// A URL the registry pointed at (upload `Location`, `Link`) is refused:
    /// another origin or a downgraded scheme.
    #[error("refused {what} {url:?}: {reason}")]
    RefusedUrl {
        /// Which header held it.
        what: &'static str,
        /// The URL, without query.
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// A listing ran over its page cap (oras-go `ErrTooManyPages`).
    #[error("{what}: too many pages (more than {limit})")]
    TooManyPages {
        /// What was listed.
        what: String,
        /// The cap.
        limit: usize,
    },
    /// A reference does not name this repository, or is malformed.
    #[error("invalid reference {reference:?}: {reason}")]
    InvalidReference {
        /// The reference as given.
        reference: String,
        /// Why.
        reason: String,
    },
    /// A referrers capability was already set to another value
    /// (oras-go `ErrReferrersCapabilityAlreadySet`).
    #[error("referrers capability cannot be changed once set")]
    ReferrersCapabilityAlreadySet,
    /// The old referrers index could not be deleted after an update
    /// (oras-go `ReferrersError` with `IsReferrersIndexDelete`).
    #[error("failed to delete dangling referrers index {digest} for subject {subject}: {source}")]
    ReferrersIndexDelete {
        /// The old index.
        digest: String,
        /// The subject.
        subject: String,
        /// The delete's failure.
        source: Box<oras_content::Error>,
    },
    /// The client configuration is unusable (a CA file that does not
    /// parse, a key without a certificate, a malformed header).
    #[error("client configuration: {0}")]
    Config(String),
}

impl Error {
    /// The kind callers decide on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Response(e) => e.kind(),
            Error::Transport { source, .. } => match source.downcast_ref::<oras_auth::Error>() {
                Some(auth) if auth.is_unauthorized() => ErrorKind::Unauthorized,
                Some(oras_auth::Error::UnsafeRealm { .. }) => ErrorKind::Denied,
                _ => ErrorKind::Network,
            },
            Error::Protocol { kind, .. } => *kind,
            Error::RefusedUrl { .. } => ErrorKind::Denied,
            Error::TooManyPages { .. } => ErrorKind::TooManyPages,
            Error::InvalidReference { .. } => ErrorKind::InvalidReference,
            Error::ReferrersCapabilityAlreadySet => ErrorKind::Other,
            Error::ReferrersIndexDelete { source, .. } => source.kind(),
            Error::Config(_) => ErrorKind::Other,
        }
    }

    /// The registry's error response, if this is one.
    pub fn response(&self) -> Option<&ResponseError> {
        match self {
            Error::Response(e) => Some(e),
            _ => None,
        }
    }

    /// The error of this crate inside an `oras_content::Error`, if any.
    pub fn from_content(err: &oras_content::Error) -> Option<&Error> {
        err.external_source()
            .and_then(|e| e.downcast_ref::<Error>())
    }

    /// Whether this is the failed delete of an old referrers index, which
    /// callers may treat as a warning.
    pub fn is_referrers_index_delete(&self) -> bool {
        matches!(self, Error::ReferrersIndexDelete { .. })
    }
}

impl From<Error> for oras_content::Error {
    fn from(err: Error) -> Self {
        oras_content::Error::external(err.kind(), err)
    }
}

impl From<ResponseError> for Error {
    fn from(err: ResponseError) -> Self {
        Error::Response(Box::new(err))
    }
}
