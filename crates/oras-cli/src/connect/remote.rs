//! Registry clients from the remote flags (Go `option/remote.go`
//! `NewRepository`, `NewRegistry`, `authClient`).
//!
//! * TLS and transport: `--plain-http` (explicit, else plain HTTP only for
//!   `localhost[:port]`), `--insecure`, `--ca-file`, `--cert-file` with
//!   `--key-file`; headers from `-H`, which oras-remote sends to the
//!   registry's origin only (GHSA-whvf-jp7m-59f3).
//! * `--resolve host:port:address[:port]`: DNS overrides of the client,
//!   for every connection whose `host:port` a rule names (the private
//!   `resolve` module).
//! * Credentials: any credential given by flags is used as a static
//!   credential for the registry (an empty username means the secret is an
//!   identity token, Go `internal/credential`); otherwise the Docker config
//!   store: the `--registry-config` files (the first is the one written,
//!   the others are read as fallbacks), else `$DOCKER_CONFIG/config.json`
//!   or `~/.docker/config.json`, with plaintext saving allowed as the Go
//!   CLI does.
//! * One token cache shared by every client of the process with the same
//!   credential source (the Go CLI's shared auth client, added after
//!   1.3.3; per credential as oras 1.4's per-repository auth cache), so
//!   `cp` within one registry fetches a token once, and a side with other
//!   credential flags never sends what the other side's earned.
//! * `--distribution-spec`: `v1.1-referrers-api` sets the referrers
//!   capability to supported, `v1.1-referrers-tag` to unsupported.
//! * Mirror repositories keep the old referrers index (Go sets
//!   `SkipReferrersGC = true`).
//! * Registry warnings (`Warning: 299 - "<text>"` response headers) are
//!   printed as `Warning: <text>` on stderr, each distinct one once per
//!   registry (Go `Remote.handleWarning`).

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use oras_auth::{Credential, CredentialProvider, StaticCredential, TokenCache};
use oras_credentials::{DynamicStore, StoreOptions, StoreWithFallbacks, docker_config_path};
use oras_remote::{ClientConfig, Registry, Repository, RepositoryOptions, Warning, WarningHandler};
use oras_spec::Reference;

use crate::context::Context;
use crate::error::CliError;
use crate::options::{FlagCredential, RemoteSettings, SecretSource, Target};
use crate::output::Printer;

/// The user agent of every request: `oras/<version>`, the Go CLI's form,
/// so registries that recognise ORAS clients by it (rate limits,
/// statistics) treat this one alike. oras-remote's own default
/// (`oras-rs/<version>`) is for library users.
pub const USER_AGENT: &str = concat!("oras/", env!("CARGO_PKG_VERSION"));

/// The token cache every registry client of this process shares.
pub fn shared_token_cache() -> TokenCache {
    static CACHE: OnceLock<TokenCache> = OnceLock::new();
    CACHE.get_or_init(TokenCache::new).clone()
}

/// The token cache of the clients using `flag` (oras 1.4 keeps its auth
/// cache per repository's credentials): clients with the same credential
/// source share one, so `cp` within one registry fetches a token once,
/// while a side with other credential flags never sends a token or a
/// Basic credential the other side's credentials earned (the cache keeps
/// one Basic credential per origin).
pub fn token_cache_for(flag: Option<&FlagCredential>) -> TokenCache {
    static CACHES: OnceLock<Mutex<HashMap<(String, String), TokenCache>>> = OnceLock::new();
    let Some(flag) = flag else {
        return shared_token_cache();
    };
    CACHES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry((flag.username.clone(), flag.secret.clone()))
        .or_default()
        .clone()
}

/// Prints the registry's warnings as `Warning: <text>` on the printer's
/// stderr, each distinct warning once per registry for the whole process
/// (Go `Remote.handleWarning`: a set of the warnings already logged for
/// each registry name).
pub fn warning_handler(registry: &str, printer: &Printer) -> WarningHandler {
    static WARNED: OnceLock<Mutex<HashSet<(String, Warning)>>> = OnceLock::new();
    let registry = registry.to_owned();
    let printer = printer.clone();
    WarningHandler::new(move |warning| {
        let first = WARNED
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert((registry.clone(), warning.clone()));
        if first {
            // A warning that cannot be printed is not worth failing for.
            let _ = printer.eprintln(&format!("Warning: {}", warning.text));
        }
    })
}

