//! The one error type of the facade: the error of whichever layer failed.

use std::path::PathBuf;

/// What went wrong in a helper of this crate: the error of the layer that
/// failed, unchanged, so its message and kind reach the caller.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A reference, digest or document was invalid.
    #[error(transparent)]
    Spec(#[from] oras_spec::Error),
    /// A store operation failed.
    #[error(transparent)]
    Content(#[from] oras_content::Error),
    /// The registry client failed before a store operation (bad
    /// reference, TLS setup).
    #[cfg(feature = "remote")]
    #[error(transparent)]
    Remote(#[from] oras_remote::Error),
    /// The file store refused or failed (a path, a hostile title).
    #[cfg(feature = "file")]
    #[error(transparent)]
    File(#[from] oras_store_file::Error),
    /// A copy, pack or tag failed.
    #[cfg(feature = "copy")]
    #[error(transparent)]
    Copy(#[from] oras_copy::Error),
    /// Reading the docker configuration or a credential helper failed.
    #[cfg(feature = "credentials")]
    #[error(transparent)]
    Credentials(#[from] oras_credentials::Error),
    /// A file to push has no name to title its layer with (`/`, `..`).
    #[error("{0}: no file name to title the layer with")]
    NoFileName(PathBuf),
    /// Creating the output directory failed.
    #[error("creating {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
