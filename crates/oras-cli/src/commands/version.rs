//! `oras version`: aligned `Version:`, `Rust version:`, `OS/Arch:`,
//! `Git commit:`, `Git tree state:` (Go `root/version.go`).
//!
//! The Go CLI prints `Go version:`; we print `Rust version:` instead. No
//! script we know parses that line: the Go CLI's own e2e suite checks only
//! `OS/Arch:` and the platform, and tools compare `Version:`. The OS and
//! architecture use Go's names (`linux/amd64`), so that check passes.

use clap::Args;

use crate::commands::Context;

/// The version of this build.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `oras version` takes no flags; extra arguments are ignored with a warning.
#[derive(Args, Clone, Debug, Default)]
#[command(
    about = "Show the oras version information",
    override_usage = "oras version"
)]
pub struct VersionArgs {
    /// Ignored arguments.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// The lines of `oras version`, aligned after the colon.
pub fn version_lines() -> Vec<String> {
    let items = [
        ("Version", VERSION.to_owned()),
        ("Rust version", env!("ORAS_RUST_VERSION").to_owned()),
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
        assert_eq!(lines[0], format!("Version:        {VERSION}"));
        assert!(lines[1].starts_with("Rust version:   "));
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
