//! [`RealRegistry`]: one configured, running registry and its files.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ring::rand::SystemRandom;

use super::Mode;
use super::certs::{Authority, client_config_trusting, client_config_with_cert};
use super::config::{RegistryConfig, TokenAuth, htpasswd_line};
use super::error::{Error, Result};
use super::install::ensure_installed;
use super::jwt::{Signer, random_hex};
use super::process::{LOG_TAIL_LINES, RegistryProcess, free_port, read_log_tail};
use super::token_server::{TokenServer, User};

/// The user that may do everything (Basic auth in [`Mode::TlsBasic`], the
/// token server's full user in [`Mode::Token`]).
const USERNAME: &str = "oras-test";

/// The token server's read-only user ([`Mode::Token`] only).
const READER_USERNAME: &str = "oras-reader";
/// The token server's namespaced users: each is granted only the
/// repositories `<name>/…`.
const SCOPED_NAMESPACES: [&str; 2] = ["team-a", "team-b"];

/// `auth.token.service`, the token audience.
const TOKEN_SERVICE: &str = "oras-testkit-registry";

/// `auth.token.issuer`.
const TOKEN_ISSUER: &str = "oras-testkit-token-issuer";

/// Attempts at a free port before giving up (another process may take
/// the port between our probe and the registry's bind).
const PORT_ATTEMPTS: usize = 3;

/// A running CNCF Distribution registry on 127.0.0.1 with its own
/// temporary directory (config, storage, certificates, log). Stopped and
/// cleaned up by [`RealRegistry::stop`] or on drop.
pub struct RealRegistry {
    mode: Mode,
    // Field order matters for drop: the process stops before the token
    // server and the directory go away.
    process: Option<RegistryProcess>,
    token_server: Option<TokenServer>,
    addr: SocketAddr,
    binary: PathBuf,
    password: String,
    reader_password: String,
    ca_pem: Option<String>,
    ca_path: Option<PathBuf>,
    client_tls: Option<Arc<rustls::ClientConfig>>,
    client_cert: Option<ClientCertFiles>,
    storage_dir: PathBuf,
    config_path: PathBuf,
    log_path: PathBuf,
    dir_path: PathBuf,
    /// `None` once [`RealRegistry::stop`] removed it.
    dir: Option<tempfile::TempDir>,
}

/// The PEM files of a registry that verifies client certificates
/// ([`RealRegistry::start_with_client_auth`]).
struct ClientCertFiles {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl std::fmt::Debug for RealRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealRegistry")
            .field("mode", &self.mode)
            .field("url", &self.url())
            .field("pid", &self.pid())
            .field("dir", &self.dir_path)
            .finish_non_exhaustive()
    }
}

impl RealRegistry {
    /// Installs the binary if needed ([`super::ensure_installed`]), writes a
    /// configuration for `mode` into a new temporary directory, starts the
    /// registry on a free 127.0.0.1 port and waits (at most 20 s) until
    /// `GET /v2/` answers 200 or 401. Blocking; see
    /// [`RealRegistry::start_async`] for async callers.
    ///
    /// # Errors
    /// Install problems ([`Error::NotInstalled`], [`Error::InstallFailed`]),
    /// a registry that exits or is not ready in time (with its log tail),
    /// or local I/O and key-generation failures.
    pub fn start(mode: Mode) -> Result<RealRegistry> {
        let binary = ensure_installed()?;
        Self::start_with_binary(mode, &binary)
    }

    /// [`RealRegistry::start`] on tokio's blocking pool, for async tests.
    ///
    /// # Errors
    /// As [`RealRegistry::start`].
    pub async fn start_async(mode: Mode) -> Result<RealRegistry> {
        tokio::task::spawn_blocking(move || Self::start(mode))
            .await
            .map_err(|e| {
                Error::io(
                    "joining the registry start-up task",
                    std::io::Error::other(e),
                )
            })?
    }

    /// Starts `binary` (any distribution `registry` that takes
    /// `serve CONFIG`) without the install step.
    ///
    /// # Errors
    /// As [`RealRegistry::start`], without the install errors.
    pub fn start_with_binary(mode: Mode, binary: &Path) -> Result<RealRegistry> {
        Self::start_configured(mode, binary, false, None)
    }

    /// [`RealRegistry::start`] with the registry's temporary directory
    /// (configuration, storage, log) under `parent` instead of the system
    /// temp directory: a tmpfs such as `/dev/shm` for tests that make tens
    /// of thousands of small files (tags), whose creation and removal on
    /// a busy disk take minutes.
    ///
    /// # Errors
    /// As [`RealRegistry::start`].
    pub fn start_in(mode: Mode, parent: &Path) -> Result<RealRegistry> {
        let binary = ensure_installed()?;
        Self::start_configured(mode, &binary, false, Some(parent))
    }

