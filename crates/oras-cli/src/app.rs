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

/// The clap command tree with the Go CLI's flag rules (pflag's booleans
/// and integers, `-h, --help` everywhere, no `help` subcommand of clap's:
/// cobra's is handled before parsing). Help texts come from
/// [`render_help`].
pub fn command() -> clap::Command {
    let root = Cli::command()
        .disable_help_subcommand(true)
        .override_usage("oras [command]")
        .term_width(0);
    style(root)
}

/// Gives `cmd` and its subcommands cobra's `-h, --help` flag and pflag's
/// value rules; the help text itself is [`render_help`]'s, printed when
/// clap reports a help request.
fn style(cmd: clap::Command) -> clap::Command {
    let name = cmd.get_name().to_owned();
    let has_subcommands = cmd.get_subcommands().next().is_some();
    let mut cmd = cmd
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::HelpShort)
                .help(format!("help for {name}")),
        )
        .args_override_self(true)
        .mut_args(|arg| takes_any_value(go_int_flag(go_bool_flag(arg.display_order(0)))));
    cmd = cmd.mut_subcommands(style);
    if has_subcommands {
        cmd = cmd.subcommand_required(true).arg_required_else_help(true);
    }
    cmd
}

/// The `help` command cobra adds to the root (listed with the others;
/// `oras help` is handled before parsing, see [`help_command`]).
const HELP_SHORT: &str = "Help about any command";

/// The help text of `oras help`.
const HELP_HELP: &str = "Help provides help for any command in the application.
Simply type oras help [path to command] for full details.

Usage:
  oras help [command] [flags]

Flags:
  -h, --help   help for help
";

/// Cobra's help text of `cmd` (path `path`): its `Long` (the command's
/// `after_help`, which holds the Go CLI's description and examples; else
/// its `about`), then cobra's usage template: `Usage:`, `Aliases:`,
/// `Available Commands:` (sorted, names padded), `Flags:` (pflag's list)
/// and, for a parent, the `Use "… [command] --help"` line.
pub fn render_help(cmd: &clap::Command, path: &str) -> String {
    if path == "oras" {
        return usage_text(cmd, path, true);
    }
    let long = cmd
        .get_after_help()
        .or_else(|| cmd.get_about())
        .map(|s| s.to_string())
        .unwrap_or_default();
    let mut out = String::new();
    let long = long.trim_end();
    if !long.is_empty() {
        out.push_str(long);
        out.push_str("\n\n");
    }
    out.push_str(&usage_text(cmd, path, true));
    out
}

/// Cobra's usage template for `cmd` (path `path`); `with_flags` false
/// leaves out the `Flags:` section, as cobra does for the root before its
/// help flag exists (`oras help nope`).
fn usage_text(cmd: &clap::Command, path: &str, with_flags: bool) -> String {
    let is_root = path == "oras";
    let mut subs: Vec<(String, String)> = cmd
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| {
            let about = sub.get_about().map(|s| s.to_string()).unwrap_or_default();
            (sub.get_name().to_owned(), about)
        })
        .collect();
    if is_root {
        subs.push(("help".to_owned(), HELP_SHORT.to_owned()));
    }
    subs.sort();
    let mut out = String::from("Usage:");
    if subs.is_empty() {
        let rendered = cmd.clone().render_usage().to_string();
        let usage = rendered
            .strip_prefix("Usage: ")
            .unwrap_or(&rendered)
            .trim_end()
            .to_owned();
        out.push_str(&format!("\n  {usage}"));
    } else {
        out.push_str(&format!("\n  {path} [command]"));
    }
    let aliases: Vec<&str> = cmd.get_all_aliases().collect();
    if !aliases.is_empty() {
        out.push_str(&format!(
            "\n\nAliases:\n  {}, {}",
            cmd.get_name(),
            aliases.join(", ")
        ));
    }
    if !subs.is_empty() {
        let padding = subs
            .iter()
            .map(|(name, _)| name.len())
            .chain([11])
            .max()
            .unwrap_or(11);
        out.push_str("\n\nAvailable Commands:");
        for (name, about) in &subs {
            out.push_str(&format!("\n  {name:<padding$} {about}"));
        }
    }
    if with_flags {
        let flags = flag_usages(cmd);
        if !flags.is_empty() {
            out.push_str("\n\nFlags:\n");
            out.push_str(flags.trim_end());
        }
    }
    if !subs.is_empty() {
        out.push_str(&format!(
            "\n\nUse \"{path} [command] --help\" for more information about a command."
        ));
    }
    out.push('\n');
    out
}

