//! The redesigned runner's YAML configuration file.
//!
//! `OCI_CONFIGURATION` names the file; when it is unset,
//! `oci-conformance.yaml` in the working directory is read if it exists.
//! Every key maps to the `OCI_*` variable of the same path, as upstream's
//! `conformance` struct tags do: `registry` is `OCI_REGISTRY`,
//! `apis.blobs.mountAnonymous` is `OCI_API_BLOBS_MOUNT_ANONYMOUS`,
//! `roData.tags` (a list) is `OCI_RO_DATA_TAGS`. Precedence is upstream's:
//! a variable (or flag) wins over the file, and the file over the legacy
//! Ginkgo variables (a file's `apis.push` is `OCI_API_PUSH`, which the
//! legacy `OCI_TEST_PUSH` only fills in when it is unset).
//!
//! The parser reads the YAML such a file needs: nested block mappings,
//! plain or quoted scalars, block (`- item`) and flow (`[a, b]`)
//! sequences of scalars, comments and a leading `---`. Anything else is a
//! configuration error naming the line.

use std::collections::BTreeMap;

use crate::config::{ConfigError, VARIABLES};

/// The variable naming the configuration file.
pub const CONFIG_FILE_VAR: &str = "OCI_CONFIGURATION";

/// The file read when [`CONFIG_FILE_VAR`] is unset, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "oci-conformance.yaml";

/// Lays the configuration file's settings under `vars` (which win), and
/// returns warnings for keys no variable has.
///
/// # Errors
/// [`ConfigError::Invalid`] for `OCI_CONFIGURATION` when the named file
/// cannot be read or is not YAML this runner understands.
pub fn apply(
    mut vars: BTreeMap<String, String>,
) -> Result<(BTreeMap<String, String>, Vec<String>), ConfigError> {
    let path = match vars.get(CONFIG_FILE_VAR).filter(|p| !p.trim().is_empty()) {
        Some(path) => std::path::PathBuf::from(path.trim()),
        None => {
            let default = std::path::PathBuf::from(DEFAULT_CONFIG_FILE);
            if !default.is_file() {
                return Ok((vars, Vec::new()));
            }
            default
        }
    };
    let error = |message: String| ConfigError::Invalid {
        name: CONFIG_FILE_VAR.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| error(format!("cannot read {}: {e}", path.display())))?;
    let (file_vars, warnings) =
        variables(&text).map_err(|e| error(format!("{}: {e}", path.display())))?;
    for (name, value) in file_vars {
        vars.entry(name).or_insert(value);
    }
    Ok((vars, warnings))
}

/// The `OCI_*` variables a configuration file sets, and warnings for keys
/// that map to no variable of this runner.
///
/// # Errors
/// A message naming the line when the text is not YAML this parser reads.
pub fn variables(text: &str) -> Result<(BTreeMap<String, String>, Vec<String>), String> {
    let mut vars = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut known: Vec<&str> = VARIABLES.iter().map(|v| v.name).collect();
    known.push("OCI_RESULTS_DIR");
    for (path, value) in parse(text)? {
        let name = variable_name(&path);
        if known.contains(&name.as_str()) {
            vars.insert(name, value);
        } else {
            warnings.push(format!(
                "configuration key {} ({name}) is not used by this runner",
                path.join(".")
            ));
        }
    }
    Ok((vars, warnings))
}

/// `["apis", "blobs", "mountAnonymous"]` → `OCI_API_BLOBS_MOUNT_ANONYMOUS`.
fn variable_name(path: &[String]) -> String {
    let mut name = String::from("OCI");
    for (i, key) in path.iter().enumerate() {
        name.push('_');
        match (i, key.as_str()) {
            (0, "apis") => name.push_str("API"),
            (0, "logging") => name.push_str("LOG"),
            _ => {
                for (j, ch) in key.chars().enumerate() {
                    if ch.is_ascii_uppercase() && j > 0 {
                        name.push('_');
                    }
                    name.push(ch.to_ascii_uppercase());
                }
            }
        }
    }
    name
}

/// One meaningful line: its indentation and text without the comment.
struct Line<'a> {
    number: usize,
    indent: usize,
    text: &'a str,
}

