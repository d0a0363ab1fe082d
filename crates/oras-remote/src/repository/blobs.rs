//! Blobs: resolve (HEAD), and cross-repository mount
//! (`POST /blobs/uploads/?mount=<digest>&from=<repo>`), with or without
//! pushing the content when the registry does not mount. Fetch and push
//! live in `blob_fetch.rs` and `upload.rs`.

use http::header::{CONTENT_LENGTH, HeaderValue};
use http::{HeaderMap, Method, StatusCode};
use oras_auth::Action;
use oras_spec::{Descriptor, Digest};

use url::Url;

use super::Repository;
use super::response::{blob_descriptor, verify_header_digest};
use super::upload::BlobSource;
use crate::error::Error;

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

    /// Mounts `desc` from `from_repository`, pushing it when the registry
    /// does not mount (oras-go `Repository.Mount(ctx, desc, fromRepo,
    /// getContent)`): a 201 means mounted (the digest header checked); a
    /// 202 opened an upload session instead (distribution-spec "Mounting
    /// a blob from another repository"), into which the content is put
    /// monolithically, read from `content` when given, else fetched from
    /// `from_repository` (verified as it streams).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use oras_spec::Descriptor;
    ///
    /// # async fn example(repository: oras_remote::Repository) -> oras_content::Result<()> {
    /// let layer = Bytes::from_static(b"layer");
    /// let desc = Descriptor::from_bytes("application/vnd.oci.image.layer.v1.tar", &layer);
    /// // Mounted from "library/base", or uploaded from `layer` if the registry will not.
    /// repository.mount_with_fallback(&desc, "library/base", Some(&layer)).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The registry's error response for the mount or the upload; a
    /// failure to read the content is [`Error::MountSource`].
    pub async fn mount_with_fallback(
        &self,
        desc: &Descriptor,
        from_repository: &str,
        content: Option<&dyn BlobSource>,
    ) -> oras_content::Result<()> {
        let location = match self.request_mount(desc, from_repository).await? {
            Mount::Mounted => return Ok(()),
            Mount::Session(location) => location,
        };
        let reader = match content {
            Some(source) => source.open().await,
            None => match self.sibling(from_repository) {
                Ok(sibling) => sibling.fetch_blob(desc).await,
                Err(e) => Err(e.into()),
            },
        };
        let reader = reader.map_err(|source| Error::MountSource {
            source: Box::new(source),
        })?;
        self.upload_monolithic(desc, &location, reader).await
    }

    /// Mounts `desc` from `from_repository`: 201 means mounted (the digest
    /// header checked); 202 means the registry opened an upload instead,
    /// which is cancelled, and the answer is `false`.
    pub(crate) async fn mount_blob(
        &self,
        desc: &Descriptor,
        from_repository: &str,
    ) -> oras_content::Result<bool> {
        let location = match self.request_mount(desc, from_repository).await? {
            Mount::Mounted => return Ok(true),
            Mount::Session(location) => location,
        };
        // Not mounted: cancel the session the registry opened; a failed
        // cancel only leaves a session the registry expires.
        let _ = self
            .remote()
            .send_empty(
                Method::DELETE,
                &location,
                HeaderMap::new(),
                &self.push_scopes(),
            )
            .await;
        Ok(false)
    }

    /// Another repository of the same registry, with the same client and
    /// options.
    fn sibling(&self, name: &str) -> Result<Repository, Error> {
        Repository::open(
            self.inner.registry.clone(),
            name,
            self.inner.remote.clone(),
            self.inner.options.clone(),
        )
    }

    /// `POST /blobs/uploads/?mount=<digest>&from=<repository>`.
    async fn request_mount(
        &self,
        desc: &Descriptor,
        from_repository: &str,
    ) -> oras_content::Result<Mount> {
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
                Ok(Mount::Mounted)
            }
            StatusCode::ACCEPTED => Ok(Mount::Session(self.upload_location(&answer)?)),
            _ => Err(answer.into_error().await.into()),
        }
    }
}

/// What a mount request did.
enum Mount {
    /// The blob is in the repository now.
    Mounted,
    /// The registry opened an upload session at this location instead.
    Session(Url),
}
