//! The disk filling up during a pull: a 16 MiB layer pulled into a 4 MiB
//! tmpfs (mounted in a private mount namespace with `unshare --mount`,
//! when this machine allows it), and the same pull under a file-size
//! limit (`ulimit -f`, writes past it fail with EFBIG), which needs no
//! privilege. Either way: exit 1 with an error naming the cause, no
//! `big.bin` under its final name, no temp file left (on the tmpfs, its
//! space released).

use std::path::Path;

use oras_testkit::real::{Mode, RealRegistry, start_for_test};

use super::support::{describe, write_random};
use crate::e2e_core::support::Env;

/// The layer pulled.
const LAYER: usize = 16 * 1024 * 1024;

/// A registry holding `faults/disk:v1`, one 16 MiB layer `big.bin`.
fn registry_with_big_layer(env: &Env) -> (RealRegistry, String) {
    let registry = start_for_test(Mode::Plain).unwrap();
    write_random(env, "big.bin", LAYER, 4);
    let reference = format!("{}/faults/disk:v1", registry.host());
    env.ok(&["push", "--plain-http", &reference, "big.bin"]);
    (registry, reference)
}

/// Mounts a 4 MiB tmpfs on `$1` in a private mount namespace, pulls `$3`
/// into it with `$2`, then reports the exit code, what is left on the
/// tmpfs and the KiB it still uses.
const TMPFS_SCRIPT: &str = r#"mount -t tmpfs -o size=4m oras-faults "$1" || exit 97
"$2" pull --plain-http "$3" -o "$1"
echo "EXIT $?"
echo "LEFT [$(ls -A "$1" | tr '\n' ' ')]"
echo "USED $(df -k --output=used "$1" | tail -n 1 | tr -d ' ')"
"#;

#[test]
fn a_pull_onto_a_full_tmpfs_fails_clearly_and_releases_the_space() {
    if oras_testkit::real::skip_requested() {
        return;
    }
    let env = Env::new();
    let (_registry, reference) = registry_with_big_layer(&env);
    let mount_point = env.path("small");
    std::fs::create_dir_all(&mount_point).unwrap();
    let oras = env!("CARGO_BIN_EXE_oras");
    let out = env
        .command(Path::new("unshare"))
        .args(["--mount", "sh", "-c", TMPFS_SCRIPT, "sh"])
        .arg(&mount_point)
        .args([oras, reference.as_str()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !stdout.contains("EXIT ") {
        // No mount namespace or no tmpfs here (not root, a container
        // without CAP_SYS_ADMIN): the ulimit scenario below still runs.
        eprintln!("SKIP: cannot mount a tmpfs here: {}", describe(&out));
        return;
    }
    eprintln!("pull onto a full tmpfs: {}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("EXIT 1\n"), "{}", describe(&out));
    assert!(
        stderr.contains("small/big.bin: copy failed: write ")
            && stderr.contains("small/big.bin: no space left on device"),
        "the error names the file and the cause: {}",
        describe(&out)
    );
    assert!(stdout.contains("LEFT []"), "files left: {}", describe(&out));
    let used: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("USED "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no USED line: {}", describe(&out)));
    assert!(used < 64, "{used} KiB still used: {}", describe(&out));
}

#[test]
fn a_pull_past_the_file_size_limit_fails_clearly_and_leaves_nothing() {
    if oras_testkit::real::skip_requested() {
        return;
    }
    let env = Env::new();
    let (_registry, reference) = registry_with_big_layer(&env);
    let oras = env!("CARGO_BIN_EXE_oras");
    // SIGXFSZ ignored, so a write past the limit fails with EFBIG instead
    // of killing the process; 8192 blocks are 4 or 8 MiB (dash counts
    // 512-byte blocks, bash 1024), under the 16 MiB layer either way.
    let script = r#"trap '' XFSZ; ulimit -f 8192; exec "$1" pull --plain-http "$2" -o out"#;
    let out = env
        .command(Path::new("sh"))
        .args(["-c", script, "sh", oras, reference.as_str()])
        .output()
        .unwrap();
    eprintln!("pull past the file size limit: {}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr.contains("out/big.bin: file too large"),
        "the error names the file and the cause: {}",
        describe(&out)
    );
    let left: Vec<_> = std::fs::read_dir(env.path("out"))
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left in out/: {left:?}");

    // The Go oras in the same place: the same words, nothing left either.
    let go = oras_testkit::reference::go_oras().unwrap();
    let script = script.replace("-o out", "-o go-out");
    let go_out = env
        .command(Path::new("sh"))
        .arg("-c")
        .arg(&script)
        .arg("sh")
        .arg(&go)
        .arg(&reference)
        .output()
        .unwrap();
    let go_left: Vec<_> = std::fs::read_dir(env.path("go-out"))
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    eprintln!("Go: {}\nleft in go-out/: {go_left:?}", describe(&go_out));
    assert_eq!(go_out.status.code(), Some(1), "Go: {}", describe(&go_out));
    assert!(go_left.is_empty(), "Go left {go_left:?}");
    let go_stderr = String::from_utf8_lossy(&go_out.stderr).replace("/go-out/", "/out/");
    assert_eq!(stderr, go_stderr, "ours, then Go's");
}
