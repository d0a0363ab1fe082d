//! How template values print, compare and test as true, following Go's
//! `fmt` and `text/template` rules for the types `encoding/json` decodes
//! into (`map[string]any`, `[]any`, `string`, `float64`, `bool`, `nil`).

use std::cmp::Ordering;

use serde_json::Value;

/// Go's `%v` of a float64: `strconv` `'g'` with the shortest precision,
/// in exponent form when the exponent is below -4 or at least 6, so
/// 1234567 prints as `1.234567e+06`, as in the Go CLI's templates.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

/// Prints a value as Go's `fmt.Sprint` does at the top level of a template:
/// a missing value is `<no value>`.
pub(crate) fn print(value: &Value) -> String {
    match value {
        Value::Null => "<no value>".into(),
        other => print_nested(other),
    }
}

/// Prints a value inside a composite: `nil` is `<nil>`, maps are
/// `map[k:v …]` with sorted keys, slices `[a b]`.
pub(crate) fn print_nested(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_text(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(print_nested).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}:{}", print_nested(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// A number as Go prints it: integers plainly, floats with [`go_float`].
pub(crate) fn number_text(n: &serde_json::Number) -> String {
    if n.is_f64() {
        go_float(n.as_f64().unwrap_or_default())
    } else {
        n.to_string()
    }
}

/// Go's template truth: false, 0, nil, and empty strings, slices and maps
/// are false.
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Equality for `eq`/`ne`: numbers by value (integers and floats alike),
/// everything else structurally.
pub(crate) fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Ordering for `lt`/`le`/`gt`/`ge`: numbers, strings or booleans of the
/// same kind; anything else is an error.
pub(crate) fn compare(a: &Value, b: &Value) -> Result<Ordering, String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .zip(y.as_f64())
            .and_then(|(x, y)| x.partial_cmp(&y))
            .ok_or_else(|| "invalid number comparison".to_owned()),
        (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
        _ => Err("incompatible types for comparison".into()),
    }
}

/// A value as an integer (index, slice bounds, `%d`).
pub(crate) fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 9.0e18).then_some(f as i64)
        }),
        _ => None,
    }
}

/// A value as a string argument: strings as they are, others printed.
pub(crate) fn as_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => print_nested(other),
    }
}

/// Writes `value` as Go's `encoding/json` (used by `toJson` and friends):
/// float numbers without a fraction print as integers, map keys sorted,
/// and `<`, `>`, `&` escaped when `html`.
pub(crate) fn to_json(value: &Value, indent: Option<&str>, html: bool) -> String {
    let mut out = String::new();
    write_json(&mut out, value, indent, html, 0);
    out
}

fn write_json(out: &mut String, value: &Value, indent: Option<&str>, html: bool, depth: usize) {
    let newline = |out: &mut String, depth: usize| {
        if let Some(unit) = indent {
            out.push('\n');
            for _ in 0..depth {
                out.push_str(unit);
            }
        }
    };
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&json_number(n)),
        Value::String(s) => json_string(out, s, html),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_json(out, item, indent, html, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                json_string(out, k, html);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, v, indent, html, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

/// Go's float64 JSON encoding: plain decimal between 1e-6 and 1e21,
/// exponent form outside.
fn json_number(n: &serde_json::Number) -> String {
    if !n.is_f64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or_default();
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let sci = format!("{f:e}");
        let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        match exp.strip_prefix('-') {
            Some(negative) => format!("{mantissa}e-{negative}"),
            None => format!("{mantissa}e+{exp:0>2}"),
        }
    } else {
        format!("{f}")
    }
}

fn json_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_print_like_go() {
        assert_eq!(go_float(528.0), "528");
        assert_eq!(go_float(123456.0), "123456");
        assert_eq!(go_float(1234567.0), "1.234567e+06");
        assert_eq!(go_float(1e6), "1e+06");
        assert_eq!(go_float(0.5), "0.5");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(-2.5), "-2.5");
    }

    #[test]
    fn prints_composites() {
        assert_eq!(print(&Value::Null), "<no value>");
        assert_eq!(
            print(&json!({"b": 1.0, "a": [1, null]})),
            "map[a:[1 <nil>] b:1]"
        );
        assert_eq!(print(&json!("s")), "s");
    }

    #[test]
    fn truth_and_comparison() {
        assert!(!truthy(&json!(0.0)));
        assert!(!truthy(&json!("")));
        assert!(!truthy(&json!([])));
        assert!(truthy(&json!({"a": 1})));
        assert!(equal(&json!(2), &json!(2.0)));
        assert_eq!(compare(&json!("a"), &json!("b")), Ok(Ordering::Less));
        assert!(compare(&json!("a"), &json!(1)).is_err());
    }

    #[test]
    fn json_like_go() {
        let v = json!({"size": 1234567.0, "b": "<&>", "a": [], "f": 0.5});
        assert_eq!(
            to_json(&v, None, true),
            r#"{"a":[],"b":"\u003c\u0026\u003e","f":0.5,"size":1234567}"#
        );
        assert_eq!(
            to_json(&json!({"a": [1]}), Some("  "), false),
            "{\n  \"a\": [\n    1\n  ]\n}"
        );
    }
}
