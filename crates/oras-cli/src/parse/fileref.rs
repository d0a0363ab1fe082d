//! `<file>[:<mediaType>]` arguments, split at the last `:` (Go
//! `cmd/oras/internal/fileref/unix.go`): `hi:txt:` is the file `hi:txt`
//! with the default media type.

use std::path::Path;

use crate::error::{CliError, Result, quote};

/// A parsed file argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef {
    /// The argument exactly as typed (the key of per-file annotations).
    pub raw: String,
    /// The file path.
    pub path: String,
    /// The media type; empty means the store's default.
    pub media_type: String,
}

impl FileRef {
    /// Parses `raw`; an absent type is `default_media_type`.
    pub fn parse(raw: &str, default_media_type: &str) -> Result<Self> {
        let (path, media_type) = parse_file_ref(raw, default_media_type)?;
        Ok(FileRef {
            raw: raw.to_owned(),
            path,
            media_type,
        })
    }

    /// Whether this argument reads from standard input (`-`).
    pub fn is_stdin(&self) -> bool {
        self.raw == "-"
    }
}

/// Splits `reference` into a path and a media type at the last `:`; without
/// a `:`, the type is `default_media_type`. An empty path is an error.
pub fn parse_file_ref(reference: &str, default_media_type: &str) -> Result<(String, String)> {
    let (path, media_type) = match split_point(reference) {
        Some(i) => (&reference[..i], &reference[i + 1..]),
        None => (reference, default_media_type),
    };
    if path.is_empty() {
        return Err(CliError::new(format!(
            "found empty file path in {}",
            quote(reference)
        )));
    }
    Ok((path.to_owned(), media_type.to_owned()))
}

/// The index of the `:` separating path and type. On Windows a drive
/// letter (`c:\…`) is not a separator (`fileref/windows.go`).
fn split_point(reference: &str) -> Option<usize> {
    let i = reference.rfind(':')?;
    if cfg!(windows) && i == 1 && reference.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    Some(i)
}

/// Refuses absolute file paths unless path validation is disabled (Go
/// `option.Packer.Parse`, oras PR #988).
pub fn validate_file_paths(files: &[String], validation_disabled: bool) -> Result<()> {
    if validation_disabled {
        return Ok(());
    }
    let mut absolute = Vec::new();
    for raw in files {
        let (path, _) = parse_file_ref(raw, "")?;
        if Path::new(&path).is_absolute() {
            absolute.push(path);
        }
    }
    if absolute.is_empty() {
        return Ok(());
    }
    // oras packer.go errPathValidation, wrapped as "%w: %v" with the paths.
    Err(CliError::new(format!(
        "absolute file paths are insecure and not recommended. If it's intentional, use --disable-path-validation flag to skip this check: {}",
        absolute.join(", ")
    )))
}

/// The layer name of a file argument, as push and attach give it: Go's
/// `filepath.Clean` of the path, with forward slashes when it is relative.
pub fn layer_name(path: &str) -> String {
    let absolute = Path::new(path).is_absolute();
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(std::path::is_separator) {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => {
            let sep = std::path::MAIN_SEPARATOR.to_string();
            format!("{sep}{}", parts.join(&sep))
        }
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_last_colon() {
        assert_eq!(
            parse_file_ref("hi.txt", "d").unwrap(),
            ("hi.txt".into(), "d".into())
        );
        assert_eq!(
            parse_file_ref("hi.txt:application/vnd.me.hi", "d").unwrap(),
            ("hi.txt".into(), "application/vnd.me.hi".into())
        );
        assert_eq!(
            parse_file_ref("hi:txt:", "d").unwrap(),
            ("hi:txt".into(), String::new())
        );
        assert_eq!(
            parse_file_ref("a:b:c/d", "").unwrap(),
            ("a:b".into(), "c/d".into())
        );
    }

    #[test]
    fn empty_path_is_an_error() {
        let err = parse_file_ref(":text/plain", "").unwrap_err();
        assert_eq!(err.message, r#"found empty file path in ":text/plain""#);
        assert!(parse_file_ref("", "").is_err());
    }

    #[test]
    fn file_ref_keeps_raw_argument() {
        let f = FileRef::parse("dir/a.txt:text/plain", "").unwrap();
        assert_eq!(f.raw, "dir/a.txt:text/plain");
        assert!(!f.is_stdin());
        assert!(FileRef::parse("-", "").unwrap().is_stdin());
        assert!(!FileRef::parse("-:text/plain", "").unwrap().is_stdin());
    }

    #[cfg(unix)]
    #[test]
    fn absolute_paths_need_the_flag() {
        let files = vec!["/etc/hosts:text/plain".to_owned(), "ok.txt".to_owned()];
        let err = validate_file_paths(&files, false).unwrap_err();
        assert_eq!(
            err.message,
            "absolute file paths are insecure and not recommended. If it's intentional, use --disable-path-validation flag to skip this check: /etc/hosts"
        );
        assert!(validate_file_paths(&files, true).is_ok());
        assert!(validate_file_paths(&["a/b".to_owned()], false).is_ok());
    }

    #[test]
    fn layer_names_are_cleaned_like_go() {
        assert_eq!(layer_name("hi.txt"), "hi.txt");
        assert_eq!(layer_name("./a//b/../c.txt"), "a/c.txt");
        assert_eq!(layer_name("dir/"), "dir");
        assert_eq!(layer_name("../x"), "../x");
        assert_eq!(layer_name("/abs/./x"), "/abs/x");
        assert_eq!(layer_name("."), ".");
        assert_eq!(layer_name("a/./b//c.txt"), "a/b/c.txt");
        assert_eq!(layer_name("./hi.txt"), "hi.txt");
        assert_eq!(layer_name("a/../../b"), "../b");
        #[cfg(unix)]
        assert_eq!(layer_name("/tmp/../x/y"), "/x/y");
    }
}