/// pflag's `FlagUsages`: the visible flags sorted by long name, each
/// `  -s, --long type` (or `      --long type`), the help aligned one
/// column after the longest such head plus two spaces, continuation lines
/// of the help indented to that column, and a non-zero default as
/// ` (default …)` (quoted for a string).
fn flag_usages(cmd: &clap::Command) -> String {
    let mut flags: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|arg| !arg.is_positional() && !arg.is_hide_set() && arg.get_long().is_some())
        .collect();
    flags.sort_by_key(|arg| arg.get_long().unwrap_or_default());
    let mut lines = Vec::new();
    for arg in flags {
        let long = arg.get_long().unwrap_or_default();
        let mut head = match arg.get_short() {
            Some(short) => format!("  -{short}, --{long}"),
            None => format!("      --{long}"),
        };
        let value_name = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map(|name| name.to_string())
            .unwrap_or_default();
        let optional_value = arg
            .get_num_args()
            .is_some_and(|range| range.min_values() == 0);
        if arg.get_action().takes_values() && !optional_value && !value_name.is_empty() {
            head.push(' ');
            head.push_str(&value_name);
        }
        let mut usage = arg.get_help().map(|s| s.to_string()).unwrap_or_default();
        if !arg.is_hide_default_value_set() && arg.get_action().takes_values() {
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            let default = defaults.join(",");
            if !matches!(default.as_str(), "" | "0" | "false" | "[]") {
                if value_name == "string" {
                    usage.push_str(&format!(" (default {default:?})"));
                } else {
                    usage.push_str(&format!(" (default {default})"));
                }
            }
        }
        lines.push((head, usage));
    }
    let width = lines.iter().map(|(head, _)| head.len()).max().unwrap_or(0);
    let indent = " ".repeat(width + 3);
    let mut out = String::new();
    for (head, usage) in lines {
        let usage = usage.trim_end().replace('\n', &format!("\n{indent}"));
        out.push_str(&format!("{head:<width$}   {usage}\n"));
    }
    out
}

/// A boolean flag as pflag has it: `--debug` alone is true, and it
/// takes a value only after `=` (`--debug=false`, `-d=0`), spelt as
/// Go's `strconv.ParseBool` accepts; given twice, the last one counts.
fn go_bool_flag(arg: Arg) -> Arg {
    let is_switch = matches!(arg.get_action(), ArgAction::SetTrue);
    let is_optional_bool = arg
        .get_value_names()
        .is_some_and(|names| names.first().is_some_and(|name| name.as_str() == "bool"))
        && arg
            .get_num_args()
            .is_some_and(|range| range.min_values() == 0);
    if !is_switch && !is_optional_bool {
        return arg;
    }
    let arg = arg
        .value_parser(parse_go_bool)
        .value_name("bool")
        .num_args(0..=1)
        .require_equals(true)
        .default_missing_value("true")
        .hide_possible_values(true);
    if is_switch {
        arg.action(ArgAction::Set).default_value("false")
    } else {
        arg
    }
}

/// `--concurrency` and `--depth` as Go's `int` flags: any 64-bit integer
/// in any of Go's notations; a concurrency not above 0 means oras-go's
/// default level (3), as it does there.
fn go_int_flag(arg: Arg) -> Arg {
    match arg.get_long() {
        Some("concurrency") => arg.value_parser(parse_concurrency),
        Some("depth") => arg.value_parser(parse_go_int),
        _ => arg,
    }
}

/// A concurrency level written as pflag's `int` reads it.
fn parse_concurrency(value: &str) -> Result<usize, String> {
    const ORAS_GO_DEFAULT: usize = 3;
    let level = parse_go_int(value)?;
    Ok(usize::try_from(level)
        .ok()
        .filter(|level| *level > 0)
        .unwrap_or(ORAS_GO_DEFAULT))
}

