//! Blob uploads (spec "Pushing blobs"; end-4, end-5, end-6, end-11,
//! end-13, end-14): sessions, single-POST uploads, mounts, chunks, the
//! closing PUT, status and cancel.
//!
//! Chunks are kept as the `Bytes` frames hyper delivers and appended as
//! they arrive, so a broken PATCH leaves what was received in the session
//! (what a resuming client finds with `GET <location>`). The frames are
//! joined once, into a buffer of the exact received size, when the upload
//! completes; the digest is computed on a blocking thread.

use bytes::Bytes;
use http::StatusCode;
use oras_spec::{Algorithm, Digest};

use super::auth;
use super::blobs::parse_digest;
use super::body::{self, BrokenBody, Resp, concat};
use super::errors::ErrorCode;
use super::exchange::{Abort, Exchange, set_header, valid_name};
use super::log::Origin;
use super::route::encode;
use super::state::Upload;

/// `POST /v2/<name>/blobs/uploads/`: mount, single POST, or a new session.
pub(crate) async fn start(ex: &mut Exchange, name: &str) -> Result<Resp, Abort> {
    if let Some(mount) = ex.query.get("mount").map(str::to_owned) {
        let digest = match parse_digest(&mount) {
            Ok(digest) => digest,
            Err(resp) => return Ok(resp),
        };
        if let Some(resp) = try_mount(ex, name, &digest) {
            return Ok(resp);
        }
    } else if let Some(digest) = ex.query.get("digest").map(str::to_owned) {
        if ex.config().single_post_upload {
            return single_post(ex, name, &digest).await;
        }
    } else if let Some(algorithm) = ex.query.get("digest-algorithm") {
        // end-4c (`main`): the session will be closed with this algorithm.
        if algorithm.parse::<Algorithm>().is_err() {
            return Ok(body::error(
                StatusCode::BAD_REQUEST,
                ErrorCode::DigestInvalid,
                &format!("unsupported digest algorithm {algorithm:?}"),
            ));
        }
    }
    // A session POST carries no content; anything sent is discarded.
    ex.body.drain().await?;
    Ok(new_session(ex, name))
}

/// Opens a session: 202, `Location`, `Docker-Upload-UUID`, `Range: 0-0`
/// and `OCI-Chunk-Min-Length` when configured.
fn new_session(ex: &Exchange, name: &str) -> Resp {
    let mut state = ex.shared.lock();
    let id = state.new_id();
    let state_token = state.new_id();
    state.uploads.insert(
        id.clone(),
        Upload {
            repo: name.to_owned(),
            chunks: Vec::new(),
            len: 0,
            state_token,
        },
    );
    drop(state);
    let mut resp = progress(ex, StatusCode::ACCEPTED, name, &id, 0);
    if let Some(min) = ex.config().chunk_min_length {
        set_header(&mut resp, "oci-chunk-min-length", &min.to_string());
    }
    resp
}

/// A response reporting an upload's progress: `Location`,
/// `Docker-Upload-UUID` and `Range: 0-<last byte>` (`0-0` when empty, as
/// distribution writes it).
fn progress(ex: &Exchange, status: StatusCode, name: &str, id: &str, len: u64) -> Resp {
    let mut resp = body::status(status);
    set_header(&mut resp, "location", &upload_location(ex, name, id));
    set_header(&mut resp, "docker-upload-uuid", id);
    set_header(&mut resp, "range", &format!("0-{}", len.saturating_sub(1)));
    resp
}

/// Where a session lives: the other origin when
/// [`FakeConfig::foreign_upload_location`](super::FakeConfig) is on,
/// otherwise the origin that served the request; with `_state` when
/// [`FakeConfig::upload_state_param`](super::FakeConfig) is on.
fn upload_location(ex: &Exchange, name: &str, id: &str) -> String {
    let target = if ex.config().foreign_upload_location {
        Origin::Other
    } else {
        ex.origin
    };
    let mut path = format!("/v2/{name}/blobs/uploads/{id}");
    if ex.config().upload_state_param {
        let token = ex
            .shared
            .lock()
            .uploads
            .get(id)
            .map(|u| u.state_token.clone())
            .unwrap_or_default();
        path.push_str(&format!("?_state={}", encode(&token)));
    }
    ex.shared.url_for(ex.origin, target, &path)
}

/// The `Location` of a stored blob.
fn blob_location(ex: &Exchange, name: &str, digest: &Digest) -> String {
    ex.location(&format!("/v2/{name}/blobs/{digest}"))
}

/// 201 for a stored blob: `Location`, `Docker-Content-Digest`.
fn created(ex: &Exchange, name: &str, digest: &Digest) -> Resp {
    let mut resp = body::status(StatusCode::CREATED);
    set_header(&mut resp, "location", &blob_location(ex, name, digest));
    set_header(&mut resp, "docker-content-digest", &digest.to_string());
    resp
}

