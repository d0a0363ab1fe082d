//! A harness for a real CNCF Distribution registry (`docker-registry` from
//! Debian, distribution 2.8.2) on loopback, for end-to-end tests of
//! oras-remote, oras-copy, the CLI and the conformance runner.
//!
//! # What it does
//!
//! [`RealRegistry::start`] (or [`start_for_test`] in tests) finds the binary
//! ([`ensure_installed`]: `$ORAS_TEST_REGISTRY_BIN`, else
//! `/usr/bin/docker-registry`, else `apt-get install docker-registry` when
//! root), makes a temporary directory with a `config.yml`, filesystem
//! storage (`delete: enabled: true`), keys and a log file, starts
//! `docker-registry serve config.yml` on `127.0.0.1:<free port>` and polls
//! `GET /v2/` until it answers (at most 20 s). Every registry has its own
//! port, directory and credentials, so parallel tests never share one. It
//! stops (SIGTERM, then SIGKILL after 5 s) and its directory is removed on
//! [`RealRegistry::stop`] or drop.
//!
//! # Modes
//!
//! | [`Mode`] | URL | auth |
//! |---|---|---|
//! | [`Mode::Plain`] | `http://127.0.0.1:P` | none |
//! | [`Mode::TlsBasic`] | `https://127.0.0.1:P` | htpasswd Basic, realm `oras-testkit`: [`RealRegistry::username`]/[`RealRegistry::password`] |
//! | [`Mode::Token`] | `http://127.0.0.1:P` | Bearer tokens from the harness's [`TokenServer`] |
//!
//! In `TlsBasic` the server certificate (SANs `127.0.0.1` and `localhost`) is
//! signed by a CA generated for that registry: trust it through
//! [`RealRegistry::ca_path`] (a PEM file, as for `--ca-file`),
//! [`RealRegistry::ca_pem`] or the ready-made
//! [`RealRegistry::rustls_client_config`].
//!
//! [`RealRegistry::start_with_client_auth`] (or
//! [`start_for_test_with_client_auth`]) starts a `TlsBasic` registry that
//! also requires a TLS client certificate (`http.tls.clientcas`): signed by
//! a client CA generated for it, at [`RealRegistry::client_cert_path`] /
//! [`RealRegistry::client_key_path`] (as for `--cert-file`/`--key-file`);
//! its `rustls_client_config` presents that certificate.
//!
//! In `Token` mode the registry challenges with
//! `Bearer realm="http://127.0.0.1:T/token",service="oras-testkit-registry",scope="..."`.
//! The token server answers distribution's `GET ?service=&scope=` and the
//! OAuth2 `POST` (`grant_type=password|refresh_token`), authenticates the
//! full user (every requested action granted) and a read-only user
//! ([`RealRegistry::reader_credentials`], only `pull` granted); anonymous
//! callers get a token granting nothing. It signs ES256 JWTs whose `x5c`
//! chain ends at the CA in the registry's `rootcertbundle`, and records
//! every request ([`TokenServer::requests`]) so tests can count token
//! fetches and check the scopes asked for.
//!
//! # Faults
//!
//! - [`RealRegistry::kill`] SIGKILLs the registry (a crash) and
//!   [`RealRegistry::restart`] brings it back on the same port with the
//!   same configuration and storage;
//! - [`FaultFront`] forwards HTTP to a plain or token registry and answers
//!   chosen requests with a status (and `Retry-After`), a delay or a
//!   closed connection, in the fake registry's [`Fault`](crate::fake::Fault)
//!   vocabulary (byte-level cuts and slow paths are the TCP
//!   [`proxy`](crate::proxy)'s);
//! - [`TokenServer::set_token_lifetime`] issues tokens the registry
//!   refuses after a few seconds, whatever `expires_in` says.
//!
//! # Facts about Debian's distribution 2.8.2 worth knowing
//!
//! - `Location` headers are absolute (`http://127.0.0.1:P/v2/...`) and upload
//!   URLs carry an HMAC `_state` parameter.
//! - No referrers API (`/referrers/` is a plain-text 404): clients must use
//!   the `sha256-<hex>` tag schema. No `OCI-Subject` header.
//! - Tag listing ignores `n` and `last`.
//! - An unsatisfiable blob `Range` gets 416 with the full `Content-Length`.
//! - Token challenges: `/v2/` gets `Bearer realm=..,service=..` without a
//!   scope; a repository request adds `scope="repository:NAME:ACTIONS"`
//!   whose action order varies between runs (a Go map: `pull,push` or
//!   `push,pull`), so compare scopes as sets. A token lacking an action
//!   gets 401 with `error="insufficient_scope"` and an `UNAUTHORIZED` body.
//! - A blob upload `POST` asks for `pull,push`.
//! - The registry exits at once on SIGTERM (no drain unless
//!   `http.draintimeout` is set).
//! - `REGISTRY_*` environment variables override config keys; the harness
//!   removes them from the registry's environment.
//!
//! # Skipping
//!
//! Tests must fail, not pass silently, when the registry cannot be had. Use
//! [`start_for_test`]: it panics with the install instructions, unless
//! `ORAS_SKIP_REAL_REGISTRY=1` is set and the binary is missing, in which
//! case it prints a skip note and returns `None`.
//!
//! # Example
//!
//! ```no_run
//! use oras_testkit::real::{Mode, start_for_test_async};
//!
//! # async fn demo() {
//! let Some(registry) = start_for_test_async(Mode::Token).await else {
//!     return; // ORAS_SKIP_REAL_REGISTRY=1 and no registry here
//! };
//! let reference = format!("{}/demo/app:v1", registry.host());
//! let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
//! // ... push and pull `reference` with these credentials ...
//! # let _ = (reference, user, password);
//! assert!(registry.token_server().unwrap().request_count() <= 10);
//! registry.stop().unwrap();
//! # }
//! ```

