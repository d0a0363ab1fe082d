//! Builds the template tree from segments (Go `text/template/parse`).

use super::funcs;
use super::lexer::{Kind, Segment, Token};
use super::{Pos, TemplateError};

/// A node of the template tree.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// Literal text.
    Text(String),
    /// `{{pipeline}}`: prints the value unless it declares variables.
    Action(Pipeline),
    /// `{{if}} … {{else}} … {{end}}`; `else if` chains nest in `otherwise`.
    If(Pipeline, Vec<Node>, Vec<Node>),
    /// `{{with}} … {{else}} … {{end}}`.
    With(Pipeline, Vec<Node>, Vec<Node>),
    /// `{{range}} … {{else}} … {{end}}`.
    Range(Pipeline, Vec<Node>, Vec<Node>),
    /// `{{break}}`.
    Break,
    /// `{{continue}}`.
    Continue,
}

/// `[$a[, $b] := | =] command | command …`
#[derive(Clone, Debug)]
pub(crate) struct Pipeline {
    pub(crate) pos: Pos,
    /// Declared or assigned variables (without `$`).
    pub(crate) vars: Vec<String>,
    /// `=` rather than `:=`.
    pub(crate) assign: bool,
    pub(crate) commands: Vec<Command>,
}

/// One command: a function with arguments, or a single operand.
#[derive(Clone, Debug)]
pub(crate) struct Command {
    pub(crate) args: Vec<Operand>,
}

/// An operand.
#[derive(Clone, Debug)]
pub(crate) enum Operand {
    /// `.` followed by optional fields (`.a.b`).
    Dot(Vec<String>),
    /// `$x.a.b` (`$` alone is the root).
    Variable(String, Vec<String>),
    /// A function name.
    Function(String),
    /// A string literal.
    Str(String),
    /// A number literal.
    Number(serde_json::Number),
    /// `true` / `false`.
    Bool(bool),
    /// `nil`.
    Nil,
    /// `(pipeline).a.b`.
    Group(Box<Pipeline>, Vec<String>),
}

/// Go's `CommandNode.String`: the arguments separated by spaces.
impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{arg}")?;
        }
        Ok(())
    }
}

/// Go's `PipeNode.String`: declarations, then the commands joined by `|`.
impl std::fmt::Display for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.vars.is_empty() {
            let vars: Vec<String> = self.vars.iter().map(|v| format!("${v}")).collect();
            let op = if self.assign { "=" } else { ":=" };
            write!(f, "{} {op} ", vars.join(", "))?;
        }
        for (i, command) in self.commands.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{command}")?;
        }
        Ok(())
    }
}

/// Go's node `String` methods for one operand.
impl std::fmt::Display for Operand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields = |f: &mut std::fmt::Formatter<'_>, names: &[String]| {
            names.iter().try_for_each(|n| write!(f, ".{n}"))
        };
        match self {
            Operand::Dot(names) if names.is_empty() => f.write_str("."),
            Operand::Dot(names) => fields(f, names),
            Operand::Variable(name, names) => {
                write!(f, "${name}")?;
                fields(f, names)
            }
            Operand::Function(name) => f.write_str(name),
            Operand::Str(text) => write!(f, "{text:?}"),
            Operand::Number(n) => write!(f, "{n}"),
            Operand::Bool(b) => write!(f, "{b}"),
            Operand::Nil => f.write_str("nil"),
            Operand::Group(pipe, names) => {
                write!(f, "({pipe})")?;
                fields(f, names)
            }
        }
    }
}

/// Parses all segments into a tree.
pub(crate) fn parse(segments: Vec<Segment>) -> Result<Vec<Node>, TemplateError> {
    let mut parser = Parser {
        segments,
        at: 0,
        loop_depth: 0,
    };
    let (nodes, stop) = parser.list()?;
    match stop {
        None => Ok(nodes),
        Some((word, pos, _)) => Err(TemplateError::new(
            pos,
            format!("unexpected {{{{{word}}}}}"),
        )),
    }
}

struct Parser {
    segments: Vec<Segment>,
    at: usize,
    loop_depth: usize,
}

/// The keyword that ended a list (`end` or `else`), its position and the
/// tokens after it.
type Stop = Option<(String, Pos, Vec<Token>)>;

