//! Registry bearer tokens: scope parsing and JWT signing (ES256).
//!
//! Distribution 2.8 (`registry/auth/token/token.go`) checks `iss` against
//! `issuer`, `aud` against `service`, `exp`/`nbf` with 60 s leeway, then
//! finds the signing key from the header: `x5c` first (a chain verified
//! against `rootcertbundle`), then `jwk`, then `kid` (a libtrust key id).
//! We send `x5c = [signer, CA]`. libtrust verifies ES256 as raw `r || s`
//! (64 bytes), which is ring's `ECDSA_P256_SHA256_FIXED_SIGNING`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde::Serialize;

use super::error::{Error, Result};

/// The clock skew distribution 2.8 allows on `exp` and `nbf`
/// (`token.Leeway`): a token is refused only this long after its `exp`.
pub(crate) const REGISTRY_LEEWAY: Duration = Duration::from_secs(60);

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// One entry of the token's `access` claim, and one parsed `scope`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Access {
    /// Resource type: `repository`, `registry`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Resource name: the repository path, or `catalog`.
    pub name: String,
    /// Granted (or requested) actions: `pull`, `push`, `delete`, `*`.
    pub actions: Vec<String>,
}

impl Access {
    /// Parses one scope, `type:name:action[,action...]`. The name may
    /// contain `:` (a registry host with a port), so the type ends at the
    /// first colon and the actions start after the last one.
    pub fn parse_scope(scope: &str) -> Option<Access> {
        let (kind, rest) = scope.split_once(':')?;
        let (name, actions) = rest.rsplit_once(':')?;
        if kind.is_empty() || name.is_empty() {
            return None;
        }
        Some(Access {
            kind: kind.to_string(),
            name: name.to_string(),
            actions: actions
                .split(',')
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
        })
    }
}

/// Signs tokens for one registry.
pub(crate) struct Signer {
    key: EcdsaKeyPair,
    /// Base64 (standard, padded) DER certificates: signer first, then CA.
    x5c: Vec<String>,
    issuer: String,
    service: String,
    rng: SystemRandom,
}

impl Signer {
    /// A signer from a PKCS#8 P-256 key and its certificate chain (DER).
    pub(crate) fn new(
        pkcs8: &[u8],
        chain_der: &[&[u8]],
        issuer: &str,
        service: &str,
    ) -> Result<Self> {
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
            .map_err(|e| Error::crypto("token signing key", e))?;
        Ok(Signer {
            key,
            x5c: chain_der.iter().map(|der| STANDARD.encode(der)).collect(),
            issuer: issuer.to_string(),
            service: service.to_string(),
            rng,
        })
    }

    /// A compact JWS for `subject` granting `access`, valid for `ttl`.
    pub(crate) fn sign(&self, subject: &str, access: &[Access], ttl: Duration) -> Result<String> {
        self.sign_expiring(subject, access, unix_now() + ttl.as_secs())
    }

    /// A compact JWS whose `exp` claim is `exp` (Unix seconds). The
    /// registry accepts it until [`REGISTRY_LEEWAY`] after that.
    pub(crate) fn sign_expiring(
        &self,
        subject: &str,
        access: &[Access],
        exp: u64,
    ) -> Result<String> {
        let now = unix_now();
        let header = serde_json::json!({ "typ": "JWT", "alg": "ES256", "x5c": self.x5c });
        let claims = serde_json::json!({
            "iss": self.issuer,
            "sub": subject,
            "aud": self.service,
            "exp": exp,
            "nbf": now,
            "iat": now,
            "jti": self.random_id()?,
            "access": access,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .key
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|e| Error::crypto("token signature", e))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }

    /// 16 random bytes as hex: token ids and refresh tokens.
    pub(crate) fn random_id(&self) -> Result<String> {
        random_hex(&self.rng)
    }
}

/// 16 random bytes from `rng`, as lowercase hex.
pub(crate) fn random_hex(rng: &dyn SecureRandom) -> Result<String> {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes)
        .map_err(|e| Error::crypto("random bytes", e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_with_colons_in_the_name() {
        assert_eq!(
            Access::parse_scope("repository:a/b:pull,push"),
            Some(Access {
                kind: "repository".into(),
                name: "a/b".into(),
                actions: vec!["pull".into(), "push".into()],
            })
        );
        let with_port = Access::parse_scope("repository:localhost:5000/x:pull").unwrap();
        assert_eq!(with_port.name, "localhost:5000/x");
        assert_eq!(
            Access::parse_scope("registry:catalog:*").unwrap().actions,
            ["*"]
        );
        assert_eq!(
            Access::parse_scope("repository:x:").unwrap().actions.len(),
            0
        );
        assert!(Access::parse_scope("nonsense").is_none());
        assert!(Access::parse_scope(":x:pull").is_none());
    }

    #[test]
    fn signed_token_verifies_with_the_public_key() {
        let authority = super::super::certs::Authority::generate("ca").unwrap();
        let leaf = authority.issue_token_signer().unwrap();
        let signer = Signer::new(
            &leaf.key_pkcs8_der,
            &[&leaf.cert_der, &authority.cert_der],
            "iss",
            "svc",
        )
        .unwrap();
        let access = [Access::parse_scope("repository:r:pull").unwrap()];
        let token = signer
            .sign("alice", &access, Duration::from_secs(60))
            .unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], "svc");
        assert_eq!(claims["iss"], "iss");
        assert_eq!(claims["access"][0]["actions"][0], "pull");
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["x5c"].as_array().unwrap().len(), 2);

        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        assert_eq!(signature.len(), 64, "JWS ES256 is raw r||s");
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            ring::signature::KeyPair::public_key(&signer.key)
                .as_ref()
                .to_vec(),
        );
        let input = format!("{}.{}", parts[0], parts[1]);
        public.verify(input.as_bytes(), &signature).unwrap();
    }
}
