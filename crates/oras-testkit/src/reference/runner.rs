//! Running one scenario with one implementation: a fresh work dir, home and
//! temporary dir, the files and setup steps, then the steps with bounded
//! run times; the result is a normalised [`Observation`].

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use super::normalise::{Normalisation, Normaliser, TextKind};
use super::scenario::{Binary, RegistryMode, Scenario};
use super::snapshot;
use super::tty;
use crate::real::{Error, Result};

/// The longest one `oras` run may take before it is killed.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// The modification time given to every file and directory a scenario
/// creates, so archives of them are the same in both runs.
const FIXED_MTIME_SECS: u64 = 1_600_000_000;

/// The implementation a run is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implementation {
    /// The reference Go CLI.
    Go,
    /// This project's CLI.
    Ours,
}

impl Implementation {
    /// `go` or `rs`: the last component of the run's repository path (both
    /// two characters, so aligned output keeps its widths).
    pub fn repo_suffix(self) -> &'static str {
        match self {
            Implementation::Go => "go",
            Implementation::Ours => "rs",
        }
    }

    /// `go` or `ours`, for reports.
    pub fn label(self) -> &'static str {
        match self {
            Implementation::Go => "go",
            Implementation::Ours => "ours",
        }
    }
}

/// The two binaries under comparison.
#[derive(Debug, Clone)]
pub struct Binaries {
    /// The Go `oras`.
    pub go: PathBuf,
    /// Our `oras`.
    pub ours: PathBuf,
}

/// The registry a scenario runs against, as the runner needs it.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// `127.0.0.1:PORT` (a closed port in [`RegistryMode::None`]).
    pub host: String,
    /// The registry's filesystem storage, when there is a registry.
    pub storage_dir: Option<PathBuf>,
    /// The CA's PEM path (TLS mode).
    pub ca: Option<String>,
    /// The full user and its password.
    pub user: Option<(String, String)>,
    /// The read-only user and its password (token mode).
    pub reader: Option<(String, String)>,
    /// `127.0.0.1:PORT` where nothing listens.
    pub closed: String,
    /// `127.0.0.1:PORT` of the token server (token mode).
    pub token_server: Option<String>,
    /// The client certificate and key PEM paths (mtls mode).
    pub client_cert: Option<(String, String)>,
}

/// The normalised result of one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepObservation {
    /// The arguments as written in the scenario.
    pub args: Vec<String>,
    /// `0`, `1`, ..., `signal` or `timeout`.
    pub exit: String,
    /// Normalised standard output.
    pub stdout: String,
    /// Normalised standard error.
    pub stderr: String,
}

/// What one run of a scenario produced, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observation {
    /// One entry per step.
    pub steps: Vec<StepObservation>,
    /// Files of the work dir (`work/...`) and home (`home/...`).
    pub files: String,
    /// The run's repositories.
    pub registry: String,
}

impl Observation {
    /// The whole observation as text, for report files.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (i, step) in self.steps.iter().enumerate() {
            out.push_str(&format!(
                "=== step {} {:?}\n--- exit {}\n--- stdout\n{}\n--- stderr\n{}\n",
                i + 1,
                step.args,
                step.exit,
                step.stdout,
                step.stderr
            ));
        }
        out.push_str(&format!(
            "=== files\n{}\n=== registry\n{}\n",
            self.files, self.registry
        ));
        out
    }
}

