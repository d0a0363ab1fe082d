//! A distribution token server on loopback (hyper, on its own thread and
//! runtime so a test that blocks its own runtime, e.g. on a CLI
//! subprocess, cannot starve it).
//!
//! Endpoints, both at `/token` (distribution `docs/spec/auth/token.md` and
//! `oauth.md`):
//! - `GET ?service=S&scope=A&scope=B[&offline_token=true]` with optional
//!   Basic credentials. Answers `{"token", "access_token", "expires_in"}`,
//!   plus `refresh_token` when `offline_token=true` and authenticated.
//! - `POST` form `grant_type=password` (`username`, `password`) or
//!   `grant_type=refresh_token` (`refresh_token`), with `service`, `scope`
//!   (space separated) and `client_id`. Always answers a `refresh_token`.
//!
//! Authorization: the full user gets every action it asks for, the
//! read-only user only `pull`, a namespaced user every action on the
//! repositories of its namespace and nothing elsewhere, anonymous callers a token with no access
//! (the registry then answers 401 `insufficient_scope`). Wrong
//! credentials or an unknown refresh token get 401; a `service` other than
//! the registry's gets 400. Every request is recorded for tests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;

use super::error::Result;
use super::jwt::{Access, REGISTRY_LEEWAY, Signer, unix_now};
use super::server_thread::ServerThread;
use crate::fake::auth::basic_credentials;

/// Tokens live this long; `expires_in` says so.
const TOKEN_TTL: Duration = Duration::from_secs(300);

/// Largest POST body read (a token form is a few hundred bytes).
const MAX_FORM_BYTES: usize = 64 * 1024;

/// One request the token server received, as tests inspect it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// `grant_type` of a POST (`password`, `refresh_token`), `None` for GET.
    pub grant_type: Option<String>,
    /// The `service` parameter as sent.
    pub service: Option<String>,
    /// Every scope asked for, one entry per scope (split on spaces).
    pub scopes: Vec<String>,
    /// `client_id` as sent.
    pub client_id: Option<String>,
    /// The user the request authenticated as; `None` when anonymous or rejected.
    pub user: Option<String>,
    /// The HTTP status the server answered.
    pub status: u16,
}

/// A user of the token server.
#[derive(Clone)]
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) password: String,
    /// Granted only `pull`, whatever it asks for.
    pub(crate) pull_only: bool,
    /// Granted only repositories named `<namespace>/…` (every action
    /// there), nothing elsewhere: a token scoped per repository.
    pub(crate) namespace: Option<String>,
}

/// Short-lived tokens ([`TokenServer::set_token_lifetime`]).
#[derive(Clone, Copy)]
struct TokenLifetime {
    accepted_for: Duration,
    advertised: Duration,
}

/// State shared by all connections.
struct Shared {
    signer: Signer,
    service: String,
    users: Vec<User>,
    requests: Mutex<Vec<TokenRequest>>,
    /// Set by [`TokenServer::set_token_lifetime`].
    lifetime: Mutex<Option<TokenLifetime>>,
    /// refresh token → user name
    refresh_tokens: Mutex<HashMap<String, String>>,
}

/// A running token server; stops when dropped.
pub struct TokenServer {
    shared: Arc<Shared>,
    url: String,
    /// Declared last: dropped after the fields above are no longer used.
    _server: ServerThread,
}

impl std::fmt::Debug for TokenServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenServer")
            .field("url", &self.url)
            .field("service", &self.shared.service)
            .finish_non_exhaustive()
    }
}

impl TokenServer {
    /// Binds 127.0.0.1 on a free port and serves on a dedicated thread.
    pub(crate) fn start(signer: Signer, service: &str, users: Vec<User>) -> Result<TokenServer> {
        let shared = Arc::new(Shared {
            signer,
            service: service.to_string(),
            users,
            requests: Mutex::new(Vec::new()),
            lifetime: Mutex::new(None),
            refresh_tokens: Mutex::new(HashMap::new()),
        });
        let state = shared.clone();
        let service = hyper::service::service_fn(move |request| {
            let state = state.clone();
            async move { Ok::<_, std::convert::Infallible>(handle(&state, request).await) }
        });
        let server = ServerThread::start("token server", service)?;
        Ok(TokenServer {
            shared,
            url: format!("http://{}", server.addr()),
            _server: server,
        })
    }

    /// Base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The realm the registry advertises: `http://127.0.0.1:PORT/token`.
    pub fn realm(&self) -> String {
        format!("{}/token", self.url)
    }

