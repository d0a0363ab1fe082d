//! `--resolve host:port:address[:address_port]` (Go `Remote.parseResolve`
//! and its dialer): connections for a registry's `host:port` go to the
//! given address instead of what DNS says, while the URL, the `Host`
//! header and the TLS server name stay those of the reference.
//!
//! oras-remote has no DNS override, so when a rule names the registry the
//! client gets a transport of this module ([`resolving_transport`]): a
//! pooled hyper client whose connector dials the rule's address for the
//! registry's `host:port` and resolves every other host (token realms,
//! blob CDNs) normally. For HTTPS it trusts the system roots plus
//! `--ca-file`. Two limits, both refused with an error rather than
//! ignored: `--insecure` and client certificates (oras-remote's origin-only
//! certificate logic lives in its own transport). Proxies from the
//! environment are not used on this path.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use oras_remote::{BoxError, ClientConfig, ResponseBody};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use tokio::net::TcpStream;

use crate::error::{CliError, quote};
use crate::options::RemoteSettings;
use crate::parse::ResolveRule;

/// The rule for `registry` (`host[:port]`), if any; the last matching rule
/// wins, so `--from-resolve` overrides `--resolve`.
pub(crate) fn rule_for<'a>(
    rules: &'a [ResolveRule],
    registry: &str,
    plain_http: bool,
) -> Option<&'a ResolveRule> {
    let (host, port) = split_host_port(registry, if plain_http { 80 } else { 443 });
    rules
        .iter()
        .rev()
        .find(|rule| rule.host.eq_ignore_ascii_case(host) && rule.port == port)
}

fn split_host_port(registry: &str, default_port: u16) -> (&str, u16) {
    if let Some(rest) = registry.strip_prefix('[') {
        // [v6]:port or [v6]
        return match rest.split_once(']') {
            Some((host, tail)) => match tail.strip_prefix(':').map(str::parse) {
                Some(Ok(port)) => (host, port),
                _ => (host, default_port),
            },
            None => (registry, default_port),
        };
    }
    match registry.rsplit_once(':') {
        Some((host, port)) => match port.parse() {
            Ok(port) => (host, port),
            Err(_) => (registry, default_port),
        },
        None => (registry, default_port),
    }
}

/// Applies the `--resolve` rule for `registry` to `config`.
pub(crate) fn apply(
    config: ClientConfig,
    settings: &RemoteSettings,
    registry: &str,
) -> anyhow::Result<ClientConfig> {
    let plain = settings.plain_http_for(registry);
    let Some(rule) = rule_for(&settings.resolve, registry, plain) else {
        return Ok(config);
    };
    if settings.insecure {
        return Err(
            CliError::new("--resolve cannot be combined with --insecure in this build").into(),
        );
    }
    if settings.cert_file.is_some() {
        return Err(CliError::new(
            "--resolve cannot be combined with --cert-file/--key-file in this build",
        )
        .into());
    }
    let tls = tls_config(settings)?;
    Ok(config.transport(resolving_transport(rule, tls)))
}

/// The TLS configuration of the resolving transport: the system roots and
/// `--ca-file`.
fn tls_config(settings: &RemoteSettings) -> anyhow::Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system root rustls cannot use is skipped, as oras-remote does.
        let _ = roots.add(cert);
    }
    if let Some(path) = &settings.ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            CliError::new(format!(
                "failed to read CA file {}: {e}",
                quote(&path.to_string_lossy())
            ))
        })?;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| CliError::new(format!("invalid CA file: {e}")))?;
            roots.add(cert)?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// What a transport request resolves to.
type ResponseFuture =
    Pin<Box<dyn Future<Output = Result<http::Response<ResponseBody>, BoxError>> + Send>>;

/// The transport: hyper-util's pooled client over [`ResolvingConnector`].
fn resolving_transport(
    rule: &ResolveRule,
    tls: rustls::ClientConfig,
) -> impl tower::Service<
    http::Request<oras_remote::Body>,
    Response = http::Response<ResponseBody>,
    Error = BoxError,
    Future = ResponseFuture,
> + Clone
+ Send
+ Sync
+ 'static {
    let connector = ResolvingConnector {
        rule: Arc::new(rule.clone()),
    };
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector);
    let client: Client<_, oras_remote::Body> = Client::builder(TokioExecutor::new()).build(https);
    tower::service_fn(move |request: http::Request<oras_remote::Body>| {
        let client = client.clone();
        let future: ResponseFuture = Box::pin(async move {
            let response = client.request(request).await.map_err(BoxError::from)?;
            Ok(response.map(ResponseBody::new))
        });
        future
    })
}

/// Dials the rule's address for its `host:port`, and any other host as
/// DNS says.
#[derive(Clone, Debug)]
struct ResolvingConnector {
    rule: Arc<ResolveRule>,
}

impl tower::Service<Uri> for ResolvingConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let rule = self.rule.clone();
        Box::pin(async move {
            let host = uri
                .host()
                .ok_or_else(|| BoxError::from(format!("no host in {uri}")))?
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            let default_port = if uri.scheme_str() == Some("https") {
                443
            } else {
                80
            };
            let port = uri.port_u16().unwrap_or(default_port);
            let stream = if host.eq_ignore_ascii_case(&rule.host) && port == rule.port {
                TcpStream::connect(SocketAddr::new(rule.address, rule.address_port)).await?
            } else {
                TcpStream::connect((host.as_str(), port)).await?
            };
            stream.set_nodelay(true)?;
            Ok(TokioIo::new(stream))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_resolve_rules;

    #[test]
    fn finds_the_last_matching_rule() {
        let rules = parse_resolve_rules(&[
            "example.com:443:127.0.0.1".into(),
            "example.com:5000:127.0.0.2".into(),
            "example.com:443:127.0.0.3:8443".into(),
        ])
        .unwrap();
        let rule = rule_for(&rules, "example.com", false).unwrap();
        assert_eq!(rule.address.to_string(), "127.0.0.3");
        assert_eq!(rule.address_port, 8443);
        assert_eq!(
            rule_for(&rules, "example.com:5000", true)
                .unwrap()
                .address
                .to_string(),
            "127.0.0.2"
        );
        assert!(rule_for(&rules, "example.com", true).is_none());
        assert!(rule_for(&rules, "other.com", false).is_none());
        assert_eq!(split_host_port("[::1]:5000", 443), ("::1", 5000));
        assert_eq!(split_host_port("[::1]", 443), ("::1", 443));
    }

    #[test]
    fn insecure_and_client_certificates_are_refused_with_a_rule() {
        let settings = RemoteSettings {
            resolve: parse_resolve_rules(&["r.test:443:127.0.0.1".into()]).unwrap(),
            insecure: true,
            ..RemoteSettings::default()
        };
        assert!(apply(ClientConfig::new(), &settings, "r.test").is_err());
        // No rule for this registry: nothing changes.
        assert!(apply(ClientConfig::new(), &settings, "other.test").is_ok());
    }
}
