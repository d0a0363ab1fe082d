//! Steps of `tty = true` scenarios: `oras` runs with its standard error
//! (and input) on a pseudo-terminal made by util-linux `script`, standard
//! output redirected to a file, as when a user pipes `oras` into another
//! program. What the terminal received is replayed on a [`Screen`] and its
//! final lines are what the suite compares, after the `progress`
//! normaliser ([`normalise_screen`]) removed what depends on timing.

use std::path::{Path, PathBuf};

use regex::Regex;

use super::screen::Screen;
use crate::real::{Error, Result};

/// Columns of the pseudo-terminal (wide enough that no name is cut).
pub const TTY_COLS: usize = 160;

/// Rows of the pseudo-terminal (enough for every bar of a scenario).
pub const TTY_ROWS: usize = 60;

/// `TERM` of a terminal step.
const TERM: &str = "xterm-256color";

/// util-linux `script`, which runs a command on a new pseudo-terminal.
///
/// # Errors
/// [`Error::ReferenceTool`] when it is missing, with how to install it.
pub(crate) fn script_binary() -> Result<PathBuf> {
    ["/usr/bin/script", "/bin/script", "/usr/local/bin/script"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
        .ok_or_else(|| Error::ReferenceTool {
            detail: "util-linux `script` is needed to run oras under a pseudo-terminal; \
                     install it (Debian: `apt-get install bsdutils`)"
                .into(),
        })
}

/// The program and arguments that run `program args…` on a pseudo-terminal
/// of [`TTY_COLS`]×[`TTY_ROWS`] with standard output written to `stdout`:
/// `script -qefc '<line>' /dev/null` (no banners, the child's exit status,
/// output flushed as it comes, no typescript file). `script`'s own standard
/// output is then the terminal stream.
pub(crate) fn command_line(
    script: &Path,
    program: &Path,
    args: &[String],
    stdout: &Path,
) -> (PathBuf, Vec<String>) {
    let mut line = format!(
        "stty cols {TTY_COLS} rows {TTY_ROWS} 2>/dev/null; exec {}",
        shell_quote(&program.to_string_lossy())
    );
    for arg in args {
        line.push(' ');
        line.push_str(&shell_quote(arg));
    }
    line.push_str(" >");
    line.push_str(&shell_quote(&stdout.to_string_lossy()));
    (
        script.to_path_buf(),
        vec!["-qefc".into(), line, "/dev/null".into()],
    )
}

/// The environment a terminal step adds: `TERM`.
pub(crate) fn environment() -> Vec<(String, String)> {
    vec![("TERM".into(), TERM.into())]
}

/// Quotes `s` for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The final screen of a terminal stream, one line per row, trailing
/// spaces and trailing empty rows removed.
pub fn final_screen(stream: &[u8]) -> String {
    let mut text = Screen::replay(stream, TTY_COLS).lines().join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text
}

/// The structure of a progress screen without its timing (the `progress`
/// normaliser; Go's `display/status/progress` layout):
/// - spinner frames (any Braille pattern) → `*`;
/// - an unfinished bar with its speed, `[   ....](  1.2 MB/s)` → `[<bar>](<speed>)`;
/// - an unfinished percentage → `<percent>%`, its offset → `<offset>`;
/// - the elapsed time after a percentage → `<elapsed>`;
/// - runs of spaces → one space (the padding depends on the widths above);
/// - a bar's `└─ <digest>` line joined to the bar (so sorting keeps pairs).
///
/// Status words, names, digests, total sizes and `100.00%` stay.
pub fn normalise_screen(text: &str) -> String {
    let Some(patterns) = patterns() else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let body = patterns.spinner.replace_all(body, "*");
        let body = patterns.bar.replace_all(&body, "[<bar>](<speed>)");
        let body = patterns
            .right
            .replace_all(&body, |caps: &regex::Captures<'_>| {
                if &caps["percent"] == "100.00" {
                    format!(" {}/{} 100.00% <elapsed>", &caps["offset"], &caps["total"])
                } else {
                    format!(" <offset>/{} <percent>% <elapsed>", &caps["total"])
                }
            });
        let body = patterns.spaces.replace_all(&body, " ");
        let body = body.trim_end();
        if body.trim_start().starts_with("└─") && out.ends_with('\n') {
            out.pop();
            out.push(' ');
            out.push_str(body.trim_start());
        } else {
            out.push_str(body);
        }
        out.push_str(newline);
    }
    out
}

/// The compiled patterns of [`normalise_screen`].
struct Patterns {
    spinner: Regex,
    bar: Regex,
    right: Regex,
    spaces: Regex,
}

/// The patterns, compiled once (`None` only if one did not compile, which
/// the unit tests rule out).
fn patterns() -> Option<&'static Patterns> {
    static PATTERNS: std::sync::OnceLock<Option<Patterns>> = std::sync::OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            Some(Patterns {
                spinner: Regex::new(r"[\x{2800}-\x{28FF}]").ok()?,
                bar: Regex::new(r"\[[ .=>#-]*\]\(\s*[0-9.]*\s*[kKMGTPE]?i?B/s\)").ok()?,
                right: Regex::new(
                    r"\s(?P<offset>[0-9.]+|-)/(?P<total>[0-9.]+\s+[kKMGTPE]?i?B)\s+(?P<percent>[0-9]+\.[0-9]{2})%\s+\S+",
                )
                .ok()?,
                spaces: Regex::new(r" {2,}").ok()?,
            })
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        assert!(patterns().is_some());
    }

    #[test]
    fn progress_lines_keep_structure_not_timing() {
        let screen = "✓ Uploaded  a.txt                                6/6  B 100.00%   10µs\n  └─ sha256:ab\n⠹ [                  ..]( 471 MB/s) Uploaded  big.bin     2.59/2.86 MB  90.66%    6ms\n⠋ [....................](   0  B/s)  big.bin       -/2.86 MB   0.00%   83µs\n";
        assert_eq!(
            normalise_screen(screen),
            "✓ Uploaded a.txt 6/6 B 100.00% <elapsed> └─ sha256:ab\n* [<bar>](<speed>) Uploaded big.bin <offset>/2.86 MB <percent>% <elapsed>\n* [<bar>](<speed>) big.bin <offset>/2.86 MB <percent>% <elapsed>\n"
        );
    }

    #[test]
    fn the_command_line_quotes_every_argument() {
        let (program, args) = command_line(
            Path::new("/usr/bin/script"),
            Path::new("/x/oras"),
            &["push".into(), "it's".into()],
            Path::new("/w/out"),
        );
        assert_eq!(program, Path::new("/usr/bin/script"));
        assert_eq!(args[0], "-qefc");
        assert!(args[1].ends_with("exec '/x/oras' 'push' 'it'\\''s' >'/w/out'"));
        assert_eq!(args[2], "/dev/null");
    }
}
