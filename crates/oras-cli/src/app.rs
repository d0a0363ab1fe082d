//! The command tree, help styling, and dispatch from parsed arguments to
//! each command's `validate` and `run`.

use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::commands::{
    self, Context, ValidateEnv, attach, backup, blob, completion, copy, discover, login, logout,
    manifest, pull, push, repo, resolve, restore, tag, version,
};
use crate::error::CliError;

/// The `oras` command line.
#[derive(Parser, Debug)]
#[command(
    name = "oras",
    bin_name = "oras",
    disable_version_flag = true,
    subcommand_required = true
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Every top-level command, in the alphabetical order of the Go CLI's help.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Attach files to an existing artifact
    Attach(attach::AttachArgs),
    /// Back up artifacts from a registry into an OCI image layout (experimental).
    #[command(about = "[Experimental] Back up artifacts from a registry into an OCI image layout")]
    Backup(backup::BackupArgs),
    /// Blob operations
    #[command(
        subcommand,
        about = "Blob operations",
        override_usage = "oras blob [command]"
    )]
    Blob(blob::BlobCommand),
    /// Generate the autocompletion script for the specified shell
    #[command(
        subcommand,
        about = "Generate the autocompletion script for the specified shell",
        override_usage = "oras completion [command]",
        after_help = "Generate the autocompletion script for oras for the specified shell.\nSee each sub-command's help for details on how to use the generated script.\n"
    )]
    Completion(completion::CompletionCommand),
    /// Copy artifacts from one target to another
    #[command(name = "cp", alias = "copy")]
    Cp(copy::CopyArgs),
    /// Discover referrers of a manifest in a registry or an OCI image layout (preview).
    #[command(
        about = "[Preview] Discover referrers of a manifest in a registry or an OCI image layout"
    )]
    Discover(discover::DiscoverArgs),
    /// Log in to a remote registry
    Login(login::LoginArgs),
    /// Log out from a remote registry
    Logout(logout::LogoutArgs),
    /// Manifest operations
    #[command(
        subcommand,
        about = "Manifest operations",
        override_usage = "oras manifest [command]"
    )]
    Manifest(manifest::ManifestCommand),
    /// Pull files from a registry or an OCI image layout
    Pull(pull::PullArgs),
    /// Push files to a registry or an OCI image layout
    Push(push::PushArgs),
    /// Repository operations
    #[command(
        subcommand,
        alias = "repository",
        about = "Repository operations",
        override_usage = "oras repo [command]"
    )]
    Repo(repo::RepoCommand),
    /// Resolves digest of the target artifact (preview).
    #[command(
        about = "[Preview] Resolves digest of the target artifact",
        alias = "digest"
    )]
    Resolve(resolve::ResolveArgs),
    /// Restore artifacts to a registry from an OCI image layout (experimental).
    #[command(about = "[Experimental] Restore artifacts to a registry from an OCI image layout")]
    Restore(restore::RestoreArgs),
    /// Tag a manifest in a registry or an OCI image layout
    Tag(tag::TagArgs),
    /// Show the oras version information
    Version(version::VersionArgs),
}

/// The help text of the root command (cobra's default layout).
const ROOT_TEMPLATE: &str = "Usage:\n  {usage}\n\nAvailable Commands:\n{subcommands}\n\nFlags:\n{options}\n\nUse \"oras [command] --help\" for more information about a command.\n";

/// The clap command with the Go CLI's help layout: cobra-style sections
/// (description and examples, `Usage:`, `Aliases:`, `Available Commands:`,
/// `Flags:`), `-h, --help   help for <name>`, no line wrapping.
pub fn command() -> clap::Command {
    let root = Cli::command()
        .override_usage("oras [command]")
        .term_width(0);
    style(root, "oras").help_template(ROOT_TEMPLATE)
}

