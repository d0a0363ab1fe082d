//! The template functions: Go's built-ins (`eq`, `len`, `index`,
//! `printf` …) and the sprig functions people use in `--format`
//! templates (`toJson`, `join`, `upper`, `default` …). `and` and `or`
//! short-circuit and are evaluated by the executor.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::printf::sprintf;
use super::value::{as_int, as_string, compare, equal, print_nested, to_json, truthy};

type Func = fn(&[Value]) -> Result<Value, String>;

const FUNCS: &[(&str, Func)] = &[
    // Go text/template built-ins.
    ("not", |a| one(a).map(|v| Value::Bool(!truthy(v)))),
    ("len", len),
    ("index", index),
    ("slice", slice),
    ("print", |a| Ok(Value::String(sprint(a)))),
    ("println", |a| Ok(Value::String(sprintln(a)))),
    ("printf", |a| match a.split_first() {
        Some((Value::String(f), rest)) => Ok(Value::String(sprintf(f, rest))),
        _ => Err("printf needs a format string".into()),
    }),
    ("eq", |a| match a.split_first() {
        Some((first, rest)) if !rest.is_empty() => {
            Ok(Value::Bool(rest.iter().any(|b| equal(first, b))))
        }
        _ => Err("missing argument for comparison".into()),
    }),
    ("ne", |a| two(a).map(|(x, y)| Value::Bool(!equal(x, y)))),
    ("lt", |a| ordered(a, |o| o == Ordering::Less)),
    ("le", |a| ordered(a, |o| o != Ordering::Greater)),
    ("gt", |a| ordered(a, |o| o == Ordering::Greater)),
    ("ge", |a| ordered(a, |o| o != Ordering::Less)),
    ("html", |a| Ok(Value::String(html_escape(&sprint(a))))),
    ("js", |a| Ok(Value::String(js_escape(&sprint(a))))),
    ("urlquery", |a| Ok(Value::String(url_escape(&sprint(a))))),
    ("and", |a| {
        Ok(a.iter()
            .find(|v| !truthy(v))
            .or(a.last())
            .cloned()
            .unwrap_or(Value::Null))
    }),
    ("or", |a| {
        Ok(a.iter()
            .find(|v| truthy(v))
            .or(a.last())
            .cloned()
            .unwrap_or(Value::Null))
    }),
    // sprig: JSON.
    ("toJson", |a| {
        one(a).map(|v| Value::String(to_json(v, None, true)))
    }),
    ("mustToJson", |a| {
        one(a).map(|v| Value::String(to_json(v, None, true)))
    }),
    ("toPrettyJson", |a| {
        one(a).map(|v| Value::String(to_json(v, Some("  "), true)))
    }),
    ("mustToPrettyJson", |a| {
        one(a).map(|v| Value::String(to_json(v, Some("  "), true)))
    }),
    ("toRawJson", |a| {
        one(a).map(|v| Value::String(to_json(v, None, false)))
    }),
    // sprig: strings.
    ("upper", |a| string1(a, |s| s.to_uppercase())),
    ("lower", |a| string1(a, |s| s.to_lowercase())),
    ("title", |a| string1(a, title)),
    ("trim", |a| string1(a, |s| s.trim().to_owned())),
    ("nospace", |a| {
        string1(a, |s| s.chars().filter(|c| !c.is_whitespace()).collect())
    }),
    ("trimAll", |a| {
        two(a).map(|(cut, s)| {
            let cut = as_string(cut);
            Value::String(as_string(s).trim_matches(|c| cut.contains(c)).to_owned())
        })
    }),
    ("trimPrefix", |a| {
        two(a).map(|(p, s)| {
            let s = as_string(s);
            Value::String(s.strip_prefix(&as_string(p)).unwrap_or(&s).to_owned())
        })
    }),
    ("trimSuffix", |a| {
        two(a).map(|(p, s)| {
            let s = as_string(s);
            Value::String(s.strip_suffix(&as_string(p)).unwrap_or(&s).to_owned())
        })
    }),
    ("contains", |a| {
        two(a).map(|(sub, s)| Value::Bool(as_string(s).contains(&as_string(sub))))
    }),
    ("hasPrefix", |a| {
        two(a).map(|(p, s)| Value::Bool(as_string(s).starts_with(&as_string(p))))
    }),
    ("hasSuffix", |a| {
        two(a).map(|(p, s)| Value::Bool(as_string(s).ends_with(&as_string(p))))
    }),
    ("replace", |a| match a {
        [old, new, s] => Ok(Value::String(
            as_string(s).replace(&as_string(old), &as_string(new)),
        )),
        _ => Err("wrong number of args for replace: want 3".into()),
    }),
    ("repeat", |a| {
        two(a).and_then(|(n, s)| {
            let n = as_int(n)
                .filter(|n| (0..=1_000_000).contains(n))
                .ok_or("repeat count out of range")?;
            Ok(Value::String(as_string(s).repeat(n as usize)))
        })
    }),
    ("substr", |a| match a {
        [start, end, s] => Ok(Value::String(substr(
            &as_string(s),
            as_int(start).unwrap_or(0),
            as_int(end).unwrap_or(-1),
        ))),
        _ => Err("wrong number of args for substr: want 3".into()),
    }),
    ("trunc", |a| {
        two(a).map(|(n, s)| Value::String(trunc(&as_string(s), as_int(n).unwrap_or(0))))
    }),
    ("indent", |a| {
        two(a).map(|(n, s)| Value::String(indent(&as_string(s), as_int(n).unwrap_or(0))))
    }),
    ("nindent", |a| {
        two(a).map(|(n, s)| {
            Value::String(format!(
                "\n{}",
                indent(&as_string(s), as_int(n).unwrap_or(0))
            ))
        })
    }),
    ("quote", |a| {
        Ok(Value::String(
            a.iter()
                .filter(|v| !v.is_null())
                .map(|v| crate::error::quote(&as_string(v)))
                .collect::<Vec<_>>()
                .join(" "),
        ))
    }),
    ("squote", |a| {
        Ok(Value::String(
            a.iter()
                .filter(|v| !v.is_null())
                .map(|v| format!("'{}'", as_string(v)))
                .collect::<Vec<_>>()
                .join(" "),
        ))
    }),
    ("cat", |a| {
        Ok(Value::String(
            a.iter()
                .filter(|v| !v.is_null())
                .map(as_string)
                .collect::<Vec<_>>()
                .join(" "),
        ))
    }),
    ("split", |a| {
        two(a).map(|(sep, s)| {
            let parts = as_string(s);
            let map: Map<String, Value> = parts
                .split(as_string(sep).as_str())
                .enumerate()
                .map(|(i, p)| (format!("_{i}"), Value::String(p.to_owned())))
                .collect();
            Value::Object(map)
        })
    }),
    ("splitList", |a| {
        two(a).map(|(sep, s)| {
            Value::Array(
                as_string(s)
                    .split(as_string(sep).as_str())
                    .map(|p| Value::String(p.to_owned()))
                    .collect(),
            )
        })
    }),
    ("join", |a| {
        two(a).map(|(sep, list)| {
            let items: Vec<String> = match list {
                Value::Array(items) => items
                    .iter()
                    .filter(|v| !v.is_null())
                    .map(as_string)
                    .collect(),
                Value::Null => Vec::new(),
                other => vec![as_string(other)],
            };
            Value::String(items.join(&as_string(sep)))
        })
    }),
    ("toString", |a| one(a).map(|v| Value::String(as_string(v)))),
    // sprig: defaults and logic.
    ("default", |a| match a {
        [d] => Ok(d.clone()),
        [d, given, ..] => Ok(if truthy(given) {
            given.clone()
        } else {
            d.clone()
        }),
        [] => Err("wrong number of args for default: want 1 or 2".into()),
    }),
    ("empty", |a| one(a).map(|v| Value::Bool(!truthy(v)))),
    ("coalesce", |a| {
        Ok(a.iter().find(|v| truthy(v)).cloned().unwrap_or(Value::Null))
    }),
    ("ternary", |a| match a {
        [t, f, cond] => Ok(if truthy(cond) { t.clone() } else { f.clone() }),
        _ => Err("wrong number of args for ternary: want 3".into()),
    }),
    // sprig: lists and dicts.
    ("list", |a| Ok(Value::Array(a.to_vec()))),
    ("first", |a| {
        list1(a, |l| l.first().cloned().unwrap_or(Value::Null))
    }),
    ("last", |a| {
        list1(a, |l| l.last().cloned().unwrap_or(Value::Null))
    }),
    ("rest", |a| {
        list1(a, |l| Value::Array(l.iter().skip(1).cloned().collect()))
    }),
    ("initial", |a| {
        list1(a, |l| Value::Array(l[..l.len().saturating_sub(1)].to_vec()))
    }),
    ("sortAlpha", |a| {
        list1(a, |l| {
            let mut items: Vec<String> = l.iter().map(as_string).collect();
            items.sort();
            Value::Array(items.into_iter().map(Value::String).collect())
        })
    }),
    ("uniq", |a| {
        list1(a, |l| {
            let mut out: Vec<Value> = Vec::new();
            for v in l {
                if !out.iter().any(|o| equal(o, v)) {
                    out.push(v.clone());
                }
            }
            Value::Array(out)
        })
    }),
    ("has", |a| {
        two(a).map(|(needle, list)| {
            Value::Bool(
                matches!(list, Value::Array(items) if items.iter().any(|v| equal(v, needle))),
            )
        })
    }),
    ("keys", |a| {
        let mut keys: Vec<String> = a
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|m| m.keys().cloned())
            .collect();
        keys.sort();
        Ok(Value::Array(keys.into_iter().map(Value::String).collect()))
    }),
    ("dict", |a| {
        let mut map = Map::new();
        for pair in a.chunks(2) {
            let value = pair
                .get(1)
                .cloned()
                .unwrap_or_else(|| Value::String(String::new()));
            map.insert(as_string(&pair[0]), value);
        }
        Ok(Value::Object(map))
    }),
    ("get", |a| {
        two(a).map(|(m, k)| {
            m.get(as_string(k))
                .cloned()
                .unwrap_or_else(|| Value::String(String::new()))
        })
    }),
    ("hasKey", |a| {
        two(a).map(|(m, k)| Value::Bool(m.get(as_string(k)).is_some()))
    }),
    // sprig: math (int64, as sprig converts).
    ("add", |a| {
        Ok(Value::from(a.iter().map(to_int).sum::<i64>()))
    }),
    ("add1", |a| one(a).map(|v| Value::from(to_int(v) + 1))),
    ("sub", |a| {
        two(a).map(|(x, y)| Value::from(to_int(x) - to_int(y)))
    }),
    ("mul", |a| {
        Ok(Value::from(a.iter().map(to_int).product::<i64>()))
    }),
    ("div", |a| {
        two(a).and_then(|(x, y)| {
            to_int(x)
                .checked_div(to_int(y))
                .map(Value::from)
                .ok_or_else(|| "integer divide by zero".into())
        })
    }),
    ("mod", |a| {
        two(a).and_then(|(x, y)| {
            to_int(x)
                .checked_rem(to_int(y))
                .map(Value::from)
                .ok_or_else(|| "integer divide by zero".into())
        })
    }),
    ("max", |a| {
        Ok(Value::from(a.iter().map(to_int).max().unwrap_or(0)))
    }),
    ("min", |a| {
        Ok(Value::from(a.iter().map(to_int).min().unwrap_or(0)))
    }),
    ("int", |a| one(a).map(|v| Value::from(to_int(v)))),
    ("int64", |a| one(a).map(|v| Value::from(to_int(v)))),
    ("atoi", |a| {
        one(a).map(|v| Value::from(as_string(v).trim().parse::<i64>().unwrap_or(0)))
    }),
    ("float64", |a| {
        one(a).map(|v| {
            let f = match v {
                Value::Number(n) => n.as_f64().unwrap_or(0.0),
                other => as_string(other).trim().parse().unwrap_or(0.0),
            };
            serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
        })
    }),
];

