//! A sandbox for `oras` processes that are killed, run side by side or
//! measured: a temporary working directory with its own `HOME`,
//! `DOCKER_CONFIG` and `TMPDIR`, no proxies and no cache; plus the
//! artifact files the scenarios push and the rounds of kills.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use oras_spec::Digest;
use oras_testkit::crash::KillClock;

/// The longest any `oras` run that is not killed may take.
pub(crate) const COMMAND_LIMIT: Duration = Duration::from_secs(90);

/// The size of the large file of the crash scenarios.
pub(crate) const BIG: usize = 40 << 20;

/// An isolated working directory for `oras`.
pub(crate) struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// A fresh sandbox.
    pub(crate) fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["home/.docker", "tmp", "work"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Sandbox { dir }
    }

    /// A path in the working directory.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join("work").join(name)
    }

    /// Writes `data` to `name` in the working directory (parents made).
    pub(crate) fn write(&self, name: &str, data: &[u8]) {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }

    /// `oras args…` in the working directory, isolated, with no stdin.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_oras"));
        command
            .args(args)
            .current_dir(self.dir.path().join("work"))
            .env("HOME", self.dir.path().join("home"))
            .env("DOCKER_CONFIG", self.dir.path().join("home/.docker"))
            .env("TMPDIR", self.dir.path().join("tmp"))
            .env("NO_PROXY", "*")
            .env_remove("ORAS_CACHE")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        command
    }

    /// Runs `oras args…` to the end (bounded) and returns its output.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        let child = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_output(child, Instant::now() + COMMAND_LIMIT, args)
    }

    /// Runs `oras args…`, which must succeed; returns stdout.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "oras {args:?} failed ({:?})\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// How long `oras args…` takes when not killed (it must succeed).
    pub(crate) fn timed_ok(&self, args: &[&str]) -> Duration {
        let started = Instant::now();
        self.ok(args);
        started.elapsed()
    }

    /// Starts `oras args…` and kills it with SIGKILL after `delay` unless
    /// it ended before; true when it was killed while running.
    pub(crate) fn run_killed(&self, args: &[&str], delay: Duration) -> bool {
        let mut child = self
            .command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + delay;
        // Polling the child: its end is the event, the delay the bound.
        while Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let killed = child.try_wait().unwrap().is_none();
        // Child::kill sends SIGKILL on Unix.
        let _ = child.kill();
        child.wait().unwrap();
        killed
    }
}