/// Applies the help layout to `cmd` (whose full path is `path`) and its
/// subcommands. Clap writes unknown `{…}` tags through unchanged, so the
/// literal parts of a template may hold any text.
fn style(cmd: clap::Command, path: &str) -> clap::Command {
    let name = cmd.get_name().to_owned();
    let has_subcommands = cmd.get_subcommands().next().is_some();
    let aliases: Vec<&str> = cmd.get_all_aliases().collect();
    let aliases = if aliases.is_empty() {
        String::new()
    } else {
        format!("\nAliases:\n  {name}, {}\n", aliases.join(", "))
    };
    let template = if has_subcommands {
        format!(
            "{{about}}{{after-help}}\n\nUsage:\n  {{usage}}\n{aliases}\nAvailable Commands:\n{{subcommands}}\n\nFlags:\n{{options}}\n\nUse \"{path} [command] --help\" for more information about a command.\n"
        )
    } else {
        format!("{{about}}{{after-help}}\n\nUsage:\n  {{usage}}\n{aliases}\nFlags:\n{{options}}\n")
    };
    let mut cmd = cmd
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::HelpShort)
                .help(format!("help for {name}")),
        )
        .help_template(template)
        .mut_args(|arg| takes_any_value(arg.display_order(0)))
        .mut_subcommands(|sub| {
            let sub_path = format!("{path} {}", sub.get_name());
            style(sub, &sub_path)
        });
    if has_subcommands {
        cmd = cmd.subcommand_required(true).arg_required_else_help(true);
    }
    cmd
}

/// A flag that needs a value takes the next argument whatever it starts
/// with, as pflag does (`-p -abc`, `--password --x`): only flags whose
/// value is optional (`--plain-http[=bool]`) never take the next one.
fn takes_any_value(arg: Arg) -> Arg {
    let needs_value = arg.get_action().takes_values()
        && arg
            .get_num_args()
            .is_none_or(|range| range.min_values() >= 1);
    if arg.is_positional() || !needs_value {
        return arg;
    }
    arg.allow_hyphen_values(true)
}

/// What a run ends with.
pub type Outcome = anyhow::Result<()>;

/// Parses `args` (including the program name) and runs the command.
/// Returns the process exit code: 0 on success, 1 on any error, with
/// `Error: <message>` on stderr.
pub fn main_with_args<I, T>(args: I, ctx: &Context) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut cmd = command();
    let matches = match cmd.try_get_matches_from_mut(args) {
        Ok(m) => m,
        Err(err) => return report_clap_error(err, ctx),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => return report_clap_error(err, ctx),
    };
    match dispatch(cli.command, &mut cmd, ctx) {
        Ok(()) => 0,
        Err(err) => {
            report_error(&err, ctx);
            1
        }
    }
}

/// Prints `Error: <message>` (a [`CliError`] with its usage and
/// recommendation lines; other errors with their cause chain).
pub fn report_error(err: &anyhow::Error, ctx: &Context) {
    let (prefix, text) = match err.downcast_ref::<CliError>() {
        Some(cli) => (cli.prefix(), cli.to_string()),
        None => ("Error:", crate::connect::errors::chain_text(err)),
    };
    let _ = ctx.printer.eprintln(&format!("{prefix} {text}"));
}

/// Help and version requests print to stdout and succeed; parse errors
/// print `Error: …` and the usage to stderr and fail with 1.
fn report_clap_error(err: clap::Error, ctx: &Context) -> i32 {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = ctx.printer.write_out(err.render().to_string().as_bytes());
            0
        }
        ErrorKind::UnknownArgument => {
            use clap::error::{ContextKind, ContextValue};
            let arg = match err.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(arg)) => arg.clone(),
                _ => String::new(),
            };
            let message = match arg.strip_prefix('-') {
                Some(rest) if !rest.starts_with('-') && !rest.is_empty() => {
                    format!("unknown shorthand flag: '{}' in {arg}", &rest[..1])
                }
                _ if arg.starts_with("--") => format!("unknown flag: {arg}"),
                _ => format!("unknown command {} for \"oras\"", crate::error::quote(&arg)),
            };
            let _ = ctx.printer.eprintln(&format!("Error: {message}"));
            1
        }
        _ => {
            let rendered = err.render().to_string();
            let text = rendered.strip_prefix("error: ").unwrap_or(&rendered);
            let _ = ctx.printer.eprintln(&format!("Error: {}", text.trim_end()));
            1
        }
    }
}

