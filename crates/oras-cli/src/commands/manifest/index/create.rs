//! `oras manifest index create` (alias `pack`, experimental): build an
//! index from manifests of one repository (Go `root/manifest/index/create.go`).

use std::path::PathBuf;

use clap::Args;
use oras_spec::{Descriptor, Index, media_type};

use super::entries::{
    Destination, Status, fetch_entry, index_bytes, prompt, push_index, short, write_index,
};
use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::error::{CliError, Result};
use crate::options::{AnnotationOptions, Common, Pretty, Target, TargetOptions};
use crate::output::text;
use crate::parse::{Annotations, split_multi_tag, validate_extra_tags};

/// Usage facts of `oras manifest index create`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras manifest index create",
    usage: "oras manifest index create [flags] <target>[:<tag[,<tag>][...]] <sources>[{<tag>|<digest>}...]",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
[Experimental] Create and push an index from provided manifests. All manifests should be in the same repository

Example - Create an index from source manifests tagged 'linux-amd64' and 'linux-arm64', and push without tagging:
  oras manifest index create localhost:5000/hello linux-amd64 linux-arm64

Example - Create an index from source manifests tagged 'linux-amd64' and 'linux-arm64', and push with the tag 'v1':
  oras manifest index create localhost:5000/hello:v1 linux-amd64 linux-arm64

Example - Create an index from source manifests using both tags and digests, and push with tag 'v1':
  oras manifest index create localhost:5000/hello:v1 linux-amd64 sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9

Example - Create an index and push it with multiple tags:
  oras manifest index create localhost:5000/hello:tag1,tag2,tag3 linux-amd64 linux-arm64 sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9

Example - Create and push an index with annotations:
  oras manifest index create localhost:5000/hello:v1 linux-amd64 --annotation \"key=val\"

Example - Create an index with a specified artifact type:
  oras manifest index create --artifact-type=\"application/vnd.example+type\" localhost:5000/hello linux-amd64

Example - Create an index and push to an OCI image layout folder 'layout-dir' and tag with 'v1':
  oras manifest index create layout-dir:v1 linux-amd64 sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9 --oci-layout

Example - Create an index and save it locally to index.json, auto push will be disabled:
  oras manifest index create localhost:5000/hello linux-amd64 linux-arm64 --output index.json

Example - Create an index and output the index to stdout, auto push will be disabled:
  oras manifest index create localhost:5000/hello linux-arm64 --output - --pretty";

/// Flags and arguments of `oras manifest index create`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "[Experimental] Create and push an index from provided manifests",
    override_usage = "oras manifest index create [flags] <target>[:<tag[,<tag>][...]] <sources>[{<tag>|<digest>}...]",
    after_help = LONG,
)]
pub struct CreateArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--pretty`.
    #[command(flatten)]
    pub pretty: Pretty,
    /// `-a`.
    #[command(flatten)]
    pub annotation: AnnotationOptions,
    /// The index's artifact type.
    #[arg(long, value_name = "string", help = "artifact type for overall index")]
    pub artifact_type: Option<String>,
    /// Write the index to a file or stdout instead of pushing it.
    #[arg(
        short = 'o',
        long,
        value_name = "path",
        help = "file path to write the created index to, use - for stdout"
    )]
    pub output: Option<String>,
    /// The index and its sources.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras manifest index create` options.
#[derive(Clone, Debug)]
pub struct CreateOptions {
    /// Shared flags.
    pub common: Common,
    /// Where the index goes (first tag in `reference`).
    pub target: Target,
    /// Tags after the first.
    pub extra_tags: Vec<String>,
    /// Source tags or digests in the same repository.
    pub sources: Vec<String>,
    /// Index annotations.
    pub annotations: Annotations,
    /// `--artifact-type`.
    pub artifact_type: Option<String>,
    /// `--output`; `Some("-")` is stdout.
    pub output: Option<PathBuf>,
    /// `--pretty`.
    pub pretty: bool,
}

impl Command for CreateArgs {
    type Options = CreateOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<CreateOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::AtLeast(1),
            "the destination index to create.",
        )?;
        let (raw, extra_tags) = split_multi_tag(&self.args[0]);
        let target = self.target.parse(&raw)?;
        validate_extra_tags(&extra_tags)?;
        let annotations = self.annotation.parse()?;
        if let Some(artifact_type) = &self.artifact_type {
            oras_spec::media_type::validate(artifact_type)
                .map_err(|_| CliError::new(format!("{artifact_type}: invalid media type")))?;
        }
        self.common.report_to(env);
        Ok(CreateOptions {
            common: self.common,
            target,
            extra_tags,
            sources: self.args[1..].to_vec(),
            annotations,
            artifact_type: self.artifact_type,
            output: self.output.map(PathBuf::from),
            pretty: self.pretty.pretty,
        })
    }

    fn error_target(options: &CreateOptions) -> Option<&Target> {
        Some(&options.target)
    }

    /// Runs `oras manifest index create` (Go `root/manifest/index/create.go`):
    /// fetches each source of the target's repository (or layout), builds an
    /// image index of their entries (platform from each image config,
    /// artifact types), then pushes and tags it, or with `--output` writes it
    /// to a file or stdout instead.
    async fn run(options: &CreateOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = connect::open_write_target(&options.target, ctx).await?;
        let status = Status::new(&ctx.printer, options.output.as_deref());
        let mut manifests = Vec::with_capacity(options.sources.len());
        for source in &options.sources {
            manifests.push(fetch_entry(&target, source, status).await?);
        }
        let mut index = Index::new(manifests);
        index.artifact_type = options.artifact_type.clone().unwrap_or_default();
        index.annotations = options.annotations.manifest();
        let bytes = index_bytes(&index)?;
        let desc = Descriptor::from_bytes(media_type::IMAGE_INDEX, &bytes);
        status.line(prompt::PACKED, &[&short(&desc), media_type::IMAGE_INDEX])?;
        match &options.output {
            Some(output) => write_index(&ctx.printer, output, &bytes, options.pretty).await?,
            None => {
                let destination = Destination {
                    reference: &options.target.reference,
                    extra_tags: &options.extra_tags,
                    display: options.target.display_reference(),
                };
                push_index(&target, &desc, &bytes, &destination, status, &ctx.printer).await?;
            }
        }
        if status.enabled() {
            ctx.printer.println(&text::digest_line(&desc.digest))?;
        }
        Ok(())
    }
}