/// Go's `strconv.ParseInt(value, 0, 64)`: an optional sign, then decimal,
/// or `0x`, `0o`/`0`, `0b` digits, `_` allowed between them.
fn parse_go_int(value: &str) -> Result<i64, String> {
    let fail = |why: &str| {
        format!(
            "strconv.ParseInt: parsing {}: {why}",
            crate::error::quote(value)
        )
    };
    let (negative, unsigned) = match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+') => (false, &value[1..]),
        _ => (false, value),
    };
    let lower = unsigned.to_ascii_lowercase();
    let (radix, digits) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    let digits = if radix == 10 && !digits.contains('_') {
        digits.to_owned()
    } else {
        digits.replace('_', "")
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(fail("invalid syntax"));
    }
    let magnitude = i128::from_str_radix(&digits, radix).map_err(|_| fail("value out of range"))?;
    let signed = if negative { -magnitude } else { magnitude };
    i64::try_from(signed).map_err(|_| fail("value out of range"))
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(value: &str) -> Result<bool, String> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!(
            "strconv.ParseBool: parsing {}: invalid syntax",
            crate::error::quote(value)
        )),
    }
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
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let mut cmd = command();
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    let found = find_command(&cmd, &words);
    if let Some(code) = before_parsing(&cmd, &words, &found, ctx) {
        return code;
    }
    let matches = match cmd.try_get_matches_from_mut(args) {
        Ok(m) => m,
        Err(err) => return report_clap_error(err, &cmd, (&found.path, &words), ctx),
    };
    warn_deprecated_flags(&matches, &words, ctx);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => return report_clap_error(err, &cmd, (&found.path, &words), ctx),
    };
    match dispatch(cli.command, &mut cmd, ctx) {
        Ok(()) => 0,
        Err(err) => {
            report_error(&err, ctx);
            1
        }
    }
}

/// The command the words of a command line name (cobra's `Find`): the
/// names (or aliases) of commands, flags skipped, down to a command that
/// has no subcommand of the next word's name.
struct Found {
    /// The names of the commands under the root, in order.
    names: Vec<String>,
    /// `oras` and those names.
    path: String,
    /// The first word that names no subcommand of a parent, if any.
    unknown: Option<String>,
}

/// Walks `words` from the root as cobra's `Find` does (see [`Found`]):
/// at each parent, the first word left once flags are stripped (see
/// [`strip_flags`]) names the next command.
fn find_command(root: &clap::Command, words: &[String]) -> Found {
    let mut current = root;
    let mut names = Vec::new();
    let mut unknown = None;
    let mut rest: Vec<String> = words.to_vec();
    while current.get_subcommands().next().is_some() {
        let Some(next) = strip_flags(&rest).into_iter().next() else {
            break;
        };
        if names.is_empty() && next == "help" {
            names.push(next);
            break;
        }
        match current.find_subcommand(&next) {
            Some(sub) => {
                names.push(sub.get_name().to_owned());
                current = sub;
                if let Some(at) = rest.iter().position(|word| *word == next) {
                    rest.remove(at);
                }
            }
            None => {
                unknown = Some(next);
                break;
            }
        }
    }
    let path = std::iter::once("oras")
        .chain(names.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    Found {
        names,
        path,
        unknown,
    }
}

/// Cobra's `stripFlags` for a parent (which knows no flag then): the
/// words that are not flags, where a flag without `=` (`--name`, or a
/// two-character `-x`) takes the next word as its value, unless that is
/// the last word, which then ends the search; `--` ends it too.
fn strip_flags(words: &[String]) -> Vec<String> {
    let mut commands = Vec::new();
    let mut iter = words.iter().peekable();
    while let Some(word) = iter.next() {
        if word == "--" {
            break;
        }
        let long_with_value = word.starts_with("--") && !word.contains('=');
        let short_with_value = word.starts_with('-') && !word.contains('=') && word.len() == 2;
        if long_with_value || short_with_value {
            if iter.len() <= 1 {
                break;
            }
            iter.next();
        } else if !word.is_empty() && !word.starts_with('-') {
            commands.push(word.clone());
        }
    }
    commands
}

/// The first unknown flag among `words` for the command at `found`, in
/// pflag's words: pflag parses every flag before cobra looks at `--help`,
/// so `oras pull --help --nope` is an error.
fn unknown_flag_before_help(
    root: &clap::Command,
    words: &[String],
    found: &Found,
) -> Option<String> {
    let cmd = command_at(root, &found.names)?;
    let takes_value = |arg: &Arg| {
        arg.get_action().takes_values()
            && arg
                .get_num_args()
                .is_none_or(|range| range.min_values() >= 1)
    };
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        if word == "--" {
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (long, None),
            };
            let Some(arg) = cmd.get_arguments().find(|arg| arg.get_long() == Some(name)) else {
                let written = if name.is_empty() || name.starts_with('-') {
                    word.clone()
                } else {
                    format!("--{name}")
                };
                return Some(unknown_flag_message(&written));
            };
            let value = match value {
                None if takes_value(arg) => match iter.next() {
                    Some(next) => Some(next.clone()),
                    None => return Some(format!("flag needs an argument: --{name}")),
                },
                value => value,
            };
            if let Some(message) = bad_value(root, arg, value.as_deref()) {
                return Some(message);
            }
        } else if let Some(shorts) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            for (at, short) in shorts.char_indices() {
                let Some(arg) = cmd
                    .get_arguments()
                    .find(|arg| arg.get_short() == Some(short))
                else {
                    return Some(format!(
                        "unknown shorthand flag: '{short}' in -{}",
                        &shorts[at..]
                    ));
                };
                let rest = &shorts[at + short.len_utf8()..];
                let value = if takes_value(arg) {
                    match (rest.strip_prefix('=').unwrap_or(rest), iter.next()) {
                        ("", Some(next)) if rest.is_empty() => Some(next.clone()),
                        ("", None) if rest.is_empty() => {
                            return Some(format!("flag needs an argument: '{short}' in -{short}"));
                        }
                        (inline, _) => Some(inline.to_owned()),
                    }
                } else {
                    rest.strip_prefix('=').map(str::to_owned)
                };
                if let Some(message) = bad_value(root, arg, value.as_deref()) {
                    return Some(message);
                }
                if value.is_some() {
                    break;
                }
            }
        }
    }
    None
}

