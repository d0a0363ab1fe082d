//! `--format` and `--template` (Go `option/format.go`).
//!
//! Each command allows its own set of format types; the flag structs
//! differ only in their help text and default, and all parse through
//! [`parse_format`].

use clap::Args;

use crate::error::{CliError, Result, quote};

/// A format type name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatType {
    /// `text`: the human-readable summary.
    Text,
    /// `json`: the JSON model, indented.
    Json,
    /// `go-template`: the JSON model rendered by a Go template.
    GoTemplate,
    /// `tree` (discover): referrers as a tree.
    Tree,
    /// `table` (discover, deprecated): direct referrers as a table.
    Table,
}

impl FormatType {
    /// The flag spelling.
    pub fn name(self) -> &'static str {
        match self {
            FormatType::Text => "text",
            FormatType::Json => "json",
            FormatType::GoTemplate => "go-template",
            FormatType::Tree => "tree",
            FormatType::Table => "table",
        }
    }
}

/// The parsed output format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Text summary.
    Text,
    /// Indented JSON.
    Json,
    /// A Go template over the JSON model.
    GoTemplate(String),
    /// Discover tree.
    Tree,
    /// Discover table.
    Table,
}

impl OutputFormat {
    /// Whether this is the text format (status lines are printed only then).
    pub fn is_text(&self) -> bool {
        matches!(
            self,
            OutputFormat::Text | OutputFormat::Tree | OutputFormat::Table
        )
    }
}

/// `--template`, the Go template of `--format go-template`.
#[derive(Args, Clone, Debug, Default)]
pub struct TemplateOption {
    /// The template text.
    #[arg(
        long,
        value_name = "string",
        help = "[Experimental] template string used to format output"
    )]
    pub template: Option<String>,
}

impl TemplateOption {
    /// Parses `--format` (default `text`) of the commands that allow
    /// `text`, `json` and `go-template`, with this template.
    fn parse_text_format(&self, format: Option<&str>) -> Result<OutputFormat> {
        parse_format(
            format,
            self.template.as_deref(),
            FormatType::Text,
            &[FormatType::Json, FormatType::GoTemplate, FormatType::Text],
        )
    }
}

/// `--format text|json|go-template` (push, pull, attach, repo ls, repo tags).
#[derive(Args, Clone, Debug, Default)]
pub struct FormatOptions {
    /// Output format (default `text`).
    #[arg(
        long,
        value_name = "string",
        help = "[Experimental] format output using a custom template:\n'json':         Print in JSON format\n'go-template':  Print output using the given Go template\n'text':         Print in text format (default \"text\")"
    )]
    pub format: Option<String>,
    /// `--template`.
    #[command(flatten)]
    pub template: TemplateOption,
}

impl FormatOptions {
    /// Parses the flags.
    pub fn parse(&self) -> Result<OutputFormat> {
        self.template.parse_text_format(self.format.as_deref())
    }
}

/// `--format` of `manifest fetch`.
#[derive(Args, Clone, Debug, Default)]
pub struct ManifestFormatOptions {
    /// Output format (default `text`: the raw manifest).
    #[arg(
        long,
        value_name = "string",
        help = "[Experimental] format output using a custom template:\n'json':         Print in prettified JSON format\n'go-template':  Print using the given Go template\n'text':         Print in text format (default \"text\")"
    )]
    pub format: Option<String>,
    /// `--template`.
    #[command(flatten)]
    pub template: TemplateOption,
}

impl ManifestFormatOptions {
    /// Parses the flags.
    pub fn parse(&self) -> Result<OutputFormat> {
        self.template.parse_text_format(self.format.as_deref())
    }
}

/// `--format` of `discover` (default `tree`), with the deprecated `-o/--output`.
#[derive(Args, Clone, Debug, Default)]
pub struct DiscoverFormatOptions {
    /// Output format (default `tree`).
    #[arg(
        long,
        value_name = "string",
        help = "[Experimental] format output using a custom template:\n'table':        [Deprecated] Get referrers and output in table format\n'json':         Get referrers and output in JSON format\n'go-template':  Print referrers using the given Go template\n'tree':         Get referrers and print in tree format (default \"tree\")"
    )]
    pub format: Option<String>,
    /// Deprecated spelling of `--format`.
    #[arg(
        short = 'o',
        long,
        value_name = "string",
        help = "[Deprecated] format in which to display referrers (table, json, or tree). (default \"tree\")"
    )]
    pub output: Option<String>,
    /// `--template`.
    #[command(flatten)]
    pub template: TemplateOption,
}

