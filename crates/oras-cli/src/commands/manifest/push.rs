//! `oras manifest push`: push a manifest file or stdin (Go
//! `root/manifest/push.go`).

use bytes::Bytes;
use clap::Args;
use oras_content::{ErrorKind, MAX_METADATA_BYTES, Resolver};
use oras_copy::{TagBytesNOptions, tag_bytes, tag_bytes_n};
use oras_spec::{Descriptor, Digest};
use tokio::io::AsyncReadExt;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect::{self, TagListener, WriteTarget};
use crate::error::{CliError, Result, quote};
use crate::options::{
    Common, Concurrency5, DescriptorOption, DistributionSpecOption, Pretty, Target, TargetOptions,
};
use crate::output::status::{Event, Mode, StatusDisplay, TextStatus};
use crate::output::{summary, text};
use crate::parse::{split_multi_tag, validate_extra_tags};

/// Usage facts of `oras manifest push`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras manifest push",
    usage: "oras manifest push [flags] <name>[:<tag>[,<tag>][...]|@<digest>] <file>",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Push a manifest to a registry or an OCI image layout

Example - Push a manifest to repository 'localhost:5000/hello' and tag with 'v1':
  oras manifest push localhost:5000/hello:v1 manifest.json

Example - Push a manifest using a specific method for the Referrers API:
  oras manifest push --distribution-spec v1.1-referrers-api localhost:5000/hello:v1 manifest.json
  oras manifest push --distribution-spec v1.1-referrers-tag localhost:5000/hello:v1 manifest.json

Example - Push a manifest with content read from stdin:
  oras manifest push localhost:5000/hello:v1 -

Example - Push a manifest and output its descriptor:
  oras manifest push --descriptor localhost:5000/hello:v1 manifest.json

Example - Push a manifest to repository 'localhost:5000/hello' and output the prettified descriptor:
  oras manifest push --descriptor --pretty localhost:5000/hello manifest.json

Example - Push a manifest with specified media type to repository 'localhost:5000/hello' and tag with 'v1':
  oras manifest push --media-type application/vnd.cncf.oras.artifact.manifest.v1+json localhost:5000/hello:v1 oras_manifest.json

Example - Push a manifest to repository 'localhost:5000/hello' and tag with 'tag1', 'tag2', 'tag3':
  oras manifest push localhost:5000/hello:tag1,tag2,tag3 manifest.json

Example - Push a manifest to repository 'localhost:5000/hello' and tag with 'tag1', 'tag2', 'tag3' and concurrency level tuned:
  oras manifest push --concurrency 6 localhost:5000/hello:tag1,tag2,tag3 manifest.json

Example - Push a manifest to an OCI image layout folder 'layout-dir' and tag with 'v1':
  oras manifest push --oci-layout layout-dir:v1 manifest.json

Example - Push a manifest to an OCI image layout folder 'layout-dir' and tag with 'example.com:v1':
  oras manifest push example.com:v1 manifest.json --oci-layout-path layout-dir";

/// Flags and arguments of `oras manifest push`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Push a manifest to a registry or an OCI image layout",
    override_usage = "oras manifest push [flags] <name>[:<tag>[,<tag>][...]|@<digest>] <file>",
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
    /// `--distribution-spec`.
    #[command(flatten)]
    pub spec: DistributionSpecOption,
    /// The manifest's media type; otherwise read from its `mediaType` field.
    #[arg(long, value_name = "string", help = "media type of manifest")]
    pub media_type: Option<String>,
    /// `--concurrency`.
    #[command(flatten)]
    pub concurrency: Concurrency5,
    /// Destination and file.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras manifest push` options.
