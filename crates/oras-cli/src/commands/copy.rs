//! `oras cp` / `oras copy`: copy an artifact between registries and OCI
//! layouts (Go `root/cp.go`).

use std::sync::Arc;

use clap::Args;
use oras_content::ErrorKind;
use oras_copy::{CopyGraphOptions, ResolveOptions, TagNOptions};
use oras_spec::{Descriptor, Platform};

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect::graph::recursive_copy;
use crate::connect::{self, ReadTarget, TagListener, WriteTarget};
use crate::error::Result;
use crate::options::target::empty_tag_or_digest;
use crate::options::{
    BinaryTargetOptions, Common, Concurrency3, PlatformOption, Target, Terminal, parse_platform,
};
use crate::output::status::{Mode, StatusDisplay, new_status};
use crate::output::text;
use crate::parse::{split_multi_tag, validate_extra_tags};

/// Usage facts of `oras cp`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras cp",
    usage: "oras cp [flags] <from>{:<tag>|@<digest>} <to>[:<tag>[,<tag>][...]]",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Copy artifacts from one target to another. When copying an image index, all of its manifests will be copied

Example - Copy an artifact between registries:
  oras cp localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1

Example - Download an artifact into an OCI image layout folder:
  oras cp --to-oci-layout localhost:5000/net-monitor:v1 ./downloaded:v1

Example - Upload an artifact from an OCI image layout folder:
  oras cp --from-oci-layout ./to-upload:v1 localhost:5000/net-monitor:v1

Example - Upload an artifact from an OCI layout tar archive:
  oras cp --from-oci-layout ./to-upload.tar:v1 localhost:5000/net-monitor:v1

Example - Copy an artifact and its referrers:
  oras cp -r localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1

Example - Copy an artifact and referrers using specific methods for the Referrers API:
  oras cp -r --from-distribution-spec v1.1-referrers-api --to-distribution-spec v1.1-referrers-tag \\
    localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1

Example - Copy certain platform of an artifact:
  oras cp --platform linux/arm/v5 localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1

Example - Copy certain platforms of an artifact:
  oras cp --platform linux/amd64,linux/arm64,linux/arm/v7 localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1

Example - Copy an artifact with multiple tags:
  oras cp localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:tag1,tag2,tag3

Example - Copy an artifact with multiple tags with concurrency tuned:
  oras cp --concurrency 10 localhost:5000/net-monitor:v1 localhost:5000/net-monitor-copy:tag1,tag2,tag3

Example - Copy a multi-arch image to a destination that may be partially populated (e.g. a registry cache):
  oras cp --force localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1";

/// Flags and arguments of `oras cp`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Copy artifacts from one target to another",
    override_usage = "oras cp [flags] <from>{:<tag>|@<digest>} <to>[:<tag>[,<tag>][...]]",
    after_help = LONG,
    mut_arg("platform", |arg| arg.help("request platform in the form of os[/arch][/variant][:os_version], repeatable or comma-separated")),
)]
pub struct CopyArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// `--platform`.
    #[command(flatten)]
    pub platform: PlatformOption,
    /// `--from-*`, `--to-*`, `--resolve`.
    #[command(flatten)]
    pub targets: BinaryTargetOptions,
    /// `--no-tty`.
    #[command(flatten)]
    pub terminal: Terminal,
    /// Also copy referrers.
    #[arg(
        short = 'r',
        long,
        help = "[Preview] recursively copy the artifact and its referrer artifacts"
    )]
    pub recursive: bool,
    /// Re-copy content under manifests that already exist.
    #[arg(
        long,
        help = "force a deep traversal of the destination graph before tagging the root; useful when the destination is partially populated (e.g. by a registry cache)"
    )]
    pub force: bool,
    /// `--concurrency`.
    #[command(flatten)]
    pub concurrency: Concurrency3,
    /// Source and destination.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras cp` options.
