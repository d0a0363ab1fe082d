//! The containers configuration (registries.conf, certs.d, auth.json,
//! policy.json; oras-containers-config) behind
//! `ORAS_EXPERIMENTAL_CONTAINERS_CONFIG=1`, as oras 1.4 offers it; off by
//! default, and then nothing here changes any behaviour.
//!
//! When on:
//! * a short name (`app:v1`) resolves through `[aliases]`, else the
//!   single (or, when not enforcing, first) search registry;
//! * every registry client: a `blocked` registry is refused before any
//!   request; certs.d adds the host's CAs and client certificate (flags
//!   win); an `insecure` registry is reached over HTTPS without
//!   verification when it speaks it, else over plain HTTP
//!   (containers/image tries HTTPS, then HTTP); without credential flags or
//!   `--registry-config`, credentials come from the auth.json files, then
//!   Docker's config;
//! * a repository opened for reading: policy.json is checked, then the
//!   mirrors that serve the reference are tried in order and the first
//!   that has it is used, else the (rewritten) location; a repository
//!   opened for writing is the reference's own, never a mirror.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::Duration;

use oras_containers_config::{ContainersConfig, Endpoint, Operation};
use oras_content::{ErrorKind, Resolver};
use oras_remote::{ClientConfig, Registry, Repository};

use crate::context::Context;
use crate::error::CliError;
use crate::options::{FlagCredential, RemoteSettings, Target};

/// The variable that turns the containers configuration on.
pub const CONTAINERS_CONFIG_ENV: &str = "ORAS_EXPERIMENTAL_CONTAINERS_CONFIG";

/// How long the plain-HTTP probe of an insecure registry may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// True when `ORAS_EXPERIMENTAL_CONTAINERS_CONFIG` is `1` or `true`.
pub fn enabled() -> bool {
    std::env::var(CONTAINERS_CONFIG_ENV).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// The configuration of this process, loaded once; a malformed file is
/// an error for every use.
fn config() -> anyhow::Result<&'static ContainersConfig> {
    static CONFIG: OnceLock<Result<ContainersConfig, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| ContainersConfig::load().map_err(|err| err.to_string()))
        .as_ref()
        .map_err(|err| CliError::new(format!("containers configuration: {err}")).into())
}

/// `raw` with a short name resolved (unchanged when the configuration is
/// off or `raw` names a registry).
pub fn resolve_short_name(raw: &str) -> anyhow::Result<Cow<'_, str>> {
    if !enabled() || !oras_containers_config::is_short_name(raw) {
        return Ok(Cow::Borrowed(raw));
    }
    let candidates = oras_containers_config::candidates(config()?.registries(), raw)
        .map_err(|err| CliError::new(err.to_string()))?;
    match candidates.into_iter().next() {
        Some(first) => Ok(Cow::Owned(first)),
        None => Ok(Cow::Borrowed(raw)),
    }
}

/// Applies the configuration to the client of `registry` (`host[:port]`):
/// blocked, certs.d, insecure and the auth files. `flag` is true when
/// credential flags were given.
pub fn apply(
    mut client: ClientConfig,
    settings: &RemoteSettings,
    registry: &str,
    flag: bool,
    insecure: Option<bool>,
) -> anyhow::Result<ClientConfig> {
    let config = config()?;
    if let Some(entry) = config.registries().find(registry).filter(|r| r.blocked) {
        return Err(CliError::new(format!(
            "registry {registry} is blocked in registries.conf (prefix {:?})",
            entry.prefix
        ))
        .into());
    }
    let tls = config
        .tls_files(registry)
        .map_err(|err| CliError::new(err.to_string()))?;
    for ca in &tls.ca_files {
        client = client.ca_file(ca.clone());
    }
    if let Some((cert, key)) = &tls.client
        && settings.cert_file.is_none()
    {
        client = client.client_cert_files(cert.clone(), key.clone());
    }
    let insecure = insecure.unwrap_or_else(|| config.is_insecure(registry));
    if insecure && settings.plain_http.is_none() && !settings.insecure {
        let tls = speaks_https(registry, &client);
        client = client.plain_http(!tls).insecure(tls);
    }
    if !flag && settings.registry_configs.is_empty() {
        client = client.credentials(config.credentials());
    }
    Ok(client)
}

