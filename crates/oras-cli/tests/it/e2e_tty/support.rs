//! An isolated environment for the `oras` binary (its own working
//! directory, `HOME` and `DOCKER_CONFIG`, no cache or proxy variables) and
//! bounded runs: plain pipes, or stderr on a pseudo-terminal through
//! util-linux `script`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The longest any single `oras` run may take.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_secs(90);

/// Width and height of the pseudo-terminal.
pub(crate) const TTY_COLS: usize = 160;
/// Height of the pseudo-terminal (enough for every bar of these tests).
pub(crate) const TTY_ROWS: usize = 60;

/// What a finished run left behind.
#[derive(Debug)]
pub(crate) struct Output {
    /// Exit status.
    pub(crate) status: ExitStatus,
    /// Bytes written to stdout.
    pub(crate) stdout: Vec<u8>,
    /// Bytes written to stderr (under a pty: everything the terminal got).
    pub(crate) stderr: Vec<u8>,
}

impl Output {
    /// stdout as text.
    pub(crate) fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// stderr as text.
    pub(crate) fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Panics with both streams unless the run succeeded.
    pub(crate) fn success(self, what: &str) -> Self {
        assert!(
            self.status.success(),
            "{what} failed ({})\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.out(),
            self.err()
        );
        self
    }
}

/// A working directory with its own `HOME` and Docker config.
pub(crate) struct Env {
    dir: TempDir,
}

impl Env {
    /// A fresh environment.
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home/.docker")).unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        Env { dir }
    }

    /// A path inside the working directory.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join("work").join(name)
    }

    /// Writes `content` to `name` (parents created).
    pub(crate) fn write(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
        path
    }

    /// Writes `size` pseudo-random (incompressible, deterministic) bytes.
    pub(crate) fn write_random(&self, name: &str, size: usize) -> PathBuf {
        let mut data = Vec::with_capacity(size);
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ size as u64;
        while data.len() < size {
            // xorshift64*
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            data.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
        }
        data.truncate(size);
        self.write(name, &data)
    }

    /// Reads `name`.
    pub(crate) fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// A command in this environment (working directory, `HOME`, no
    /// `ORAS_CACHE`, proxies or log filters).
    pub(crate) fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.path(""))
            .env("HOME", self.home())
            .env("DOCKER_CONFIG", self.home().join(".docker"))
            .env("TERM", "xterm-256color")
            .env_remove("ORAS_CACHE")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("RUST_LOG")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `oras args…` with stdout and stderr on pipes (not terminals).
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.command(env!("CARGO_BIN_EXE_oras"));
        cmd.args(args);
        run_bounded(cmd, &format!("oras {args:?}"))
    }

    /// Runs `oras args…` and returns stdout; the run must succeed.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        self.run(args).success(&format!("oras {args:?}")).out()
    }

    /// Runs `oras args…` with stderr (and stdin) on a pseudo-terminal of
    /// [`TTY_COLS`]×[`TTY_ROWS`] and stdout redirected to a file, so only
    /// stderr is a terminal, as when a user pipes `oras` into another
    /// program. The returned `stderr` is the raw terminal stream.
    ///
    /// # Panics
    /// When util-linux `script` is not installed.
    pub(crate) fn run_tty(&self, args: &[&str]) -> Output {
        let script = script_binary();
        let stdout_file = self.dir.path().join("tty-stdout");
        let _ = std::fs::remove_file(&stdout_file);
        let mut line = format!(
            "stty cols {TTY_COLS} rows {TTY_ROWS} 2>/dev/null; exec {}",
            shell_quote(env!("CARGO_BIN_EXE_oras"))
        );
        for arg in args {
            line.push(' ');
            line.push_str(&shell_quote(arg));
        }
        line.push_str(" >");
        line.push_str(&shell_quote(&stdout_file.to_string_lossy()));
        // -q: no start/done banners; -e: the child's exit status;
        // -f: flush as output arrives; -c: the command; /dev/null: no
        // typescript file. script's own stdout is the terminal stream.
        let mut cmd = self.command(script);
        cmd.args(["-qefc", &line, "/dev/null"]);
        let run = run_bounded(cmd, &format!("script oras {args:?}"));
        Output {
            status: run.status,
            stdout: std::fs::read(&stdout_file).unwrap_or_default(),
            stderr: run.stdout,
        }
    }
}

/// util-linux `script`, which runs a command on a new pseudo-terminal.
///
/// # Panics
/// When it is missing, with how to install it.
pub(crate) fn script_binary() -> PathBuf {
    for dir in ["/usr/bin", "/bin", "/usr/local/bin"] {
        let path = Path::new(dir).join("script");
        if path.is_file() {
            return path;
        }
    }
    panic!(
        "util-linux `script` is required to run oras under a pseudo-terminal; \
         install it (Debian: `apt-get install bsdutils`)"
    );
}

/// Quotes `s` for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Runs `cmd` with piped output, killing it after [`COMMAND_TIMEOUT`].
pub(crate) fn run_bounded(mut cmd: Command, what: &str) -> Output {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_bounded(&mut child, COMMAND_TIMEOUT)
        .unwrap_or_else(|| panic!("{what} did not finish within {COMMAND_TIMEOUT:?}"));
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// Reads a pipe to its end on a thread, so a full pipe never blocks the child.
pub(crate) fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buf);
        }
        buf
    })
}

/// Waits for `child` at most `limit`; on timeout kills it and returns `None`.
pub(crate) fn wait_bounded(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The JSON in `text`.
pub(crate) fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The value of the `Digest: ` line of a summary.
pub(crate) fn digest_of(summary: &str) -> String {
    summary
        .lines()
        .find_map(|l| l.strip_prefix("Digest: "))
        .unwrap_or_else(|| panic!("no digest in:\n{summary}"))
        .to_owned()
}

/// The first 12 hex digits of a `sha256:` digest (Go `ShortDigest`).
pub(crate) fn short(digest: &str) -> &str {
    &digest.trim_start_matches("sha256:")[..12]
}

/// `sha256:<hex>` of `data`.
pub(crate) fn sha256(data: &[u8]) -> String {
    let desc = oras_spec::Descriptor::from_bytes("a/b", data);
    desc.digest.to_string()
}
