//! Annotations from `-a key=value` flags or an `--annotation-file` (Go
//! `option/annotation.go`, `option/packer.go`).
//!
//! The result maps a *target* to its annotations: `$manifest` for the
//! manifest, `$config` for the config descriptor, and any other key is a
//! file argument exactly as typed, whose annotations go to that layer.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{CliError, Result};

/// Key of the manifest's annotations.
pub const ANNOTATION_MANIFEST: &str = "$manifest";
/// Key of the config descriptor's annotations.
pub const ANNOTATION_CONFIG: &str = "$config";

/// The largest annotation file read (the 4 MiB metadata cap).
const MAX_ANNOTATION_FILE: u64 = 4 << 20;

/// Annotations per target (`$manifest`, `$config`, or a raw file argument).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Annotations(pub BTreeMap<String, BTreeMap<String, String>>);

impl Annotations {
    /// The manifest annotations.
    pub fn manifest(&self) -> BTreeMap<String, String> {
        self.get(ANNOTATION_MANIFEST)
    }

    /// The config descriptor annotations.
    pub fn config(&self) -> BTreeMap<String, String> {
        self.get(ANNOTATION_CONFIG)
    }

    /// The annotations of the layer given as `raw_file_argument`.
    pub fn file(&self, raw_file_argument: &str) -> BTreeMap<String, String> {
        self.get(raw_file_argument)
    }

    fn get(&self, key: &str) -> BTreeMap<String, String> {
        self.0.get(key).cloned().unwrap_or_default()
    }
}

/// Parses `-a key=value` flags into the manifest annotations. A value
/// without `=` and a repeated key are errors.
pub fn parse_annotation_flags(flags: &[String]) -> Result<Annotations> {
    let mut manifest = BTreeMap::new();
    for flag in flags {
        let Some((key, value)) = flag.split_once('=') else {
            return Err(
                CliError::new("annotation value doesn't match the required format")
                    .with_recommendation(
                        r#"Please use the correct format in the flag: --annotation "key=value""#,
                    ),
            );
        };
        if manifest.insert(key.to_owned(), value.to_owned()).is_some() {
            return Err(CliError::new(format!("duplicate annotation key: {key}, ")));
        }
    }
    let mut all = BTreeMap::new();
    all.insert(ANNOTATION_MANIFEST.to_owned(), manifest);
    Ok(Annotations(all))
}

/// Reads an annotation file: a JSON object of objects of strings.
pub fn parse_annotation_file(path: &Path) -> Result<Annotations> {
    let invalid = || {
        CliError::new(format!(
            "invalid annotation json file: failed to load annotations from {}",
            path.display()
        ))
        .with_recommendation(
            "Annotation file doesn't match the required format. Please refer to the document at https://oras.land/docs/how_to_guides/manifest_annotations",
        )
    };
    // Go `parseAnnotations`: any failure of `decodeJSON`, opening the file
    // included, is reported as the format error.
    let file = std::fs::File::open(path).map_err(|_| invalid())?;
    let mut text = String::new();
    use std::io::Read as _;
    file.take(MAX_ANNOTATION_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|_| invalid())?;
    if text.len() as u64 > MAX_ANNOTATION_FILE {
        return Err(invalid());
    }
    let parsed: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(&text).map_err(|_| invalid())?;
    Ok(Annotations(parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn flags_become_manifest_annotations() {
        let a = parse_annotation_flags(&flags(&["k=v", "x=a=b", "e="])).unwrap();
        let m = a.manifest();
        assert_eq!(m["k"], "v");
        assert_eq!(m["x"], "a=b");
        assert_eq!(m["e"], "");
        assert!(a.config().is_empty());
    }

    #[test]
    fn bad_flags() {
        let err = parse_annotation_flags(&flags(&["novalue"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "annotation value doesn't match the required format\nPlease use the correct format in the flag: --annotation \"key=value\""
        );
        let err = parse_annotation_flags(&flags(&["k=1", "k=2"])).unwrap_err();
        assert_eq!(err.message, "duplicate annotation key: k, ");
    }

    #[test]
    fn file_with_manifest_config_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(
            &path,
            r#"{"$manifest":{"m":"1"},"$config":{"c":"2"},"hi.txt:text/plain":{"org.opencontainers.image.title":"renamed"}}"#,
        )
        .unwrap();
        let a = parse_annotation_file(&path).unwrap();
        assert_eq!(a.manifest()["m"], "1");
        assert_eq!(a.config()["c"], "2");
        assert_eq!(
            a.file("hi.txt:text/plain")["org.opencontainers.image.title"],
            "renamed"
        );
        assert!(a.file("hi.txt").is_empty());
    }

    #[test]
    fn malformed_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, r#"{"$manifest":"flat"}"#).unwrap();
        let err = parse_annotation_file(&path).unwrap_err();
        assert!(err.message.starts_with("invalid annotation json file"));
        assert!(err.recommendation.is_some());
        assert!(parse_annotation_file(&dir.path().join("missing.json")).is_err());
    }
}
