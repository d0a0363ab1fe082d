//! Authentication: Basic, and Bearer with a token endpoint on the same
//! server (distribution's token protocol for GET, OAuth2 forms for POST).
//!
//! The access a request needs follows distribution: `pull` for reads,
//! `pull,push` for uploads and manifest pushes, `delete` for deletes,
//! `registry:catalog:*` for the catalog, and any valid token for `/v2/`.
//! A missing or unknown token gets 401 with
//! `WWW-Authenticate: Bearer realm="…/token",service="…",scope="…"`; a
//! token without the needed scope gets the same challenge plus
//! `error="insufficient_scope"`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::header::AUTHORIZATION;
use http::{HeaderMap, Method, StatusCode};

use super::body::{self, Resp};
use super::config::{Auth, BearerAuth};
use super::errors::ErrorCode;
use super::exchange::{Abort, Exchange, set_header};
use super::log::{Origin, TokenRequest};
use super::route::{Query, Route};
use super::scope::Scope;

/// Largest token request body read (an OAuth2 form is tiny).
const MAX_TOKEN_FORM: usize = 64 * 1024;

/// The access a request needs.
enum Need {
    /// No auth (token endpoint, unknown paths).
    Nothing,
    /// Any valid credential (`/v2/`).
    AnyToken,
    /// These actions on `repository:<name>`.
    Repository(String, &'static [&'static str]),
    /// `registry:catalog:*`.
    Catalog,
}

impl Need {
    fn of(route: &Route, method: &Method) -> Need {
        let read = *method == Method::GET || *method == Method::HEAD;
        match route {
            Route::Token | Route::Unknown => Need::Nothing,
            Route::Base => Need::AnyToken,
            Route::Catalog => Need::Catalog,
            Route::Manifest { name, .. } | Route::Blob { name, .. }
                if *method == Method::DELETE =>
            {
                Need::Repository(name.clone(), &["delete"])
            }
            Route::Manifest { name, .. }
            | Route::Blob { name, .. }
            | Route::Tags { name }
            | Route::Referrers { name, .. }
                if read =>
            {
                Need::Repository(name.clone(), &["pull"])
            }
            other => match other.name() {
                Some(name) => Need::Repository(name.to_owned(), &["pull", "push"]),
                None => Need::AnyToken,
            },
        }
    }

    /// Whether `grants` cover this need.
    fn satisfied_by(&self, grants: &[Scope]) -> bool {
        match self {
            Need::Nothing | Need::AnyToken => true,
            Need::Catalog => grants.iter().any(|g| g.allows("registry", "catalog", "*")),
            Need::Repository(name, actions) => actions
                .iter()
                .all(|action| grants.iter().any(|g| g.allows("repository", name, action))),
        }
    }

    /// The `scope` of the challenge.
    fn challenge_scope(&self) -> Option<String> {
        match self {
            Need::Nothing | Need::AnyToken => None,
            Need::Catalog => Some("registry:catalog:*".to_owned()),
            Need::Repository(name, actions) => {
                Some(format!("repository:{name}:{}", actions.join(",")))
            }
        }
    }
}

/// Checks a request to the registry origin; `Some(401)` when refused.
pub(crate) fn check(ex: &Exchange, route: &Route) -> Option<Resp> {
    let need = Need::of(route, &ex.method);
    if matches!(need, Need::Nothing) {
        return None;
    }
    match &ex.config().auth {
        Auth::None => None,
        Auth::Basic { username, password } => {
            if basic_credentials(&ex.headers).is_some_and(|(u, p)| u == *username && p == *password)
            {
                None
            } else {
                Some(unauthorized("Basic realm=\"fake-registry\"".to_owned()))
            }
        }
        Auth::Bearer(bearer) => {
            let token = bearer_token(&ex.headers);
            let grants = token.and_then(|t| ex.shared.lock().tokens.get(t).cloned());
            match grants {
                Some(grants) if need.satisfied_by(&grants) => None,
                Some(_) => Some(challenge(ex, bearer, &need, Some("insufficient_scope"))),
                None if token.is_some() => {
                    Some(challenge(ex, bearer, &need, Some("invalid_token")))
                }
                None => Some(challenge(ex, bearer, &need, None)),
            }
        }
    }
}

/// Whether the request's credentials allow pulling from `name` (a mount's
/// `from`); without Bearer auth any request that got this far may.
pub(crate) fn may_pull(ex: &Exchange, name: &str) -> bool {
    if ex.origin == Origin::Other || !matches!(ex.config().auth, Auth::Bearer(_)) {
        return true;
    }
    let need = Need::Repository(name.to_owned(), &["pull"]);
    bearer_token(&ex.headers)
        .and_then(|t| ex.shared.lock().tokens.get(t).cloned())
        .is_some_and(|grants| need.satisfied_by(&grants))
}

fn unauthorized(challenge: String) -> Resp {
    let mut resp = body::error(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
        "authentication required",
    );
    set_header(&mut resp, "www-authenticate", &challenge);
    resp
}

