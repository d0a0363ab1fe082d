//! Manifest endpoints: `GET`/`HEAD`/`PUT`/`DELETE
//! /v2/<name>/manifests/<reference>` (end-3, end-7, end-9).
//!
//! A push is checked as a strict registry would (spec "Pushing
//! Manifests"): the body is JSON of a known manifest type, at most
//! [`FakeConfig::max_manifest_size`](super::FakeConfig) (413 above), its
//! `mediaType` agrees with `Content-Type`, a digest reference matches the
//! bytes, embedded `data` matches its descriptor, and every referenced blob
//! (or child manifest of an index) exists with the described size —
//! except `subject`, which may be missing. The bytes are stored exactly.

use bytes::Bytes;
use http::StatusCode;
use http::header::CONTENT_TYPE;
use oras_spec::{
    Algorithm, ArtifactManifest, Descriptor, Digest, Index, Manifest, Reference, media_type,
};

use super::blobs::{digest_header, parse_digest};
use super::body::{self, Resp};
use super::config::TagDelete;
use super::errors::ErrorCode;
use super::exchange::{Abort, Exchange, append_header, set_header};

/// A manifest reference from the path.
enum Ref {
    Tag(String),
    Digest(Digest),
}

/// Parses a reference: a digest when it has `:`, else a tag. An invalid
/// tag is reported as `Err(None)`, an invalid digest as its 400 answer.
fn parse_reference(reference: &str) -> Result<Ref, Option<Resp>> {
    if reference.contains(':') {
        parse_digest(reference).map(Ref::Digest).map_err(Some)
    } else if Reference::validate_tag(reference).is_ok() {
        Ok(Ref::Tag(reference.to_owned()))
    } else {
        Err(None)
    }
}

fn unknown(name: &str, reference: &str) -> Resp {
    body::error(
        StatusCode::NOT_FOUND,
        ErrorCode::ManifestUnknown,
        &format!("manifest {reference} unknown to repository {name}"),
    )
}

fn invalid(detail: &str) -> Resp {
    body::error(StatusCode::BAD_REQUEST, ErrorCode::ManifestInvalid, detail)
}

/// `GET`/`HEAD`: the stored bytes with their media type.
pub(crate) fn get(ex: &Exchange, name: &str, reference: &str) -> Resp {
    match parse_reference(reference) {
        Ok(_) => {}
        Err(Some(resp)) => return resp,
        // Not a valid tag, so no such manifest (the conformance suite
        // expects 404 for `.INVALID_MANIFEST_NAME`).
        Err(None) => return unknown(name, reference),
    }
    let Some(manifest) = ex.shared.lock().manifest(name, reference) else {
        return unknown(name, reference);
    };
    let len = manifest.bytes.len();
    let mut resp = body::with_body(StatusCode::OK, &manifest.media_type, manifest.bytes);
    digest_header(
        &mut resp,
        ex.config().manifest_digest_header,
        &manifest.digest,
    );
    if ex.is_head() {
        return body::head_of(resp, len);
    }
    resp
}

