//! `oras version`: the Go CLI's aligned `Version:`, `Go version:`,
//! `OS/Arch:`, `Git commit:`, `Git tree state:` lines (Go
//! `root/version.go`, as a release build prints them).
//!
//! `Version:` is the Go CLI release this binary is a drop-in for, with
//! our own version as semver build metadata (`1.3.6+oras-rs.0.1.0`, the
//! form Go's `version.GetVersion` gives a build with metadata), so a
//! script that compares versions sees the Go release whose behaviour it
//! gets. `Go version:` says `none` and names the Rust compiler instead:
//! the line keeps its place and key, and claims no Go toolchain.

use clap::Args;

use crate::commands::Context;

/// The version of this build.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The Go `oras` release whose commands, flags and output this binary
/// follows.
pub const GO_ORAS_VERSION: &str = "1.3.6";

/// `oras version` takes no flags; extra arguments are ignored with a warning.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Show the oras version information",
    override_usage = "oras version [flags]",
    after_help = "Show the oras version information\n\nExample - print version:\n  oras version"
)]
pub struct VersionArgs {
    /// Ignored arguments.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// The lines of `oras version`, aligned after the colon.
pub fn version_lines() -> Vec<String> {
    let items = [
        ("Version", format!("{GO_ORAS_VERSION}+oras-rs.{VERSION}")),
        (
            "Go version",
            format!("none (built with rustc {})", env!("ORAS_RUST_VERSION")),
        ),
        (
            "OS/Arch",
            format!("{}/{}", go_os(), oras_spec::host_architecture()),
        ),
        ("Git commit", env!("ORAS_GIT_COMMIT").to_owned()),
        ("Git tree state", env!("ORAS_GIT_TREE_STATE").to_owned()),
    ];
    let width = items.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    items
        .iter()
        .map(|(key, value)| format!("{key}: {}{value}", " ".repeat(width - key.len())))
        .collect()
}

/// This operating system in Go's `GOOS` naming.
pub fn go_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

/// Prints the version; never fails except on a broken stdout.
pub fn run(args: &VersionArgs, ctx: &Context) -> anyhow::Result<()> {
    if !args.args.is_empty() {
        ctx.printer.eprintln(&format!(
            "warning: `oras version` requires no argument, \"{}\" will be ignored",
            args.args.join(",")
        ))?;
    }
    for line in version_lines() {
        ctx.printer.println(&line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Printer;

    #[test]
    fn lines_are_aligned() {
        let lines = version_lines();
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[0],
            format!("Version:        {GO_ORAS_VERSION}+oras-rs.{VERSION}")
        );
        assert!(lines[1].starts_with("Go version:     none (built with rustc "));
        assert!(lines[2].starts_with("OS/Arch:        "));
        assert!(lines[3].starts_with("Git commit:     "));
        assert!(lines[4].starts_with("Git tree state: "));
    }

    #[test]
    fn extra_arguments_warn() {
        let (printer, out, err) = Printer::captured();
        let ctx = Context {
            printer,
            stderr_is_tty: false,
        };
        run(
            &VersionArgs {
                args: vec!["foo".into(), "bar".into()],
            },
            &ctx,
        )
        .unwrap();
        assert!(out.text().contains("OS/Arch:"));
        assert_eq!(
            err.text(),
            "warning: `oras version` requires no argument, \"foo,bar\" will be ignored\n"
        );
    }
}
