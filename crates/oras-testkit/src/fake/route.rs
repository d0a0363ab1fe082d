//! Request routing: the spec's URL shapes (checklist end-1 … end-14) and
//! query-string handling.
//!
//! `<name>` may hold slashes, so each shape is found from the right: the
//! reference, digest or upload id never contains `/`.

/// Which endpoint a path names (methods are checked by the handlers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// `/v2/` (end-1).
    Base,
    /// `/v2/_catalog`.
    Catalog,
    /// `/token`, the built-in token endpoint of Bearer auth.
    Token,
    /// `/v2/<name>/tags/list` (end-8).
    Tags { name: String },
    /// `/v2/<name>/manifests/<reference>` (end-3, end-7, end-9).
    Manifest { name: String, reference: String },
    /// `/v2/<name>/blobs/<digest>` (end-2, end-10).
    Blob { name: String, digest: String },
    /// `/v2/<name>/blobs/uploads/` (end-4, end-11).
    UploadStart { name: String },
    /// `/v2/<name>/blobs/uploads/<id>` (end-5, end-6, end-13, end-14).
    Upload { name: String, id: String },
    /// `/v2/<name>/referrers/<digest>` (end-12).
    Referrers { name: String, digest: String },
    /// Anything else.
    Unknown,
}

impl Route {
    /// Routes a request path (without query).
    pub(crate) fn parse(path: &str) -> Route {
        if path == "/v2" || path == "/v2/" {
            return Route::Base;
        }
        if path == "/token" {
            return Route::Token;
        }
        let Some(rest) = path.strip_prefix("/v2/") else {
            return Route::Unknown;
        };
        if rest == "_catalog" {
            return Route::Catalog;
        }
        if let Some(name) = rest.strip_suffix("/tags/list") {
            return Route::Tags { name: name.into() };
        }
        if let Some(name) = rest
            .strip_suffix("/blobs/uploads/")
            .or_else(|| rest.strip_suffix("/blobs/uploads"))
        {
            return Route::UploadStart { name: name.into() };
        }
        if let Some((name, id)) = split_last(rest, "/blobs/uploads/") {
            return Route::Upload { name, id };
        }
        if let Some((name, reference)) = split_last(rest, "/manifests/") {
            return Route::Manifest { name, reference };
        }
        if let Some((name, digest)) = split_last(rest, "/referrers/") {
            return Route::Referrers { name, digest };
        }
        if let Some((name, digest)) = split_last(rest, "/blobs/") {
            return Route::Blob { name, digest };
        }
        Route::Unknown
    }

    /// The repository a route is about, if any.
    pub(crate) fn name(&self) -> Option<&str> {
        match self {
            Route::Tags { name }
            | Route::Manifest { name, .. }
            | Route::Blob { name, .. }
            | Route::UploadStart { name }
            | Route::Upload { name, .. }
            | Route::Referrers { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// Splits `rest` at the last `marker` into a non-empty name and a
/// non-empty, slash-free last segment.
fn split_last(rest: &str, marker: &str) -> Option<(String, String)> {
    let at = rest.rfind(marker)?;
    let (name, tail) = (&rest[..at], &rest[at + marker.len()..]);
    (!name.is_empty() && !tail.is_empty() && !tail.contains('/'))
        .then(|| (name.to_owned(), tail.to_owned()))
}

/// A decoded query string (`application/x-www-form-urlencoded`, as Go's
/// `url.ParseQuery`: `+` is a space).
#[derive(Clone, Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=2`; pairs without `=` get an empty value.
    pub(crate) fn parse(query: Option<&str>) -> Query {
        let pairs = query
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(key), decode(value))
            })
            .collect();
        Query(pairs)
    }

    /// The first value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub(crate) fn get_all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Percent-decodes a query component (`+` as space); invalid escapes are
/// kept as written.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query value (everything but RFC 3986 unreserved).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let cases = [
            ("/v2/", Route::Base),
            ("/v2/_catalog", Route::Catalog),
            ("/v2/a/b/tags/list", Route::Tags { name: "a/b".into() }),
            (
                "/v2/a/blobs/uploads/",
                Route::UploadStart { name: "a".into() },
            ),
            (
                "/v2/a/blobs/uploads/xyz",
                Route::Upload {
                    name: "a".into(),
                    id: "xyz".into(),
                },
            ),
            (
                "/v2/a/b/manifests/v1",
                Route::Manifest {
                    name: "a/b".into(),
                    reference: "v1".into(),
                },
            ),
            (
                "/v2/a/blobs/sha256:00",
                Route::Blob {
                    name: "a".into(),
                    digest: "sha256:00".into(),
                },
            ),
            (
                "/v2/a/referrers/sha256:00",
                Route::Referrers {
                    name: "a".into(),
                    digest: "sha256:00".into(),
                },
            ),
            ("/v2/a/manifests/", Route::Unknown),
            ("/other", Route::Unknown),
        ];
        for (path, route) in cases {
            assert_eq!(Route::parse(path), route, "{path}");
        }
    }

    #[test]
    fn queries() {
        let q = Query::parse(Some("scope=a%3Ab&scope=c+d&n=2&flag"));
        assert_eq!(q.get_all("scope"), ["a:b", "c d"]);
        assert_eq!(q.get("n"), Some("2"));
        assert_eq!(q.get("flag"), Some(""));
        assert_eq!(Query::parse(Some("x=%zz%4")).get("x"), Some("%zz%4"));
        assert_eq!(
            encode("application/vnd.a+json"),
            "application%2Fvnd.a%2Bjson"
        );
    }
}