/// `PUT`: validate, store, answer 201.
pub(crate) async fn put(ex: &mut Exchange, name: &str, reference: &str) -> Result<Resp, Abort> {
    let by_digest = match parse_reference(reference) {
        Ok(Ref::Digest(digest)) => Some(digest),
        Ok(Ref::Tag(_)) => None,
        Err(Some(resp)) => return Ok(resp),
        Err(None) => return Ok(invalid(&format!("invalid tag {reference:?}"))),
    };
    // end-7b (`main`): `?tag=` parameters tag the pushed manifest too.
    let mut tags: Vec<String> = Vec::new();
    for tag in ex.query.get_all("tag") {
        if Reference::validate_tag(tag).is_err() {
            return Ok(invalid(&format!("invalid tag {tag:?}")));
        }
        tags.push(tag.to_owned());
    }
    let extra_tags = tags.clone();
    if by_digest.is_none() {
        tags.insert(0, reference.to_owned());
    }

    let Some(bytes) = ex.body.read_limited(ex.config().max_manifest_size).await? else {
        return Ok(body::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::ManifestInvalid,
            "manifest exceeds the size limit",
        ));
    };
    let content_type = ex
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_owned());
    let checked = match check(content_type.as_deref(), &bytes) {
        Ok(checked) => checked,
        Err(resp) => return Ok(resp),
    };

    let algorithm = by_digest
        .as_ref()
        .map_or(Algorithm::Sha256, Digest::algorithm);
    let digest = Digest::compute(algorithm, &bytes);
    if let Some(expected) = &by_digest
        && *expected != digest
    {
        return Ok(body::error(
            StatusCode::BAD_REQUEST,
            ErrorCode::DigestInvalid,
            &format!("manifest digest {digest} does not match {expected}"),
        ));
    }
    if ex.config().manifest_blob_check
        && let Err(resp) = check_references(ex, name, &checked)
    {
        return Ok(resp);
    }

    ex.shared
        .lock()
        .put_manifest(name, digest.clone(), &checked.media_type, bytes, &tags);

    let mut resp = body::status(StatusCode::CREATED);
    set_header(
        &mut resp,
        "location",
        &ex.location(&format!("/v2/{name}/manifests/{digest}")),
    );
    set_header(&mut resp, "docker-content-digest", &digest.to_string());
    let config = ex.config();
    if let Some(subject) = &checked.subject
        && config.referrers_api
        && config.oci_subject_header
    {
        set_header(&mut resp, "oci-subject", &subject.to_string());
    }
    for tag in &extra_tags {
        append_header(&mut resp, "oci-tag", tag);
    }
    Ok(resp)
}

/// What a checked manifest refers to.
struct Checked {
    media_type: String,
    subject: Option<Digest>,
    /// Descriptors of blobs that must exist.
    blobs: Vec<Descriptor>,
    /// Descriptors of manifests that must exist (an index's children).
    manifests: Vec<Descriptor>,
}

/// Checks the body against its media type; the references to verify.
fn check(content_type: Option<&str>, bytes: &[u8]) -> Result<Checked, Resp> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|err| invalid(&format!("manifest is not JSON: {err}")))?;
    let Some(object) = value.as_object() else {
        return Err(invalid("manifest is not a JSON object"));
    };
    let body_type = object.get("mediaType").and_then(|v| v.as_str());
    let media_type = match (content_type, body_type) {
        (Some(header), Some(body)) if header != body => {
            return Err(invalid(&format!(
                "Content-Type {header:?} does not match mediaType {body:?}"
            )));
        }
        (Some(header), _) => header.to_owned(),
        (None, Some(body)) => body.to_owned(),
        (None, None) => return Err(invalid("no Content-Type and no mediaType")),
    };
    if !media_type::is_manifest(&media_type) {
        return Err(invalid(&format!(
            "unsupported manifest media type {media_type:?}"
        )));
    }
    let parse_error = |err: serde_json::Error| invalid(&format!("invalid {media_type}: {err}"));
    let mut checked = Checked {
        media_type: media_type.clone(),
        subject: None,
        blobs: Vec::new(),
        manifests: Vec::new(),
    };
    match media_type.as_str() {
        media_type::IMAGE_INDEX | media_type::DOCKER_MANIFEST_LIST => {
            let index: Index = serde_json::from_slice(bytes).map_err(parse_error)?;
            schema_version(index.schema_version)?;
            checked.subject = index.subject.map(|s| s.digest);
            checked.manifests = index.manifests;
        }
        media_type::ARTIFACT_MANIFEST => {
            let artifact: ArtifactManifest = serde_json::from_slice(bytes).map_err(parse_error)?;
            checked.subject = artifact.subject.map(|s| s.digest);
            checked.blobs = artifact.blobs;
        }
        _ => {
            let manifest: Manifest = serde_json::from_slice(bytes).map_err(parse_error)?;
            schema_version(manifest.schema_version)?;
            checked.subject = manifest.subject.map(|s| s.digest);
            checked.blobs.push(manifest.config);
            // Non-distributable layers live elsewhere (their `urls`).
            checked.blobs.extend(
                manifest
                    .layers
                    .into_iter()
                    .filter(|l| l.urls.is_empty() && !media_type::is_foreign_layer(&l.media_type)),
            );
        }
    }
    for desc in checked.blobs.iter().chain(&checked.manifests) {
        if let Some(data) = &desc.data
            && (data.len() as u64 != desc.size || !desc.digest.verifies(data))
        {
            return Err(invalid(&format!(
                "embedded data does not match {}",
                desc.digest
            )));
        }
    }
    Ok(checked)
}

