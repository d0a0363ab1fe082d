//! The HTTP client of a registry: a tower stack over hyper-util, built from
//! a [`ClientConfig`]. Outermost first:
//!
//! 1. trace: a span per request; URL without query, no headers logged;
//!    then, when a handler is set ([`ClientConfig::on_warning`]), the
//!    registry's `Warning: 299 - "…"` headers of each final response;
//! 2. user agent (`oras-rs/<version>` unless set);
//! 3. retry ([`RetryPolicy`], oras-go's defaults);
//! 4. auth (`oras_auth::AuthLayer`, when credentials or a token cache are
//!    configured): it sits outside redirects, so a token is never
//!    re-added on a hop to a blob CDN;
//! 5. redirects (GET/HEAD; credentials and custom headers dropped on any
//!    cross-origin hop);
//! 6. custom headers, added only on requests to the registry's origin;
//! 7. timeout (optional, until the response headers arrive), and the read
//!    timeout (optional, each wait for response data);
//! 8. hyper-util's pooled client with hyper-rustls, direct or through a
//!    proxy, to the addresses of the DNS overrides
//!    ([`ClientConfig::resolve`]); the client certificate only for the
//!    registry's origin.
//!
//! Callers add their own tower layers outside everything
//! ([`ClientConfig::layer_outside_auth`]) or between auth and redirects
//! ([`ClientConfig::layer_inside_auth`]). One built [`Client`] serves any
//! number of [`Registry`](crate::Registry) and
//! [`Repository`](crate::Repository) values of its registry
//! ([`ClientConfig::build`], [`Registry::with_client`](crate::Registry::with_client)).

mod alert;
mod body;
mod connector;
mod edit;
pub mod go_text;
mod headers;
mod proxy;
mod read_timeout;
mod redirect;
mod resolve;
mod retry;
mod scopes;
mod tls;
mod trace;
mod transport;
mod user_agent;
mod warning;

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Request, Response};
use oras_auth::{
    AuthLayer, Body, CredentialProvider, Origin, RealmPolicy, StaticCredential, TokenCache,
};
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceExt};

pub use body::ResponseBody;
pub(crate) use body::{Capped, read_capped};
pub use proxy::ProxyConfig;
pub use retry::{BackoffFn, Outcome, RetryContext, RetryPolicy, RetryPredicate, SleepFn};
pub use user_agent::DEFAULT_USER_AGENT;
pub use warning::{Warning, WarningHandler};

use crate::error::{BoxError, Error};
use edit::{RequestEdit, ResponseEdit};

type BoxService = BoxCloneSyncService<Request<Body>, Response<ResponseBody>, BoxError>;

/// The service a caller's layer wraps (see [`ClientConfig::layer_inside_auth`]):
/// the rest of the stack, boxed.
pub type HttpService = BoxService;

/// A caller's layer, applied to the boxed stack below it.
type LayerFn = Arc<dyn Fn(BoxService) -> BoxService + Send + Sync>;