    /// The `service` (token audience) the registry expects.
    pub fn service(&self) -> &str {
        &self.shared.service
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<TokenRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests were received so far.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// From now on, issues tokens the registry refuses `accepted_for`
    /// after issue (at whole seconds; the JWT's `exp` is set that much
    /// minus distribution's 60 s leeway in the past or future), and says
    /// `expires_in: advertised` (at least 1 s). With `advertised` equal to
    /// `accepted_for` the client is told the truth; with `advertised`
    /// longer it holds a token the registry stops accepting mid-transfer
    /// (a revoked or clock-skewed token) and must get a new one on the 401.
    pub fn set_token_lifetime(&self, accepted_for: Duration, advertised: Duration) {
        *lock(&self.shared.lifetime) = Some(TokenLifetime {
            accepted_for,
            advertised,
        });
    }

    /// Forgets the recorded requests (counts start again from zero).
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the parameters of one token request say, GET or POST alike.
#[derive(Default)]
struct Params {
    service: Option<String>,
    scopes: Vec<String>,
    client_id: Option<String>,
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
    offline: bool,
}

impl Params {
    fn parse(encoded: &[u8]) -> Params {
        let mut params = Params::default();
        for (key, value) in url::form_urlencoded::parse(encoded) {
            let value = value.into_owned();
            match key.as_ref() {
                "service" => params.service = Some(value),
                "scope" => params
                    .scopes
                    .extend(value.split_whitespace().map(str::to_string)),
                "client_id" => params.client_id = Some(value),
                "grant_type" => params.grant_type = Some(value),
                "username" => params.username = Some(value),
                "password" => params.password = Some(value),
                "refresh_token" => params.refresh_token = Some(value),
                "offline_token" => params.offline = value == "true",
                "access_type" => params.offline |= value == "offline",
                _ => {}
            }
        }
        params
    }
}

async fn handle(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = request.method().clone();
    if request.uri().path() != "/token" {
        return json(
            StatusCode::NOT_FOUND,
            serde_json::json!({"error": "not_found"}),
        );
    }
    let basic = basic_credentials(request.headers());
    let params = if method == Method::GET {
        Params::parse(request.uri().query().unwrap_or("").as_bytes())
    } else if method == Method::POST {
        match Limited::new(request.into_body(), MAX_FORM_BYTES)
            .collect()
            .await
        {
            Ok(body) => Params::parse(&body.to_bytes()),
            Err(_) => {
                return json(
                    StatusCode::BAD_REQUEST,
                    serde_json::json!({"error": "invalid_request"}),
                );
            }
        }
    } else {
        return json(
            StatusCode::METHOD_NOT_ALLOWED,
            serde_json::json!({"error": "method_not_allowed"}),
        );
    };
    let (status, user, body) = decide(shared, &method, basic, &params);
    lock(&shared.requests).push(TokenRequest {
        method: method.to_string(),
        grant_type: params.grant_type.clone(),
        service: params.service.clone(),
        scopes: params.scopes.clone(),
        client_id: params.client_id.clone(),
        user,
        status: status.as_u16(),
    });
    let mut response = json(status, body);
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Basic realm=\"oras-testkit-token\""),
        );
    }
    response
}

/// Authenticates, authorizes and signs: (status, user, JSON body).
fn decide(
    shared: &Shared,
    method: &Method,
    basic: Option<(String, String)>,
    params: &Params,
) -> (StatusCode, Option<String>, serde_json::Value) {
    if params.service.as_deref() != Some(shared.service.as_str()) {
        let message = format!("service must be {:?}", shared.service);
        return (
            StatusCode::BAD_REQUEST,
            None,
            serde_json::json!({"error": "invalid_request", "error_description": message}),
        );
    }
    let unauthorized = || {
        (
            StatusCode::UNAUTHORIZED,
            None,
            serde_json::json!({"error": "invalid_grant", "errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}),
        )
    };
    // Who is asking: None = anonymous (GET without credentials only).
    let (user, issue_refresh) = if *method == Method::GET {
        match basic {
            None => (None, false),
            Some((name, password)) => match shared.authenticate(&name, &password) {
                Some(user) => (Some(user), params.offline),
                None => return unauthorized(),
            },
        }
    } else {
        let found = match params.grant_type.as_deref() {
            Some("password") => match (&params.username, &params.password) {
                (Some(name), Some(password)) => shared.authenticate(name, password),
                _ => None,
            },
            Some("refresh_token") => params
                .refresh_token
                .as_ref()
                .and_then(|token| lock(&shared.refresh_tokens).get(token).cloned())
                .and_then(|name| shared.users.iter().find(|u| u.name == name).cloned()),
            _ => {
                return (
                    StatusCode::BAD_REQUEST,
                    None,
                    serde_json::json!({"error": "unsupported_grant_type"}),
                );
            }
        };
        match found {
            Some(user) => (Some(user), true),
            None => return unauthorized(),
        }
    };
    let access = grant(user.as_ref(), &params.scopes);
    let subject = user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
    let lifetime = *lock(&shared.lifetime);
    let (signed, expires_in) = match lifetime {
        None => (
            shared.signer.sign(&subject, &access, TOKEN_TTL),
            TOKEN_TTL.as_secs(),
        ),
        Some(l) => {
            let exp =
                (unix_now() + l.accepted_for.as_secs()).saturating_sub(REGISTRY_LEEWAY.as_secs());
            let expires_in = l.advertised.as_secs().max(1);
            (
                shared.signer.sign_expiring(&subject, &access, exp),
                expires_in,
            )
        }
    };
    let token = match signed {
        Ok(token) => token,
        Err(e) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                serde_json::json!({"error": e.to_string()}),
            );
        }
    };
    let mut body = serde_json::json!({
        "token": token,
        "access_token": token,
        "expires_in": expires_in,
        "scope": params.scopes.join(" "),
    });
    if let (Some(user), true, Ok(refresh)) = (&user, issue_refresh, shared.signer.random_id()) {
        lock(&shared.refresh_tokens).insert(refresh.clone(), user.name.clone());
        body["refresh_token"] = serde_json::Value::String(refresh);
    }
    (StatusCode::OK, user.map(|u| u.name), body)
}

