//! Embeds the git commit and tree state of the build, and the compiler
//! version, for `oras version`. Anything unavailable becomes "unknown".

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = git(&manifest_dir, &["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let tree_state = match git(
        &manifest_dir,
        &["status", "--porcelain", "--untracked-files=no"],
    ) {
        Some(status) if status.is_empty() => "clean".to_owned(),
        Some(_) => "dirty".to_owned(),
        None => "unknown".to_owned(),
    };
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let rust_version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.split_whitespace().nth(1).map(str::to_owned))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=ORAS_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=ORAS_GIT_TREE_STATE={tree_state}");
    println!("cargo:rustc-env=ORAS_RUST_VERSION={rust_version}");
    // Rebuild when HEAD moves: HEAD itself and the branch file it names.
    if let Some(git_dir) = git(&manifest_dir, &["rev-parse", "--absolute-git-dir"]) {
        let git_dir = Path::new(&git_dir);
        println!("cargo:rerun-if-changed={}", git_dir.join("HEAD").display());
        if let Some(branch) = git(&manifest_dir, &["symbolic-ref", "-q", "HEAD"]) {
            println!("cargo:rerun-if-changed={}", git_dir.join(branch).display());
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8(output.stdout).ok()?.trim().to_owned())
}