mod certs;
mod config;
mod error;
mod fault_front;
pub(crate) mod go_tool;
pub(crate) mod install;
mod jwt;
mod official_conformance;
mod process;
mod referrers_registry;
mod registry;
mod server_thread;
mod token_server;

pub use error::{Error, Result};
pub use fault_front::{FaultFront, FrontRequest};
pub use install::{DEBIAN_REGISTRY_BIN, REGISTRY_BIN_ENV, ensure_installed};
pub use jwt::Access;
pub use official_conformance::{
    GINKGO_SUITE_BIN_ENV, GINKGO_SUITE_MODULE, GINKGO_SUITE_VERSION, official_ginkgo_suite,
};
pub use referrers_registry::{
    OLAREG_VERSION, REFERRERS_REGISTRY_BIN_ENV, ReferrersRegistry, ensure_referrers_registry_built,
    start_referrers_for_test, start_referrers_for_test_async,
};
pub use registry::RealRegistry;
pub use token_server::{TokenRequest, TokenServer};

/// Environment variable that turns "registry binary missing" into a skip.
pub const SKIP_ENV: &str = "ORAS_SKIP_REAL_REGISTRY";

/// How the registry is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Plain HTTP, no authentication.
    Plain,
    /// HTTPS with a harness-generated CA, plus htpasswd Basic auth.
    TlsBasic,
    /// Plain HTTP with distribution token auth against the harness's own
    /// token server on loopback.
    Token,
}

/// True when `ORAS_SKIP_REAL_REGISTRY=1` (or `true`) is set.
pub fn skip_requested() -> bool {
    std::env::var(SKIP_ENV).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// Starts a registry for a test, or explains why the test cannot run.
///
/// - Started: `Some(registry)`.
/// - Binary missing and not installable, with `ORAS_SKIP_REAL_REGISTRY=1`:
///   prints a skip note to stderr and returns `None` (no install is
///   attempted when skipping is allowed and the binary is absent).
/// - Anything else: panics with the error (install instructions, or the
///   registry's log tail), so the test fails loudly.
///
/// # Panics
/// When the registry cannot be started and skipping is not allowed.
pub fn start_for_test(mode: Mode) -> Option<RealRegistry> {
    start_or_skip(&format!("{mode:?}"), || RealRegistry::start(mode))
}

/// [`start_for_test`] for [`RealRegistry::start_in`]: the registry's
/// directory under `parent` (a tmpfs for tests that make many files).
///
/// # Panics
/// As [`start_for_test`].
pub fn start_for_test_in(mode: Mode, parent: &std::path::Path) -> Option<RealRegistry> {
    start_or_skip(&format!("{mode:?} in {}", parent.display()), || {
        RealRegistry::start_in(mode, parent)
    })
}

/// [`start_for_test`] for [`RealRegistry::start_with_client_auth`]: a
/// [`Mode::TlsBasic`] registry that also requires a TLS client certificate.
///
/// # Panics
/// As [`start_for_test`].
pub fn start_for_test_with_client_auth() -> Option<RealRegistry> {
    start_or_skip("client certificates", RealRegistry::start_with_client_auth)
}

/// Runs `start`, or skips (`None`) or panics as [`start_for_test`] says;
/// `what` names the registry in the messages.
fn start_or_skip(what: &str, start: impl FnOnce() -> Result<RealRegistry>) -> Option<RealRegistry> {
    if skip_requested() && !binary_present() {
        eprintln!("SKIP: real registry tests ({SKIP_ENV}=1 and no registry binary)");
        return None;
    }
    match start() {
        Ok(registry) => Some(registry),
        Err(e) if e.is_not_installed() && skip_requested() => {
            eprintln!("SKIP: real registry tests ({SKIP_ENV}=1): {e}");
            None
        }
        Err(e) => panic!("cannot start the real registry ({what}): {e}"),
    }
}

/// [`start_for_test`] on tokio's blocking pool, for async tests.
///
/// # Panics
/// As [`start_for_test`].
pub async fn start_for_test_async(mode: Mode) -> Option<RealRegistry> {
    match tokio::task::spawn_blocking(move || start_for_test(mode)).await {
        Ok(registry) => registry,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("registry start-up task failed: {e}"),
    }
}

/// True when a registry binary is there without installing anything.
fn binary_present() -> bool {
    let path = install::configured_binary().unwrap_or_else(|| DEBIAN_REGISTRY_BIN.into());
    path.is_file()
}
