//! JSON as the Go CLI writes it: `encoding/json` with two-space indent,
//! `<`, `>` and `&` escaped as `\u003c`, `\u003e`, `\u0026` (Go's default
//! HTML-safe escaping), and a trailing newline.

use serde::Serialize;
use serde_json::Value;

/// Serialises `value` as Go's `json.Encoder` with `SetIndent("", "  ")`.
pub fn to_pretty_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    Ok(escape_html(&text) + "\n")
}

/// Serialises `value` compactly, as Go's `json.Marshal`.
pub fn to_compact_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    Ok(escape_html(&serde_json::to_string(value)?))
}

/// Go escapes these characters in every string it encodes; they can only
/// occur inside JSON strings, so replacing them in the whole text is safe.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The value a Go template sees: the JSON model decoded into
/// `map[string]any`, so every number is a float64 and object keys are
/// sorted (Go `output.ToMap`).
pub fn template_data<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Value> {
    Ok(normalize(serde_json::to_value(value)?))
}

fn normalize(value: Value) -> Value {
    sorted_with(value, &|leaf| match leaf {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Number(n), Value::Number),
        other => other,
    })
}

/// Sorts object keys recursively, as Go does when it encodes a map.
pub fn sort_keys(value: Value) -> Value {
    sorted_with(value, &|leaf| leaf)
}

/// `value` with the keys of every object sorted, and `leaf` applied to
/// every value that is neither an array nor an object.
fn sorted_with(value: Value, leaf: &dyn Fn(Value) -> Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| sorted_with(item, leaf))
                .collect(),
        ),
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted_with(v, leaf)))
                    .collect(),
            )
        }
        other => leaf(other),
    }
}

/// Re-indents JSON bytes with two spaces, keeping the original key order
/// and string escapes (Go `json.Indent`, used by `--pretty`), plus a
/// trailing newline. Invalid JSON is an error.
pub fn indent_json(input: &[u8]) -> serde_json::Result<Vec<u8>> {
    serde_json::from_slice::<serde::de::IgnoredAny>(input)?;
    let mut out = Vec::with_capacity(input.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut bytes = input.iter().copied().peekable();
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', depth * 2));
    };
    while let Some(b) = bytes.next() {
        if in_string {
            out.push(b);
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'"' => {
                in_string = true;
                out.push(b);
            }
            b'{' | b'[' => {
                out.push(b);
                while bytes.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                    bytes.next();
                }
                let close = if b == b'{' { b'}' } else { b']' };
                if bytes.peek() == Some(&close) {
                    bytes.next();
                    out.push(close);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(b);
            }
            b',' => {
                out.push(b);
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            other => out.push(other),
        }
    }
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pretty_like_go() {
        let v = json!({"a": [1, 2], "b": {}, "c": "<x&y>"});
        assert_eq!(
            to_pretty_json(&v).unwrap(),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": \"\\u003cx\\u0026y\\u003e\"\n}\n"
        );
        assert_eq!(to_compact_json(&json!(["<"])).unwrap(), "[\"\\u003c\"]");
    }

    #[test]
    fn template_data_is_float_and_sorted() {
        let v = template_data(&json!({"z": 1, "a": {"y": 2, "b": [3]}})).unwrap();
        assert!(v["z"].is_f64());
        assert!(v["a"]["b"][0].is_f64());
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "z"]);
    }

    #[test]
    fn indent_keeps_order_and_escapes() {
        let raw = br#"{"z":1,"a":[],"s":"a\"b,{c}:","o":{"k":[1,{"x":null}]}}"#;
        let pretty = String::from_utf8(indent_json(raw).unwrap()).unwrap();
        assert_eq!(
            pretty,
            "{\n  \"z\": 1,\n  \"a\": [],\n  \"s\": \"a\\\"b,{c}:\",\n  \"o\": {\n    \"k\": [\n      1,\n      {\n        \"x\": null\n      }\n    ]\n  }\n}\n"
        );
        assert!(indent_json(b"{nope").is_err());
    }
}
