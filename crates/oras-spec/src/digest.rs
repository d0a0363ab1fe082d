//! Content digests (`algorithm:encoded`) and a streaming digester.
//!
//! Grammar from the image-spec ("Digests"): the algorithm is one of the
//! registered ones this crate can compute (sha256, sha384, sha512) and the
//! encoded part is lower-case hex of the exact length of that algorithm.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Digest as _;

use crate::error::{Error, Result};

/// A registered digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Algorithm {
    /// SHA-256, the default of every OCI tool.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Algorithm {
    /// The algorithm's name as it appears in a digest string.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Length of the hex-encoded hash.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha384 => 96,
            Algorithm::Sha512 => 128,
        }
    }

    /// A fresh streaming digester for this algorithm.
    pub fn digester(self) -> Digester {
        Digester::new(self)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "sha256" => Ok(Algorithm::Sha256),
            "sha384" => Ok(Algorithm::Sha384),
            "sha512" => Ok(Algorithm::Sha512),
            other => Err(Error::UnsupportedAlgorithm(other.to_owned())),
        }
    }
}

/// go-digest's ErrDigestInvalidFormat text.
const INVALID_FORMAT: &str = "invalid checksum digest format";
/// go-digest's ErrDigestInvalidLength text.
const INVALID_LENGTH: &str = "invalid checksum digest length";

/// A validated digest such as `sha256:2cf2…9824`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: Algorithm,
    encoded: String,
}

impl Digest {
    /// Builds a digest from an algorithm and its hex encoding, validating both.
    pub fn new(algorithm: Algorithm, encoded: &str) -> Result<Self> {
        let valid_hex = encoded
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if encoded.len() != algorithm.hex_len() {
            return Err(Error::InvalidDigest {
                input: format!("{algorithm}:{encoded}"),
                reason: INVALID_LENGTH,
            });
        }
        if !valid_hex {
            return Err(Error::InvalidDigest {
                input: format!("{algorithm}:{encoded}"),
                reason: INVALID_FORMAT,
            });
        }
        Ok(Digest {
            algorithm,
            encoded: encoded.to_owned(),
        })
    }

    /// The digest of `data` with `algorithm`.
    pub fn compute(algorithm: Algorithm, data: &[u8]) -> Self {
        let mut digester = Digester::new(algorithm);
        digester.update(data);
        digester.finish()
    }

    /// The SHA-256 digest of `data`.
    pub fn sha256(data: &[u8]) -> Self {
        Self::compute(Algorithm::Sha256, data)
    }