#[derive(Clone, Debug)]
pub struct PushOptions {
    /// Shared flags.
    pub common: Common,
    /// The destination (first tag or a digest to check against).
    pub target: Target,
    /// Tags after the first.
    pub extra_tags: Vec<String>,
    /// The manifest file; `-` is stdin.
    pub file: String,
    /// `--media-type`.
    pub media_type: Option<String>,
    /// `--descriptor`.
    pub descriptor: bool,
    /// `--pretty`.
    pub pretty: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl Command for PushArgs {
    type Options = PushOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<PushOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(2),
            "the destination to push to and the file to read manifest content from",
        )?;
        let file = self.args[1].clone();
        if file == "-" {
            self.target.remote.check_stdin_conflict()?;
        }
        let (raw, extra_tags) = split_multi_tag(&self.args[0]);
        let mut target = self.target.parse(&raw)?;
        validate_extra_tags(&extra_tags)?;
        target.remote.distribution_spec = self.spec.distribution_spec;
        if let Some(media_type) = &self.media_type {
            oras_spec::media_type::validate(media_type)
                .map_err(|err| CliError::new(err.to_string()))?;
        }
        self.common.report_to(env);
        Ok(PushOptions {
            common: self.common,
            target,
            extra_tags,
            file,
            media_type: self.media_type,
            descriptor: self.descriptor.descriptor,
            pretty: self.pretty.pretty,
            concurrency: self.concurrency.concurrency,
        })
    }

    fn error_target(options: &PushOptions) -> Option<&Target> {
        Some(&options.target)
    }

    /// Runs `oras manifest push` (Go `root/manifest/push.go`): reads the
    /// manifest (a file or stdin, at most 4 MiB), takes its media type from
    /// `--media-type` or its `mediaType` field, skips the upload ("Exists")
    /// when the reference already resolves to the same digest, otherwise
    /// pushes it under the reference (or its digest), then sets the extra
    /// tags. Always through the manifest endpoint on a registry, whatever the
    /// media type.
    async fn run(options: &PushOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = connect::open_write_target(&options.target, ctx).await?;
        let content = read_manifest(&options.file).await?;
        let media_type = match &options.media_type {
            Some(media_type) => media_type.clone(),
            None => extract_media_type(&content, &options.file)?,
        };
        let desc = Descriptor::from_bytes(&media_type, &content);
        let status = TextStatus::new(
            Mode::Push,
            ctx.printer.clone(),
            options.common.print_unnamed(),
        );
        let show = |event: Event<'_>| -> anyhow::Result<()> {
            if !options.descriptor {
                status.event(event)?;
            }
            Ok(())
        };
        let reference = match options.target.reference.as_str() {
            "" => desc.digest.to_string(),
            reference => reference.to_owned(),
        };
        if resolves_to(&target, &reference, &desc.digest).await? {
            show(Event::Exists(&desc))?;
        } else {
            show(Event::Started(&desc))?;
            tag_bytes(&target, &media_type, content.clone(), &reference).await?;
            show(Event::Done(&desc))?;
        }
        let tag_options = TagBytesNOptions {
            concurrency: options.concurrency,
        };
        if options.descriptor {
            if !options.extra_tags.is_empty() {
                tag_bytes_n(
                    &target,
                    &media_type,
                    content,
                    &options.extra_tags,
                    &tag_options,
                )
                .await?;
            }
            return summary::descriptor(&ctx.printer, &desc, options.pretty);
        }
        ctx.printer.println(&text::pushed_with_colon(
            &options.target.display_reference(),
        ))?;
        if !options.extra_tags.is_empty() {
            // `Tagged <tag>` as each tag lands (Go `listener.NewTaggedListener`).
            let printer = ctx.printer.clone();
            let listener = TagListener::new(&target, move |_, tag| {
                let _ = printer.println(&text::tagged(tag));
            });
            tag_bytes_n(
                &listener,
                &media_type,
                content,
                &options.extra_tags,
                &tag_options,
            )
            .await?;
        }
        ctx.printer.println(&text::digest_line(&desc.digest))?;
        Ok(())
    }
}

/// The manifest bytes of `file` (`-` is stdin), refused above 4 MiB (no
/// registry takes a larger manifest, and nothing is read without a cap).
async fn read_manifest(file: &str) -> anyhow::Result<Bytes> {
    // Go: `failed to read <file>: <op> <file>: <errno>` (`*fs.PathError`).
    let os_error = |op: &'static str| {
        move |err: std::io::Error| {
            CliError::new(format!(
                "failed to read {file}: {}",
                crate::error::path_error(op, file, &err)
            ))
        }
    };
    let read_error = |err: std::io::Error| {
        CliError::new(format!(
            "failed to read {file}: {}",
            crate::error::os_error_text(&err)
        ))
    };
    let limit = MAX_METADATA_BYTES;
    let mut content = Vec::new();
    if file == "-" {
        tokio::io::stdin()
            .take(limit + 1)
            .read_to_end(&mut content)
            .await
            .map_err(read_error)?;
    } else {
        tokio::fs::File::open(file)
            .await
            .map_err(os_error("open"))?
            .take(limit + 1)
            .read_to_end(&mut content)
            .await
            .map_err(os_error("read"))?;
    }
    if content.len() as u64 > limit {
        return Err(CliError::new(format!(
            "failed to read {file}: the manifest exceeds {limit} bytes"
        ))
        .into());
    }
    Ok(Bytes::from(content))
}

/// The `mediaType` field of the manifest JSON (Go `manifest.ExtractMediaType`).
fn extract_media_type(content: &[u8], file: &str) -> anyhow::Result<String> {
    #[derive(serde::Deserialize)]
    struct MediaTypeField {
        #[serde(default, rename = "mediaType")]
        media_type: String,
    }
    let parsed: MediaTypeField =
        serde_json::from_slice(content).map_err(|_| CliError::new("not a valid json file"))?;
    if parsed.media_type.is_empty() {
        return Err(CliError::new(format!(
            "media type is not specified via the flag \"--media-type\" nor in {}",
            quote(file)
        ))
        .with_usage(INFO.usage)
        .with_recommendation(
            r#"Please specify a valid media type in the manifest JSON or via the "--media-type" flag"#,
        )
        .into());
    }
    Ok(parsed.media_type)
}

/// Whether `reference` already names `digest` in `target` (Go `matchDigest`).
async fn resolves_to(
    target: &WriteTarget,
    reference: &str,
    digest: &Digest,
) -> anyhow::Result<bool> {
    match target.resolve(reference).await {
        Ok(found) => Ok(found.digest == *digest),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_from_the_manifest() {
        assert_eq!(
            extract_media_type(br#"{"mediaType":"a/b"}"#, "m.json").unwrap(),
            "a/b"
        );
        assert_eq!(
            extract_media_type(b"nope", "m.json")
                .unwrap_err()
                .to_string(),
            "not a valid json file"
        );
        let err = extract_media_type(br#"{"schemaVersion":2}"#, "m.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "media type is not specified via the flag \"--media-type\" nor in \"m.json\"\nUsage: oras manifest push [flags] <name>[:<tag>[,<tag>][...]|@<digest>] <file>\nPlease specify a valid media type in the manifest JSON or via the \"--media-type\" flag"
        );
    }
}
