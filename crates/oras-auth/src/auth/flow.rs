//! The challenge flow of one request (oras-go `auth.Client.Do`, v2.6.2):
//!
//! 1. A request that already carries `Authorization` is sent as is.
//! 2. If the cache knows the origin's scheme, its token is attached (for
//!    Bearer, the key is the request's cleaned [`Scopes`] hints). A bearer
//!    token close to expiry, or expired, is first refreshed with the
//!    origin's last challenge (not in oras-go, which waits for the 401).
//! 3. Send; anything but 401 is returned.
//! 4. A 401 from another origin (after a redirect below us) is returned.
//! 5. A cached token that earned the 401 is dropped (it expired).
//! 6. Basic: the credential is required. Bearer: hinted scopes and the
//!    challenge `scope` are merged and cleaned; a cached token for the new
//!    key is tried; then the realm is validated and a token fetched, once
//!    per (origin, scheme, key) however many requests wait for it.
//! 7. The request is re-sent with the token, its body replayed; a one-shot
//!    body cannot be replayed, so the 401 is returned instead (the token
//!    stays cached for the caller's next attempt).

use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use http::header::AUTHORIZATION;
use http::request::Parts;
use http::{HeaderValue, Request, Response, StatusCode};
use tower::{Service, ServiceExt};

use super::layer::Config;
use super::{ResponseUri, WithCredential};
use crate::cache::Lookup;
use crate::challenge::{Challenge, Scheme, select_challenge};
use crate::origin::Origin;
use crate::realm::validate_realm;
use crate::token::{Issued, TokenRequest, fetch_bearer_token};
use crate::{Body, BoxError, Credential, Error, RealmRequest, Scopes, clean_scopes};

/// A token that was attached to an attempt.
struct Attempt {
    scheme: Scheme,
    key: String,
    token: String,
}

pub(super) async fn run<S, ResB>(
    service: S,
    config: Arc<Config>,
    request: Request<Body>,
) -> Result<Response<ResB>, BoxError>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send,
    ResB: http_body::Body<Data = Bytes> + Send + 'static,
    ResB::Error: Into<BoxError>,
{
    if request.headers().contains_key(AUTHORIZATION) {
        return service.oneshot(request).await;
    }
    let config = config_for(&request, config);
    // A request without an absolute http(s) URI has no origin to hold
    // credentials for; it goes out unauthenticated.
    let Ok(origin) = Origin::of(request.uri()) else {
        return service.oneshot(request).await;
    };
    let hints = clean_scopes(
        request
            .extensions()
            .get::<Scopes>()
            .map(|s| s.0.as_slice())
            .unwrap_or_default(),
    );
    let (parts, body) = request.into_parts();
    let template = Template::of(&parts);
    let replay = body.try_clone();
    let cache = &config.cache;

    // 2. Attach a cached token.
    let (attempt, attempted_bearer_key) =
        cached_attempt(service.clone(), &config, &origin, &hints).await;
    let mut first = Request::from_parts(parts, body);
    if let Some(attempt) = &attempt {
        let value = authorization(&attempt.scheme, &attempt.token)?;
        first.headers_mut().insert(AUTHORIZATION, value);
    }

    // 3. Send.
    let response = service.clone().oneshot(first).await?;
    if response.status() != StatusCode::UNAUTHORIZED {
        return Ok(response);
    }
    // 4. A foreign 401 is not ours to answer.
    if let Some(ResponseUri(uri)) = response.extensions().get::<ResponseUri>()
        && Origin::of(uri).ok().as_ref() != Some(&origin)
    {
        return Ok(response);
    }
    let Some(challenge) = select_challenge(response.headers()) else {
        return Ok(response);
    };
    tracing::debug!(origin = %origin, scheme = ?challenge.scheme, "auth: answering a 401 challenge");
    // 5. The token we sent is no good any more.
    if let Some(attempt) = &attempt {
        cache.remove(&origin, &attempt.scheme, &attempt.key, &attempt.token);
    }

    let (scheme, token) = match challenge.scheme {
        Scheme::Basic => {
            let token = cache
                .fetch(&origin, &Scheme::Basic, "", || {
                    basic_token(&config, &origin)
                })
                .await?;
            (Scheme::Basic, token)
        }
        Scheme::Bearer => {
            let mut scopes = hints.clone();
            if let Some(scope) = challenge.param("scope").filter(|s| !s.is_empty()) {
                scopes.extend(scope.split(' ').map(str::to_string));
                scopes = clean_scopes(&scopes);
            }
            let key = scopes.join(" ");
            // 6a. The key changed: another request may have a token for it.
            if attempted_bearer_key.as_deref() != Some(key.as_str())
                && let Some(token) = cache.token(&origin, &Scheme::Bearer, &key)
            {
                let Some(body) = replay.as_ref().and_then(Body::try_clone) else {
                    return Ok(response);
                };
                let retry = template.request(authorization(&Scheme::Bearer, &token)?, body);
                let retried = service.clone().oneshot(retry).await?;
                if retried.status() != StatusCode::UNAUTHORIZED {
                    return Ok(retried);
                }
                cache.remove(&origin, &Scheme::Bearer, &key, &token);
            }
            // 6b. Fetch a token from the validated realm.
            let realm = challenge
                .param("realm")
                .filter(|r| !r.is_empty())
                .ok_or_else(|| Error::MissingRealm {
                    host: origin.host_port().to_string(),
                })?;
            // The URL checked is the URL requested (one parse).
            let realm_url = validate_realm(realm, &origin, &config.realm_policy)?;
            tracing::debug!(origin = %origin, realm, scopes = %key, "auth: bearer token needed");
            let token_service = service.clone();
            let token = cache
                .fetch(&origin, &Scheme::Bearer, &key, || {
                    bearer_token(
                        token_service,
                        &config,
                        &origin,
                        &challenge,
                        &realm_url,
                        &scopes,
                    )
                })
                .await?;
            cache.remember_challenge(&origin, &challenge);
            (Scheme::Bearer, token)
        }
        Scheme::Other(_) => return Ok(response),
    };

    // 7. Re-send with the token.
    let Some(body) = replay else {
        return Ok(response);
    };
    drop(response);
    let retry = template.request(authorization(&scheme, &token)?, body);
    service.oneshot(retry).await
}