#[derive(Clone, Debug)]
pub struct CopyOptions {
    /// Shared flags.
    pub common: Common,
    /// The source (tag or digest required).
    pub from: Target,
    /// The destination (first tag, if any, in `reference`).
    pub to: Target,
    /// Destination tags after the first.
    pub extra_tags: Vec<String>,
    /// The platform to select from an index.
    pub platform: Option<Platform>,
    /// `-r`.
    pub recursive: bool,
    /// `--force`.
    pub force: bool,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

impl Command for CopyArgs {
    type Options = CopyOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<CopyOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(2),
            "the source and destination for copying",
        )?;
        let (to_raw, extra_tags) = split_multi_tag(&self.args[1]);
        let (from, to) = self.targets.parse(&self.args[0], &to_raw)?;
        validate_extra_tags(&extra_tags)?;
        if from.reference.is_empty() {
            return Err(empty_tag_or_digest(&from.raw_reference, &INFO, true));
        }
        self.common.report_to(env);
        Ok(CopyOptions {
            tty: self.terminal.use_tty_for(env, &self.common, false),
            platform: parse_platform(self.platform.platform.as_deref())?,
            common: self.common,
            from,
            to,
            extra_tags,
            recursive: self.recursive,
            force: self.force,
            concurrency: self.concurrency.concurrency,
        })
    }

    /// Runs `oras cp` (Go `runCopy`): copies the graph the source names to
    /// the destination (with `-r` also its referrers, those of an index's
    /// children included), tags it with the destination's tags, and prints
    /// `Copied [kind] <from> => [kind] <to>` and `Digest:`.
    async fn run(options: &CopyOptions, ctx: &Context) -> anyhow::Result<()> {
        let src = connect::open_read_target(&options.from, ctx).await?;
        let dst = connect::open_write_target(&options.to, ctx).await?;
        let status = new_status(
            Mode::Copy,
            options.tty,
            true,
            &ctx.printer,
            options.common.print_unnamed(),
        );
        let plan = Plan {
            options,
            src: &src,
            dst: &dst,
            status: status.clone(),
        };
        let result = plan
            .copy_with_mount_retry(mount_point(options, &src, &dst))
            .await;
        let _ = status.finish();
        let root = result
            .map_err(|err| connect::copy_error(err, &options.from, &options.to, INFO.path))?;

        ctx.printer.println(&text::copied(
            &source_display(&options.from, &root),
            &options.to.display_reference(),
        ))?;
        if !options.extra_tags.is_empty() {
            let tag_options = TagNOptions {
                concurrency: options.concurrency,
                ..TagNOptions::default()
            };
            // Each tag is reported as it lands (Go `listener.NewTaggedListener`).
            let printer = ctx.printer.clone();
            let listener = TagListener::new(&dst, move |_, tag| {
                let _ = printer.println(&text::tagged(tag));
            });
            oras_copy::tag_n(
                &listener,
                &options.to.reference,
                &options.extra_tags,
                &tag_options,
            )
            .await
            .map_err(|err| connect::target_error(err.into(), &options.to, INFO.path))?;
        }
        ctx.printer.println(&text::digest_line(&root.digest))?;
        Ok(())
    }
}

/// The source as the summary shows it: when the source was named by a
/// digest that is not the one copied (a platform was selected), the
/// reference is corrected to `<path>@<copied digest>` (Go `runCopy`).
fn source_display(from: &Target, root: &Descriptor) -> String {
    if from.reference_is_digest() && from.reference != root.digest.to_string() {
        let mut corrected = from.clone();
        corrected.raw_reference = format!("{}@{}", from.path, root.digest);
        return corrected.display_reference();
    }
    from.display_reference()
}

/// The repository to mount blobs from: only when both sides are
/// repositories of the same registry and the command line gave both the
/// same credential (Go `getMountPoint`, oras#1903).
///
/// `--force` never mounts: Go wraps the destination in
/// `contentutil.TraversingTarget`, which does not implement
/// `registry.Mounter`, so oras-go's `copyGraph` copies every missing blob.
fn mount_point(options: &CopyOptions, src: &ReadTarget, dst: &WriteTarget) -> Option<String> {
    if options.force {
        return None;
    }
    let (Some(from), Some(to)) = (src.repository(), dst.repository()) else {
        return None;
    };
    let same_credential = options.from.remote.username.as_deref().unwrap_or_default()
        == options.to.remote.username.as_deref().unwrap_or_default()
        && options.from.remote.secret == options.to.remote.secret;
    (from.registry() == to.registry() && same_credential).then(|| from.name().to_owned())
}

