//! Blob endpoints: `GET`/`HEAD`/`DELETE /v2/<name>/blobs/<digest>`
//! (end-2, end-10), with single byte ranges (RFC 9110 §14) and the
//! `Docker-Content-Digest` switch.

use bytes::Bytes;
use http::StatusCode;
use oras_spec::{Digest, media_type};

use super::body::{self, Resp};
use super::config::{DigestHeader, RangeAnswer};
use super::errors::ErrorCode;
use super::exchange::{Exchange, set_header};
use super::log::Origin;

/// `GET`/`HEAD` of a blob.
pub(crate) fn get(ex: &Exchange, name: &str, digest: &str) -> Resp {
    let digest = match parse_digest(digest) {
        Ok(digest) => digest,
        Err(resp) => return resp,
    };
    let Some(data) = ex.shared.lock().blob(name, &digest) else {
        return body::error(
            StatusCode::NOT_FOUND,
            ErrorCode::BlobUnknown,
            &format!("blob {digest} unknown to repository {name}"),
        );
    };
    if ex.config().blob_redirect && ex.origin == Origin::Registry && !ex.is_head() {
        // A "CDN" on another port serves the bytes; the client must not
        // carry its credentials there.
        let mut resp = body::status(StatusCode::TEMPORARY_REDIRECT);
        let target = ex.shared.url_for(
            Origin::Registry,
            Origin::Other,
            &format!("/v2/{name}/blobs/{digest}"),
        );
        set_header(&mut resp, "location", &target);
        return resp;
    }

    let total = data.len();
    let range = if ex.config().range_requests {
        parse_range(ex.header("range"), total as u64)
    } else {
        RangeRequest::Whole
    };
    let mut resp = match range {
        RangeRequest::Whole => with_blob(StatusCode::OK, data),
        RangeRequest::Bytes(..) if ex.config().range_answer == RangeAnswer::Whole => {
            with_blob(StatusCode::OK, data)
        }
        RangeRequest::Bytes(first, last) => {
            let (first, last) = (first as usize, last as usize);
            let answer = ex.config().range_answer;
            let mut part = data.slice(first..=last);
            if answer == RangeAnswer::Longer {
                part = [&part[..], &[0u8][..]].concat().into();
            }
            let shift = usize::from(answer == RangeAnswer::Shifted);
            let mut resp = with_blob(StatusCode::PARTIAL_CONTENT, part);
            set_header(
                &mut resp,
                "content-range",
                &format!("bytes {}-{}/{total}", first + shift, last + shift),
            );
            resp
        }
        RangeRequest::Unsatisfiable => {
            let mut resp = body::status(StatusCode::RANGE_NOT_SATISFIABLE);
            set_header(&mut resp, "content-range", &format!("bytes */{total}"));
            return resp;
        }
    };
    if ex.config().range_requests {
        set_header(&mut resp, "accept-ranges", "bytes");
    }
    digest_header(&mut resp, ex.config().blob_digest_header, &digest);
    if ex.is_head() {
        let len = resp
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok());
        let len = len.and_then(|v| v.parse().ok()).unwrap_or(0);
        return body::head_of(resp, len);
    }
    resp
}

/// A blob response: octet-stream, `Content-Length` from the slice.
fn with_blob(status: StatusCode, data: Bytes) -> Resp {
    let len = data.len();
    let mut resp = body::with_body(status, media_type::OCTET_STREAM, data);
    // Written out (hyper would derive it) so a HEAD can announce it too.
    resp.headers_mut()
        .insert("content-length", http::HeaderValue::from(len));
    resp
}