/// The configuration for `request`: with a [`WithCredential`] extension,
/// that credential alone and a token cache of its own; otherwise `config`.
fn config_for(request: &Request<Body>, config: Arc<Config>) -> Arc<Config> {
    match request.extensions().get::<WithCredential>() {
        Some(WithCredential(credential)) => Arc::new(Config {
            provider: Arc::new(Only(credential.clone())),
            cache: crate::TokenCache::new(),
            client_id: config.client_id.clone(),
            force_attempt_oauth2: config.force_attempt_oauth2,
            realm_policy: config.realm_policy.clone(),
        }),
        None => config,
    }
}

/// Step 2: the cached token to attach for the origin's known scheme (a
/// bearer token close to expiry refreshed first), and the bearer key that
/// was looked up, if any.
async fn cached_attempt<S, ResB>(
    service: S,
    config: &Config,
    origin: &Origin,
    hints: &[String],
) -> (Option<Attempt>, Option<String>)
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = BoxError>,
    ResB: http_body::Body<Data = Bytes>,
    ResB::Error: Into<BoxError>,
{
    let cache = &config.cache;
    match cache.scheme(origin) {
        Some(Scheme::Basic) => {
            let attempt = cache
                .token(origin, &Scheme::Basic, "")
                .map(|token| Attempt {
                    scheme: Scheme::Basic,
                    key: String::new(),
                    token,
                });
            (attempt, None)
        }
        Some(Scheme::Bearer) => {
            let key = hints.join(" ");
            let token = match cache.lookup(origin, &Scheme::Bearer, &key) {
                Lookup::Fresh(token) => Some(token),
                Lookup::Stale(token) => refresh(service, config, origin, &key, hints)
                    .await
                    .or(Some(token)),
                Lookup::Expired => refresh(service, config, origin, &key, hints).await,
                Lookup::Missing => None,
            };
            let attempt = token.map(|token| Attempt {
                scheme: Scheme::Bearer,
                key: key.clone(),
                token,
            });
            (attempt, Some(key))
        }
        _ => (None, None),
    }
}