fn challenge(ex: &Exchange, bearer: &BearerAuth, need: &Need, error: Option<&str>) -> Resp {
    let mut text = format!(
        "Bearer realm=\"{}/token\",service=\"{}\"",
        ex.shared.base_url(Origin::Registry),
        bearer.service
    );
    if let Some(scope) = need.challenge_scope() {
        text.push_str(&format!(",scope=\"{scope}\""));
    }
    if let Some(error) = error {
        text.push_str(&format!(",error=\"{error}\""));
    }
    unauthorized(text)
}

/// `Authorization: Basic` user and password (also read by the real
/// registry's token server).
pub(crate) fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// `Authorization: Bearer` token.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The token endpoint, `GET|POST /token`.
pub(crate) async fn token(ex: &mut Exchange) -> Result<Resp, Abort> {
    let Auth::Bearer(bearer) = ex.config().auth.clone() else {
        return Ok(body::status(StatusCode::NOT_FOUND));
    };
    let is_post = ex.method == Method::POST;
    let params = if is_post {
        match ex.body.read_limited(MAX_TOKEN_FORM).await? {
            Some(form) => Query::parse(Some(&String::from_utf8_lossy(&form))),
            None => Query::default(),
        }
    } else {
        ex.query.clone()
    };
    let mut record = TokenRequest {
        method: ex.method.clone(),
        service: params.get("service").map(str::to_owned),
        scopes: params
            .get_all("scope")
            .into_iter()
            .flat_map(str::split_whitespace)
            .map(str::to_owned)
            .collect(),
        grant_type: params.get("grant_type").map(str::to_owned),
        client_id: params.get("client_id").map(str::to_owned),
        username: None,
        used_refresh_token: false,
        status: 0,
        granted: Vec::new(),
    };
    let resp = issue(ex, &bearer, &params, is_post, &mut record);
    record.status = resp.status().as_u16();
    ex.shared.lock().token_log.push(record);
    Ok(resp)
}

/// Authenticates a token request and issues the token.
fn issue(
    ex: &Exchange,
    bearer: &BearerAuth,
    params: &Query,
    is_post: bool,
    record: &mut TokenRequest,
) -> Resp {
    let bad_request =
        |detail: &str| body::error(StatusCode::BAD_REQUEST, ErrorCode::Unsupported, detail);
    if record.service.as_deref() != Some(bearer.service.as_str()) {
        return bad_request("unknown or missing service");
    }
    // Who is asking: Some(user) when authenticated, None when anonymous.
    let authenticated = if is_post {
        if record.client_id.as_deref().is_none_or(str::is_empty) {
            return bad_request("client_id required");
        }
        match record.grant_type.as_deref() {
            Some("password") => {
                let user = params.get("username").unwrap_or_default();
                record.username = Some(user.to_owned());
                if user != bearer.username
                    || params.get("password") != Some(bearer.password.as_str())
                {
                    return unauthorized_token();
                }
                true
            }
            Some("refresh_token") => {
                record.used_refresh_token = true;
                let given = params.get("refresh_token").unwrap_or_default();
                let known = bearer.refresh_token.as_deref() == Some(given)
                    || ex.shared.lock().refresh_tokens.contains(given);
                if given.is_empty() || !known {
                    return unauthorized_token();
                }
                true
            }
            _ => return bad_request("unsupported grant_type"),
        }
    } else {
        match basic_credentials(&ex.headers) {
            Some((user, password)) => {
                record.username = Some(user.clone());
                if user != bearer.username || password != bearer.password {
                    return unauthorized_token();
                }
                true
            }
            None => false,
        }
    };

    let granted: Vec<Scope> = record
        .scopes
        .iter()
        .filter_map(|s| Scope::parse(s))
        .filter_map(|mut scope| {
            if !authenticated {
                if !bearer.anonymous_pull || scope.resource_type != "repository" {
                    return None;
                }
                scope.actions.retain(|a| a == "pull" || a == "*");
                scope
                    .actions
                    .iter_mut()
                    .for_each(|a| *a = "pull".to_owned());
                scope.actions.dedup();
            }
            (!scope.actions.is_empty()).then_some(scope)
        })
        .collect();
    record.granted = granted.iter().map(Scope::to_string).collect();

    let mut state = ex.shared.lock();
    let access = format!("fake-access-{}", state.new_id());
    state.tokens.insert(access.clone(), granted);
    let offline = params.get("offline_token") == Some("true");
    let refresh = (authenticated && (is_post || offline)).then(|| {
        let refresh = match params.get("refresh_token") {
            Some(given) if record.used_refresh_token => given.to_owned(),
            _ => format!("fake-refresh-{}", state.new_id()),
        };
        state.refresh_tokens.insert(refresh.clone());
        refresh
    });
    drop(state);

    let mut answer = serde_json::json!({
        "access_token": access,
        "expires_in": bearer.expires_in,
    });
    if is_post {
        answer["scope"] = serde_json::Value::from(record.granted.join(" "));
    } else {
        answer["token"] = serde_json::Value::from(access);
    }
    if let Some(refresh) = refresh {
        answer["refresh_token"] = serde_json::Value::from(refresh);
    }
    body::json(StatusCode::OK, &answer)
}

fn unauthorized_token() -> Resp {
    unauthorized("Basic realm=\"fake-registry-token\"".to_owned())
}
