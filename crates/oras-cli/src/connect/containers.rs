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
//!   `--registry-config`, credentials come from the `credential-helpers`
//!   of registries.conf (default: the auth.json files, then Docker's
//!   config), a repository's namespaced auth.json keys
//!   (`host/team/app`, then `host/team`) before its registry's;
//! * a repository opened for reading: policy.json is checked, then the
//!   mirrors that serve the reference are tried in order and the first
//!   that has it is used, else the (rewritten) location; a repository
//!   opened for writing is the reference's own, never a mirror.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use oras_auth::TokenCache;
use oras_containers_config::{ContainersConfig, Endpoint, Operation};
use oras_content::ErrorKind;
use oras_remote::{ClientConfig, Registry};
use oras_spec::Reference;

use crate::error::CliError;
use crate::options::RemoteSettings;

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
    client: ClientConfig,
    settings: &RemoteSettings,
    registry: &str,
    flag: bool,
    insecure: Option<bool>,
) -> anyhow::Result<ClientConfig> {
    apply_to(client, settings, registry, None, flag, insecure)
}

/// [`apply`] for the client of one repository (`reference`'s): its
/// namespaced auth.json keys come before its registry's
/// (containers-auth.json(5)), and a repository answered by such a key
/// keeps its tokens apart from the rest of the registry's.
pub fn apply_for_repository(
    client: ClientConfig,
    settings: &RemoteSettings,
    reference: &Reference,
    flag: bool,
    insecure: Option<bool>,
) -> anyhow::Result<ClientConfig> {
    let registry = reference.registry();
    apply_to(client, settings, registry, Some(reference), flag, insecure)
}

fn apply_to(
    mut client: ClientConfig,
    settings: &RemoteSettings,
    registry: &str,
    repository: Option<&Reference>,
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
        client = match repository {
            None => client.credentials(config.credentials()),
            Some(reference) => {
                let key = config
                    .namespaced_auth_key(reference)
                    .map_err(|err| CliError::new(err.to_string()))?;
                if let Some(key) = key {
                    client = client.token_cache(token_cache_for_auth_key(&key));
                }
                client.credentials(config.credentials_for(reference))
            }
        };
    }
    Ok(client)
}

/// One token cache per namespaced auth.json key, so a token or Basic
/// credential earned with one namespace's credential is never sent for
/// another repository of the registry (the cache keeps one Basic
/// credential per origin).
fn token_cache_for_auth_key(key: &str) -> TokenCache {
    static CACHES: OnceLock<Mutex<HashMap<String, TokenCache>>> = OnceLock::new();
    CACHES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(key.to_string())
        .or_default()
        .clone()
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

/// The endpoints to try for reading `reference`, in order (policy.json
/// checked, a blocked registry refused).
pub fn pull_endpoints(reference: &Reference) -> anyhow::Result<Vec<Endpoint>> {
    config()?
        .endpoints(&reference.to_string(), Operation::Pull)
        .map_err(|err| CliError::new(err.to_string()).into())
}

/// The one endpoint for writing `reference`: the reference's own
/// registry, never a mirror; refused when a registries.conf prefix blocks
/// it (a prefix may block a namespace only, so the whole reference
/// counts).
pub fn push_endpoint(reference: &Reference) -> anyhow::Result<Endpoint> {
    let endpoints = config()?
        .endpoints(&reference.to_string(), Operation::Push)
        .map_err(|err| CliError::new(err.to_string()))?;
    endpoints
        .into_iter()
        .next()
        .ok_or_else(|| CliError::new(format!("no endpoint for {reference}")).into())
}