/// A new bearer token for `key` from the origin's last challenge, before
/// the request goes out; `None` when there is no challenge to use or the
/// refresh failed (the request then goes on as before, and a 401 starts
/// the challenge flow).
async fn refresh<S, ResB>(
    service: S,
    config: &Config,
    origin: &Origin,
    key: &str,
    scopes: &[String],
) -> Option<String>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = BoxError>,
    ResB: http_body::Body<Data = Bytes>,
    ResB::Error: Into<BoxError>,
{
    let challenge = config.cache.challenge(origin)?;
    let realm = challenge.param("realm").filter(|r| !r.is_empty())?;
    let realm_url = validate_realm(realm, origin, &config.realm_policy).ok()?;
    tracing::debug!(origin = %origin, scopes = %key, "auth: refreshing a bearer token before it expires");
    let fetched = config
        .cache
        .fetch(origin, &Scheme::Bearer, key, || {
            bearer_token(service, config, origin, &challenge, &realm_url, scopes)
        })
        .await;
    match fetched {
        Ok(token) => Some(token),
        Err(e) => {
            tracing::debug!(origin = %origin, error = %e, "auth: token refresh failed");
            None
        }
    }
}

async fn basic_token(config: &Config, origin: &Origin) -> Result<Issued, Error> {
    let host = origin.host_port().to_string();
    let credential = resolve(config, origin).await?;
    if credential.is_empty() {
        return Err(Error::BasicCredentialNotFound { host });
    }
    if credential.username.is_empty() || credential.password.is_empty() {
        return Err(Error::IncompleteBasicCredential { host });
    }
    let pair = format!("{}:{}", credential.username, credential.password);
    Ok(Issued::forever(
        base64::engine::general_purpose::STANDARD.encode(pair),
    ))
}

async fn bearer_token<S, ResB>(
    service: S,
    config: &Config,
    origin: &Origin,
    challenge: &Challenge,
    realm: &url::Url,
    scopes: &[String],
) -> Result<Issued, Error>
where
    S: Service<Request<Body>, Response = Response<ResB>, Error = BoxError>,
    ResB: http_body::Body<Data = Bytes>,
    ResB::Error: Into<BoxError>,
{
    let credential = resolve(config, origin).await?;
    let request = TokenRequest {
        realm,
        service: challenge.param("service"),
        scopes,
        credential: &credential,
        client_id: &config.client_id,
        force_attempt_oauth2: config.force_attempt_oauth2,
        host: origin.host_port(),
        guard: RealmRequest {
            registry_host: origin.host().to_string(),
            policy: config.realm_policy.clone(),
        },
    };
    fetch_bearer_token(service, request).await
}

async fn resolve(config: &Config, origin: &Origin) -> Result<Credential, Error> {
    config
        .provider
        .credential(origin.host_port())
        .await
        .map_err(|source| Error::Credential {
            host: origin.host_port().to_string(),
            source: Arc::new(source),
        })
}

fn authorization(scheme: &Scheme, token: &str) -> Result<HeaderValue, Error> {
    let name = match scheme {
        Scheme::Basic => "Basic",
        _ => "Bearer",
    };
    let mut value = HeaderValue::from_str(&format!("{name} {token}"))
        .map_err(|_| Error::InvalidHeaderValue { what: "the token" })?;
    value.set_sensitive(true);
    Ok(value)
}

/// What is needed to rebuild the request for a re-send.
struct Template {
    method: http::Method,
    uri: http::Uri,
    version: http::Version,
    headers: http::HeaderMap,
    extensions: http::Extensions,
}

impl Template {
    fn of(parts: &Parts) -> Self {
        Template {
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            version: parts.version,
            headers: parts.headers.clone(),
            extensions: parts.extensions.clone(),
        }
    }

    fn request(&self, authorization: HeaderValue, body: Body) -> Request<Body> {
        let mut request = Request::new(body);
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.version_mut() = self.version;
        *request.headers_mut() = self.headers.clone();
        *request.extensions_mut() = self.extensions.clone();
        request.headers_mut().insert(AUTHORIZATION, authorization);
        request
    }
}

/// The credential of a [`WithCredential`] request, for its origin.
struct Only(Credential);

#[async_trait::async_trait]
impl crate::CredentialProvider for Only {
    async fn credential(&self, _host: &str) -> Result<Credential, BoxError> {
        Ok(self.0.clone())
    }
}
