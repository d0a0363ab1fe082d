//! A Go `text/template` engine for `--format go-template=…` and
//! `--template`, so templates written for the Go CLI work unchanged.
//!
//! Supported: `{{.Field}}` and nested `.a.b`, `.` and `$`, variables
//! (`$x := …`, `$x = …`, `range $i, $e := …`), pipelines `|`,
//! parenthesised pipelines, `if`/`else if`/`else`/`end`, `with`, `range`
//! (lists, maps in key order, integers) with `else`, `break` and
//! `continue`, comments, trim markers `{{-`/`-}}`, the built-ins (`and`,
//! `or`, `not`, `len`, `index`, `slice`, `print`, `printf`, `println`,
//! `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `html`, `js`, `urlquery`) and the
//! common sprig functions (`toJson`, `toPrettyJson`, `join`, `upper`,
//! `lower`, `trim`, `default`, `quote`, `contains`, `hasPrefix`,
//! `hasSuffix`, `replace`, `split`, `list`, `dict`, `keys` …). Not
//! supported: `define`, `template`, `block`.
//!
//! The data is the JSON model of `--format json` as Go sees it after
//! `json.Unmarshal` into `map[string]any`: numbers are float64, so
//! `{{.size}}` of 1234567 prints `1.234567e+06` exactly as in the Go CLI.
//! Compared with Go, comparisons between integer literals and data
//! numbers are allowed, and fields of a missing value are missing rather
//! than an error.
//!
//! ```
//! let data = serde_json::json!({"digest": "sha256:abc", "tags": ["a", "b"]});
//! let out = oras_cli::template::render("{{.digest}} {{join \",\" .tags}}", &data).unwrap();
//! assert_eq!(out, "sha256:abc a,b");
//! ```

mod exec;
mod funcs;
mod lexer;
mod parser;
mod printf;
mod value;

use std::fmt;

use serde_json::Value;

pub use value::go_float;

/// The template name used in messages, as the Go CLI names it.
const NAME: &str = "format output";

/// A line and column (1-based) in the template source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// Bytes before it on its line (what Go's `ErrorContext` names).
    pub byte_in_line: usize,
}

impl Pos {
    fn at(source: &str, offset: usize) -> Pos {
        let before = &source[..offset.min(source.len())];
        let line = before.matches('\n').count() + 1;
        let current = before.rsplit('\n').next().unwrap_or_default();
        Pos {
            line,
            column: current.chars().count() + 1,
            byte_in_line: current.len(),
        }
    }
}

/// A parse or execution error. As Go's `text/template` says them: a parse
/// error names the line (`template: format output:1: unclosed action`,
/// Go `Tree.errorf`), an execution error the line, the byte offset in it
/// and the command it ran (`template: format output:1:32: executing
/// "format output" at <len .files>: …`, Go `state.errorf`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// Where in the template.
    pub pos: Pos,
    /// What went wrong.
    pub message: String,
    /// The command being executed (execution errors only).
    pub context: Option<String>,
    /// What the template wrote before failing (Go writes as it goes, so
    /// the CLI shows that much).
    pub partial: String,
}

impl TemplateError {
    fn new(pos: Pos, message: impl Into<String>) -> Self {
        TemplateError {
            pos,
            message: message.into(),
            context: None,
            partial: String::new(),
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.context {
            Some(context) => write!(
                f,
                "template: {NAME}:{}:{}: executing \"{NAME}\" at <{context}>: {}",
                self.pos.line, self.pos.byte_in_line, self.message
            ),
            None => write!(f, "template: {NAME}:{}: {}", self.pos.line, self.message),
        }
    }
}

impl std::error::Error for TemplateError {}

/// A parsed template.
#[derive(Clone, Debug)]
pub struct Template {
    nodes: Vec<parser::Node>,
}

impl Template {
    /// Parses `source`.
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let segments = lexer::segments(source)?;
        Ok(Template {
            nodes: parser::parse(segments)?,
        })
    }

    /// Executes the template with `data` as `.` and `$`.
    pub fn execute(&self, data: &Value) -> Result<String, TemplateError> {
        exec::Exec::new(data).run(&self.nodes)
    }
}

/// Parses and executes `source` over `data`.
pub fn render(source: &str, data: &Value) -> Result<String, TemplateError> {
    Template::parse(source)?.execute(data)
}

#[cfg(test)]
mod tests;
