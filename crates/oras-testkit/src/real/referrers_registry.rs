//! A second real registry, one with the OCI 1.1 referrers API: olareg
//! v0.1.2 (a maintained Go registry by a distribution-spec maintainer)
//! behind a small `main` of ours in `crates/oras-testkit/go/referrers-registry/`.
//!
//! CNCF Distribution (2.8 from Debian, and 3.x too) has no referrers API and
//! go-containerregistry's `pkg/registry` answers `/referrers/` without
//! `artifactType` filtering or `OCI-Subject`; olareg implements the whole
//! OCI 1.1 surface:
//!
//! - `GET /v2/<name>/referrers/<digest>` with `?artifactType=` filtering and
//!   `OCI-Filters-Applied: artifactType`;
//! - `OCI-Subject` on the response to a manifest `PUT` carrying a `subject`;
//! - paging: a referrers list larger than the limit (4 MiB, or the one given
//!   to [`ReferrersRegistry::start_with_referrers_limit`]) is split into
//!   pages linked by `Link: <...>; rel=next`;
//! - tag listing with `n` and `last`, manifest and blob deletion (enabled by
//!   our `main`), directory storage under a temporary directory, no garbage
//!   collection.
//!
//! Facts worth knowing: a referrers request to a repository that does not
//! exist answers 200 with `"manifests": null`; an unknown subject in an
//! existing repository answers an empty list. There is no authentication
//! and no TLS.
//!
//! The binary is `$ORAS_TEST_REFERRERS_REGISTRY_BIN`, else built with
//! `go build` into `<target>/reference-tools/referrers-registry-<hash>`
//! (the hash covers the Go sources, so edits rebuild), once per process and
//! once per machine under a lock. Each [`ReferrersRegistry`] has its own
//! port on 127.0.0.1 and its own storage directory; it is stopped by PID
//! (SIGTERM, then SIGKILL after 5 s) on [`ReferrersRegistry::stop`] or drop.

use std::ffi::OsString;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::error::{Error, Result};
use super::go_tool::{GoBuild, built_once, find_go, sources_hash, tools_dir};
use super::process::{LOG_TAIL_LINES, READY_TIMEOUT, free_port, read_log_tail};

/// Environment variable naming a prebuilt referrers-registry binary.
pub const REFERRERS_REGISTRY_BIN_ENV: &str = "ORAS_TEST_REFERRERS_REGISTRY_BIN";

/// The olareg version our `main` is built with (pinned in its `go.mod`).
pub const OLAREG_VERSION: &str = "v0.1.2";

/// How long SIGTERM gets before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Start attempts when another process takes the free port first.
const START_ATTEMPTS: usize = 3;

/// The Go program's directory in this crate.
fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("go/referrers-registry")
}

/// Returns the referrers-registry binary, building it first when missing.
///
/// # Errors
/// [`Error::GoTool`] when `ORAS_TEST_REFERRERS_REGISTRY_BIN` names no
/// executable, Go is missing or the build fails.
pub fn ensure_referrers_registry_built() -> Result<PathBuf> {
    static BUILT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    built_once(
        REFERRERS_REGISTRY_BIN_ENV,
        "referrers-registry",
        &BUILT,
        build,
    )
}

/// `go build` of our `main` unless an earlier build left it in place.
fn build() -> Result<PathBuf> {
    let dir = source_dir();
    let hash = sources_hash(&[dir.join("go.mod"), dir.join("go.sum"), dir.join("main.go")])?;
    let output = tools_dir()?.join(format!("referrers-registry-{hash}"));
    GoBuild {
        name: "referrers-registry",
        output,
        script: "cd \"$3\"; exec \"$2\" build -trimpath -o \"$1\" .",
        args: vec![OsString::from(dir)],
        goflags: "-mod=readonly",
    }
    .run()
}