/// The credential stores of the Docker config (Go `credential.NewStore`).
#[derive(Clone, Debug)]
pub struct CredentialStore {
    /// Reads from every config in turn; writes and deletes go to the first.
    pub store: Arc<StoreWithFallbacks>,
    /// The path of the config that is written (for hints and messages).
    pub config_path: PathBuf,
}

/// Opens the Docker config store: the `--registry-config` files when
/// given, else the default config. Plaintext saving is allowed (the Go
/// CLI sets `AllowPlaintextPut`).
pub fn credential_store(configs: &[PathBuf]) -> anyhow::Result<CredentialStore> {
    let options = StoreOptions {
        allow_plaintext_put: true,
        ..StoreOptions::default()
    };
    let paths: Vec<PathBuf> = if configs.is_empty() {
        vec![docker_config_path(None)?]
    } else {
        configs.to_vec()
    };
    let mut stores = Vec::with_capacity(paths.len());
    for path in &paths {
        let store = DynamicStore::new(path.clone(), options.clone())
            // Go `credential.NewStore` returns the store's error as it is.
            .map_err(|err| CliError::new(err.to_string()))?;
        stores.push(Arc::new(store) as Arc<dyn oras_credentials::Store>);
    }
    let primary = stores.remove(0);
    Ok(CredentialStore {
        store: Arc::new(StoreWithFallbacks::new(primary, stores)),
        config_path: paths[0].clone(),
    })
}

/// The oras-auth credential of a flag credential: an empty username means
/// the secret is an identity (refresh) token.
pub fn flag_to_credential(flag: &FlagCredential) -> Credential {
    if flag.username.is_empty() {
        Credential::refresh_token(flag.secret.clone())
    } else {
        Credential::basic(flag.username.clone(), flag.secret.clone())
    }
}

/// Reads the credential given by flags. A `*-stdin` secret is read from
/// stdin once per process and remembered, so a command that opens the
/// registry twice gets it twice; the insecurity warnings of `-p` and
/// `--identity-token` go to stderr once.
pub fn read_flag_credential(
    settings: &RemoteSettings,
    ctx: &Context,
) -> anyhow::Result<Option<FlagCredential>> {
    static STDIN_SECRET: OnceLock<Vec<u8>> = OnceLock::new();
    static WARNED: AtomicBool = AtomicBool::new(false);
    let stdin: &[u8] = match settings.secret {
        SecretSource::PasswordStdin | SecretSource::IdentityTokenStdin => STDIN_SECRET
            .get_or_init(|| {
                let mut text = Vec::new();
                // At most 1 MiB, as the settings' own reader.
                let _ = std::io::stdin().lock().take(1 << 20).read_to_end(&mut text);
                text
            })
            .as_slice(),
        _ => &[],
    };
    let mut warnings = Vec::new();
    let credential = settings.flag_credential(&mut &stdin[..], &mut warnings)?;
    if !warnings.is_empty() && !WARNED.swap(true, Ordering::SeqCst) {
        for line in String::from_utf8_lossy(&warnings).lines() {
            ctx.printer.eprintln(line)?;
        }
    }
    Ok(credential)
}

/// The client configuration for `registry` (`host[:port]` as written in
/// the reference): transport and TLS settings, headers, the user agent,
/// the shared token cache and the credentials (`flag` when given, else the
/// Docker config store).
pub fn client_config(
    settings: &RemoteSettings,
    registry: &str,
    flag: Option<&FlagCredential>,
) -> anyhow::Result<ClientConfig> {
    let config = base_client_config(settings, registry, flag)?;
    if super::containers::enabled() {
        return super::containers::apply(config, settings, registry, flag.is_some(), None);
    }
    Ok(config)
}

/// [`client_config`] from the flags alone, without the containers
/// configuration.
pub(crate) fn base_client_config(
    settings: &RemoteSettings,
    registry: &str,
    flag: Option<&FlagCredential>,
) -> anyhow::Result<ClientConfig> {
    let mut config = ClientConfig::new()
        .plain_http(settings.plain_http_for(registry))
        .insecure(settings.insecure)
        .user_agent(USER_AGENT)
        .token_cache(token_cache_for(flag));
    if let Some(ca) = &settings.ca_file {
        config = config.ca_file(ca.clone());
    }
    if let (Some(cert), Some(key)) = (&settings.cert_file, &settings.key_file) {
        config = config.client_cert_files(cert.clone(), key.clone());
    }
    for header in &settings.headers {
        config = config.header(header.name.clone(), header.value.clone());
    }
    let provider: Arc<dyn CredentialProvider> = match flag {
        Some(flag) => Arc::new(StaticCredential::new(registry, flag_to_credential(flag))),
        None => credential_store(&settings.registry_configs)?.store,
    };
    config = config.credentials(provider);
    Ok(super::resolve::apply(config, settings))
}

