//! The connector under the hyper-util pool: TCP, direct or through a proxy
//! (TLS first when the proxy URL is `https://`; then a `CONNECT` tunnel
//! for https, absolute-form requests for http), to the
//! address a DNS override names for the dialled `host:port` if any, then
//! TLS through hyper-rustls with the configuration for the destination
//! (the client certificate only for the registry's origin). TLS sits
//! above the override, so the server name it checks is the original one.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine as _;
use http::Uri;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::Service;
use url::Url;

use oras_auth::{Origin, RealmPolicy};

use super::alert::{AlertSlot, AlertWatch};
use super::go_text::{ConnectError, DialError, IoOpError};
use super::proxy::ProxyConfig;
use super::resolve::DnsOverrides;
use super::tls::TlsConfigs;
use crate::error::BoxError;

/// Most bytes read from a proxy's answer to `CONNECT`.
const MAX_CONNECT_RESPONSE: usize = 8 * 1024;

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

/// A TCP stream to the destination or to a proxy; to an https proxy it
/// speaks TLS (as Go's transport does), so the `CONNECT` line and
/// `Proxy-Authorization` never travel in clear.
pub(crate) enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS to an https proxy.
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref().0,
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write_vectored(cx, bufs),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write_vectored(cx, bufs),
        }
    }
    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(tcp) => tcp.is_write_vectored(),
            Stream::Tls(tls) => tls.is_write_vectored(),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A connection to the destination or to a proxy.
pub(crate) struct TcpConn {
    io: TokioIo<Stream>,
    /// Requests on it go to a proxy, so they need absolute-form URIs.
    proxied: bool,
    /// `local->peer`, as Go's `net.OpError` names a connection.
    addresses: Option<String>,
}

impl TcpConn {
    fn new(stream: Stream, proxied: bool) -> TcpConn {
        let tcp = stream.tcp();
        let addresses = match (tcp.local_addr(), tcp.peer_addr()) {
            (Ok(local), Ok(peer)) => Some(format!("{local}->{peer}")),
            _ => None,
        };
        TcpConn {
            io: TokioIo::new(stream),
            proxied,
            addresses,
        }
    }

    /// A failed read or write worded as Go's `net.OpError`.
    fn op_error(&self, op: &'static str, err: std::io::Error) -> std::io::Error {
        match &self.addresses {
            Some(addresses) if err.raw_os_error().is_some() => IoOpError::wrap(op, addresses, err),
            _ => err,
        }
    }
}

impl Connection for TcpConn {
    fn connected(&self) -> Connected {
        self.io.inner().tcp().connected().proxy(self.proxied)
    }
}

impl hyper::rt::Read for TcpConn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            Poll::Ready(Err(e)) => Poll::Ready(Err(self.op_error("read", e))),
            other => other,
        }
    }
}

impl hyper::rt::Write for TcpConn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match Pin::new(&mut self.io).poll_write(cx, buf) {
            Poll::Ready(Err(e)) => Poll::Ready(Err(self.op_error("write", e))),
            other => other,
        }
    }
    // Vectored writes let hyper send a body's chunks as they are, instead
    // of copying them into its own buffer first.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match Pin::new(&mut self.io).poll_write_vectored(cx, bufs) {
            Poll::Ready(Err(e)) => Poll::Ready(Err(self.op_error("write", e))),
            other => other,
        }
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// The address check of connections made for bearer token requests
/// (GHSA-28r5-37g7-p6mp, GHSA-xf85-363p-868w; oras-go v2.7.0 checks the
/// realm host's addresses against `BlockedRealmPrefixes`): the auth layer
/// can only check an IP literal, so a host name is checked here, on the
/// address the connection actually reached, after DNS and the overrides.
#[derive(Clone, Debug)]
pub(crate) struct RealmGuard {
    pub(crate) policy: RealmPolicy,
    /// The registry's host: a realm there is never refused.
    pub(crate) registry_host: String,
}

impl RealmGuard {
    /// Refuses a dial whose address is known before connecting: an IP
    /// literal, or the address of a DNS override.
    fn check_before_dial(
        &self,
        host: &str,
        port: u16,
        overrides: &DnsOverrides,
    ) -> Result<(), BoxError> {
        let ip = match overrides.lookup(host, port) {
            Some(address) => address.ip(),
            None => match host.parse::<std::net::IpAddr>() {
                Ok(ip) => ip,
                Err(_) => return Ok(()),
            },
        };
        self.policy
            .check_address(host, ip, &self.registry_host)
            .map_err(Into::into)
    }

    /// Refuses a direct connection to `host` that reached a blocked
    /// address (before anything is sent on it).
    fn check_connected(&self, host: &str, stream: &TcpStream) -> Result<(), BoxError> {
        let peer = stream.peer_addr()?;
        self.policy
            .check_address(host, peer.ip(), &self.registry_host)
            .map_err(Into::into)
    }

