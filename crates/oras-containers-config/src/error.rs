//! The one error type of this crate.

use std::path::PathBuf;

/// Everything that can go wrong reading or applying the containers
/// configuration.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read (other than "it does not exist", which
    /// means "not configured").
    #[error("reading {path}: {source}", path = path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is malformed: its path, the line (1-based, 0 when the whole
    /// file is at fault) and the key at fault.
    #[error("{path}:{line}: key {key:?}: {message}", path = path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The line, 1-based; 0 when no line can be named.
        line: usize,
        /// The key (a dotted path such as `registry.mirror.location`), or
        /// the table at fault.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A `certs.d` directory holds a client certificate without its key
    /// or a key without its certificate (containers-certs.d(5)).
    #[error("{path}: {message}", path = path.display())]
    Certificates {
        /// The file without a partner.
        path: PathBuf,
        /// What is missing.
        message: String,
    },
    /// The reference's registry is marked `blocked` in registries.conf.
    #[error("registry {registry} is blocked in registries.conf ({reference})")]
    Blocked {
        /// The matching prefix.
        registry: String,
        /// The reference as given.
        reference: String,
    },
    /// A short name could not be resolved to one fully qualified name.
    #[error("short name {name:?}: {message}")]
    ShortName {
        /// The name as given.
        name: String,
        /// Why it cannot be resolved.
        message: String,
    },
    /// A reference (given, rewritten or aliased) does not parse.
    #[error("{context}: {source}")]
    Reference {
        /// Where the reference came from.
        context: String,
        /// The parse error.
        source: oras_spec::Error,
    },
    /// policy.json refuses the image.
    #[error("{reference} is rejected by policy.json ({scope})")]
    PolicyRejected {
        /// The reference.
        reference: String,
        /// The scope whose requirements rejected it.
        scope: String,
    },
    /// policy.json asks for a requirement this crate does not check
    /// (signatures); we fail closed rather than pretend.
    #[error("{reference}: policy.json requirement {requirement:?} ({scope}) is not supported")]
    PolicyNotSupported {
        /// The reference.
        reference: String,
        /// The scope whose requirements include it.
        scope: String,
        /// The requirement type, e.g. `signedBy`.
        requirement: String,
    },
    /// No policy.json exists at any of the places it is looked for.
    #[error(
        "{reference}: no policy.json (looked for {}); create one, e.g. {{\"default\":[{{\"type\":\"insecureAcceptAnything\"}}]}}",
        paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    PolicyMissing {
        /// The reference being read.
        reference: String,
        /// The places looked at, in order.
        paths: Vec<PathBuf>,
    },
    /// An auth.json or Docker config could not be opened.
    #[error(transparent)]
    Credentials(#[from] oras_credentials::Error),
    /// An auth file is malformed and its reader's message does not name
    /// it (oras-go's words for a bad `auths`, `credsStore` or
    /// `credHelpers` field carry no path).
    #[error("{path}: {source}", path = path.display())]
    AuthFile {
        /// The auth file.
        path: PathBuf,
        /// What its reader refused.
        source: oras_credentials::Error,
    },
}

/// This crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
