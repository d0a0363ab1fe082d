//! Running one tool once and measuring it.
//!
//! Every run is the command under GNU time, in a process group of its
//! own: `oras_testkit::measure` wraps it and reads the child's user and
//! system CPU and its peak RSS (from `wait4`'s `rusage`: the whole
//! process, every thread; the same measure the load tests of the CLI
//! use). Wall time is taken by the harness with `Instant` around
//! the command (GNU time's `%e` has only 10 ms resolution); it includes
//! GNU time's own start-up, measured on `true` and printed as the wrapper
//! overhead. A watchdog thread kills the whole process group (`kill -KILL
//! -- -PGID`) when a run exceeds its time limit, so no run hangs the
//! harness and no tool outlives it.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use oras_testkit::measure;

use super::stats::Sample;

pub(crate) use oras_testkit::measure::GNU_TIME;

/// Lines of stderr kept when a run fails.
const STDERR_TAIL_LINES: usize = 12;

/// One command to measure.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    /// The program.
    pub(crate) program: PathBuf,
    /// Its arguments.
    pub(crate) args: Vec<String>,
    /// Its working directory.
    pub(crate) cwd: PathBuf,
    /// Extra environment variables.
    pub(crate) env: Vec<(String, String)>,
    /// Killed after this long.
    pub(crate) timeout: Duration,
}

impl Invocation {
    /// The command line, for logs.
    pub(crate) fn display(&self) -> String {
        let mut shown = vec![self.program.display().to_string()];
        for arg in &self.args {
            shown.push(arg.clone());
            if shown.len() > 12 {
                shown.push(format!("… ({} arguments)", self.args.len()));
                break;
            }
        }
        shown.join(" ")
    }
}

/// The last `n` non-empty lines of `text`, each cut at 300 characters.
pub(crate) fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|line| line.chars().take(300).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `invocation` once under GNU time; `work` receives its output
/// files. A failure is described with the exit status and stderr's tail.
pub(crate) fn run(invocation: &Invocation, work: &Path) -> Result<Sample, String> {
    let time_file = work.join("time.txt");
    let stdout_file = work.join("stdout.txt");
    let stderr_file = work.join("stderr.txt");
    let _ = std::fs::remove_file(&time_file);
    let open = |path: &Path| {
        std::fs::File::create(path).map_err(|e| format!("creating {}: {e}", path.display()))
    };
    let mut tool = Command::new(&invocation.program);
    tool.args(&invocation.args)
        .current_dir(&invocation.cwd)
        .envs(invocation.env.iter().map(|(k, v)| (k, v)));
    let mut command = measure::under_gnu_time(&tool, &time_file);
    command
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(open(&stdout_file)?)
        .stderr(open(&stderr_file)?);
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", invocation.display()))?;
    let group = child.id();
    let (finished, watch) = mpsc::channel::<()>();
    let limit = invocation.timeout;
    let watchdog = std::thread::spawn(move || {
        let expired = matches!(
            watch.recv_timeout(limit),
            Err(mpsc::RecvTimeoutError::Timeout)
        );
        if expired {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .status();
        }
        expired
    });
    let status = child.wait();
    let wall = started.elapsed();
    let _ = finished.send(());
    let timed_out = watchdog.join().unwrap_or(false);
    let status = status.map_err(|e| format!("waiting for {}: {e}", invocation.display()))?;
    let stderr = std::fs::read_to_string(&stderr_file).unwrap_or_default();
    let stdout = std::fs::read_to_string(&stdout_file).unwrap_or_default();
    let output_tail = || {
        let text = if stderr.trim().is_empty() {
            &stdout
        } else {
            &stderr
        };
        tail(text, STDERR_TAIL_LINES)
    };
    if timed_out {
        return Err(format!(
            "timed out after {} s: {}\n{}",
            invocation.timeout.as_secs(),
            invocation.display(),
            output_tail()
        ));
    }
    let measured = measure::read_report(&time_file);
    match measured {
        Ok(time) if time.exit == 0 && status.success() => Ok(Sample {
            wall: wall.as_secs_f64(),
            user: time.user,
            sys: time.sys,
            max_rss_kib: time.max_rss_kib,
        }),
        Ok(time) => Err(format!(
            "exit status {}: {}\n{}",
            time.exit,
            invocation.display(),
            output_tail()
        )),
        Err(why) => Err(format!(
            "{status} ({why}): {}\n{}",
            invocation.display(),
            output_tail()
        )),
    }
}

/// The median wall time of `runs` runs of `true` under GNU time: what
/// the wrapper adds to every wall time.
pub(crate) fn overhead(work: &Path, runs: usize) -> Option<f64> {
    let invocation = Invocation {
        program: PathBuf::from("true"),
        args: Vec::new(),
        cwd: work.to_path_buf(),
        env: Vec::new(),
        timeout: Duration::from_secs(10),
    };
    let walls: Vec<f64> = (0..runs)
        .filter_map(|_| run(&invocation, work).ok())
        .map(|s| s.wall)
        .collect();
    super::stats::median(&walls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_non_empty_lines() {
        assert_eq!(tail("a\n\nb\nc\n\n", 2), "b\nc");
        assert_eq!(tail("", 3), "");
        assert_eq!(tail(&"x".repeat(400), 1).len(), 300);
    }

    #[test]
    fn runs_are_measured_checked_and_bounded() {
        let work = tempfile::tempdir().unwrap();
        let run_sh = |script: &str, timeout: Duration| {
            run(
                &Invocation {
                    program: PathBuf::from("sh"),
                    args: vec!["-c".into(), script.into()],
                    cwd: work.path().to_path_buf(),
                    env: vec![("BENCH_TEST".into(), "42".into())],
                    timeout,
                },
                work.path(),
            )
        };
        let sample = run_sh("test \"$BENCH_TEST\" = 42", Duration::from_secs(10)).unwrap();
        assert!(sample.wall > 0.0 && sample.max_rss_kib > 0, "{sample:?}");
        let failed = run_sh("echo boom >&2; exit 3", Duration::from_secs(10)).unwrap_err();
        assert!(failed.starts_with("exit status 3"), "{failed}");
        assert!(failed.ends_with("boom"), "{failed}");
        let started = Instant::now();
        let hung = run_sh("sleep 30", Duration::from_secs(1)).unwrap_err();
        assert!(hung.starts_with("timed out after 1 s"), "{hung}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn long_command_lines_are_shortened_for_display() {
        let invocation = Invocation {
            program: PathBuf::from("oras"),
            args: (0..100).map(|i| format!("f{i}")).collect(),
            cwd: PathBuf::from("."),
            env: Vec::new(),
            timeout: Duration::from_secs(1),
        };
        let shown = invocation.display();
        assert!(shown.starts_with("oras f0 f1"), "{shown}");
        assert!(shown.ends_with("(100 arguments)"), "{shown}");
    }
}
