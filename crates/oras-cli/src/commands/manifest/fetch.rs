//! `oras manifest fetch` (aliases `get`, `show`): print a manifest or its
//! descriptor (Go `root/manifest/fetch.go`).

use std::path::PathBuf;

use clap::Args;
use oras_copy::{FetchBytesOptions, ResolveOptions, fetch_bytes, resolve};
use oras_spec::Platform;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect::endpoints::ReadOptions;
use crate::connect::file_output::write_bytes;
use crate::connect::open_cache;
use crate::connect::{self, CachedTarget};
use crate::error::{CliError, Result, check_mutually_exclusive, quote};
use crate::options::{
    Common, DescriptorOption, ManifestFormatOptions, OutputFormat, PlatformOption, Pretty, Target,
    TargetOptions, parse_platform,
};
use crate::output::summary;

/// Usage facts of `oras manifest fetch`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras manifest fetch",
    usage: "oras manifest fetch [flags] <name>{:<tag>|@<digest>}",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Fetch manifest of the target artifact

Example - Fetch raw manifest from a registry:
  oras manifest fetch localhost:5000/hello:v1

Example - Fetch the descriptor of a manifest from a registry:
  oras manifest fetch --descriptor localhost:5000/hello:v1

Example - [Experimental] Fetch the manifest digest from a registry similar to the resolve command:
  oras manifest fetch --format go-template --template '{{ .digest }}' localhost:5000/hello:v1

Example - [Experimental] Fetch manifest and output metadata encoded in JSON:
  oras manifest fetch localhost:5000/hello:v1 --format json

Example - Fetch manifest from a registry with specified media type:
  oras manifest fetch --media-type 'application/vnd.oci.image.manifest.v1+json' localhost:5000/hello:v1

Example - Fetch manifest from a registry with certain platform:
  oras manifest fetch --platform 'linux/arm/v5' localhost:5000/hello:v1

Example - Fetch manifest from a registry with prettified json result:
  oras manifest fetch --pretty localhost:5000/hello:v1

Example - Fetch raw manifest from an OCI image layout folder 'layout-dir':
  oras manifest fetch --oci-layout layout-dir:v1

Example - Fetch raw manifest from an OCI layout archive file 'layout.tar':
  oras manifest fetch --oci-layout layout.tar:v1

Example - Fetch raw manifest tagged 'example.com:v1' from an OCI image layout folder 'layout-dir':
  oras manifest fetch example.com:v1 --oci-layout-path layout-dir";

/// Flags and arguments of `oras manifest fetch`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Fetch manifest of the target artifact",
    override_usage = "oras manifest fetch [flags] <name>{:<tag>|@<digest>}",
    after_help = LONG,
)]
pub struct FetchArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// `--descriptor`.
    #[command(flatten)]
    pub descriptor: DescriptorOption,
    /// `--platform`.
    #[command(flatten)]
    pub platform: PlatformOption,
    /// `--pretty`.
    #[command(flatten)]
    pub pretty: Pretty,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--format`, `--template`.
    #[command(flatten)]
    pub format: ManifestFormatOptions,
    /// Accepted media types.
    #[arg(
        long,
        value_name = "strings",
        value_delimiter = ',',
        help = "accepted media types"
    )]
    pub media_type: Vec<String>,
    /// Output file, or `-` for stdout.
    #[arg(
        short = 'o',
        long,
        value_name = "path",
        help = "file path to write the fetched manifest to, use - for stdout"
    )]
    pub output: Option<String>,
    /// The manifest reference.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras manifest fetch` options.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Shared flags.
    pub common: Common,
    /// The manifest.
    pub target: Target,
    /// The platform to select from an index.
    pub platform: Option<Platform>,
    /// Accept header (remote only); empty means the default list.
    pub media_types: Vec<String>,
    /// Output file; `Some("-")` is stdout.
    pub output: Option<PathBuf>,
    /// `--descriptor`.
    pub descriptor: bool,
    /// `--pretty`.
    pub pretty: bool,
    /// Output format.
    pub format: OutputFormat,
}

