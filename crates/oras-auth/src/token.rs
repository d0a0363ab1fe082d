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
//!
//! A token's lifetime is read from the answer (distribution token spec):
//! `expires_in` seconds (60 when absent), counted from `issued_at` (an
//! RFC 3339 time) when given, else from the answer's arrival. The cache
//! refreshes a token before that. An access token from the credential has
//! no known lifetime.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// The lifetime of a token whose answer gives none (distribution token
/// spec: `expires_in` defaults to 60 seconds).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(60);

/// A token and how long it stays valid from now (`None`: unknown).
#[derive(Clone, Debug)]
pub(crate) struct Issued {
    pub(crate) token: String,
    pub(crate) valid_for: Option<Duration>,
}

impl Issued {
    /// A token of unknown lifetime (a Basic credential, an access token).
    pub(crate) fn forever(token: impl Into<String>) -> Issued {
        Issued {
            token: token.into(),
            valid_for: None,
        }
    }
}

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
) -> Result<Issued, Error>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = BoxError>,
    ResB: http_body::Body<Data = Bytes>,
    ResB::Error: Into<BoxError>,
{
    let credential = request.credential;
    if !credential.access_token.is_empty() {
        return Ok(Issued::forever(credential.access_token.clone()));
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
) -> Result<Issued, Error>
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
    issued(&json, &["access_token", "token"], method, realm)
}

async fn oauth2_token<S, ResB>(service: S, request: &TokenRequest<'_>) -> Result<Issued, Error>
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
    issued(&json, &["access_token"], method, realm)
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

/// The token of an answer and its lifetime from now.
fn issued(
    json: &serde_json::Value,
    fields: &[&str],
    method: &'static str,
    realm: &str,
) -> Result<Issued, Error> {
    let token = pick_token(json, fields, method, realm)?;
    Ok(Issued {
        token,
        valid_for: Some(valid_for(json, SystemTime::now())),
    })
}

/// How long a token stays valid after `now`: `expires_in` (60 seconds
/// when absent or not a positive number) from `issued_at` when that is a
/// valid RFC 3339 time, else from `now`.
fn valid_for(json: &serde_json::Value, now: SystemTime) -> Duration {
    let lifetime = json
        .get("expires_in")
        .and_then(serde_json::Value::as_u64)
        .filter(|s| *s > 0)
        .map_or(DEFAULT_LIFETIME, Duration::from_secs);
    let issued_at = json
        .get("issued_at")
        .and_then(serde_json::Value::as_str)
        .and_then(rfc3339_seconds);
    let Some(issued_at) = issued_at else {
        return lifetime;
    };
    let now = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i128::from(d.as_secs()));
    let left = i128::from(issued_at) + i128::from(lifetime.as_secs()) - now;
    // A clock skew must not stretch a token past its own lifetime.
    Duration::from_secs(u64::try_from(left.max(0)).unwrap_or(0)).min(lifetime)
}

/// Seconds since the Unix epoch of an RFC 3339 time
/// (`2006-01-02T15:04:05[.frac](Z|±hh:mm)`); `None` when malformed.
fn rfc3339_seconds(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| num_in(text, range);
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let zone = rest.get(1..)?;
            if zone.len() != 5 || zone.as_bytes()[2] != b':' {
                return None;
            }
            let (h, m) = (num_in(zone, 0..2)?, num_in(zone, 3..5)?);
            sign * (h * 3600 + m * 60)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// The digits of `text[range]` as a number.
fn num_in(text: &str, range: std::ops::Range<usize>) -> Option<i64> {
    let part = text.get(range)?;
    if part.bytes().all(|c| c.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2009-11-10T23:00:00Z"), Some(1_257_894_000));
        assert_eq!(
            rfc3339_seconds("2009-11-10T23:00:00.123+01:00"),
            Some(1_257_890_400)
        );
        assert_eq!(
            rfc3339_seconds("2000-02-29T12:00:00-00:30"),
            Some(951_827_400)
        );
        for bad in [
            "",
            "2009-11-10",
            "2009-13-10T23:00:00Z",
            "2009-11-10T23:00:00",
            "x009-11-10T23:00:00Z",
            "2009-11-10T23:00:00.Z",
        ] {
            assert_eq!(rfc3339_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn lifetimes_follow_the_token_spec() {
        let now = UNIX_EPOCH + Duration::from_secs(1_257_894_000 + 100);
        let json = |v: serde_json::Value| valid_for(&v, now);
        assert_eq!(json(serde_json::json!({})), Duration::from_secs(60));
        assert_eq!(
            json(serde_json::json!({"expires_in": 300})),
            Duration::from_secs(300)
        );
        assert_eq!(
            json(serde_json::json!({"expires_in": 0})),
            Duration::from_secs(60)
        );
        assert_eq!(
            json(serde_json::json!({"expires_in": 300, "issued_at": "2009-11-10T23:00:00Z"})),
            Duration::from_secs(200)
        );
        assert_eq!(
            json(serde_json::json!({"expires_in": 60, "issued_at": "2009-11-10T23:00:00Z"})),
            Duration::ZERO
        );
        // Issued "in the future" (clock skew): never longer than the lifetime.
        assert_eq!(
            json(serde_json::json!({"expires_in": 60, "issued_at": "2009-11-10T23:10:00Z"})),
            Duration::from_secs(60)
        );
        assert_eq!(
            json(serde_json::json!({"expires_in": 300, "issued_at": "garbage"})),
            Duration::from_secs(300)
        );
    }
}