/// Settings of the HTTP client of one registry (the oras CLI's remote
/// flags). Built with chained calls; read when the registry is built.
#[derive(Clone)]
pub struct ClientConfig {
    pub(crate) plain_http: Option<bool>,
    tls: tls::TlsOptions,
    ca_files: Vec<PathBuf>,
    cert_files: Option<(PathBuf, PathBuf)>,
    headers: Vec<(String, String)>,
    user_agent: String,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    proxy: Option<ProxyConfig>,
    resolve: resolve::DnsOverrides,
    on_warning: Option<WarningHandler>,
    transport: Option<BoxService>,
    credentials: Option<Arc<dyn CredentialProvider>>,
    token_cache: Option<TokenCache>,
    realm_policy: RealmPolicy,
    client_id: Option<String>,
    force_attempt_oauth2: bool,
    scopes: Vec<String>,
    read_timeout: Option<Duration>,
    idle_timeout: Duration,
    inner_layers: Vec<LayerFn>,
    outer_layers: Vec<LayerFn>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            plain_http: None,
            tls: tls::TlsOptions::default(),
            ca_files: Vec::new(),
            cert_files: None,
            headers: Vec::new(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            retry: RetryPolicy::default(),
            timeout: None,
            connect_timeout: Some(Duration::from_secs(30)),
            proxy: None,
            resolve: resolve::DnsOverrides::default(),
            on_warning: None,
            transport: None,
            credentials: None,
            token_cache: None,
            realm_policy: RealmPolicy::default(),
            client_id: None,
            force_attempt_oauth2: false,
            scopes: Vec::new(),
            read_timeout: None,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            inner_layers: Vec::new(),
            outer_layers: Vec::new(),
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may hold secrets: only their names are shown.
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ClientConfig")
            .field("plain_http", &self.plain_http)
            .field("insecure", &self.tls.insecure)
            .field("ca_files", &self.ca_files)
            .field("headers", &header_names)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("resolve", &self.resolve)
            .field("realm_policy", &self.realm_policy)
            .field("client_id", &self.client_id)
            .field("force_attempt_oauth2", &self.force_attempt_oauth2)
            .field("scopes", &self.scopes)
            .field("read_timeout", &self.read_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("inner_layers", &self.inner_layers.len())
            .field("outer_layers", &self.outer_layers.len())
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// The defaults: https (plain http for `localhost[:port]`), system
    /// roots, oras-go's retry policy, proxies from the environment.
    pub fn new() -> Self {
        ClientConfig::default()
    }

    /// Uses plain HTTP (`--plain-http`); when never called, plain HTTP is
    /// used for `localhost` and `localhost:<port>` only (oras `isPlainHTTP`).
    pub fn plain_http(mut self, plain: bool) -> Self {
        self.plain_http = Some(plain);
        self
    }

    /// Skips TLS verification (`--insecure`).
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.tls.insecure = insecure;
        self
    }

    /// Also trusts the CA certificates in this PEM file (`--ca-file`); read
    /// when the registry is built.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_files.push(path.into());
        self
    }

