//! The real registry SIGKILLed and restarted (same port, same storage)
//! while `oras` pushes, pulls and copies a 200 MiB blob. The first run
//! either completes (the client retried or resumed against the restarted
//! registry) or fails with a clear error; a second run then succeeds, and
//! the content pulled back is the file pushed. A failed pull leaves
//! nothing partial under the final name.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use oras_testkit::real::{Mode, RealRegistry, start_for_test};

use super::support::{
    BIG, RUN_TIMEOUT, describe, largest_file, same_content, spawn, spawn_oras, upload_bytes,
    wait_until, write_random,
};
use crate::e2e_core::support::Env;

/// Bytes the transfer must have moved before the kill.
const KILL_AFTER: u64 = 32 * 1024 * 1024;

/// The longest wait for the transfer to reach [`KILL_AFTER`].
const UNDER_WAY_LIMIT: Duration = Duration::from_secs(60);

/// Kills `registry` with SIGKILL and brings it back on its port.
fn crash_and_restart(registry: &mut RealRegistry) {
    registry.kill().unwrap();
    registry.restart().unwrap();
}

/// The first run's outcome: success, or a clear error (exit 1 and an
/// `Error:` line), never a hang or a panic.
fn success_or_clear_error(what: &str, out: &Output) -> bool {
    eprintln!("{what} across a registry crash: {}", describe(out));
    if out.status.success() {
        return true;
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{what}: {}", describe(out));
    assert!(stderr.contains("Error"), "{what}: {}", describe(out));
    assert!(!stderr.contains("panicked"), "{what}: {}", describe(out));
    false
}

/// Pulls `reference` into `dir` and checks `big.bin` there is `original`.
fn pull_and_verify(env: &Env, reference: &str, dir: &str, original: &Path) {
    env.ok(&["pull", "--plain-http", reference, "-o", dir]);
    assert!(
        same_content(&env.path(dir).join("big.bin"), original),
        "{reference}: pulled content differs from what was pushed"
    );
}

#[test]
fn a_push_survives_a_registry_killed_and_restarted() {
    let Some(mut registry) = start_for_test(Mode::Plain) else {
        return;
    };
    let env = Env::new();
    let original = write_random(&env, "big.bin", BIG, 1);
    let reference = format!("{}/faults/killed:push", registry.host());
    let args = ["push", "--plain-http", reference.as_str(), "big.bin"];

    let first = spawn_oras(&env, &args);
    let storage = registry.storage_dir().to_path_buf();
    let under_way = wait_until(UNDER_WAY_LIMIT, &first, || {
        upload_bytes(&storage) >= KILL_AFTER
    });
    assert!(
        under_way,
        "the push ended before {KILL_AFTER} bytes were uploaded"
    );
    crash_and_restart(&mut registry);
    let first = first.join().unwrap();
    if !success_or_clear_error("push", &first) {
        let mut again = env.oras();
        let again = again.args(args).timeout(RUN_TIMEOUT).output().unwrap();
        assert!(again.status.success(), "second push: {}", describe(&again));
    }
    pull_and_verify(&env, &reference, "out", &original);
}

#[test]
fn a_pull_survives_a_registry_killed_and_restarted() {
    let Some(mut registry) = start_for_test(Mode::Plain) else {
        return;
    };
    let env = Env::new();
    let original = write_random(&env, "big.bin", BIG, 2);
    let reference = format!("{}/faults/killed:pull", registry.host());
    env.ok(&["push", "--plain-http", &reference, "big.bin"]);

    let first = spawn_oras(&env, &["pull", "--plain-http", &reference, "-o", "first"]);
    let dir = env.path("first");
    let under_way = wait_until(UNDER_WAY_LIMIT, &first, || largest_file(&dir) >= KILL_AFTER);
    assert!(
        under_way,
        "the pull ended before {KILL_AFTER} bytes were written"
    );
    crash_and_restart(&mut registry);
    let first = first.join().unwrap();
    let pulled = dir.join("big.bin");
    if success_or_clear_error("pull", &first) {
        assert!(same_content(&pulled, &original), "pulled content differs");
    } else {
        assert!(
            !pulled.exists() || same_content(&pulled, &original),
            "a failed pull left a partial big.bin"
        );
    }
    pull_and_verify(&env, &reference, "second", &original);

    // The Go oras across the same crash, for the record.
    let go = oras_testkit::reference::go_oras().unwrap();
    let go_run = spawn(&env, &go, &["pull", "--plain-http", &reference, "-o", "go"]);
    let go_dir = env.path("go");
    if wait_until(UNDER_WAY_LIMIT, &go_run, || {
        largest_file(&go_dir) >= KILL_AFTER
    }) {
        crash_and_restart(&mut registry);
    }
    let go_out = go_run.join().unwrap();
    let go_pulled = go_dir.join("big.bin");
    eprintln!(
        "Go pull across a registry crash: {}\nbig.bin left: {}",
        describe(&go_out),
        go_pulled.exists()
    );
}

#[test]
fn a_copy_survives_its_source_registry_killed_and_restarted() {
    let Some(mut source) = start_for_test(Mode::Plain) else {
        return;
    };
    let Some(target) = start_for_test(Mode::Plain) else {
        return;
    };
    let env = Env::new();
    let original = write_random(&env, "big.bin", BIG, 3);
    let from = format!("{}/faults/killed:copy", source.host());
    let to = format!("{}/faults/copied:copy", target.host());
    env.ok(&["push", "--plain-http", &from, "big.bin"]);
    let args = [
        "cp",
        "--from-plain-http",
        "--to-plain-http",
        from.as_str(),
        to.as_str(),
    ];

    let first = spawn_oras(&env, &args);
    let storage = target.storage_dir().to_path_buf();
    let under_way = wait_until(UNDER_WAY_LIMIT, &first, || {
        upload_bytes(&storage) >= KILL_AFTER
    });
    assert!(
        under_way,
        "the copy ended before {KILL_AFTER} bytes were copied"
    );
    crash_and_restart(&mut source);
    let first = first.join().unwrap();
    if !success_or_clear_error("copy", &first) {
        let mut again = env.oras();
        let again = again.args(args).timeout(RUN_TIMEOUT).output().unwrap();
        assert!(again.status.success(), "second copy: {}", describe(&again));
    }
    pull_and_verify(&env, &to, "out", &original);
}