impl DiscoverFormatOptions {
    /// Parses the flags; notices for deprecated spellings are appended to
    /// `warnings`.
    pub fn parse(&self, warnings: &mut Vec<String>) -> Result<OutputFormat> {
        crate::error::check_mutually_exclusive(&[
            ("format", self.format.is_some()),
            ("output", self.output.is_some()),
        ])?;
        let flag = self.format.as_deref().or(self.output.as_deref());
        if flag == Some("table") {
            warnings.push(
                "Format \"table\" is deprecated and will be removed in a future release.".into(),
            );
        }
        let format = parse_format(
            flag,
            self.template.template.as_deref(),
            FormatType::Tree,
            &[
                FormatType::Table,
                FormatType::Json,
                FormatType::GoTemplate,
                FormatType::Tree,
            ],
        )?;
        if self.output.is_some() {
            match format {
                // Go `discover` fills the hint with `opts.Template`, which is
                // empty for these three types, so it says `--format ` alone.
                OutputFormat::Tree | OutputFormat::Json | OutputFormat::Table => warnings
                    .push("[DEPRECATED] --output is deprecated, try `--format ` instead".into()),
                _ => return Err(CliError::new("output type can only be tree, table or json")),
            }
        }
        Ok(format)
    }
}

/// Go `Format.Parse`: `--template` needs `--format go-template`;
/// `go-template=<tpl>` carries the template inline; the type must be one
/// of `allowed` (text is always accepted, as in Go).
pub fn parse_format(
    flag: Option<&str>,
    template: Option<&str>,
    default: FormatType,
    allowed: &[FormatType],
) -> Result<OutputFormat> {
    let mut kind = flag.unwrap_or(default.name()).to_owned();
    let mut template = template.unwrap_or_default().to_owned();
    let go_template = FormatType::GoTemplate.name();
    if !template.is_empty() {
        if kind != go_template {
            return Err(CliError::new(format!(
                "--template must be used with --format {go_template}"
            )));
        }
    } else if let Some(inline) = kind.strip_prefix("go-template=") {
        template = inline.to_owned();
        kind = go_template.to_owned();
    }
    if kind == FormatType::Text.name() {
        return Ok(OutputFormat::Text);
    }
    if kind == go_template && template.is_empty() {
        return Err(CliError::new(format!(
            "{} format specified but no template given",
            quote(&kind)
        ))
        .with_recommendation(format!(
            "use `--format {go_template}=TEMPLATE` to specify the template"
        )));
    }
    let Some(found) = allowed.iter().find(|t| t.name() == kind) else {
        let names: Vec<&str> = allowed.iter().map(|t| t.name()).collect();
        return Err(
            CliError::new(format!("invalid format type: {}", quote(&kind)))
                .with_recommendation(format!("supported types: {}", names.join(", "))),
        );
    };
    Ok(match found {
        FormatType::Text => OutputFormat::Text,
        FormatType::Json => OutputFormat::Json,
        FormatType::GoTemplate => OutputFormat::GoTemplate(template),
        FormatType::Tree => OutputFormat::Tree,
        FormatType::Table => OutputFormat::Table,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(format: Option<&str>, template: Option<&str>) -> Result<OutputFormat> {
        FormatOptions {
            format: format.map(Into::into),
            template: TemplateOption {
                template: template.map(Into::into),
            },
        }
        .parse()
    }

    #[test]
    fn formats() {
        assert_eq!(fmt(None, None).unwrap(), OutputFormat::Text);
        assert_eq!(fmt(Some("json"), None).unwrap(), OutputFormat::Json);
        assert_eq!(
            fmt(Some("go-template={{.digest}}"), None).unwrap(),
            OutputFormat::GoTemplate("{{.digest}}".into())
        );
        assert_eq!(
            fmt(Some("go-template"), Some("{{.x}}")).unwrap(),
            OutputFormat::GoTemplate("{{.x}}".into())
        );
    }

    #[test]
    fn format_errors() {
        assert_eq!(
            fmt(None, Some("{{.x}}")).unwrap_err().message,
            "--template must be used with --format go-template"
        );
        assert_eq!(
            fmt(Some("json"), Some("{{.x}}")).unwrap_err().message,
            "--template must be used with --format go-template"
        );
        let err = fmt(Some("go-template"), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"go-template\" format specified but no template given\nuse `--format go-template=TEMPLATE` to specify the template"
        );
        let err = fmt(Some("yaml"), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid format type: \"yaml\"\nsupported types: json, go-template, text"
        );
        assert!(fmt(Some("tree"), None).is_err());
    }

    #[test]
    fn discover_formats() {
        let mut w = Vec::new();
        let d = DiscoverFormatOptions::default();
        assert_eq!(d.parse(&mut w).unwrap(), OutputFormat::Tree);
        let d = DiscoverFormatOptions {
            output: Some("table".into()),
            ..Default::default()
        };
        assert_eq!(d.parse(&mut w).unwrap(), OutputFormat::Table);
        assert_eq!(w.len(), 2);
        let d = DiscoverFormatOptions {
            output: Some("json".into()),
            format: Some("json".into()),
            ..Default::default()
        };
        assert_eq!(
            d.parse(&mut w).unwrap_err().message,
            "--format, --output cannot be used at the same time"
        );
        let d = DiscoverFormatOptions {
            output: Some("go-template={{.}}".into()),
            ..Default::default()
        };
        assert_eq!(
            d.parse(&mut w).unwrap_err().message,
            "output type can only be tree, table or json"
        );
    }
}