/// Runs `scenario` with `implementation` in a fresh directory.
///
/// # Errors
/// [`Error::Scenario`] when a setup step fails; I/O errors.
pub fn run_scenario(
    scenario: &Scenario,
    implementation: Implementation,
    binaries: &Binaries,
    target: &Target,
) -> Result<Observation> {
    let root = tempfile::Builder::new()
        .prefix("oras-diff-")
        .tempdir()
        .map_err(|e| Error::io("creating a run directory", e))?;
    let root_path = root.path().to_path_buf();
    let work = root_path.join("work");
    let home = root_path.join("home");
    let tmp = root_path.join("tmp");
    for dir in [&work, &home.join(".docker"), &tmp] {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    }
    let repo_path = format!("diff/{}/{}", scenario.name, implementation.repo_suffix());
    let text = |p: &Path| p.to_string_lossy().into_owned();
    let (user, password) = target.user.clone().unwrap_or_default();
    let (reader_user, reader_password) = target.reader.clone().unwrap_or_default();
    let ca = target.ca.clone().unwrap_or_default();
    let (client_cert, client_key) = target.client_cert.clone().unwrap_or_default();
    let forward: Vec<(&str, String)> = vec![
        ("{repo}", format!("{}/{repo_path}", target.host)),
        ("{repo_path}", repo_path.clone()),
        ("{registry}", target.host.clone()),
        ("{workdir}", text(&work)),
        ("{layout}", text(&work.join("layout"))),
        ("{home}", text(&home)),
        ("{tmp}", text(&tmp)),
        ("{ca}", ca.clone()),
        ("{client_cert}", client_cert.clone()),
        ("{client_key}", client_key.clone()),
        ("{user}", user.clone()),
        ("{password}", password.clone()),
        ("{reader_user}", reader_user),
        ("{reader_password}", reader_password.clone()),
        ("{closed}", target.closed.clone()),
    ];
    let substitute = |s: &str| {
        let mut out = s.to_owned();
        for (key, value) in &forward {
            if out.contains(key) {
                out = out.replace(key, value);
            }
        }
        out
    };
    let normalisation = Normalisation::new(
        vec![
            (text(&work), "{workdir}".into()),
            (text(&home), "{home}".into()),
            (text(&tmp), "{tmp}".into()),
            (text(&root_path), "{root}".into()),
            (repo_path.clone(), "{repo_path}".into()),
            (target.host.clone(), "{registry}".into()),
            (ca, "{ca}".into()),
            (client_cert, "{client_cert}".into()),
            (client_key, "{client_key}".into()),
            (password, "{password}".into()),
            (reader_password, "{reader_password}".into()),
            (target.closed.clone(), "{closed}".into()),
            (
                target.token_server.clone().unwrap_or_default(),
                "{token_server}".into(),
            ),
        ],
        &scenario.normalise,
    );

    create_files(scenario, &work, &substitute)?;

    let env: Vec<(String, PathBuf)> = vec![
        ("HOME".into(), home.clone()),
        ("DOCKER_CONFIG".into(), home.join(".docker")),
        ("TMPDIR".into(), tmp.clone()),
    ];
    for args in &scenario.setup {
        let args: Vec<String> = args.iter().map(|a| substitute(a)).collect();
        let raw = execute(&binaries.go, &args, &work, &env, &[], &[], STEP_TIMEOUT)?;
        if raw.exit != "0" {
            return Err(Error::Scenario {
                context: scenario.name.clone(),
                detail: format!(
                    "setup step {args:?} exited with {}: {}",
                    raw.exit,
                    String::from_utf8_lossy(&raw.stderr).trim()
                ),
            });
        }
    }

    let mut observation = Observation::default();
    for step in &scenario.steps {
        let program = match (step.binary, implementation) {
            (Binary::Go, _) | (Binary::Both, Implementation::Go) => &binaries.go,
            (Binary::Ours, _) | (Binary::Both, Implementation::Ours) => &binaries.ours,
        };
        let args: Vec<String> = step.args.iter().map(|a| substitute(a)).collect();
        let extra: Vec<(String, String)> = step
            .env
            .iter()
            .map(|(k, v)| (k.clone(), substitute(v)))
            .collect();
        let stdin = step.stdin.as_deref().map(&substitute).unwrap_or_default();
        let raw = if scenario.tty {
            run_on_terminal(program, &args, &work, &env, &extra, &root_path)?
        } else {
            execute(
                program,
                &args,
                &work,
                &env,
                &extra,
                stdin.as_bytes(),
                STEP_TIMEOUT,
            )?
        };
        observation.steps.push(StepObservation {
            args: step.args.clone(),
            exit: raw.exit,
            stdout: normalisation.apply(&String::from_utf8_lossy(&raw.stdout), TextKind::Stream),
            stderr: normalisation.apply(&String::from_utf8_lossy(&raw.stderr), TextKind::Stream),
        });
    }

    let mut files = Vec::new();
    for (label, dir) in [("work", &work), ("home", &home)] {
        let sort_indexes = scenario.normalise.contains(&Normaliser::IndexOrder);
        for line in snapshot::files(dir, sort_indexes)?.lines() {
            let (kind, rest) = line.split_at(line.find(' ').unwrap_or(0));
            let rest = rest.trim_start();
            // Keep the kind and mode first, then prefix the path.
            let line = match kind {
                "l" => format!("l {label}/{rest}"),
                _ => match rest.split_once(' ') {
                    Some((mode, tail)) => format!("{kind} {mode} {label}/{tail}"),
                    None => format!("{kind} {label}/{rest}"),
                },
            };
            files.push(line);
        }
    }
    observation.files = normalisation.apply(&files.join("\n"), TextKind::Snapshot);
    if let (Some(storage), false) = (&target.storage_dir, scenario.registry == RegistryMode::None) {
        observation.registry = normalisation.apply(
            &snapshot::registry(storage, &repo_path)?,
            TextKind::Snapshot,
        );
    }
    drop(root);
    Ok(observation)
}

