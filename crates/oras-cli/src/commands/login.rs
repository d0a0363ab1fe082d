//! `oras login`: check a credential against a registry and store it (Go
//! `root/login.go`).

use clap::Args;

use crate::commands::{ArgCount, CommandInfo, Context, ValidateEnv, not_available};
use crate::error::Result;
use crate::options::{Common, RemoteOptions, RemoteSettings};

/// Usage facts of `oras login`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras login",
    usage: "oras login [flags] <registry>",
};

const EXAMPLES: &str = "\
Example - Log in with a username and a password given as flags:
  oras login -u username -p password localhost:5000

Example - Log in with a username and a password read from stdin:
  oras login -u username --password-stdin localhost:5000

Example - Log in with an identity token given as a flag:
  oras login --identity-token token localhost:5000

Example - Log in with an identity token read from stdin:
  oras login --identity-token-stdin localhost:5000

Example - Log in interactively (prompts for username and password):
  oras login localhost:5000

Example - Log in interactively to a registry with a self-signed certificate:
  oras login --insecure localhost:5000
";

/// Flags and arguments of `oras login`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Log in to a remote registry",
    override_usage = "oras login [flags] <registry>",
    after_help = EXAMPLES
)]
pub struct LoginArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Remote flags.
    #[command(flatten)]
    pub remote: RemoteOptions,
    /// The registry.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras login` options.
#[derive(Clone, Debug)]
pub struct LoginOptions {
    /// Shared flags.
    pub common: Common,
    /// The registry host name (`localhost:5000`, `docker.io` …).
    pub registry: String,
    /// Connection settings and the credential flags.
    pub remote: RemoteSettings,
}

impl LoginArgs {
    /// Checks the flags and arguments.
    pub fn validate(self, env: &mut ValidateEnv) -> Result<LoginOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the registry to log in to",
        )?;
        let remote = self.remote.settings()?;
        if let Some(note) = self.common.deprecation_warning() {
            env.notes.push(note.to_owned());
        }
        Ok(LoginOptions {
            common: self.common,
            registry: self.args[0].clone(),
            remote,
        })
    }
}

/// Runs `oras login` (not wired yet: needs oras-credentials and oras-remote).
pub async fn run(_options: LoginOptions, _ctx: &Context) -> anyhow::Result<()> {
    Err(not_available("login"))
}
