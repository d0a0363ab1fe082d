//! Opening a repository through the containers configuration when
//! `ORAS_EXPERIMENTAL_CONTAINERS_CONFIG=1` (see [`super::containers`]):
//! a read tries the endpoints in order (mirrors first, then the
//! location) and keeps the first that resolves the reference, with the
//! endpoints after it as fallbacks for content it lacks; a write goes to
//! the registry itself once `blocked` is checked.

use std::time::Duration;

use oras_containers_config::{Endpoint, Operation};
use oras_content::Resolver;
use oras_remote::{Registry, Repository, RepositoryOptions};
use oras_spec::Digest;

use super::containers;
use super::mirrored::MirroredRepository;
use crate::context::Context;
use crate::error::CliError;
use crate::options::{FlagCredential, Target};

/// How long asking one endpoint for the reference may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the repository of `target` for `operation`; with the
/// configuration off, exactly [`super::remote::open_flag_repository`].
pub async fn open_repository(
    target: &Target,
    ctx: &Context,
    operation: Operation,
) -> anyhow::Result<Repository> {
    if !containers::enabled() {
        return super::remote::open_flag_repository(target, ctx);
    }
    if operation == Operation::Push {
        return open_write_repository(target, ctx);
    }
    let mut repositories = read_repositories(target, ctx, &ReadOptions::default(), false).await?;
    Ok(repositories.remove(0))
}

/// How a read is set up beyond its target.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The read is of this blob (`blob fetch`): an endpoint is kept when
    /// it has the blob (`HEAD /v2/<name>/blobs/<digest>`) rather than
    /// when it resolves the target's reference as a manifest.
    pub blob: Option<Digest>,
    /// `Repository.ManifestMediaTypes` (`manifest fetch --media-type`);
    /// empty: the default list.
    pub manifest_media_types: Vec<String>,
}

impl ReadOptions {
    fn repository_options(&self) -> RepositoryOptions {
        let mut options = RepositoryOptions {
            skip_referrers_gc: true,
            ..RepositoryOptions::default()
        };
        if !self.manifest_media_types.is_empty() {
            options.manifest_media_types = self.manifest_media_types.clone();
        }
        options
    }
}

/// A registry repository opened for reading.
#[derive(Debug)]
pub enum RemoteRead {
    /// The registry's repository, or the one endpoint that serves it.
    Registry(Repository),
    /// Read through a mirror, with the endpoints after it to fall back to.
    Mirrored(MirroredRepository),
}

/// Opens `target`'s repository for reading: when a mirror serves it, the
/// endpoints after the mirror stay at hand for content the mirror turns
/// out to lack ([`MirroredRepository`]).
pub async fn open_read_remote(target: &Target, ctx: &Context) -> anyhow::Result<RemoteRead> {
    if !containers::enabled() {
        return Ok(RemoteRead::Registry(super::remote::open_flag_repository(
            target, ctx,
        )?));
    }
    open_mirrored(target, ctx, &ReadOptions::default()).await
}

/// [`open_read_remote`] with `options`, for the commands that set up
/// their repository themselves (`blob fetch`, `manifest fetch
/// --media-type`). With the configuration off: the registry of the
/// flags, with `options`' repository options.
pub async fn open_read_remote_with(
    target: &Target,
    ctx: &Context,
    options: &ReadOptions,
) -> anyhow::Result<RemoteRead> {
    if !containers::enabled() {
        let reference = super::remote::remote_reference(target)?;
        let registry = super::open_registry(reference.registry(), &target.remote, ctx)?
            .with_options(options.repository_options());
        let repository = registry
            .repository(reference.repository())
            .map_err(|err| CliError::new(err.to_string()))?;
        return Ok(RemoteRead::Registry(repository));
    }
    open_mirrored(target, ctx, options).await
}

async fn open_mirrored(
    target: &Target,
    ctx: &Context,
    options: &ReadOptions,
) -> anyhow::Result<RemoteRead> {
    let mut repositories = read_repositories(target, ctx, options, true).await?;
    let primary = repositories.remove(0);
    Ok(match repositories.is_empty() {
        true => RemoteRead::Registry(primary),
        false => RemoteRead::Mirrored(MirroredRepository::new(primary, repositories)),
    })
}