    /// Also trusts these PEM CA certificates.
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls.ca_pem.push(pem.into());
        self
    }

    /// Trusts only the CAs given here, not the system's roots.
    pub fn without_system_roots(mut self) -> Self {
        self.tls.skip_system_roots = true;
        self
    }

    /// Presents this client certificate and key (PEM files, `--cert-file`
    /// and `--key-file`) to the registry's origin only.
    pub fn client_cert_files(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.cert_files = Some((cert.into(), key.into()));
        self
    }

    /// Presents this client certificate chain and key (PEM) to the
    /// registry's origin only.
    pub fn client_cert_pem(mut self, cert: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Self {
        self.tls.client_identity = Some((cert.into(), key.into()));
        self
    }

    /// Adds a header (`-H "Name: value"`) to requests for the registry's
    /// origin only; checked when the registry is built.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replaces the user agent.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Replaces the retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Fails a request whose response headers do not arrive within `timeout`
    /// (none by default: a monolithic upload can take long). A timeout is
    /// retried.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Limits TCP connection set-up (30s by default).
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Uses these proxy settings instead of the environment's.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Connects to `address` instead of what DNS says for `host:port` (the
    /// oras CLI's `--resolve host:port:address[:address_port]`); may be
    /// called several times, and the last call for a `host:port` wins.
    ///
    /// It applies to every connection of the client (registry, token
    /// realm, blob CDN) whose dialled `host:port` matches, ignoring ASCII
    /// case. Only the TCP connection moves: the URL, the `Host` header, the
    /// TLS server name and the certificate check keep `host`, so
    /// `--insecure`, CA files and client certificates work as usual. As in
    /// Go, where `--resolve` customises the dialer, a connection through a
    /// proxy dials the proxy, so an override for the registry has no
    /// effect there, while one for the proxy's `host:port` applies. Not
    /// used with [`ClientConfig::transport`].
    pub fn resolve(mut self, host: &str, port: u16, address: SocketAddr) -> Self {
        self.resolve.insert(host, port, address);
        self
    }

    /// Calls `handler` with each warning the registry sends (oras-go
    /// `Repository.HandleWarning` / `Registry.HandleWarning`): every
    /// `Warning: 299 - "<text>"` header of the final response of each
    /// request, in order, repeats included (other forms are ignored).
    pub fn on_warning(mut self, handler: WarningHandler) -> Self {
        self.on_warning = Some(handler);
        self
    }

    /// Logs in with the credentials `provider` gives for the registry host
    /// (anonymous when never called).
    pub fn credentials(mut self, provider: Arc<dyn CredentialProvider>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// Shares `cache` (tokens per origin and scope set) with other clients
    /// holding a clone of it; a fresh cache otherwise.
    pub fn token_cache(mut self, cache: TokenCache) -> Self {
        self.token_cache = Some(cache);
        self
    }

    /// Which addresses a bearer token realm on another host than the
    /// registry may not be, or connect to (oras-go v2.7.0
    /// `BlockedRealmPrefixes`); [`RealmPolicy::default`] (loopback,
    /// link-local, unspecified and cloud metadata addresses blocked,
    /// private ranges allowed) when never called. An IP literal is checked
    /// before the token request, a host name on the address the connection
    /// reaches after DNS and the [`ClientConfig::resolve`] overrides.
    pub fn realm_policy(mut self, policy: RealmPolicy) -> Self {
        self.realm_policy = policy;
        self
    }

    /// The OAuth2 `client_id` sent with token requests (oras-go
    /// `auth.Client.ClientID`; `oras_auth::DEFAULT_CLIENT_ID` when never
    /// called).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// Gets bearer tokens with the OAuth2 password grant for a username
    /// and password, instead of the distribution token GET (oras-go
    /// `auth.Client.ForceAttemptOAuth2`).
    pub fn force_attempt_oauth2(mut self, force: bool) -> Self {
        self.force_attempt_oauth2 = force;
        self
    }

    /// Asks for `scope` (e.g. `oras_auth::Scope::repository(name,
    /// &[Action::Pull])`) in every token request besides the scopes each
    /// request needs, so one token covers it (oras-go `auth.AppendScopes`
    /// on every call). May be called several times.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Fails a response whose next piece of body data does not arrive
    /// within `timeout` (none by default). A blob download that stalls so
    /// resumes where it stopped, as after a dropped connection.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Closes pooled connections idle for longer than `timeout` (90s by
    /// default, as Go's `http.DefaultTransport`). Not used with
    /// [`ClientConfig::transport`].
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Adds `layer` between auth and the redirect layer: it sees every
    /// attempt (retries included) and the bearer token requests, with
    /// `Authorization` set, before any redirect. Layers added later sit
    /// further out.
    ///
    /// ```
    /// use std::time::Duration;
    /// use oras_remote::ClientConfig;
    ///
    /// // At most 4 requests in flight to the registry.
    /// let config = ClientConfig::new().layer_inside_auth(tower::limit::ConcurrencyLimitLayer::new(4));
    /// # drop(config);
    /// ```
    pub fn layer_inside_auth<L>(mut self, layer: L) -> Self
    where
        L: Layer<HttpService> + Send + Sync + 'static,
        L::Service: Service<Request<Body>, Response = Response<ResponseBody>, Error = BoxError>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send + 'static,
    {
        self.inner_layers.push(Arc::new(move |inner| {
            BoxCloneSyncService::new(layer.layer(inner))
        }));
        self
    }

    /// Adds `layer` outside the whole stack: it sees each call once,
    /// before retries, auth and redirects. Layers added later sit further
    /// out.
    ///
    /// ```
    /// use oras_remote::ClientConfig;
    ///
    /// let config = ClientConfig::new().layer_outside_auth(tower::limit::ConcurrencyLimitLayer::new(16));
    /// # drop(config);
    /// ```
    pub fn layer_outside_auth<L>(mut self, layer: L) -> Self
    where
        L: Layer<HttpService> + Send + Sync + 'static,
        L::Service: Service<Request<Body>, Response = Response<ResponseBody>, Error = BoxError>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send + 'static,
    {
        self.outer_layers.push(Arc::new(move |inner| {
            BoxCloneSyncService::new(layer.layer(inner))
        }));
        self
    }

    /// Builds the client of the registry `name` (`host[:port]`, as in a
    /// reference): one client to share, cheaply cloned, between any
    /// number of [`Registry`](crate::Registry) and
    /// [`Repository`](crate::Repository) values of that registry
    /// ([`Registry::with_client`](crate::Registry::with_client)); they
    /// then share its connections and tokens.
    ///
    /// ```
    /// use oras_remote::{ClientConfig, Registry, Repository};
    ///
    /// # fn main() -> Result<(), oras_remote::Error> {
    /// let client = ClientConfig::new().build("localhost:5000")?;
    /// let registry = Registry::with_client("localhost:5000", client.clone())?;
    /// let app = Repository::with_client("localhost:5000/app", client)?;
    /// assert_eq!(registry.base_url(), app.base_url());
    /// # Ok(())
    /// # }
    /// ```
    pub fn build(&self, name: &str) -> Result<Client, Error> {
        Client::new(&registry_base_url(name, self)?, self)
    }

    /// Sends requests with `service` instead of the network (an in-process
    /// registry; tests). The stack above it is unchanged.
    pub fn transport<S>(mut self, service: S) -> Self
    where
        S: Service<Request<Body>, Response = Response<ResponseBody>, Error = BoxError>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        self.transport = Some(BoxCloneSyncService::new(service));
        self
    }

    fn parsed_headers(&self) -> Result<HeaderMap, Error> {
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| Error::Config(format!("invalid header name {name:?}")))?;
            let value = HeaderValue::from_str(value.trim())
                .map_err(|_| Error::Config(format!("invalid value for header {name}")))?;
            map.append(name, value);
        }
        Ok(map)
    }

    fn tls_options(&self) -> Result<tls::TlsOptions, Error> {
        let mut options = self.tls.clone();
        for path in &self.ca_files {
            let pem = read_file(path)?;
            // Go `x509.CertPool.AppendCertsFromPEM` takes a file with at
            // least one certificate block.
            use rustls_pki_types::pem::PemObject as _;
            let parsed =
                rustls_pki_types::CertificateDer::pem_slice_iter(&pem).any(|cert| cert.is_ok());
            if !parsed {
                return Err(Error::CaFile { path: path.clone() });
            }
            options.ca_pem.push(pem);
        }
        if let Some((cert, key)) = &self.cert_files {
            options.client_identity = Some((read_file(cert)?, read_file(key)?));
        }
        Ok(options)
    }
}

