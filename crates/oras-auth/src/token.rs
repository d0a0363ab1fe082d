//! Getting a bearer token from a realm (oras-go `fetchBearerToken`).
//!
//! - an access token in the credential is used as is;
//! - no credential, or a username/password without refresh token (and
//!   OAuth2 not forced): the distribution token GET
//!   `realm?service=…&scope=…&scope=…`, with Basic auth when a credential
//!   exists; the answer is `access_token` or `token`
//!   (<https://distribution.github.io/distribution/spec/auth/token/>);
//! - otherwise the OAuth2 POST (`grant_type=refresh_token` or `password`,
//!   `service`, `client_id`, space-joined `scope`); the answer is
//!   `access_token` (<https://distribution.github.io/distribution/spec/auth/oauth/>).
//!
//! Token requests go through the service below the auth layer; responses
//! are read up to 128 KiB and no further.

use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tower::{Service, ServiceExt};

use crate::{Body, BoxError, Credential, Error, RealmRequest};

/// The most bytes read from a token service response (oras-go
/// `maxResponseBytes`): a token fits in a 16 KiB header, the response may
/// hold it twice, and 128 KiB leaves room.
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 128 * 1024;

/// How much of an error body is quoted in an error message.
const MAX_ERROR_TEXT: usize = 1024;

/// What a token request needs.
pub(crate) struct TokenRequest<'a> {
    /// The validated realm: exactly the URL requested.
    pub(crate) realm: &'a url::Url,
    pub(crate) service: Option<&'a str>,
    pub(crate) scopes: &'a [String],
    pub(crate) credential: &'a Credential,
    pub(crate) client_id: &'a str,
    pub(crate) force_attempt_oauth2: bool,
    pub(crate) host: &'a str,
    /// Put on the request for the transport's address check.
    pub(crate) guard: RealmRequest,
}

/// The token for `request`, fetched through `service` when needed.
pub(crate) async fn fetch_bearer_token<S, ResB>(
    service: S,
    request: TokenRequest<'_>,
) -> Result<String, Error>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = BoxError>,
    ResB: http_body::Body<Data = Bytes>,
    ResB::Error: Into<BoxError>,
{
    let credential = request.credential;
    if !credential.access_token.is_empty() {
        return Ok(credential.access_token.clone());
    }
    if credential.is_empty()
        || (credential.refresh_token.is_empty() && !request.force_attempt_oauth2)
    {
        distribution_token(service, &request).await
    } else {
        oauth2_token(service, &request).await
    }
}

async fn distribution_token<S, ResB>(
    service: S,
    request: &TokenRequest<'_>,
) -> Result<String, Error>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = BoxError>,
    ResB: http_body::Body<Data = Bytes>,
    ResB::Error: Into<BoxError>,
{
    let method = "GET";
    let realm = request.realm.as_str();
    let mut url = request.realm.clone();
    // As Go's `q.Set("service")` + `q.Add("scope")`: the realm's own query is
    // kept, except a `service` param, which is replaced.
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "service")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    {
        let mut query = url.query_pairs_mut();
        query.clear();
        query.extend_pairs(kept);
        if let Some(service) = request.service.filter(|s| !s.is_empty()) {
            query.append_pair("service", service);
        }
        for scope in request.scopes {
            query.append_pair("scope", scope);
        }
    }
    let mut builder = Request::get(url.as_str());
    let credential = request.credential;
    if !credential.username.is_empty() || !credential.password.is_empty() {
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", credential.username, credential.password));
        builder = builder.header(AUTHORIZATION, sensitive(&format!("Basic {basic}"))?);
    }
    let mut http_request = builder
        .body(Body::empty())
        .map_err(|e| transport(method, realm, e))?;
    http_request.extensions_mut().insert(request.guard.clone());
    let json = send(service, http_request, method, realm).await?;
    // Both fields may be present; they are then identical.
    pick_token(&json, &["access_token", "token"], method, realm)
}

