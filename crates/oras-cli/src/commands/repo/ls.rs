//! `oras repo ls` (alias `list`): list the repositories of a registry,
//! optionally under a namespace (Go `root/repo/ls.go`).

use clap::Args;
use oras_spec::Reference;

use crate::commands::{ArgCount, Command, CommandInfo, Context, ValidateEnv};
use crate::connect;
use crate::error::{CliError, Result, quote};
use crate::options::{Common, FormatOptions, OutputFormat, RemoteOptions, RemoteSettings};
use crate::output::model::RepositoriesModel;
use crate::output::{render, text};

/// Usage facts of `oras repo ls`.
pub const INFO: CommandInfo = CommandInfo {
    path: "oras repo ls",
    usage: "oras repo ls [flags] <registry>",
};

/// What `--help` prints above `Usage:` (the Go CLI's `Long`: the
/// description and the examples).
const LONG: &str = "\
List the repositories under the registry

Example - List the repositories under the registry:
  oras repo ls localhost:5000

Example - List the repositories under a namespace in the registry:
  oras repo ls localhost:5000/example-namespace

Example - List the repositories under the registry that include values lexically after last:
  oras repo ls --last \"last_repo\" localhost:5000

Example - [Experimental] List the repositories under the registry in JSON format:
  oras repo ls localhost:5000 --format json

Example - [Experimental] List the repositories under the registry using the given Go template:
  oras repo ls localhost:5000 --format go-template --template \"{{.repositories}}\"";

/// Flags and arguments of `oras repo ls`.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "List the repositories under the registry",
    override_usage = "oras repo ls [flags] <registry>",
    after_help = LONG,
)]
pub struct LsArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: Common,
    /// Remote flags.
    #[command(flatten)]
    pub remote: RemoteOptions,
    /// `--format`, `--template`.
    #[command(flatten)]
    pub format: FormatOptions,
    /// Start after this repository.
    #[arg(
        long,
        value_name = "last",
        help = "start after the repository specified by last"
    )]
    pub last: Option<String>,
    /// The registry, optionally with a namespace.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Validated `oras repo ls` options.
#[derive(Clone, Debug)]
pub struct LsOptions {
    /// Shared flags.
    pub common: Common,
    /// The registry host.
    pub registry: String,
    /// The namespace prefix (`ns/`), empty when none; matching repositories
    /// are printed without it.
    pub namespace: String,
    /// `--last`.
    pub last: Option<String>,
    /// Connection settings.
    pub remote: RemoteSettings,
    /// Output format.
    pub format: OutputFormat,
}

impl Command for LsArgs {
    type Options = LsOptions;

    const INFO: CommandInfo = INFO;

    /// Checks the flags and arguments.
    fn validate(self, env: &mut ValidateEnv) -> Result<LsOptions> {
        INFO.check_args(
            &self.args,
            ArgCount::Exactly(1),
            "the target registry to list repositories from",
        )?;
        let format = self.format.parse()?;
        let remote = self.remote.settings()?;
        let (registry, namespace) = parse_remote_repository(&self.args[0]).map_err(|err| {
            CliError::new(format!("could not parse repository path: {}", err.message))
        })?;
        self.common.report_to(env);
        Ok(LsOptions {
            common: self.common,
            registry,
            namespace,
            last: self.last,
            remote,
            format,
        })
    }

    /// Runs `oras repo ls` (Go `root/repo/ls.go`): lists the catalog after
    /// `--last`, keeping the repositories under the namespace (a client-side
    /// prefix filter). The text format shows them without the namespace, the
    /// JSON and template formats with their full names.
    async fn run(options: &LsOptions, ctx: &Context) -> anyhow::Result<()> {
        let registry = connect::open_registry(&options.registry, &options.remote, ctx)?;
        let listed = registry
            .repositories(options.last.as_deref())
            .await
            .map_err(|err| {
                let host = api_host(&options.registry);
                let what = if options.namespace.is_empty() {
                    format!("could not list repositories for {}", quote(&host))
                } else {
                    format!(
                        "could not list repositories for {} with prefix {}",
                        quote(&host),
                        quote(&options.namespace)
                    )
                };
                // A registry error response is shown alone (Go
                // `Remote.ModifyError`); anything else joins the two messages,
                // one per line (Go `errors.Join(repoErr, err)`).
                let err = connect::registry_error(anyhow::Error::new(err));
                if err.downcast_ref::<CliError>().is_some() {
                    return err;
                }
                anyhow::Error::new(CliError::new(format!("{what}\n{err:#}")))
            })?;
        let repositories: Vec<String> = listed
            .into_iter()
            .filter(|repo| options.namespace.is_empty() || repo.starts_with(&options.namespace))
            .collect();
        let model = RepositoriesModel {
            registry: options.registry.clone(),
            repositories,
        };
        render(&ctx.printer, &options.format, &model, |printer| {
            for repo in &model.repositories {
                printer.println(&text::listed_repository(&options.namespace, repo))?;
            }
            Ok(())
        })
    }
}

/// Splits `<registry>[/namespace]` (Go `repository.ParseRemoteRepository`).
pub fn parse_remote_repository(raw: &str) -> Result<(String, String)> {
    let raw = raw.strip_suffix('/').unwrap_or(raw);
    if !raw.contains('/') {
        return Ok((raw.to_owned(), String::new()));
    }
    let parsed = Reference::parse(raw).map_err(|err| CliError::new(err.to_string()))?;
    if parsed.target().is_some() {
        return Err(CliError::new("tags or digests should not be provided"));
    }
    Ok((
        parsed.registry().to_owned(),
        format!("{}/", parsed.repository()),
    ))
}

/// The host requests go to (Go `Reference.Host`: `docker.io` is
/// `registry-1.docker.io`).
fn api_host(registry: &str) -> String {
    if registry == "docker.io" {
        "registry-1.docker.io".to_owned()
    } else {
        registry.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_and_namespace() {
        assert_eq!(
            parse_remote_repository("localhost:5000").unwrap(),
            ("localhost:5000".into(), String::new())
        );
        assert_eq!(
            parse_remote_repository("localhost:5000/a/b/").unwrap(),
            ("localhost:5000".into(), "a/b/".into())
        );
        assert_eq!(
            parse_remote_repository("localhost:5000/a:v1")
                .unwrap_err()
                .message,
            "tags or digests should not be provided"
        );
    }
}
