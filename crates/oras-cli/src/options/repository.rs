//! The flags and argument `oras backup` and `oras restore` share: a
//! repository with optional tags (`<registry>/<repository>[:<ref1>[,<ref2>...]]`),
//! the remote flags with `--distribution-spec`, and `--no-tty` (Go
//! `root/backup.go` and `root/restore.go`).

use clap::Args;

use crate::context::ValidateEnv;
use crate::error::Result;
use crate::options::{Common, DistributionSpecOption, RemoteOptions, RemoteSettings, Terminal};
use crate::parse::split_repository_tags;

/// Flags of a command that copies tags of one repository.
#[derive(Args, Clone, Debug, Default)]
pub struct RepositoryFlags {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Remote flags.
    #[command(flatten)]
    pub remote: RemoteOptions,
    /// `--distribution-spec`.
    #[command(flatten)]
    pub spec: DistributionSpecOption,
    /// `--no-tty`.
    #[command(flatten)]
    pub terminal: Terminal,
}

/// The validated repository, tags and connection of such a command.
#[derive(Clone, Debug)]
pub struct RepositoryTags {
    /// Shared flags.
    pub common: Common,
    /// `registry/repository`.
    pub repository: String,
    /// The tags given; empty means every tag.
    pub tags: Vec<String>,
    /// Connection settings.
    pub remote: RemoteSettings,
    /// Whether to draw progress bars on stderr.
    pub tty: bool,
}

impl RepositoryFlags {
    /// Checks the remote flags and splits `arg` into the repository and
    /// its tags; the shared flags are reported to `env`.
    pub fn validate(self, arg: &str, env: &mut ValidateEnv) -> Result<RepositoryTags> {
        let mut remote = self.remote.settings()?;
        remote.distribution_spec = self.spec.distribution_spec;
        let (repository, tags) = split_repository_tags(arg)?;
        self.common.report_to(env);
        Ok(RepositoryTags {
            tty: self.terminal.use_tty_for(env, &self.common, false),
            common: self.common,
            repository,
            tags,
            remote,
        })
    }
}
