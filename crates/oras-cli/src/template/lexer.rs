//! Splits a template into text and actions, then an action into tokens
//! (Go `text/template/parse/lex.go`, reduced to what the parser needs).
//!
//! Trim markers follow Go: `{{- ` removes the white space before the
//! action, ` -}}` the white space after it; the `-` must be followed
//! (or preceded) by a space, tab, carriage return or newline.

use super::{Pos, TemplateError};

/// A piece of the template source.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Segment {
    /// Literal text.
    Text(String),
    /// The tokens of one `{{ … }}` action (comments are dropped).
    Action(Vec<Token>, Pos),
}

/// One token of an action.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    /// What the token is.
    pub(crate) kind: Kind,
    /// Whether white space precedes it (separates arguments).
    pub(crate) space_before: bool,
}

/// Token kinds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// A word: function name or keyword (`if`, `range`, `true` …).
    Ident(String),
    /// `.` alone.
    Dot,
    /// `.a.b`: the field names.
    Field(Vec<String>),
    /// `$`, `$x`: the name without `$` (empty for `$`).
    Variable(String),
    /// A quoted or raw string, unescaped.
    Str(String),
    /// A number literal as written.
    Number(String),
    /// `|`.
    Pipe,
    /// `(`.
    LeftParen,
    /// `)`.
    RightParen,
    /// `:=`.
    Declare,
    /// `=`.
    Assign,
    /// `,`.
    Comma,
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

fn is_trim_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Splits `source` into segments.
pub(crate) fn segments(source: &str) -> Result<Vec<Segment>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = source;
    let mut offset = 0usize;
    let mut trim_next_text = false;
    while !rest.is_empty() {
        let Some(start) = rest.find(LEFT) else {
            push_text(&mut out, rest, trim_next_text, false);
            break;
        };
        let after_left = &rest[start + LEFT.len()..];
        let trim_before = after_left.starts_with('-') && after_left[1..].starts_with(is_trim_space);
        push_text(&mut out, &rest[..start], trim_next_text, trim_before);
        let pos = Pos::at(source, offset + start);
        let body_start = start + LEFT.len() + if trim_before { 1 } else { 0 };
        let body = &rest[body_start..];
        let end =
            find_action_end(body).ok_or_else(|| TemplateError::new(pos, "unclosed action"))?;
        let mut inner = &body[..end];
        trim_next_text = false;
        if inner.ends_with('-') && inner[..inner.len() - 1].ends_with(is_trim_space) {
            inner = &inner[..inner.len() - 1];
            trim_next_text = true;
        }
        let trimmed = inner.trim_matches(is_trim_space);
        if trimmed.starts_with("/*") {
            if !trimmed.ends_with("*/") {
                return Err(TemplateError::new(pos, "unclosed comment"));
            }
        } else {
            // Go positions a command at its first word, past `{{`, the trim
            // marker and white space.
            let lead = inner.len() - inner.trim_start_matches(is_trim_space).len();
            let pos = Pos::at(source, offset + body_start + lead);
            out.push(Segment::Action(tokens(inner, pos)?, pos));
        }
        let consumed = body_start + end + RIGHT.len();
        offset += consumed;
        rest = &rest[consumed..];
    }
    Ok(out)
}

fn push_text(out: &mut Vec<Segment>, text: &str, trim_start: bool, trim_end: bool) {
    let mut text = text;
    if trim_start {
        text = text.trim_start_matches(is_trim_space);
    }
    if trim_end {
        text = text.trim_end_matches(is_trim_space);
    }
    if !text.is_empty() {
        out.push(Segment::Text(text.to_owned()));
    }
}

/// The offset of the `}}` closing the action, skipping string literals
/// and comments.
fn find_action_end(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let quote = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
            }
            b'/' if body[i..].starts_with("/*") => {
                let close = body[i + 2..].find("*/")?;
                i += 2 + close + 1;
            }
            b'}' if body[i..].starts_with(RIGHT) => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Tokenizes the inside of one action.