    /// The algorithm part.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The hex part.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// Whether `data` hashes to this digest.
    pub fn verifies(&self, data: &[u8]) -> bool {
        Digest::compute(self.algorithm, data) == *self
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.encoded)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl FromStr for Digest {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        // go-digest's Validate: no ':' or an empty algorithm or encoded
        // part is ErrDigestInvalidFormat.
        let format_error = || Error::InvalidDigest {
            input: s.to_owned(),
            reason: INVALID_FORMAT,
        };
        let Some((alg, encoded)) = s.split_once(':') else {
            return Err(format_error());
        };
        if encoded.is_empty() {
            return Err(format_error());
        }
        // Digest grammar (image-spec descriptor.md): the algorithm is
        // `[a-z0-9]+([+._-][a-z0-9]+)*`; an unknown but well-formed one is
        // reported as unsupported rather than malformed.
        let alg_ok = !alg.is_empty()
            && alg.split(['+', '.', '_', '-']).all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        // An unknown algorithm is unsupported only when the whole digest
        // matches go-digest's DigestRegexp (encoded part `[a-zA-Z0-9=_-]+`),
        // otherwise its format is invalid.
        let encoded_ok = encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'));
        let Ok(algorithm) = alg.parse::<Algorithm>() else {
            if !alg_ok || !encoded_ok {
                return Err(format_error());
            }
            return Err(Error::UnsupportedAlgorithm(alg.to_owned()));
        };
        Digest::new(algorithm, encoded).map_err(|_| Error::InvalidDigest {
            input: s.to_owned(),
            // go-digest's Algorithm.Validate: the length first, then the hex.
            reason: if encoded.len() == algorithm.hex_len() {
                INVALID_FORMAT
            } else {
                INVALID_LENGTH
            },
        })
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Hashes bytes as they stream past and yields a [`Digest`].
#[derive(Clone)]
pub struct Digester {
    state: State,
}

#[derive(Clone)]
enum State {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Digester {
    /// A digester for `algorithm`.
    pub fn new(algorithm: Algorithm) -> Self {
        let state = match algorithm {
            Algorithm::Sha256 => State::Sha256(sha2::Sha256::new()),
            Algorithm::Sha384 => State::Sha384(sha2::Sha384::new()),
            Algorithm::Sha512 => State::Sha512(sha2::Sha512::new()),
        };
        Digester { state }
    }

    /// The algorithm being computed.
    pub fn algorithm(&self) -> Algorithm {
        match self.state {
            State::Sha256(_) => Algorithm::Sha256,
            State::Sha384(_) => Algorithm::Sha384,
            State::Sha512(_) => Algorithm::Sha512,
        }
    }

    /// Feeds more bytes.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Sha256(h) => h.update(data),
            State::Sha384(h) => h.update(data),
            State::Sha512(h) => h.update(data),
        }
    }

    /// The digest of everything fed so far.
    pub fn finish(self) -> Digest {
        let algorithm = self.algorithm();
        let encoded = match self.state {
            State::Sha256(h) => to_hex(&h.finalize()),
            State::Sha384(h) => to_hex(&h.finalize()),
            State::Sha512(h) => to_hex(&h.finalize()),
        };
        Digest { algorithm, encoded }
    }
}

impl fmt::Debug for Digester {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digester({})", self.algorithm())
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0xf)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO_SHA256: &str =
        "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    #[test]
    fn computes_known_digests() {
        assert_eq!(Digest::sha256(b"hello").to_string(), HELLO_SHA256);
        assert_eq!(
            Digest::compute(Algorithm::Sha512, b"").to_string(),
            "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        );
        assert_eq!(Digest::compute(Algorithm::Sha384, b"").encoded().len(), 96);
    }

    #[test]
    fn streaming_equals_one_shot() {
        let mut d = Digester::new(Algorithm::Sha256);
        d.update(b"hel");
        d.update(b"lo");
        assert_eq!(d.finish().to_string(), HELLO_SHA256);
    }

    #[test]
    fn parses_and_displays() {
        let d: Digest = HELLO_SHA256.parse().unwrap();
        assert_eq!(d.algorithm(), Algorithm::Sha256);
        assert_eq!(d.to_string(), HELLO_SHA256);
        assert!(d.verifies(b"hello"));
        assert!(!d.verifies(b"hello!"));
    }

    #[test]
    fn rejects_malformed_digests() {
        for bad in [
            "",
            "sha256",
            "sha256:",
            ":abc",
            "sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982",
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98245",
            "sha256:zzf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            "SHA256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        ] {
            assert!(
                matches!(bad.parse::<Digest>(), Err(Error::InvalidDigest { .. })),
                "{bad:?} should be invalid"
            );
        }
        assert!(matches!(
            "md5:d41d8cd98f00b204e9800998ecf8427e".parse::<Digest>(),
            Err(Error::UnsupportedAlgorithm(_))
        ));
    }

    #[test]
    fn errors_are_worded_as_go_digest() {
        let reason = |s: &str| match s.parse::<Digest>() {
            Err(Error::InvalidDigest { reason, .. }) => reason.to_owned(),
            Err(other) => other.to_string(),
            Ok(d) => panic!("{d} parsed"),
        };
        assert_eq!(reason("v1"), "invalid checksum digest format");
        assert_eq!(reason("sha256:"), "invalid checksum digest format");
        assert_eq!(reason("sha256:abc"), "invalid checksum digest length");
        assert_eq!(reason("md5:abc"), "unsupported digest algorithm");
        assert_eq!(reason("md5:a.c"), "invalid checksum digest format");
        assert_eq!(reason("MD5:abc"), "invalid checksum digest format");
    }

    #[test]
    fn serde_round_trip() {
        let d = Digest::sha256(b"hello");
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, format!("\"{HELLO_SHA256}\""));
        let back: Digest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        assert!(serde_json::from_str::<Digest>("\"sha256:nope\"").is_err());
    }
}
