//! Flags of the commands that pack a manifest (Go `option/packer.go`,
//! `option/annotation.go`): annotations, the annotation file, manifest
//! export and path validation.

use std::path::PathBuf;

use clap::Args;

use crate::error::{CliError, Result};
use crate::parse::{
    Annotations, parse_annotation_file, parse_annotation_flags, validate_file_paths,
};

/// `-a/--annotation key=value`.
#[derive(Args, Clone, Debug, Default)]
pub struct AnnotationOptions {
    /// Manifest annotations.
    #[arg(
        short = 'a',
        long = "annotation",
        value_name = "stringArray",
        help = "manifest annotations"
    )]
    pub annotations: Vec<String>,
}

impl AnnotationOptions {
    /// Parses the flags into manifest annotations.
    pub fn parse(&self) -> Result<Annotations> {
        parse_annotation_flags(&self.annotations)
    }
}

/// Annotation flags plus `--annotation-file`, `--export-manifest` and
/// `--disable-path-validation`.
#[derive(Args, Clone, Debug, Default)]
pub struct PackerOptions {
    /// `-a` flags.
    #[command(flatten)]
    pub annotation: AnnotationOptions,
    /// Where to write the pushed manifest.
    #[arg(long, value_name = "path", help = "path of the pushed manifest")]
    pub export_manifest: Option<PathBuf>,
    /// JSON annotation file (`$manifest`, `$config`, file arguments).
    #[arg(long, value_name = "string", help = "path of the annotation file")]
    pub annotation_file: Option<PathBuf>,
    /// Allow absolute file paths.
    #[arg(long, help = "skip path validation")]
    pub disable_path_validation: bool,
}

impl PackerOptions {
    /// Validates the file arguments and loads the annotations (Go
    /// `Packer.Parse`).
    pub fn parse(&self, files: &[String]) -> Result<Annotations> {
        let files: Vec<String> = files.iter().filter(|f| !is_stdin_arg(f)).cloned().collect();
        validate_file_paths(&files, self.disable_path_validation)?;
        match (
            &self.annotation_file,
            self.annotation.annotations.is_empty(),
        ) {
            (Some(_), false) => Err(CliError::new(
                "`--annotation` and `--annotation-file` cannot be both specified",
            )),
            (Some(path), true) => parse_annotation_file(path),
            (None, _) => self.annotation.parse(),
        }
    }
}

/// Whether a file argument reads stdin (`-`).
pub fn is_stdin_arg(arg: &str) -> bool {
    arg == "-"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_sources_are_exclusive() {
        let opts = PackerOptions {
            annotation: AnnotationOptions {
                annotations: vec!["a=b".into()],
            },
            annotation_file: Some("x.json".into()),
            ..Default::default()
        };
        assert_eq!(
            opts.parse(&[]).unwrap_err().message,
            "`--annotation` and `--annotation-file` cannot be both specified"
        );
    }

    #[test]
    fn flags_and_paths() {
        let opts = PackerOptions {
            annotation: AnnotationOptions {
                annotations: vec!["a=b".into()],
            },
            ..Default::default()
        };
        assert_eq!(
            opts.parse(&["x.txt".into(), "-".into()])
                .unwrap()
                .manifest()["a"],
            "b"
        );
        #[cfg(unix)]
        assert!(opts.parse(&["/abs".into()]).is_err());
    }
}