/// A running olareg with the referrers API on 127.0.0.1.
pub struct ReferrersRegistry {
    child: Child,
    addr: SocketAddr,
    binary: PathBuf,
    dir: tempfile::TempDir,
    log_path: PathBuf,
    stopped: bool,
}

impl std::fmt::Debug for ReferrersRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferrersRegistry")
            .field("addr", &self.addr)
            .field("pid", &self.child.id())
            .field("dir", &self.dir.path())
            .finish()
    }
}

impl ReferrersRegistry {
    /// Builds (once) and starts a registry with the default 4 MiB referrers
    /// page limit, waiting until `GET /v2/` answers (at most 20 s).
    ///
    /// # Errors
    /// Build failures ([`Error::GoTool`]), I/O errors, and a registry that
    /// exits or does not answer in time (with its log tail).
    pub fn start() -> Result<ReferrersRegistry> {
        Self::start_inner(None)
    }

    /// Like [`ReferrersRegistry::start`], with referrers responses split
    /// into pages of at most `bytes` bytes (a few hundred bytes gives one
    /// or two descriptors a page).
    ///
    /// # Errors
    /// As [`ReferrersRegistry::start`].
    pub fn start_with_referrers_limit(bytes: u64) -> Result<ReferrersRegistry> {
        Self::start_inner(Some(bytes))
    }

    /// [`ReferrersRegistry::start`] on tokio's blocking pool.
    ///
    /// # Errors
    /// As [`ReferrersRegistry::start`].
    pub async fn start_async() -> Result<ReferrersRegistry> {
        tokio::task::spawn_blocking(Self::start)
            .await
            .map_err(|e| Error::GoTool {
                tool: "referrers-registry".into(),
                detail: format!("start-up task failed: {e}"),
            })?
    }

    fn start_inner(limit: Option<u64>) -> Result<ReferrersRegistry> {
        let binary = ensure_referrers_registry_built()?;
        let dir = tempfile::Builder::new()
            .prefix("oras-referrers-registry-")
            .tempdir()
            .map_err(|e| Error::io("creating the registry's temporary directory", e))?;
        let storage = dir.path().join("storage");
        std::fs::create_dir_all(&storage)
            .map_err(|e| Error::io(format!("creating {}", storage.display()), e))?;
        let log_path = dir.path().join("registry.log");
        let mut dir = dir;
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
            let child = spawn(&binary, addr, &storage, &log_path, limit)?;
            let mut registry = ReferrersRegistry {
                child,
                addr,
                binary: binary.clone(),
                dir,
                log_path: log_path.clone(),
                stopped: false,
            };
            match registry.wait_ready() {
                Ok(()) => return Ok(registry),
                Err(e) => {
                    let busy = registry.log_tail().contains("address already in use");
                    let _ = registry.stop_inner();
                    dir = registry.take_dir()?;
                    if !busy {
                        return Err(e);
                    }
                    last_error = Some(e);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| Error::GoTool {
            tool: "referrers-registry".into(),
            detail: "no start attempt was made".into(),
        }))
    }

    /// Moves the temporary directory out of a registry that failed to start.
    fn take_dir(mut self) -> Result<tempfile::TempDir> {
        self.stopped = true;
        let placeholder = tempfile::Builder::new()
            .prefix("oras-referrers-registry-")
            .tempdir()
            .map_err(|e| Error::io("creating the registry's temporary directory", e))?;
        Ok(std::mem::replace(&mut self.dir, placeholder))
    }

