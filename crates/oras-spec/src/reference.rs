//! Remote references: `registry[:port]/repository[:tag|@digest]`.
//!
//! The grammar and the error texts are those of oras-go v2's
//! `registry.ParseReference`:
//!
//! ```text
//! reference  := registry "/" repository [ target ]
//! target     := "@" digest            (form A)
//!             | ":" tag "@" digest    (form B: the tag is dropped unchecked)
//!             | ":" tag               (form C)
//!                                     (form D: no target)
//! ```
//!
//! * The input is split at its first `/`: everything before it is the
//!   registry, everything after it is the path. The path is split at its
//!   first `@` (a digest follows) or, failing that, at its first `:` (a tag
//!   follows).
//! * The registry must be what Go's `net/url` accepts as the host (with an
//!   optional `:port`) of a URL, and nothing else; see
//!   [`Reference::validate_registry`].
//! * The repository follows the docker distribution grammar: components
//!   `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*` separated by `/`.
//! * A tag follows `^[\w][\w.-]{0,127}$` (ASCII word characters), so a
//!   digest can never pose as a tag: it always holds a `:`.
//! * A digest is parsed by [`Digest`]'s own rules.
//!
//! ```
//! use oras_spec::{Reference, ReferenceTarget};
//!
//! let r: Reference = "docker.io/library/alpine:3.20".parse()?;
//! assert_eq!(r.registry(), "docker.io");
//! assert_eq!(r.host(), "registry-1.docker.io");
//! assert_eq!(r.repository(), "library/alpine");
//! assert_eq!(r.tag(), Some("3.20"));
//! assert_eq!(r.to_string(), "docker.io/library/alpine:3.20");
//!
//! let err = "localhost/Hello".parse::<Reference>().unwrap_err();
//! assert_eq!(err.to_string(), r#"invalid reference: invalid repository "Hello""#);
//! # Ok::<(), oras_spec::Error>(())
//! ```

use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

use crate::digest::Digest;
use crate::error::{Error, Result};

/// Registry whose API host differs from its name (oras-go `Reference.Host`).
const DOCKER_HUB_REGISTRY: &str = "docker.io";
/// The API host of [`DOCKER_HUB_REGISTRY`].
const DOCKER_HUB_HOST: &str = "registry-1.docker.io";
/// Longest tag the distribution spec allows.
const MAX_TAG_LEN: usize = 128;

/// What a [`Reference`] points at inside its repository.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReferenceTarget {
    /// A tag such as `v1`.
    ///
    /// [`Reference::parse`] and [`Reference::new`] only ever hold tags that
    /// pass [`Reference::validate_tag`]; a value built by hand is unchecked
    /// until it is given to one of them.
    Tag(String),
    /// A content digest such as `sha256:…`.
    Digest(Digest),
}

impl ReferenceTarget {
    /// The tag, if this target is one.
    pub fn as_tag(&self) -> Option<&str> {
        match self {
            ReferenceTarget::Tag(tag) => Some(tag),
            ReferenceTarget::Digest(_) => None,
        }
    }

    /// The digest, if this target is one.
    pub fn as_digest(&self) -> Option<&Digest> {
        match self {
            ReferenceTarget::Tag(_) => None,
            ReferenceTarget::Digest(digest) => Some(digest),
        }
    }

    /// Checks a target built by hand: a tag must pass
    /// [`Reference::validate_tag`]; a digest is valid by construction.
    pub fn validate(&self) -> Result<()> {
        match self {
            ReferenceTarget::Tag(tag) => Reference::validate_tag(tag),
            ReferenceTarget::Digest(_) => Ok(()),
        }
    }
}

impl fmt::Display for ReferenceTarget {
    /// Prints the bare tag or digest, without the `:` or `@` separator.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferenceTarget::Tag(tag) => f.write_str(tag),
            ReferenceTarget::Digest(digest) => fmt::Display::fmt(digest, f),
        }
    }
}

impl FromStr for ReferenceTarget {
    type Err = Error;

