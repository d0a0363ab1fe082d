//! Blob lookups on a registry, as the Go CLI does them through
//! `Repository.Blobs()`: `HEAD /v2/<name>/blobs/<digest>` gives the
//! descriptor (oras-remote's `Repository::resolve_blob`).

use oras_remote::Repository;
use oras_spec::{Descriptor, Digest};

use crate::connect::{self, ReadTarget, endpoints::ReadOptions};
use crate::context::Context;
use crate::error::CliError;
use crate::options::Target;

/// A registry repository, for the blob endpoints.
pub struct RemoteBlobs {
    /// The repository (resolve, fetch, push, delete).
    pub repository: Repository,
}

impl RemoteBlobs {
    /// Opens the repository of the remote `target` (credentials read now;
    /// with the containers configuration on, the registry's own, never a
    /// mirror, `blocked` refused).
    pub fn open(target: &Target, ctx: &Context) -> anyhow::Result<Self> {
        if connect::containers::enabled() {
            let repository = connect::endpoints::open_write_repository(target, ctx)?;
            return Ok(RemoteBlobs { repository });
        }
        let reference = connect::remote::remote_reference(target)?;
        let registry = connect::open_registry(reference.registry(), &target.remote, ctx)?;
        let repository = registry
            .repository(reference.repository())
            .map_err(|err| CliError::new(err.to_string()))?;
        Ok(RemoteBlobs { repository })
    }

    /// Opens the remote `target` to read the blob `digest` from: the
    /// source to fetch from and the repository for the blob `HEAD` (with
    /// the containers configuration on, the first endpoint that has the
    /// blob, the policy checked and the endpoints after it as fallbacks).
    pub async fn open_for_read(
        target: &Target,
        ctx: &Context,
        digest: &Digest,
    ) -> anyhow::Result<(ReadTarget, Self)> {
        let options = ReadOptions {
            blob: Some(digest.clone()),
            ..ReadOptions::default()
        };
        let source = connect::target::open_remote_read_target(target, ctx, &options).await?;
        let repository = source
            .repository()
            .cloned()
            .ok_or_else(|| CliError::new("not a registry target"))?;
        Ok((source, RemoteBlobs { repository }))
    }

    /// The descriptor of the blob `digest` (`NotFound` on 404).
    pub async fn resolve(&self, digest: &Digest) -> oras_content::Result<Descriptor> {
        self.repository.resolve_blob(digest).await
    }
}

/// The digest of a blob reference (the Go CLI's `digest.Parse`, whose
/// error it prints bare: `Error: invalid checksum digest format`).
pub fn parse_blob_digest(reference: &str) -> anyhow::Result<Digest> {
    reference
        .parse::<Digest>()
        .map_err(|err| CliError::new(digest_error_text(err)).into())
}

/// A digest parse error as go-digest's error prints (its reason alone).
pub fn digest_error_text(err: oras_spec::Error) -> String {
    match err {
        oras_spec::Error::InvalidDigest { reason, .. } => reason.to_owned(),
        other => other.to_string(),
    }
}