/// Every scalar leaf as (key path, value); lists are joined with spaces,
/// as upstream's environment form splits them.
fn parse(text: &str) -> Result<Vec<(Vec<String>, String)>, String> {
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        if raw.contains('\t') && raw.trim_start().len() != raw.trim_start_matches('\t').len() {
            return Err(format!(
                "line {number}: tabs are not allowed for indentation"
            ));
        }
        let content = strip_comment(raw);
        let trimmed = content.trim_end();
        if trimmed.trim().is_empty() || (i == 0 && trimmed.trim() == "---") {
            continue;
        }
        let indent = trimmed.len() - trimmed.trim_start().len();
        lines.push(Line {
            number,
            indent,
            text: trimmed.trim_start(),
        });
    }
    let mut out = Vec::new();
    let mut index = 0;
    parse_mapping(&lines, &mut index, 0, &mut Vec::new(), &mut out)?;
    if let Some(line) = lines.get(index) {
        return Err(format!("line {}: unexpected indentation", line.number));
    }
    Ok(out)
}

/// A block mapping whose keys sit at `indent`.
fn parse_mapping(
    lines: &[Line<'_>],
    index: &mut usize,
    indent: usize,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
) -> Result<(), String> {
    while let Some(line) = lines.get(*index) {
        if line.indent < indent {
            return Ok(());
        }
        if line.indent > indent {
            return Err(format!("line {}: unexpected indentation", line.number));
        }
        let Some((key, rest)) = split_key(line.text) else {
            return Err(format!(
                "line {}: expected `key: value`, found {:?}",
                line.number, line.text
            ));
        };
        *index += 1;
        path.push(key.to_owned());
        let rest = rest.trim();
        if rest.is_empty() {
            match lines.get(*index) {
                Some(next) if next.indent > indent && next.text.starts_with('-') => {
                    let items = parse_sequence(lines, index, next.indent)?;
                    out.push((path.clone(), items.join(" ")));
                }
                Some(next) if next.indent > indent => {
                    parse_mapping(lines, index, next.indent, path, out)?;
                }
                _ => out.push((path.clone(), String::new())),
            }
        } else if let Some(flow) = rest.strip_prefix('[') {
            let inner = flow
                .strip_suffix(']')
                .ok_or_else(|| format!("line {}: unterminated flow sequence", line.number))?;
            let items = inner
                .split(',')
                .map(|item| scalar(item.trim(), line.number))
                .collect::<Result<Vec<_>, _>>()?;
            let items: Vec<String> = items.into_iter().filter(|i| !i.is_empty()).collect();
            out.push((path.clone(), items.join(" ")));
        } else if rest.starts_with('{') || rest.starts_with('|') || rest.starts_with('>') {
            return Err(format!(
                "line {}: flow mappings and block scalars are not supported",
                line.number
            ));
        } else {
            out.push((path.clone(), scalar(rest, line.number)?));
        }
        path.pop();
    }
    Ok(())
}

/// A block sequence of scalars whose dashes sit at `indent`.
fn parse_sequence(
    lines: &[Line<'_>],
    index: &mut usize,
    indent: usize,
) -> Result<Vec<String>, String> {
    let mut items = Vec::new();
    while let Some(line) = lines.get(*index) {
        if line.indent < indent {
            break;
        }
        let Some(item) = line.text.strip_prefix('-') else {
            return Err(format!("line {}: expected `- item`", line.number));
        };
        if line.indent > indent || !(item.is_empty() || item.starts_with(' ')) {
            return Err(format!("line {}: unexpected sequence entry", line.number));
        }
        items.push(scalar(item.trim(), line.number)?);
        *index += 1;
    }
    Ok(items)
}

/// `key: rest` (the key plain or quoted), or `None`.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let (key, rest) = if let Some(quoted) = text.strip_prefix('"') {
        let end = quoted.find('"')?;
        (&quoted[..end], quoted[end + 1..].strip_prefix(':')?)
    } else {
        let at = text
            .find(": ")
            .or_else(|| text.strip_suffix(':').map(str::len))?;
        (&text[..at], &text[at + 1..])
    };
    (!key.is_empty() && !key.starts_with('-')).then_some((key, rest))
}

