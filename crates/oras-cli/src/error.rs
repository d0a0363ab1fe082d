//! Errors shaped as the Go CLI's (`cmd/oras/internal/errors`): a message,
//! optionally the usage line and a recommendation, each on its own line.

use std::fmt;

/// A user-facing error: `Error: <message>`, then `Usage: <usage>` and a
/// recommendation line when given, exactly as the Go CLI's `oerrors.Error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliError {
    /// The error text.
    pub message: String,
    /// The usage line of the command (`oras push [flags] …`), if shown.
    pub usage: Option<String>,
    /// A hint on what to do instead, if any.
    pub recommendation: Option<String>,
    /// What is printed before the message instead of `Error:` (the Go
    /// CLI's `cmd.SetErrPrefix`, e.g. `Error response from registry:`).
    pub prefix: Option<String>,
}

impl CliError {
    /// An error with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            usage: None,
            recommendation: None,
            prefix: None,
        }
    }

    /// Adds the usage line.
    pub fn with_usage(mut self, usage: impl Into<String>) -> Self {
        self.usage = Some(usage.into());
        self
    }

    /// Replaces the `Error:` prefix of the printed line.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// The prefix of the printed line: `Error:` unless replaced.
    pub fn prefix(&self) -> &str {
        self.prefix.as_deref().unwrap_or("Error:")
    }

    /// Adds a recommendation line.
    pub fn with_recommendation(mut self, recommendation: impl Into<String>) -> Self {
        self.recommendation = Some(recommendation.into());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(usage) = &self.usage {
            write!(f, "\nUsage: {usage}")?;
        }
        if let Some(recommendation) = &self.recommendation {
            write!(f, "\n{recommendation}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}

/// The result of option parsing and validation.
pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// Fails when two or more of `flags` were given (Go
/// `CheckMutuallyExclusiveFlags`): `--a, --b cannot be used at the same time`.
/// Each entry is a flag name without dashes and whether it was given.
pub fn check_mutually_exclusive(flags: &[(&str, bool)]) -> Result<()> {
    let given: Vec<String> = flags
        .iter()
        .filter(|(_, set)| *set)
        .map(|(name, _)| format!("--{name}"))
        .collect();
    if given.len() >= 2 {
        return Err(CliError::new(format!(
            "{} cannot be used at the same time",
            given.join(", ")
        )));
    }
    Ok(())
}

/// Fails when some but not all of `flags` were given (Go
/// `CheckRequiredTogetherFlags`): `--a must be used in conjunction with --b`.
pub fn check_required_together(flags: &[(&str, bool)]) -> Result<()> {
    let (given, missing): (Vec<_>, Vec<_>) = flags.iter().partition(|(_, set)| *set);
    if !given.is_empty() && !missing.is_empty() {
        let names = |list: Vec<&(&str, bool)>| {
            list.iter()
                .map(|(name, _)| format!("--{name}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(CliError::new(format!(
            "{} must be used in conjunction with {}",
            names(given),
            names(missing)
        )));
    }
    Ok(())
}

/// Quotes `text` as Go's `%q` does for printable text.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An OS error as Go's `*fs.PathError` prints it: the operation as Go
/// names it (`open`, `stat`, `mkdir`, `read`), the path as given, and the
/// text of Go's `syscall` table (`open nope.txt: no such file or
/// directory`), where Rust would say `No such file or directory (os
/// error 2)`.
pub fn path_error(op: &str, path: impl AsRef<std::path::Path>, err: &std::io::Error) -> String {
    format!("{op} {}: {}", path.as_ref().display(), os_error_text(err))
}

/// The text Go gives an OS error without its operation and path (Go's
/// `syscall.Errno.Error`): `no such file or directory`.
pub fn os_error_text(err: &std::io::Error) -> String {
    oras_remote::client::go_text::errno_text(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_as_go_path_errors() {
        let cases = [
            (2, "open nope.txt: no such file or directory"),
            (17, "open nope.txt: file exists"),
            (20, "open nope.txt: not a directory"),
            (13, "open nope.txt: permission denied"),
            (21, "open nope.txt: is a directory"),
        ];
        for (code, want) in cases {
            let err = std::io::Error::from_raw_os_error(code);
            assert_eq!(path_error("open", "nope.txt", &err), want);
        }
        let err = std::fs::metadata("surely/not/here").unwrap_err();
        assert_eq!(
            path_error("stat", "surely/not/here", &err),
            "stat surely/not/here: no such file or directory"
        );
    }

    #[test]
    fn displays_like_go() {
        let err = CliError::new("boom")
            .with_usage("oras pull [flags] <name>")
            .with_recommendation("Try again");
        assert_eq!(
            err.to_string(),
            "boom\nUsage: oras pull [flags] <name>\nTry again"
        );
        assert_eq!(CliError::new("x").to_string(), "x");
    }

    #[test]
    fn mutually_exclusive_lists_given_flags() {
        assert!(check_mutually_exclusive(&[("a", true), ("b", false)]).is_ok());
        let err = check_mutually_exclusive(&[("a", true), ("b", false), ("c", true)]).unwrap_err();
        assert_eq!(err.message, "--a, --c cannot be used at the same time");
    }

    #[test]
    fn required_together() {
        assert!(check_required_together(&[("cert-file", false), ("key-file", false)]).is_ok());
        assert!(check_required_together(&[("cert-file", true), ("key-file", true)]).is_ok());
        let err = check_required_together(&[("cert-file", true), ("key-file", false)]).unwrap_err();
        assert_eq!(
            err.message,
            "--cert-file must be used in conjunction with --key-file"
        );
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote("x\ny"), r#""x\ny""#);
    }
}
