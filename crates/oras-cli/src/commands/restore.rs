//! `oras restore` (experimental): push the tagged artifacts of an OCI
//! layout directory or tar to a repository (Go `root/restore.go`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use oras_store_oci::ReadOnlyStore;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::connect::graph::{
    copy_each_tag, count_referrers, recursive_copy, repository_target, resolve_tags,
};
use crate::error::{CliError, Result, quote};
use crate::options::{Concurrency5, RepositoryFlags, RepositoryTags};
use crate::output::status::{Mode, new_status};
use crate::output::text;

/// Usage facts of `oras restore`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras restore",
    usage: "oras restore [flags] --input <path> <registry>/<repository>[:<ref1>[,<ref2>...]]",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
[Experimental] Restore artifacts to a registry from an OCI image layout, which can be either a directory or a tar archive.

Example - Restore a single artifact from a tar archive:
  oras restore --input hello.tar localhost:5000/hello:v1

Example - Restore a single artifact from a directory:
  oras restore --input hello localhost:5000/hello:v1

Example - Perform a dry run without actually uploading artifacts:
  oras restore --input hello --dry-run localhost:5000/hello:v1

Example - Restore multiple specific tags:
  oras restore --input hello localhost:5000/hello:v1,v2

Example - Restore all tagged artifacts:
  oras restore --input hello localhost:5000/hello

Example - Exclude referrers when restoring artifacts:
  oras restore --input hello --exclude-referrers localhost:5000/hello

Example - Use Referrers API for discovering referrers:
  oras restore --input hello --distribution-spec v1.1-referrers-api localhost:5000/hello

Example - Use Referrers Tag Schema for discovering referrers:
  oras restore --input hello --distribution-spec v1.1-referrers-tag localhost:5000/hello

Example - Restore to an insecure registry:
  oras restore --input hello --insecure localhost:5000/hello:v1

Example - Restore to a plain HTTP registry (no TLS):
  oras restore --input hello --plain-http localhost:5000/hello:v1

Example - Set custom concurrency level:
  oras restore --input hello --concurrency 6 localhost:5000/hello:v1";

/// Flags and arguments of `oras restore`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "[Experimental] Restore artifacts to a registry from an OCI image layout",
    override_usage = "oras restore [flags] --input <path> <registry>/<repository>[:<ref1>[,<ref2>...]]",
    after_help = LONG
)]
pub struct RestoreArgs {
    /// The repository flags.
    #[command(flatten)]
    pub flags: RepositoryFlags,
    /// The layout to restore (required).
    #[arg(
        long,
        value_name = "string",
        help = "path to the OCI layout, either a tar archive (*.tar) or a directory"
    )]
    pub input: Option<PathBuf>,
    /// Skip referrers.
    #[arg(long, help = "restore artifacts excluding their referrers")]
    pub exclude_referrers: bool,
    /// Push nothing.
    #[arg(
        long,
        help = "simulate the restore process without actually uploading any artifacts"
    )]
    pub dry_run: bool,
    /// `--concurrency`.
    #[command(flatten)]
    pub concurrency: Concurrency5,
    /// The repository and tags.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras restore` options.
#[derive(Clone, Debug)]
pub struct RestoreOptions {
    /// The repository, its tags and the connection.
    pub repo: RepositoryTags,
    /// The layout directory or tar (tar: `.tar` extension or `ustar` magic).
    pub input: PathBuf,
    /// `--exclude-referrers`.
    pub exclude_referrers: bool,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl Command for RestoreArgs {
    type Options = RestoreOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<RestoreOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the targets to restore to",
        )?;
        let Some(input) = self.input.clone() else {
            return Err(CliError::new("required flag(s) \"input\" not set"));
        };
        let repo = self.flags.validate(&self.args[0], env)?;
        Ok(RestoreOptions {
            repo,
            input,
            exclude_referrers: self.exclude_referrers,
            dry_run: self.dry_run,
            concurrency: self.concurrency.concurrency,
        })
    }

    /// Runs `oras restore` (Go `runRestore`): pushes each tag of the layout
    /// (every tag when none is given) to the repository, with its referrers
    /// unless `--exclude-referrers`; `--dry-run` only reports what it would
    /// push. The layout (a directory or a tar archive) is opened read-only.
    async fn run(options: &RestoreOptions, ctx: &Context) -> anyhow::Result<()> {
        let started = Instant::now();
        let tags = restore(options, ctx)
            .await
            .map_err(connect::registry_error)?;
        ctx.printer.println(&text::restore_completed(
            tags,
            &options.repo.repository,
            started.elapsed(),
            options.dry_run,
        ))?;
        Ok(())
    }
}