/// Creates the scenario's directories and files with fixed times.
fn create_files(
    scenario: &Scenario,
    work: &Path,
    substitute: &dyn Fn(&str) -> String,
) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let io = |what: &str, path: &Path, e| Error::io(format!("{what} {}", path.display()), e);
    for dir in &scenario.dirs {
        let path = work.join(dir);
        std::fs::create_dir_all(&path).map_err(|e| io("creating", &path, e))?;
    }
    for file in &scenario.files {
        let path = work.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io("creating", parent, e))?;
        }
        if let Some(target) = &file.symlink {
            std::os::unix::fs::symlink(target, &path).map_err(|e| io("linking", &path, e))?;
            continue;
        }
        let content = substitute(&file.content).repeat(file.repeat.unwrap_or(1));
        std::fs::write(&path, content).map_err(|e| io("writing", &path, e))?;
        let mode = file.mode.unwrap_or(0o644);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| io("chmod", &path, e))?;
    }
    // Files first, then directories deepest first (creating an entry
    // changes its directory's time).
    let fixed = SystemTime::UNIX_EPOCH + Duration::from_secs(FIXED_MTIME_SECS);
    let mut paths = Vec::new();
    collect(work, &mut paths);
    paths.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    paths.push(work.to_path_buf());
    for path in paths {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            // std cannot set a link's own times; archives record them.
            let status = Command::new("touch")
                .arg("-h")
                .arg("-d")
                .arg(format!("@{FIXED_MTIME_SECS}"))
                .arg(&path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map_err(|e| io("running touch -h on", &path, e))?;
            if !status.success() {
                return Err(Error::Scenario {
                    context: scenario.name.clone(),
                    detail: format!("touch -h {} exited with {status}", path.display()),
                });
            }
            continue;
        }
        let file = std::fs::File::open(&path).map_err(|e| io("opening", &path, e))?;
        file.set_times(
            std::fs::FileTimes::new()
                .set_modified(fixed)
                .set_accessed(fixed),
        )
        .map_err(|e| io("setting times of", &path, e))?;
    }
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            collect(&path, out);
        }
        out.push(path);
    }
}

/// Runs `program args` with standard error on a pseudo-terminal (see
/// [`tty`]); the result's `stderr` is the terminal's final screen, its
/// `stdout` what the program wrote to standard output.
fn run_on_terminal(
    program: &Path,
    args: &[String],
    cwd: &Path,
    env: &[(String, PathBuf)],
    extra: &[(String, String)],
    root: &Path,
) -> Result<Raw> {
    let stdout = root.join("tty-stdout");
    let _ = std::fs::remove_file(&stdout);
    let (script, script_args) = tty::command_line(&tty::script_binary()?, program, args, &stdout);
    let mut extra = extra.to_vec();
    extra.extend(tty::environment());
    let raw = execute(&script, &script_args, cwd, env, &extra, b"", STEP_TIMEOUT)?;
    Ok(Raw {
        exit: raw.exit,
        stdout: std::fs::read(&stdout).unwrap_or_default(),
        stderr: tty::final_screen(&raw.stdout).into_bytes(),
    })
}

/// The raw result of one process.
struct Raw {
    exit: String,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `program args` in `cwd` with a clean environment (`PATH` plus
/// `env` and `extra`), `stdin` on standard input, killed after `timeout`.
fn execute(
    program: &Path,
    args: &[String],
    cwd: &Path,
    env: &[(String, PathBuf)],
    extra: &[(String, String)],
    stdin: &[u8],
    timeout: Duration,
) -> Result<Raw> {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    for (key, value) in extra {
        command.env(key, value);
    }
    let mut child = command
        .spawn()
        .map_err(|e| Error::io(format!("starting {}", program.display()), e))?;
    let input = stdin.to_vec();
    let writer = child.stdin.take().map(|mut pipe| {
        std::thread::spawn(move || {
            // A process that exits without reading gives a broken pipe.
            let _ = pipe.write_all(&input);
        })
    });
    let reader = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = reader(child.stdout.take().map(|p| Box::new(p) as _));
    let err = reader(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(Error::io(format!("waiting for {}", program.display()), e)),
        }
    };
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let exit = match status {
        None => "timeout".to_owned(),
        Some(status) => match status.code() {
            Some(code) => code.to_string(),
            None => "signal".to_owned(),
        },
    };
    Ok(Raw {
        exit,
        stdout,
        stderr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execute_captures_streams_and_bounds_time() {
        let dir = tempfile::tempdir().unwrap();
        let sh = Path::new("/bin/sh");
        let args = |s: &str| vec!["-c".to_owned(), s.to_owned()];
        let raw = execute(
            sh,
            &args("cat; echo err >&2; exit 3"),
            dir.path(),
            &[],
            &[],
            b"in",
            STEP_TIMEOUT,
        )
        .unwrap();
        assert_eq!(raw.exit, "3");
        assert_eq!(raw.stdout, b"in");
        assert_eq!(raw.stderr, b"err\n");
        let raw = execute(
            sh,
            &args("exec sleep 5"),
            dir.path(),
            &[],
            &[],
            b"",
            Duration::from_millis(200),
        )
        .unwrap();
        assert_eq!(raw.exit, "timeout");
    }
}