/// Validates the command's arguments and runs it. The tokio runtime is
/// created only for commands that need it, after parsing, so `--help`
/// and `version` stay instant.
fn dispatch(command: Command, root: &mut clap::Command, ctx: &Context) -> Outcome {
    let mut env = ValidateEnv {
        stderr_is_tty: ctx.stderr_is_tty,
        notes: Vec::new(),
    };
    macro_rules! run {
        ($args:expr, $module:path) => {{
            use $module as m;
            let options = $args.validate(&mut env)?;
            print_notes(&env, ctx);
            block_on(m::run(options, ctx))
        }};
    }
    match command {
        Command::Version(args) => version::run(&args, ctx),
        Command::Completion(shell) => completion::run(shell.shell(), root, ctx),
        Command::Attach(args) => run!(args, attach),
        Command::Backup(args) => run!(args, backup),
        Command::Cp(args) => run!(args, copy),
        Command::Discover(args) => run!(args, discover),
        Command::Login(args) => run!(args, login),
        Command::Logout(args) => run!(args, logout),
        Command::Pull(args) => run!(args, pull),
        Command::Push(args) => run!(args, push),
        Command::Resolve(args) => run!(args, resolve),
        Command::Restore(args) => run!(args, restore),
        Command::Tag(args) => run!(args, tag),
        Command::Blob(sub) => match sub {
            blob::BlobCommand::Delete(args) => run!(args, blob::delete),
            blob::BlobCommand::Fetch(args) => run!(args, blob::fetch),
            blob::BlobCommand::Push(args) => run!(args, blob::push),
        },
        Command::Manifest(sub) => match sub {
            manifest::ManifestCommand::Delete(args) => run!(args, manifest::delete),
            manifest::ManifestCommand::Fetch(args) => run!(args, manifest::fetch),
            manifest::ManifestCommand::FetchConfig(args) => run!(args, manifest::fetch_config),
            manifest::ManifestCommand::Push(args) => run!(args, manifest::push),
            manifest::ManifestCommand::Index(index) => match index {
                manifest::index::IndexCommand::Create(args) => run!(args, manifest::index::create),
                manifest::index::IndexCommand::Update(args) => run!(args, manifest::index::update),
            },
        },
        Command::Repo(sub) => match sub {
            repo::RepoCommand::Ls(args) => run!(args, repo::ls),
            repo::RepoCommand::Tags(args) => run!(args, repo::tags),
        },
    }
}

fn print_notes(env: &ValidateEnv, ctx: &Context) {
    for note in &env.notes {
        let _ = ctx.printer.eprintln(note);
    }
}

/// Runs `future` on a new multi-threaded runtime; Ctrl-C drops it (which
/// cancels its work and runs its clean-up guards) and fails with
/// `context canceled`, as the Go CLI's SIGINT-cancelled context does.
/// Dropping the runtime then waits for blocking work to stop (an unpacking
/// rolls back); a second Ctrl-C meanwhile ends the process at once.
fn block_on<F>(future: F) -> Outcome
where
    F: std::future::Future<Output = Outcome>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        tokio::select! {
            result = future => result,
            _ = tokio::signal::ctrl_c() => {
                exit_on_next_interrupt();
                Err(anyhow::Error::new(CliError::new("context canceled")))
            }
        }
    })
}

/// Listens, on a thread of its own (the runtime that saw the first
/// Ctrl-C is shutting down), for another Ctrl-C, and exits with 130 (the
/// shell's code for SIGINT) when it comes: the handler tokio installed
/// would otherwise swallow it.
fn exit_on_next_interrupt() {
    let spawned = std::thread::Builder::new()
        .name("second-interrupt".to_owned())
        .spawn(|| {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            });
        });
    if let Err(e) = spawned {
        tracing::debug!(error = %e, "no listener for a second interrupt");
    }
}

/// The context of the running process (re-exported for `main`).
pub fn process_context() -> Context {
    commands::Context::from_process()
}