/// pflag's error for the `value` of the flag `arg` its parser refuses.
fn bad_value(root: &clap::Command, arg: &Arg, value: Option<&str>) -> Option<String> {
    let value = value?;
    let long = arg.get_long()?;
    let probe = clap::Command::new("probe").no_binary_name(true).arg(
        Arg::new("value")
            .long("value")
            .num_args(1)
            .allow_hyphen_values(true)
            .value_parser(arg.get_value_parser().clone()),
    );
    let err = probe
        .try_get_matches_from([format!("--value={value}")])
        .err()?;
    Some(format!(
        "invalid argument {} for {} flag: {}",
        crate::error::quote(value),
        crate::error::quote(&flag_display_name(root, long)),
        invalid_reason(root, long, value, &err)
    ))
}

/// The subcommand of `root` at `names` (all of which exist).
fn command_at<'a>(root: &'a clap::Command, names: &[String]) -> Option<&'a clap::Command> {
    names
        .iter()
        .try_fold(root, |cmd, name| cmd.find_subcommand(name))
}

/// What cobra does before parsing any flag of a command: `oras help …`,
/// an unknown command at the root (an error) and an unknown word under
/// another parent (that parent's help, exit 0, unless a flag is unknown).
fn before_parsing(
    root: &clap::Command,
    words: &[String],
    found: &Found,
    ctx: &Context,
) -> Option<i32> {
    if found.names.first().map(String::as_str) == Some("help") {
        return Some(help_command(root, words, ctx));
    }
    // pflag parses every flag before cobra looks at `--help`.
    if found.unknown.is_none()
        && let Some(message) = unknown_flag_before_help(root, words, found)
    {
        let _ = ctx.printer.eprintln(&format!("Error: {message}"));
        return Some(1);
    }
    let cmd = command_at(root, &found.names)?;
    let before_dashes = || words.iter().take_while(|word| word.as_str() != "--");
    let only_help_flags = before_dashes()
        .filter(|word| word.starts_with('-'))
        .all(|word| matches!(word.as_str(), "-h" | "--help"));
    if found.unknown.is_none()
        && cmd.get_subcommands().next().is_some()
        && words.iter().any(|word| word == "--")
        && only_help_flags
    {
        // Words after `--` name no command: a parent shows its help.
        let _ = ctx
            .printer
            .write_out(render_help(cmd, &found.path).as_bytes());
        return Some(0);
    }
    let unknown = found.unknown.as_deref()?;
    if found.names.is_empty() {
        let mut message = format!(
            "Error: unknown command {} for \"oras\"",
            crate::error::quote(unknown)
        );
        let suggestions = suggestions_for(root, unknown);
        if !suggestions.is_empty() {
            message.push_str("\n\nDid you mean this?\n");
            for name in suggestions {
                message.push_str(&format!("\t{name}\n"));
            }
        }
        message.push_str("\nRun 'oras --help' for usage.");
        let _ = ctx.printer.eprintln(&message);
        return Some(1);
    }
    let flag_error = words
        .iter()
        .take_while(|word| word.as_str() != "--")
        .filter(|word| word.starts_with('-') && !matches!(word.as_str(), "-h" | "--help"))
        .map(|word| unknown_flag_message(word))
        .next();
    if let Some(message) = flag_error {
        let _ = ctx.printer.eprintln(&format!("Error: {message}"));
        return Some(1);
    }
    let cmd = command_at(root, &found.names)?;
    let _ = ctx
        .printer
        .write_out(render_help(cmd, &found.path).as_bytes());
    Some(0)
}

