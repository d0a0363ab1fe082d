//! Blob uploads in every flavour the spec allows, and the checks every
//! successful upload and every stored blob get.

use bytes::Bytes;
use http::Method;
use http::header::{ACCEPT, CONTENT_RANGE, CONTENT_TYPE};
use oras_spec::{Algorithm, Digest};
use url::Url;

use super::Suite;
use crate::http::{Request, Response};
use crate::outcome::{Step, Stop, describe, ensure, expect_status, fail};
use crate::runner::Check;

const OCTET: &str = "application/octet-stream";

/// A blob of a test, with its digest.
#[derive(Clone, Debug)]
pub(crate) struct BlobData {
    pub(crate) digest: Digest,
    pub(crate) data: Bytes,
}

impl BlobData {
    pub(crate) fn new(algorithm: Algorithm, data: impl Into<Bytes>) -> BlobData {
        let data = data.into();
        BlobData {
            digest: Digest::compute(algorithm, &data),
            data,
        }
    }
}

/// How a blob is uploaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavour {
    /// `POST ?digest=` with the body (202 falls back to PUT: Skip).
    PostOnly,
    /// `POST`, then `PUT ?digest=` with the body.
    PostPut,
    /// `POST`, one `PATCH` with `Content-Range`, empty `PUT`.
    ChunkedSingle,
    /// `POST`, one `PATCH` without `Content-Range`, empty `PUT`.
    Stream,
    /// Three `PATCH`es, empty `PUT`.
    ChunkedMulti,
    /// Two `PATCH`es, the last chunk in the `PUT`.
    ChunkedMultiPutChunk,
    /// Chunk 1, chunk 3 (416), status (204), chunks 2 and 3, `PUT`.
    OutOfOrder,
    /// As `OutOfOrder`, the last chunk in the `PUT`.
    OutOfOrderPutChunk,
}

/// Resolves the `Location` of `resp` (required).
pub(crate) fn location(resp: &Response) -> Step<Url> {
    resp.location().ok_or_else(|| {
        Stop::Fail(format!(
            "expected a Location header, got {}",
            describe(resp)
        ))
    })
}

fn with_query(mut url: Url, key: &str, value: &str) -> Url {
    url.query_pairs_mut().append_pair(key, value);
    url
}

/// `Docker-Content-Digest` rules, as the redesigned runner checks them:
/// when present it must be exactly the expected digest, so a sha256
/// digest answered for a sha512 blob fails. `by_tag_content` is the
/// content of a manifest addressed by tag: the registry chose the
/// algorithm then, so that content's digest under another algorithm is
/// accepted too. When `required`, the header must be present.
pub(crate) fn check_digest_header(
    resp: &Response,
    expected: &Digest,
    by_tag_content: Option<&[u8]>,
    required: bool,
) -> Step {
    match resp.header("docker-content-digest") {
        None => ensure(!required, || "Docker-Content-Digest is missing".to_owned()),
        Some(value) if value == expected.to_string() => Ok(()),
        Some(value) => {
            let same_content = match (value.parse::<Digest>(), by_tag_content) {
                (Ok(other), Some(bytes)) => {
                    other.algorithm() != expected.algorithm() && other.verifies(bytes)
                }
                _ => false,
            };
            ensure(same_content, || {
                format!("Docker-Content-Digest is {value}, expected {expected}")
            })
        }
    }
}

/// Opens an upload session in `repo`: 202 with a `Location`; the session
/// URL and `OCI-Chunk-Min-Length`.
pub(crate) async fn open_session(
    s: &Suite<'_, '_>,
    c: &mut Check,
    repo: &str,
    algorithm: Algorithm,
) -> Step<(Url, Option<usize>)> {
    let mut url = s.url(repo, "/blobs/uploads/");
    if algorithm != Algorithm::Sha256 {
        // end-4c (`main`): announce a non-canonical algorithm.
        url = with_query(url, "digest-algorithm", algorithm.as_str());
    }
    let resp = c.send(&s.r.client, Request::new(Method::POST, url)).await?;
    expect_status(&resp, &[202])?;
    let min = match resp.header("oci-chunk-min-length") {
        Some(v) => Some(
            v.trim()
                .parse::<usize>()
                .map_err(|_| Stop::Fail(format!("OCI-Chunk-Min-Length {v:?} is not a number")))?,
        ),
        None => None,
    };
    Ok((location(&resp)?, min))
}

/// `PATCH` a chunk (with `Content-Range` when `start` is given): 202, a
/// `Location` and `Range: 0-<end>`; the next location.
async fn patch(
    s: &Suite<'_, '_>,
    c: &mut Check,
    at: Url,
    body: Bytes,
    start: Option<usize>,
    end: usize,
) -> Step<Url> {
    let mut req = Request::new(Method::PATCH, at).header(CONTENT_TYPE, OCTET);
    if let Some(start) = start {
        req = req.header(CONTENT_RANGE, format!("{start}-{}", start + body.len() - 1));
    }
    let resp = c.send(&s.r.client, req.body(body)).await?;
    expect_status(&resp, &[202])?;
    let range = resp.header("range").unwrap_or_default();
    ensure(range == format!("0-{end}"), || {
        format!("expected Range: 0-{end} after the chunk, got {range:?}")
    })?;
    location(&resp)
}

