//! The one error type of this crate, and [`CopyError`], which says which
//! step of a copy failed and on which side (oras-go `copyerror.go`).

use std::fmt;

use oras_content::ErrorKind;

/// Which side of a copy an error came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The store being read from.
    Source,
    /// The store being written to.
    Destination,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Source => "source",
            Origin::Destination => "destination",
        })
    }
}

/// A storage operation of a copy that failed, e.g.
/// `failed to perform "Resolve" on source: v1: not found`.
#[derive(Debug, thiserror::Error)]
#[error("failed to perform {op:?} on {origin}: {source}")]
pub struct CopyError {
    /// The operation, with oras-go's names: `Resolve`, `FetchReference`,
    /// `Successors`, `MapRoot`, `Exists`, `FindSuccessors`, `Fetch`, `Push`,
    /// `PushReference`, `Mount`, `Tag`, `FindPredecessors`.
    pub op: &'static str,
    /// The side that failed.
    pub origin: Origin,
    /// What the store said.
    pub source: oras_content::Error,
}

impl CopyError {
    /// A failure of `op` on `origin`.
    pub fn new(op: &'static str, origin: Origin, source: oras_content::Error) -> Self {
        CopyError { op, origin, source }
    }

    /// The kind of the underlying store error.
    pub fn kind(&self) -> ErrorKind {
        self.source.kind()
    }
}

/// Everything this crate can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A storage operation of a copy failed.
    #[error(transparent)]
    Copy(#[from] CopyError),
    /// A store or a hook failed outside a copy step (tagging, resolving,
    /// fetching, or a hook's own error, passed through as oras-go does).
    #[error(transparent)]
    Content(#[from] oras_content::Error),
    /// Packing an image-spec 1.1 manifest without an artifact type while
    /// the config is absent or empty (oras-go `ErrMissingArtifactType`).
    #[error("missing artifact type")]
    MissingArtifactType,
    /// A `created` annotation that is not RFC 3339 (oras-go
    /// `ErrInvalidDateTimeFormat`).
    #[error("invalid date and time format: {0}")]
    InvalidDateTimeFormat(String),
    /// A media type that fails the RFC 6838 check; `what` names the field.
    #[error("invalid {what} format: {media_type}: invalid media type")]
    InvalidMediaType {
        /// `artifactType` or `config mediaType`.
        what: &'static str,
        /// The refused value.
        media_type: String,
    },
    /// The operation or content type is not supported.
    #[error("{0}: unsupported")]
    Unsupported(String),
    /// Nothing matched, e.g. no manifest for the wanted platform.
    #[error("{subject}: not found: {reason}")]
    NotFound {
        /// The digest or reference searched.
        subject: String,
        /// What did not match.
        reason: &'static str,
    },
    /// Content is larger than the caller allows.
    #[error("content size {size} exceeds {limit_name} {limit}: size exceeds limit")]
    SizeExceedsLimit {
        /// The content's size.
        size: u64,
        /// The option that set the limit (`MaxBytes`, `MaxMetadataBytes`).
        limit_name: &'static str,
        /// The limit.
        limit: u64,
    },
    /// A list of references that must not be empty was empty.
    #[error("{0}: missing reference")]
    MissingReference(&'static str),
    /// Tagging one reference failed.
    #[error("failed to tag {reference}: {source}")]
    Tag {
        /// The reference being set (`src as dst` for tag_n).
        reference: String,
        /// What the store said.
        source: oras_content::Error,
    },
    /// Pushing a piece of a packed manifest failed.
    #[error("failed to push {what}: {source}")]
    Push {
        /// `config`, `layer` or `manifest`.
        what: &'static str,
        /// What the store said.
        source: oras_content::Error,
    },
    /// A successor finder returned a graph with a cycle.
    #[error("{0}: cycle in the content graph")]
    Cycle(String),
    /// A node waited on by a parent was not copied (its copy failed).
    #[error("{0}: successor was not copied")]
    SuccessorNotCopied(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The kind callers decide on, shared with the storage traits.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Copy(e) => e.kind(),
            Error::Content(e) => e.kind(),
            Error::MissingArtifactType => ErrorKind::InvalidContent,
            Error::InvalidDateTimeFormat(_) => ErrorKind::InvalidContent,
            Error::InvalidMediaType { .. } => ErrorKind::InvalidMediaType,
            Error::Unsupported(_) => ErrorKind::Unsupported,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::SizeExceedsLimit { .. } => ErrorKind::SizeExceedsLimit,
            Error::MissingReference(_) => ErrorKind::MissingReference,
            Error::Tag { source, .. } | Error::Push { source, .. } => source.kind(),
            Error::Cycle(_) => ErrorKind::InvalidContent,
            Error::SuccessorNotCopied(_) => ErrorKind::Other,
        }
    }

    /// The [`CopyError`] inside, if this is one.
    pub fn as_copy_error(&self) -> Option<&CopyError> {
        match self {
            Error::Copy(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn copy(op: &'static str, origin: Origin, source: oras_content::Error) -> Self {
        Error::Copy(CopyError::new(op, origin, source))
    }
}

/// Lets errors of this crate travel through the storage traits and hooks
/// (which speak `oras_content::Error`) with their kind and message.
impl From<Error> for oras_content::Error {
    fn from(err: Error) -> Self {
        match err {
            Error::Content(inner) => inner,
            other => oras_content::Error::external(other.kind(), other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_error_message_follows_oras_go() {
        let err = Error::copy(
            "Resolve",
            Origin::Source,
            oras_content::Error::NotFound("v1".into()),
        );
        assert_eq!(
            err.to_string(),
            r#"failed to perform "Resolve" on source: v1: not found"#
        );
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(err.as_copy_error().map(|e| e.origin), Some(Origin::Source));
    }

    #[test]
    fn converts_to_content_error_keeping_kind_and_message() {
        let err = Error::NotFound {
            subject: "sha256:ab".into(),
            reason: "no matching manifest was found in the manifest list",
        };
        let content: oras_content::Error = err.into();
        assert_eq!(content.kind(), ErrorKind::NotFound);
        assert_eq!(
            content.to_string(),
            "sha256:ab: not found: no matching manifest was found in the manifest list"
        );
    }
}