/// One copy, as the flags ask for it.
struct Plan<'a> {
    options: &'a CopyOptions,
    src: &'a ReadTarget,
    dst: &'a WriteTarget,
    status: Arc<dyn StatusDisplay>,
}

impl Plan<'_> {
    /// Copies, mounting from `mount_from` when given; a mount the registry
    /// refuses with 401 or 403 makes the whole copy run again without
    /// mounting (oras#1924).
    async fn copy_with_mount_retry(
        &self,
        mount_from: Option<String>,
    ) -> anyhow::Result<Descriptor> {
        let mounting = mount_from.is_some();
        match self.copy(mount_from).await {
            Err(err) if mounting && is_refused_mount(&err) => self.copy(None).await,
            other => other,
        }
    }

    async fn copy(&self, mount_from: Option<String>) -> anyhow::Result<Descriptor> {
        let options = self.options;
        let mut graph = connect::progress::with_status(
            CopyGraphOptions::default().with_concurrency(options.concurrency),
            self.status.clone(),
        );
        graph.force = options.force;
        if let Some(repository) = mount_from {
            graph = graph.with_mount_from(move |_| {
                let repository = repository.clone();
                async move { Ok(vec![repository]) }
            });
        }
        let from = &options.from.reference;
        let to = &options.to.reference;
        if options.recursive || to.is_empty() {
            let resolve_options = ResolveOptions {
                target_platform: options.platform.clone(),
                max_metadata_bytes: 0,
            };
            let root = oras_copy::resolve(self.src, from, &resolve_options)
                .await
                .map_err(|err| {
                    anyhow::Error::new(err).context(format!("failed to resolve {from}"))
                })?;
            if options.recursive {
                recursive_copy(self.src, self.dst, &root, to, graph).await?;
            } else {
                oras_copy::copy_graph(self.src, self.dst, &root, &graph).await?;
            }
            return Ok(root);
        }
        let mut copy_options = oras_copy::CopyOptions::new(graph);
        if let Some(platform) = &options.platform {
            copy_options = copy_options.with_target_platform(platform.clone());
        }
        Ok(oras_copy::copy(self.src, from, self.dst, to, &copy_options).await?)
    }
}

/// Whether `err` is a mount the destination refused for lack of rights.
fn is_refused_mount(err: &anyhow::Error) -> bool {
    connect::errors::causes(err).into_iter().any(|cause| {
        let copy = cause.downcast_ref::<oras_copy::CopyError>().or_else(|| {
            cause
                .downcast_ref::<oras_copy::Error>()
                .and_then(oras_copy::Error::as_copy_error)
        });
        copy.is_some_and(|c| {
            c.op == "Mount" && matches!(c.kind(), ErrorKind::Unauthorized | ErrorKind::Denied)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::TargetOptions;
    use oras_copy::Origin;

    #[test]
    fn digest_source_is_corrected_after_platform_selection() {
        let index = Descriptor::from_bytes(oras_spec::media_type::IMAGE_INDEX, b"index");
        let child = Descriptor::from_bytes(oras_spec::media_type::IMAGE_MANIFEST, b"child");
        let from = TargetOptions::default()
            .parse(&format!("localhost:5000/a@{}", index.digest))
            .unwrap();
        assert_eq!(
            source_display(&from, &child),
            format!("[registry] localhost:5000/a@{}", child.digest)
        );
        assert_eq!(
            source_display(&from, &index),
            format!("[registry] localhost:5000/a@{}", index.digest)
        );
        let tagged = TargetOptions::default()
            .parse("localhost:5000/a:v1")
            .unwrap();
        assert_eq!(
            source_display(&tagged, &child),
            "[registry] localhost:5000/a:v1"
        );
    }

    #[test]
    fn refused_mounts_are_recognised() {
        let refused = oras_copy::CopyError::new(
            "Mount",
            Origin::Destination,
            oras_content::Error::external(ErrorKind::Denied, "denied"),
        );
        assert!(is_refused_mount(&anyhow::Error::new(
            oras_copy::Error::from(refused)
        )));
        let other = oras_copy::CopyError::new(
            "Push",
            Origin::Destination,
            oras_content::Error::external(ErrorKind::Denied, "denied"),
        );
        assert!(!is_refused_mount(&anyhow::Error::new(other)));
    }
}
