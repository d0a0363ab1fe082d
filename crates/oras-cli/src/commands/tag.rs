//! `oras tag`: add tags to a manifest (Go `root/tag.go`).
//!
//! Beyond the Go CLI: `--delete` removes tags where the registry or layout
//! supports it (oras#1752): `oras tag --delete <name>:<tag> [<tag>…]`
//! removes the tag of the reference and the listed ones; with
//! `<name>@<digest>` at least one tag must be listed, and each must point
//! to that digest.

use clap::Args;

use std::sync::atomic::{AtomicBool, Ordering};

use oras_content::{Resolver, Untagger};
use oras_copy::{TagNOptions, tag_n};
use oras_spec::Descriptor;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect::{self, TagListener, WriteTarget};
use crate::error::quote;
use crate::error::{CliError, Result};
use crate::options::{Common, Concurrency5, Target, TargetOptions};
use crate::output::text;

/// Usage facts of `oras tag`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras tag",
    usage: "oras tag [flags] <name>{:<tag>|@<digest>} <new_tag> [...]",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Tag a manifest in a registry or an OCI image layout

Example - Tag the manifest 'v1.0.1' in 'localhost:5000/hello' to 'v1.0.2':
  oras tag localhost:5000/hello:v1.0.1 v1.0.2

Example - Tag the manifest with digest sha256:9463e0d192846bc994279417b50114606712d516aab45f4d8b31cbc6e46aad71 to 'v1.0.2'
  oras tag localhost:5000/hello@sha256:9463e0d192846bc994279417b50114606712d516aab45f4d8b31cbc6e46aad71 v1.0.2

Example - Tag the manifest 'v1.0.1' in 'localhost:5000/hello' to 'v1.0.2', 'latest'
  oras tag localhost:5000/hello:v1.0.1 v1.0.2 latest

Example - Tag the manifest 'v1.0.1' in 'localhost:5000/hello' to 'v1.0.1', 'v1.0.2', 'latest' with concurrency level tuned:
  oras tag --concurrency 1 localhost:5000/hello:v1.0.1 v1.0.2 latest

Example - Tag the manifest 'v1.0.1' to 'v1.0.2' in an OCI image layout folder 'layout-dir':
  oras tag --oci-layout layout-dir:v1.0.1 v1.0.2";

/// Flags and arguments of `oras tag`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Tag a manifest in a registry or an OCI image layout",
    override_usage = "oras tag [flags] <name>{:<tag>|@<digest>} <new_tag> [...]",
    after_help = LONG
)]
pub struct TagArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// Remove tags instead of adding them.
    #[arg(
        long,
        help = "delete the tag of the reference and the listed tags instead of adding them"
    )]
    pub delete: bool,
    /// `--concurrency`.
    #[command(flatten)]
    pub concurrency: Concurrency5,
    /// The manifest and the tags.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras tag` options.
