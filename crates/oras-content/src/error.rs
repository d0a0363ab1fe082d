//! The error type every storage trait returns, and the shared [`ErrorKind`]
//! callers match on.
//!
//! Crates above this one (stores, the registry client) have their own error
//! enums; when they answer through the traits of this crate they wrap them
//! in [`Error::External`] with the kind that fits, so that `oras-copy` and
//! the CLI can decide on the kind alone (oras-go's `errdef` sentinels) and
//! still show the original message.

use std::fmt;

use oras_spec::Digest;

/// The kinds of failure callers decide on, after oras-go's `errdef`
/// sentinels and the registry error codes that map onto them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The content, tag or repository does not exist.
    NotFound,
    /// The content already exists (pushes treat this as success).
    AlreadyExists,
    /// A reference is malformed.
    InvalidReference,
    /// A reference was required but none was given.
    MissingReference,
    /// A digest is malformed or uses an unknown algorithm.
    InvalidDigest,
    /// A media type is malformed.
    InvalidMediaType,
    /// Content did not hash to its descriptor's digest.
    DigestMismatch,
    /// Content was shorter or longer than its descriptor's size.
    SizeMismatch,
    /// Content is larger than a limit the caller set.
    SizeExceedsLimit,
    /// A manifest or other document could not be parsed.
    InvalidContent,
    /// The operation or format is not supported by this store or registry.
    Unsupported,
    /// A layout or document has a version this crate does not support.
    UnsupportedVersion,
    /// A paginated listing ran over its page limit.
    TooManyPages,
    /// The registry requires authentication, or refused the credential.
    Unauthorized,
    /// The credential is valid but lacks permission.
    Denied,
    /// The registry asked the client to slow down.
    TooManyRequests,
    /// A write would escape the store's directory.
    PathTraversal,
    /// A local I/O failure.
    Io,
    /// A network or protocol failure talking to a registry.
    Network,
    /// Anything else.
    Other,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::AlreadyExists => "already exists",
            ErrorKind::InvalidReference => "invalid reference",
            ErrorKind::MissingReference => "missing reference",
            ErrorKind::InvalidDigest => "invalid digest",
            ErrorKind::InvalidMediaType => "invalid media type",
            ErrorKind::DigestMismatch => "mismatched digest",
            ErrorKind::SizeMismatch => "mismatched size",
            ErrorKind::SizeExceedsLimit => "size exceeds limit",
            ErrorKind::InvalidContent => "invalid content",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::UnsupportedVersion => "unsupported version",
            ErrorKind::TooManyPages => "too many pages",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Denied => "denied",
            ErrorKind::TooManyRequests => "too many requests",
            ErrorKind::PathTraversal => "path traversal disallowed",
            ErrorKind::Io => "i/o error",
            ErrorKind::Network => "network error",
            ErrorKind::Other => "error",
        };
        f.write_str(text)
    }
}