impl Shared {
    fn authenticate(&self, name: &str, password: &str) -> Option<User> {
        self.users
            .iter()
            .find(|u| u.name == name && u.password == password)
            .cloned()
    }
}

/// The `access` claim for `user` asking for `scopes`.
fn grant(user: Option<&User>, scopes: &[String]) -> Vec<Access> {
    let Some(user) = user else {
        return Vec::new();
    };
    scopes
        .iter()
        .filter_map(|scope| Access::parse_scope(scope))
        .filter(|access| match &user.namespace {
            Some(namespace) => access
                .name
                .strip_prefix(namespace.as_str())
                .is_some_and(|rest| rest.starts_with('/')),
            None => true,
        })
        .map(|mut access| {
            if user.pull_only {
                access.actions.retain(|a| a == "pull");
            }
            access
        })
        .filter(|access| !access.actions.is_empty())
        .collect()
}

fn json(status: StatusCode, body: serde_json::Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, pull_only: bool) -> User {
        User {
            name: name.into(),
            password: "pw".into(),
            pull_only,
            namespace: None,
        }
    }

    #[test]
    fn grants_follow_the_user() {
        let scopes = vec![
            "repository:a:pull,push".to_string(),
            "repository:b:push".to_string(),
        ];
        let full = grant(Some(&user("u", false)), &scopes);
        assert_eq!(full.len(), 2);
        assert_eq!(full[0].actions, ["pull", "push"]);
        let reader = grant(Some(&user("r", true)), &scopes);
        assert_eq!(reader.len(), 1);
        assert_eq!(reader[0].actions, ["pull"]);
        assert!(grant(None, &scopes).is_empty());
    }

    #[test]
    fn a_namespaced_user_is_granted_its_repositories_only() {
        let team = User {
            namespace: Some("team-a".into()),
            ..user("team-a", false)
        };
        let scopes = vec![
            "repository:team-a/src:pull,push".to_string(),
            "repository:team-ab/x:pull".to_string(),
            "repository:team-b/dst:pull".to_string(),
        ];
        let granted = grant(Some(&team), &scopes);
        assert_eq!(granted.len(), 1);
        assert_eq!(granted[0].name, "team-a/src");
        assert_eq!(granted[0].actions, ["pull", "push"]);
    }

    #[test]
    fn params_split_scopes_and_read_offline_flags() {
        let p = Params::parse(b"service=s&scope=repository%3Aa%3Apull+repository%3Ab%3Apush&scope=registry:catalog:*&offline_token=true");
        assert_eq!(p.service.as_deref(), Some("s"));
        assert_eq!(
            p.scopes,
            [
                "repository:a:pull",
                "repository:b:push",
                "registry:catalog:*"
            ]
        );
        assert!(p.offline);
    }

    #[test]
    fn basic_credentials_are_decoded() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            http::HeaderValue::from_static("Basic dTpwOnc="),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("u".into(), "p:w".into()))
        );
        headers.insert(
            header::AUTHORIZATION,
            http::HeaderValue::from_static("Bearer x"),
        );
        assert_eq!(basic_credentials(&headers), None);
    }
}