    /// Polls `GET /v2/` until it answers 200, the process exits, or
    /// [`READY_TIMEOUT`] passes.
    fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self
                .child
                .try_wait()
                .map_err(|e| Error::io("checking the referrers registry process", e))?
            {
                return Err(Error::GoTool {
                    tool: "referrers-registry".into(),
                    detail: format!(
                        "{} exited during start-up with {status}; log tail:\n{}",
                        self.binary.display(),
                        self.log_tail()
                    ),
                });
            }
            let probe = probe_v2(self.addr);
            if probe == Ok(200) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(Error::GoTool {
                    tool: "referrers-registry".into(),
                    detail: format!(
                        "not ready at http://{} within {} s (last probe: {probe:?}); log tail:\n{}",
                        self.addr,
                        READY_TIMEOUT.as_secs(),
                        self.log_tail()
                    ),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `127.0.0.1:PORT`, the registry part of references.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The binary that runs.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The storage directory (one directory per repository, OCI layouts).
    pub fn storage_dir(&self) -> PathBuf {
        self.dir.path().join("storage")
    }

    /// The registry's log file.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last lines of the registry's log.
    pub fn log_tail(&self) -> String {
        read_log_tail(&self.log_path, LOG_TAIL_LINES)
    }

    /// Stops the process (SIGTERM, SIGKILL after 5 s) and removes its
    /// directory.
    ///
    /// # Errors
    /// When the process cannot be signalled or reaped.
    pub fn stop(mut self) -> Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<()> {
        if self.stopped {
            return Ok(());
        }
        self.stopped = true;
        let pid = self.child.id();
        if self
            .child
            .try_wait()
            .map_err(|e| Error::io("checking the referrers registry process", e))?
            .is_some()
        {
            return Ok(());
        }
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if self
                .child
                .try_wait()
                .map_err(|e| Error::io("checking the referrers registry process", e))?
                .is_some()
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child
            .kill()
            .map_err(|e| Error::io(format!("killing referrers registry pid {pid}"), e))?;
        self.child
            .wait()
            .map(|_| ())
            .map_err(|e| Error::io(format!("reaping referrers registry pid {pid}"), e))
    }
}

impl Drop for ReferrersRegistry {
    fn drop(&mut self) {
        let _ = self.stop_inner();
    }
}

/// Starts the binary with its output appended to `log_path`.
fn spawn(
    binary: &Path,
    addr: SocketAddr,
    storage: &Path,
    log_path: &Path,
    limit: Option<u64>,
) -> Result<Child> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path)
        .map_err(|e| Error::io(format!("opening {}", log_path.display()), e))?;
    let log_err = log
        .try_clone()
        .map_err(|e| Error::io("duplicating the log file handle", e))?;
    let mut command = Command::new(binary);
    command
        .arg("-addr")
        .arg(addr.to_string())
        .arg("-dir")
        .arg(storage);
    if let Some(limit) = limit {
        command.arg("-referrers-limit").arg(limit.to_string());
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log_err))
        .spawn()
        .map_err(|e| Error::io(format!("starting {}", binary.display()), e))
}

/// One plain-HTTP `GET /v2/`: the status code, or why there is none. Each
/// step is bounded by 2 s.
fn probe_v2(addr: SocketAddr) -> Result<u16, String> {
    const STEP: Duration = Duration::from_secs(2);
    let mut tcp = TcpStream::connect_timeout(&addr, STEP).map_err(|e| format!("connect: {e}"))?;
    tcp.set_read_timeout(Some(STEP))
        .map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(STEP))
        .map_err(|e| e.to_string())?;
    let request = format!("GET /v2/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    let mut head = [0u8; 32];
    let mut read = 0;
    while read < 12 {
        let n = tcp
            .read(&mut head[read..])
            .map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            break;
        }
        read += n;
    }
    let text = String::from_utf8_lossy(&head[..read]);
    text.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("unparsable response {text:?}"))
}

/// Starts a referrers registry for a test, or explains why it cannot run.
///
/// With `ORAS_SKIP_REAL_REGISTRY=1` and no Go toolchain (and no prebuilt
/// binary) it prints a skip note and returns `None`; any other failure
/// panics so the test fails loudly.
///
/// # Panics
/// When the registry cannot be built or started and skipping is not allowed.
pub fn start_referrers_for_test() -> Option<ReferrersRegistry> {
    let prebuilt = std::env::var_os(REFERRERS_REGISTRY_BIN_ENV).is_some_and(|v| !v.is_empty());
    if super::skip_requested() && !prebuilt && find_go().is_none() {
        eprintln!(
            "SKIP: referrers registry tests ({}=1 and no Go toolchain)",
            super::SKIP_ENV
        );
        return None;
    }
    match ReferrersRegistry::start() {
        Ok(registry) => Some(registry),
        Err(e) => panic!("cannot start the referrers registry: {e}"),
    }
}