/// Whether `name` is a known function.
pub(crate) fn exists(name: &str) -> bool {
    FUNCS.iter().any(|(n, _)| *n == name)
}

/// Calls `name` with `args`.
pub(crate) fn call(name: &str, args: &[Value]) -> Result<Value, String> {
    match FUNCS.iter().find(|(n, _)| *n == name) {
        Some((_, f)) => f(args),
        None => Err(format!("function {name:?} not defined")),
    }
}

fn one(a: &[Value]) -> Result<&Value, String> {
    match a {
        [v] => Ok(v),
        _ => Err(format!("wrong number of args: want 1 got {}", a.len())),
    }
}

fn two(a: &[Value]) -> Result<(&Value, &Value), String> {
    match a {
        [x, y] => Ok((x, y)),
        _ => Err(format!("wrong number of args: want 2 got {}", a.len())),
    }
}

fn string1(a: &[Value], f: impl Fn(&str) -> String) -> Result<Value, String> {
    one(a).map(|v| Value::String(f(&as_string(v))))
}

fn list1(a: &[Value], f: impl Fn(&[Value]) -> Value) -> Result<Value, String> {
    match one(a)? {
        Value::Array(items) => Ok(f(items)),
        Value::Null => Ok(f(&[])),
        _ => Err("expected a list".into()),
    }
}

