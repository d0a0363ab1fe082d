//! `oras backup` (experimental): copy tagged artifacts of a repository into
//! an OCI layout directory or tar (Go `root/backup.go`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use oras_content::Tagger;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::connect::graph::{
    copy_each_tag, count_referrers, recursive_copy, repository_target, resolve_tags,
};
use crate::error::{CliError, Result, quote};
use crate::options::{Concurrency3, RepositoryFlags, RepositoryTags};
use crate::output::status::{Mode, new_status};
use crate::output::text;

/// Usage facts of `oras backup`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras backup",
    usage: "oras backup [flags] --output <path> <registry>/<repository>[:<ref1>[,<ref2>...]]",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
[Experimental] Back up artifacts from a registry into an OCI image layout, saved either as a directory or a tar archive.
The output format is determined by the file extension of the specified output path: if it ends with \".tar\", the output will be a tar archive; otherwise, it will be a directory.

Example - Back up a single artifact to a directory:
  oras backup --output hello localhost:5000/hello:v1

Example - Back up to a tar archive:
  oras backup --output hello.tar localhost:5000/hello:v1

Example - Back up an artifact along with its referrers (e.g. attestations, SBOMs):
  oras backup --output hello --include-referrers localhost:5000/hello:v1

Example - Back up multiple specific tags:
  oras backup --output hello localhost:5000/hello:v1,v2,v3

Example - Back up all tagged artifacts in a repository:
  oras backup --output hello localhost:5000/hello

Example - Use Referrers API for discovering referrers:
  oras backup --output hello --include-referrers --distribution-spec v1.1-referrers-api localhost:5000/hello:v1

Example - Use Referrers Tag Schema for discovering referrers:
  oras backup --output hello --include-referrers --distribution-spec v1.1-referrers-tag localhost:5000/hello:v1

Example - Back up from an insecure registry:
  oras backup --output hello --insecure localhost:5000/hello:v1

Example - Back up from a registry using plain HTTP (no TLS):
  oras backup --output hello --plain-http localhost:5000/hello:v1

Example - Set custom concurrency level:
  oras backup --output hello --concurrency 6 localhost:5000/hello:v1";

/// Flags and arguments of `oras backup`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "[Experimental] Back up artifacts from a registry into an OCI image layout",
    override_usage = "oras backup [flags] --output <path> <registry>/<repository>[:<ref1>[,<ref2>...]]",
    after_help = LONG
)]
pub struct BackupArgs {
    /// The repository flags.
    #[command(flatten)]
    pub flags: RepositoryFlags,
    /// Output path (required).
    #[arg(
        short = 'o',
        long,
        value_name = "string",
        help = "path to the target output, either a tar archive (*.tar) or a directory"
    )]
    pub output: Option<PathBuf>,
    /// Also back up referrers.
    #[arg(
        long,
        help = "back up the artifact with its referrers (e.g., attestations, SBOMs)"
    )]
    pub include_referrers: bool,
    /// `--concurrency`.
    #[command(flatten)]
    pub concurrency: Concurrency3,
    /// The repository and tags.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras backup` options.
