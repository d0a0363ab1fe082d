//! `oras repo tags` (alias `show-tags`): list the tags of a repository (Go
//! `root/repo/tags.go`).

use clap::Args;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::Result;
use crate::options::{Common, FormatOptions, OutputFormat, Target, TargetOptions};

/// Usage facts of `oras repo tags`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras repo tags",
    usage: "oras repo tags [flags] <name>",
};

const EXAMPLES: &str = "\
Example - List the tags of the repository 'hello':
  oras repo tags localhost:5000/hello

Example - List the tags that sort after 'last_tag':
  oras repo tags --last last_tag localhost:5000/hello

Example - List the tags without the 'sha256-…' referrers tags:
  oras repo tags --exclude-digest-tags localhost:5000/hello

Example - [Experimental] List the tags that point to the same manifest as 'v1':
  oras repo tags localhost:5000/hello:v1

Example - List the tags of the OCI image layout folder 'layout-dir':
  oras repo tags --oci-layout layout-dir

Example - [Experimental] List the tags as JSON:
  oras repo tags localhost:5000/hello --format json
";

/// Flags and arguments of `oras repo tags`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Show tags of the target repository",
    override_usage = "oras repo tags [flags] <name>",
    after_help = EXAMPLES,
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

impl TagsArgs {
    /// Checks the flags and arguments.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<TagsOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the target repository to list tags from",
        )?;
        let format = self.format.parse()?;
        let target = self.target.parse(&self.args[0])?;
        if let Some(note) = self.common.deprecation_warning() {
            env.notes.push(note.to_owned());
        }
        Ok(TagsOptions {
            common: self.common,
            target,
            last: self.last,
            exclude_digest_tags: self.exclude_digest_tags,
            format,
        })
    }
}

/// Whether `tag` looks like a referrers tag-schema tag (`<alg>-<hex>`).
pub fn is_digest_tag(tag: &str) -> bool {
    match tag.split_once('-') {
        Some((alg, hex)) => {
            !alg.is_empty()
                && alg
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// Runs `oras repo tags` (not wired yet: needs oras-remote and oras-store-oci).
pub async fn run(_options: TagsOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("repo tags"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_tags() {
        assert!(is_digest_tag(
            "sha256-9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5"
        ));
        assert!(!is_digest_tag("v1"));
        assert!(!is_digest_tag("release-1"));
    }
}