/// `oras help [command]`: the help of the named command on stdout; an
/// unknown one prints `Unknown help topic` and the root's usage on
/// stderr, and still succeeds, as cobra's help command does.
fn help_command(root: &clap::Command, words: &[String], ctx: &Context) -> i32 {
    let mut rest = words
        .iter()
        .skip_while(|word| word.as_str() != "help")
        .skip(1);
    let topics: Vec<String> = rest
        .by_ref()
        .filter(|word| !word.starts_with('-'))
        .cloned()
        .collect();
    let unknown_flag = words
        .iter()
        .take_while(|word| word.as_str() != "--")
        .find(|word| word.starts_with('-') && !matches!(word.as_str(), "-h" | "--help"));
    if let Some(flag) = unknown_flag {
        let message = unknown_flag_message(flag.split('=').next().unwrap_or(flag));
        let _ = ctx.printer.eprintln(&format!("Error: {message}"));
        return 1;
    }
    if words
        .iter()
        .any(|word| matches!(word.as_str(), "-h" | "--help"))
    {
        let _ = ctx.printer.write_out(HELP_HELP.as_bytes());
        return 0;
    }
    let found = find_command(root, &topics);
    match (found.unknown, command_at(root, &found.names)) {
        (Some(_), _) if found.names.is_empty() => {
            let quoted: Vec<String> = topics.iter().map(|t| format!("`{t}`")).collect();
            let _ = ctx.printer.eprintln(&format!(
                "Unknown help topic [{}]\n{}",
                quoted.join(" "),
                usage_text(root, "oras", false).trim_end()
            ));
            0
        }
        (_, Some(cmd)) if found.names.first().map(String::as_str) != Some("help") => {
            let _ = ctx
                .printer
                .write_out(render_help(cmd, &found.path).as_bytes());
            0
        }
        _ => {
            let _ = ctx.printer.write_out(HELP_HELP.as_bytes());
            0
        }
    }
}

/// The order the Go CLI adds its commands to the root in (then cobra's
/// `completion`), which is the order of its suggestions.
const GO_COMMAND_ORDER: &[&str] = &[
    "pull",
    "push",
    "login",
    "logout",
    "version",
    "discover",
    "resolve",
    "cp",
    "tag",
    "attach",
    "backup",
    "restore",
    "blob",
    "manifest",
    "repo",
    "completion",
];

/// Cobra's `SuggestionsFor`: the root's visible commands within a
/// Levenshtein distance of 2 of `typed` (ignoring case), or starting
/// with it, in [`GO_COMMAND_ORDER`].
fn suggestions_for(root: &clap::Command, typed: &str) -> Vec<String> {
    let typed_lower = typed.to_lowercase();
    let mut names: Vec<&str> = root
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(clap::Command::get_name)
        .collect();
    names.sort_by_key(|name| {
        GO_COMMAND_ORDER
            .iter()
            .position(|go| go == name)
            .unwrap_or(GO_COMMAND_ORDER.len())
    });
    names
        .into_iter()
        .filter(|name| {
            let lower = name.to_lowercase();
            levenshtein(&typed_lower, &lower) <= 2 || lower.starts_with(&typed_lower)
        })
        .map(str::to_owned)
        .collect()
}

