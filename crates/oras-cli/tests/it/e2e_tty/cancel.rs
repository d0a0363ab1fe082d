//! Ctrl-C (SIGINT) during a download: the command stops at once, reports
//! `context canceled` and exits 1; the file store's temp files go with it,
//! so nothing partial is left under the file's name or beside it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use oras_testkit::real::{Mode, start_for_test};

use crate::e2e_tty::support::{Env, drain, sha256, short, wait_bounded};

/// How long the pull may take to stop after SIGINT.
const STOP_LIMIT: Duration = Duration::from_secs(10);

/// Sends `signal` (`INT`, `STOP`, `CONT`) to `pid` with kill(1).
fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// Resumes a stopped registry when dropped, however the test ends.
struct Resume(Option<u32>);

impl Drop for Resume {
    fn drop(&mut self) {
        if let Some(pid) = self.0.take() {
            let _ = Command::new("kill")
                .arg("-CONT")
                .arg(pid.to_string())
                .status();
        }
    }
}

/// The names in `dir` (none when it does not exist).
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The size of the first file store temp file in `dir`, if there is one.
fn temp_file_size(dir: &Path) -> Option<u64> {
    std::fs::read_dir(dir).ok()?.find_map(|e| {
        let e = e.ok()?;
        let name = e.file_name().to_string_lossy().into_owned();
        name.starts_with(".oras_file_")
            .then(|| e.metadata().map(|m| m.len()).unwrap_or(0))
    })
}

#[test]
fn ctrl_c_during_a_download_stops_cleanly() {
    let Some(registry) = start_for_test(Mode::Plain) else {
        return;
    };
    let env = Env::new();
    let big = env.write_random("big.bin", 300 << 20);
    let blob = sha256(&std::fs::read(&big).unwrap());
    let reference = format!("{}/tty/cancel:v1", registry.host());
    env.ok(&["push", "--no-tty", "--plain-http", &reference, "big.bin"]);
    std::fs::remove_file(&big).unwrap();

    let out_dir = env.path("out");
    let mut pull = env.command(env!("CARGO_BIN_EXE_oras"));
    pull.args([
        "pull",
        "--plain-http",
        &reference,
        "-o",
        out_dir.to_str().unwrap(),
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = pull.spawn().unwrap();
    let stderr = drain(child.stderr.take());
    let (lines_tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    // Downloading has started: the status line is out and the temp file
    // beside the final name is filling.
    let started = format!("Downloading {} big.bin", short(&blob));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while !seen.contains(&started) {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(e) => {
                let _ = child.kill();
                panic!("no `{started}` ({e}); stdout so far: {seen:?}");
            }
        }
    }
    while temp_file_size(&out_dir).unwrap_or(0) == 0 {
        if Instant::now() >= deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!(
                "the download never showed in {}: {:?}",
                out_dir.display(),
                entries(&out_dir)
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    // Freeze the registry mid-transfer so the pull cannot finish first;
    // Ctrl-C must then stop a download that is waiting on the network.
    let registry_pid = registry.pid().unwrap();
    signal(registry_pid, "STOP");
    let resume = Resume(Some(registry_pid));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the pull ended before Ctrl-C"
    );

    let sent = Instant::now();
    signal(child.id(), "INT");
    let status = wait_bounded(&mut child, STOP_LIMIT)
        .unwrap_or_else(|| panic!("the pull did not stop within {STOP_LIMIT:?} of SIGINT"));
    drop(resume);
    let stopped_after = sent.elapsed();
    let stderr = String::from_utf8(stderr.join().unwrap()).unwrap();

    assert_eq!(status.code(), Some(1), "status {status}; stderr:\n{stderr}");
    assert!(
        stderr.contains("Error: context canceled"),
        "no cancellation error (after {stopped_after:?}):\n{stderr}"
    );
    let left: Vec<String> = lines.try_iter().collect();
    assert!(
        !left.iter().chain(&seen).any(|l| l.starts_with("Pulled ")),
        "reported as pulled: {seen:?} {left:?}"
    );
    assert!(
        !out_dir.join("big.bin").exists(),
        "a partial file under the final name"
    );
    assert!(
        entries(&out_dir).is_empty(),
        "left in the output directory: {:?}",
        entries(&out_dir)
    );
    registry.stop().unwrap();
}
