//! Manifests: resolve (HEAD), fetch by descriptor or reference (GET), push
//! (PUT, 201), delete (DELETE, 202), tag (fetch + PUT under the tag).
//! Manifests are read whole, under the metadata cap, and verified before
//! any byte is handed out.

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, Method, StatusCode};
use oras_auth::Body;
use oras_content::{BlobReader, ErrorKind, read_all, verify_bytes};
use oras_spec::{Descriptor, Digest, ReferenceTarget};

use super::Repository;
use super::response::{
    ManifestDigest, check_length, manifest_digest, manifest_media_type, required_length,
    verify_header_digest,
};
use crate::remote::Answer;

/// The response header a registry that supports referrers sets on a
/// manifest PUT with a subject.
const OCI_SUBJECT: &str = "oci-subject";

impl Repository {
    fn manifest_accept(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let list = self.inner.options.manifest_media_types.join(", ");
        if let Ok(value) = HeaderValue::from_str(&list) {
            headers.insert(ACCEPT, value);
        }
        headers
    }

    fn size_limit(&self, desc: &Descriptor) -> Result<(), oras_content::Error> {
        let limit = self.inner.options.max_metadata_bytes;
        if desc.size > limit {
            return Err(oras_content::Error::SizeExceedsLimit {
                size: desc.size,
                limit,
            });
        }
        Ok(())
    }

    /// `HEAD /manifests/<reference>` with the Accept list.
    pub(crate) async fn resolve_manifest(
        &self,
        target: &ReferenceTarget,
    ) -> oras_content::Result<Descriptor> {
        let url = self.url(&format!("manifests/{target}"))?;
        let answer = self
            .remote()
            .send_empty(
                Method::HEAD,
                &url,
                self.manifest_accept(),
                &self.pull_scopes(),
            )
            .await?;
        let answer = answer
            .expect_found(StatusCode::OK, || self.reference_text(target))
            .await?;
        let media_type = manifest_media_type(&answer)?;
        let size = required_length(&answer)?;
        match manifest_digest(&answer, target.as_digest())? {
            ManifestDigest::Known(digest) => Ok(Descriptor::new(media_type, digest, size)),
            // A HEAD never asks for the body: manifest_digest refuses it.
            ManifestDigest::FromBody => Err(answer
                .protocol(ErrorKind::InvalidContent, "no digest for HEAD response")
                .into()),
        }
    }

    /// `GET /manifests/<digest>` with `Accept: desc.media_type`; the
    /// response type must equal it, the length and digest must match.
    pub(crate) async fn fetch_manifest(
        &self,
        desc: &Descriptor,
    ) -> oras_content::Result<BlobReader> {
        let bytes = self.fetch_manifest_bytes(desc).await?;
        Ok(oras_content::bytes_reader(bytes))
    }

