//! What the registry and its repositories share: the client stack, the
//! registry's base URL, and the request/response helpers every endpoint
//! uses (scope hints, error bodies, capped reads, same-origin URLs).

use bytes::Bytes;
use http::header::LINK;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use oras_auth::{Action, Body, Origin, Scope, Scopes};
use oras_content::ErrorKind;
use oras_spec::Reference;
use url::Url;

use crate::client::{Capped, Client, ClientConfig, ResponseBody, read_capped, registry_base_url};
use crate::errcode::{MAX_ERROR_BODY_BYTES, ResponseError};
use crate::error::Error;

/// The client and base URL of one registry.
#[derive(Clone, Debug)]
pub(crate) struct Remote {
    pub(crate) client: Client,
    /// `scheme://host[:port]/`.
    pub(crate) base: Url,
}

impl Remote {
    /// The client of the registry `name` (`host[:port]`, as in a
    /// reference) built from `config`: https, or plain http for
    /// `localhost[:port]` unless the config says which.
    pub(crate) fn connect(name: &str, config: &ClientConfig) -> Result<Remote, Error> {
        let base = registry_base_url(name, config)?;
        let client = Client::new(&base, config)?;
        Ok(Remote { client, base })
    }

    /// The registry `name` reached through `client`, which must have been
    /// built for it: a client holds the registry's origin (for its
    /// credentials, headers and client certificate), so it serves no
    /// other registry.
    pub(crate) fn with_client(name: &str, client: Client) -> Result<Remote, Error> {
        let probe = Reference::new(name, "library", None).map_err(|e| Error::InvalidReference {
            reference: name.to_owned(),
            reason: e.to_string(),
        })?;
        let base = client.registry_url().clone();
        let built_for = base.host_str().map(|host| match base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        });
        if built_for.as_deref() != Some(probe.host()) {
            return Err(Error::Config(format!(
                "a client built for {base} cannot serve the registry {name:?}"
            )));
        }
        Ok(Remote { client, base })
    }
}

/// The URL without its query, for errors and logs.
pub(crate) fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

/// An answered request: the response, and what was asked.
pub(crate) struct Answer {
    pub(crate) response: Response<ResponseBody>,
    pub(crate) method: Method,
    pub(crate) url: Url,
}

impl Answer {
    pub(crate) fn status(&self) -> StatusCode {
        self.response.status()
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        self.response.headers()
    }

    /// A header as text, if present and valid.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers().get(name).and_then(|v| v.to_str().ok())
    }

    /// The declared `Content-Length`, if any.
    pub(crate) fn content_length(&self) -> Option<u64> {
        self.header("content-length")
            .and_then(|v| v.trim().parse().ok())
    }

    /// A protocol error about this answer.
    pub(crate) fn protocol(&self, kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::Protocol {
            method: self.method.clone(),
            url: display_url(&self.url),
            message: message.into(),
            kind,
        }
    }

    /// The registry's error for an unexpected status (body read up to 8 KiB).
    pub(crate) async fn into_error(mut self) -> Error {
        let body = match read_capped(self.response.body_mut(), MAX_ERROR_BODY_BYTES).await {
            Ok(Capped::Complete(b) | Capped::Truncated(b)) => b,
            Err(_) => Bytes::new(),
        };
        let status = self.status();
        ResponseError::new(self.method, display_url(&self.url), status, &body).into()
    }

    /// As [`Answer::expect`], but a 404 is [`Error::NotFound`] for `what`
    /// (oras-go answers every 404 of a manifest or blob request with
    /// `errdef.ErrNotFound`, never the registry's body).
    pub(crate) async fn expect_found(
        self,
        expected: StatusCode,
        what: impl FnOnce() -> String,
    ) -> Result<Answer, Error> {
        if self.status() == StatusCode::NOT_FOUND && expected != StatusCode::NOT_FOUND {
            return Err(Error::NotFound { what: what() });
        }
        self.expect(expected).await
    }

    /// Fails with the registry's error unless the status is `expected`.
    pub(crate) async fn expect(self, expected: StatusCode) -> Result<Answer, Error> {
        if self.status() == expected {
            Ok(self)
        } else {
            Err(self.into_error().await)
        }
    }

    /// The whole body, refusing more than `cap` bytes (a declared larger
    /// length is refused before reading).
    pub(crate) async fn read_body(&mut self, cap: u64) -> Result<Bytes, Error> {
        if let Some(length) = self.content_length()
            && length > cap
        {
            return Err(self.protocol(
                ErrorKind::SizeExceedsLimit,
                format!("response body of {length} bytes exceeds limit {cap}"),
            ));
        }
        let cap_usize = usize::try_from(cap).unwrap_or(usize::MAX);
        match read_capped(self.response.body_mut(), cap_usize).await {
            Ok(Capped::Complete(bytes)) => Ok(bytes),
            Ok(Capped::Truncated(_)) => Err(self.protocol(
                ErrorKind::SizeExceedsLimit,
                format!("response body exceeds limit {cap}"),
            )),
            Err(source) => Err(Error::Transport {
                method: self.method.clone(),
                url: display_url(&self.url),
                source,
            }),
        }
    }

    /// The same-origin `Link: <…>; rel="next"` URL, if any
    /// (GHSA-h7vf-4x9w-h99v: a link to another origin is refused).
    pub(crate) fn next_link(&self) -> Result<Option<Url>, Error> {
        let Some(value) = self.headers().get(LINK).and_then(|v| v.to_str().ok()) else {
            return Ok(None);
        };
        let Some(target) = parse_next_link(value) else {
            return Ok(None);
        };
        let next = self.url.join(target).map_err(|_| Error::RefusedUrl {
            what: "Link",
            url: target.to_owned(),
            reason: "not a valid URL",
        })?;
        if !Origin::same_url(&next, &self.url) {
            return Err(Error::RefusedUrl {
                what: "Link",
                url: display_url(&next),
                reason: "pagination link to another origin",
            });
        }
        Ok(Some(next))
    }
}

