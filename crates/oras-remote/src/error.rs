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
    /// The request could not be sent or its response not read. Worded as
    /// Go's `url.Error` (`Head "https://…": dial tcp 127.0.0.1:5000:
    /// connect: connection refused`, see [`crate::client::go_text`]); a
    /// cause Go has no words for is shown with its own causes (`…: client
    /// error (SendRequest): …`), since the outermost error of a failure
    /// (hyper's) says only where it failed, not why.
    #[error(
        "{} {url:?}: {}",
        transport_op(method, .source.as_ref()),
        transport_text(.source.as_ref())
    )]
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
    /// The registry answered 404 for a manifest or blob (oras-go
    /// `errdef.ErrNotFound`: `<reference or digest>: not found`, the
    /// registry's error body left out, as oras-go leaves it).
    #[error("{what}: not found")]
    NotFound {
        /// The full reference asked for, or the digest of a descriptor.
        what: String,
    },
    /// A listing ran over its page cap (oras-go `ErrTooManyPages`).
    #[error("{what}: too many pages (more than {limit})")]
    TooManyPages {
        /// What was listed.
        what: String,
        /// The cap.
        limit: usize,
    },
    /// A listing's pages add up to more than its byte cap
    /// (`RepositoryOptions::max_listing_bytes`).
    #[error("{what}: listing exceeds {limit} bytes in all")]
    ListingTooLarge {
        /// What was listed.
        what: String,
        /// The cap in bytes.
        limit: u64,
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
    /// The content to push after a refused mount could not be read
    /// (oras-go `Mount`: `cannot read source blob: …`).
    #[error("cannot read source blob: {source}")]
    MountSource {
        /// Why.
        source: Box<oras_content::Error>,
    },
    /// A file the client configuration names (a CA file, a client
    /// certificate or key) could not be read. Worded as Go's
    /// `*fs.PathError`: `open nope.pem: no such file or directory`.
    #[error("{op} {}: {}", .path.display(), crate::client::go_text::errno_text(.source))]
    File {
        /// The failed operation, as Go names it (`open`, `read`).
        op: &'static str,
        /// The path as given.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A CA file holds no certificate (oras `crypto.LoadCertPool`:
    /// `Failed to load certificate in file: <path>`).
    #[error("Failed to load certificate in file: {}", .path.display())]
    CaFile {
        /// The path as given.
        path: std::path::PathBuf,
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
                // A refused realm, found before the token request or by
                // the connection's address check under it.
                _ if unsafe_realm_in(source.as_ref()) => ErrorKind::Denied,
                _ => ErrorKind::Network,
            },
            Error::Protocol { kind, .. } => *kind,
            Error::RefusedUrl { .. } => ErrorKind::Denied,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::TooManyPages { .. } => ErrorKind::TooManyPages,
            Error::ListingTooLarge { .. } => ErrorKind::SizeExceedsLimit,
            Error::InvalidReference { .. } => ErrorKind::InvalidReference,
            Error::ReferrersCapabilityAlreadySet => ErrorKind::Other,
            Error::ReferrersIndexDelete { source, .. } | Error::MountSource { source } => {
                source.kind()
            }
            Error::Config(_) | Error::File { .. } | Error::CaFile { .. } => ErrorKind::Other,
        }
    }

    /// The registry's error response, if this is one.
    pub fn response(&self) -> Option<&ResponseError> {
        match self {
            Error::Response(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the registry answered with the error code `code` (see
    /// [`errcode`](crate::errcode)).
    pub fn has_code(&self, code: &str) -> bool {
        self.response().is_some_and(|r| r.has_code(code))
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

/// Most causes [`chain_text`] follows.
const MAX_CAUSES: usize = 16;

/// Whether a refused token realm is among the causes of `err`.
fn unsafe_realm_in(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    for _ in 0..MAX_CAUSES {
        let Some(e) = current else {
            return false;
        };
        if let Some(oras_auth::Error::UnsafeRealm { .. }) = e.downcast_ref::<oras_auth::Error>() {
            return true;
        }
        if let Some(oras_auth::Error::TokenTransport { source, .. }) =
            e.downcast_ref::<oras_auth::Error>()
        {
            // The transport error of a token request, boxed in an `Arc`.
            current = Some(source.as_ref().as_ref());
            continue;
        }
        current = e.source();
    }
    false
}

/// The method as a transport error names it: as Go's `url.Error` does
/// (`Head`) for a failed exchange, as it is (`HEAD`) for a failure of the
/// authentication flow (oras-go `auth.Client.Do` wraps those with
/// `"%s %q: %w"` of the request's method and URL).
fn transport_op(method: &http::Method, source: &(dyn std::error::Error + 'static)) -> String {
    if source.is::<oras_auth::Error>() {
        method.as_str().to_owned()
    } else {
        crate::client::go_text::url_error_op(method)
    }
}

/// The cause of a transport error: Go's words for it when it is one Go
/// words (a dial, TLS, `EOF`), else the chain of messages.
fn transport_text(err: &(dyn std::error::Error + 'static)) -> String {
    // oras-go's auth errors name no host (`auth.ErrBasicCredentialNotFound`,
    // `fetchBasicAuth`, `fetchBearerToken`).
    match err.downcast_ref::<oras_auth::Error>() {
        Some(oras_auth::Error::BasicCredentialNotFound { .. }) => {
            return "basic credential not found".into();
        }
        Some(oras_auth::Error::IncompleteBasicCredential { .. }) => {
            return "missing username or password for basic auth".into();
        }
        Some(oras_auth::Error::IncompleteBearerCredential { .. }) => {
            return "missing username or password for bearer auth".into();
        }
        // oras-go `fetchDistributionToken`/`fetchOAuth2Token`: a refusal is
        // the token server's `errcode.ErrorResponse`.
        Some(oras_auth::Error::TokenStatus {
            method,
            realm,
            status,
            body,
        }) => {
            let method = http::Method::from_bytes(method.as_bytes()).unwrap_or(http::Method::GET);
            return ResponseError::new(method, realm.clone(), *status, body.as_bytes()).to_string();
        }
        // The token request's own `url.Error`.
        Some(oras_auth::Error::TokenTransport {
            method,
            realm,
            source,
        }) => {
            let method = http::Method::from_bytes(method.as_bytes()).unwrap_or(http::Method::GET);
            let inner: &(dyn std::error::Error + 'static) = source.as_ref().as_ref();
            return format!(
                "{} {realm:?}: {}",
                crate::client::go_text::url_error_op(&method),
                transport_text(inner)
            );
        }
        _ => {}
    }
    crate::client::go_text::cause_text(err).unwrap_or_else(|| chain_text(err))
}

/// The message of `err` and of its sources, joined by `: `, leaving out a
/// source whose text is already there (many errors repeat their source's
/// message in their own).
pub(crate) fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    for _ in 0..MAX_CAUSES {
        let Some(current) = cause else {
            break;
        };
        let part = current.to_string();
        if !part.is_empty() && !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = current.source();
    }
    text
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapper(
        &'static str,
        Option<Box<dyn std::error::Error + Send + Sync>>,
    );

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn auth_flow_errors_as_oras_go_words_them() {
        let transport = |source: oras_auth::Error| Error::Transport {
            method: http::Method::HEAD,
            url: "http://r.test/v2/a/manifests/v1".into(),
            source: Box::new(source),
        };
        let refused = transport(oras_auth::Error::TokenStatus {
            method: "POST",
            realm: "http://auth.test/token".into(),
            status: http::StatusCode::UNAUTHORIZED,
            body: r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#
                .into(),
        });
        assert_eq!(
            refused.to_string(),
            "HEAD \"http://r.test/v2/a/manifests/v1\": POST \"http://auth.test/token\": \
             response status code 401: unauthorized: authentication required"
        );
        let missing = transport(oras_auth::Error::BasicCredentialNotFound {
            host: "r.test".into(),
        });
        assert_eq!(
            missing.to_string(),
            "HEAD \"http://r.test/v2/a/manifests/v1\": basic credential not found"
        );
    }

    #[test]
    fn transport_errors_show_their_causes_once() {
        let io = std::io::Error::other("invalid peer certificate: UnknownIssuer");
        // An io::Error shows its inner error's text; the repeat is left out.
        let middle = std::io::Error::other(io);
        let outer = Wrapper("client error (Connect)", Some(Box::new(middle)));
        let err = Error::Transport {
            method: http::Method::GET,
            url: "https://r.test/v2/".into(),
            source: Box::new(outer),
        };
        assert_eq!(
            err.to_string(),
            "Get \"https://r.test/v2/\": client error (Connect): invalid peer certificate: UnknownIssuer"
        );
        let plain = Error::Transport {
            method: http::Method::HEAD,
            url: "http://r.test/v2/".into(),
            source: Box::new(Wrapper("connection refused", None)),
        };
        assert_eq!(
            plain.to_string(),
            "Head \"http://r.test/v2/\": connection refused"
        );
    }
}
