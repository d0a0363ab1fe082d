//! Blob lookups on a registry, as the Go CLI does them through
//! `Repository.Blobs()`: `HEAD /v2/<name>/blobs/<digest>` gives the
//! descriptor (size from `Content-Length`, type from `Content-Type`,
//! `application/octet-stream` when absent; oras-go
//! `registry/remote.blobStore.Resolve`).
//!
//! oras-remote resolves blobs only inside the crate (its `Resolver` asks
//! the manifest endpoint), so this small request goes through the
//! registry's own client: the same stack (auth with a `pull` scope hint,
//! retries, TLS, headers), just a request that crate does not expose.

use http::{Method, Request, StatusCode};
use oras_auth::{Action, Body, Scope, Scopes};
use oras_content::ErrorKind;
use oras_remote::{Registry, Repository};
use oras_spec::{Descriptor, Digest, media_type};

use crate::commands::Context;
use crate::connect;
use crate::error::{CliError, quote};
use crate::options::Target;

/// A registry repository with the registry it belongs to, for the blob
/// endpoints.
pub(crate) struct RemoteBlobs {
    /// The registry (its client sends the `HEAD`).
    pub(crate) registry: Registry,
    /// The repository (fetch, push, delete).
    pub(crate) repository: Repository,
}

impl RemoteBlobs {
    /// Opens the repository of the remote `target` (credentials read now).
    pub(crate) fn open(target: &Target, ctx: &Context) -> anyhow::Result<Self> {
        let reference = connect::remote::remote_reference(target)?;
        let registry = connect::open_registry(reference.registry(), &target.remote, ctx)?;
        let repository = registry
            .repository(reference.repository())
            .map_err(|err| CliError::new(err.to_string()))?;
        Ok(RemoteBlobs {
            registry,
            repository,
        })
    }

    /// The descriptor of the blob `digest` (`NotFound` on 404).
    pub(crate) async fn resolve(&self, digest: &Digest) -> oras_content::Result<Descriptor> {
        head_blob(&self.registry, self.repository.name(), digest).await
    }
}

/// `HEAD /v2/<repository>/blobs/<digest>` on `registry`.
pub(crate) async fn head_blob(
    registry: &Registry,
    repository: &str,
    digest: &Digest,
) -> oras_content::Result<Descriptor> {
    let url = registry
        .base_url()
        .join(&format!("v2/{repository}/blobs/{digest}"))
        .map_err(|err| other(format!("building the blob URL: {err}")))?;
    let uri: http::Uri = url
        .as_str()
        .parse()
        .map_err(|err| other(format!("invalid blob URL {url}: {err}")))?;
    let mut request = Request::new(Body::empty());
    *request.method_mut() = Method::HEAD;
    *request.uri_mut() = uri;
    request
        .extensions_mut()
        .insert(Scopes(vec![Scope::repository(repository, &[Action::Pull])]));
    let response = registry.client().send(request).await.map_err(|err| {
        oras_content::Error::external(ErrorKind::Network, format!("HEAD {url}: {err}"))
    })?;
    let status = response.status();
    let headers = response.headers();
    match status {
        StatusCode::OK => {}
        StatusCode::NOT_FOUND => {
            return Err(oras_content::Error::NotFound(format!("{digest}")));
        }
        StatusCode::UNAUTHORIZED => {
            return Err(oras_content::Error::external(
                ErrorKind::Unauthorized,
                format!("HEAD {url}: response status code 401: unauthorized"),
            ));
        }
        StatusCode::FORBIDDEN => {
            return Err(oras_content::Error::external(
                ErrorKind::Denied,
                format!("HEAD {url}: response status code 403: denied"),
            ));
        }
        other_status => {
            return Err(oras_content::Error::external(
                ErrorKind::Network,
                format!("HEAD {url}: response status code {}", other_status.as_u16()),
            ));
        }
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let size = header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            oras_content::Error::external(
                ErrorKind::SizeMismatch,
                format!("HEAD {url}: missing or invalid Content-Length"),
            )
        })?;
    if let Some(served) = header("docker-content-digest")
        && served.trim() != digest.to_string()
    {
        return Err(oras_content::Error::external(
            ErrorKind::DigestMismatch,
            format!(
                "HEAD {url}: invalid response; digest mismatch in Docker-Content-Digest: received {served:?} when expecting \"{digest}\""
            ),
        ));
    }
    let media_type = header("content-type")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or(media_type::OCTET_STREAM);
    Ok(Descriptor::new(media_type, digest.clone(), size))
}

fn other(message: String) -> oras_content::Error {
    oras_content::Error::external(ErrorKind::Other, message)
}

/// The digest of a blob reference (the Go CLI's `digest.Parse`).
pub(crate) fn parse_blob_digest(reference: &str) -> anyhow::Result<Digest> {
    reference
        .parse::<Digest>()
        .map_err(|err| CliError::new(format!("invalid digest {reference}: {err}")).into())
}

/// The `ORAS_CACHE` layout, when set. (The connect module opens it
/// together with the source; blob commands open their registry source
/// themselves, to keep the registry for the blob `HEAD`.)
pub(crate) async fn open_cache() -> anyhow::Result<Option<oras_store_oci::Store>> {
    match std::env::var_os(connect::CACHE_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => Ok(Some(oras_store_oci::Store::open(&dir).await.map_err(
            |err| {
                CliError::new(format!(
                    "failed to open the cache {}: {err}",
                    quote(&dir.to_string_lossy())
                ))
            },
        )?)),
        None => Ok(None),
    }
}
