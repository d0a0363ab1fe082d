//! Helpers of the fault scenarios: large files, waiting for a transfer
//! to be under way, running `oras` on a thread, comparing files.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::e2e_core::support::Env;

/// 200 MiB, the blob size of the kill scenarios.
pub(crate) const BIG: usize = 200 * 1024 * 1024;

/// The longest one `oras` run of a fault scenario may take (retries and
/// a restarted registry included).
pub(crate) const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// Writes `len` pseudo-random bytes (xorshift, seeded) to `name`.
pub(crate) fn write_random(env: &Env, name: &str, len: usize, seed: u64) -> PathBuf {
    let mut state = seed | 1;
    let mut data = Vec::with_capacity(len);
    while data.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        data.extend_from_slice(&state.to_le_bytes());
    }
    data.truncate(len);
    env.write(name, &data)
}

/// Whether two files hold the same bytes.
pub(crate) fn same_content(a: &Path, b: &Path) -> bool {
    let (Ok(mut a), Ok(mut b)) = (std::fs::File::open(a), std::fs::File::open(b)) else {
        return false;
    };
    let (mut x, mut y) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = read_full(&mut a, &mut x);
        let m = read_full(&mut b, &mut y);
        if n != m || x[..n] != y[..m] {
            return false;
        }
        if n == 0 {
            return true;
        }
    }
}

fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> usize {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    filled
}

/// `oras args…` started on a thread (bounded by [`RUN_TIMEOUT`]): join
/// the handle for its output.
pub(crate) fn spawn_oras(env: &Env, args: &[&str]) -> std::thread::JoinHandle<Output> {
    spawn(env, Path::new(env!("CARGO_BIN_EXE_oras")), args)
}

/// [`spawn_oras`] for another `program` (the Go `oras`).
pub(crate) fn spawn(env: &Env, program: &Path, args: &[&str]) -> std::thread::JoinHandle<Output> {
    let mut command = env.command(program);
    command.args(args).timeout(RUN_TIMEOUT);
    std::thread::spawn(move || command.output().unwrap())
}

/// Waits (polling every 2 ms, at most `limit`) until `ready` holds or
/// `done` finished first; true when `ready` held.
pub(crate) fn wait_until(
    limit: Duration,
    done: &std::thread::JoinHandle<Output>,
    mut ready: impl FnMut() -> bool,
) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline && !done.is_finished() {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

/// The largest regular file under `dir` (recursively), in bytes.
pub(crate) fn largest_file(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => largest_file(&entry.path()),
            Ok(kind) if kind.is_file() => entry.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// The upload sessions' data under a distribution storage directory: the
/// size of the largest `_uploads/<id>/data` (0 when none).
pub(crate) fn upload_bytes(storage: &Path) -> u64 {
    largest_file(&storage.join("docker/registry/v2/repositories"))
}

/// stdout and stderr of an `oras` run, for messages.
pub(crate) fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
