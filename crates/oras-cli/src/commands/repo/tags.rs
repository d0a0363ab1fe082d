//! `oras repo tags` (alias `show-tags`): list the tags of a repository (Go
//! `root/repo/tags.go`).

use clap::Args;

use oras_content::Resolver;
use oras_spec::Reference;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::error::{CliError, Result};
use crate::options::{Common, FormatOptions, OutputFormat, Target, TargetOptions};
use crate::output::summary;
use crate::parse::is_digest;

/// Usage facts of `oras repo tags`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras repo tags",
    usage: "oras repo tags [flags] <name>",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Show tags of the target repository

Example - Show tags of the target repository:
  oras repo tags localhost:5000/hello

Example - Show tags in the target repository with digest-like tags hidden:
  oras repo tags --exclude-digest-tags localhost:5000/hello

Example - Show tags of the target repository that include values lexically after last:
  oras repo tags --last \"last_tag\" localhost:5000/hello

Example - Show tags of the target OCI image layout folder 'layout-dir':
  oras repo tags --oci-layout layout-dir

Example - Show tags of the target OCI layout archive 'layout.tar':
  oras repo tags --oci-layout layout.tar

Example - [Experimental] Show tags associated with a particular tagged resource:
  oras repo tags localhost:5000/hello:latest

Example - [Experimental] Show tags associated with a digest:
  oras repo tags localhost:5000/hello@sha256:c551125a624189cece9135981621f3f3144564ddabe14b523507bf74c2281d9b

Example - [Experimental] Show tags of the target repository in JSON format:
  oras repo tags localhost:5000/hello --format json

Example - [Experimental] Show tags of the target repository using the given Go template:
  oras repo tags localhost:5000/hello --format go-template --template \"{{.tags}}\"

Example - [Experimental] Show tags of a specific repository in OCI layout:
  oras repo tags --oci-layout-path layout-dir localhost:5000/hello";

/// Flags and arguments of `oras repo tags`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Show tags of the target repository",
    override_usage = "oras repo tags [flags] <name>",
    after_help = LONG,
)]
pub struct TagsArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Target flags.
    #[command(flatten)]
    pub target: TargetOptions,
    /// `--format`, `--template`.
    #[command(flatten)]
    pub format: FormatOptions,
    /// Start after this tag.
    #[arg(
        long,
        value_name = "last",
        help = "start after the tag specified by last"
    )]
    pub last: Option<String>,
    /// Hide `sha256-…` tags.
    #[arg(
        long,
        help = "[Preview] exclude all digest-like tags such as 'sha256-aaaa...'"
    )]
    pub exclude_digest_tags: bool,
    /// The repository.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras repo tags` options.
#[derive(Clone, Debug)]
pub struct TagsOptions {
    /// Shared flags.
    pub common: Common,
    /// The repository; a tag or digest lists only the tags of that manifest.
    pub target: Target,
    /// `--last`.
    pub last: Option<String>,
    /// `--exclude-digest-tags`.
    pub exclude_digest_tags: bool,
    /// Output format.
    pub format: OutputFormat,
}