    /// Through a proxy the proxy resolves `host`: as oras-go, it is looked
    /// up here and refused when any of its addresses is blocked; a lookup
    /// failure lets it through (the proxy may know names this host does
    /// not, and a bogus name fails at the proxy anyway).
    async fn check_proxied(&self, host: &str, port: u16) -> Result<(), BoxError> {
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            return self
                .policy
                .check_address(host, ip, &self.registry_host)
                .map_err(Into::into);
        }
        let Ok(addresses) = tokio::net::lookup_host((host, port)).await else {
            return Ok(());
        };
        for address in addresses {
            self.policy
                .check_address(host, address.ip(), &self.registry_host)?;
        }
        Ok(())
    }
}

/// Opens TCP connections, through a proxy when [`ProxyConfig`] says so, to
/// the address a [`DnsOverrides`] rule names for the dialled `host:port`.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    proxy: Arc<ProxyConfig>,
    overrides: Arc<DnsOverrides>,
    /// Set on the connector of token requests only.
    guard: Option<Arc<RealmGuard>>,
    /// The TLS configuration for https proxies: the client's roots (or
    /// `--insecure`), without the client certificate.
    proxy_tls: tokio_rustls::TlsConnector,
}

impl ProxyConnector {
    pub(crate) fn new(
        proxy: Arc<ProxyConfig>,
        overrides: Arc<DnsOverrides>,
        connect_timeout: Option<Duration>,
        proxy_tls: Arc<rustls::ClientConfig>,
    ) -> Self {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(connect_timeout);
        http.set_keepalive(Some(Duration::from_secs(30)));
        ProxyConnector {
            http,
            proxy,
            overrides,
            guard: None,
            proxy_tls: tokio_rustls::TlsConnector::from(proxy_tls),
        }
    }

    /// The same connector, checking every connection with `guard`.
    pub(crate) fn guarded(mut self, guard: RealmGuard) -> Self {
        self.guard = Some(Arc::new(guard));
        self
    }
}

impl Service<Uri> for ProxyConnector {
    type Response = TcpConn;
    type Error = BoxError;
    type Future = BoxFuture<TcpConn>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let mut http = self.http.clone();
        let proxy = self.proxy.clone();
        let overrides = self.overrides.clone();
        let guard = self.guard.clone();
        let proxy_tls = self.proxy_tls.clone();
        Box::pin(async move {
            let scheme = dst.scheme_str().unwrap_or("http").to_owned();
            let host = dst
                .host()
                .ok_or("URI without host")?
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            let port = dst
                .port_u16()
                .unwrap_or(if scheme == "https" { 443 } else { 80 });
            let Some(proxy_url) = proxy.proxy_for(&scheme, &host, port).cloned() else {
                if let Some(guard) = &guard {
                    guard.check_before_dial(&host, port, &overrides)?;
                }
                let tcp = match http.call(overrides.dial_uri(&host, port, dst)?).await {
                    Ok(tcp) => tcp.into_inner(),
                    Err(e) => {
                        let overridden = overrides.lookup(&host, port);
                        return Err(DialError::word(&host, port, overridden, e.into())
                            .await
                            .into());
                    }
                };
                if let Some(guard) = &guard {
                    guard.check_connected(&host, &tcp)?;
                }
                return Ok(TcpConn::new(Stream::Plain(tcp), false));
            };
            if let Some(guard) = &guard {
                guard.check_proxied(&host, port).await?;
            }
            // Go dials the proxy's address, and so looks it up in the
            // overrides; the destination is the proxy's to resolve.
            let proxy_host = proxy_url.host_str().unwrap_or_default();
            let proxy_port = proxy_url.port_or_known_default().unwrap_or(80);
            let proxy_uri: Uri = format!("http://{proxy_host}:{proxy_port}").parse()?;
            let proxy_host = proxy_host.trim_start_matches('[').trim_end_matches(']');
            let tcp = match http
                .call(overrides.dial_uri(proxy_host, proxy_port, proxy_uri)?)
                .await
            {
                Ok(tcp) => tcp.into_inner(),
                Err(e) => {
                    // Go `net/http`: `proxyconnect tcp: <the dial error>`.
                    let overridden = overrides.lookup(proxy_host, proxy_port);
                    return Err(
                        DialError::word(proxy_host, proxy_port, overridden, e.into())
                            .await
                            .proxied(),
                    );
                }
            };
            let stream = if proxy_url.scheme() == "https" {
                let name = rustls_pki_types::ServerName::try_from(proxy_host.to_owned())
                    .map_err(|e| format!("https proxy {proxy_host:?}: invalid name: {e}"))?;
                let tls = proxy_tls.connect(name, tcp).await.map_err(|e| {
                    ConnectError(format!("TLS with https proxy {proxy_host}:{proxy_port}"), e)
                })?;
                Stream::Tls(Box::new(tls))
            } else {
                Stream::Plain(tcp)
            };
            if scheme == "https" {
                let stream = tunnel(stream, &host, port, &proxy_url).await?;
                Ok(TcpConn::new(stream, false))
            } else {
                Ok(TcpConn::new(stream, true))
            }
        })
    }
}

