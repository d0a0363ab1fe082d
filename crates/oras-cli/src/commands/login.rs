//! `oras login`: check a credential against a registry and store it (Go
//! `root/login.go`).

use clap::Args;

use std::io::{BufRead, IsTerminal, Read};

use oras_auth::{BoxError, Credential};
use oras_credentials::RegistryPing;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::error::CliError;
use crate::error::Result;
use crate::options::FlagCredential;
use crate::options::{Common, RemoteOptions, RemoteSettings};
use crate::output::Printer;

/// Usage facts of `oras login`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras login",
    usage: "oras login [flags] <registry>",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
Log in to a remote registry

Example - Log in with username and password from command line flags:
  oras login -u username -p password localhost:5000

Example - Log in with username and password from stdin:
  oras login -u username --password-stdin localhost:5000

Example - Log in with identity token from command line flags:
  oras login --identity-token token localhost:5000

Example - Log in with identity token from stdin:
  oras login --identity-token-stdin localhost:5000

Example - Log in with username and password in an interactive terminal:
  oras login localhost:5000

Example - Log in with username and password in an interactive terminal and no TLS check:
  oras login --insecure localhost:5000";

/// Flags and arguments of `oras login`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Log in to a remote registry",
    override_usage = "oras login [flags] <registry>",
    after_help = LONG
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

impl Command for LoginArgs {
    type Options = LoginOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<LoginOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the registry to log in to",
        )?;
        let remote = self.remote.settings()?;
        self.common.report_to(env);
        Ok(LoginOptions {
            common: self.common,
            registry: self.args[0].clone(),
            remote,
        })
    }

    /// Runs `oras login` (Go `runLogin`): takes the credential from the
    /// flags or prompts for it (`Username: `, then `Password: `, or `Token: `
    /// when the username is empty), checks it with `GET /v2/`, saves it in
    /// the Docker config and prints `Login Succeeded`.
    async fn run(options: &LoginOptions, ctx: &Context) -> anyhow::Result<()> {
        let flag = connect::remote::read_flag_credential(&options.remote, ctx)?;
        let credential = match flag {
            Some(flag) if !flag.secret.is_empty() => flag,
            given => prompt_credential(given.map(|f| f.username).unwrap_or_default(), ctx)?,
        };
        let store = connect::credential_store(&options.remote.registry_configs)?;
        let ping = Ping {
            settings: options.remote.clone(),
            flag: credential.clone(),
            printer: ctx.printer.clone(),
        };
        oras_credentials::login(
            store.store.as_ref(),
            &options.registry,
            &connect::remote::flag_to_credential(&credential),
            &ping,
        )
        .await
        .map_err(|err| connect::registry_error(anyhow::Error::new(err)))?;
        ctx.printer.println("Login Succeeded")?;
        Ok(())
    }
}

/// Checks a credential with `GET /v2/` on a client holding only it.
struct Ping {
    settings: RemoteSettings,
    flag: FlagCredential,
    printer: Printer,
}

#[async_trait::async_trait]
impl RegistryPing for Ping {
    async fn ping(&self, registry: &str, _credential: &Credential) -> Result<(), BoxError> {
        let config = connect::client_config(&self.settings, registry, Some(&self.flag))?
            .on_warning(connect::warning_handler(registry, &self.printer));
        let registry = oras_remote::Registry::with_config(registry, config)?;
        registry.ping().await?;
        Ok(())
    }
}

/// Asks for what the flags did not give, on stdout, reading stdin (Go
/// `readLine`): the username unless given, then the password, or a token
/// when the username is empty. Secrets are read with echo off when stdin
/// is a terminal.
fn prompt_credential(username: String, ctx: &Context) -> anyhow::Result<FlagCredential> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let username = if username.is_empty() {
        ctx.printer.write_out(b"Username: ")?;
        read_line(&mut input)?.trim().to_owned()
    } else {
        username
    };
    let (prompt, missing) = if username.is_empty() {
        ("Token: ", "token required")
    } else {
        ("Password: ", "password required")
    };
    ctx.printer.write_out(prompt.as_bytes())?;
    let secret = if std::io::stdin().is_terminal() {
        let _echo = EchoOff::new();
        let line = read_line(&mut input)?;
        ctx.printer.println("")?;
        line
    } else {
        read_line(&mut input)?
    };
    if secret.is_empty() {
        return Err(CliError::new(missing).into());
    }
    Ok(FlagCredential { username, secret })
}

/// One line without its line ending, at most 64 KiB.
fn read_line(input: &mut dyn BufRead) -> anyhow::Result<String> {
    let mut line = String::new();
    input.take(64 * 1024).read_line(&mut line)?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    Ok(line.to_owned())
}

/// Turns terminal echo off while it lives, with `stty` on the terminal
/// that is stdin (this crate forbids the `unsafe` a termios call needs).
/// When `stty` is missing the secret is read with echo on.
struct EchoOff {
    active: bool,
}

impl EchoOff {
    fn new() -> Self {
        EchoOff {
            active: stty("-echo"),
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if self.active {
            stty("echo");
        }
    }
}

fn stty(setting: &str) -> bool {
    std::process::Command::new("stty")
        .arg(setting)
        .stdin(std::process::Stdio::inherit())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_lose_their_endings() {
        let mut input: &[u8] = b"alice\r\nsecret\n";
        assert_eq!(read_line(&mut input).unwrap(), "alice");
        assert_eq!(read_line(&mut input).unwrap(), "secret");
        assert_eq!(read_line(&mut input).unwrap(), "");
    }
}