async fn oauth2_token<S, ResB>(service: S, request: &TokenRequest<'_>) -> Result<String, Error>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = BoxError>,
    ResB: http_body::Body<Data = Bytes>,
    ResB::Error: Into<BoxError>,
{
    let method = "POST";
    let form = oauth2_form(request)?;
    let realm = request.realm.as_str();
    let mut http_request = Request::builder()
        .method(Method::POST)
        .uri(realm)
        .header(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        )
        .body(Body::full(form))
        .map_err(|e| transport(method, realm, e))?;
    http_request.extensions_mut().insert(request.guard.clone());
    let json = send(service, http_request, method, realm).await?;
    pick_token(&json, &["access_token"], method, realm)
}

/// The OAuth2 token form (built apart: the serializer is not `Send`).
fn oauth2_form(request: &TokenRequest<'_>) -> Result<String, Error> {
    let credential = request.credential;
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    if !credential.refresh_token.is_empty() {
        form.append_pair("grant_type", "refresh_token");
        form.append_pair("refresh_token", &credential.refresh_token);
    } else if !credential.username.is_empty() && !credential.password.is_empty() {
        form.append_pair("grant_type", "password");
        form.append_pair("username", &credential.username);
        form.append_pair("password", &credential.password);
    } else {
        return Err(Error::IncompleteBearerCredential {
            host: request.host.to_string(),
        });
    }
    form.append_pair("service", request.service.unwrap_or_default());
    form.append_pair("client_id", request.client_id);
    if !request.scopes.is_empty() {
        form.append_pair("scope", &request.scopes.join(" "));
    }
    Ok(form.finish())
}

fn sensitive(value: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(value).map_err(|_| Error::InvalidHeaderValue {
        what: "the Basic credential",
    })?;
    value.set_sensitive(true);
    Ok(value)
}

fn transport(method: &'static str, realm: &str, source: impl Into<BoxError>) -> Error {
    Error::TokenTransport {
        method,
        realm: realm.to_string(),
        source: Arc::new(source.into()),
    }
}

/// Sends the token request and returns the parsed JSON of a 200 answer.
async fn send<S, ResB>(
    service: S,
    request: Request<Body>,
    method: &'static str,
    realm: &str,
) -> Result<serde_json::Value, Error>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = BoxError>,
    ResB: http_body::Body<Data = Bytes>,
    ResB::Error: Into<BoxError>,
{
    let response = service
        .oneshot(request)
        .await
        .map_err(|e| transport(method, realm, e))?;
    let status = response.status();
    let body = read_capped(response.into_body()).await;
    if status != StatusCode::OK {
        let text = match body {
            Ok(bytes) => error_text(&bytes),
            Err(_) => "<unreadable or oversized body>".to_string(),
        };
        return Err(Error::TokenStatus {
            method,
            realm: realm.to_string(),
            status,
            body: text,
        });
    }
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(ReadError::TooLarge) => {
            return Err(Error::TokenTooLarge {
                method,
                realm: realm.to_string(),
                limit: MAX_TOKEN_RESPONSE_BYTES,
            });
        }
        Err(ReadError::Transport(e)) => return Err(transport(method, realm, e)),
    };
    serde_json::from_slice(&bytes).map_err(|e| Error::TokenResponse {
        method,
        realm: realm.to_string(),
        detail: format!("failed to decode response: {e}"),
    })
}

fn pick_token(
    json: &serde_json::Value,
    fields: &[&str],
    method: &'static str,
    realm: &str,
) -> Result<String, Error> {
    fields
        .iter()
        .filter_map(|field| json.get(field).and_then(|v| v.as_str()))
        .find(|token| !token.is_empty())
        .map(str::to_string)
        .ok_or_else(|| Error::TokenResponse {
            method,
            realm: realm.to_string(),
            detail: "empty token returned".to_string(),
        })
}

enum ReadError {
    TooLarge,
    Transport(BoxError),
}

async fn read_capped<B>(body: B) -> Result<Bytes, ReadError>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    match Limited::new(body, MAX_TOKEN_RESPONSE_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(ReadError::TooLarge),
        Err(e) => Err(ReadError::Transport(e)),
    }
}

/// The start of an error body as one line of text.
fn error_text(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(MAX_ERROR_TEXT)];
    let mut text: String = String::from_utf8_lossy(cut)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    text = text.trim().to_string();
    if bytes.len() > MAX_ERROR_TEXT {
        text.push('…');
    }
    if text.is_empty() {
        text = "<empty body>".to_string();
    }
    text
}
