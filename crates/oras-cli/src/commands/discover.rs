//! `oras discover`: list the referrers of a manifest, recursively (Go
//! `root/discover.go`).

use std::collections::HashSet;

use clap::Args;
use oras_content::ReadOnlyGraphStorage;
use oras_copy::ResolveOptions;
use oras_spec::{Descriptor, Digest, Platform};

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::error::{CliError, Result};
use crate::options::{
    Common, DiscoverFormatOptions, DistributionSpecOption, OutputFormat, PlatformOption, Target,
    TargetOptions, parse_platform,
};
use crate::output::summary;

/// Usage facts of `oras discover`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras discover",
    usage: "oras discover [flags] <name>{:<tag>|@<digest>}",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
[Preview] Discover referrers of a manifest in a registry or an OCI image layout

** This command is in preview and under development. **

Example - Discover referrers of manifest 'hello:v1' in registry 'localhost:5000', displayed in a tree view:
  oras discover localhost:5000/hello:v1

Example - Discover referrers via referrers API:
  oras discover --distribution-spec v1.1-referrers-api localhost:5000/hello:v1

Example - Discover referrers via tag scheme:
  oras discover --distribution-spec v1.1-referrers-tag localhost:5000/hello:v1

Example - [Experimental] Discover referrers and display in a table view:
  oras discover localhost:5000/hello:v1 --format table

Example - [Experimental] Discover referrers and format output with Go template:
  oras discover localhost:5000/hello:v1 --format go-template --template \"{{.referrers}}\"

Example - [Experimental] Discover only direct referrers, displayed in json view:
  oras discover localhost:5000/hello:v1 --format json --depth 1

Example - Discover referrers with type 'test-artifact' of manifest 'hello:v1' in registry 'localhost:5000':
  oras discover --artifact-type test-artifact localhost:5000/hello:v1

Example - Discover referrers of the manifest tagged 'v1' in an OCI image layout folder 'layout-dir':
  oras discover --oci-layout layout-dir:v1

Example - Discover referrers of the manifest tagged 'example.com:v1' in an OCI image layout folder 'layout-dir':
  oras discover example.com:v1 --oci-layout-path layout-dir";

/// Flags and arguments of `oras discover`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "[Preview] Discover referrers of a manifest in a registry or an OCI image layout",
    override_usage = "oras discover [flags] <name>{:<tag>|@<digest>}",
    after_help = LONG
)]
pub struct DiscoverArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// `--platform`.
    #[command(flatten)]
    pub platform: PlatformOption,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--distribution-spec`.
    #[command(flatten)]
    pub spec: DistributionSpecOption,
    /// `--format`, `--template`, deprecated `-o`.
    #[command(flatten)]
    pub format: DiscoverFormatOptions,
    /// Disable colours.
    #[arg(long, value_name = "bool", num_args = 0..=1, require_equals = true, default_missing_value = "true", hide_possible_values = true, help = "[Preview] disable colors")]
    pub no_tty: Option<bool>,
    /// Only referrers of this artifact type.
    #[arg(long, value_name = "string", help = "artifact type")]
    pub artifact_type: Option<String>,
    /// Levels of referrers to show.
    #[arg(
        long,
        value_name = "int",
        allow_negative_numbers = true,
        help = "[Experimental] level of referrers to display, if unused shows referrers of all levels"
    )]
    pub depth: Option<i64>,
    /// The subject.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras discover` options.
#[derive(Clone, Debug)]
pub struct DiscoverOptions {
    /// Shared flags.
    pub common: Common,
    /// The subject.
    pub target: Target,
    /// The platform to select from an index.
    pub platform: Option<Platform>,
    /// Output format (tree by default).
    pub format: OutputFormat,
    /// Whether to colour the tree (stderr and stdout are terminals).
    pub color: bool,
    /// Referrer artifact type filter (empty: all).
    pub artifact_type: String,
    /// Depth limit; `None` is unlimited (table always uses 1).
    pub depth: Option<usize>,
}

