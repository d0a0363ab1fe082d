//! The header rules for descriptors built from responses, as oras-go
//! applies them (`registry/remote/repository.go`
//! `generateDescriptor`, `generateBlobDescriptor`, `verifyContentDigest`):
//!
//! | request | `Docker-Content-Digest` absent | present, equal | present, different | unparsable |
//! |---|---|---|---|---|
//! | HEAD manifest by tag | error | used | (used) | error |
//! | GET manifest by tag | digest of the body (≤ 4 MiB) | used | (used) | error |
//! | any request by digest | the requested digest | ok | error | error |
//!
//! The size comes from `Content-Length`, which a descriptor needs
//! (missing → error); where the caller already knows the size, a declared
//! length must equal it.

use oras_content::ErrorKind;
use oras_spec::{Descriptor, Digest, media_type};

use crate::error::Error;
use crate::remote::Answer;

/// The `Docker-Content-Digest` header.
pub(crate) const DOCKER_CONTENT_DIGEST: &str = "docker-content-digest";

/// The parsed `Docker-Content-Digest`, `None` when absent.
pub(crate) fn header_digest(answer: &Answer) -> Result<Option<Digest>, Error> {
    let Some(raw) = answer.headers().get(DOCKER_CONTENT_DIGEST) else {
        return Ok(None);
    };
    let parsed = raw
        .to_str()
        .ok()
        .and_then(|text| text.trim().parse::<Digest>().ok());
    match parsed {
        Some(digest) => Ok(Some(digest)),
        None => Err(answer.protocol(
            ErrorKind::InvalidDigest,
            format!("invalid response header {DOCKER_CONTENT_DIGEST}: {raw:?}"),
        )),
    }
}

/// oras-go `verifyContentDigest`: an absent header is accepted; an
/// unparsable or different one is an error.
pub(crate) fn verify_header_digest(answer: &Answer, expected: &Digest) -> Result<(), Error> {
    match header_digest(answer)? {
        Some(got) if got != *expected => Err(answer.protocol(
            ErrorKind::DigestMismatch,
            format!("{DOCKER_CONTENT_DIGEST} header {got} does not match digest {expected}"),
        )),
        _ => Ok(()),
    }
}

/// The required `Content-Length`.
pub(crate) fn required_length(answer: &Answer) -> Result<u64, Error> {
    answer.content_length().ok_or_else(|| {
        answer.protocol(ErrorKind::InvalidContent, "unknown response Content-Length")
    })
}

/// A declared `Content-Length` must be `expected`.
pub(crate) fn check_length(answer: &Answer, expected: u64) -> Result<(), Error> {
    match answer.content_length() {
        Some(length) if length != expected => Err(answer.protocol(
            ErrorKind::SizeMismatch,
            format!("mismatch Content-Length: expected {expected}, got {length}"),
        )),
        _ => Ok(()),
    }
}

/// The media type of `Content-Type`, without parameters.
pub(crate) fn content_type(answer: &Answer) -> Option<String> {
    let value = answer.header("content-type")?;
    let essence = value.split(';').next().unwrap_or_default().trim();
    (!essence.is_empty()).then(|| essence.to_ascii_lowercase())
}

/// What a manifest response says about its digest.
pub(crate) enum ManifestDigest {
    /// Known from the header or the request.
    Known(Digest),
    /// A GET by tag without the header: hash the body.
    FromBody,
}

/// The digest rules of a manifest response to a request by tag
/// (`ref_digest` `None`) or by digest.
pub(crate) fn manifest_digest(
    answer: &Answer,
    ref_digest: Option<&Digest>,
) -> Result<ManifestDigest, Error> {
    let header = header_digest(answer)?;
    match (ref_digest, header) {
        (None, Some(digest)) => Ok(ManifestDigest::Known(digest)),
        (None, None) if answer.method == http::Method::HEAD => Err(answer.protocol(
            ErrorKind::InvalidContent,
            format!("HTTP HEAD request missing required header {DOCKER_CONTENT_DIGEST:?}"),
        )),
        (None, None) => Ok(ManifestDigest::FromBody),
        (Some(want), Some(got)) if got != *want => Err(answer.protocol(
            ErrorKind::DigestMismatch,
            format!("{DOCKER_CONTENT_DIGEST} header {got} does not match digest {want}"),
        )),
        (Some(want), _) => Ok(ManifestDigest::Known(want.clone())),
    }
}

/// The media type of a manifest response (`Content-Type` required).
pub(crate) fn manifest_media_type(answer: &Answer) -> Result<String, Error> {
    content_type(answer).ok_or_else(|| {
        answer.protocol(
            ErrorKind::InvalidMediaType,
            "missing or invalid response Content-Type",
        )
    })
}

/// oras-go `generateBlobDescriptor`: type from `Content-Type` (else
/// octet-stream), size from `Content-Length` (required), digest checked.
pub(crate) fn blob_descriptor(answer: &Answer, digest: &Digest) -> Result<Descriptor, Error> {
    let media_type = content_type(answer).unwrap_or_else(|| media_type::OCTET_STREAM.to_owned());
    let size = required_length(answer)?;
    verify_header_digest(answer, digest)?;
    Ok(Descriptor::new(media_type, digest.clone(), size))
}