/// The edit distance of `a` and `b`.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The word of the command line (`words`) clap's unknown `arg` comes
/// from, as pflag names it: a shorthand with the rest of its cluster
/// (`-Z=3`, from `-kZ=3`), a malformed long flag whole (`--=x`, `---x`).
fn as_written(arg: &str, words: &[String]) -> String {
    let flags = || words.iter().take_while(|word| word.as_str() != "--");
    if let Some(short) = arg.strip_prefix('-').filter(|s| !s.starts_with('-')) {
        let found = flags()
            .filter(|word| !word.starts_with("--"))
            .find_map(|word| word.find(short).filter(|at| *at > 0).map(|at| &word[at..]));
        if let Some(rest) = found {
            return format!("-{rest}");
        }
    } else if let Some(bad) =
        flags().find(|word| word.starts_with("---") || word.starts_with("--="))
    {
        return bad.clone();
    }
    arg.to_owned()
}

/// pflag's message for an unknown flag `arg`.
fn unknown_flag_message(arg: &str) -> String {
    if arg.starts_with("---") || arg.starts_with("--=") {
        return format!("bad flag syntax: {arg}");
    }
    match arg.strip_prefix('-') {
        Some(rest) if !rest.starts_with('-') && !rest.is_empty() => {
            let first: String = rest.chars().take(1).collect();
            format!("unknown shorthand flag: '{first}' in {arg}")
        }
        _ => format!("unknown flag: {arg}"),
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

/// Help requests print [`render_help`]'s text of the command at `path`
/// to stdout and succeed; parse errors print pflag's and cobra's
/// `Error: …` lines to stderr and fail with 1.
fn report_clap_error(
    err: clap::Error,
    root: &clap::Command,
    (path, words): (&str, &[String]),
    ctx: &Context,
) -> i32 {
    let last_word = words.last().map(String::as_str).unwrap_or_default();
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind: ContextKind| match err.get(kind) {
        Some(ContextValue::String(value)) => value.clone(),
        _ => String::new(),
    };
    let message = match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let names: Vec<String> = path.split(' ').skip(1).map(str::to_owned).collect();
            let text = match command_at(root, &names) {
                Some(cmd) => render_help(cmd, path),
                None => err.render().to_string(),
            };
            let _ = ctx.printer.write_out(text.as_bytes());
            return 0;
        }
        ErrorKind::DisplayVersion => {
            let _ = ctx.printer.write_out(err.render().to_string().as_bytes());
            return 0;
        }
        ErrorKind::UnknownArgument => {
            let arg = context(ContextKind::InvalidArg);
            if arg.starts_with('-') {
                unknown_flag_message(&as_written(&arg, words))
            } else {
                format!(
                    "unknown command {} for {}",
                    crate::error::quote(&arg),
                    crate::error::quote(path)
                )
            }
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let long = flag_long_name(&context(ContextKind::InvalidArg));
            let value = context(ContextKind::InvalidValue);
            let name = flag_display_name(root, &long);
            if value.is_empty() && err.kind() == ErrorKind::InvalidValue {
                format!(
                    "flag needs an argument: {}",
                    needs_argument_name(last_word, &long)
                )
            } else {
                let reason = invalid_reason(root, &long, &value, &err);
                format!(
                    "invalid argument {} for {} flag: {reason}",
                    crate::error::quote(&value),
                    crate::error::quote(&name)
                )
            }
        }
        ErrorKind::TooManyValues if context(ContextKind::InvalidArg).starts_with("--") => {
            let long = flag_long_name(&context(ContextKind::InvalidArg));
            let value = context(ContextKind::InvalidValue);
            format!(
                "invalid argument {} for {} flag: strconv.ParseBool: parsing {}: invalid syntax",
                crate::error::quote(&value),
                crate::error::quote(&flag_display_name(root, &long)),
                crate::error::quote(&value)
            )
        }
        _ => {
            let rendered = err.render().to_string();
            let text = rendered.strip_prefix("error: ").unwrap_or(&rendered);
            text.trim_end().to_owned()
        }
    };
    let _ = ctx.printer.eprintln(&format!("Error: {message}"));
    1
}

/// The long name in clap's rendering of a flag (`--plain-http[=<bool>]`,
/// `--concurrency <int>`).
fn flag_long_name(rendered: &str) -> String {
    let name = rendered.split([' ', '[', '=']).next().unwrap_or_default();
    name.trim_start_matches('-').to_owned()
}

/// The flag of any command in the tree named `--long`.
fn find_flag(cmd: &clap::Command, long: &str) -> Option<Arg> {
    cmd.get_arguments()
        .find(|arg| arg.get_long() == Some(long))
        .cloned()
        .or_else(|| cmd.get_subcommands().find_map(|sub| find_flag(sub, long)))
}