#[derive(Clone, Debug)]
pub struct TagOptions {
    /// Shared flags.
    pub common: Common,
    /// The manifest to tag (or whose tags to delete).
    pub target: Target,
    /// Tags to add, or with `delete`, the tags to remove (including the
    /// reference's own tag).
    pub tags: Vec<String>,
    /// `--delete`.
    pub delete: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl Command for TagArgs {
    type Options = TagOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments; `oras tag list` is refused with a
    /// hint to use `oras repo tags`.
    fn validate(self, env: &mut ValidateEnv) -> Result<TagOptions> {
        if matches!(self.args.first().map(String::as_str), Some("list" | "ls")) {
            let container = if self.target.oci_layout {
                "an OCI image layout"
            } else {
                "a repository"
            };
            return Err(
                CliError::new("there is no \"list\" sub-command for \"oras tag\" command")
                    .with_usage(INFO.usage)
                    .with_recommendation(format!(
                        "If you want to list available tags in {container}, use \"oras repo tags\""
                    )),
            );
        }
        // Go 1.3.6: at least one new tag (our `--delete` needs only the
        // reference, whose own tag it removes).
        let least = if self.delete { 1 } else { 2 };
        INFO.check_args(
            &self.args,
            ArgCount::AtLeast(least),
            "the artifact to be retagged and the tags to be added",
        )?;
        let target = self.target.parse(&self.args[0]).map_err(|mut err| {
            if err.message.contains("invalid reference") {
                err.message = format!("unable to add tag for '{}': {}", self.args[0], err.message);
            }
            err
        })?;
        target.ensure_reference(&INFO, true)?;
        let mut tags: Vec<String> = self.args[1..].to_vec();
        if self.delete && !target.reference_is_digest() {
            tags.insert(0, target.reference.clone());
        }
        if self.delete && tags.is_empty() {
            return Err(
                CliError::new("no tag to delete: list the tags after a digest reference")
                    .with_usage(INFO.usage),
            );
        }
        self.common.report_to(env);
        Ok(TagOptions {
            common: self.common,
            target,
            tags,
            delete: self.delete,
            concurrency: self.concurrency.concurrency,
        })
    }

    fn error_target(options: &TagOptions) -> Option<&Target> {
        Some(&options.target)
    }

    /// Runs `oras tag` (Go `tagManifest`): `Tagging <kind> <path>@<digest>`
    /// once, then `Tagged <tag>` as each tag is set; with `--delete`, removes
    /// each tag and prints `Deleted <kind> <path>:<tag>`.
    async fn run(options: &TagOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = connect::open_write_target(&options.target, ctx).await?;
        if let Some(repository) = target.repository() {
            // Re-tagging a referrer must not touch the tag-schema index
            // (oras#1436): the Go CLI forces the capability on.
            repository
                .set_referrers_capability(true)
                .map_err(|err| CliError::new(err.to_string()))?;
        }
        if options.delete {
            return delete_tags(options, &target, ctx).await;
        }
        let kind_and_path = format!("[{}] {}", options.target.kind, options.target.path);
        let announced = AtomicBool::new(false);
        let printer = ctx.printer.clone();
        let tagged_printer = ctx.printer.clone();
        // Go text `TagHandler.OnTagging` prints `Tagging` once, before the
        // first tag is even tried.
        let listener = TagListener::new(&target, move |_: &Descriptor, tag: &str| {
            let _ = tagged_printer.println(&text::tagged(tag));
        })
        .with_on_tagging(|desc: &Descriptor, _: &str| {
            if !announced.swap(true, Ordering::SeqCst) {
                let _ = printer.println(&text::tagging(&kind_and_path, &desc.digest));
            }
        });
        tag_n(
            &listener,
            &options.target.reference,
            &options.tags,
            &TagNOptions {
                concurrency: options.concurrency,
                ..TagNOptions::default()
            },
        )
        .await
        .map_err(|err| mismatch_error(err.into(), &options.target))?;
        Ok(())
    }
}

/// A new tag naming another repository, said as oras-go's
/// `Repository.ParseReference` says it: `invalid reference: mismatch
/// between received "<ref>" and expected "<the repository's reference>"`,
/// the expected one with its tag or digest.
fn mismatch_error(err: anyhow::Error, target: &Target) -> anyhow::Error {
    // The remote error reaches here as text (the content error keeps its
    // message), so it is recognised by it.
    const RECEIVED: &str = "mismatch between received ";
    let received = err.chain().find_map(|cause| {
        let text = cause.to_string();
        let (_, rest) = text.split_once(RECEIVED)?;
        let (received, _) = rest.split_once(" and expected ")?;
        Some(received.to_owned())
    });
    let Some(received) = received else {
        return err;
    };
    let separator = if target.reference_is_digest() {
        '@'
    } else {
        ':'
    };
    let expected = format!("{}{separator}{}", target.path, target.reference);
    CliError::new(format!(
        "invalid reference: {RECEIVED}{received} and expected {expected:?}"
    ))
    .into()
}

/// `--delete`: an OCI layout untags; a registry is asked to `DELETE` the
/// manifest by tag (the distribution spec's optional tag deletion); a
/// registry that refuses says so.
async fn delete_tags(
    options: &TagOptions,
    target: &WriteTarget,
    ctx: &Context,
) -> anyhow::Result<()> {
    // The reference must resolve, so a typo is not reported as deleted.
    target.resolve(&options.target.reference).await?;
    for tag in &options.tags {
        match target {
            WriteTarget::Layout(store) => store.untag(tag).await?,
            WriteTarget::Registry(_) => delete_remote_tag(&options.target, tag, ctx).await?,
        }
        ctx.printer.println(&text::deleted(&format!(
            "[{}] {}:{tag}",
            options.target.kind, options.target.path
        )))?;
    }
    Ok(())
}

/// `DELETE /v2/<name>/manifests/<tag>`.
async fn delete_remote_tag(target: &Target, tag: &str, ctx: &Context) -> anyhow::Result<()> {
    let (registry, reference) = connect::endpoints::open_write_registry(target, ctx)?;
    let url = registry
        .base_url()
        .join(&format!("v2/{}/manifests/{tag}", reference.repository()))?;
    let request = http::Request::delete(url.as_str()).body(oras_remote::Body::empty())?;
    let response = registry
        .client()
        .send(request)
        .await
        .map_err(|err| anyhow::anyhow!("DELETE {}: {err}", url.path()))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    Err(CliError::new(format!(
        "failed to delete tag {}: the registry answered {status}; it may not support deleting tags",
        quote(tag)
    ))
    .into())
}