/// A boxed error from another crate.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The error of every storage operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The named thing (a digest, a tag, a reference) does not exist.
    #[error("{0}: not found")]
    NotFound(String),
    /// The named thing already exists.
    #[error("{0}: already exists")]
    AlreadyExists(String),
    /// Content hashed to another digest than its descriptor says.
    #[error("mismatched digest: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The descriptor's digest.
        expected: Digest,
        /// What the content hashed to.
        actual: Digest,
    },
    /// Content ended before its descriptor's size.
    #[error("unexpected end of content: expected {expected} bytes, got {actual}")]
    ShortContent {
        /// The descriptor's size.
        expected: u64,
        /// The bytes received.
        actual: u64,
    },
    /// Content went on past its descriptor's size.
    #[error("trailing data: content is longer than its descriptor's size of {expected} bytes")]
    TrailingData {
        /// The descriptor's size.
        expected: u64,
    },
    /// Content is larger than the caller allows.
    #[error("content size {size} exceeds limit {limit}")]
    SizeExceedsLimit {
        /// The content's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The operation is not supported here.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Spec-level validation failed (reference, digest, media type, JSON).
    #[error(transparent)]
    Spec(#[from] oras_spec::Error),
    /// A local I/O failure, with what was being done.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, e.g. "reading blobs/sha256/ab…".
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An error from another crate (a store, the registry client), with the
    /// kind it maps to. Its message is shown as is.
    #[error("{inner}")]
    External {
        /// The kind callers decide on.
        kind: ErrorKind,
        /// The original error; see [`Error::external`].
        inner: BoxError,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The kind callers decide on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::AlreadyExists(_) => ErrorKind::AlreadyExists,
            Error::DigestMismatch { .. } => ErrorKind::DigestMismatch,
            Error::ShortContent { .. } | Error::TrailingData { .. } => ErrorKind::SizeMismatch,
            Error::SizeExceedsLimit { .. } => ErrorKind::SizeExceedsLimit,
            Error::Unsupported(_) => ErrorKind::Unsupported,
            Error::Spec(e) => match e {
                oras_spec::Error::InvalidReference(_) => ErrorKind::InvalidReference,
                oras_spec::Error::InvalidDigest { .. }
                | oras_spec::Error::UnsupportedAlgorithm(_) => ErrorKind::InvalidDigest,
                oras_spec::Error::InvalidMediaType(_) => ErrorKind::InvalidMediaType,
                _ => ErrorKind::InvalidContent,
            },
            Error::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound => ErrorKind::NotFound,
                std::io::ErrorKind::AlreadyExists => ErrorKind::AlreadyExists,
                _ => ErrorKind::Io,
            },
            Error::External { kind, .. } => *kind,
        }
    }

    /// Wraps another crate's error with the kind it maps to.
    pub fn external(kind: ErrorKind, inner: impl Into<BoxError>) -> Self {
        Error::External {
            kind,
            inner: inner.into(),
        }
    }

    /// The other crate's error inside [`Error::External`], for downcasting.
    pub fn external_source(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        match self {
            Error::External { inner, .. } => Some(inner.as_ref()),
            _ => None,
        }
    }

    /// An I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Recovers an error of this crate that travelled inside an
    /// `std::io::Error` (as verifying readers report failures), or wraps a
    /// plain I/O error with `context`.
    pub fn from_io(context: impl Into<String>, err: std::io::Error) -> Self {
        if err.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            if let Some(inner) = err.into_inner()
                && let Ok(ours) = inner.downcast::<Error>()
            {
                return *ours;
            }
            return Error::io(context, std::io::Error::other("unrecoverable error"));
        }
        Error::io(context, err)
    }

    /// Converts into an `std::io::Error` that [`Error::from_io`] can recover.
    pub fn into_io(self) -> std::io::Error {
        let kind = match self.kind() {
            ErrorKind::NotFound => std::io::ErrorKind::NotFound,
            ErrorKind::SizeMismatch if matches!(self, Error::ShortContent { .. }) => {
                std::io::ErrorKind::UnexpectedEof
            }
            _ => std::io::ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, self)
    }

    /// Whether this error is of `kind`.
    pub fn is(&self, kind: ErrorKind) -> bool {
        self.kind() == kind
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_round_trip_keeps_the_error() {
        let err = Error::TrailingData { expected: 3 };
        let io = err.into_io();
        let back = Error::from_io("reading", io);
        assert!(matches!(back, Error::TrailingData { expected: 3 }));
        let plain = Error::from_io("reading x", std::io::Error::other("boom"));
        assert_eq!(plain.to_string(), "reading x: boom");
        assert_eq!(plain.kind(), ErrorKind::Io);
    }

    #[test]
    fn external_keeps_kind_and_message() {
        let err = Error::external(
            ErrorKind::Denied,
            "requested access to the resource is denied",
        );
        assert_eq!(err.kind(), ErrorKind::Denied);
        assert_eq!(
            err.to_string(),
            "requested access to the resource is denied"
        );
        assert!(err.external_source().is_some());
    }
}
