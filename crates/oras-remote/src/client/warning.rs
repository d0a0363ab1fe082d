//! Registry warnings (distribution-spec v1.1 "Warnings", RFC 7234 §5.5):
//! a registry may add `Warning: 299 - "<text>"` headers to any response,
//! and oras-go hands each one to `Repository.HandleWarning` /
//! `Registry.HandleWarning`.
//!
//! As in oras-go (`registry/remote/warning.go`), only the exact form
//! `299 - "<text>"` counts: code 299, agent `-`, and a quoted text without
//! a warn-date, its escapes read as Go's `strconv.Unquote` reads them; any
//! other value (another code or agent, a date, several warnings in one
//! header line, an empty text) is ignored. The handler sees the final
//! response of each request (after retries, authentication and
//! redirects), as oras-go's, which wraps `Client.Do`; token requests are
//! not looked at.

use std::fmt;
use std::sync::Arc;

use http::header::WARNING;
use http::{HeaderMap, Response};

use super::body::ResponseBody;
use super::edit::ResponseEdit;

/// The warn-code of a persistent miscellaneous warning, the one the
/// distribution spec uses.
const CODE_299: u16 = 299;

/// The warn-agent when the agent is unknown.
const AGENT_UNKNOWN: &str = "-";

/// A warning a registry sent (oras-go `remote.Warning`): the value of a
/// `Warning: 299 - "<text>"` header.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Warning {
    /// The warn-code: always 299.
    pub code: u16,
    /// The warn-agent: always `-`.
    pub agent: String,
    /// The warn-text, unquoted.
    pub text: String,
}

impl Warning {
    /// Parses one `Warning` header value; `None` unless it is exactly
    /// `299 - "<text>"` with a non-empty, well-quoted text.
    pub fn parse(value: &str) -> Option<Warning> {
        // The shortest accepted value is `299 - "x"` (oras-go).
        if value.len() < 9 || !value.starts_with("299 - \"") || !value.ends_with('"') {
            return None;
        }
        let text = go_unquote(&value["299 - ".len()..])?;
        Some(Warning {
            code: CODE_299,
            agent: AGENT_UNKNOWN.to_owned(),
            text,
        })
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What is called with each warning of a response (oras-go
/// `HandleWarning`). Cheap to clone.
#[derive(Clone)]
pub struct WarningHandler(Arc<dyn Fn(Warning) + Send + Sync>);

impl WarningHandler {
    /// A handler calling `handle` with every warning.
    pub fn new(handle: impl Fn(Warning) + Send + Sync + 'static) -> Self {
        WarningHandler(Arc::new(handle))
    }

    /// Calls the handler with every well-formed warning in `headers`, in
    /// order.
    pub fn handle_headers(&self, headers: &HeaderMap) {
        for value in headers.get_all(WARNING) {
            if let Some(warning) = std::str::from_utf8(value.as_bytes())
                .ok()
                .and_then(Warning::parse)
            {
                (self.0)(warning);
            }
        }
    }
}

impl fmt::Debug for WarningHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WarningHandler")
    }
}

/// The text of a Go double-quoted string literal (`strconv.Unquote`):
/// `None` for an unescaped `"` or newline inside, or a malformed escape.
fn go_unquote(quoted: &str) -> Option<String> {
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\n' => return None,
            '\\' => unescape(&mut chars, &mut out)?,
            c => push_char(&mut out, c),
        }
    }
    // `\x` and octal escapes give bytes, which may not be UTF-8.
    Some(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into()))
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// One escape after a backslash (Go `strconv.UnquoteChar` inside `"…"`).
fn unescape(chars: &mut std::str::Chars<'_>, out: &mut Vec<u8>) -> Option<()> {
    let simple = |c: char| match c {
        'a' => Some('\u{07}'),
        'b' => Some('\u{08}'),
        'f' => Some('\u{0c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{0b}'),
        '\\' => Some('\\'),
        '"' => Some('"'),
        _ => None,
    };
    let c = chars.next()?;
    if let Some(plain) = simple(c) {
        push_char(out, plain);
        return Some(());
    }
    match c {
        'x' => out.push(u8::try_from(hex(chars, 2)?).ok()?),
        'u' => push_char(out, char::from_u32(hex(chars, 4)?)?),
        'U' => push_char(out, char::from_u32(hex(chars, 8)?)?),
        '0'..='7' => {
            let mut value = c.to_digit(8)?;
            for _ in 0..2 {
                value = value * 8 + chars.next()?.to_digit(8)?;
            }
            out.push(u8::try_from(value).ok()?);
        }
        _ => return None,
    }
    Some(())
}

/// `digits` hexadecimal digits as a number.
fn hex(chars: &mut std::str::Chars<'_>, digits: usize) -> Option<u32> {
    let mut value = 0u32;
    for _ in 0..digits {
        value = value * 16 + chars.next()?.to_digit(16)?;
    }
    Some(value)
}

/// Hands the warnings of every response to the handler.
#[derive(Clone, Debug)]
pub(crate) struct WarningLayer(pub(crate) WarningHandler);

impl ResponseEdit for WarningLayer {
    fn edit(&self, response: Response<ResponseBody>) -> Response<ResponseBody> {
        self.0.handle_headers(response.headers());
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Option<String> {
        Warning::parse(value).map(|w| w.text)
    }

    #[test]
    fn parses_only_299_with_unknown_agent_and_a_quoted_text() {
        let warning = Warning::parse(r#"299 - "this repository is deprecated""#).unwrap();
        assert_eq!(warning.code, 299);
        assert_eq!(warning.agent, "-");
        assert_eq!(warning.text, "this repository is deprecated");
        assert_eq!(warning.to_string(), "this repository is deprecated");
        assert_eq!(text(r#"299 - "x""#).as_deref(), Some("x"));
        for ignored in [
            r#"299 - """#,
            r#"199 - "old""#,
            r#"299 agent "text""#,
            r#"299  - "two spaces""#,
            r#"299 - text"#,
            r#"299 - "text" "Sat, 25 Aug 2012 23:34:45 GMT""#,
            r#"299 - "a", 299 - "b""#,
            r#"299 - "inner " quote""#,
            r#"299 - "bad \q escape""#,
            r#"299 - "dangling \""#,
            "299 - \"new\nline\"",
            "",
        ] {
            assert_eq!(text(ignored), None, "{ignored}");
        }
    }

    #[test]
    fn reads_go_escapes() {
        assert_eq!(
            text(r#"299 - "say \"hi\"\t\\ \x41\u00e9\U0001F600\101""#).as_deref(),
            Some("say \"hi\"\t\\ Aé😀A")
        );
        assert_eq!(text(r#"299 - "\u12""#), None);
        assert_eq!(text(r#"299 - "\777""#), None);
        assert_eq!(text("299 - \"caf\u{e9}\"").as_deref(), Some("café"));
    }

    #[test]
    fn handles_every_warning_header_in_order() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        let handler = WarningHandler::new(move |w| log.lock().unwrap().push(w.text));
        let mut headers = HeaderMap::new();
        headers.append(WARNING, r#"299 - "first""#.parse().unwrap());
        headers.append(WARNING, r#"199 - "ignored""#.parse().unwrap());
        headers.append(WARNING, r#"299 - "second""#.parse().unwrap());
        headers.append(WARNING, r#"299 - "first""#.parse().unwrap());
        handler.handle_headers(&headers);
        assert_eq!(*seen.lock().unwrap(), vec!["first", "second", "first"]);
        assert_eq!(format!("{handler:?}"), "WarningHandler");
    }
}