fn tokens(text: &str, pos: Pos) -> Result<Vec<Token>, TemplateError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut space = false;
    let err = |msg: String| TemplateError::new(pos, msg);
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            space = true;
            i += 1;
            continue;
        }
        let (kind, next) = match c {
            '|' => (Kind::Pipe, i + 1),
            '(' => (Kind::LeftParen, i + 1),
            ')' => (Kind::RightParen, i + 1),
            ',' => (Kind::Comma, i + 1),
            '=' => (Kind::Assign, i + 1),
            ':' if chars.get(i + 1) == Some(&'=') => (Kind::Declare, i + 2),
            '"' => {
                let (s, next) = quoted(&chars, i).map_err(err)?;
                (Kind::Str(s), next)
            }
            '`' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '`')
                    .ok_or_else(|| err("unterminated raw quoted string".into()))?;
                (
                    Kind::Str(chars[i + 1..i + 1 + end].iter().collect()),
                    i + end + 2,
                )
            }
            '\'' => {
                let (s, next) = quoted(&chars, i).map_err(err)?;
                let mut it = s.chars();
                match (it.next(), it.next()) {
                    (Some(ch), None) => (Kind::Number((ch as u32).to_string()), next),
                    _ => return Err(err(format!("malformed character constant: {s}"))),
                }
            }
            '$' => {
                let end = scan(&chars, i + 1, is_ident_char);
                (Kind::Variable(chars[i + 1..end].iter().collect()), end)
            }
            '.' if chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) => number(&chars, i),
            '.' => {
                let mut fields = Vec::new();
                let mut j = i;
                while chars.get(j) == Some(&'.')
                    && chars.get(j + 1).is_some_and(|&c| is_ident_char(c))
                {
                    let end = scan(&chars, j + 1, is_ident_char);
                    fields.push(chars[j + 1..end].iter().collect());
                    j = end;
                }
                if fields.is_empty() {
                    (Kind::Dot, i + 1)
                } else {
                    (Kind::Field(fields), j)
                }
            }
            c if c.is_ascii_digit() => number(&chars, i),
            '-' | '+'
                if chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_digit() || *c == '.') =>
            {
                number(&chars, i)
            }
            c if is_ident_char(c) => {
                let end = scan(&chars, i, is_ident_char);
                (Kind::Ident(chars[i..end].iter().collect()), end)
            }
            other => return Err(err(format!("unexpected {other:?} in command"))),
        };
        out.push(Token {
            kind,
            space_before: space || out.is_empty(),
        });
        space = false;
        i = next;
    }
    Ok(out)
}

fn scan(chars: &[char], from: usize, ok: impl Fn(char) -> bool) -> usize {
    let mut j = from;
    while j < chars.len() && ok(chars[j]) {
        j += 1;
    }
    j
}

fn number(chars: &[char], i: usize) -> (Kind, usize) {
    let end = scan(chars, i + 1, |c| {
        c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '+' || c == '-'
    });
    // A sign inside is only valid after an exponent marker; stop before others.
    let mut j = i + 1;
    while j < end {
        let c = chars[j];
        if (c == '+' || c == '-') && !matches!(chars[j - 1], 'e' | 'E' | 'p' | 'P') {
            break;
        }
        j += 1;
    }
    (Kind::Number(chars[i..j].iter().collect()), j)
}

/// Reads a double- or single-quoted literal starting at `i`, with Go's escapes.
fn quoted(chars: &[char], i: usize) -> Result<(String, usize), String> {
    let quote = chars[i];
    let mut out = String::new();
    let mut j = i + 1;
    loop {
        let Some(&c) = chars.get(j) else {
            return Err("unterminated quoted string".into());
        };
        j += 1;
        if c == quote {
            return Ok((out, j));
        }
        if c == '\n' {
            return Err("unterminated quoted string".into());
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = chars.get(j) else {
            return Err("unterminated quoted string".into());
        };
        j += 1;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '\\' | '"' | '\'' => out.push(e),
            'x' | 'u' | 'U' => {
                let len = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = chars
                    .get(j..j + len)
                    .ok_or("invalid escape")?
                    .iter()
                    .collect();
                let code =
                    u32::from_str_radix(&hex, 16).map_err(|_| "invalid escape".to_owned())?;
                out.push(char::from_u32(code).ok_or("invalid escape")?);
                j += len;
            }
            other => return Err(format!("unknown escape sequence: \\{other}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        match segments(&format!("{{{{{src}}}}}")).unwrap().remove(0) {
            Segment::Action(tokens, _) => tokens.into_iter().map(|t| t.kind).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn splits_text_and_actions_with_trim() {
        let segs = segments("a  {{- .x -}}  b{{/* c */}}c").unwrap();
        assert_eq!(segs.len(), 4);
        assert_eq!(segs[0], Segment::Text("a".into()));
        assert_eq!(segs[2], Segment::Text("b".into()));
        assert_eq!(segs[3], Segment::Text("c".into()));
        assert_eq!(segments("x{{\"}}\"}}").unwrap().len(), 2);
        assert!(segments("{{ .x").is_err());
    }

    #[test]
    fn tokens_of_actions() {
        assert_eq!(
            kinds("$x := .a.b | printf \"%s\" `raw` 12 -3 (len .c).d"),
            vec![
                Kind::Variable("x".into()),
                Kind::Declare,
                Kind::Field(vec!["a".into(), "b".into()]),
                Kind::Pipe,
                Kind::Ident("printf".into()),
                Kind::Str("%s".into()),
                Kind::Str("raw".into()),
                Kind::Number("12".into()),
                Kind::Number("-3".into()),
                Kind::LeftParen,
                Kind::Ident("len".into()),
                Kind::Field(vec!["c".into()]),
                Kind::RightParen,
                Kind::Field(vec!["d".into()]),
            ]
        );
        assert_eq!(kinds("."), vec![Kind::Dot]);
        assert_eq!(kinds("-3"), vec![Kind::Number("-3".into())]);
        assert_eq!(kinds("'a'"), vec![Kind::Number("97".into())]);
        assert_eq!(
            kinds("\"a\\tb\\u00e9\""),
            vec![Kind::Str("a\tb\u{e9}".into())]
        );
        assert!(segments("{{ \"open }}").is_err());
    }
}