/// Whether `registry` answers HTTPS (verification off): containers/image
/// tries HTTPS first for an insecure registry and falls back to plain
/// HTTP when the connection itself fails. Probed with `GET /v2/` on a
/// thread of its own, so it works from any runtime; any HTTP answer (401
/// included) counts.
fn speaks_https(registry: &str, client: &ClientConfig) -> bool {
    let probe = client.clone().plain_http(false).insecure(true);
    let registry = registry.to_owned();
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return false;
                };
                runtime.block_on(async {
                    let Ok(client) = Registry::with_config(&registry, probe) else {
                        return false;
                    };
                    match tokio::time::timeout(PROBE_TIMEOUT, client.ping()).await {
                        Ok(Ok(())) => true,
                        Ok(Err(err)) => err.kind() != ErrorKind::Network,
                        Err(_) => false,
                    }
                })
            })
            .join()
            .unwrap_or(false)
    })
}

/// Opens the repository of `target` for `operation`; with the
/// configuration off, exactly [`super::open_repository`].
pub async fn open_repository(
    target: &Target,
    ctx: &Context,
    operation: Operation,
) -> anyhow::Result<Repository> {
    if !enabled() {
        return super::open_repository(target, ctx);
    }
    let reference = super::remote::remote_reference(target)?;
    if operation == Operation::Push {
        // Checks `blocked` for the whole reference (a prefix may block a
        // namespace only); the client itself is the registry's own.
        config()?
            .endpoints(&reference.to_string(), Operation::Push)
            .map_err(|err| CliError::new(err.to_string()))?;
        return super::open_repository(target, ctx);
    }
    let endpoints = config()?
        .endpoints(&reference.to_string(), Operation::Pull)
        .map_err(|err| CliError::new(err.to_string()))?;
    let flag = super::remote::read_flag_credential(&target.remote, ctx)?;
    let last = endpoints.len().saturating_sub(1);
    for (index, endpoint) in endpoints.iter().enumerate() {
        let repository = open_endpoint(endpoint, target, flag.as_ref(), ctx)?;
        if index == last || target.reference.is_empty() {
            return Ok(repository);
        }
        match tokio::time::timeout(PROBE_TIMEOUT, repository.resolve(&target.reference)).await {
            Ok(Ok(_)) => return Ok(repository),
            Ok(Err(err)) => {
                tracing::debug!(endpoint = %endpoint.reference, error = %err, "mirror skipped");
            }
            Err(_) => tracing::debug!(endpoint = %endpoint.reference, "mirror timed out"),
        }
    }
    // `endpoints` always ends with the location; an empty list cannot be.
    Err(CliError::new(format!("no endpoint for {reference}")).into())
}

/// The client of one endpoint: a mirror never gets the credential flags
/// (they belong to the registry named on the command line).
fn open_endpoint(
    endpoint: &Endpoint,
    target: &Target,
    flag: Option<&FlagCredential>,
    ctx: &Context,
) -> anyhow::Result<Repository> {
    let host = endpoint.reference.registry();
    let flag = flag.filter(|_| !endpoint.mirror);
    let client = super::remote::base_client_config(&target.remote, host, flag)?;
    let client = apply(
        client,
        &target.remote,
        host,
        flag.is_some(),
        Some(endpoint.insecure),
    )?
    .on_warning(super::remote::warning_handler(host, &ctx.printer));
    let registry = Registry::with_config(host, client)
        .map_err(|err| CliError::new(format!("failed to connect to {host}: {err}")))?;
    let repository = registry
        .with_options(oras_remote::RepositoryOptions {
            skip_referrers_gc: true,
            ..oras_remote::RepositoryOptions::default()
        })
        .repository(endpoint.reference.repository())
        .map_err(|err| CliError::new(err.to_string()))?;
    if let Some(spec) = target.remote.distribution_spec {
        repository
            .set_referrers_capability(spec.referrers_api())
            .map_err(|err| CliError::new(err.to_string()))?;
    }
    Ok(repository)
}