#[derive(Clone, Debug)]
pub struct BackupOptions {
    /// The repository, its tags and the connection.
    pub repo: RepositoryTags,
    /// Output path.
    pub output: PathBuf,
    /// Whether the output is a tar archive (`.tar` extension, any case).
    pub output_is_tar: bool,
    /// `--include-referrers`.
    pub include_referrers: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl Command for BackupArgs {
    type Options = BackupOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<BackupOptions> {
        INFO.check_args(&self.args, ArgCount::Exactly(1), "the artifacts to back up")?;
        let Some(output) = self.output.clone() else {
            return Err(CliError::new("required flag(s) \"output\" not set"));
        };
        let repo = self.flags.validate(&self.args[0], env)?;
        let output_is_tar = output
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tar"));
        Ok(BackupOptions {
            repo,
            output,
            output_is_tar,
            include_referrers: self.include_referrers,
            concurrency: self.concurrency.concurrency,
        })
    }

    /// Runs `oras backup` (Go `runBackup`): copies each tag (every tag of the
    /// repository when none is given), with its referrers when asked, into an
    /// OCI layout, tags it there, removes `ingest/`, and for a `.tar` output
    /// archives the layout. The archive is written to a temp file next to the
    /// output and renamed into place, so no partial archive is ever left
    /// under the output's name.
    async fn run(options: &BackupOptions, ctx: &Context) -> anyhow::Result<()> {
        let started = Instant::now();
        let tags = backup(options, ctx)
            .await
            .map_err(connect::registry_error)?;
        ctx.printer.println(&text::backup_completed(
            tags,
            &options.repo.repository,
            &options.output.to_string_lossy(),
            started.elapsed(),
        ))?;
        Ok(())
    }
}

/// Where the layout is written: the output directory, or a temp
/// directory for a tar output (with the temp file the archive goes to).
struct Destination {
    layout: PathBuf,
    _temp_dir: Option<tempfile::TempDir>,
    archive: Option<tempfile::NamedTempFile>,
}

/// Prepares the destination, failing early when a tar cannot be written
/// where asked (Go: "fail early if there is an issue").
fn prepare_destination(options: &BackupOptions) -> anyhow::Result<Destination> {
    if !options.output_is_tar {
        return Ok(Destination {
            layout: options.output.clone(),
            _temp_dir: None,
            archive: None,
        });
    }
    if options.output.is_dir() {
        return Err(CliError::new(format!(
            "the output path {} already exists and is a directory",
            quote(&options.output.to_string_lossy())
        ))
        .with_recommendation(
            "To back up to a tar archive, please specify a different output file name or remove the existing directory.",
        )
        .into());
    }
    let parent = match options.output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let archive = tempfile::Builder::new()
        .prefix(".oras-backup-")
        .suffix(".tar")
        .tempfile_in(parent)
        .map_err(|err| {
            anyhow::anyhow!(
                "unable to create output file {}: {err}",
                options.output.display()
            )
        })?;
    let temp_dir = tempfile::Builder::new()
        .prefix("oras-backup-")
        .tempdir()
        .map_err(|err| anyhow::anyhow!("failed to create temporary directory for backup: {err}"))?;
    Ok(Destination {
        layout: temp_dir.path().to_owned(),
        _temp_dir: Some(temp_dir),
        archive: Some(archive),
    })
}

/// The backup itself; returns the number of tags backed up.
async fn backup(options: &BackupOptions, ctx: &Context) -> anyhow::Result<usize> {
    let destination = prepare_destination(options)?;
    let target = repository_target(&options.repo.repository, &options.repo.remote)?;
    let opened =
        connect::endpoints::open_repository(&target, ctx, oras_containers_config::Operation::Pull)
            .await;
    let src = opened.map_err(|err| {
        err.context(format!(
            "failed to prepare repository {} for backup",
            options.repo.repository
        ))
    })?;
    let dst = oras_store_oci::Store::open(&destination.layout)
        .await
        .map_err(|err| anyhow::anyhow!("failed to prepare OCI store for backup: {err}"))?;
    let status = new_status(Mode::Backup, options.repo.tty, true, &ctx.printer, true);

    let (tags, roots) = resolve_tags(&src, &options.repo.tags).await?;
    if tags.is_empty() {
        return Err(CliError::new(format!(
            "no tags found in repository {}",
            quote(&options.repo.repository)
        ))
        .with_recommendation(format!(
            "If you want to list available tags in {}, use \"oras repo tags\"",
            quote(&options.repo.repository)
        ))
        .into());
    }
    for line in text::tags_found(&tags, &options.repo.repository) {
        ctx.printer.println(&line)?;
    }

    copy_each_tag(
        &tags,
        &roots,
        options.concurrency,
        status,
        async |tag, root, graph| {
            let copied = async {
                if options.include_referrers {
                    recursive_copy(&src, &dst, root, tag, graph.clone()).await?;
                    count_referrers(&dst, root).await
                } else {
                    oras_copy::copy_graph(&src, &dst, root, graph).await?;
                    dst.tag(root, tag).await.map_err(|err| {
                        anyhow::Error::new(err).context(format!(
                            "failed to tag {} with {}",
                            quote(&root.digest.to_string()),
                            quote(tag)
                        ))
                    })?;
                    Ok(0)
                }
            }
            .await;
            let referrers = copied.map_err(|err| {
                err.context(format!(
                    "failed to back up tag {} from {} to {}",
                    quote(tag),
                    quote(&options.repo.repository),
                    quote(&destination.layout.to_string_lossy())
                ))
            })?;
            ctx.printer.println(&text::backup_pulled(tag, referrers))?;
            Ok(())
        },
    )
    .await?;
    finalize(options, destination, ctx).await?;
    Ok(tags.len())
}

/// Removes `ingest/` and, for a tar output, archives the layout.
async fn finalize(
    options: &BackupOptions,
    destination: Destination,
    ctx: &Context,
) -> anyhow::Result<()> {
    let ingest = destination.layout.join("ingest");
    if let Err(err) = tokio::fs::remove_dir_all(&ingest).await
        && err.kind() != std::io::ErrorKind::NotFound
    {
        tracing::debug!("failed to remove ingest directory: {err}");
    }
    let Some(archive) = destination.archive else {
        return Ok(());
    };
    let output = options.output.clone();
    ctx.printer
        .println(&format!("Exporting to {}", output.display()))?;
    let layout = destination.layout.clone();
    let size = tokio::task::spawn_blocking(move || -> anyhow::Result<u64> {
        let mut archive = archive;
        tar_directory(&layout, archive.as_file_mut())?;
        archive.as_file().sync_all()?;
        let size = archive.as_file().metadata()?.len();
        archive.persist(&output).map_err(|err| err.error)?;
        Ok(size)
    })
    .await?
    .map_err(|err| {
        err.context(format!(
            "failed to create tar archive at {}",
            options.output.display()
        ))
    })?;
    ctx.printer
        .println(&text::exported(&options.output.to_string_lossy(), size))?;
    Ok(())
}

/// Writes the tree under `root` as an uncompressed ustar archive, as Go's
/// `tar.Writer.AddFS` does: entries in lexical order, names relative to
/// `root` with forward slashes and no `./` prefix, directories ending in
/// `/`; only directories and regular files (anything else is an error).
pub(crate) fn tar_directory(root: &Path, out: &mut std::fs::File) -> anyhow::Result<()> {
    let mut builder = tar::Builder::new(out);
    add_directory(&mut builder, root, "")?;
    builder.finish()?;
    Ok(())
}

/// Adds the entries of `dir` under `prefix`, each directory's contents
/// right after it (Go's `fs.WalkDir` order). A layout is a few levels
/// deep, so the recursion is shallow.
fn add_directory<W: std::io::Write>(
    builder: &mut tar::Builder<W>,
    dir: &Path,
    prefix: &str,
) -> anyhow::Result<()> {
    let mut entries: Vec<(String, PathBuf)> = std::fs::read_dir(dir)?
        .map(|entry| {
            let entry = entry?;
            Ok((
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            ))
        })
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    for (name, path) in entries {
        let relative = format!("{prefix}{name}");
        let meta = std::fs::symlink_metadata(&path)?;
        let mut header = tar::Header::new_ustar();
        header.set_metadata(&meta);
        if meta.is_dir() {
            let relative = format!("{relative}/");
            header.set_path(&relative)?;
            header.set_size(0);
            header.set_cksum();
            builder.append(&header, std::io::empty())?;
            add_directory(builder, &path, &relative)?;
        } else if meta.is_file() {
            header.set_path(&relative)?;
            header.set_cksum();
            builder.append(&header, std::fs::File::open(&path)?)?;
        } else {
            anyhow::bail!("tar: cannot add non-regular file {relative}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tar_names_are_relative_and_ordered() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("layout");
        std::fs::create_dir_all(root.join("blobs/sha256")).unwrap();
        std::fs::write(root.join("oci-layout"), b"{}").unwrap();
        std::fs::write(root.join("index.json"), b"{}").unwrap();
        std::fs::write(root.join("blobs/sha256/abc"), b"abc").unwrap();
        let tar_path = dir.path().join("out.tar");
        let mut file = std::fs::File::create(&tar_path).unwrap();
        tar_directory(&root, &mut file).unwrap();
        drop(file);
        let mut archive = tar::Archive::new(std::fs::File::open(&tar_path).unwrap());
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "blobs/",
                "blobs/sha256/",
                "blobs/sha256/abc",
                "index.json",
                "oci-layout"
            ]
        );
        let bytes = std::fs::read(&tar_path).unwrap();
        assert_eq!(&bytes[257..262], b"ustar");
    }
}
