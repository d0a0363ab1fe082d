//! Blob download: `GET /blobs/<digest>` (redirects to a CDN are followed
//! by the client stack, without credentials), streamed to the caller
//! through a verifying [`BlobReader`], so the stream ends only once size
//! and digest verified: one stream resumed when cut (`blob_stream.rs`),
//! or, for a large blob whose first response advertised ranges and whose
//! first bytes came slowly, ranges over several connections
//! (`ranged_fetch.rs`).

use futures::stream;
use http::header::{HeaderValue, RANGE};
use http::{HeaderMap, Method, StatusCode};
use oras_content::BlobReader;
use oras_spec::Descriptor;
use url::Url;

use super::Repository;
use super::blob_stream::Download;
use super::ranged_fetch::{ranged_chunks, use_ranges};
use super::response::{check_length, verify_header_digest};
use crate::error::Error;
use crate::remote::Answer;

impl Repository {
    /// Starts the download of `desc`.
    pub(crate) async fn fetch_blob(&self, desc: &Descriptor) -> oras_content::Result<BlobReader> {
        let url = self.url(&format!("blobs/{}", desc.digest))?;
        let answer = self.get_blob(&url, None).await?;
        let answer = answer
            .expect_found(StatusCode::OK, || desc.digest.to_string())
            .await?;
        check_length(&answer, desc.size)?;
        verify_header_digest(&answer, &desc.digest)?;
        let ranges = answer
            .header("accept-ranges")
            .is_some_and(|v| v.split(',').any(|u| u.trim().eq_ignore_ascii_case("bytes")));
        let body = answer.response.into_body();
        let download = Download::new(self.clone(), url.clone(), body, desc.size, ranges);
        if use_ranges(self, desc.size, ranges) {
            let chunks = ranged_chunks(self, url, desc.size, download);
            return Ok(BlobReader::from_stream(chunks).verified(desc));
        }
        let chunks = stream::unfold(download, |mut d| async move {
            let item = d.next_chunk().await?;
            Some((item, d))
        });
        // The body's chunks pass on uncopied.
        Ok(BlobReader::from_stream(chunks).verified(desc))
    }

    /// `GET url`, with `Range: bytes=<from>-<to>` when given.
    pub(super) async fn get_blob(
        &self,
        url: &Url,
        range_from: Option<(u64, u64)>,
    ) -> Result<Answer, Error> {
        let mut headers = HeaderMap::new();
        if let Some((from, to)) = range_from
            && let Ok(value) = HeaderValue::from_str(&format!("bytes={from}-{to}"))
        {
            headers.insert(RANGE, value);
        }
        self.remote()
            .send_empty(Method::GET, url, headers, &self.pull_scopes())
            .await
    }
}
