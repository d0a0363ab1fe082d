//! `oras blob push`: upload a file or stdin as a blob (Go `root/blob/push.go`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use clap::Args;
use oras_content::{BlobReader, Pusher, ReadOnlyStorage};
use oras_remote::BlobSource;
use oras_spec::{Algorithm, Descriptor, Digest, media_type};
use tokio::io::AsyncReadExt;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect::blobs::digest_error_text;
use crate::connect::{self, WriteTarget};
use crate::error::{CliError, Result, quote};
use crate::options::{Common, DescriptorOption, Pretty, Target, TargetOptions, Terminal};
use crate::output::status::{DiscardStatus, Event, Mode, StatusDisplay, new_status};
use crate::output::{summary, text};

/// Usage facts of `oras blob push`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras blob push",
    usage: "oras blob push [flags] <name>[@digest] <file>",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Push a blob to a registry or an OCI image layout

Example - Push blob 'hi.txt' to a registry:
  oras blob push localhost:5000/hello hi.txt

Example - Push blob 'hi.txt' with the specific digest:
  oras blob push localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5 hi.txt

Example - Push blob from stdin with blob size and digest:
  oras blob push --size 12 localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5 -

Example - Push blob 'hi.txt' and output the descriptor:
  oras blob push --descriptor localhost:5000/hello hi.txt

Example - Push blob 'hi.txt' with the specific returned media type in the descriptor:
  oras blob push --media-type application/vnd.oci.image.config.v1+json --descriptor localhost:5000/hello hi.txt

Example - Push blob 'hi.txt' and output the prettified descriptor:
  oras blob push --descriptor --pretty localhost:5000/hello hi.txt

Example - Push blob without TLS:
  oras blob push --insecure localhost:5000/hello hi.txt

Example - Push blob 'hi.txt' into an OCI image layout folder 'layout-dir':
  oras blob push --oci-layout layout-dir hi.txt";

/// Flags and arguments of `oras blob push`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Push a blob to a registry or an OCI image layout",
    override_usage = "oras blob push [flags] <name>[@digest] <file>",
    after_help = LONG
)]
pub struct PushArgs {
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
    /// Size of the blob (required for stdin).
    #[arg(long, value_name = "int", help = "provide the blob size (default -1)")]
    pub size: Option<u64>,
    /// Media type of the printed descriptor.
    #[arg(
        long,
        value_name = "string",
        default_value = media_type::IMAGE_LAYER,
        help = "specify the returned media type in the descriptor if --descriptor is used"
    )]
    pub media_type: String,
    /// Destination and file.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras blob push` options.
#[derive(Clone, Debug)]
pub struct PushOptions {
    /// Shared flags.
    pub common: Common,
    /// The repository, with the expected digest if given.
    pub target: Target,
    /// The file; `-` is stdin.
    pub file: String,
    /// `--size`.
    pub size: Option<u64>,
    /// `--media-type`.
    pub media_type: String,
    /// `--descriptor`.
    pub descriptor: bool,
    /// `--pretty`.
    pub pretty: bool,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
}

impl Command for PushArgs {
    type Options = PushOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments: stdin needs `--size` and a digest.
    fn validate(self, env: &mut ValidateEnv) -> Result<PushOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(2),
            "the destination to push to and the file to read blob content from",
        )?;
        let file = self.args[1].clone();
        if file == "-" {
            self.target.remote.check_stdin_conflict()?;
            if self.size.is_none() {
                return Err(CliError::new(
                    "`--size` must be provided if the blob is read from stdin",
                ));
            }
        }
        let target = self.target.parse(&self.args[0])?;
        if file == "-" && !target.reference_is_digest() {
            return Err(CliError::new(
                "`--size` and digest must be provided if the blob is read from stdin",
            )
            .with_usage(INFO.usage));
        }
        self.common.report_to(env);
        Ok(PushOptions {
            tty: self.terminal.use_tty_for(env, &self.common, false),
            common: self.common,
            target,
            file,
            size: self.size,
            media_type: self.media_type,
            descriptor: self.descriptor.descriptor,
            pretty: self.pretty.pretty,
        })
    }

    fn error_target(options: &PushOptions) -> Option<&Target> {
        Some(&options.target)
    }

    /// Runs `oras blob push`: describes the content (the file's size and
    /// digest, or `--size` and the reference's digest for stdin), asks the
    /// target whether it has the blob (`HEAD`, "Exists"), otherwise streams
    /// it there in constant memory (Go `root/blob/push.go`). A file pushed to
    /// a registry is reopenable, so an interrupted chunked upload resumes.
    async fn run(options: &PushOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = connect::open_write_target(&options.target, ctx).await?;
        let (desc, input) = prepare(options).await?;
        let status: Arc<dyn StatusDisplay> = if options.descriptor {
            Arc::new(DiscardStatus)
        } else {
            new_status(
                Mode::Push,
                options.tty,
                true,
                &ctx.printer,
                options.common.print_unnamed(),
            )
        };
        if target.exists(&desc).await? {
            status.event(Event::Exists(&desc))?;
        } else {
            status.event(Event::Started(&desc))?;
            upload(&target, &desc, input, &status).await?;
            status.event(Event::Done(&desc))?;
        }
        status.finish()?;
        if options.descriptor {
            return summary::descriptor(&ctx.printer, &desc, options.pretty);
        }
        ctx.printer.println(&text::pushed_with_colon(
            &options.target.display_reference(),
        ))?;
        ctx.printer.println(&text::digest_line(&desc.digest))?;
        Ok(())
    }
}

