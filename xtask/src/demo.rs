//! `cargo xtask demo`: the main job on an embedded default. It builds the
//! `oras` binary, then pushes files to an OCI image layout on disk, lists
//! and resolves its tag, and pulls the artifact back, checking that the
//! files come back identical. No registry is needed.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Runs the demo in `target/demo` (recreated on each run).
pub(crate) fn run() -> Result<()> {
    crate::cargo(&["build", "--quiet", "-p", "oras-cli"])?;
    let root = workspace_root()?;
    let oras = root.join("target/debug/oras");
    let work = root.join("target/demo");
    if work.exists() {
        std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
    }
    let files = work.join("files");
    std::fs::create_dir_all(files.join("docs/nested"))?;
    std::fs::write(files.join("hello.txt"), "hello from oras-rs\n")?;
    std::fs::write(files.join("docs/readme.md"), "# docs\n")?;
    std::fs::write(files.join("docs/nested/data.json"), "{\"answer\":42}\n")?;
    let layout = work.join("layout");
    let layout_ref = format!("{}:v1", layout.display());

    println!(
        "== push two files (one a directory) to the OCI layout {}",
        layout.display()
    );
    oras_in(
        &oras,
        &files,
        &[
            "push",
            "--oci-layout",
            &layout_ref,
            "--artifact-type",
            "application/vnd.example.demo",
            "hello.txt:text/plain",
            "docs",
        ],
    )?;
    println!("\n== list the layout's tags");
    oras_in(
        &oras,
        &files,
        &[
            "repo",
            "tags",
            "--oci-layout",
            &layout.display().to_string(),
        ],
    )?;
    println!("\n== resolve the tag to a digest");
    oras_in(&oras, &files, &["resolve", "--oci-layout", &layout_ref])?;
    let pulled = work.join("pulled");
    println!("\n== pull the artifact back into {}", pulled.display());
    oras_in(
        &oras,
        &files,
        &[
            "pull",
            "--oci-layout",
            &layout_ref,
            "-o",
            &pulled.display().to_string(),
        ],
    )?;

    for relative in ["hello.txt", "docs/readme.md", "docs/nested/data.json"] {
        let original = std::fs::read(files.join(relative))?;
        let back = std::fs::read(pulled.join(relative))
            .with_context(|| format!("reading pulled {relative}"))?;
        if original != back {
            bail!("pulled {relative} differs from the original");
        }
    }
    println!("\ndemo: the pulled files are identical to the pushed ones");
    Ok(())
}

fn oras_in(oras: &Path, dir: &Path, args: &[&str]) -> Result<()> {
    let mut command = Command::new(oras);
    command.args(args).current_dir(dir);
    println!("$ oras {}", args.join(" "));
    let status = command
        .status()
        .with_context(|| format!("starting {}", oras.display()))?;
    if !status.success() {
        bail!("oras {} exited with {status}", args.join(" "));
    }
    Ok(())
}

fn workspace_root() -> Result<PathBuf> {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .context("xtask has no parent directory")
}
