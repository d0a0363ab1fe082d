//! JSON exactly as Go's `encoding/json` writes and reads it, where the two
//! would otherwise disagree.
//!
//! **Writing.** Go's `json.Marshal` escapes `<`, `>` and `&` as `\u003c`,
//! `\u003e` and `\u0026`, and U+2028 / U+2029 as `\u2028` / `\u2029`,
//! in keys and values alike; serde_json writes them as they are. A
//! manifest packed here must have the bytes, and so the digest, that
//! oras-go gives it, so [`to_vec`] escapes as Go does. Other characters
//! already agree: both write `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
//! other C0 controls as `\u00xx` (lower-case hex), and everything else,
//! DEL and non-ASCII included, as UTF-8.
//!
//! **Reading.** Go matches object keys to struct fields case-insensitively
//! (`"Layers"` fills `Layers` as `"layers"` does, and for two keys naming
//! the same field the last one wins), while serde matches exactly and
//! ignores the other spellings. A manifest with `"layers"` and `"Layers"`
//! would then describe one graph to oras-go and another to us, so the
//! manifest, index, artifact manifest and descriptor types refuse any
//! object with a key that Go would fold onto one of their fields without
//! being that field's exact name, and any field given twice. Maps such as
//! `annotations` are not structs: Go matches their keys exactly, as we do.

use std::io;

use serde::Serialize;
use serde::de::{Deserializer, Error as _, MapAccess, Visitor};
use serde_json::{Map, Value};

/// Serialises `value` as compact JSON with the bytes Go's `json.Marshal`
/// gives the same value (see the module documentation).
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, GoFormatter);
    value.serialize(&mut serializer)?;
    Ok(out)
}

/// A compact serde_json formatter that escapes strings as Go's
/// `encoding/json` does with its default HTML-safe escaping.
#[derive(Debug, Clone, Copy, Default)]
pub struct GoFormatter;

impl serde_json::ser::Formatter for GoFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_go_escaped(writer, fragment)
    }
}

/// Writes `fragment` (a part of a string serde_json leaves unescaped) with
/// the characters Go escapes beyond serde_json's set: `encoding/json`
/// `appendString` with `escapeHTML` set, and U+2028 / U+2029 always.
fn write_go_escaped<W: ?Sized + io::Write>(writer: &mut W, fragment: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        let escaped = match c {
            '<' => "\\u003c",
            '>' => "\\u003e",
            '&' => "\\u0026",
            '\u{2028}' => "\\u2028",
            '\u{2029}' => "\\u2029",
            _ => continue,
        };
        writer.write_all(&fragment.as_bytes()[start..i])?;
        writer.write_all(escaped.as_bytes())?;
        start = i + c.len_utf8();
    }
    writer.write_all(&fragment.as_bytes()[start..])
}

/// Folds a character as Go's `encoding/json` folds key names
/// (`appendFoldedName`): ASCII letters to upper case, and each other
/// character to the smallest of its simple case-folding orbit. Of the
/// characters outside ASCII, only U+017F (ſ, folding to `S`) and U+212A
/// (the Kelvin sign, folding to `K`) reach ASCII; the others can never
/// equal a character of our ASCII field names, so they are left as they are.
fn go_fold(c: char) -> char {
    match c {
        '\u{017F}' => 'S',
        '\u{212A}' => 'K',
        c => c.to_ascii_uppercase(),
    }
}

/// Whether Go's decoder would match the object key `key` to the field
/// named `field` (ASCII).
pub(crate) fn go_matches(key: &str, field: &str) -> bool {
    key.chars().map(go_fold).eq(field.chars().map(go_fold))
}

/// Deserialises a struct whose fields are named `fields` through `inner`
/// (its derived deserialiser), after refusing an object that Go's
/// case-insensitive decoder would read differently (see the module
/// documentation). `what` names the struct in errors.
pub(crate) fn deserialize_strict<'de, D, T>(
    deserializer: D,
    what: &'static str,
    fields: &'static [&'static str],
    inner: fn(Value) -> serde_json::Result<T>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let object = deserializer.deserialize_map(StrictKeys { what, fields })?;
    inner(Value::Object(object)).map_err(D::Error::custom)
}

/// Reads an object into a map, checking its keys against `fields`.
struct StrictKeys {
    what: &'static str,
    fields: &'static [&'static str],
}

impl<'de> Visitor<'de> for StrictKeys {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a JSON object ({})", self.what)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if let Some(field) = self.fields.iter().find(|f| go_matches(&key, f)) {
                if key != *field {
                    return Err(A::Error::custom(format!(
                        "{}: key {key:?} differs from the field {field:?} only in case, \
                         and Go's case-insensitive decoder would read it as that field; \
                         refusing the ambiguous document",
                        self.what
                    )));
                }
                if out.contains_key(*field) {
                    return Err(A::Error::custom(format!(
                        "{}: duplicate key {field:?}; refusing the ambiguous document",
                        self.what
                    )));
                }
            }
            let value = map.next_value::<Value>()?;
            out.insert(key, value);
        }
        Ok(out)
    }
}