impl Parser {
    /// Parses nodes until `{{end}}`, `{{else …}}` or the end of input.
    fn list(&mut self) -> Result<(Vec<Node>, Stop), TemplateError> {
        let mut nodes = Vec::new();
        while self.at < self.segments.len() {
            let segment = self.segments[self.at].clone();
            self.at += 1;
            match segment {
                Segment::Text(text) => nodes.push(Node::Text(text)),
                Segment::Action(tokens, pos) => {
                    let keyword = match tokens.first().map(|t| &t.kind) {
                        Some(Kind::Ident(word)) => word.clone(),
                        None => return Err(TemplateError::new(pos, "missing value for command")),
                        _ => String::new(),
                    };
                    match keyword.as_str() {
                        "end" | "else" => {
                            return Ok((nodes, Some((keyword, pos, tokens[1..].to_vec()))));
                        }
                        "if" => nodes.push(self.control(&tokens[1..], pos, "if")?),
                        "with" => nodes.push(self.control(&tokens[1..], pos, "with")?),
                        "range" => {
                            self.loop_depth += 1;
                            let node = self.control(&tokens[1..], pos, "range");
                            self.loop_depth -= 1;
                            nodes.push(node?);
                        }
                        "break" | "continue" => {
                            if self.loop_depth == 0 {
                                return Err(TemplateError::new(
                                    pos,
                                    format!("{{{{{keyword}}}}} outside {{{{range}}}}"),
                                ));
                            }
                            nodes.push(if keyword == "break" {
                                Node::Break
                            } else {
                                Node::Continue
                            });
                        }
                        "define" | "template" | "block" => {
                            return Err(TemplateError::new(
                                pos,
                                format!("{{{{{keyword}}}}} is not supported"),
                            ));
                        }
                        _ => nodes.push(Node::Action(pipeline(&tokens, pos)?)),
                    }
                }
            }
        }
        Ok((nodes, None))
    }

    /// Parses `if`/`with`/`range` after the keyword: the pipeline, the body,
    /// an optional else (or `else if` / `else with` chain) and `end`.
    fn control(&mut self, tokens: &[Token], pos: Pos, word: &str) -> Result<Node, TemplateError> {
        if tokens.is_empty() {
            return Err(TemplateError::new(pos, format!("missing value for {word}")));
        }
        let pipe = pipeline(tokens, pos)?;
        let (body, stop) = self.list()?;
        let otherwise = match stop {
            None => return Err(TemplateError::new(pos, "unexpected EOF")),
            Some((end, _, _)) if end == "end" => Vec::new(),
            Some((_, else_pos, rest)) => {
                let chained = match rest.first().map(|t| &t.kind) {
                    Some(Kind::Ident(w)) if (w == "if" || w == "with") && word != "range" => {
                        Some(w.clone())
                    }
                    _ => None,
                };
                if let Some(w) = chained {
                    // `{{else if …}}`: the rest is a nested control sharing our {{end}}.
                    vec![self.control(&rest[1..], else_pos, &w)?]
                } else {
                    if !rest.is_empty() {
                        return Err(TemplateError::new(
                            else_pos,
                            "unexpected arguments after {{else}}",
                        ));
                    }
                    let (otherwise, stop) = self.list()?;
                    match stop {
                        Some((end, _, _)) if end == "end" => otherwise,
                        Some((_, p, _)) => return Err(TemplateError::new(p, "expected {{end}}")),
                        None => return Err(TemplateError::new(pos, "unexpected EOF")),
                    }
                }
            }
        };
        Ok(match word {
            "if" => Node::If(pipe, body, otherwise),
            "with" => Node::With(pipe, body, otherwise),
            _ => Node::Range(pipe, body, otherwise),
        })
    }
}

/// Parses a pipeline from tokens.
fn pipeline(tokens: &[Token], pos: Pos) -> Result<Pipeline, TemplateError> {
    let mut i = 0;
    let mut vars = Vec::new();
    let mut assign = false;
    // Declarations: `$x :=`, `$x =`, `$i, $e :=`.
    let decl_end = tokens
        .iter()
        .position(|t| matches!(t.kind, Kind::Declare | Kind::Assign));
    if let Some(end) = decl_end {
        let names: Vec<&Token> = tokens[..end].iter().collect();
        let valid = match names.as_slice() {
            [a] => matches!(a.kind, Kind::Variable(_)),
            [a, c, b] => {
                matches!(a.kind, Kind::Variable(_))
                    && matches!(c.kind, Kind::Comma)
                    && matches!(b.kind, Kind::Variable(_))
            }
            _ => false,
        };
        if valid {
            for t in names {
                if let Kind::Variable(name) = &t.kind {
                    vars.push(name.clone());
                }
            }
            assign = matches!(tokens[end].kind, Kind::Assign);
            i = end + 1;
        }
    }
    let (commands, next) = commands(tokens, i, pos, false)?;
    if next != tokens.len() {
        return Err(TemplateError::new(pos, "unexpected \")\" in command"));
    }
    if commands.is_empty() {
        return Err(TemplateError::new(pos, "missing value for command"));
    }
    Ok(Pipeline {
        pos,
        vars,
        assign,
        commands,
    })
}

