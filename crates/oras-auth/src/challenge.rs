//! `WWW-Authenticate` parsing (RFC 7235 §2.1, RFC 7230 §3.2.6).
//!
//! A header value holds one or more challenges:
//! `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, with
//! `auth-param = token BWS "=" BWS ( token / quoted-string )`. oras-go reads
//! the scheme and, for Bearer, the params of the first challenge; we parse
//! every challenge of every header value and use the first whose scheme is
//! Basic or Bearer, which gives the same answer whenever oras-go has one.

use std::collections::HashMap;

use http::HeaderMap;
use http::header::WWW_AUTHENTICATE;

/// An authentication scheme named by a challenge.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `Basic`: base64 of `username:password`.
    Basic,
    /// `Bearer`: a token from the realm's token service.
    Bearer,
    /// Any other scheme, which this client cannot answer.
    Other(String),
}

impl Scheme {
    fn parse(name: &str) -> Scheme {
        if name.eq_ignore_ascii_case("basic") {
            Scheme::Basic
        } else if name.eq_ignore_ascii_case("bearer") {
            Scheme::Bearer
        } else {
            Scheme::Other(name.to_string())
        }
    }
}

/// One parsed challenge: its scheme and its params (keys lower-cased).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme.
    pub scheme: Scheme,
    /// The `key=value` params; keys are lower-cased.
    pub params: HashMap<String, String>,
}

impl Challenge {
    /// The param `key` (lower-case), if present.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
}

/// The challenge to answer from a 401 response's headers: the first Basic
/// or Bearer challenge of the `WWW-Authenticate` values, in order.
pub fn select_challenge(headers: &HeaderMap) -> Option<Challenge> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(parse_challenges)
        .find(|c| matches!(c.scheme, Scheme::Basic | Scheme::Bearer))
}

/// Every challenge in one `WWW-Authenticate` header value. Parsing stops
/// quietly at malformed input, keeping what was read before it.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut parser = Parser { s: header, pos: 0 };
    let mut challenges = Vec::new();
    // Each round consumes at least the scheme token, so the loop is bounded
    // by the header length.
    loop {
        parser.skip_list_separators();
        let scheme = parser.token();
        if scheme.is_empty() {
            break;
        }
        let mut challenge = Challenge {
            scheme: Scheme::parse(scheme),
            params: HashMap::new(),
        };
        parser.skip_space();
        if !parser.token68() {
            parser.params(&mut challenge.params);
        }
        challenges.push(challenge);
    }
    challenges
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn skip_list_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.pos += 1;
        }
    }

    fn scan(&mut self, accept: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&accept) {
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    fn token(&mut self) -> &'a str {
        self.scan(is_tchar)
    }

    /// Consumes a token68 credential if one stands here alone (followed by
    /// the end or a comma); otherwise leaves the position unchanged.
    fn token68(&mut self) -> bool {
        let start = self.pos;
        let body = self.scan(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b));
        self.scan(|b| b == b'=');
        self.skip_space();
        if !body.is_empty() && matches!(self.peek(), None | Some(b',')) {
            return true;
        }
        self.pos = start;
        false
    }

    /// Reads `key=value` params until the next challenge or the end.
    fn params(&mut self, params: &mut HashMap<String, String>) {
        loop {
            let start = self.pos;
            let key = self.token();
            self.skip_space();
            if key.is_empty() || self.peek() != Some(b'=') {
                // Not a param: the scheme of the next challenge (or junk).
                self.pos = start;
                return;
            }
            self.pos += 1;
            self.skip_space();
            let value = if self.peek() == Some(b'"') {
                match self.quoted_string() {
                    Some(value) => value,
                    None => return,
                }
            } else {
                let value = self.token();
                if value.is_empty() {
                    return;
                }
                value.to_string()
            };
            params.insert(key.to_ascii_lowercase(), value);
            self.skip_space();
            if self.peek() != Some(b',') {
                return;
            }
            self.skip_list_separators();
        }
    }

    /// A quoted-string with `\` escapes; `None` if unterminated.
    fn quoted_string(&mut self) -> Option<String> {
        let bytes = self.s.as_bytes();
        let mut out = Vec::new();
        let mut i = self.pos + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    self.pos = i + 1;
                    return String::from_utf8(out).ok();
                }
                b'\\' if i + 1 < bytes.len() => {
                    out.push(bytes[i + 1]);
                    i += 2;
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        None
    }
}

/// `tchar` of RFC 7230 §3.2.6.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(header: &str) -> Challenge {
        let mut all = parse_challenges(header);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    #[test]
    fn bearer_with_quoted_params() {
        let c = one(
            r#"Bearer realm="https://auth.example.io/token",service="registry.example.io",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(c.scheme, Scheme::Bearer);
        assert_eq!(c.param("realm"), Some("https://auth.example.io/token"));
        assert_eq!(c.param("service"), Some("registry.example.io"));
        assert_eq!(c.param("scope"), Some("repository:a/b:pull,push"));
    }

    #[test]
    fn escapes_spaces_tokens_and_case() {
        let c = one(r#"bEaReR  Realm = "a\"b\\c" , service=token.value ,scope="x y""#);
        assert_eq!(c.scheme, Scheme::Bearer);
        assert_eq!(c.param("realm"), Some(r#"a"b\c"#));
        assert_eq!(c.param("service"), Some("token.value"));
        assert_eq!(c.param("scope"), Some("x y"));
    }

    #[test]
    fn basic_alone_and_with_realm() {
        assert_eq!(one("Basic").scheme, Scheme::Basic);
        let c = one(r#"Basic realm="Registry Realm""#);
        assert_eq!(c.scheme, Scheme::Basic);
        assert_eq!(c.param("realm"), Some("Registry Realm"));
    }

    #[test]
    fn several_challenges_in_one_value() {
        let all = parse_challenges(
            r#"Negotiate abc+/==, Bearer realm="https://a/t", service="s", Basic realm="r""#,
        );
        let schemes: Vec<_> = all.iter().map(|c| c.scheme.clone()).collect();
        assert_eq!(
            schemes,
            vec![
                Scheme::Other("Negotiate".into()),
                Scheme::Bearer,
                Scheme::Basic
            ]
        );
        assert_eq!(all[1].param("service"), Some("s"));
        assert_eq!(all[2].param("realm"), Some("r"));
    }

    #[test]
    fn select_picks_first_known_scheme_across_values() {
        let mut headers = HeaderMap::new();
        headers.append(WWW_AUTHENTICATE, "Negotiate".parse().unwrap());
        headers.append(WWW_AUTHENTICATE, r#"Basic realm="x""#.parse().unwrap());
        headers.append(WWW_AUTHENTICATE, r#"Bearer realm="y""#.parse().unwrap());
        assert_eq!(select_challenge(&headers).unwrap().scheme, Scheme::Basic);
        assert!(select_challenge(&HeaderMap::new()).is_none());
    }

    #[test]
    fn malformed_input_stops_without_panicking() {
        for header in [
            "",
            ",,,",
            "Bearer realm=\"unterminated",
            "Bearer realm=",
            "Bearer =x",
            "\"",
            "Bearer realm=\"ok\", \"junk",
            "Bearer realm=\"\\",
        ] {
            let _ = parse_challenges(header);
        }
        let c = one("Bearer realm=\"ok\", service=\"unterminated");
        assert_eq!(c.param("realm"), Some("ok"));
        assert_eq!(c.param("service"), None);
    }
}