/// Opens the registry `name` with `settings`, reading flag credentials.
pub fn open_registry(
    name: &str,
    settings: &RemoteSettings,
    ctx: &Context,
) -> anyhow::Result<Registry> {
    let flag = read_flag_credential(settings, ctx)?;
    let config = client_config(settings, name, flag.as_ref())?
        .on_warning(warning_handler(name, &ctx.printer));
    let registry = Registry::with_config(name, config).map_err(|err| match err {
        // Go reads the TLS files while parsing the options and returns
        // the `*fs.PathError` as it is (`open nope.pem: no such file or
        // directory`).
        oras_remote::Error::File { .. } | oras_remote::Error::CaFile { .. } => {
            CliError::new(err.to_string())
        }
        err => CliError::new(format!(
            "failed to connect to {}: {err}",
            crate::error::quote(name)
        )),
    })?;
    Ok(registry.with_options(RepositoryOptions {
        skip_referrers_gc: true,
        ..RepositoryOptions::default()
    }))
}

/// Opens the repository of a remote `target` as its flags say, with its
/// credentials and `--distribution-spec` applied: what a command gets
/// with the containers configuration off (`endpoints` chooses).
pub fn open_flag_repository(target: &Target, ctx: &Context) -> anyhow::Result<Repository> {
    let reference = remote_reference(target)?;
    let registry = open_registry(reference.registry(), &target.remote, ctx)?;
    repository_in(&registry, reference.repository(), target)
}

/// The repository `name` of `registry`, with `target`'s
/// `--distribution-spec` applied.
pub(crate) fn repository_in(
    registry: &Registry,
    name: &str,
    target: &Target,
) -> anyhow::Result<Repository> {
    let repository = registry
        .repository(name)
        .map_err(|err| CliError::new(err.to_string()))?;
    if let Some(spec) = target.remote.distribution_spec {
        repository
            .set_referrers_capability(spec.referrers_api())
            .map_err(|err| CliError::new(err.to_string()))?;
    }
    Ok(repository)
}

/// The parsed reference of a remote target.
pub fn remote_reference(target: &Target) -> anyhow::Result<Reference> {
    match &target.remote_reference {
        Some(reference) => Ok(reference.clone()),
        None => Err(CliError::new(format!(
            "{} is not a registry reference",
            crate::error::quote(&target.raw_reference)
        ))
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_token_without_username() {
        let token = flag_to_credential(&FlagCredential {
            username: String::new(),
            secret: "t".into(),
        });
        assert_eq!(token.refresh_token, "t");
        assert!(token.username.is_empty());
        let basic = flag_to_credential(&FlagCredential {
            username: "u".into(),
            secret: "p".into(),
        });
        assert_eq!(
            (basic.username.as_str(), basic.password.as_str()),
            ("u", "p")
        );
    }

    #[test]
    fn each_warning_is_printed_once_per_registry() {
        let (printer, _out, err) = Printer::captured();
        let mut headers = http::HeaderMap::new();
        for value in [
            r#"299 - "deprecated registry""#,
            r#"299 - "deprecated registry""#,
            r#"299 - "another""#,
            r#"199 - "not a 299""#,
        ] {
            headers.append(http::header::WARNING, value.parse().unwrap());
        }
        let first = warning_handler("warn-a.test", &printer);
        first.handle_headers(&headers);
        // Another handler of the same registry (another repository of
        // it) remembers what was printed; another registry does not.
        warning_handler("warn-a.test", &printer).handle_headers(&headers);
        warning_handler("warn-b.test", &printer).handle_headers(&headers);
        assert_eq!(
            err.text(),
            "Warning: deprecated registry\nWarning: another\n\
             Warning: deprecated registry\nWarning: another\n"
        );
    }

    #[test]
    fn user_agent_is_the_go_clis_form() {
        assert!(USER_AGENT.starts_with("oras/"));
    }

    #[test]
    fn credential_store_from_explicit_configs() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        let store = credential_store(&[a.clone(), b]).unwrap();
        assert_eq!(store.config_path, a);
    }
}
