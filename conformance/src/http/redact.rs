//! Redaction of the HTTP dumps kept for the reports.
//!
//! The Ginkgo suite redacts its dumps with a regular expression over the
//! keys `authorization`, `token` and `state`. We do
//! the same: a header whose name contains one of those words, a query
//! parameter whose name contains one of them (`_state` of distribution's
//! upload locations) and a JSON string member whose key contains one of
//! them (`token`, `access_token`, `refresh_token` of a token response) are
//! replaced by `*****`.

/// What replaces a secret.
pub const MASK: &str = "*****";

/// Whether a header, query or JSON key names a secret.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["authorization", "token", "state", "password", "cookie"]
        .iter()
        .any(|word| key.contains(word))
}

/// A header value as the reports show it: masked when its name is
/// secret, with secret query parameters masked when it holds a URL
/// (`Location`, `Link`).
pub fn header_value(name: &str, value: &str) -> String {
    if is_secret_key(name) {
        MASK.to_owned()
    } else {
        query_params(value)
    }
}

/// `text` with the value of every secret query parameter masked
/// (`?_state=abc&x=1` → `?_state=*****&x=1`).
pub fn query_params(text: &str) -> String {
    let Some(question) = text.find('?') else {
        return text.to_owned();
    };
    let (head, query) = text.split_at(question + 1);
    // A `Link: <url>; rel="next"` value ends the URL at `>`.
    let end = query.find(['>', ' ', '"']).unwrap_or(query.len());
    let (query, tail) = query.split_at(end);
    let masked: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret_key(key) => format!("{key}={MASK}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{head}{}{tail}", masked.join("&"))
}

/// A body preview with secret JSON string members masked.
pub fn body(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut value) if has_secret(&value) => {
            mask_json(&mut value);
            value.to_string()
        }
        _ => text.to_owned(),
    }
}

fn has_secret(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(key, v)| (is_secret_key(key) && v.is_string()) || has_secret(v)),
        serde_json::Value::Array(items) => items.iter().any(has_secret),
        _ => false,
    }
}

fn mask_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret_key(key) && v.is_string() {
                    *v = serde_json::Value::String(MASK.to_owned());
                } else {
                    mask_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_headers_and_query_parameters() {
        assert_eq!(header_value("Authorization", "Bearer abc"), MASK);
        assert_eq!(header_value("X-Registry-Token", "abc"), MASK);
        assert_eq!(
            header_value(
                "Location",
                "http://h/v2/a/blobs/uploads/1?_state=xyz&digest=sha256:1"
            ),
            "http://h/v2/a/blobs/uploads/1?_state=*****&digest=sha256:1"
        );
        assert_eq!(
            header_value("Link", "</v2/a/tags/list?last=b&n=1&state=q>; rel=\"next\""),
            "</v2/a/tags/list?last=b&n=1&state=*****>; rel=\"next\""
        );
        assert_eq!(header_value("Content-Type", "text/plain"), "text/plain");
    }

    #[test]
    fn masks_tokens_in_json_bodies() {
        let masked = body(r#"{"token":"secret","expires_in":60,"nested":{"access_token":"s2"}}"#);
        assert!(
            !masked.contains("secret") && !masked.contains("s2"),
            "{masked}"
        );
        assert!(masked.contains("expires_in"));
        assert_eq!(body("not json token"), "not json token");
    }
}