impl Command for DiscoverArgs {
    type Options = DiscoverOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<DiscoverOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the target artifact to discover referrers from",
        )?;
        let mut depth = match self.depth {
            Some(d) if d < 1 => return Err(CliError::new("depth value should be at least 1")),
            Some(d) => Some(usize::try_from(d).unwrap_or(usize::MAX)),
            None => None,
        };
        let format = self.format.parse(&mut env.notes)?;
        if format == OutputFormat::Table {
            depth = Some(1);
        }
        let mut target = self.target.parse(&self.args[0])?;
        target.remote.distribution_spec = self.spec.distribution_spec;
        target.ensure_reference(&INFO, true)?;
        let color = env.stderr_is_tty && !self.common.debug && self.no_tty != Some(true);
        self.common.report_to(env);
        Ok(DiscoverOptions {
            platform: parse_platform(self.platform.platform.as_deref())?,
            common: self.common,
            target,
            format,
            color,
            artifact_type: self.artifact_type.unwrap_or_default(),
            depth,
        })
    }

    /// Runs `oras discover` (Go `runDiscover`): resolves the subject (with
    /// `--platform`, the matching child of an index), then lists its
    /// referrers recursively and prints them in the chosen format.
    async fn run(options: &DiscoverOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = &options.target;
        let src = connect::open_read_target(target, ctx).await?;
        let resolve_options = ResolveOptions {
            target_platform: options.platform.clone(),
            max_metadata_bytes: 0,
        };
        let found = async {
            let subject = oras_copy::resolve(&src, &target.reference, &resolve_options).await?;
            let found =
                all_referrers(&src, &subject, &options.artifact_type, options.depth).await?;
            anyhow::Ok((subject, found))
        }
        .await
        .map_err(|err| connect::target_error(err, target, INFO.path))?;
        let (subject, found) = found;
        summary::discover(
            &ctx.printer,
            &options.format,
            target,
            &subject,
            &found,
            options.color,
            options.common.print_unnamed(),
        )
    }
}

/// Every referrer of `subject`, recursively, as `(referrer, its subject)`
/// pairs in Go's order (depth first, each referrer right before its own
/// referrers). A visited set stops cycles a hostile registry may craft
/// (GHSA-298f-872v-2rcx): each manifest's referrers are listed once.
/// `depth` limits the levels (`None`: all).
pub async fn all_referrers<S>(
    src: &S,
    subject: &Descriptor,
    artifact_type: &str,
    depth: Option<usize>,
) -> anyhow::Result<Vec<(Descriptor, Descriptor)>>
where
    S: ReadOnlyGraphStorage + ?Sized,
{
    let filter = (!artifact_type.is_empty()).then_some(artifact_type);
    let mut visited: HashSet<Digest> = HashSet::from([subject.digest.clone()]);
    let mut found = Vec::new();
    // (referrer, its subject, the level of the referrer: 1 = direct).
    let mut pending: Vec<(Descriptor, Descriptor, usize)> = Vec::new();
    let direct = oras_copy::referrers(src, subject, filter).await?;
    pending.extend(direct.into_iter().rev().map(|r| (r, subject.clone(), 1)));
    while let Some((referrer, of, level)) = pending.pop() {
        found.push((referrer.clone(), of));
        if depth.is_some_and(|max| level >= max) || !visited.insert(referrer.digest.clone()) {
            continue;
        }
        // Go lists the referrers of a plain descriptor (type, digest, size).
        let node = Descriptor::new(
            referrer.media_type.clone(),
            referrer.digest.clone(),
            referrer.size,
        );
        let next = oras_copy::referrers(src, &node, filter).await?;
        pending.extend(
            next.into_iter()
                .rev()
                .map(|r| (r, referrer.clone(), level + 1)),
        );
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oras_content::{Pusher, bytes_reader, memory};
    use oras_spec::{Manifest, Parsed, media_type};

    async fn put_manifest(
        store: &memory::Store,
        subject: Option<&Descriptor>,
        kind: &str,
    ) -> Descriptor {
        let manifest = Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.into(),
            artifact_type: kind.into(),
            config: Descriptor::empty_json(),
            layers: vec![],
            subject: subject.map(Descriptor::plain),
            annotations: Default::default(),
        };
        let parsed = Parsed::from_value(manifest);
        let desc = parsed.descriptor(media_type::IMAGE_MANIFEST);
        store
            .push(&desc, bytes_reader(parsed.bytes().to_vec()))
            .await
            .unwrap();
        desc
    }

    #[tokio::test]
    async fn recursive_with_depth_and_filter() {
        let store = memory::Store::new();
        let root = put_manifest(&store, None, "root/type").await;
        let sig = put_manifest(&store, Some(&root), "sig/type").await;
        let sbom = put_manifest(&store, Some(&root), "sbom/type").await;
        let sig_of_sbom = put_manifest(&store, Some(&sbom), "sig/type").await;

        let all = all_referrers(&store, &root, "", None).await.unwrap();
        let pairs: Vec<(String, String)> = all
            .iter()
            .map(|(r, s)| (r.artifact_type.clone(), s.digest.to_string()))
            .collect();
        assert_eq!(all.len(), 3);
        assert!(pairs.contains(&("sig/type".into(), sbom.digest.to_string())));
        assert!(pairs.contains(&("sig/type".into(), root.digest.to_string())));
        // Each referrer comes right before its own referrers.
        let sbom_at = all
            .iter()
            .position(|(r, _)| r.digest == sbom.digest)
            .unwrap();
        assert_eq!(all[sbom_at + 1].0.digest, sig_of_sbom.digest);

        let direct = all_referrers(&store, &root, "", Some(1)).await.unwrap();
        assert_eq!(direct.len(), 2);

        let sigs = all_referrers(&store, &root, "sig/type", None)
            .await
            .unwrap();
        assert_eq!(sigs.len(), 1);
        assert_eq!(sigs[0].0.digest, sig.digest);
    }
}
