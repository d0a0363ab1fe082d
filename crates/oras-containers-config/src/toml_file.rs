//! Reading a TOML file into serde types with errors that name the file,
//! the line and the key.

use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// The 1-based line holding byte `offset` of `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The dotted key at the start of `span`: the current table header (the
/// last `[table]` or `[[array]]` above the line) joined with the key
/// before `=` on the line.
pub(crate) fn key_at(text: &str, span: &Range<usize>) -> String {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    let table = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let trimmed = line.trim();
    if trimmed.starts_with('[') {
        return trimmed
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_string();
    }
    let key = line
        .split_once('=')
        .map(|(key, _)| key.trim().trim_matches('"').to_string());
    match (table, key) {
        (Some(table), Some(key)) => format!("{table}.{key}"),
        (None, Some(key)) => key,
        (Some(table), None) => table,
        (None, None) => String::new(),
    }
}

/// A [`Error::Malformed`] for `span` of `text` in `path`.
pub(crate) fn malformed(path: &Path, text: &str, span: &Range<usize>, message: String) -> Error {
    Error::Malformed {
        path: path.to_path_buf(),
        line: line_of(text, span.start),
        key: key_at(text, span),
        message,
    }
}

/// Parses `text` (read from `path`) as `T`.
pub(crate) fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|err| {
        let span = err.span().unwrap_or(0..0);
        malformed(path, text, &span, err.message().to_string())
    })
}

/// Reads `path`; `None` when it does not exist.
pub(crate) fn read_optional(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        registry: Vec<Entry>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Entry {
        insecure: Option<bool>,
    }

    #[test]
    fn a_type_error_names_line_and_key() {
        let text = "# top\n[[registry]]\nlocation = \"a\"\ninsecure = \"yes\"\n";
        let err = parse::<Doc>(Path::new("/r.conf"), text).unwrap_err();
        match &err {
            Error::Malformed { line, key, .. } => {
                assert_eq!((*line, key.as_str()), (4, "registry.insecure"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with("/r.conf:4: key \"registry.insecure\": ")
        );
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let err = parse::<Doc>(Path::new("/r.conf"), "[[registry]]\ninsecure = \n").unwrap_err();
        assert!(matches!(err, Error::Malformed { line: 2, .. }), "{err}");
    }
}