/// A plain, single- or double-quoted scalar.
fn scalar(text: &str, number: usize) -> Result<String, String> {
    if let Some(inner) = text.strip_prefix('\'') {
        let inner = inner
            .strip_suffix('\'')
            .ok_or_else(|| format!("line {number}: unterminated quoted string"))?;
        return Ok(inner.replace("''", "'"));
    }
    if let Some(inner) = text.strip_prefix('"') {
        let inner = inner
            .strip_suffix('"')
            .ok_or_else(|| format!("line {number}: unterminated quoted string"))?;
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(ch) = chars.next() {
            if ch != '\\' {
                out.push(ch);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(c @ ('"' | '\\' | '/')) => out.push(c),
                other => {
                    return Err(format!("line {number}: unsupported escape \\{other:?}"));
                }
            }
        }
        return Ok(out);
    }
    if text == "~" || text == "null" {
        return Ok(String::new());
    }
    Ok(text.to_owned())
}

/// The line without a `#` comment (one at the start or after a space,
/// outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut previous = ' ';
    for (i, ch) in line.char_indices() {
        match (quote, ch) {
            (None, '\'' | '"') => quote = Some(ch),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous == ' ' => return &line[..i],
            _ => {}
        }
        previous = ch;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"---
# the registry under test
registry: 127.0.0.1:5000
tls: disabled   # plain HTTP
repo1: "conformance/one"
username: 'it''s me'
apis:
  push: false
  blobs:
    mountAnonymous: false
    uploadCancel: true
  tags:
    list: true
data:
  sha512: false
  emptyBlob: true
roData:
  tags:
    - v1
    - latest
  manifests: [sha256:aa, "sha256:bb"]
cacheAuth: true
resultsDir: ./results
"#;

    #[test]
    fn keys_map_to_their_variables() {
        let (vars, warnings) = variables(EXAMPLE).unwrap();
        let get = |k: &str| vars.get(k).map(String::as_str);
        assert_eq!(get("OCI_REGISTRY"), Some("127.0.0.1:5000"));
        assert_eq!(get("OCI_TLS"), Some("disabled"));
        assert_eq!(get("OCI_REPO1"), Some("conformance/one"));
        assert_eq!(get("OCI_USERNAME"), Some("it's me"));
        assert_eq!(get("OCI_API_PUSH"), Some("false"));
        assert_eq!(get("OCI_API_BLOBS_MOUNT_ANONYMOUS"), Some("false"));
        assert_eq!(get("OCI_API_BLOBS_UPLOAD_CANCEL"), Some("true"));
        assert_eq!(get("OCI_API_TAGS_LIST"), Some("true"));
        assert_eq!(get("OCI_DATA_SHA512"), Some("false"));
        assert_eq!(get("OCI_DATA_EMPTY_BLOB"), Some("true"));
        assert_eq!(get("OCI_RO_DATA_TAGS"), Some("v1 latest"));
        assert_eq!(get("OCI_RO_DATA_MANIFESTS"), Some("sha256:aa sha256:bb"));
        assert_eq!(get("OCI_RESULTS_DIR"), Some("./results"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("OCI_CACHE_AUTH"));
    }

    #[test]
    fn malformed_files_name_the_line() {
        for (text, line) in [
            ("registry: a\n  nested: b\n", "line 2"),
            ("apis:\n  push false\n", "line 2"),
            ("roData:\n  tags: [a, b\n", "line 2"),
            ("a: {b: c}\n", "line 1"),
            ("a:\n  - x\n  y: z\n", "line 3"),
        ] {
            let err = variables(text).unwrap_err();
            assert!(err.contains(line), "{text:?}: {err}");
        }
    }

    #[test]
    fn variables_win_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("conf.yaml");
        std::fs::write(&file, "registry: from-file:1\nrepo1: file/repo\n").unwrap();
        let vars = BTreeMap::from([
            (
                CONFIG_FILE_VAR.to_owned(),
                file.to_string_lossy().into_owned(),
            ),
            ("OCI_REPO1".to_owned(), "env/repo".to_owned()),
        ]);
        let (vars, _) = apply(vars).unwrap();
        assert_eq!(vars["OCI_REGISTRY"], "from-file:1");
        assert_eq!(vars["OCI_REPO1"], "env/repo");
        let missing =
            BTreeMap::from([(CONFIG_FILE_VAR.to_owned(), "/nonexistent.yaml".to_owned())]);
        assert!(apply(missing).is_err());
    }
}
