//! Go's `fmt.Sprintf` for template values: the verbs `%v %s %q %d %f %e
//! %g %x %X %t %c %%` with flags `-`, `+`, `0`, space, width and precision.

use serde_json::Value;

use super::value::{as_int, go_float, print_nested};

/// Formats `args` by `format`, as Go's `fmt.Sprintf`.
pub(crate) fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.get(i) {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '0' => spec.zero = true,
                ' ' => spec.space = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            i += 1;
        }
        spec.width = digits(&chars, &mut i);
        if chars.get(i) == Some(&'.') {
            i += 1;
            spec.precision = Some(digits(&chars, &mut i).unwrap_or(0));
        }
        let Some(&verb) = chars.get(i) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        i += 1;
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.next() {
            Some(arg) => {
                out.push_str(&spec.pad(format_one(verb, &spec, arg), is_numeric(verb, arg)))
            }
            None => out.push_str(&format!("%!{verb}(MISSING)")),
        }
    }
    let extra: Vec<String> = args
        .map(|a| format!("{}={}", go_type(a), print_nested(a)))
        .collect();
    if !extra.is_empty() {
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

impl Spec {
    fn pad(&self, text: String, numeric: bool) -> String {
        let Some(width) = self.width else {
            return text;
        };
        let len = text.chars().count();
        if len >= width {
            return text;
        }
        let fill = width - len;
        if self.minus {
            format!("{text}{}", " ".repeat(fill))
        } else if self.zero && numeric {
            match text.strip_prefix('-') {
                Some(rest) => format!("-{}{rest}", "0".repeat(fill)),
                None => format!("{}{text}", "0".repeat(fill)),
            }
        } else if self.zero {
            // Go's padString pads with zeros too under `0` (`%08s`).
            format!("{}{text}", "0".repeat(fill))
        } else {
            format!("{}{text}", " ".repeat(fill))
        }
    }
}

/// A width or precision, as Go's `fmt` `parsenum`: a number past 1e6
/// (checked before each further digit) is "crazy long": no number, and the
/// rest of the format is consumed (so `%!(NOVERB)` follows). Without the
/// bound a width such as `%2222222222d` would ask for gigabytes of padding.
fn digits(chars: &[char], i: &mut usize) -> Option<usize> {
    const TOO_LARGE: usize = 1_000_000;
    let mut num: Option<usize> = None;
    while let Some(digit) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        let so_far = num.unwrap_or(0);
        if so_far > TOO_LARGE {
            *i = chars.len();
            return None;
        }
        num = Some(so_far * 10 + digit as usize);
        *i += 1;
    }
    num
}

fn is_numeric(verb: char, arg: &Value) -> bool {
    arg.is_number() && matches!(verb, 'd' | 'f' | 'F' | 'e' | 'g' | 'x' | 'X' | 'v')
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn bad(verb: char, arg: &Value) -> String {
    format!("%!{verb}({}={})", go_type(arg), print_nested(arg))
}

fn format_one(verb: char, spec: &Spec, arg: &Value) -> String {
    let signed = |text: String| {
        if !text.starts_with('-') && spec.plus {
            format!("+{text}")
        } else if !text.starts_with('-') && spec.space {
            format!(" {text}")
        } else {
            text
        }
    };
    match verb {
        'v' => match arg {
            Value::Number(_) => signed(print_nested(arg)),
            _ => print_nested(arg),
        },
        's' => {
            let text = match arg {
                Value::String(s) => s.clone(),
                other => print_nested(other),
            };
            match spec.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            }
        }
        'q' => match arg {
            Value::String(s) if spec.sharp && !s.contains('`') => format!("`{s}`"),
            Value::String(s) => crate::error::quote(s),
            other => match as_int(other)
                .and_then(|i| u32::try_from(i).ok())
                .and_then(char::from_u32)
            {
                Some(c) => format!("'{c}'"),
                None => bad(verb, other),
            },
        },
        'd' => match as_int(arg) {
            Some(i) => signed(i.to_string()),
            None => bad(verb, arg),
        },
        'c' => match as_int(arg)
            .and_then(|i| u32::try_from(i).ok())
            .and_then(char::from_u32)
        {
            Some(c) => c.to_string(),
            None => bad(verb, arg),
        },
        't' => match arg {
            Value::Bool(b) => b.to_string(),
            other => bad(verb, other),
        },
        'f' | 'F' | 'e' | 'g' => match arg.as_f64() {
            Some(f) => signed(match verb {
                'e' => {
                    let text = format!("{:.*e}", spec.precision.unwrap_or(6), f);
                    go_exponent(&text)
                }
                'g' => match spec.precision {
                    None => go_float(f),
                    Some(p) => format!("{:.*}", p, f),
                },
                _ => format!("{:.*}", spec.precision.unwrap_or(6), f),
            }),
            None => bad(verb, arg),
        },
        'x' | 'X' => {
            let text = match arg {
                Value::String(s) => s.bytes().map(|b| format!("{b:02x}")).collect(),
                other => match as_int(other) {
                    Some(i) if i < 0 => format!("-{:x}", i.unsigned_abs()),
                    Some(i) => format!("{i:x}"),
                    None => return bad(verb, other),
                },
            };
            let text = if spec.sharp {
                format!("0x{text}")
            } else {
                text
            };
            if verb == 'X' {
                text.to_uppercase()
            } else {
                text
            }
        }
        other => bad(other, arg),
    }
}

/// Rust writes `1.5e3`; Go writes `1.5e+03`.
fn go_exponent(text: &str) -> String {
    match text.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn verbs() {
        assert_eq!(sprintf("%s=%d", &[json!("a"), json!(3.0)]), "a=3");
        assert_eq!(
            sprintf("%v %v", &[json!(1234567.0), json!(["x", 1])]),
            "1.234567e+06 [x 1]"
        );
        assert_eq!(sprintf("%q", &[json!("hi")]), "\"hi\"");
        assert_eq!(
            sprintf("%5d|%-5s|%05d", &[json!(42), json!("ab"), json!(-42)]),
            "   42|ab   |-0042"
        );
        assert_eq!(
            sprintf("%.2f %e", &[json!(1.23456), json!(1500.0)]),
            "1.23 1.500000e+03"
        );
        assert_eq!(
            sprintf("%x %X %t %%", &[json!(255), json!("hi"), json!(true)]),
            "ff 6869 true %"
        );
        assert_eq!(sprintf("%d", &[json!(1.5)]), "%!d(float64=1.5)");
        assert_eq!(sprintf("%s %s", &[json!("a")]), "a %!s(MISSING)");
        assert_eq!(sprintf("x", &[json!(1)]), "x%!(EXTRA int=1)");
        assert_eq!(sprintf("%.3s", &[json!("abcdef")]), "abc");
    }
}