/// Mounts `digest` from `from` (or, with automatic mount, from any
/// repository); `None` when it cannot, so a session is opened instead.
fn try_mount(ex: &Exchange, name: &str, digest: &Digest) -> Option<Resp> {
    if !ex.config().mount {
        return None;
    }
    let data = match ex.query.get("from") {
        Some(from) => {
            if !valid_name(from) {
                return Some(body::error(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::NameInvalid,
                    &format!("invalid repository name {from:?} in from"),
                ));
            }
            // A client that may not read `from` gets a plain session, as
            // distribution answers.
            if !auth::may_pull(ex, from) {
                return None;
            }
            ex.shared.lock().blob(from, digest)?
        }
        None if ex.config().automatic_mount => {
            let state = ex.shared.lock();
            let found = state
                .repos
                .values()
                .find_map(|repo| repo.blobs.get(digest).cloned());
            found?
        }
        None => return None,
    };
    ex.shared.lock().put_blob(name, digest.clone(), data);
    Some(created(ex, name, digest))
}

/// `POST …/uploads/?digest=`: the whole blob in one request.
async fn single_post(ex: &mut Exchange, name: &str, digest: &str) -> Result<Resp, Abort> {
    let digest = match parse_digest(digest) {
        Ok(digest) => digest,
        Err(resp) => return Ok(resp),
    };
    let mut chunks = Vec::new();
    let mut len = 0usize;
    while let Some(chunk) = ex.body.next_chunk().await? {
        len += chunk.len();
        chunks.push(chunk);
    }
    let data = concat(chunks, len);
    Ok(commit(ex, name, digest, data).await)
}

/// Verifies and stores a completed blob: 201, or 400 `DIGEST_INVALID`.
async fn commit(ex: &Exchange, name: &str, digest: Digest, data: Bytes) -> Resp {
    let algorithm = digest.algorithm();
    let hashed = data.clone();
    let actual = tokio::task::spawn_blocking(move || Digest::compute(algorithm, &hashed))
        .await
        .ok();
    if actual.as_ref() != Some(&digest) {
        let actual = actual.map_or_else(|| "?".to_owned(), |d| d.to_string());
        return body::error(
            StatusCode::BAD_REQUEST,
            ErrorCode::DigestInvalid,
            &format!("content digest {actual} does not match {digest}"),
        );
    }
    ex.shared.lock().put_blob(name, digest.clone(), data);
    created(ex, name, &digest)
}

/// Finds session `id` of repository `name` and checks `_state`; the
/// session length, or the 404/400 answer.
fn session(ex: &Exchange, name: &str, id: &str) -> Result<u64, Resp> {
    let state = ex.shared.lock();
    let Some(upload) = state.uploads.get(id).filter(|u| u.repo == name) else {
        return Err(body::error(
            StatusCode::NOT_FOUND,
            ErrorCode::BlobUploadUnknown,
            &format!("upload {id} unknown to repository {name}"),
        ));
    };
    if ex.config().upload_state_param && ex.query.get("_state") != Some(upload.state_token.as_str())
    {
        return Err(body::error(
            StatusCode::BAD_REQUEST,
            ErrorCode::BlobUploadInvalid,
            "missing or stale _state parameter",
        ));
    }
    Ok(upload.len)
}

/// How streaming a chunk into a session ended.
enum Appended {
    /// The body ended after this many bytes.
    Done(u64),
    /// The session was cancelled or changed by another request meanwhile.
    Conflict,
}

/// Appends the request body to session `id`, frame by frame, starting at
/// `offset`. A broken body keeps what arrived and aborts the connection.
async fn append_body(ex: &mut Exchange, id: &str, offset: u64) -> Result<Appended, BrokenBody> {
    let mut at = offset;
    while let Some(chunk) = ex.body.next_chunk().await? {
        let mut state = ex.shared.lock();
        let Some(upload) = state.uploads.get_mut(id).filter(|u| u.len == at) else {
            return Ok(Appended::Conflict);
        };
        at += chunk.len() as u64;
        upload.len = at;
        upload.chunks.push(chunk);
    }
    Ok(Appended::Done(at - offset))
}

/// A parsed `Content-Range: <first>-<last>` (spec regex `^[0-9]+-[0-9]+$`).
fn content_range(ex: &Exchange) -> Option<Result<(u64, u64), Resp>> {
    let text = ex.header("content-range")?;
    let parsed = text.split_once('-').and_then(|(first, last)| {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        (digits(first) && digits(last)).then(|| Some((first.parse().ok()?, last.parse().ok()?)))?
    });
    Some(parsed.ok_or_else(|| {
        body::error(
            StatusCode::BAD_REQUEST,
            ErrorCode::BlobUploadInvalid,
            &format!("malformed Content-Range {text:?}"),
        )
    }))
}

