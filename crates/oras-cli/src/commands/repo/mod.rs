//! `oras repo …` (alias `repository`): repository operations (Go `root/repo`).

use clap::Subcommand;

pub mod ls;
pub mod tags;

/// The subcommands of `oras repo`.
#[derive(Subcommand, Clone, Debug)]
pub enum RepoCommand {
    /// List the repositories under the registry
    #[command(alias = "list")]
    Ls(ls::LsArgs),
    /// Show tags of the target repository
    #[command(alias = "show-tags")]
    Tags(tags::TagsArgs),
}