/// Parses commands separated by `|` until the end or a `)` (when nested).
fn commands(
    tokens: &[Token],
    mut i: usize,
    pos: Pos,
    nested: bool,
) -> Result<(Vec<Command>, usize), TemplateError> {
    let mut list = Vec::new();
    let mut args = Vec::new();
    while i < tokens.len() {
        match &tokens[i].kind {
            Kind::Pipe => {
                if args.is_empty() {
                    return Err(TemplateError::new(pos, "missing command before |"));
                }
                list.push(Command {
                    args: std::mem::take(&mut args),
                });
                i += 1;
            }
            Kind::RightParen if nested => break,
            _ => {
                let (operand, next) = operand(tokens, i, pos)?;
                args.push(operand);
                i = next;
            }
        }
    }
    if !args.is_empty() {
        list.push(Command { args });
    } else if !list.is_empty() {
        return Err(TemplateError::new(pos, "missing command after |"));
    }
    Ok((list, i))
}

/// Parses one operand with any field chain glued to it.
fn operand(tokens: &[Token], i: usize, pos: Pos) -> Result<(Operand, usize), TemplateError> {
    let err = |m: String| TemplateError::new(pos, m);
    let (mut op, mut next) = match &tokens[i].kind {
        Kind::Dot => (Operand::Dot(Vec::new()), i + 1),
        Kind::Field(f) => (Operand::Dot(f.clone()), i + 1),
        Kind::Variable(v) => (Operand::Variable(v.clone(), Vec::new()), i + 1),
        Kind::Str(s) => (Operand::Str(s.clone()), i + 1),
        Kind::Number(n) => (
            Operand::Number(
                parse_number(n).ok_or_else(|| err(format!("bad number syntax: {n:?}")))?,
            ),
            i + 1,
        ),
        Kind::Ident(word) => match word.as_str() {
            "true" => (Operand::Bool(true), i + 1),
            "false" => (Operand::Bool(false), i + 1),
            "nil" => (Operand::Nil, i + 1),
            name if funcs::exists(name) => (Operand::Function(name.to_owned()), i + 1),
            name => return Err(err(format!("function {name:?} not defined"))),
        },
        Kind::LeftParen => {
            let (cmds, close) = commands(tokens, i + 1, pos, true)?;
            if tokens.get(close).map(|t| &t.kind) != Some(&Kind::RightParen) {
                return Err(err("unclosed left paren".into()));
            }
            if cmds.is_empty() {
                return Err(err("missing value for parenthesized pipeline".into()));
            }
            let pipe = Pipeline {
                pos,
                vars: Vec::new(),
                assign: false,
                commands: cmds,
            };
            (Operand::Group(Box::new(pipe), Vec::new()), close + 1)
        }
        other => return Err(err(format!("unexpected {} in operand", describe(other)))),
    };
    // Fields glued to the operand: `$x.a`, `(…).b`.
    while let Some(Token {
        kind: Kind::Field(more),
        space_before: false,
    }) = tokens.get(next)
    {
        match &mut op {
            Operand::Variable(_, fields) | Operand::Group(_, fields) | Operand::Dot(fields) => {
                fields.extend(more.iter().cloned())
            }
            _ => return Err(err("unexpected . after term".into())),
        }
        next += 1;
    }
    Ok((op, next))
}

fn describe(kind: &Kind) -> &'static str {
    match kind {
        Kind::Pipe => "\"|\"",
        Kind::RightParen => "\")\"",
        Kind::Declare => "\":=\"",
        Kind::Assign => "\"=\"",
        Kind::Comma => "\",\"",
        _ => "token",
    }
}

/// Go number literals: decimal, hex, octal, binary integers, floats.
fn parse_number(text: &str) -> Option<serde_json::Number> {
    let clean = text.replace('_', "");
    let (neg, digits) = match clean.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let radix = |prefix: [&str; 2], radix: u32| {
        prefix
            .iter()
            .find_map(|p| digits.strip_prefix(p))
            .and_then(|d| i64::from_str_radix(d, radix).ok())
    };
    let int = radix(["0x", "0X"], 16)
        .or_else(|| radix(["0o", "0O"], 8))
        .or_else(|| radix(["0b", "0B"], 2))
        .or_else(|| digits.parse::<i64>().ok());
    match int {
        Some(v) => Some(serde_json::Number::from(if neg { -v } else { v })),
        None => {
            let f: f64 = digits.parse().ok()?;
            serde_json::Number::from_f64(if neg { -f } else { f })
        }
    }
}