    /// Parses a bare tag or digest, as oras-go's `Reference.ValidateReference`
    /// tells them apart: text holding a `:` is a digest, anything else a tag.
    fn from_str(s: &str) -> Result<Self> {
        if s.contains(':') {
            parse_digest_target(s).map(ReferenceTarget::Digest)
        } else {
            Reference::validate_tag(s)?;
            Ok(ReferenceTarget::Tag(s.to_owned()))
        }
    }
}

/// A reference to a repository on a registry, optionally narrowed to a tag
/// or a digest: `registry[:port]/repository[:tag|@digest]`.
///
/// Built by [`Reference::parse`] (also reachable through [`str::parse`]) or
/// [`Reference::new`], both of which validate every part.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    target: Option<ReferenceTarget>,
}

impl Reference {
    /// Parses `registry[:port]/repository`, optionally followed by `:tag`,
    /// `@digest` or `:tag@digest`. In the last form the tag is dropped
    /// without being checked and the digest kept, exactly as oras-go does.
    ///
    /// Errors are [`Error::InvalidReference`] with oras-go's detail text:
    /// `missing registry or repository`, `invalid registry "…"`,
    /// `invalid repository "…"`, `invalid tag "…"` or
    /// `invalid digest "…": <reason>`. The registry is checked first, then
    /// the repository, then the tag or digest.
    pub fn parse(reference: &str) -> Result<Self> {
        let Some((registry, path)) = reference.split_once('/') else {
            return Err(invalid("missing registry or repository".to_owned()));
        };

        let (repository, target) = if let Some((before_at, digest)) = path.split_once('@') {
            // Form A, or form B when a tag sits before the `@`: that tag is
            // dropped without validation.
            let repository = before_at
                .split_once(':')
                .map_or(before_at, |(repo, _tag)| repo);
            (repository, Some((digest, true)))
        } else if let Some((repository, tag)) = path.split_once(':') {
            // Form C.
            (repository, Some((tag, false)))
        } else {
            // Form D.
            (path, None)
        };

        Self::validate_registry(registry)?;
        Self::validate_repository(repository)?;
        let target = match target {
            // An empty reference after `:` or `@` means no target, as in oras-go.
            None | Some(("", _)) => None,
            Some((digest, true)) => Some(ReferenceTarget::Digest(parse_digest_target(digest)?)),
            Some((tag, false)) => {
                Self::validate_tag(tag)?;
                Some(ReferenceTarget::Tag(tag.to_owned()))
            }
        };

        Ok(Reference {
            registry: registry.to_owned(),
            repository: repository.to_owned(),
            target,
        })
    }

    /// Builds a reference from its parts, validating each of them as
    /// [`Reference::parse`] would.
    pub fn new(
        registry: impl Into<String>,
        repository: impl Into<String>,
        target: Option<ReferenceTarget>,
    ) -> Result<Self> {
        let reference = Reference {
            registry: registry.into(),
            repository: repository.into(),
            target,
        };
        reference.validate()?;
        Ok(reference)
    }

    /// The same registry and repository with another target (or none).
    ///
    /// A [`ReferenceTarget::Tag`] given here is not validated (oras-go lets
    /// callers assign `Reference.Reference` freely too); call
    /// [`Reference::validate`] or [`ReferenceTarget::validate`] when the tag
    /// comes from outside.
    pub fn with_target(&self, target: Option<ReferenceTarget>) -> Reference {
        Reference {
            registry: self.registry.clone(),
            repository: self.repository.clone(),
            target,
        }
    }

    /// Validates every part: registry, repository and, if a tag, the tag.
    pub fn validate(&self) -> Result<()> {
        Self::validate_registry(&self.registry)?;
        Self::validate_repository(&self.repository)?;
        match &self.target {
            Some(target) => target.validate(),
            None => Ok(()),
        }
    }

