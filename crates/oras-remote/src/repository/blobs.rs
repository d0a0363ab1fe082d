//! Blobs: resolve (HEAD), and cross-repository mount
//! (`POST /blobs/uploads/?mount=<digest>&from=<repo>`). Fetch and push
//! live in `blob_fetch.rs` and `upload.rs`.

use http::header::{CONTENT_LENGTH, HeaderValue};
use http::{HeaderMap, Method, StatusCode};
use oras_auth::Action;
use oras_spec::{Descriptor, Digest};

use super::Repository;
use super::response::{blob_descriptor, verify_header_digest};

impl Repository {
    /// The descriptor of the blob `digest` from `HEAD /blobs/<digest>`
    /// (oras-go `Repository.Blobs().Resolve`): the size from
    /// `Content-Length`, the type from `Content-Type`
    /// (`application/octet-stream` when absent), a `Docker-Content-Digest`
    /// checked; a 404 is `NotFound` (`<registry>/<name>@<digest>: not found`).
    ///
    /// # Errors
    /// `NotFound`, the registry's error response, or a header that breaks
    /// the protocol.
    pub async fn resolve_blob(&self, digest: &Digest) -> oras_content::Result<Descriptor> {
        let url = self.url(&format!("blobs/{digest}"))?;
        let answer = self
            .remote()
            .send_empty(Method::HEAD, &url, HeaderMap::new(), &self.pull_scopes())
            .await?;
        let answer = answer
            .expect_found(StatusCode::OK, || {
                format!("{}/{}@{digest}", self.registry(), self.name())
            })
            .await?;
        Ok(blob_descriptor(&answer, digest)?)
    }

    /// Mounts `desc` from `from_repository`: 201 means mounted (the digest
    /// header checked); 202 means the registry opened an upload instead,
    /// which is cancelled, and the answer is `false`.
    pub(crate) async fn mount_blob(
        &self,
        desc: &Descriptor,
        from_repository: &str,
    ) -> oras_content::Result<bool> {
        let mut url = self.url("blobs/uploads/")?;
        url.query_pairs_mut()
            .append_pair("mount", &desc.digest.to_string())
            .append_pair("from", from_repository);
        let mut scopes = self.push_scopes().0;
        scopes.push(oras_auth::Scope::repository(
            from_repository,
            &[Action::Pull],
        ));
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, HeaderValue::from(0));
        let answer = self
            .remote()
            .send_empty(Method::POST, &url, headers, &oras_auth::Scopes(scopes))
            .await?;
        match answer.status() {
            StatusCode::CREATED => {
                verify_header_digest(&answer, &desc.digest)?;
                Ok(true)
            }
            StatusCode::ACCEPTED => {
                // Not mounted: cancel the session the registry opened; a
                // failed cancel only leaves a session the registry expires.
                if let Ok(location) = self.upload_location(&answer) {
                    let _ = self
                        .remote()
                        .send_empty(
                            Method::DELETE,
                            &location,
                            HeaderMap::new(),
                            &self.push_scopes(),
                        )
                        .await;
                }
                Ok(false)
            }
            _ => Err(answer.into_error().await.into()),
        }
    }
}