/// `PUT <at>?digest=` with an optional last chunk.
async fn close(
    s: &Suite<'_, '_>,
    c: &mut Check,
    at: Url,
    digest: &Digest,
    last: Option<(usize, Bytes)>,
) -> Step<Response> {
    let mut req = Request::new(Method::PUT, with_query(at, "digest", &digest.to_string()))
        .header(CONTENT_TYPE, OCTET);
    if let Some((start, body)) = last {
        req = req
            .header(CONTENT_RANGE, format!("{start}-{}", start + body.len() - 1))
            .body(body);
    }
    c.send(&s.r.client, req).await
}

/// The chunk size of multi-chunk uploads: 1024 bytes or the registry's
/// minimum, whichever is larger.
pub(crate) fn chunk_size(min: Option<usize>) -> usize {
    min.unwrap_or(0).max(1024)
}

/// Uploads `blob` to `repo` in `flavour`; `stored` is set once the
/// registry answered 201 (so dependent checks can run even when a header
/// assertion failed). Runs the common checks on the result.
pub(crate) async fn upload(
    s: &Suite<'_, '_>,
    c: &mut Check,
    repo: &str,
    blob: &BlobData,
    flavour: Flavour,
    stored: &mut bool,
) -> Step {
    let algorithm = blob.digest.algorithm();
    let data = blob.data.clone();
    let resp = match flavour {
        Flavour::PostOnly => {
            let url = with_query(
                s.url(repo, "/blobs/uploads/"),
                "digest",
                &blob.digest.to_string(),
            );
            let resp = c
                .send(
                    &s.r.client,
                    Request::new(Method::POST, url)
                        .header(CONTENT_TYPE, OCTET)
                        .body(data.clone()),
                )
                .await?;
            if resp.status == 202 {
                c.unsupported("the registry answered the single POST with 202 (an upload session)");
                close(s, c, location(&resp)?, &blob.digest, Some((0, data))).await?
            } else {
                resp
            }
        }
        Flavour::PostPut => {
            let (at, _) = open_session(s, c, repo, algorithm).await?;
            let req = Request::new(
                Method::PUT,
                with_query(at, "digest", &blob.digest.to_string()),
            )
            .header(CONTENT_TYPE, OCTET)
            .body(data);
            c.send(&s.r.client, req).await?
        }
        Flavour::ChunkedSingle | Flavour::Stream => {
            let (at, _) = open_session(s, c, repo, algorithm).await?;
            let start = (flavour == Flavour::ChunkedSingle).then_some(0);
            let at = patch(s, c, at, data.clone(), start, data.len().saturating_sub(1)).await?;
            close(s, c, at, &blob.digest, None).await?
        }
        Flavour::ChunkedMulti
        | Flavour::ChunkedMultiPutChunk
        | Flavour::OutOfOrder
        | Flavour::OutOfOrderPutChunk => {
            let (at, min) = open_session(s, c, repo, algorithm).await?;
            let chunks = split(&data, chunk_size(min));
            ensure(chunks.len() == 3, || {
                format!(
                    "the blob of {} bytes does not make three chunks",
                    data.len()
                )
            })?;
            let put_chunk = matches!(
                flavour,
                Flavour::ChunkedMultiPutChunk | Flavour::OutOfOrderPutChunk
            );
            let mut at = patch(
                s,
                c,
                at,
                chunks[0].1.clone(),
                Some(0),
                chunks[0].1.len() - 1,
            )
            .await?;
            if matches!(flavour, Flavour::OutOfOrder | Flavour::OutOfOrderPutChunk) {
                at = skip_ahead(s, c, at, &chunks, put_chunk, &blob.digest).await?;
            }
            let end_of = |i: usize| chunks[i].0 + chunks[i].1.len() - 1;
            at = patch(s, c, at, chunks[1].1.clone(), Some(chunks[1].0), end_of(1)).await?;
            if put_chunk {
                close(s, c, at, &blob.digest, Some(chunks[2].clone())).await?
            } else {
                at = patch(s, c, at, chunks[2].1.clone(), Some(chunks[2].0), end_of(2)).await?;
                close(s, c, at, &blob.digest, None).await?
            }
        }
    };
    finish(s, c, &resp, blob, stored).await
}

/// Sends chunk 3 right after chunk 1 (in a PATCH, or in the closing PUT
/// for the put-chunk variant): it must get 416, and the session must then
/// report `204` with `Range: 0-<end of chunk 1>`. Returns the location.
async fn skip_ahead(
    s: &Suite<'_, '_>,
    c: &mut Check,
    at: Url,
    chunks: &[(usize, Bytes)],
    put_chunk: bool,
    digest: &Digest,
) -> Step<Url> {
    let (start, body) = chunks[2].clone();
    let resp = if put_chunk {
        close(s, c, at.clone(), digest, Some((start, body))).await?
    } else {
        let req = Request::new(Method::PATCH, at.clone())
            .header(CONTENT_TYPE, OCTET)
            .header(CONTENT_RANGE, format!("{start}-{}", start + body.len() - 1))
            .body(body);
        c.send(&s.r.client, req).await?
    };
    if resp.status != 416 {
        return fail(format!(
            "an out-of-order chunk must get 416, got {}",
            describe(&resp)
        ));
    }
    let status = c.send(&s.r.client, Request::new(Method::GET, at)).await?;
    expect_status(&status, &[204])?;
    let end = chunks[0].1.len() - 1;
    let range = status.header("range").unwrap_or_default();
    ensure(range == format!("0-{end}"), || {
        format!("after the refused chunk the session must report Range: 0-{end}, got {range:?}")
    })?;
    location(&status)
}