/// The repository of the first endpoint that resolves `target`'s
/// reference (policy.json checked, `blocked` refused first), followed,
/// when `with_fallbacks`, by those of the endpoints after it. Without a
/// reference to ask for, the registry itself (the last endpoint).
async fn read_repositories(
    target: &Target,
    ctx: &Context,
    options: &ReadOptions,
    with_fallbacks: bool,
) -> anyhow::Result<Vec<Repository>> {
    let repository_options = options.repository_options();
    let reference = super::remote::remote_reference(target)?;
    let endpoints = containers::pull_endpoints(&reference)?;
    let flag = super::remote::read_flag_credential(&target.remote, ctx)?;
    let last = endpoints.len().saturating_sub(1);
    for (index, endpoint) in endpoints.iter().enumerate() {
        let repository = open_endpoint(endpoint, target, flag.as_ref(), ctx, &repository_options)?;
        // Without a reference (`repo tags`) nothing tells a mirror's
        // listing complete: the registry itself answers, as
        // containers/image lists tags at the registry, not its mirrors.
        let unchecked = target.reference.is_empty() && options.blob.is_none();
        if index < last && (unchecked || !has(&repository, target, options, endpoint).await) {
            continue;
        }
        let mut repositories = vec![repository];
        if with_fallbacks {
            for later in &endpoints[index + 1..] {
                let options = &repository_options;
                repositories.push(open_endpoint(later, target, flag.as_ref(), ctx, options)?);
            }
        }
        return Ok(repositories);
    }
    // `endpoints` always ends with the location; an empty list cannot be.
    Err(CliError::new(format!("no endpoint for {reference}")).into())
}

/// Whether `endpoint` has what the read is for (in time): the blob, or
/// the target's reference.
async fn has(
    repository: &Repository,
    target: &Target,
    options: &ReadOptions,
    endpoint: &Endpoint,
) -> bool {
    let probe = async {
        match &options.blob {
            Some(digest) => repository.resolve_blob(digest).await,
            None => repository.resolve(&target.reference).await,
        }
    };
    match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
        Ok(Ok(_)) => true,
        Ok(Err(err)) => {
            tracing::debug!(endpoint = %endpoint.reference, error = %err, "mirror skipped");
            false
        }
        Err(_) => {
            tracing::debug!(endpoint = %endpoint.reference, "mirror timed out");
            false
        }
    }
}

/// Opens the repository of `target` for writing: the reference's own
/// registry (never a mirror) once a `blocked` prefix is checked, with the
/// repository's credentials; with the configuration off, exactly
/// [`super::remote::open_flag_repository`]. Opening for writing asks nothing of the
/// registry, so this needs no runtime.
pub fn open_write_repository(target: &Target, ctx: &Context) -> anyhow::Result<Repository> {
    if !containers::enabled() {
        return super::remote::open_flag_repository(target, ctx);
    }
    let reference = super::remote::remote_reference(target)?;
    let endpoint = containers::push_endpoint(&reference)?;
    let flag = super::remote::read_flag_credential(&target.remote, ctx)?;
    let options = ReadOptions::default().repository_options();
    open_endpoint(&endpoint, target, flag.as_ref(), ctx, &options)
}

/// The registry client for raw requests about `target`'s repository
/// that write (`tag --delete`), and the reference: the registry of the
/// flags when the configuration is off; else the reference's own
/// registry once a `blocked` prefix is checked, with the repository's
/// credentials.
pub fn open_write_registry(
    target: &Target,
    ctx: &Context,
) -> anyhow::Result<(Registry, oras_spec::Reference)> {
    let reference = super::remote::remote_reference(target)?;
    if !containers::enabled() {
        let registry = super::open_registry(reference.registry(), &target.remote, ctx)?;
        return Ok((registry, reference));
    }
    let endpoint = containers::push_endpoint(&reference)?;
    let flag = super::remote::read_flag_credential(&target.remote, ctx)?;
    let registry = endpoint_registry(&endpoint, target, flag.as_ref(), ctx)?;
    Ok((registry, endpoint.reference))
}

/// The repository of one endpoint, with `options`.
fn open_endpoint(
    endpoint: &Endpoint,
    target: &Target,
    flag: Option<&FlagCredential>,
    ctx: &Context,
    options: &RepositoryOptions,
) -> anyhow::Result<Repository> {
    let registry = endpoint_registry(endpoint, target, flag, ctx)?.with_options(options.clone());
    super::remote::repository_in(&registry, endpoint.reference.repository(), target)
}

/// The registry client of one endpoint, set up for its repository: a
/// mirror never gets the credential flags (they belong to the registry
/// named on the command line).
fn endpoint_registry(
    endpoint: &Endpoint,
    target: &Target,
    flag: Option<&FlagCredential>,
    ctx: &Context,
) -> anyhow::Result<Registry> {
    let host = endpoint.reference.registry();
    let flag = flag.filter(|_| !endpoint.mirror);
    let client = super::remote::base_client_config(&target.remote, host, flag)?;
    let client = containers::apply_for_repository(
        client,
        &target.remote,
        &endpoint.reference,
        flag.is_some(),
        Some(endpoint.insecure),
    )?
    .on_warning(super::remote::warning_handler(host, &ctx.printer));
    Registry::with_config(host, client).map_err(|err| {
        match err {
            // As `open_registry`: a TLS file that cannot be read is
            // reported as it is.
            oras_remote::Error::File { .. } | oras_remote::Error::CaFile { .. } => {
                CliError::new(err.to_string())
            }
            err => CliError::new(format!(
                "failed to connect to {}: {err}",
                crate::error::quote(host)
            )),
        }
        .into()
    })
}