/// Checks a chunk's `Content-Range` against the session length and the
/// `Content-Length`: `Ok(Some(chunk length))` when the range binds the
/// chunk, `Ok(None)` without a range (or when order is not checked).
fn check_chunk(ex: &Exchange, name: &str, id: &str, len: u64) -> Result<Option<u64>, Resp> {
    let Some(range) = content_range(ex) else {
        return Ok(None);
    };
    let (first, last) = range?;
    let in_order = first == len && last >= first;
    if (!in_order && ex.config().out_of_order_416) || last < first {
        return Err(progress(
            ex,
            StatusCode::RANGE_NOT_SATISFIABLE,
            name,
            id,
            len,
        ));
    }
    let expected = last - first + 1;
    let declared = ex
        .header("content-length")
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|declared| declared != expected) {
        return Err(body::error(
            StatusCode::BAD_REQUEST,
            ErrorCode::SizeInvalid,
            "Content-Length does not match Content-Range",
        ));
    }
    Ok(Some(expected))
}

/// Streams a chunk into the session and checks its length; the new
/// session length, or the answer for a refused chunk.
async fn receive_chunk(
    ex: &mut Exchange,
    name: &str,
    id: &str,
    len: u64,
) -> Result<Result<u64, Resp>, Abort> {
    let expected = match check_chunk(ex, name, id, len) {
        Ok(expected) => expected,
        Err(resp) => return Ok(Err(resp)),
    };
    let received = match append_body(ex, id, len).await? {
        Appended::Done(received) => received,
        Appended::Conflict => {
            return Ok(Err(body::error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                ErrorCode::BlobUploadInvalid,
                "upload changed while this chunk was streamed",
            )));
        }
    };
    if expected.is_some_and(|expected| expected != received) {
        if let Some(upload) = ex.shared.lock().uploads.get_mut(id) {
            upload.truncate(len);
        }
        return Ok(Err(body::error(
            StatusCode::BAD_REQUEST,
            ErrorCode::SizeInvalid,
            "chunk length does not match Content-Range",
        )));
    }
    Ok(Ok(len + received))
}

/// `PATCH <location>`: one chunk, streamed or with `Content-Range`.
pub(crate) async fn patch(ex: &mut Exchange, name: &str, id: &str) -> Result<Resp, Abort> {
    let len = match session(ex, name, id) {
        Ok(len) => len,
        Err(resp) => return Ok(resp),
    };
    Ok(match receive_chunk(ex, name, id, len).await? {
        Ok(new_len) => progress(ex, StatusCode::ACCEPTED, name, id, new_len),
        Err(resp) => resp,
    })
}

/// `PUT <location>?digest=`: an optional last chunk, then commit.
pub(crate) async fn put(ex: &mut Exchange, name: &str, id: &str) -> Result<Resp, Abort> {
    let len = match session(ex, name, id) {
        Ok(len) => len,
        Err(resp) => return Ok(resp),
    };
    let digest = match ex.query.get("digest").map(parse_digest) {
        Some(Ok(digest)) => digest,
        Some(Err(resp)) => return Ok(resp),
        None => {
            return Ok(body::error(
                StatusCode::BAD_REQUEST,
                ErrorCode::DigestInvalid,
                "digest parameter missing",
            ));
        }
    };
    if let Err(resp) = receive_chunk(ex, name, id, len).await? {
        return Ok(resp);
    }
    let Some(upload) = ex.shared.lock().uploads.remove(id) else {
        return Ok(body::error(
            StatusCode::NOT_FOUND,
            ErrorCode::BlobUploadUnknown,
            "upload cancelled meanwhile",
        ));
    };
    let len = usize::try_from(upload.len).unwrap_or(usize::MAX);
    let data = concat(upload.chunks, len);
    Ok(commit(ex, name, digest, data).await)
}

/// `GET <location>`: 204 with `Range`.
pub(crate) fn status(ex: &Exchange, name: &str, id: &str) -> Resp {
    match session(ex, name, id) {
        Ok(len) => progress(ex, StatusCode::NO_CONTENT, name, id, len),
        Err(resp) => resp,
    }
}

/// `DELETE <location>`: 204, the session is gone.
pub(crate) fn cancel(ex: &Exchange, name: &str, id: &str) -> Resp {
    if let Err(resp) = session(ex, name, id) {
        return resp;
    }
    ex.shared.lock().uploads.remove(id);
    body::status(StatusCode::NO_CONTENT)
}