    pub(crate) async fn fetch_manifest_bytes(
        &self,
        desc: &Descriptor,
    ) -> oras_content::Result<Bytes> {
        self.size_limit(desc)?;
        let url = self.url(&format!("manifests/{}", desc.digest))?;
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&desc.media_type) {
            headers.insert(ACCEPT, value);
        }
        let answer = self
            .remote()
            .send_empty(Method::GET, &url, headers, &self.pull_scopes())
            .await?;
        let mut answer = answer
            .expect_found(StatusCode::OK, || desc.digest.to_string())
            .await?;
        let media_type = manifest_media_type(&answer)?;
        if media_type != desc.media_type {
            return Err(answer
                .protocol(
                    ErrorKind::InvalidMediaType,
                    format!(
                        "mismatch response Content-Type {media_type:?}: expected {:?}",
                        desc.media_type
                    ),
                )
                .into());
        }
        check_length(&answer, desc.size)?;
        verify_header_digest(&answer, &desc.digest)?;
        let body = answer
            .read_body(self.inner.options.max_metadata_bytes)
            .await?;
        verify_bytes(&body, desc)?;
        Ok(body)
    }

    /// `GET /manifests/<reference>` with the Accept list: the descriptor
    /// from the headers (the digest from `Docker-Content-Digest`, the
    /// requested digest, or the body) and the verified content.
    pub(crate) async fn fetch_manifest_reference(
        &self,
        target: &ReferenceTarget,
    ) -> oras_content::Result<(Descriptor, Bytes)> {
        let url = self.url(&format!("manifests/{target}"))?;
        let answer = self
            .remote()
            .send_empty(
                Method::GET,
                &url,
                self.manifest_accept(),
                &self.pull_scopes(),
            )
            .await?;
        let mut answer = answer
            .expect_found(StatusCode::OK, || self.reference_text(target))
            .await?;
        let media_type = manifest_media_type(&answer)?;
        let declared = answer.content_length();
        let limit = self.inner.options.max_metadata_bytes;
        if let Some(size) = declared
            && size > limit
        {
            return Err(oras_content::Error::SizeExceedsLimit { size, limit });
        }
        let digest_rule = manifest_digest(&answer, target.as_digest())?;
        let body = answer.read_body(limit).await?;
        let size = declared.unwrap_or(body.len() as u64);
        let digest = match digest_rule {
            ManifestDigest::Known(digest) => digest,
            ManifestDigest::FromBody => Digest::sha256(&body),
        };
        let desc = Descriptor::new(media_type, digest, size);
        verify_bytes(&body, &desc)?;
        Ok((desc, body))
    }

    /// `PUT /manifests/<reference>` of verified bytes; 201 required.
    pub(crate) async fn put_manifest(
        &self,
        expected: &Descriptor,
        body: Bytes,
        reference: &str,
    ) -> oras_content::Result<()> {
        let url = self.url(&format!("manifests/{reference}"))?;
        let mut headers = HeaderMap::new();
        let content_type = HeaderValue::from_str(&expected.media_type).map_err(|_| {
            oras_content::Error::from(oras_spec::Error::InvalidMediaType(
                expected.media_type.clone(),
            ))
        })?;
        headers.insert(CONTENT_TYPE, content_type);
        headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        let answer = self
            .remote()
            .send(
                Method::PUT,
                &url,
                headers,
                Body::full(body),
                &self.push_scopes(),
            )
            .await?;
        let answer = answer.expect(StatusCode::CREATED).await?;
        verify_header_digest(&answer, &expected.digest)?;
        if answer.headers().contains_key(OCI_SUBJECT) {
            self.detect_referrers_capability(true);
        }
        Ok(())
    }

    /// Reads a manifest to push (under the cap, verified), PUTs it under
    /// `reference` and keeps the referrers index up to date.
    pub(crate) async fn push_manifest(
        &self,
        expected: &Descriptor,
        content: BlobReader,
        reference: &str,
    ) -> oras_content::Result<()> {
        self.size_limit(expected)?;
        let body =
            Bytes::from(read_all(content, expected, self.inner.options.max_metadata_bytes).await?);
        self.put_manifest(expected, body.clone(), reference).await?;
        self.index_referrers_for_push(expected, &body).await
    }

    /// `DELETE /manifests/<digest>` or `/blobs/<digest>`: 202 required,
    /// 404 is `NotFound`.
    pub(crate) async fn delete_raw(
        &self,
        target: &Descriptor,
        manifest: bool,
    ) -> oras_content::Result<()> {
        let kind = if manifest { "manifests" } else { "blobs" };
        let url = self.url(&format!("{kind}/{}", target.digest))?;
        let answer = self
            .remote()
            .send_empty(
                Method::DELETE,
                &url,
                HeaderMap::new(),
                &self.delete_scopes(),
            )
            .await?;
        let answer: Answer = answer
            .expect_found(StatusCode::ACCEPTED, || target.digest.to_string())
            .await?;
        verify_header_digest(&answer, &target.digest)?;
        Ok(())
    }

    /// Deletes a manifest, first removing it from its subject's referrers
    /// index when the registry has no referrers API.
    pub(crate) async fn delete_manifest(&self, target: &Descriptor) -> oras_content::Result<()> {
        if self.referrers_capability() != Some(true) && has_subject_type(&target.media_type) {
            let body = self.fetch_manifest_bytes(target).await?;
            self.index_referrers_for_delete(target, &body).await?;
        }
        self.delete_raw(target, true).await
    }

    /// Tags a manifest: fetch its bytes by digest, PUT them under `tag`.
    pub(crate) async fn tag_manifest(
        &self,
        desc: &Descriptor,
        reference: &str,
    ) -> oras_content::Result<()> {
        let target = self.parse_reference(reference)?;
        let bytes = self.fetch_manifest_bytes(desc).await?;
        self.put_manifest(desc, bytes, &target.to_string()).await
    }
}

/// Whether manifests of this type may carry a `subject`.
pub(crate) fn has_subject_type(media_type: &str) -> bool {
    matches!(
        media_type,
        oras_spec::media_type::IMAGE_MANIFEST
            | oras_spec::media_type::IMAGE_INDEX
            | oras_spec::media_type::ARTIFACT_MANIFEST
    )
}
