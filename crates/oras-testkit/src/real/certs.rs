//! Keys and certificates generated per registry with rcgen (ECDSA P-256):
//! a CA plus a server certificate for TLS, and a CA plus a signing
//! certificate for tokens.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};

use super::error::{Error, Result};

/// A certificate authority: its certificate and the key that signs leaves.
pub(crate) struct Authority {
    /// PEM of the CA certificate.
    pub(crate) cert_pem: String,
    /// DER of the CA certificate.
    pub(crate) cert_der: Vec<u8>,
    params: CertificateParams,
    key: KeyPair,
}

/// A leaf certificate with its private key.
pub(crate) struct Leaf {
    /// PEM of the leaf certificate.
    pub(crate) cert_pem: String,
    /// DER of the leaf certificate.
    pub(crate) cert_der: Vec<u8>,
    /// PKCS#8 PEM of the private key.
    pub(crate) key_pem: String,
    /// PKCS#8 DER of the private key (ring reads this form).
    pub(crate) key_pkcs8_der: Vec<u8>,
}

impl Authority {
    /// A fresh self-signed CA named `common_name`.
    pub(crate) fn generate(common_name: &str) -> Result<Self> {
        let key = KeyPair::generate().map_err(|e| Error::crypto("CA key", e))?;
        let mut params = CertificateParams::default();
        params.distinguished_name = name(common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params
            .self_signed(&key)
            .map_err(|e| Error::crypto("CA certificate", e))?;
        Ok(Authority {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            params,
            key,
        })
    }

    /// A TLS server certificate for `127.0.0.1` and `localhost`.
    pub(crate) fn issue_server(&self) -> Result<Leaf> {
        let sans = vec!["localhost".to_string(), "127.0.0.1".to_string()];
        let mut params =
            CertificateParams::new(sans).map_err(|e| Error::crypto("server certificate", e))?;
        // `CertificateParams::new` makes "127.0.0.1" a DNS name; make it an
        // IP SAN, which is what TLS clients match an IP host against.
        params.subject_alt_names = vec![
            SanType::DnsName(
                "localhost"
                    .try_into()
                    .map_err(|e| Error::crypto("server SAN", e))?,
            ),
            SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])),
        ];
        params.distinguished_name = name("oras-testkit registry");
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.issue(params, "server certificate")
    }

    /// A TLS client certificate (extended key usage `clientAuth`), for a
    /// registry that verifies clients against this CA (`http.tls.clientcas`).
    pub(crate) fn issue_client(&self) -> Result<Leaf> {
        let mut params = CertificateParams::default();
        params.distinguished_name = name("oras-testkit client");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params, "client certificate")
    }

    /// A certificate for the key that signs registry tokens (the registry
    /// verifies it through the `x5c` chain against `rootcertbundle`).
    pub(crate) fn issue_token_signer(&self) -> Result<Leaf> {
        let mut params = CertificateParams::default();
        params.distinguished_name = name("oras-testkit token signer");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        self.issue(params, "token signing certificate")
    }

    fn issue(&self, params: CertificateParams, what: &'static str) -> Result<Leaf> {
        let key = KeyPair::generate().map_err(|e| Error::crypto(what, e))?;
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(|e| Error::crypto(what, e))?;
        Ok(Leaf {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            key_pem: key.serialize_pem(),
            key_pkcs8_der: key.serialize_der(),
        })
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "oras-testkit");
    dn
}

/// A rustls client configuration (ring provider) that trusts exactly the
/// given CA certificate.
pub(crate) fn client_config_trusting(ca_der: &[u8]) -> Result<rustls::ClientConfig> {
    Ok(client_builder(ca_der)?.with_no_client_auth())
}

/// As [`client_config_trusting`], presenting `client` as the client
/// certificate.
pub(crate) fn client_config_with_cert(
    ca_der: &[u8],
    client: &Leaf,
) -> Result<rustls::ClientConfig> {
    let chain = vec![rustls_pki_types::CertificateDer::from(
        client.cert_der.clone(),
    )];
    let key = rustls_pki_types::PrivateKeyDer::Pkcs8(rustls_pki_types::PrivatePkcs8KeyDer::from(
        client.key_pkcs8_der.clone(),
    ));
    client_builder(ca_der)?
        .with_client_auth_cert(chain, key)
        .map_err(|e| Error::crypto("client certificate for TLS", e))
}

fn client_builder(
    ca_der: &[u8],
) -> Result<rustls::ConfigBuilder<rustls::ClientConfig, rustls::client::WantsClientCert>> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls_pki_types::CertificateDer::from(ca_der.to_vec()))
        .map_err(|e| Error::crypto("client trust store", e))?;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::crypto("client TLS config", e))?
        .with_root_certificates(roots))
}
