//! Control characters made visible before they reach a terminal.
//!
//! Titles, tags, references, artifact types and annotations come from
//! registries and from artifacts other people packed. Printed as they are,
//! an ESC or CSI sequence in one (`\x1b[2J`, `\u{9b}…`) could clear the
//! screen, move the cursor or rewrite earlier lines, and a `\r` or `\n`
//! could forge a status line. Human-readable output therefore shows every
//! control character (C0, DEL, C1) as an escape: `\n`, `\r`, `\t`, `\x1b`
//! for C0 and DEL, `\u{9b}` for C1. JSON output is escaped by the JSON
//! encoder, and Go-template output is what the user asked for, so neither
//! goes through here.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every control character escaped (see the module
/// documentation); borrowed when there is none.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// As [`escape_controls`], but keeping line feeds and tabs: for whole
/// lines or messages whose own layout may span lines, once the strings
/// from elsewhere in them have been escaped with [`escape_controls`].
pub fn escape_controls_keep_layout(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_layout: bool) -> Cow<'_, str> {
    let kept = |c: char| keep_layout && (c == '\n' || c == '\t');
    if !text.chars().any(|c| c.is_control() && !kept(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if kept(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // C0 and DEL.
            c if (c as u32) < 0x80 && c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            // C1 (U+0080 to U+009F), CSI (U+009B) among them.
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_control_character() {
        assert!(matches!(escape_controls("plain é 😀"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("a\x1b[2J\rb\n\t\x07\x7f\u{9b}31m\u{85}"),
            "a\\x1b[2J\\rb\\n\\t\\x07\\x7f\\u{9b}31m\\u{85}"
        );
        assert_eq!(
            escape_controls_keep_layout("line\x1b[2J\r\nnext\tx"),
            "line\\x1b[2J\\r\nnext\tx"
        );
    }
}