/// pflag's name of a flag in errors: `-d, --debug` when it has a
/// shorthand, else `--plain-http`.
fn flag_display_name(root: &clap::Command, long: &str) -> String {
    match find_flag(root, long).and_then(|arg| arg.get_short()) {
        Some(short) => format!("-{short}, --{long}"),
        None => format!("--{long}"),
    }
}

/// pflag's name of a flag given without its value, the last word of the
/// command line: `'o' in -o` when that is its shorthand, else `--output`.
fn needs_argument_name(last_word: &str, long: &str) -> String {
    match last_word.strip_prefix('-') {
        Some(shorts) if !shorts.starts_with('-') && !shorts.is_empty() => {
            let short: String = shorts.chars().last().into_iter().collect();
            format!("'{short}' in -{short}")
        }
        _ => format!("--{long}"),
    }
}

/// Why `value` is no value of `--long`: Go's `strconv` message for a bool
/// or int flag, else the value parser's own message.
fn invalid_reason(root: &clap::Command, long: &str, value: &str, err: &clap::Error) -> String {
    let own = std::error::Error::source(err).map(ToString::to_string);
    if let Some(own) = own.as_ref().filter(|text| text.starts_with("strconv.")) {
        return own.clone();
    }
    let value_name = find_flag(root, long)
        .and_then(|arg| {
            arg.get_value_names()
                .and_then(|n| n.first().map(|s| s.to_string()))
        })
        .unwrap_or_default();
    match value_name.as_str() {
        "bool" => format!(
            "strconv.ParseBool: parsing {}: invalid syntax",
            crate::error::quote(value)
        ),
        "int" => match parse_go_int(value) {
            Err(why) => why,
            Ok(_) => format!(
                "strconv.ParseInt: parsing {}: value out of range",
                crate::error::quote(value)
            ),
        },
        _ => own.unwrap_or_else(|| err.to_string()),
    }
}

/// Validates the command's arguments and runs it. The tokio runtime is
/// created only for commands that need it, after parsing, so `--help`
/// and `version` stay instant.
fn dispatch(command: Command, root: &mut clap::Command, ctx: &Context) -> Outcome {
    match command {
        Command::Version(args) => version::run(&args, ctx),
        Command::Completion(shell) => completion::run(shell.shell(), root, ctx),
        Command::Attach(args) => run(args, ctx),
        Command::Backup(args) => run(args, ctx),
        Command::Cp(args) => run(args, ctx),
        Command::Discover(args) => run(args, ctx),
        Command::Login(args) => run(args, ctx),
        Command::Logout(args) => run(args, ctx),
        Command::Pull(args) => run(args, ctx),
        Command::Push(args) => run(args, ctx),
        Command::Resolve(args) => run(args, ctx),
        Command::Restore(args) => run(args, ctx),
        Command::Tag(args) => run(args, ctx),
        Command::Blob(sub) => match sub {
            blob::BlobCommand::Delete(args) => run(args, ctx),
            blob::BlobCommand::Fetch(args) => run(args, ctx),
            blob::BlobCommand::Push(args) => run(args, ctx),
        },
        Command::Manifest(sub) => match sub {
            manifest::ManifestCommand::Delete(args) => run(args, ctx),
            manifest::ManifestCommand::Fetch(args) => run(args, ctx),
            manifest::ManifestCommand::FetchConfig(args) => run(args, ctx),
            manifest::ManifestCommand::Push(args) => run(args, ctx),
            manifest::ManifestCommand::Index(index) => match index {
                manifest::index::IndexCommand::Create(args) => run(args, ctx),
                manifest::index::IndexCommand::Update(args) => run(args, ctx),
            },
        },
        Command::Repo(sub) => match sub {
            repo::RepoCommand::Ls(args) => run(args, ctx),
            repo::RepoCommand::Tags(args) => run(args, ctx),
        },
    }
}

/// Validates `args`, prints the validation notes, and runs the command on
/// a tokio runtime with the prologue and epilogue every command shares
/// ([`commands::execute`]).
fn run<C: commands::Command>(args: C, ctx: &Context) -> Outcome {
    let mut env = ValidateEnv {
        stderr_is_tty: ctx.stderr_is_tty,
        ..ValidateEnv::default()
    };
    let options = args.validate(&mut env)?;
    print_notes(&env, ctx);
    block_on(commands::execute::<C>(options, env.debug, ctx))
}