impl Command for TagsArgs {
    type Options = TagsOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<TagsOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the target repository to list tags from",
        )?;
        let format = self.format.parse()?;
        let target = self.target.parse(&self.args[0])?;
        self.common.report_to(env);
        Ok(TagsOptions {
            common: self.common,
            target,
            last: self.last,
            exclude_digest_tags: self.exclude_digest_tags,
            format,
        })
    }

    fn error_target(options: &TagsOptions) -> Option<&Target> {
        Some(&options.target)
    }

    /// Runs `oras repo tags` (Go `root/repo/tags.go`): lists the tags after
    /// `--last`; `--exclude-digest-tags` hides `<alg>-<hex>` tags; a tag or
    /// digest in the argument keeps only the tags that resolve to the same
    /// digest (each tag is resolved); on a layout, a `host/repo` argument
    /// keeps the tags named `host/repo:<tag>`, shown without that prefix.
    async fn run(options: &TagsOptions, ctx: &Context) -> anyhow::Result<()> {
        let target = &options.target;
        let finder = connect::open_read_target(target, ctx).await?;
        let prefix = layout_prefix(options);
        let wanted_digest = match (&prefix, target.reference.as_str()) {
            (None, reference) if !reference.is_empty() => {
                let digest = if is_digest(reference) {
                    reference.to_owned()
                } else {
                    finder.resolve(reference).await?.digest.to_string()
                };
                // Go `logger.Warnf("... it may take a while...\n", ...)`: the
                // message keeps its newline and the log entry adds its own.
                ctx.printer.eprintln(&go_log_warning(
                    time::OffsetDateTime::now_utc(),
                    &format!(
                        "[Experimental] querying tags associated to {digest}, it may take a while...\n"
                    ),
                ))?;
                Some(digest)
            }
            _ => None,
        };
        let Some(lister) = oras_content::Capabilities::as_tag_lister(&finder) else {
            return Err(CliError::new("listing tags is not supported by this target").into());
        };
        let mut tags = Vec::new();
        for tag in lister.tags(options.last.as_deref()).await? {
            let tag = match &prefix {
                Some(prefix) => match tag.strip_prefix(prefix.as_str()) {
                    Some(scoped) => scoped.to_owned(),
                    None => continue,
                },
                None => tag,
            };
            if options.exclude_digest_tags && is_digest_tag(&tag) {
                continue;
            }
            if let Some(digest) = &wanted_digest
                && tag != target.reference
                && finder.resolve(&tag).await?.digest.to_string() != *digest
            {
                continue;
            }
            tags.push(tag);
        }
        summary::tags(&ctx.printer, &options.format, &tags)
    }
}

/// Whether `tag` looks like a referrers tag-schema tag: `<alg>-<hex>` is
/// a valid digest once its first `-` becomes `:` (Go `isDigestTag`).
pub fn is_digest_tag(tag: &str) -> bool {
    tag.replacen('-', ":", 1)
        .parse::<oras_spec::Digest>()
        .is_ok()
}

/// `host/repo:` when the layout argument names a repository (Go: with
/// `--oci-layout-path`, tags of a layout holding several repositories).
fn layout_prefix(options: &TagsOptions) -> Option<String> {
    let target = &options.target;
    if !target.is_layout() {
        return None;
    }
    let parsed = Reference::parse(&target.reference).ok()?;
    parsed
        .target()
        .is_none()
        .then(|| format!("{}/{}:", parsed.registry(), parsed.repository()))
}

/// One warning as the Go CLI's logger writes it (its `trace.TextFormatter`):
/// `[<RFC 3339 time with nanoseconds>][WARNING]: <message>`, a newline, then
/// the two-newline entry separator (the last written by `eprintln`). Go
/// stamps local time; this is UTC, as reading the local offset is not sound
/// in a multi-threaded process.
fn go_log_warning(now: time::OffsetDateTime, message: &str) -> String {
    format!("[{}][WARNING]: {message}\n\n", go_rfc3339_nano(now))
}

/// Go's `time.RFC3339Nano` for a UTC time: the fraction without trailing
/// zeros (and without the dot when zero), then `Z`.
fn go_rfc3339_nano(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut fraction = format!("{:09}", t.nanosecond());
    while fraction.ends_with('0') {
        fraction.pop();
    }
    if !fraction.is_empty() {
        fraction.insert(0, '.');
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn warnings_are_written_as_go_trace_text_formatter_does() {
        let at = time::macros::datetime!(2026-01-02 03:04:05.120 UTC);
        assert_eq!(
            super::go_log_warning(at, "m\n"),
            "[2026-01-02T03:04:05.12Z][WARNING]: m\n\n\n"
        );
        let whole = time::macros::datetime!(2026-01-02 03:04:05 UTC);
        assert_eq!(super::go_rfc3339_nano(whole), "2026-01-02T03:04:05Z");
    }

    use super::*;

    #[test]
    fn digest_tags() {
        assert!(is_digest_tag(
            "sha256-9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5"
        ));
        assert!(!is_digest_tag("v1"));
        assert!(!is_digest_tag("release-1"));
        assert!(!is_digest_tag("md5-9a201d228ebd966211f7d1131be19f15"));
        assert!(!is_digest_tag("sha256-9a201d228ebd"));
    }
}