    /// A [`Mode::TlsBasic`] registry that also requires a TLS client
    /// certificate signed by a client CA generated for it
    /// (`http.tls.clientcas`, Go `tls.RequireAndVerifyClientCert`): a
    /// handshake without one fails. The client certificate and key are at
    /// [`RealRegistry::client_cert_path`] and
    /// [`RealRegistry::client_key_path`] (as for `--cert-file` and
    /// `--key-file`); [`RealRegistry::rustls_client_config`] presents them.
    ///
    /// # Errors
    /// As [`RealRegistry::start`].
    pub fn start_with_client_auth() -> Result<RealRegistry> {
        let binary = ensure_installed()?;
        Self::start_configured(Mode::TlsBasic, &binary, true, None)
    }

    /// Starts `binary` for `mode`; `client_auth` (TLS only) adds
    /// `http.tls.clientcas`; its directory is made under `parent` when
    /// given, else in the system temp directory.
    fn start_configured(
        mode: Mode,
        binary: &Path,
        client_auth: bool,
        parent: Option<&Path>,
    ) -> Result<RealRegistry> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("oras-testkit-registry-");
        let dir = match parent {
            Some(parent) => builder.tempdir_in(parent),
            None => builder.tempdir(),
        }
        .map_err(|e| Error::io("creating the registry's temporary directory", e))?;
        let root = dir.path().to_path_buf();
        let write = |name: &str, contents: &str| -> Result<PathBuf> {
            let path = root.join(name);
            std::fs::write(&path, contents)
                .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
            Ok(path)
        };
        let rng = SystemRandom::new();
        let password = random_hex(&rng)?;
        let reader_password = random_hex(&rng)?;
        let http_secret = random_hex(&rng)?;
        let storage_dir = root.join("storage");
        std::fs::create_dir_all(&storage_dir)
            .map_err(|e| Error::io(format!("creating {}", storage_dir.display()), e))?;