/// `Proxy-Authorization` for a proxy URL with user information.
pub(crate) fn proxy_authorization(proxy: &Url) -> Option<String> {
    if proxy.username().is_empty() {
        return None;
    }
    let user = percent_decode(proxy.username());
    let pass = percent_decode(proxy.password().unwrap_or_default());
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    Some(format!("Basic {token}"))
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Opens a `CONNECT host:port` tunnel through a proxy.
async fn tunnel(
    mut stream: Stream,
    host: &str,
    port: u16,
    proxy: &Url,
) -> Result<Stream, BoxError> {
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(auth) = proxy_authorization(proxy) {
        request.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await?;

    let mut answer = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    // Read byte by byte so that nothing after the header is consumed.
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() >= MAX_CONNECT_RESPONSE {
            return Err("proxy CONNECT response too large".into());
        }
        if stream.read(&mut byte).await? == 0 {
            return Err("proxy closed the connection during CONNECT".into());
        }
        answer.push(byte[0]);
    }
    let status_line = answer.split(|b| *b == b'\r').next().unwrap_or_default();
    let status = String::from_utf8_lossy(status_line);
    let mut parts = status.split_whitespace();
    let ok = parts.next().is_some_and(|v| v.starts_with("HTTP/1."))
        && parts.next().is_some_and(|code| code.starts_with('2'));
    if !ok {
        return Err(format!("proxy refused CONNECT: {status}").into());
    }
    Ok(stream)
}

/// TLS over [`ProxyConnector`], with the registry's configuration for its
/// own origin and the plain one elsewhere. ALPN offers `h2` and
/// `http/1.1`, or `http/1.1` alone for a connector whose connections must
/// each carry one request at a time.
#[derive(Clone)]
pub(crate) struct RegistryConnector {
    registry: HttpsConnector<ProxyConnector>,
    other: HttpsConnector<ProxyConnector>,
    /// `host:port` of the registry, default port included.
    registry_authority: String,
}

impl RegistryConnector {
    pub(crate) fn new(
        tcp: ProxyConnector,
        tls: &TlsConfigs,
        registry_authority: String,
        http2: bool,
    ) -> RegistryConnector {
        let wrap = |config: &Arc<rustls::ClientConfig>| {
            let http1 = hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config((**config).clone())
                .https_or_http()
                .enable_http1();
            if http2 {
                http1.enable_http2().wrap_connector(tcp.clone())
            } else {
                http1.wrap_connector(tcp.clone())
            }
        };
        RegistryConnector {
            registry: wrap(&tls.registry),
            other: wrap(&tls.other),
            registry_authority,
        }
    }
}

impl Service<Uri> for RegistryConnector {
    type Response = AlertWatch<MaybeHttpsStream<TcpConn>>;
    type Error = BoxError;
    type Future = BoxFuture<Self::Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        match self.registry.poll_ready(cx) {
            Poll::Ready(Ok(())) => self.other.poll_ready(cx),
            other => other,
        }
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        // Called while the request that needs the connection is sent, so
        // the connection records its TLS alerts for that request.
        let slot = AlertSlot::current();
        let connect = if Origin::of(&dst).is_ok_and(|o| o.authority() == self.registry_authority) {
            self.registry.call(dst)
        } else {
            self.other.call(dst)
        };
        Box::pin(async move { Ok(AlertWatch::new(connect.await?, slot)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> RealmGuard {
        RealmGuard {
            policy: RealmPolicy::default(),
            registry_host: "registry.test".to_owned(),
        }
    }

    #[test]
    fn overrides_and_literals_are_checked_before_dialling() {
        let mut overrides = DnsOverrides::default();
        overrides.insert("metadata.test", 80, "169.254.169.254:80".parse().unwrap());
        overrides.insert("public.test", 443, "8.8.8.8:443".parse().unwrap());
        let guard = guard();
        assert!(
            guard
                .check_before_dial("metadata.test", 80, &overrides)
                .is_err()
        );
        assert!(guard.check_before_dial("::1", 443, &overrides).is_err());
        assert!(
            guard
                .check_before_dial("public.test", 443, &overrides)
                .is_ok()
        );
        // Not known before connecting: the peer address is checked then.
        assert!(
            guard
                .check_before_dial("unknown.test", 443, &overrides)
                .is_ok()
        );
    }

    #[tokio::test]
    async fn through_a_proxy_the_realm_is_looked_up_here() {
        let guard = guard();
        let bounded = |f| tokio::time::timeout(Duration::from_secs(10), f);
        let err = bounded(guard.check_proxied("169.254.169.254", 80))
            .await
            .unwrap()
            .unwrap_err();
        assert!(err.to_string().contains("blocked prefix"), "{err}");
        // `localhost` resolves from the hosts file, to loopback.
        assert!(
            bounded(guard.check_proxied("localhost", 80))
                .await
                .unwrap()
                .is_err()
        );
        assert!(
            bounded(guard.check_proxied("8.8.8.8", 443))
                .await
                .unwrap()
                .is_ok()
        );
    }
}
