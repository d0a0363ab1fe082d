//! `oras blob fetch` (alias `get`): download a blob, verified against its
//! digest (Go `root/blob/fetch.go`).

use std::path::PathBuf;

use clap::Args;
use oras_content::{Fetcher, Resolver};
use oras_spec::{Descriptor, media_type};
use tokio::io::AsyncReadExt;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect::blobs::{RemoteBlobs, parse_blob_digest};
use crate::connect::file_output::PendingFile;
use crate::connect::{self, CachedTarget};
use crate::error::{CliError, Result};
use crate::options::{Common, DescriptorOption, Pretty, Target, TargetOptions, Terminal};
use crate::output::status::{Event, Mode, new_status};
use crate::output::summary;

/// Usage facts of `oras blob fetch`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras blob fetch",
    usage: "oras blob fetch [flags] {--output <file> | --descriptor} <name>@<digest>",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Fetch a blob from a registry or an OCI image layout

Example - Fetch a blob from registry and save it to a local file:
  oras blob fetch --output blob.tar.gz localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5

Example - Fetch a blob from registry and print the raw blob content:
  oras blob fetch --output - localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5

Example - Fetch and print the descriptor of a blob:
  oras blob fetch --descriptor localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5

Example - Fetch a blob, save it to a local file and print the descriptor:
  oras blob fetch --output blob.tar.gz --descriptor localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5

Example - Fetch and print a blob from OCI image layout folder 'layout-dir':
  oras blob fetch --oci-layout --output - layout-dir@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5

Example - Fetch and print a blob from OCI image layout archive file 'layout.tar':
  oras blob fetch --oci-layout --output - layout.tar@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5";

/// Flags and arguments of `oras blob fetch`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Fetch a blob from a registry or an OCI image layout",
    override_usage = "oras blob fetch [flags] {--output <file> | --descriptor} <name>@<digest>",
    after_help = LONG,
)]
pub struct FetchArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// `--descriptor`.
    #[command(flatten)]
    pub descriptor: DescriptorOption,
    /// `--pretty`.
    #[command(flatten)]
    pub pretty: Pretty,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--no-tty`.
    #[command(flatten)]
    pub terminal: Terminal,
    /// Output file, or `-` for stdout.
    #[arg(
        short = 'o',
        long,
        value_name = "path",
        help = "output file path, use - for stdout"
    )]
    pub output: Option<String>,
    /// The blob.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras blob fetch` options.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Shared flags.
    pub common: Common,
    /// The blob (digest reference).
    pub target: Target,
    /// Output file; `Some("-")` is stdout.
    pub output: Option<PathBuf>,
    /// `--descriptor`.
    pub descriptor: bool,
    /// `--pretty`.
    pub pretty: bool,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
}

impl Command for FetchArgs {
    type Options = FetchOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments: `--output` and/or `--descriptor`;
    /// `-o -` excludes `--descriptor`.
    fn validate(self, env: &mut ValidateEnv) -> Result<FetchOptions> {
        INFO.check_args(&self.args, ArgCount::Exactly(1), "the target blob to fetch")?;
        if self.output.is_none() && !self.descriptor.descriptor {
            return Err(CliError::new(
                "either `--output` or `--descriptor` must be provided",
            ));
        }
        let to_stdout = self.output.as_deref() == Some("-");
        if to_stdout && self.descriptor.descriptor {
            return Err(CliError::new(
                "`--output -` cannot be used with `--descriptor` at the same time",
            ));
        }
        let target = self.target.parse(&self.args[0])?;
        target.ensure_reference(&INFO, false)?;
        self.common.report_to(env);
        Ok(FetchOptions {
            tty: self.terminal.use_tty_for(env, &self.common, to_stdout),
            common: self.common,
            target,
            output: self.output.map(PathBuf::from),
            descriptor: self.descriptor.descriptor,
            pretty: self.pretty.pretty,
        })
    }

    fn error_target(options: &FetchOptions) -> Option<&Target> {
        Some(&options.target)
    }

    /// Runs `oras blob fetch`: resolves the blob (`HEAD` on a registry),
    /// then, with `--output`, streams it to the file or stdout through a
    /// verifying reader, and prints the descriptor with `--descriptor`. A
    /// file is written under a temporary name and renamed into place only
    /// after the content verified, so a digest mismatch leaves no file
    /// (Go `root/blob/fetch.go`, which verifies with `content.NewVerifyReader`).
    async fn run(options: &FetchOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = &options.target;
        let digest = parse_blob_digest(&target.reference)?;
        let cache = connect::open_cache().await?;
        let (source, remote) = if target.is_layout() {
            (connect::open_read_target(target, ctx).await?, None)
        } else {
            let (source, blobs) = RemoteBlobs::open_for_read(target, ctx, &digest).await?;
            (source, Some(blobs))
        };
        let source = CachedTarget::new(source, cache);
        let desc = match &remote {
            Some(blobs) => blobs.resolve(&digest).await?,
            None => source.resolve(&target.reference).await?,
        };
        if let Some(path) = &options.output {
            download(options, ctx, &source, &desc, path).await?;
        }
        if options.descriptor {
            summary::descriptor(&ctx.printer, &desc, options.pretty)?;
        }
        Ok(())
    }
}

/// Streams `desc` to `path` (`-` is stdout), verifying size and digest.
async fn download(
    options: &FetchOptions,
    ctx: &Context,
    source: &CachedTarget,
    desc: &Descriptor,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let status = new_status(Mode::Fetch, options.tty, false, &ctx.printer, true);
    // The blob endpoint whatever type the registry reported (stores pick
    // the endpoint by media type).
    let mut blob = desc.clone();
    if media_type::is_manifest(&blob.media_type) {
        blob.media_type = media_type::OCTET_STREAM.to_owned();
    }
    let reader = source.fetch(&blob).await?;
    // A registry's stream is verified already and not hashed again; the
    // end of a verifying stream means size and digest matched.
    let mut verifying = reader.verified(desc);
    let mut file = if path.as_os_str() == "-" {
        None
    } else {
        Some(PendingFile::create(path)?)
    };
    status.event(Event::Started(desc))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut done = 0u64;
    loop {
        let n = verifying
            .read(&mut buf)
            .await
            .map_err(|err| oras_content::Error::from_io(format!("reading {}", desc.digest), err))?;
        if n == 0 {
            break;
        }
        match file.as_mut() {
            Some(file) => file.write(&buf[..n]).await?,
            None => ctx.printer.write_out(&buf[..n])?,
        }
        done += n as u64;
        status.event(Event::Progress(desc, done))?;
    }
    if let Some(file) = file {
        file.commit().await?;
    }
    status.event(Event::Done(desc))?;
    status.finish()?;
    Ok(())
}