/// Prints the notes of a command's validation, but for the deprecation
/// of `--verbose`, which [`warn_deprecated_flags`] printed already.
fn print_notes(env: &ValidateEnv, ctx: &Context) {
    let deprecated = verbose_deprecation();
    for note in env
        .notes
        .iter()
        .filter(|note| Some(note.as_str()) != deprecated)
    {
        let _ = ctx.printer.eprintln(note);
    }
}

/// pflag's notice for the deprecated `--verbose`.
fn verbose_deprecation() -> Option<&'static str> {
    crate::options::Common {
        debug: false,
        verbose: Some(true),
    }
    .deprecation_warning()
}

/// Prints pflag's deprecation notice for `-v/--verbose` on stderr for
/// each time the command line (`words`) has it, as pflag does while
/// parsing: before any argument is checked.
fn warn_deprecated_flags(matches: &clap::ArgMatches, words: &[String], ctx: &Context) {
    let mut leaf = matches;
    while let Some((_, sub)) = leaf.subcommand() {
        leaf = sub;
    }
    let given = leaf.ids().any(|id| id.as_str() == "verbose")
        && leaf.value_source("verbose") == Some(clap::parser::ValueSource::CommandLine);
    let Some(notice) = verbose_deprecation().filter(|_| given) else {
        return;
    };
    let times = words
        .iter()
        .take_while(|word| word.as_str() != "--")
        .filter(|word| {
            let flag = word.split('=').next().unwrap_or_default();
            flag == "--verbose"
                || (!flag.starts_with("--") && flag.starts_with('-') && flag.contains('v'))
        })
        .count();
    for _ in 0..times.max(1) {
        let _ = ctx.printer.eprintln(notice);
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
    Context::from_process()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_ints() {
        assert_eq!(parse_go_int("42"), Ok(42));
        assert_eq!(parse_go_int("-1"), Ok(-1));
        assert_eq!(parse_go_int("+0x1f"), Ok(31));
        assert_eq!(parse_go_int("0o17"), Ok(15));
        assert_eq!(parse_go_int("017"), Ok(15));
        assert_eq!(parse_go_int("0b101"), Ok(5));
        assert_eq!(parse_go_int("1_000"), Ok(1000));
        assert_eq!(
            parse_go_int("09"),
            Err("strconv.ParseInt: parsing \"09\": invalid syntax".to_owned())
        );
        assert_eq!(
            parse_go_int("99999999999999999999"),
            Err(
                "strconv.ParseInt: parsing \"99999999999999999999\": value out of range".to_owned()
            )
        );
        assert_eq!(parse_concurrency("-1"), Ok(3));
        assert_eq!(parse_concurrency("0"), Ok(3));
        assert_eq!(parse_concurrency("7"), Ok(7));
    }

    #[test]
    fn go_bools() {
        for yes in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_go_bool(yes), Ok(true));
        }
        for no in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_go_bool(no), Ok(false));
        }
        assert!(parse_go_bool("yes").is_err());
    }

    #[test]
    fn suggestions_follow_cobra() {
        assert_eq!(levenshtein("pul", "push"), 2);
        let root = command();
        assert_eq!(
            suggestions_for(&root, "re"),
            ["resolve", "cp", "restore", "repo"]
        );
        assert_eq!(suggestions_for(&root, "c"), ["cp", "completion"]);
        assert!(suggestions_for(&root, "zzzzzz").is_empty());
    }

    #[test]
    fn flag_list_is_pflags() {
        let root = command();
        let names = ["repo".to_owned(), "tags".to_owned()];
        let tags = command_at(&root, &names)
            .map(flag_usages)
            .unwrap_or_default();
        let lines: Vec<&str> = tags.lines().collect();
        let debug = lines
            .iter()
            .find(|line| line.starts_with("  -d, --debug   "));
        assert!(
            debug.is_some_and(|line| line.ends_with("   output debug logs (implies --no-tty)")),
            "{tags}"
        );
        let longs: Vec<&str> = lines
            .iter()
            .filter_map(|line| line.split("--").nth(1))
            .filter_map(|rest| rest.split([' ', '[']).next())
            .collect();
        let mut sorted = longs.clone();
        sorted.sort_unstable();
        assert_eq!(longs, sorted);
    }
}