    /// Checks a registry name the way oras-go does: it must be exactly the
    /// host (plus optional port) Go's `net/url` reads from
    /// `dummy://<registry>`, and must not be empty.
    ///
    /// In practice that accepts host names, `localhost`, IPv4 addresses and
    /// bracketed IPv6 addresses (`[::1]:5000`), each with an optional
    /// numeric port. Like Go it does not check DNS label syntax, IPv4 octet
    /// ranges or the port's range, and it accepts the RFC 3986 sub-delimiters
    /// (`!$&'()*+,;=`), `"<>` and non-ASCII text in a name, and an empty port
    /// (`localhost:`). It refuses spaces, control characters, `%`, `@`, `?`,
    /// `#`, `/`, a non-numeric port and a bracketed part that is not an
    /// IPv6 address.
    pub fn validate_registry(registry: &str) -> Result<()> {
        if registry_is_valid(registry) {
            Ok(())
        } else {
            Err(invalid(format!("invalid registry {registry:?}")))
        }
    }

    /// Checks a repository name against the docker distribution grammar:
    /// one or more `/`-separated components, each runs of `[a-z0-9]` joined
    /// by a single `.`, one or two `_`, or any number of `-`.
    pub fn validate_repository(repository: &str) -> Result<()> {
        if !repository.is_empty() && repository.split('/').all(path_component_is_valid) {
            Ok(())
        } else {
            Err(invalid(format!("invalid repository {repository:?}")))
        }
    }

    /// Checks a tag against `^[\w][\w.-]{0,127}$` (ASCII word characters):
    /// 1 to 128 characters, the first a letter, digit or `_`.
    pub fn validate_tag(tag: &str) -> Result<()> {
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut bytes = tag.bytes();
        let valid = tag.len() <= MAX_TAG_LEN
            && bytes.next().is_some_and(is_word)
            && bytes.all(|b| is_word(b) || b == b'.' || b == b'-');
        if valid {
            Ok(())
        } else {
            Err(invalid(format!("invalid tag {tag:?}")))
        }
    }

    /// The registry as written, e.g. `localhost:5000` or `docker.io`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository, e.g. `library/alpine`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag or digest, if any.
    pub fn target(&self) -> Option<&ReferenceTarget> {
        self.target.as_ref()
    }

    /// The tag, if the target is one.
    pub fn tag(&self) -> Option<&str> {
        self.target.as_ref().and_then(ReferenceTarget::as_tag)
    }

    /// The digest, if the target is one.
    pub fn digest(&self) -> Option<&Digest> {
        self.target.as_ref().and_then(ReferenceTarget::as_digest)
    }

    /// The host to contact for this registry: `docker.io` is served by
    /// `registry-1.docker.io`; every other registry by its own name.
    pub fn host(&self) -> &str {
        if self.registry == DOCKER_HUB_REGISTRY {
            DOCKER_HUB_HOST
        } else {
            &self.registry
        }
    }

    /// The tag or digest as text, or the empty string when there is no
    /// target (oras-go's `Reference.Reference` field).
    pub fn reference_string(&self) -> String {
        self.target
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    /// Whether the registry is `localhost` or `localhost:<port>`.
    ///
    /// The oras CLI (`isPlainHTTP` in `cmd/oras/internal/option/remote.go`)
    /// uses plain HTTP by default for exactly these registries; loopback
    /// addresses such as `127.0.0.1` or `[::1]` do not count.
    pub fn is_localhost(&self) -> bool {
        match self.registry.strip_prefix("localhost") {
            Some("") => true,
            Some(rest) => rest
                .strip_prefix(':')
                .is_some_and(|port| port.bytes().all(|b| b.is_ascii_digit())),
            None => false,
        }
    }
}

impl FromStr for Reference {
    type Err = Error;

    /// Same as [`Reference::parse`].
    fn from_str(s: &str) -> Result<Self> {
        Reference::parse(s)
    }
}

impl fmt::Display for Reference {
    /// Prints `registry/repository`, `registry/repository:tag` or
    /// `registry/repository@digest`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        match &self.target {
            None => Ok(()),
            Some(ReferenceTarget::Tag(tag)) => write!(f, ":{tag}"),
            Some(ReferenceTarget::Digest(digest)) => write!(f, "@{digest}"),
        }
    }
}