fn ordered(a: &[Value], test: impl Fn(Ordering) -> bool) -> Result<Value, String> {
    let (x, y) = two(a)?;
    compare(x, y).map(|o| Value::Bool(test(o)))
}

fn to_int(v: &Value) -> i64 {
    match v {
        Value::Number(n) => n
            .as_i64()
            .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
        Value::String(s) => s.trim().parse().unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

fn len(a: &[Value]) -> Result<Value, String> {
    let n = match one(a)? {
        Value::String(s) => s.len(),
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        // A missing key is Go's zero `reflect.Value`, whose `Type` panics in
        // `length`; the message is that panic's (the data has no nil
        // pointers, and missing keys are what templates meet).
        Value::Null => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
        other => return Err(format!("len of type {}", type_name(other))),
    };
    Ok(Value::from(n as u64))
}

fn index(a: &[Value]) -> Result<Value, String> {
    let (first, keys) = a.split_first().ok_or("index of untyped nil")?;
    let mut current = first.clone();
    for key in keys {
        current = match &current {
            Value::Object(map) => map.get(&as_string(key)).cloned().unwrap_or(Value::Null),
            Value::Array(items) => {
                let i = as_int(key).ok_or("cannot index slice/array with non-integer")?;
                items
                    .get(usize::try_from(i).map_err(|_| format!("index out of range: {i}"))?)
                    .cloned()
                    .ok_or_else(|| format!("index out of range: {i}"))?
            }
            Value::String(s) => {
                let i = as_int(key).ok_or("cannot index string with non-integer")?;
                let byte = usize::try_from(i)
                    .ok()
                    .and_then(|i| s.as_bytes().get(i))
                    .ok_or_else(|| format!("index out of range: {i}"))?;
                Value::from(*byte)
            }
            Value::Null => return Err("index of untyped nil".into()),
            other => return Err(format!("can't index item of type {}", type_name(other))),
        };
    }
    Ok(current)
}

fn slice(a: &[Value]) -> Result<Value, String> {
    let (item, bounds) = a.split_first().ok_or("slice of untyped nil")?;
    let ints: Vec<usize> = bounds
        .iter()
        .map(|b| {
            as_int(b)
                .and_then(|i| usize::try_from(i).ok())
                .ok_or("invalid slice index")
        })
        .collect::<Result<_, _>>()?;
    let len = match item {
        Value::String(s) => s.len(),
        Value::Array(items) => items.len(),
        _ => return Err("can't slice item".into()),
    };
    let start = ints.first().copied().unwrap_or(0);
    let end = ints.get(1).copied().unwrap_or(len);
    if start > end || end > len {
        return Err(format!("index out of range: {end}"));
    }
    Ok(match item {
        Value::String(s) => Value::String(
            s.get(start..end)
                .ok_or("slice splits a character")?
                .to_owned(),
        ),
        Value::Array(items) => Value::Array(items[start..end].to_vec()),
        _ => Value::Null,
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Go's `fmt.Sprint`: spaces between operands when neither is a string.
pub(crate) fn sprint(a: &[Value]) -> String {
    let mut out = String::new();
    for (i, v) in a.iter().enumerate() {
        if i > 0 && !a[i - 1].is_string() && !v.is_string() {
            out.push(' ');
        }
        out.push_str(&print_nested(v));
    }
    out
}

/// Go's `fmt.Sprintln`: spaces between all operands and a newline.
fn sprintln(a: &[Value]) -> String {
    let parts: Vec<String> = a.iter().map(print_nested).collect();
    format!("{}\n", parts.join(" "))
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c.is_whitespace();
    }
    out
}

fn substr(s: &str, start: i64, end: i64) -> String {
    let len = s.len() as i64;
    let start = start.clamp(0, len) as usize;
    let end = if end < 0 || end > len {
        len as usize
    } else {
        end as usize
    };
    s.get(start..end.max(start)).unwrap_or_default().to_owned()
}

fn trunc(s: &str, n: i64) -> String {
    let len = s.len() as i64;
    let text = if n < 0 && -n < len {
        s.get((len + n) as usize..)
    } else if n >= 0 && n < len {
        s.get(..n as usize)
    } else {
        Some(s)
    };
    text.unwrap_or(s).to_owned()
}

fn indent(s: &str, n: i64) -> String {
    let pad = " ".repeat(usize::try_from(n).unwrap_or(0));
    format!("{pad}{}", s.replace('\n', &format!("\n{pad}")))
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '"' => out.push_str("&#34;"),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

fn url_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn c(name: &str, args: &[Value]) -> Value {
        call(name, args).unwrap()
    }

    #[test]
    fn strings() {
        assert_eq!(c("upper", &[json!("ab")]), json!("AB"));
        assert_eq!(c("trim", &[json!("  a ")]), json!("a"));
        assert_eq!(
            c("replace", &[json!("a"), json!("b"), json!("aa")]),
            json!("bb")
        );
        assert_eq!(c("contains", &[json!("b"), json!("abc")]), json!(true));
        assert_eq!(
            c("hasPrefix", &[json!("sha256:"), json!("sha256:x")]),
            json!(true)
        );
        assert_eq!(c("quote", &[json!("a\"b")]), json!("\"a\\\"b\""));
        assert_eq!(
            c("split", &[json!(":"), json!("a:b")]),
            json!({"_0": "a", "_1": "b"})
        );
        assert_eq!(c("join", &[json!(","), json!(["a", "b"])]), json!("a,b"));
        assert_eq!(c("trunc", &[json!(3), json!("abcdef")]), json!("abc"));
        assert_eq!(c("title", &[json!("hello world")]), json!("Hello World"));
    }

    #[test]
    fn defaults_and_lists() {
        assert_eq!(c("default", &[json!("d"), json!("")]), json!("d"));
        assert_eq!(c("default", &[json!("d"), json!("x")]), json!("x"));
        assert_eq!(c("default", &[json!("d"), Value::Null]), json!("d"));
        assert_eq!(c("first", &[json!([1, 2])]), json!(1));
        assert_eq!(c("keys", &[json!({"b": 1, "a": 2})]), json!(["a", "b"]));
        assert_eq!(c("len", &[json!("héllo")]), json!(6));
        assert!(call("len", &[Value::Null]).is_err());
        assert_eq!(
            c("index", &[json!({"a": [10, 20]}), json!("a"), json!(1.0)]),
            json!(20)
        );
        assert!(call("index", &[json!([1]), json!(5)]).is_err());
        assert_eq!(
            c("slice", &[json!("abcdef"), json!(1), json!(3)]),
            json!("bc")
        );
        assert_eq!(c("add", &[json!(1), json!(2.0)]), json!(3));
    }

    #[test]
    fn printing() {
        assert_eq!(
            c("print", &[json!("a"), json!(1), json!(2), json!("b")]),
            json!("a1 2b")
        );
        assert_eq!(c("println", &[json!("a"), json!(1)]), json!("a 1\n"));
        assert_eq!(c("urlquery", &[json!("a b&c")]), json!("a+b%26c"));
        assert_eq!(c("html", &[json!("<a>")]), json!("&lt;a&gt;"));
    }
}