/// `data` in chunks of `size`, the last one possibly shorter, with their
/// offsets.
fn split(data: &Bytes, size: usize) -> Vec<(usize, Bytes)> {
    (0..data.len())
        .step_by(size.max(1))
        .map(|start| (start, data.slice(start..(start + size).min(data.len()))))
        .collect()
}

/// The common checks of a finished upload: 201, the digest header, and a
/// `Location` that serves the exact bytes.
pub(crate) async fn finish(
    s: &Suite<'_, '_>,
    c: &mut Check,
    resp: &Response,
    blob: &BlobData,
    stored: &mut bool,
) -> Step {
    expect_status(resp, &[201])?;
    *stored = true;
    let required = s.r.config.api.blobs_digest_header;
    check_digest_header(resp, &blob.digest, None, required)?;
    let at = location(resp)?;
    let got = c
        .send(
            &s.r.client,
            Request::new(Method::GET, at).follow_redirects(),
        )
        .await?;
    expect_status(&got, &[200])?;
    ensure(got.body == blob.data, || {
        format!(
            "the Location serves {} bytes that are not the blob's {}",
            got.body.len(),
            blob.data.len()
        )
    })
}

/// `HEAD` of a blob: 200, its `Content-Length`, no body, the digest header.
pub(crate) async fn blob_head(
    s: &Suite<'_, '_>,
    c: &mut Check,
    repo: &str,
    blob: &BlobData,
) -> Step {
    let url = s.url(repo, &format!("/blobs/{}", blob.digest));
    let resp = c
        .send(
            &s.r.client,
            Request::new(Method::HEAD, url).follow_redirects(),
        )
        .await?;
    expect_status(&resp, &[200])?;
    let length = resp.header("content-length").unwrap_or_default();
    ensure(length == blob.data.len().to_string(), || {
        format!("Content-Length is {length:?}, expected {}", blob.data.len())
    })?;
    ensure(resp.body.is_empty(), || {
        "a HEAD answer carried a body".to_owned()
    })?;
    check_digest_header(
        &resp,
        &blob.digest,
        None,
        s.r.config.api.blobs_digest_header,
    )
}

/// `GET` of a blob: 200, exactly its bytes, the digest header.
pub(crate) async fn blob_get(
    s: &Suite<'_, '_>,
    c: &mut Check,
    repo: &str,
    blob: &BlobData,
) -> Step {
    let url = s.url(repo, &format!("/blobs/{}", blob.digest));
    let resp = c
        .send(
            &s.r.client,
            Request::new(Method::GET, url).follow_redirects(),
        )
        .await?;
    expect_status(&resp, &[200])?;
    ensure(resp.body == blob.data, || {
        format!(
            "got {} bytes that are not the blob's {}",
            resp.body.len(),
            blob.data.len()
        )
    })?;
    check_digest_header(
        &resp,
        &blob.digest,
        None,
        s.r.config.api.blobs_digest_header,
    )
}

/// `DELETE` of a blob: 202 or 404; 405 is "unsupported"; with atomic
/// deletes a `HEAD` must then be 404.
pub(crate) async fn blob_delete(
    s: &Suite<'_, '_>,
    c: &mut Check,
    repo: &str,
    digest: &Digest,
) -> Step {
    let url = s.url(repo, &format!("/blobs/{digest}"));
    let resp = c
        .send(&s.r.client, Request::new(Method::DELETE, url.clone()))
        .await?;
    if resp.status == 405 {
        c.unsupported("blob deletion is disabled (405)");
        return Ok(());
    }
    expect_status(&resp, &[202, 404])?;
    if s.r.config.api.blobs_atomic {
        let head = c
            .send(
                &s.r.client,
                Request::new(Method::HEAD, url).follow_redirects(),
            )
            .await?;
        ensure(head.status == 404, || {
            format!("the deleted blob still answers HEAD with {}", head.status)
        })?;
    }
    Ok(())
}

/// `Accept` for manifests of `media_type`.
pub(crate) fn accept(media_type: &str) -> (http::HeaderName, String) {
    (ACCEPT, media_type.to_owned())
}

/// The body with its first byte changed (for bad-digest uploads).
pub(crate) fn corrupt(data: &Bytes) -> Bytes {
    let mut bytes = data.to_vec();
    if let Some(first) = bytes.first_mut() {
        *first ^= 0xff;
    } else {
        bytes.push(b'x');
    }
    Bytes::from(bytes)
}