/// An [`Error::InvalidReference`] with `detail`.
fn invalid(detail: String) -> Error {
    Error::InvalidReference(detail)
}

/// Parses the digest part of a reference, reporting failures as oras-go
/// does: `invalid digest "<text>": <reason>`.
fn parse_digest_target(text: &str) -> Result<Digest> {
    text.parse::<Digest>().map_err(|err| {
        let reason = match err {
            Error::InvalidDigest { reason, .. } => reason.to_owned(),
            other => other.to_string(),
        };
        invalid(format!("invalid digest {text:?}: {reason}"))
    })
}

/// One repository path component: `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`.
fn path_component_is_valid(component: &str) -> bool {
    let is_alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = component.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !is_alnum(first) || !is_alnum(last) {
        return false;
    }
    // Between alphanumeric runs, every separator run must be `.`, `_`, `__`
    // or one or more `-`.
    component
        .split(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        .filter(|sep| !sep.is_empty())
        .all(|sep| matches!(sep, "." | "_" | "__") || sep.bytes().all(|b| b == b'-'))
}

/// Whether `port` is empty or `:` followed by ASCII digits (Go's
/// `validOptionalPort`; the digits may be absent).
fn optional_port_is_valid(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether an ASCII byte may appear unescaped in a Go `net/url` host: the
/// unreserved characters, the sub-delimiters, `:` and `]`, and `"<>`.
/// (`[` only opens an IPv6 literal and is handled separately.)
fn host_byte_is_allowed(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:]<>\"".contains(&b)
}

/// Whether `registry` round-trips through Go's `url.ParseRequestURI` as the
/// host of `dummy://<registry>` (oras-go `Reference.ValidateRegistry`).
fn registry_is_valid(registry: &str) -> bool {
    if registry.is_empty() {
        return false;
    }
    if registry.contains('[') {
        // An IP literal: exactly `[<IPv6 address>]` plus an optional port.
        // Anything before the `[`, a second `[`, or a `%`-escaped zone would
        // change the host Go reports, so none of them can round-trip.
        let Some(rest) = registry.strip_prefix('[') else {
            return false;
        };
        let Some((address, port)) = rest.rsplit_once(']') else {
            return false;
        };
        return !address.contains(['[', '%'])
            && optional_port_is_valid(port)
            && address.parse::<Ipv6Addr>().is_ok();
    }
    // A `%` escape is either refused or decoded, so it never round-trips;
    // `@` and `?` would split off userinfo or a query; everything else
    // outside the allowed set is refused by Go's host check.
    let chars_ok = registry
        .bytes()
        .all(|b| !b.is_ascii() || host_byte_is_allowed(b));
    let port_ok = registry
        .rfind(':')
        .is_none_or(|colon| optional_port_is_valid(&registry[colon..]));
    chars_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digest oras-go's `reference_test.go` uses as `ValidDigest`.
    const VALID_DIGEST: &str =
        "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
    /// `ValidDigest` one hex digit short (`InvalidDigest` there).
    const INVALID_DIGEST: &str =
        "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde";

    fn digest() -> Digest {
        VALID_DIGEST.parse().unwrap()
    }

    fn detail(result: Result<Reference>) -> String {
        match result {
            Err(Error::InvalidReference(detail)) => detail,
            other => panic!("expected InvalidReference, got {other:?}"),
        }
    }

    /// oras-go `TestParseReferenceGoodies`: every form against every registry.
    #[test]
    fn parses_valid_forms_on_every_registry() {
        let registries = [
            "localhost",
            "registry.example.com",
            "localhost:5000",
            "127.0.0.1:5000",
            "[::1]:5000",
        ];
        let forms: [(String, Option<ReferenceTarget>); 5] = [
            // Form A.
            (
                format!("hello-world@{VALID_DIGEST}"),
                Some(ReferenceTarget::Digest(digest())),
            ),
            // Form B: the tag is dropped.
            (
                format!("hello-world:v2@{VALID_DIGEST}"),
                Some(ReferenceTarget::Digest(digest())),
            ),
            // Form B with an empty tag.
            (
                format!("hello-world:@{VALID_DIGEST}"),
                Some(ReferenceTarget::Digest(digest())),
            ),
            // Form C.
            (
                "hello-world:v1".to_owned(),
                Some(ReferenceTarget::Tag("v1".to_owned())),
            ),
            // Form D.
            ("hello-world".to_owned(), None),
        ];
        for registry in registries {
            for (path, target) in &forms {
                let input = format!("{registry}/{path}");
                let got = Reference::parse(&input).unwrap_or_else(|e| panic!("{input}: {e}"));
                assert_eq!(got.registry(), registry, "{input}");
                assert_eq!(got.repository(), "hello-world", "{input}");
                assert_eq!(got.target(), target.as_ref(), "{input}");
            }
        }
    }

    /// oras-go `TestParseReferenceUglies`, with the detail oras-go reports.
    #[test]
    fn refuses_invalid_references() {
        let cases = [
            // no repo name
            ("localhost", "missing registry or repository".to_owned()),
            // missing registry
            (
                "hello-world:linux",
                "missing registry or repository".to_owned(),
            ),
            // missing registry (oras-go issue #698)
            ("/hello-world:linux", r#"invalid registry """#.to_owned()),
            // invalid repo name
            (
                "localhost/UPPERCASE/test",
                r#"invalid repository "UPPERCASE/test""#.to_owned(),
            ),
            // invalid port
            (
                "localhost:v1/hello-world",
                r#"invalid registry "localhost:v1""#.to_owned(),
            ),
            // a space before the `@`
            (
                "registry.example.com/hello-world @sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
                r#"invalid repository "hello-world ""#.to_owned(),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(detail(Reference::parse(input)), want, "{input}");
        }

        // invalid digest
        let d = detail(Reference::parse(&format!(
            "registry.example.com/foobar@{INVALID_DIGEST}"
        )));
        assert!(
            d.starts_with(&format!("invalid digest {INVALID_DIGEST:?}: ")),
            "{d}"
        );
        // invalid digest prefix: colon instead of the at sign
        assert_eq!(
            detail(Reference::parse(&format!(
                "registry.example.com/hello-world:foobar:{VALID_DIGEST}"
            ))),
            format!("invalid tag \"foobar:{VALID_DIGEST}\"")
        );
        // invalid digest prefix: double at sign
        let d = detail(Reference::parse(&format!(
            "registry.example.com/hello-world@@{VALID_DIGEST}"
        )));
        assert!(d.starts_with("invalid digest \"@sha256:"), "{d}");
    }

    #[test]
    fn error_display_reads_like_oras_go() {
        let err = Reference::parse("localhost/Hello").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid reference: invalid repository "Hello""#
        );
        let err = Reference::parse("localhost/hello:bad tag").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid reference: invalid tag "bad tag""#
        );
        let err = Reference::parse("localhost").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid reference: missing registry or repository"
        );
        let err = Reference::parse(&format!("localhost/a@{INVALID_DIGEST}")).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid reference: invalid digest {INVALID_DIGEST:?}: \
                 invalid checksum digest length"
            )
        );
        let err = Reference::parse("localhost/a@md5:d41d8cd98f00b204e9800998ecf8427e").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid reference: invalid digest \"md5:d41d8cd98f00b204e9800998ecf8427e\": \
             unsupported digest algorithm"
        );
    }

    /// oras-go checks the registry, then the repository, then the target.
    #[test]
    fn reports_the_first_invalid_part() {
        assert_eq!(
            detail(Reference::parse("bad host/Bad:!!")),
            r#"invalid registry "bad host""#
        );
        assert_eq!(
            detail(Reference::parse("localhost/Bad:!!")),
            r#"invalid repository "Bad""#
        );
    }

    /// oras-go `TestReference_Validate`, through `Reference::new`.
    #[test]
    fn new_validates_its_parts() {
        let tag = |t: &str| Some(ReferenceTarget::Tag(t.to_owned()));
        assert!(Reference::new("registry.example.com", "hello-world", tag("v1.0.0")).is_ok());
        assert!(
            Reference::new(
                "registry.example.com",
                "hello-world",
                Some(ReferenceTarget::Digest(digest()))
            )
            .is_ok()
        );
        assert!(Reference::new("registry.example.com", "hello-world", None).is_ok());
        assert_eq!(
            detail(Reference::new(
                "invalid registry",
                "hello-world",
                tag("v1.0.0")
            )),
            r#"invalid registry "invalid registry""#
        );
        assert_eq!(
            detail(Reference::new(
                "registry.example.com",
                "INVALID_REPO",
                tag("v1.0.0")
            )),
            r#"invalid repository "INVALID_REPO""#
        );
        assert_eq!(
            detail(Reference::new(
                "registry.example.com",
                "hello-world",
                tag("INVALID_TAG!")
            )),
            r#"invalid tag "INVALID_TAG!""#
        );
        // A digest posing as a tag is refused.
        assert_eq!(
            detail(Reference::new("localhost", "a", tag(VALID_DIGEST))),
            format!("invalid tag {VALID_DIGEST:?}")
        );
    }

    /// Cases from oras-go `TestParseReference_FormB_TagAndDigest` and
    /// `TestReference_GetReference_ParsedReferences`.
    #[test]
    fn reference_strings_of_parsed_references() {
        let cases = [
            (
                format!("localhost/hello-world@{VALID_DIGEST}"),
                VALID_DIGEST,
            ),
            (
                format!("localhost/hello-world:v2@{VALID_DIGEST}"),
                VALID_DIGEST,
            ),
            (
                format!("localhost/hello-world:@{VALID_DIGEST}"),
                VALID_DIGEST,
            ),
            (
                format!("registry.example.com/myapp:1.0.0@{VALID_DIGEST}"),
                VALID_DIGEST,
            ),
            (
                format!("localhost:5000/org/repo:v1.2.3-alpha@{VALID_DIGEST}"),
                VALID_DIGEST,
            ),
            ("localhost/hello-world:v1".to_owned(), "v1"),
            ("localhost/hello-world".to_owned(), ""),
            (
                "registry.example.com/org/repo:v1.2.3-alpha.1_build.123".to_owned(),
                "v1.2.3-alpha.1_build.123",
            ),
            (
                format!("localhost:5000/org/team/project@{VALID_DIGEST}"),
                VALID_DIGEST,
            ),
        ];
        for (input, want) in &cases {
            let r = Reference::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(r.reference_string(), *want, "{input}");
        }
    }

    #[test]
    fn tag_at_digest_drops_the_tag() {
        let r = Reference::parse(&format!(
            "localhost:5000/org/repo:v1.2.3-alpha@{VALID_DIGEST}"
        ))
        .unwrap();
        assert_eq!(r.registry(), "localhost:5000");
        assert_eq!(r.repository(), "org/repo");
        assert_eq!(r.tag(), None);
        assert_eq!(r.digest(), Some(&digest()));
        assert_eq!(
            r.to_string(),
            format!("localhost:5000/org/repo@{VALID_DIGEST}")
        );
        // The dropped tag is not validated, as in oras-go.
        let r = Reference::parse(&format!("localhost/repo:!!not a tag!!@{VALID_DIGEST}")).unwrap();
        assert_eq!(r.digest(), Some(&digest()));
    }

    #[test]
    fn digest_posing_as_tag_is_refused() {
        for input in [
            format!("localhost/repo:{VALID_DIGEST}"),
            "localhost/repo:sha256:abc".to_owned(),
            format!("localhost/repo:latest:{VALID_DIGEST}"),
        ] {
            let d = detail(Reference::parse(&input));
            assert!(d.starts_with("invalid tag "), "{input}: {d}");
        }
        assert!(Reference::validate_tag(VALID_DIGEST).is_err());
    }

    #[test]
    fn tag_grammar() {
        let max = "a".repeat(128);
        assert!(Reference::validate_tag(&max).is_ok());
        assert!(Reference::parse(&format!("localhost/repo:{max}")).is_ok());
        let too_long = "a".repeat(129);
        assert!(Reference::validate_tag(&too_long).is_err());
        assert_eq!(
            detail(Reference::parse(&format!("localhost/repo:{too_long}"))),
            format!("invalid tag {too_long:?}")
        );
        for ok in ["v1", "_", "0", "V1.0-rc_1", "latest", "a.b-c__d--e", "_x."] {
            assert!(Reference::validate_tag(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", ".v1", "-v1", "v1!", "v 1", "ü", "v1+build", "a/b", "a@b",
        ] {
            assert!(Reference::validate_tag(bad).is_err(), "{bad:?}");
        }
        // An empty tag after `:` means no target, as in oras-go.
        assert_eq!(Reference::parse("localhost/repo:").unwrap().target(), None);
        assert_eq!(Reference::parse("localhost/repo@").unwrap().target(), None);
    }

    #[test]
    fn repository_grammar() {
        for ok in [
            "a",
            "hello-world",
            "library/alpine",
            "a/b/c/d",
            "a.b",
            "a_b",
            "a__b",
            "a-b",
            "a---b",
            "0",
            "a1.b2_c3__d4-e5",
            "org/team/project",
        ] {
            assert!(Reference::validate_repository(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Hello",
            "UPPERCASE/test",
            "a..b",
            "a___b",
            "a._b",
            "a-_b",
            "_a",
            "a_",
            "-a",
            "a-",
            ".a",
            "a/",
            "/a",
            "a//b",
            "a b",
            "a:b",
            "a@b",
            "ü",
        ] {
            assert!(Reference::validate_repository(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn registry_grammar() {
        for ok in [
            "localhost",
            "localhost:5000",
            "registry.example.com",
            "registry.example.com:443",
            "127.0.0.1",
            "127.0.0.1:5000",
            "[::1]",
            "[::1]:5000",
            "[2001:db8::1]:443",
            "[::ffff:192.0.2.1]:80",
            "ghcr.io",
            "docker.io",
            "my_registry",
            "Registry.Example.COM",
            // What Go's net/url also lets through.
            "localhost:",
            "999.999.999.999",
            "a!b",
        ] {
            assert!(Reference::validate_registry(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "invalid registry",
            "localhost:v1",
            "localhost:5000x",
            "user@localhost",
            "localhost?",
            "local#host",
            "local%41host",
            "[::1",
            "::1]x",
            "[::1]x",
            "[::1]:v1",
            "[127.0.0.1]",
            "[localhost]:5000",
            "[fe80::1%25en0]",
            "x[::1]",
            "[[::1]",
            "tab\there",
            "a\\b",
            "a|b",
            "a^b",
        ] {
            assert!(Reference::validate_registry(bad).is_err(), "{bad:?}");
        }
        // oras-go main strips `oci://`-style schemes; v2 refuses them.
        assert!(Reference::parse("oci://localhost/hello-world").is_err());
    }

    #[test]
    fn ipv6_registries() {
        let r = Reference::parse("[::1]:5000/hello-world:latest").unwrap();
        assert_eq!(r.registry(), "[::1]:5000");
        assert_eq!(r.host(), "[::1]:5000");
        assert_eq!(r.tag(), Some("latest"));
        assert!(!r.is_localhost());
        let r = Reference::parse(&format!("[2001:db8::1]/a/b@{VALID_DIGEST}")).unwrap();
        assert_eq!(r.registry(), "[2001:db8::1]");
        assert_eq!(r.repository(), "a/b");
        assert_eq!(r.digest(), Some(&digest()));
        assert_eq!(
            detail(Reference::parse("[::1/hello")),
            r#"invalid registry "[::1""#
        );
    }

    /// oras-go `TestReference_Host`.
    #[test]
    fn docker_io_maps_to_registry_1() {
        let r = Reference::parse("docker.io/library/hello-world").unwrap();
        assert_eq!(r.host(), "registry-1.docker.io");
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.to_string(), "docker.io/library/hello-world");
        let r = Reference::parse("registry.example.com/hello-world").unwrap();
        assert_eq!(r.host(), "registry.example.com");
        let r = Reference::parse("registry-1.docker.io/library/a").unwrap();
        assert_eq!(r.host(), "registry-1.docker.io");
        let r = Reference::parse("docker.io:443/library/a").unwrap();
        assert_eq!(r.host(), "docker.io:443");
    }

    #[test]
    fn localhost_detection_follows_the_cli() {
        for (registry, want) in [
            ("localhost", true),
            ("localhost:5000", true),
            ("localhost:", true),
            ("127.0.0.1", false),
            ("127.0.0.1:5000", false),
            ("[::1]:5000", false),
            ("localhost.localdomain", false),
            ("localhostx:5000", false),
            ("LOCALHOST:5000", false),
            ("registry.example.com", false),
        ] {
            let r = Reference::new(registry, "a", None).unwrap();
            assert_eq!(r.is_localhost(), want, "{registry}");
        }
    }

    /// oras-go `TestReference_String`, for the forms a valid reference has.
    #[test]
    fn display_round_trips() {
        let cases = [
            "registry.example.com/hello-world".to_owned(),
            "registry.example.com/hello-world:v1.0.0".to_owned(),
            format!("registry.example.com/hello-world@{VALID_DIGEST}"),
            "localhost:5000/a/b/c:_x".to_owned(),
        ];
        for input in &cases {
            let r: Reference = input.parse().unwrap();
            assert_eq!(r.to_string(), *input);
            assert_eq!(r.to_string().parse::<Reference>().unwrap(), r);
        }
    }

    #[test]
    fn accessors_and_with_target() {
        let r = Reference::parse("localhost:5000/hello:v1").unwrap();
        assert_eq!(r.registry(), "localhost:5000");
        assert_eq!(r.repository(), "hello");
        assert_eq!(r.tag(), Some("v1"));
        assert_eq!(r.digest(), None);
        assert_eq!(r.target(), Some(&ReferenceTarget::Tag("v1".to_owned())));
        assert_eq!(r.reference_string(), "v1");

        let by_digest = r.with_target(Some(ReferenceTarget::Digest(digest())));
        assert_eq!(by_digest.tag(), None);
        assert_eq!(by_digest.digest(), Some(&digest()));
        assert_eq!(by_digest.reference_string(), VALID_DIGEST);
        assert_eq!(
            by_digest.to_string(),
            format!("localhost:5000/hello@{VALID_DIGEST}")
        );

        let bare = r.with_target(None);
        assert_eq!(bare.target(), None);
        assert_eq!(bare.reference_string(), "");
        assert_eq!(bare.to_string(), "localhost:5000/hello");

        let unchecked = r.with_target(Some(ReferenceTarget::Tag("not valid".to_owned())));
        assert!(unchecked.validate().is_err());
        assert!(r.validate().is_ok());
    }

    #[test]
    fn target_from_str() {
        assert_eq!(
            "v1".parse::<ReferenceTarget>().unwrap(),
            ReferenceTarget::Tag("v1".to_owned())
        );
        assert_eq!(
            VALID_DIGEST.parse::<ReferenceTarget>().unwrap(),
            ReferenceTarget::Digest(digest())
        );
        assert!(INVALID_DIGEST.parse::<ReferenceTarget>().is_err());
        assert!("bad tag".parse::<ReferenceTarget>().is_err());
        assert_eq!(ReferenceTarget::Digest(digest()).to_string(), VALID_DIGEST);
    }

    #[test]
    fn equal_references_hash_equal() {
        use std::collections::HashSet;
        let a: Reference = "localhost/a:v1".parse().unwrap();
        let b: Reference = "localhost/a:v1".parse().unwrap();
        let c: Reference = "localhost/a:v2".parse().unwrap();
        let set: HashSet<_> = [a, b, c].into_iter().collect();
        assert_eq!(set.len(), 2);
    }
}
