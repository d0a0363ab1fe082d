//! Blob lookups on a registry, as the Go CLI does them through
//! `Repository.Blobs()`: `HEAD /v2/<name>/blobs/<digest>` gives the
//! descriptor (oras-remote's `Repository::resolve_blob`).

use oras_remote::Repository;
use oras_spec::{Descriptor, Digest};

use crate::commands::Context;
use crate::connect;
use crate::error::{CliError, quote};
use crate::options::Target;

/// A registry repository, for the blob endpoints.
pub(crate) struct RemoteBlobs {
    /// The repository (resolve, fetch, push, delete).
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
        Ok(RemoteBlobs { repository })
    }

    /// The descriptor of the blob `digest` (`NotFound` on 404).
    pub(crate) async fn resolve(&self, digest: &Digest) -> oras_content::Result<Descriptor> {
        self.repository.resolve_blob(digest).await
    }
}

/// The digest of a blob reference (the Go CLI's `digest.Parse`, whose
/// error it prints bare: `Error: invalid checksum digest format`).
pub(crate) fn parse_blob_digest(reference: &str) -> anyhow::Result<Digest> {
    reference
        .parse::<Digest>()
        .map_err(|err| CliError::new(digest_error_text(err)).into())
}

/// A digest parse error as go-digest's error prints (its reason alone).
pub(crate) fn digest_error_text(err: oras_spec::Error) -> String {
    match err {
        oras_spec::Error::InvalidDigest { reason, .. } => reason.to_owned(),
        other => other.to_string(),
    }
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
