//! `oras manifest fetch-config` (alias `get-config`): print the config of
//! an image manifest (Go `root/manifest/fetch_config.go`).

use std::path::PathBuf;

use clap::Args;
use oras_content::{MAX_METADATA_BYTES, fetch_all};
use oras_copy::{FetchBytesOptions, ResolveOptions, fetch_bytes};
use oras_spec::{Manifest, Platform};

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::connect::descriptor::is_image_manifest;
use crate::connect::file_output::write_bytes;
use crate::error::{CliError, Result, quote};
use crate::options::{
    Common, DescriptorOption, PlatformOption, Pretty, Target, TargetOptions, parse_platform,
};
use crate::output::summary;

/// Usage facts of `oras manifest fetch-config`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras manifest fetch-config",
    usage: "oras manifest fetch-config [flags] <name>{:<tag>|@<digest>}",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Fetch the config of a manifest from a registry or an OCI image layout

Example - Fetch the config:
  oras manifest fetch-config localhost:5000/hello:v1

Example - Fetch the config of certain platform:
  oras manifest fetch-config --platform 'linux/arm/v5' localhost:5000/hello:v1

Example - Fetch and print the prettified config:
  oras manifest fetch-config --pretty localhost:5000/hello:v1

Example - Fetch the config and save it to a local file:
  oras manifest fetch-config --output config.json localhost:5000/hello:v1

Example - Fetch the descriptor of the config:
  oras manifest fetch-config --descriptor localhost:5000/hello:v1

Example - Fetch and print the prettified descriptor of the config:
  oras manifest fetch-config --descriptor --pretty localhost:5000/hello:v1";

/// Flags and arguments of `oras manifest fetch-config`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Fetch the config of a manifest from a registry or an OCI image layout",
    override_usage = "oras manifest fetch-config [flags] <name>{:<tag>|@<digest>}",
    after_help = LONG,
)]
pub struct FetchConfigArgs {
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
    /// Output file, or `-` for stdout.
    #[arg(
        short = 'o',
        long,
        value_name = "path",
        help = "file path to write the fetched config to, use - for stdout"
    )]
    pub output: Option<String>,
    /// The manifest reference.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras manifest fetch-config` options.
#[derive(Clone, Debug)]
pub struct FetchConfigOptions {
    /// Shared flags.
    pub common: Common,
    /// The manifest whose config is fetched.
    pub target: Target,
    /// The platform to select from an index.
    pub platform: Option<Platform>,
    /// Output file; `Some("-")` is stdout.
    pub output: Option<PathBuf>,
    /// `--descriptor`.
    pub descriptor: bool,
    /// `--pretty`.
    pub pretty: bool,
}

impl Command for FetchConfigArgs {
    type Options = FetchConfigOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<FetchConfigOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the manifest config to fetch",
        )?;
        if self.output.as_deref() == Some("-") && self.descriptor.descriptor {
            return Err(CliError::new(
                "`--output -` cannot be used with `--descriptor` at the same time",
            ));
        }
        let target = self.target.parse(&self.args[0])?;
        target.ensure_reference(&INFO, true)?;
        self.common.report_to(env);
        Ok(FetchConfigOptions {
            platform: parse_platform(self.platform.platform.as_deref())?,
            common: self.common,
            target,
            output: self.output.map(PathBuf::from),
            descriptor: self.descriptor.descriptor,
            pretty: self.pretty.pretty,
        })
    }

    fn error_target(options: &FetchConfigOptions) -> Option<&Target> {
        Some(&options.target)
    }

    /// Runs `oras manifest fetch-config` (Go `root/manifest/fetch_config.go`):
    /// fetches the manifest (with `--platform`, the matching one of an
    /// index), which must be an image manifest, then its config (at most
    /// 4 MiB, verified) to stdout or `--output`, and/or the config's
    /// descriptor.
    async fn run(options: &FetchConfigOptions, ctx: &Context) -> anyhow::Result<()> {
        let source = connect::open_cached_read_target(&options.target, ctx).await?;
        let fetch_options = FetchBytesOptions {
            resolve: ResolveOptions {
                target_platform: options.platform.clone(),
                ..ResolveOptions::default()
            },
            max_bytes: 0,
        };
        let (desc, content) =
            fetch_bytes(&source, &options.target.reference, &fetch_options).await?;
        if !is_image_manifest(&desc) {
            return Err(CliError::new(format!(
                "{} is not an image manifest and does not have a config",
                quote(&desc.digest.to_string())
            ))
            .into());
        }
        let manifest: Manifest = serde_json::from_slice(&content)
            .map_err(|err| CliError::new(format!("invalid manifest {}: {err}", desc.digest)))?;
        let config = manifest.config;
        if !options.descriptor || options.output.is_some() {
            let bytes = fetch_all(&source, &config, MAX_METADATA_BYTES).await?;
            match options.output.as_deref() {
                Some(path) if path.as_os_str() != "-" => write_bytes(path, &bytes).await?,
                _ => summary::raw_json(&ctx.printer, &bytes, options.pretty)?,
            }
        }
        if options.descriptor {
            summary::descriptor(&ctx.printer, &config, options.pretty)?;
        }
        Ok(())
    }
}