/// The text Go's `encoding/json` gives a syntax error in `input`, worded
/// from serde_json's `err` (`SyntaxError`: "invalid character 'b' looking
/// for beginning of object key string", "unexpected end of JSON input").
/// Errors with no Go counterpart mapped here (type errors, I/O) keep
/// serde_json's text.
pub fn go_error_text(err: &serde_json::Error, input: &[u8]) -> String {
    use serde_json::error::Category;
    if err.classify() == Category::Eof {
        return "unexpected end of JSON input".to_owned();
    }
    let text = err.to_string();
    if err.classify() != Category::Syntax {
        return text;
    }
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    // Go's scanner contexts (encoding/json scanner.go step functions).
    let context = match message {
        "key must be a string" => "looking for beginning of object key string",
        "expected value" | "expected ident" => "looking for beginning of value",
        "expected `:`" => "after object key",
        "expected `,` or `}`" => "after object key:value pair",
        "expected `,` or `]`" => "after array element",
        "trailing characters" => "after top-level value",
        _ => return text,
    };
    match offending_byte(input, err.line(), err.column()) {
        Some(byte) => format!("invalid character {} {context}", go_quote_char(byte)),
        None => text,
    }
}

/// The byte at a serde_json position (1-based line, 1-based byte column).
fn offending_byte(input: &[u8], line: usize, column: usize) -> Option<u8> {
    let start = if line <= 1 {
        0
    } else {
        input
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)?
    };
    input.get(start + column.checked_sub(1)?).copied()
}

/// A byte quoted as Go's `encoding/json` `quoteChar` does: `strconv.Quote`
/// of the byte as a rune, in single quotes.
fn go_quote_char(byte: u8) -> String {
    let inner = match byte {
        b'\'' => "\\'".to_owned(),
        b'"' => "\"".to_owned(),
        b'\\' => "\\\\".to_owned(),
        0x07 => "\\a".to_owned(),
        0x08 => "\\b".to_owned(),
        0x0c => "\\f".to_owned(),
        b'\n' => "\\n".to_owned(),
        b'\r' => "\\r".to_owned(),
        b'\t' => "\\t".to_owned(),
        0x0b => "\\v".to_owned(),
        0x00..=0x1f | 0x7f => format!("\\x{byte:02x}"),
        // Not printable for Go's strconv.IsPrint: C1 controls, NBSP, soft hyphen.
        0x80..=0xa0 | 0xad => format!("\\u{byte:04x}"),
        _ => char::from(byte).to_string(),
    };
    format!("'{inner}'")
}

/// Implements `Serialize` and `Deserialize` for a type whose derives are
/// `remote = "Self"`: serialising as derived, deserialising through the
/// key check of [`deserialize_strict`] with the JSON names of its fields.
macro_rules! strict_serde {
    ($ty:ident, $what:literal, [$($field:literal),* $(,)?]) => {
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(
                &self,
                serializer: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                $ty::serialize(self, serializer)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(
                deserializer: D,
            ) -> std::result::Result<Self, D::Error> {
                crate::json::deserialize_strict(deserializer, $what, &[$($field),*], |value| {
                    $ty::deserialize(value)
                })
            }
        }
    };
}
pub(crate) use strict_serde;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn escapes_like_go() {
        let mut map = BTreeMap::new();
        map.insert(
            "k<&>",
            "a<b>&c\u{2028}\u{2029}\"\\\n\r\t\u{8}\u{c}\u{1}\u{1b}\u{7f}é😀",
        );
        let text = String::from_utf8(to_vec(&map).unwrap()).unwrap();
        assert_eq!(
            text,
            r#"{"k\u003c\u0026\u003e":"a\u003cb\u003e\u0026c\u2028\u2029\"\\\n\r\t\b\f\u0001\u001b"#
                .to_owned() + "\u{7f}é😀\"}"
        );
    }

    #[test]
    fn folds_keys_like_go() {
        assert!(go_matches("layers", "layers"));
        assert!(go_matches("LAYERS", "layers"));
        assert!(go_matches("Layer\u{17F}", "layers"));
        assert!(go_matches("\u{212A}ey", "key"));
        assert!(!go_matches("layer", "layers"));
        assert!(!go_matches("lay\u{131}ers", "layiers"));
        assert!(!go_matches("layérs", "layers"));
    }

    #[test]
    fn syntax_errors_worded_like_go() {
        let text = |input: &str| {
            let err = serde_json::from_str::<Value>(input).unwrap_err();
            go_error_text(&err, input.as_bytes())
        };
        assert_eq!(
            text("{bad"),
            "invalid character 'b' looking for beginning of object key string"
        );
        assert_eq!(
            text("{\n  nope"),
            "invalid character 'n' looking for beginning of object key string"
        );
        assert_eq!(
            text("[x]"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(text("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(
            text("{\"a\":1 2}"),
            "invalid character '2' after object key:value pair"
        );
        assert_eq!(text("[1 2]"), "invalid character '2' after array element");
        assert_eq!(text("{} x"), "invalid character 'x' after top-level value");
        assert_eq!(text("{\"a\":"), "unexpected end of JSON input");
        assert_eq!(text(""), "unexpected end of JSON input");
        assert_eq!(go_quote_char(b'\''), r"'\''");
        assert_eq!(go_quote_char(b'"'), r#"'"'"#);
        assert_eq!(go_quote_char(b'\n'), r"'\n'");
        assert_eq!(go_quote_char(0x01), r"'\x01'");
    }
}
