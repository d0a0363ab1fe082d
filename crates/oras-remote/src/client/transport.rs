//! The bottom of the stack: hyper-util's pooled client (keep-alive
//! connections reused per origin) over [`RegistryConnector`]. Over TLS
//! the registry's HTTP/2 is chosen by ALPN, so concurrent requests share
//! one connection. Range requests (the parts of a blob fetched in
//! parallel) go through a pool of HTTP/1.1 connections instead, one
//! request at a time on each: on one HTTP/2 connection the ranges would
//! share its window and any per-connection cap (a CDN's), which is what
//! fetching them in parallel is meant to get past.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use http::header::{HeaderValue, PROXY_AUTHORIZATION, RANGE};
use http::{Request, Response};
use hyper_util::client::legacy::Client as PoolClient;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use oras_auth::{Body, Origin, RealmPolicy, RealmRequest};
use tower::Service;

use super::alert::with_alert;
use super::body::ResponseBody;
use super::connector::{ProxyConnector, RealmGuard, RegistryConnector, proxy_authorization};
use super::proxy::ProxyConfig;
use super::resolve::DnsOverrides;
use super::tls::TlsConfigs;
use crate::error::BoxError;

/// The most a connection reads from its socket at once.
const READ_BUFFER_MAX: usize = 1024 * 1024;

/// The same for a connection of the ranges pool: a ranged download keeps
/// many of them busy at once, each on a path slower than one reader, so
/// large reads save no wake-ups there and would only add memory.
const RANGE_READ_BUFFER_MAX: usize = 256 * 1024;

/// Sends requests on pooled connections. Bearer token requests (those
/// with an `oras_auth::RealmRequest` extension) go through a pool of their
/// own, whose connections are checked against the realm policy, so a
/// token request never reuses an unchecked connection; range requests
/// through a pool of HTTP/1.1 connections.
#[derive(Clone)]
pub(crate) struct Transport {
    client: PoolClient<RegistryConnector, Body>,
    realm: PoolClient<RegistryConnector, Body>,
    ranges: PoolClient<RegistryConnector, Body>,
    proxy: Arc<ProxyConfig>,
}

impl Transport {
    pub(crate) fn new(
        tls: &TlsConfigs,
        proxy: ProxyConfig,
        overrides: DnsOverrides,
        registry: &Origin,
        connect_timeout: Option<Duration>,
        idle_timeout: Duration,
        realm_policy: RealmPolicy,
    ) -> Self {
        let proxy = Arc::new(proxy);
        let tcp = ProxyConnector::new(
            proxy.clone(),
            Arc::new(overrides),
            connect_timeout,
            tls.other.clone(),
        );
        let pool = |tcp: ProxyConnector, http2: bool, read_buffer_max: usize| {
            let connector = RegistryConnector::new(tcp, tls, registry.authority(), http2);
            PoolClient::builder(TokioExecutor::new())
                .pool_idle_timeout(idle_timeout)
                .pool_timer(TokioTimer::new())
                // Reads of up to 1 MiB (hyper's default stops at about 400
                // KiB): a large download arrives in fewer, larger chunks, so
                // fewer wake-ups between the connection and its reader (a
                // 1 GiB pull takes about a fifth less time; larger buffers
                // only add memory).
                .http1_max_buf_size(read_buffer_max)
                .build(connector)
        };
        let guard = RealmGuard {
            policy: realm_policy,
            registry_host: registry.host().to_owned(),
        };
        Transport {
            client: pool(tcp.clone(), true, READ_BUFFER_MAX),
            ranges: pool(tcp.clone(), false, RANGE_READ_BUFFER_MAX),
            realm: pool(tcp.guarded(guard), true, READ_BUFFER_MAX),
            proxy,
        }
    }
}

impl Service<Request<Body>> for Transport {
    type Response = Response<ResponseBody>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Response<ResponseBody>, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        // Absolute-form requests through an http proxy carry its credentials;
        // https requests carry them on the CONNECT instead.
        if let Ok(origin) = Origin::of(req.uri())
            && origin.is_http()
            && let Some(proxy) = self
                .proxy
                .proxy_for(origin.scheme(), origin.host(), origin.port())
            && let Some(auth) = proxy_authorization(proxy)
            && let Ok(value) = HeaderValue::from_str(&auth)
        {
            req.headers_mut().insert(PROXY_AUTHORIZATION, value);
        }
        let future = if req.extensions().get::<RealmRequest>().is_some() {
            self.realm.request(req)
        } else if req.headers().contains_key(RANGE) {
            self.ranges.request(req)
        } else {
            self.client.request(req)
        };
        Box::pin(async move {
            let response = with_alert(async move { Ok(future.await?) }).await?;
            Ok(response.map(ResponseBody::new))
        })
    }
}