/// Where the blob content comes from.
enum Input {
    Stdin,
    File(PathBuf),
}

/// The descriptor of the content (Go `file.PrepareBlobContent`): a given
/// digest is trusted (the push verifies it), a file's digest is computed
/// by streaming it, a given `--size` must match the file's.
async fn prepare(options: &PushOptions) -> anyhow::Result<(Descriptor, Input)> {
    let digest = match options.target.reference.as_str() {
        "" => None,
        // Go `file.PrepareBlobContent`: `invalid digest <ref>: <go-digest error>`.
        reference => Some(reference.parse::<Digest>().map_err(|err| {
            CliError::new(format!(
                "invalid digest {reference}: {}",
                digest_error_text(err)
            ))
        })?),
    };
    if options.file == "-" {
        let (Some(size), Some(digest)) = (options.size, digest) else {
            return Err(CliError::new(
                "`--size` and digest must be provided if the blob is read from stdin",
            )
            .into());
        };
        return Ok((
            Descriptor::new(options.media_type.clone(), digest, size),
            Input::Stdin,
        ));
    }
    let path = PathBuf::from(&options.file);
    let metadata = tokio::fs::metadata(&path)
        .await
        // Go: `failed to open <file>: open <file>: <errno>`.
        .map_err(|err| {
            CliError::new(format!(
                "failed to open {}: {}",
                options.file,
                crate::error::path_error("open", &options.file, &err)
            ))
        })?;
    let actual = metadata.len();
    if let Some(size) = options.size
        && size != actual
    {
        return Err(CliError::new(format!(
            "input size {size} does not match the actual content size {actual}"
        ))
        .into());
    }
    let digest = match digest {
        Some(digest) => digest,
        None => digest_file(&path).await?,
    };
    Ok((
        Descriptor::new(options.media_type.clone(), digest, actual),
        Input::File(path),
    ))
}

/// The SHA-256 digest of the file at `path`, read in 64 KiB steps.
async fn digest_file(path: &Path) -> anyhow::Result<Digest> {
    let mut file = tokio::fs::File::open(path).await.map_err(|err| {
        CliError::new(format!(
            "failed to open {}: {}",
            path.display(),
            crate::error::path_error("open", path, &err)
        ))
    })?;
    let mut digester = Algorithm::Sha256.digester();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .await
            // Go returns the read's `*fs.PathError` as it is.
            .map_err(|err| CliError::new(crate::error::path_error("read", path, &err)))?;
        if n == 0 {
            break;
        }
        digester.update(&buf[..n]);
    }
    Ok(digester.finish())
}

/// Streams the content to the target, reporting bytes to `status`.
async fn upload(
    target: &WriteTarget,
    desc: &Descriptor,
    input: Input,
    status: &Arc<dyn StatusDisplay>,
) -> anyhow::Result<()> {
    match input {
        Input::Stdin => {
            let reader = counting(BlobReader::new(tokio::io::stdin()), desc, status);
            target.push(desc, reader).await?;
        }
        Input::File(path) => {
            let source = ProgressFile {
                path,
                desc: desc.clone(),
                status: status.clone(),
            };
            match target {
                WriteTarget::Registry(repository) => repository.push_from(desc, &source).await?,
                WriteTarget::Layout(store) => store.push(desc, source.open().await?).await?,
            }
        }
    }
    Ok(())
}

/// A file that reports what was read from it as progress.
struct ProgressFile {
    path: PathBuf,
    desc: Descriptor,
    status: Arc<dyn StatusDisplay>,
}

#[async_trait]
impl BlobSource for ProgressFile {
    async fn open(&self) -> oras_content::Result<BlobReader> {
        let file = tokio::fs::File::open(&self.path).await.map_err(|err| {
            oras_content::Error::io(
                format!("opening {}", quote(&self.path.to_string_lossy())),
                err,
            )
        })?;
        Ok(counting(
            BlobReader::from_file(file.into_std().await),
            &self.desc,
            &self.status,
        ))
    }
}

/// `inner`, reporting the bytes read through it as progress.
fn counting(inner: BlobReader, desc: &Descriptor, status: &Arc<dyn StatusDisplay>) -> BlobReader {
    let desc = desc.clone();
    let status = status.clone();
    let mut read = 0u64;
    inner.inspect(move |chunk| {
        read += chunk.len() as u64;
        let _ = status.event(Event::Progress(&desc, read));
    })
}