/// `DELETE` of a blob: 202, 404 `BLOB_UNKNOWN`, or 405 when disabled.
pub(crate) fn delete(ex: &Exchange, name: &str, digest: &str) -> Resp {
    if !ex.config().blob_delete {
        return body::error(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Unsupported,
            "blob deletion is disabled",
        );
    }
    let digest = match parse_digest(digest) {
        Ok(digest) => digest,
        Err(resp) => return resp,
    };
    let mut state = ex.shared.lock();
    let removed = state
        .repos
        .get_mut(name)
        .and_then(|repo| repo.blobs.remove(&digest));
    state.forget_if_empty(name);
    drop(state);
    match removed {
        Some(_) => body::status(StatusCode::ACCEPTED),
        None => body::error(
            StatusCode::NOT_FOUND,
            ErrorCode::BlobUnknown,
            &format!("blob {digest} unknown to repository {name}"),
        ),
    }
}

/// Parses a digest from a path, or the 400 `DIGEST_INVALID` answer.
pub(crate) fn parse_digest(text: &str) -> Result<Digest, Resp> {
    text.parse().map_err(|err: oras_spec::Error| {
        body::error(
            StatusCode::BAD_REQUEST,
            ErrorCode::DigestInvalid,
            &err.to_string(),
        )
    })
}

/// Sets `Docker-Content-Digest` as the switch says.
pub(crate) fn digest_header(resp: &mut Resp, mode: DigestHeader, digest: &Digest) {
    match mode {
        DigestHeader::Correct => set_header(resp, "docker-content-digest", &digest.to_string()),
        DigestHeader::Wrong => {
            let lie = Digest::compute(
                digest.algorithm(),
                format!("not the content of {digest}").as_bytes(),
            );
            set_header(resp, "docker-content-digest", &lie.to_string());
        }
        DigestHeader::Missing => {}
    }
}

/// A `Range` request resolved against a blob of known length.
#[derive(Debug, PartialEq, Eq)]
enum RangeRequest {
    /// No usable range: serve everything with 200.
    Whole,
    /// Serve bytes `first..=last` with 206.
    Bytes(u64, u64),
    /// Answer 416.
    Unsatisfiable,
}

/// Resolves a single `bytes=` range (RFC 9110 §14.1.2). Other units and
/// multiple ranges are ignored (a server may always serve the whole
/// representation); `a-b` with `b < a` is answered 416, as the
/// conformance runner expects for `bytes=500-0`.
fn parse_range(header: Option<&str>, len: u64) -> RangeRequest {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeRequest::Whole;
    };
    if spec.contains(',') {
        return RangeRequest::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeRequest::Whole;
    };
    if first.is_empty() {
        // Suffix range: the last `n` bytes.
        return match last.parse::<u64>() {
            Ok(0) => RangeRequest::Unsatisfiable,
            Ok(_) if len == 0 => RangeRequest::Unsatisfiable,
            Ok(n) => RangeRequest::Bytes(len.saturating_sub(n), len - 1),
            Err(_) => RangeRequest::Whole,
        };
    }
    let Ok(first) = first.parse::<u64>() else {
        return RangeRequest::Whole;
    };
    let last = if last.is_empty() {
        None
    } else {
        match last.parse::<u64>() {
            Ok(last) => Some(last),
            Err(_) => return RangeRequest::Whole,
        }
    };
    if first >= len || last.is_some_and(|last| last < first) {
        return RangeRequest::Unsatisfiable;
    }
    RangeRequest::Bytes(first, last.map_or(len - 1, |last| last.min(len - 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        use RangeRequest::*;
        assert_eq!(parse_range(None, 10), Whole);
        assert_eq!(parse_range(Some("bytes=2-4"), 10), Bytes(2, 4));
        assert_eq!(parse_range(Some("bytes=2-"), 10), Bytes(2, 9));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Bytes(7, 9));
        assert_eq!(parse_range(Some("bytes=-30"), 10), Bytes(0, 9));
        assert_eq!(parse_range(Some("bytes=5-100"), 10), Bytes(5, 9));
        assert_eq!(parse_range(Some("bytes=5-0"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=10-20"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-"), 0), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), Whole);
        assert_eq!(parse_range(Some("items=0-1"), 10), Whole);
        assert_eq!(parse_range(Some("bytes=x-1"), 10), Whole);
    }
}
