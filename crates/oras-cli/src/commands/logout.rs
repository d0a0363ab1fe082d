//! `oras logout`: remove a stored credential (Go `root/logout.go`).

use std::path::PathBuf;

use clap::Args;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::error::CliError;
use crate::error::Result;

/// Usage facts of `oras logout`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras logout",
    usage: "oras logout [flags] <registry>",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Log out from a remote registry

Example - Log out from a registry:
  oras logout localhost:5000

Example - Log out from a registry with a custom auth config path:
  oras logout --registry-config ~/.config/oras/auth.json localhost:5000";

/// Flags and arguments of `oras logout`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Log out from a remote registry",
    override_usage = "oras logout [flags] <registry>",
    after_help = LONG
)]
pub struct LogoutArgs {
    /// Debug logs.
    #[arg(short = 'd', long, help = "debug mode")]
    pub debug: bool,
    /// Authentication files.
    #[arg(long, value_name = "stringArray", help = "auth config path")]
    pub registry_config: Vec<PathBuf>,
    /// The registry.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras logout` options.
#[derive(Clone, Debug)]
pub struct LogoutOptions {
    /// The registry host name.
    pub registry: String,
    /// `--registry-config` files.
    pub registry_configs: Vec<PathBuf>,
}

impl Command for LogoutArgs {
    type Options = LogoutOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<LogoutOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the registry you want to log out",
        )?;
        env.debug = self.debug;
        Ok(LogoutOptions {
            registry: self.args[0].clone(),
            registry_configs: self.registry_config,
        })
    }

    /// Runs `oras logout`: removes the registry's credential from the Docker
    /// config (the first `--registry-config` when given).
    async fn run(options: &LogoutOptions, _ctx: &Context) -> anyhow::Result<()> {
        let store = connect::credential_store(&options.registry_configs)?;
        oras_credentials::logout(store.store.as_ref(), &options.registry)
            .await
            .map_err(|err| CliError::new(err.to_string()))?;
        Ok(())
    }
}