fn schema_version(version: u32) -> Result<(), Resp> {
    if version == 2 {
        Ok(())
    } else {
        Err(invalid(&format!("schemaVersion {version} is not 2")))
    }
}

/// Every referenced blob and child manifest exists with its size.
fn check_references(ex: &Exchange, name: &str, checked: &Checked) -> Result<(), Resp> {
    let state = ex.shared.lock();
    let repo = state.repos.get(name);
    let missing = |desc: &Descriptor| {
        body::error(
            StatusCode::BAD_REQUEST,
            ErrorCode::ManifestBlobUnknown,
            &format!("{} unknown to repository {name}", desc.digest),
        )
    };
    let wrong_size = |desc: &Descriptor, actual: usize| {
        invalid(&format!(
            "descriptor of {} says {} bytes, the content has {actual}",
            desc.digest, desc.size
        ))
    };
    for desc in &checked.blobs {
        let size = repo.and_then(|r| r.blobs.get(&desc.digest)).map(Bytes::len);
        match size {
            None => return Err(missing(desc)),
            Some(size) if size as u64 != desc.size => return Err(wrong_size(desc, size)),
            Some(_) => {}
        }
    }
    for desc in &checked.manifests {
        let size = repo
            .and_then(|r| r.manifests.get(&desc.digest))
            .map(|m| m.bytes.len());
        match size {
            None => return Err(missing(desc)),
            Some(size) if size as u64 != desc.size => return Err(wrong_size(desc, size)),
            Some(_) => {}
        }
    }
    Ok(())
}

/// `DELETE`: by digest removes the manifest and every tag on it; by tag
/// removes the tag when [`TagDelete::Allow`], else refuses.
pub(crate) fn delete(ex: &Exchange, name: &str, reference: &str) -> Resp {
    let unsupported = |status, detail: &str| body::error(status, ErrorCode::Unsupported, detail);
    let target = match parse_reference(reference) {
        Ok(target) => target,
        Err(Some(resp)) => return resp,
        Err(None) => return unknown(name, reference),
    };
    let mut state = ex.shared.lock();
    let removed = match target {
        Ref::Digest(digest) => {
            if !ex.config().manifest_delete {
                return unsupported(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "manifest deletion is disabled",
                );
            }
            state
                .repos
                .get_mut(name)
                .and_then(|repo| {
                    let removed = repo.manifests.remove(&digest)?;
                    repo.tags.retain(|_, d| *d != digest);
                    Some(removed)
                })
                .is_some()
        }
        Ref::Tag(tag) => match ex.config().tag_delete {
            TagDelete::Allow => state
                .repos
                .get_mut(name)
                .and_then(|repo| repo.tags.remove(&tag))
                .is_some(),
            TagDelete::RefuseBadRequest => {
                return unsupported(StatusCode::BAD_REQUEST, "tag deletion is disabled");
            }
            TagDelete::RefuseMethodNotAllowed => {
                return unsupported(StatusCode::METHOD_NOT_ALLOWED, "tag deletion is disabled");
            }
        },
    };
    state.forget_if_empty(name);
    drop(state);
    if removed {
        body::status(StatusCode::ACCEPTED)
    } else {
        unknown(name, reference)
    }
}
