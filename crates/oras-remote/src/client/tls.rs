//! rustls client configurations: the system's roots (feature
//! `native-roots`, default) and/or Mozilla's (feature `webpki-roots`) plus
//! extra CA certificates (`--ca-file`), an optional client certificate (`--cert-file` /
//! `--key-file`) and an insecure mode that skips verification
//! (`--insecure`).
//!
//! Two configurations are built: one with the client certificate, used
//! only for the registry's own origin, and one without, for every other
//! host (a blob CDN after a redirect): the oras CLI scopes the client
//! certificate to the registry origin (GHSA-h3wm-jjqf-8jm2).
//!
//! The crypto provider is ring's with the `ring` feature (default), else
//! the process-wide default the program installed.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::error::Error;

/// TLS settings of a client.
#[derive(Clone, Default)]
pub(crate) struct TlsOptions {
    /// Extra trusted CA certificates, PEM.
    pub(crate) ca_pem: Vec<Vec<u8>>,
    /// Client certificate chain and key, PEM.
    pub(crate) client_identity: Option<(Vec<u8>, Vec<u8>)>,
    /// Skip server verification.
    pub(crate) insecure: bool,
    /// Trust the system's roots (on unless a test turns it off).
    pub(crate) skip_system_roots: bool,
}

/// The configuration for the registry origin and the one for other hosts.
pub(crate) struct TlsConfigs {
    pub(crate) registry: Arc<ClientConfig>,
    pub(crate) other: Arc<ClientConfig>,
}

#[cfg(feature = "ring")]
fn provider() -> Result<Arc<CryptoProvider>, Error> {
    Ok(Arc::new(rustls::crypto::ring::default_provider()))
}

#[cfg(not(feature = "ring"))]
fn provider() -> Result<Arc<CryptoProvider>, Error> {
    CryptoProvider::get_default().cloned().ok_or_else(|| {
        Error::Config(
            "TLS: no crypto provider: enable the `ring` feature of oras-remote or install a \
             process-wide rustls CryptoProvider before building a client"
                .to_owned(),
        )
    })
}

impl TlsOptions {
    pub(crate) fn build(&self) -> Result<TlsConfigs, Error> {
        let provider = provider()?;
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(format!("TLS: {e}")))?;
        let builder = if self.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
        } else {
            builder.with_root_certificates(self.roots()?)
        };
        let other = builder.clone().with_no_client_auth();
        let registry = match &self.client_identity {
            None => other.clone(),
            Some((cert_pem, key_pem)) => {
                let chain = parse_certs(cert_pem, "client certificate")?;
                let key = PrivateKeyDer::from_pem_slice(key_pem)
                    .map_err(|e| Error::Config(format!("client key: {e}")))?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| Error::Config(format!("client certificate: {e}")))?
            }
        };
        Ok(TlsConfigs {
            // hyper-rustls sets ALPN (h2, http/1.1) itself.
            registry: Arc::new(registry),
            other: Arc::new(other),
        })
    }

    fn roots(&self) -> Result<RootCertStore, Error> {
        let mut roots = RootCertStore::empty();
        if !self.skip_system_roots {
            #[cfg(feature = "native-roots")]
            {
                // Unreadable system certificates are skipped, as Go does.
                let native = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(native.certs);
            }
            #[cfg(feature = "webpki-roots")]
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for pem in &self.ca_pem {
            for cert in parse_certs(pem, "CA file")? {
                roots
                    .add(cert)
                    .map_err(|e| Error::Config(format!("CA file: {e}")))?;
            }
        }
        Ok(roots)
    }
}

fn parse_certs(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Config(format!("{what}: {e}")))?;
    if certs.is_empty() {
        return Err(Error::Config(format!("{what}: no PEM certificate found")));
    }
    Ok(certs)
}

/// Accepts any server certificate (`--insecure`).
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