/// The restore itself; returns the number of tags restored.
async fn restore(options: &RestoreOptions, ctx: &Context) -> anyhow::Result<usize> {
    let target = repository_target(&options.repo.repository, &options.repo.remote)?;
    let dst = connect::endpoints::open_write_repository(&target, ctx).map_err(|err| {
        err.context(format!(
            "failed to prepare target repository {}",
            quote(&options.repo.repository)
        ))
    })?;
    let status = new_status(Mode::Restore, options.repo.tty, true, &ctx.printer, true);
    let src = open_input(&options.input, ctx).await?;

    let input = options.input.to_string_lossy();
    let (tags, roots) = resolve_tags(&src, &options.repo.tags).await?;
    if tags.is_empty() {
        return Err(
            CliError::new(format!("no tags found in OCI layout {}", quote(&input)))
                .with_recommendation(format!(
                    "If you want to list available tags in {}, use \"oras repo tags --oci-layout\"",
                    quote(&input)
                ))
                .into(),
        );
    }
    for line in text::tags_found(&tags, "the backup") {
        ctx.printer.println(&line)?;
    }

    copy_each_tag(
        &tags,
        &roots,
        options.concurrency,
        status,
        async |tag, root, graph| {
            let referrers = if options.exclude_referrers {
                0
            } else {
                count_referrers(&src, root).await.map_err(|err| {
                    err.context(format!("failed to count referrers for tag {}", quote(tag)))
                })?
            };
            if options.dry_run {
                ctx.printer
                    .println(&text::restore_pushed(tag, referrers, true))?;
                return Ok(());
            }
            let pushed = async {
                if options.exclude_referrers {
                    let copy_options = oras_copy::CopyOptions::new(graph.clone());
                    oras_copy::copy(&src, tag, &dst, tag, &copy_options).await?;
                    Ok(())
                } else {
                    recursive_copy(&src, &dst, root, tag, graph.clone()).await
                }
            }
            .await;
            pushed.map_err(|err: anyhow::Error| {
                err.context(format!(
                    "failed to restore tag {} from {} to {}",
                    quote(tag),
                    quote(&input),
                    quote(&options.repo.repository)
                ))
            })?;
            ctx.printer
                .println(&text::restore_pushed(tag, referrers, false))?;
            Ok(())
        },
    )
    .await?;
    Ok(tags.len())
}

/// Opens the layout to restore from (Go: a regular file must be a tar
/// archive, by its `.tar` extension or its `ustar` magic; a directory is
/// a layout directory).
async fn open_input(input: &Path, ctx: &Context) -> anyhow::Result<ReadOnlyStore> {
    let shown = quote(&input.to_string_lossy());
    let meta = tokio::fs::metadata(input).await.map_err(|err| {
        anyhow::anyhow!(
            "failed to access input path {shown}: {}",
            crate::error::path_error("stat", input, &err)
        )
    })?;
    if meta.is_file() {
        if !is_tar_file(input)? {
            anyhow::bail!("input path {shown} is not a tar archive");
        }
        let store = ReadOnlyStore::from_tar(input).await.map_err(|err| {
            anyhow::anyhow!("failed to prepare OCI store from tar archive {shown}: {err}")
        })?;
        ctx.printer
            .println(&text::archive_loaded(&input.to_string_lossy(), meta.len()))?;
        return Ok(store);
    }
    if meta.is_dir() {
        let prepare =
            |err| anyhow::anyhow!("failed to prepare OCI store from directory {shown}: {err}");
        // oras restore opens a directory with oci.NewWithContext, which
        // creates a missing `oci-layout`, `index.json` and `blobs/` (an
        // empty layout) before reading it; existing files are left as they are.
        if !input.join("oci-layout").exists() || !input.join("index.json").exists() {
            drop(oras_store_oci::Store::open(input).await.map_err(prepare)?);
        }
        return ReadOnlyStore::from_dir(input).await.map_err(prepare);
    }
    anyhow::bail!("input path {shown} must be a directory or a tar archive")
}

/// Whether `path` is a tar archive: a `.tar` extension (any case), or the
/// `ustar` magic at offset 257 (Go `IsTarFile`).
fn is_tar_file(path: &Path) -> anyhow::Result<bool> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tar"))
    {
        return Ok(true);
    }
    let mut file = std::fs::File::open(path).map_err(|err| {
        anyhow::anyhow!(
            "failed to open file {}: {}",
            path.display(),
            crate::error::path_error("open", path, &err)
        )
    })?;
    let mut header = [0u8; 262];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..])? {
            0 => return Ok(false),
            n => read += n,
        }
    }
    Ok(&header[257..262] == b"ustar")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tar_detection() {
        let dir = tempfile::tempdir().unwrap();
        let named = dir.path().join("backup.TAR");
        std::fs::write(&named, b"").unwrap();
        assert!(is_tar_file(&named).unwrap());
        let short = dir.path().join("short");
        std::fs::write(&short, b"tiny").unwrap();
        assert!(!is_tar_file(&short).unwrap());
        let mut bytes = vec![0u8; 512];
        bytes[257..262].copy_from_slice(b"ustar");
        let magic = dir.path().join("archive.bin");
        std::fs::write(&magic, &bytes).unwrap();
        assert!(is_tar_file(&magic).unwrap());
        bytes[257] = b'x';
        std::fs::write(&magic, &bytes).unwrap();
        assert!(!is_tar_file(&magic).unwrap());
    }
}