        let mut tls_files = None;
        let mut htpasswd = None;
        let mut ca = None;
        let mut token_server = None;
        let mut bundle = None;
        let mut client_cert = None;
        let mut client_leaf = None;
        match mode {
            Mode::Plain => {}
            Mode::TlsBasic => {
                let authority = Authority::generate("oras-testkit test CA")?;
                let server = authority.issue_server()?;
                let ca_path = write("ca.pem", &authority.cert_pem)?;
                let cert = write("server.pem", &server.cert_pem)?;
                let key = write("server-key.pem", &server.key_pem)?;
                htpasswd = Some(write("htpasswd", &htpasswd_line(USERNAME, &password)?)?);
                tls_files = Some((cert, key));
                if client_auth {
                    let client_ca = Authority::generate("oras-testkit client CA")?;
                    let leaf = client_ca.issue_client()?;
                    client_cert = Some(ClientCertFiles {
                        ca: write("client-ca.pem", &client_ca.cert_pem)?,
                        cert: write("client.pem", &leaf.cert_pem)?,
                        key: write("client-key.pem", &leaf.key_pem)?,
                    });
                    client_leaf = Some(leaf);
                }
                ca = Some((
                    authority.cert_pem.clone(),
                    ca_path,
                    authority.cert_der.clone(),
                ));
            }
            Mode::Token => {
                let authority = Authority::generate("oras-testkit token CA")?;
                let signer_cert = authority.issue_token_signer()?;
                bundle = Some(write("token-root-bundle.pem", &authority.cert_pem)?);
                let signer = Signer::new(
                    &signer_cert.key_pkcs8_der,
                    &[&signer_cert.cert_der, &authority.cert_der],
                    TOKEN_ISSUER,
                    TOKEN_SERVICE,
                )?;
                let users = vec![
                    User {
                        name: USERNAME.into(),
                        password: password.clone(),
                        pull_only: false,
                        namespace: None,
                    },
                    User {
                        name: READER_USERNAME.into(),
                        password: reader_password.clone(),
                        pull_only: true,
                        namespace: None,
                    },
                ];
                let users = users
                    .into_iter()
                    .chain(SCOPED_NAMESPACES.iter().map(|namespace| User {
                        name: (*namespace).into(),
                        password: reader_password.clone(),
                        pull_only: false,
                        namespace: Some((*namespace).into()),
                    }))
                    .collect();
                token_server = Some(TokenServer::start(signer, TOKEN_SERVICE, users)?);
            }
        }
        let client_tls = match (&ca, &client_leaf) {
            (Some((_, _, der)), Some(leaf)) => Some(Arc::new(client_config_with_cert(der, leaf)?)),
            (Some((_, _, der)), None) => Some(Arc::new(client_config_trusting(der)?)),
            (None, _) => None,
        };
        let realm = token_server.as_ref().map(TokenServer::realm);
        let log_path = root.join("registry.log");
        let config_path = root.join("config.yml");

        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            let config = RegistryConfig {
                port,
                storage_dir: &storage_dir,
                http_secret: &http_secret,
                tls: tls_files.as_ref().map(|(c, k)| (c.as_path(), k.as_path())),
                client_cas: client_cert.as_ref().map(|files| files.ca.as_path()),
                htpasswd: htpasswd.as_deref(),
                token: match (&realm, &bundle) {
                    (Some(realm), Some(bundle)) => Some(TokenAuth {
                        realm,
                        service: TOKEN_SERVICE,
                        issuer: TOKEN_ISSUER,
                        root_cert_bundle: bundle,
                    }),
                    _ => None,
                },
            };
            std::fs::write(&config_path, config.render())
                .map_err(|e| Error::io(format!("writing {}", config_path.display()), e))?;
            let mut process = RegistryProcess::spawn(binary, &config_path, &root, &log_path)?;
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            match process.wait_ready(addr, client_tls.as_ref()) {
                Ok(()) => {
                    return Ok(RealRegistry {
                        mode,
                        process: Some(process),
                        token_server,
                        addr,
                        binary: binary.to_path_buf(),
                        password,
                        reader_password,
                        ca_pem: ca.as_ref().map(|(pem, _, _)| pem.clone()),
                        ca_path: ca.map(|(_, path, _)| path),
                        client_tls,
                        client_cert,
                        storage_dir,
                        config_path,
                        log_path,
                        dir_path: root.clone(),
                        dir: Some(dir),
                    });
                }
                Err(Error::Exited { log_tail, .. })
                    if log_tail.contains("address already in use") =>
                {
                    last_error = Some(log_tail);
                }
                Err(other) => return Err(other),
            }
        }
        Err(Error::Exited {
            binary: binary.to_path_buf(),
            status: format!("\"address already in use\" {PORT_ATTEMPTS} times"),
            log_tail: last_error.unwrap_or_default(),
        })
    }

    /// The mode it was started in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Base URL without a trailing slash: `http://127.0.0.1:PORT`, or
    /// `https://...` in [`Mode::TlsBasic`].
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme(), self.addr)
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        match self.mode {
            Mode::TlsBasic => "https",
            Mode::Plain | Mode::Token => "http",
        }
    }

    /// `127.0.0.1:PORT`, the registry part of a reference
    /// (`127.0.0.1:PORT/repo:tag`).
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// The socket address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// PEM of the CA that signed the server certificate ([`Mode::TlsBasic`]).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Path of that CA's PEM file, e.g. for `--ca-file` ([`Mode::TlsBasic`]).
    pub fn ca_path(&self) -> Option<&Path> {
        self.ca_path.as_deref()
    }

    /// A rustls client configuration (ring provider, TLS 1.2/1.3) that
    /// trusts exactly the test CA ([`Mode::TlsBasic`]); hand it to
    /// hyper-rustls or tokio-rustls.
    pub fn rustls_client_config(&self) -> Option<Arc<rustls::ClientConfig>> {
        self.client_tls.clone()
    }

    /// Path of the client CA's PEM file, when the registry requires client
    /// certificates ([`RealRegistry::start_with_client_auth`]).
    pub fn client_ca_path(&self) -> Option<&Path> {
        self.client_cert.as_ref().map(|files| files.ca.as_path())
    }

    /// Path of the client certificate's PEM file (for `--cert-file`), when
    /// the registry requires client certificates.
    pub fn client_cert_path(&self) -> Option<&Path> {
        self.client_cert.as_ref().map(|files| files.cert.as_path())
    }

    /// Path of the client key's PKCS#8 PEM file (for `--key-file`), when
    /// the registry requires client certificates.
    pub fn client_key_path(&self) -> Option<&Path> {
        self.client_cert.as_ref().map(|files| files.key.as_path())
    }

    /// The user with every right: the htpasswd user in [`Mode::TlsBasic`],
    /// the token server's full user in [`Mode::Token`]; `None` in
    /// [`Mode::Plain`].
    pub fn username(&self) -> Option<&str> {
        match self.mode {
            Mode::Plain => None,
            Mode::TlsBasic | Mode::Token => Some(USERNAME),
        }
    }

    /// That user's password (random per registry).
    pub fn password(&self) -> Option<&str> {
        self.username().map(|_| self.password.as_str())
    }

    /// `(user, password)` of the token server's read-only user, granted only
    /// `pull` whatever it asks for ([`Mode::Token`] only).
    pub fn reader_credentials(&self) -> Option<(&str, &str)> {
        match self.mode {
            Mode::Token => Some((READER_USERNAME, self.reader_password.as_str())),
            Mode::Plain | Mode::TlsBasic => None,
        }
    }

    /// `(user, password)` of the token server's user for `namespace`
    /// (`team-a` or `team-b`), granted every action on the repositories
    /// `<namespace>/…` and nothing elsewhere ([`Mode::Token`] only): two
    /// users whose tokens are scoped per repository.
    pub fn scoped_credentials(&self, namespace: &str) -> Option<(&str, &str)> {
        let name = SCOPED_NAMESPACES.iter().find(|n| **n == namespace)?;
        match self.mode {
            Mode::Token => Some((name, self.reader_password.as_str())),
            Mode::Plain | Mode::TlsBasic => None,
        }
    }

    /// The harness's token server ([`Mode::Token`] only): its URL, realm,
    /// service and the requests it received.
    pub fn token_server(&self) -> Option<&TokenServer> {
        self.token_server.as_ref()
    }

    /// Shorthand for the token server's base URL ([`Mode::Token`] only).
    pub fn token_server_url(&self) -> Option<&str> {
        self.token_server.as_ref().map(TokenServer::url)
    }

    /// The registry binary that runs.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The operating-system process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(RegistryProcess::pid)
    }

    /// The temporary directory holding config, storage, keys and log.
    pub fn dir(&self) -> &Path {
        &self.dir_path
    }

    /// The filesystem storage root (`storage.filesystem.rootdirectory`).
    pub fn storage_dir(&self) -> &Path {
        &self.storage_dir
    }

    /// The file that receives the registry's stdout and stderr.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last lines of the registry's log (level `warn`, no access log).
    pub fn log_tail(&self) -> String {
        read_log_tail(&self.log_path, LOG_TAIL_LINES)
    }

    /// Kills the registry process with SIGKILL at once, as a crash would
    /// (no drain, uploads in flight cut), and reaps it. The directory
    /// (config, storage, keys, log) and the token server stay, so
    /// [`RealRegistry::restart`] can bring the same registry back.
    ///
    /// # Errors
    /// When the process could not be signalled or reaped.
    pub fn kill(&mut self) -> Result<()> {
        match self.process.take() {
            Some(mut process) => process.kill(),
            None => Ok(()),
        }
    }

    /// Starts the registry again on the same port with the same
    /// `config.yml` and storage directory (killing it first if it still
    /// runs), and waits (at most 20 s) until `GET /v2/` answers. What the
    /// killed process had stored stays; its upload sessions survive too,
    /// as distribution keeps them on disk, signed with the same
    /// `http.secret`.
    ///
    /// The port is bound again at once: the killed process's listening
    /// socket is gone, and distribution (Go) binds with `SO_REUSEADDR`, so
    /// connections left in `TIME_WAIT` do not block it. When another
    /// process took the port in between, this fails with the registry's
    /// "address already in use" log.
    ///
    /// # Errors
    /// As [`RealRegistry::kill`], or a registry that exits or is not ready
    /// in time (with its log tail).
    pub fn restart(&mut self) -> Result<()> {
        self.kill()?;
        let mut process = RegistryProcess::spawn(
            &self.binary,
            &self.config_path,
            &self.dir_path,
            &self.log_path,
        )?;
        process.wait_ready(self.addr, self.client_tls.as_ref())?;
        self.process = Some(process);
        Ok(())
    }

    /// Stops the registry (SIGTERM, SIGKILL after 5 s) and the token
    /// server, then removes the temporary directory.
    ///
    /// # Errors
    /// When the process could not be signalled or reaped, or the directory
    /// could not be removed.
    pub fn stop(mut self) -> Result<()> {
        if let Some(mut process) = self.process.take() {
            process.stop()?;
        }
        self.token_server.take();
        match self.dir.take() {
            Some(dir) => dir
                .close()
                .map_err(|e| Error::io(format!("removing {}", self.dir_path.display()), e)),
            None => Ok(()),
        }
    }
}

impl Drop for RealRegistry {
    /// Stops the process like [`RealRegistry::stop`] (errors ignored);
    /// distribution 2.8 exits at once on SIGTERM, so this does not block.
    fn drop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.stop();
        }
        self.token_server.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_can_cross_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<RealRegistry>();
        assert_send_sync::<TokenServer>();
    }

    #[test]
    fn a_binary_that_exits_at_once_is_reported_with_its_status() {
        let error = RealRegistry::start_with_binary(Mode::Plain, Path::new("/bin/false"))
            .expect_err("/bin/false is no registry");
        assert!(matches!(error, Error::Exited { .. }), "{error}");
        assert!(error.to_string().contains("/bin/false"), "{error}");
    }
}
