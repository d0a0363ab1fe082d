//! `-H/--header "Name: value"` flags (Go `Remote.parseCustomHeaders`).

use crate::error::{CliError, Result, quote};

/// One custom request header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Header name as typed.
    pub name: String,
    /// Header value, with surrounding whitespace removed as Go's HTTP
    /// client does when it writes the header.
    pub value: String,
}

/// Parses `Name: value` flags; a missing `:` or a blank name is an error.
pub fn parse_headers(flags: &[String]) -> Result<Vec<Header>> {
    flags
        .iter()
        .map(|flag| match flag.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => Ok(Header {
                name: name.to_owned(),
                value: value.trim().to_owned(),
            }),
            _ => Err(CliError::new(format!("invalid header: {}", quote(flag)))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headers() {
        let h = parse_headers(&["X-A: 1".to_owned(), "X-B:two: parts".to_owned()]).unwrap();
        assert_eq!(
            h[0],
            Header {
                name: "X-A".into(),
                value: "1".into()
            }
        );
        assert_eq!(h[1].value, "two: parts");
        let err = parse_headers(&["nocolon".to_owned()]).unwrap_err();
        assert_eq!(err.message, r#"invalid header: "nocolon""#);
        assert!(parse_headers(&[" : v".to_owned()]).is_err());
    }
}