/// [`start_referrers_for_test`] on tokio's blocking pool, for async tests.
///
/// # Panics
/// As [`start_referrers_for_test`].
pub async fn start_referrers_for_test_async() -> Option<ReferrersRegistry> {
    match tokio::task::spawn_blocking(start_referrers_for_test).await {
        Ok(registry) => registry,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("referrers registry start-up task failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One raw HTTP/1.1 exchange: status line and headers, and the body.
    fn http(addr: SocketAddr, request: &str, body: &[u8]) -> (String, Vec<u8>) {
        let mut tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        tcp.write_all(request.as_bytes()).unwrap();
        tcp.write_all(body).unwrap();
        let mut all = Vec::new();
        tcp.read_to_end(&mut all).unwrap();
        let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        (
            String::from_utf8_lossy(&all[..split]).into_owned(),
            all[split + 4..].to_vec(),
        )
    }

    #[test]
    fn it_starts_answers_the_referrers_api_and_stops() {
        let Some(registry) = start_referrers_for_test() else {
            return;
        };
        let addr = registry.addr();
        assert!(registry.base_url().starts_with("http://127.0.0.1:"));
        // An empty manifest with a subject that does not exist yet.
        let subject = format!("sha256:{}", "a".repeat(64));
        let config = "{}";
        let config_digest = {
            let d = ring::digest::digest(&ring::digest::SHA256, config.as_bytes());
            let hex: String = d.as_ref().iter().map(|b| format!("{b:02x}")).collect();
            format!("sha256:{hex}")
        };
        let (head, _) = http(
            addr,
            &format!(
                "POST /v2/t/r/blobs/uploads/?digest={config_digest} HTTP/1.1\r\nHost: {addr}\r\n\
                 Content-Length: 2\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
            ),
            config.as_bytes(),
        );
        assert!(head.starts_with("HTTP/1.1 201"), "{head}");
        let manifest = format!(
            "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\
             \"artifactType\":\"application/x-test\",\
             \"config\":{{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"{config_digest}\",\"size\":2}},\
             \"layers\":[],\
             \"subject\":{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{subject}\",\"size\":10}}}}"
        );
        let (head, _) = http(
            addr,
            &format!(
                "PUT /v2/t/r/manifests/v1 HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n\
                 Content-Type: application/vnd.oci.image.manifest.v1+json\r\nConnection: close\r\n\r\n",
                manifest.len()
            ),
            manifest.as_bytes(),
        );
        if head.starts_with("HTTP/1.1 201") {
            assert!(
                head.to_ascii_lowercase()
                    .contains(&format!("oci-subject: {subject}")),
                "{head}"
            );
            let (head, body) = http(
                addr,
                &format!(
                    "GET /v2/t/r/referrers/{subject}?artifactType=application/x-test HTTP/1.1\r\n\
                     Host: {addr}\r\nConnection: close\r\n\r\n"
                ),
                b"",
            );
            assert!(head.starts_with("HTTP/1.1 200"), "{head}");
            assert!(
                head.to_ascii_lowercase()
                    .contains("oci-filters-applied: artifacttype"),
                "{head}"
            );
            let index: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(
                index["manifests"].as_array().map(Vec::len),
                Some(1),
                "{index}"
            );
        } else {
            panic!("manifest push refused: {head}\n{}", registry.log_tail());
        }
        let pid = registry.pid();
        registry.stop().unwrap();
        assert!(!Path::new(&format!("/proc/{pid}")).exists());
    }
}