/// Waits for `child` until `deadline` (killing it past that) and
/// collects its output. Its pipes are drained by threads meanwhile, so a
/// child writing more than a pipe holds does not block.
pub(crate) fn wait_output(mut child: Child, deadline: Instant, args: &[&str]) -> Output {
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("oras {args:?} did not end in time");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// `&str`s of `args`.
pub(crate) fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// `len` bytes that differ with `salt` (not compressible by accident:
/// every 4 bytes a multiplicative hash of their position).
pub(crate) fn content(len: usize, salt: u32) -> Vec<u8> {
    let mut data = Vec::with_capacity(len + 4);
    let mut i: u32 = salt.wrapping_mul(0x9e37_79b9);
    while data.len() < len {
        i = i.wrapping_add(1);
        data.extend_from_slice(&i.wrapping_mul(2_654_435_761).to_le_bytes());
    }
    data.truncate(len);
    data
}

/// The files of the crash scenarios' artifact: a large file, small
/// files and a directory (pushed as a tar+gzip layer); relative path →
/// content.
pub(crate) fn artifact_files(salt: u32) -> BTreeMap<String, Vec<u8>> {
    BTreeMap::from([
        ("big.bin".to_owned(), content(BIG, salt)),
        ("a.txt".to_owned(), format!("small a {salt}\n").into_bytes()),
        ("b.txt".to_owned(), format!("small b {salt}\n").into_bytes()),
        ("tree/x.txt".to_owned(), b"in the tree\n".to_vec()),
        ("tree/sub/y.bin".to_owned(), content(1 << 20, salt + 1)),
    ])
}

/// The arguments naming the artifact's files for `oras push`: the files
/// at the top and the directory `tree`.
pub(crate) const PUSHED_NAMES: [&str; 4] = ["big.bin", "a.txt", "b.txt", "tree"];

/// Writes `files` under `dir/` in the sandbox.
pub(crate) fn write_files(sandbox: &Sandbox, dir: &str, files: &BTreeMap<String, Vec<u8>>) {
    for (name, data) in files {
        sandbox.write(&format!("{dir}/{name}"), data);
    }
}

/// The digests of `files`, by relative path.
pub(crate) fn digests(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<PathBuf, Digest> {
    files
        .iter()
        .map(|(name, data)| (PathBuf::from(name), Digest::sha256(data)))
        .collect()
}

/// Whether `name` is a temp file of the file store (`.oras_file_*`
/// beside its target, `oras_file_*` in the temp directory).
pub(crate) fn is_file_store_temp(name: &str) -> bool {
    name.starts_with(".oras_file_") || name.starts_with("oras_file_")
}

/// Panics unless `dir` holds every one of `files`, complete.
pub(crate) fn assert_all_files(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    let complete =
        oras_testkit::crash::check_no_partial_files(dir, &digests(files), is_file_store_temp)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    assert_eq!(complete.len(), files.len(), "files missing: {complete:?}");
}

/// Kill rounds of one command: a clock and the bounds of its kill times.
pub(crate) struct Rounds {
    clock: KillClock,
    full: Duration,
    /// Rounds whose process was killed while running.
    pub(crate) kills: usize,
}

impl Rounds {
    /// Rounds for a command that takes `full` when not killed.
    pub(crate) fn new(full: Duration) -> Rounds {
        eprintln!("a full run takes {full:?}");
        Rounds {
            clock: KillClock::from_env(),
            full,
            kills: 0,
        }
    }

    /// Runs `args` in `sandbox` and kills it at a random point of a full
    /// run (from a twentieth of it to all of it).
    pub(crate) fn kill(&mut self, sandbox: &Sandbox, args: &[&str]) {
        let delay = self.clock.between(self.full / 20, self.full);
        let killed = sandbox.run_killed(args, delay);
        eprintln!("killed after {delay:?}: {killed}");
        self.kills += usize::from(killed);
    }

    /// Panics unless at least one round killed its process mid-way (the
    /// scenario would show nothing otherwise).
    pub(crate) fn assert_some_killed(&self) {
        eprintln!("{} rounds killed while running", self.kills);
        assert!(
            self.kills > 0,
            "no round was killed while running (seed {})",
            self.clock.seed()
        );
    }
}

/// Checks a layout a killed `oras` wrote to and returns its tags. A
/// layout that was not written yet (no `index.json`: killed before the
/// first write) is fine when `existed` is false.
pub(crate) fn check_layout_after_kill(layout: &Path, existed: bool) -> Vec<String> {
    if !existed && !layout.join("index.json").exists() {
        return Vec::new();
    }
    oras_testkit::crash::check_layout(layout)
        .unwrap_or_else(|e| panic!("{} after a kill: {e}", layout.display()))
}

/// Starts the real registry (Distribution, plain HTTP), or `None` when
/// skipping is allowed and it is missing.
pub(crate) fn registry() -> Option<oras_testkit::real::RealRegistry> {
    oras_testkit::real::start_for_test(oras_testkit::real::Mode::Plain)
}

/// [`registry`] with its storage on the tmpfs `/dev/shm` when that has
/// at least 1 GiB free, for tests that make tens of thousands of small
/// files: a busy disk takes minutes to create and remove them.
pub(crate) fn registry_on_tmpfs() -> Option<oras_testkit::real::RealRegistry> {
    let tmpfs = Path::new("/dev/shm");
    if free_kib(tmpfs).is_some_and(|kib| kib >= 1 << 20) {
        oras_testkit::real::start_for_test_in(oras_testkit::real::Mode::Plain, tmpfs)
    } else {
        registry()
    }
}

/// The free space of the filesystem holding `path`, from `df -Pk`.
fn free_kib(path: &Path) -> Option<u64> {
    let out = Command::new("df").arg("-Pk").arg(path).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    // POSIX format: a header, then `fs blocks used available capacity mount`.
    text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()
}

/// Pushes the artifact's files (written to `dir/` first) to `reference`
/// over plain HTTP; returns the files.
pub(crate) fn push_artifact(
    sandbox: &Sandbox,
    dir: &str,
    salt: u32,
    reference: &str,
) -> BTreeMap<String, Vec<u8>> {
    let files = artifact_files(salt);
    write_files(sandbox, dir, &files);
    let mut args = vec!["push", "--plain-http", reference];
    args.extend(PUSHED_NAMES);
    let mut command = sandbox.command(&args);
    command.current_dir(sandbox.path(dir));
    let out = wait_output(
        command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
        Instant::now() + COMMAND_LIMIT,
        &args,
    );
    assert!(
        out.status.success(),
        "oras {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    files
}
