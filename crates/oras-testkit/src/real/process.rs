//! The registry process: spawn with its output in a log file, poll
//! `GET /v2/` until ready, stop by PID (SIGTERM, then SIGKILL).

use std::io::{Read as _, Seek as _, SeekFrom};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::error::{Error, Result};
use super::install::tail_lines;

/// How long a start-up may take before [`Error::NotReady`].
pub(crate) const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// How long SIGTERM gets before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Lines of log kept in error messages.
pub(crate) const LOG_TAIL_LINES: usize = 40;

/// A running `docker-registry serve CONFIG`.
pub(crate) struct RegistryProcess {
    child: Child,
    binary: PathBuf,
    log_path: PathBuf,
}

impl RegistryProcess {
    /// Starts `binary serve config` with stdout and stderr appended to
    /// `log_path`. `REGISTRY_*` variables are removed from its environment:
    /// distribution reads them as config overrides (`REGISTRY_HTTP_ADDR`, ...).
    pub(crate) fn spawn(
        binary: &Path,
        config: &Path,
        work_dir: &Path,
        log_path: &Path,
    ) -> Result<Self> {
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
            .arg("serve")
            .arg(config)
            .current_dir(work_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("REGISTRY_") {
                command.env_remove(key);
            }
        }
        let child = command
            .spawn()
            .map_err(|e| Error::io(format!("starting {} serve", binary.display()), e))?;
        Ok(RegistryProcess {
            child,
            binary: binary.to_path_buf(),
            log_path: log_path.to_path_buf(),
        })
    }

    /// The operating-system process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Polls `GET /v2/` on `addr` until it answers 200 or 401, the process
    /// exits, or [`READY_TIMEOUT`] passes.
    pub(crate) fn wait_ready(
        &mut self,
        addr: SocketAddr,
        tls: Option<&Arc<rustls::ClientConfig>>,
    ) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self.exit_status()? {
                return Err(Error::Exited {
                    binary: self.binary.clone(),
                    status: status.to_string(),
                    log_tail: self.log_tail(),
                });
            }
            let last_probe = match probe_v2(addr, tls) {
                Ok(200 | 401) => return Ok(()),
                Ok(code) => format!("HTTP {code}"),
                Err(e) => e,
            };
            if Instant::now() >= deadline {
                let scheme = if tls.is_some() { "https" } else { "http" };
                return Err(Error::NotReady {
                    url: format!("{scheme}://{addr}"),
                    seconds: READY_TIMEOUT.as_secs(),
                    last_probe,
                    log_tail: self.log_tail(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `Some(status)` once the process has exited.
    fn exit_status(&mut self) -> Result<Option<ExitStatus>> {
        self.child
            .try_wait()
            .map_err(|e| Error::io("checking the registry process", e))
    }

    /// The last lines of the registry's output.
    pub(crate) fn log_tail(&self) -> String {
        read_log_tail(&self.log_path, LOG_TAIL_LINES)
    }

    /// SIGTERM, wait up to [`STOP_GRACE`], then SIGKILL; reaps the child.
    /// Safe to call more than once.
    pub(crate) fn stop(&mut self) -> Result<()> {
        if self.exit_status()?.is_some() {
            return Ok(());
        }
        self.terminate();
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if self.exit_status()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill()
    }
}

impl RegistryProcess {
    /// SIGKILL at once, no grace, then reaps the child: a crash, for fault
    /// tests. Safe to call on a process that already exited.
    pub(crate) fn kill(&mut self) -> Result<()> {
        if self.exit_status()?.is_some() {
            return Ok(());
        }
        self.child
            .kill()
            .map_err(|e| Error::io(format!("killing registry pid {}", self.pid()), e))?;
        self.child
            .wait()
            .map(|_| ())
            .map_err(|e| Error::io(format!("reaping registry pid {}", self.pid()), e))
    }

    /// Sends SIGTERM. std offers only SIGKILL; running `kill -TERM PID`
    /// avoids an unsafe libc call.
    fn terminate(&self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for RegistryProcess {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// The last `lines` lines of the file at `path` (reading at most its last
/// 64 KiB), or a note saying why there are none.
pub(crate) fn read_log_tail(path: &Path, lines: usize) -> String {
    const MAX: u64 = 64 * 1024;
    let read = || -> std::io::Result<String> {
        let mut file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(len.saturating_sub(MAX)))?;
        let mut bytes = Vec::new();
        file.take(MAX).read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    match read() {
        Ok(text) if text.trim().is_empty() => "(log is empty)".to_string(),
        Ok(text) => tail_lines(&text, lines),
        Err(e) => format!("(no log at {}: {e})", path.display()),
    }
}

/// A port on 127.0.0.1 that was free a moment ago. The registry binds it
/// itself, so another process may win the race; start-up retries on
/// "address already in use".
pub(crate) fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::io("finding a free port on 127.0.0.1", e))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Error::io("reading a free port", e))
}

/// One `GET /v2/` over HTTP/1.1 (TLS when `tls` is given): the status
/// code, or why there is none. Every step is bounded by a 2 s timeout.
fn probe_v2(addr: SocketAddr, tls: Option<&Arc<rustls::ClientConfig>>) -> Result<u16, String> {
    const STEP: Duration = Duration::from_secs(2);
    let tcp = TcpStream::connect_timeout(&addr, STEP).map_err(|e| format!("connect: {e}"))?;
    tcp.set_read_timeout(Some(STEP))
        .map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(STEP))
        .map_err(|e| e.to_string())?;
    let request = format!("GET /v2/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let head = match tls {
        None => exchange(tcp, &request)?,
        Some(config) => {
            let name = rustls_pki_types::ServerName::from(addr.ip());
            let connection = rustls::ClientConnection::new(config.clone(), name)
                .map_err(|e| format!("tls: {e}"))?;
            exchange(rustls::StreamOwned::new(connection, tcp), &request)?
        }
    };
    parse_status(&head).ok_or_else(|| format!("unparsable response {head:?}"))
}

/// Writes `request` and reads up to the end of the status line.
fn exchange(
    mut stream: impl std::io::Read + std::io::Write,
    request: &str,
) -> Result<String, String> {
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 512];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 4096 {
        let n = stream.read(&mut buf).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// The code of an `HTTP/1.x NNN reason` status line.
fn parse_status(head: &str) -> Option<u16> {
    let line = head.lines().next()?;
    let mut parts = line.split_whitespace();
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_parse() {
        assert_eq!(parse_status("HTTP/1.1 401 Unauthorized\r\n"), Some(401));
        assert_eq!(parse_status("HTTP/1.0 200 OK"), Some(200));
        assert_eq!(parse_status("garbage"), None);
        assert_eq!(parse_status(""), None);
    }

    #[test]
    fn log_tail_reads_the_end_or_explains() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        assert!(read_log_tail(&path, 3).starts_with("(no log at"));
        std::fs::write(&path, "").unwrap();
        assert_eq!(read_log_tail(&path, 3), "(log is empty)");
        let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, text).unwrap();
        assert_eq!(read_log_tail(&path, 2), "line 98\nline 99");
    }

    #[test]
    fn free_ports_are_nonzero() {
        assert_ne!(free_port().unwrap(), 0);
    }
}
