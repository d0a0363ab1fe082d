//! `pull --keep-old-files` (`-k`) and `pull --preserve-permissions`,
//! through an OCI layout.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use assert_cmd::Command;

use crate::e2e_flags::support::{COMMAND_TIMEOUT, Env};

#[test]
fn keep_old_files_refuses_to_overwrite_an_existing_file() {
    let env = Env::new();
    env.write("a.txt", b"new content");
    env.ok(&["push", "--oci-layout", "layout:v1", "a.txt"]);
    env.write("out/a.txt", b"old content");

    for flag in ["--keep-old-files", "-k"] {
        let err = env.fails(&["pull", flag, "--oci-layout", "layout:v1", "-o", "out"]);
        // The differential scenario `e2e-pull-layout-keep-old-files` holds
        // the Go CLI's wording of this refusal.
        assert_eq!(
            err,
            "Error: failed to resolve path for writing: overwrite disallowed\n"
        );
        assert_eq!(env.read("out/a.txt"), b"old content");
    }
    // No other file left behind under the output directory.
    let names: Vec<_> = std::fs::read_dir(env.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["a.txt"], "{names:?}");

    // Without the flag the file is overwritten.
    env.ok(&["pull", "--oci-layout", "layout:v1", "-o", "out"]);
    assert_eq!(env.read("out/a.txt"), b"new content");
    // And a fresh directory is fine with the flag.
    env.ok(&["pull", "-k", "--oci-layout", "layout:v1", "-o", "fresh"]);
    assert_eq!(env.read("fresh/a.txt"), b"new content");
}

/// `oras args…` under `umask 077`, in `env`'s working directory and
/// configuration, bounded in time; must succeed.
fn oras_with_umask_077(env: &Env, args: &[&str]) {
    let work = env.path("");
    let docker = env.docker_config().parent().unwrap().to_owned();
    let home = docker.parent().unwrap().to_owned();
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 077 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_oras"))
        .args(args)
        .current_dir(work)
        .env("HOME", home)
        .env("DOCKER_CONFIG", docker)
        .env_remove("ORAS_CACHE")
        .write_stdin("")
        .timeout(COMMAND_TIMEOUT)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "oras {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn preserve_permissions_restores_modes_exactly_and_otherwise_the_umask_applies() {
    let env = Env::new();
    let script = env.write("bundle/run.sh", b"#!/bin/sh\necho hi\n");
    let secret = env.write("bundle/secret.txt", b"s3cret");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.ok(&["push", "--oci-layout", "layout:dir", "bundle"]);

    oras_with_umask_077(
        &env,
        &[
            "pull",
            "--preserve-permissions",
            "--oci-layout",
            "layout:dir",
            "-o",
            "kept",
        ],
    );
    assert_eq!(env.read("kept/bundle/run.sh"), b"#!/bin/sh\necho hi\n");
    assert_eq!(mode(&env.path("kept/bundle/run.sh")), 0o755);
    assert_eq!(mode(&env.path("kept/bundle/secret.txt")), 0o600);

    oras_with_umask_077(
        &env,
        &["pull", "--oci-layout", "layout:dir", "-o", "masked"],
    );
    assert_eq!(env.read("masked/bundle/secret.txt"), b"s3cret");
    assert_eq!(mode(&env.path("masked/bundle/run.sh")), 0o700);
    assert_eq!(mode(&env.path("masked/bundle/secret.txt")), 0o600);
}