/// The target of the `rel="next"` entry of a `Link` header.
pub(crate) fn parse_next_link(value: &str) -> Option<&str> {
    value.split(',').find_map(|entry| {
        let entry = entry.trim();
        let (target, params) = entry.strip_prefix('<')?.split_once('>')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p.strip_prefix("rel=")
                .map(|v| v.trim_matches('"').split_whitespace().any(|r| r == "next"))
                .unwrap_or(false)
        });
        is_next.then_some(target)
    })
}

/// Scope hints for `repository:<name>:<actions>`.
pub(crate) fn repository_scopes(name: &str, actions: &[Action]) -> Scopes {
    Scopes(vec![Scope::repository(name, actions)])
}

impl Remote {
    /// `base` joined with `path` (which starts with `/v2/`).
    pub(crate) fn url(&self, path: &str) -> Result<Url, Error> {
        self.base
            .join(path)
            .map_err(|e| Error::Config(format!("building URL for {path}: {e}")))
    }

    /// Sends a request with `headers`, `body` and scope hints.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: HeaderMap,
        body: Body,
        scopes: &Scopes,
    ) -> Result<Answer, Error> {
        let uri: http::Uri = url.as_str().parse().map_err(|_| Error::RefusedUrl {
            what: "request URL",
            url: display_url(url),
            reason: "not a valid URI",
        })?;
        let mut request = Request::new(body);
        *request.method_mut() = method.clone();
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        request.extensions_mut().insert(scopes.clone());
        match self.client.send(request).await {
            Ok(response) => Ok(Answer {
                response,
                method,
                url: url.clone(),
            }),
            Err(source) => Err(Error::Transport {
                method,
                url: display_url(url),
                source,
            }),
        }
    }

    /// A request without body.
    pub(crate) async fn send_empty(
        &self,
        method: Method,
        url: &Url,
        headers: HeaderMap,
        scopes: &Scopes,
    ) -> Result<Answer, Error> {
        self.send(method, url, headers, Body::empty(), scopes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_next_links() {
        assert_eq!(
            parse_next_link(r#"</v2/a/tags/list?n=2&last=b>; rel="next""#),
            Some("/v2/a/tags/list?n=2&last=b")
        );
        assert_eq!(
            parse_next_link(r#"<https://x/prev>; rel="prev", <https://x/next>; rel=next"#),
            Some("https://x/next")
        );
        assert_eq!(parse_next_link(r#"<https://x/prev>; rel="prev""#), None);
        assert_eq!(parse_next_link("garbage"), None);
    }

    #[test]
    fn display_url_drops_query_and_credentials() {
        let u = Url::parse("https://u:p@cdn.example/x?sig=secret#f").unwrap();
        assert_eq!(display_url(&u), "https://cdn.example/x");
    }
}