impl Command for FetchArgs {
    type Options = FetchOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<FetchOptions> {
        INFO.check_args(&self.args, ArgCount::Exactly(1), "the manifest to fetch")?;
        let format_given = self.format.format.is_some();
        let to_stdout = self.output.as_deref() == Some("-");
        if to_stdout && format_given && self.format.format.as_deref() != Some("text") {
            return Err(CliError::new(format!(
                "`--output -` cannot be used with `--format {}` at the same time",
                self.format.format.as_deref().unwrap_or_default()
            )));
        }
        if to_stdout && self.descriptor.descriptor {
            return Err(CliError::new(
                "`--descriptor` cannot be used with `--output -` at the same time",
            ));
        }
        check_mutually_exclusive(&[("format", format_given), ("pretty", self.pretty.pretty)])?;
        check_mutually_exclusive(&[
            ("format", format_given),
            ("descriptor", self.descriptor.descriptor),
        ])?;
        let format = self.format.parse()?;
        let target = self.target.parse(&self.args[0])?;
        target.ensure_reference(&INFO, true)?;
        for media_type in &self.media_type {
            oras_spec::media_type::validate(media_type)
                .map_err(|err| CliError::new(err.to_string()))?;
        }
        self.common.report_to(env);
        Ok(FetchOptions {
            platform: parse_platform(self.platform.platform.as_deref())?,
            common: self.common,
            target,
            media_types: self.media_type,
            output: self.output.map(PathBuf::from),
            descriptor: self.descriptor.descriptor,
            pretty: self.pretty.pretty,
            format,
        })
    }

    fn error_target(options: &FetchOptions) -> Option<&Target> {
        Some(&options.target)
    }

    /// Runs `oras manifest fetch` (Go `root/manifest/fetch.go`): with
    /// `--descriptor` alone only resolves (with `--platform`, the matching
    /// manifest of an index); otherwise fetches the manifest (at most 4 MiB,
    /// verified), writes it to `--output` or stdout (text format), and prints
    /// the descriptor, or the JSON/template model with `content`.
    async fn run(options: &FetchOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = &options.target;
        let source = open_source(options, ctx).await?;
        let resolve_options = ResolveOptions {
            target_platform: options.platform.clone(),
            ..ResolveOptions::default()
        };
        let raw = quote(&target.raw_reference);
        if options.descriptor && options.output.is_none() {
            let desc = resolve(&source, &target.reference, &resolve_options)
                .await
                .map_err(|err| anyhow::Error::new(err).context(format!("failed to find {raw}")))?;
            return summary::descriptor(&ctx.printer, &desc, options.pretty);
        }
        let fetch_options = FetchBytesOptions {
            resolve: resolve_options,
            max_bytes: 0,
        };
        let (desc, content) = fetch_bytes(&source, &target.reference, &fetch_options)
            .await
            .map_err(|err| {
                anyhow::Error::new(err).context(format!("failed to fetch the content of {raw}"))
            })?;
        // The content goes out in the text format, or to a file in any format
        // (Go `NewManifestFetchHandler`); `--pretty` applies to stdout only.
        match options.output.as_deref() {
            Some(path) if path.as_os_str() != "-" => write_bytes(path, &content).await?,
            _ if options.format.is_text() => {
                summary::raw_json(&ctx.printer, &content, options.pretty)?
            }
            _ => {}
        }
        if options.format.is_text() {
            if options.descriptor {
                summary::descriptor(&ctx.printer, &desc, options.pretty)?;
            }
            return Ok(());
        }
        summary::manifest_fetched(&ctx.printer, &options.format, target, &desc, &content)
    }
}

/// The source: with `--media-type`, the repository asking for those types
/// only (Go sets `Repository.ManifestMediaTypes`); always behind
/// `ORAS_CACHE` when set.
async fn open_source(options: &FetchOptions, ctx: &Context) -> anyhow::Result<CachedTarget> {
    let target = &options.target;
    if options.media_types.is_empty() {
        return connect::open_cached_read_target(target, ctx).await;
    }
    if target.is_layout() {
        return Err(CliError::new(
            "`--media-type` cannot be used with `--oci-layout` at the same time",
        )
        .into());
    }
    let read = ReadOptions {
        manifest_media_types: options.media_types.clone(),
        ..ReadOptions::default()
    };
    let source = connect::target::open_remote_read_target(target, ctx, &read).await?;
    Ok(CachedTarget::new(source, open_cache().await?))
}