/// The idle time after which a pooled connection is closed (Go's
/// `http.DefaultTransport.IdleConnTimeout`).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// `scheme://host[:port]/` of the registry `name` (`host[:port]`, as in a
/// reference): https, or plain http for `localhost[:port]` unless
/// `config` says which. A reference to any repository of it validates the
/// name and maps `docker.io` to its API host.
pub(crate) fn registry_base_url(name: &str, config: &ClientConfig) -> Result<url::Url, Error> {
    let invalid = |reason: String| Error::InvalidReference {
        reference: name.to_owned(),
        reason,
    };
    let probe =
        oras_spec::Reference::new(name, "library", None).map_err(|e| invalid(e.to_string()))?;
    let plain = config.plain_http.unwrap_or_else(|| probe.is_localhost());
    let scheme = if plain { "http" } else { "https" };
    url::Url::parse(&format!("{scheme}://{}/", probe.host())).map_err(|e| invalid(e.to_string()))
}

/// The HTTP client of one registry: the whole tower stack, cheap to clone.
/// It is the `tower::Service` every request of the registry goes through.
#[derive(Clone)]
pub struct Client {
    service: BoxService,
    base: url::Url,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Client")
    }
}

impl Client {
    /// Builds the stack for the registry at `registry_url`
    /// (`scheme://host[:port]`).
    pub(crate) fn new(registry_url: &url::Url, config: &ClientConfig) -> Result<Client, Error> {
        let registry = Origin::of_url(registry_url)
            .map_err(|_| Error::Config(format!("invalid registry URL {registry_url}")))?;
        let headers = config.parsed_headers()?;
        let custom_names: Vec<HeaderName> = headers.keys().cloned().collect();

        let transport = match &config.transport {
            Some(service) => service.clone(),
            None => {
                let tls = config.tls_options()?.build()?;
                let proxy = config.proxy.clone().unwrap_or_else(ProxyConfig::from_env);
                BoxCloneSyncService::new(transport::Transport::new(
                    &tls,
                    proxy,
                    config.resolve.clone(),
                    &registry,
                    config.connect_timeout,
                    config.idle_timeout,
                    config.realm_policy.clone(),
                ))
            }
        };
        let with_headers = headers::RegistryHeadersLayer {
            headers: Arc::new(headers),
            registry,
        }
        .layer(transport);
        let with_headers: BoxService = match config.read_timeout {
            Some(limit) => {
                BoxCloneSyncService::new(read_timeout::ReadTimeoutLayer(limit).layer(with_headers))
            }
            None => BoxCloneSyncService::new(with_headers),
        };
        let timed: BoxService = match config.timeout {
            Some(limit) => BoxCloneSyncService::new(
                tower::timeout::TimeoutLayer::new(limit).layer(with_headers),
            ),
            None => BoxCloneSyncService::new(with_headers),
        };
        let redirects = redirect::RedirectLayer {
            custom: Arc::new(custom_names),
        }
        .layer(timed);
        let redirects = config
            .inner_layers
            .iter()
            .fold(BoxCloneSyncService::new(redirects), |inner, layer| {
                layer(inner)
            });
        let provider = config
            .credentials
            .clone()
            .unwrap_or_else(|| Arc::new(StaticCredential::anonymous()));
        let cache = config.token_cache.clone().unwrap_or_default();
        let mut auth = AuthLayer::new(provider, cache)
            .realm_policy(config.realm_policy.clone())
            .force_attempt_oauth2(config.force_attempt_oauth2);
        if let Some(client_id) = &config.client_id {
            auth = auth.client_id(client_id.clone());
        }
        let authed: BoxService = BoxCloneSyncService::new(auth.layer(redirects));
        let authed = match config.scopes.as_slice() {
            [] => authed,
            scopes => BoxCloneSyncService::new(
                scopes::ExtraScopesLayer(Arc::new(scopes.to_vec())).layer(authed),
            ),
        };
        let retried = tower::retry::Retry::new(retry::Attempts::new(config.retry.clone()), authed);
        let agent = HeaderValue::from_str(&config.user_agent)
            .map_err(|_| Error::Config("invalid user agent".into()))?;
        let agent = user_agent::UserAgentLayer(agent).layer(retried);
        let warned: BoxService = match &config.on_warning {
            Some(handler) => {
                BoxCloneSyncService::new(warning::WarningLayer(handler.clone()).layer(agent))
            }
            None => BoxCloneSyncService::new(agent),
        };
        let traced = BoxCloneSyncService::new(trace::TraceLayer.layer(warned));
        let service = config
            .outer_layers
            .iter()
            .fold(traced, |inner, layer| layer(inner));
        Ok(Client {
            service,
            base: registry_url.clone(),
        })
    }

    /// The base URL of the registry this client was built for
    /// (`https://registry-1.docker.io/`).
    pub fn registry_url(&self) -> &url::Url {
        &self.base
    }

    /// Sends `request` through the stack.
    pub fn send(
        &self,
        request: Request<Body>,
    ) -> impl Future<Output = Result<Response<ResponseBody>, BoxError>> + Send + 'static {
        self.service.clone().oneshot(request)
    }
}

impl Service<Request<Body>> for Client {
    type Response = Response<ResponseBody>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Response<ResponseBody>, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.service.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        Box::pin(self.service.call(request))
    }
}

/// Reads a file the configuration names; a failure names the step as Go's
/// `os.ReadFile` does (`open …` or `read …`).
fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    use std::io::Read as _;
    let failed = |op, source| Error::File {
        op,
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(|e| failed("open", e))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| failed("read", e))?;
    Ok(bytes)
}
