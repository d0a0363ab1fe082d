//! `sha256 blobs` / `sha512 blobs`: missing blob, every
//! upload flavour with its head/get/delete, range requests, the
//! well-known blobs and bad-digest uploads.

use bytes::Bytes;
use http::Method;
use http::header::{CONTENT_RANGE, CONTENT_TYPE, RANGE};
use oras_spec::Algorithm;

use super::upload::{
    BlobData, Flavour, blob_delete, blob_get, blob_head, chunk_size, corrupt, location,
    open_session, upload,
};
use super::{CheckDef, Gate, Suite};
use crate::http::Request;
use crate::outcome::{Step, ensure, expect_status, fail};

const PUSH: &str = "Pushing blobs";
const OCTET: &str = "application/octet-stream";
const PULL: &str = "Pulling blobs";

/// Runs the group for `algorithm`.
pub(super) async fn run(s: &mut Suite<'_, '_>, algorithm: Algorithm) {
    let group = format!("{} blobs", algorithm.as_str());
    if !s.wants(&group) {
        return;
    }
    let g = group.as_str();
    let api = s.r.config.api;
    let def = CheckDef {
        path: &[g],
        name: "get-missing",
        spec: PULL,
        endpoints: &["end-2"],
        gate: Gate::switch(api.pull, "OCI_API_PULL"),
    };
    s.check(def, async |s, c| {
        let missing = BlobData::new(algorithm, s.rng.bytes(64));
        let url = s.url(&s.repo1, &format!("/blobs/{}", missing.digest));
        expect_status(
            &c.send(&s.r.client, Request::new(Method::GET, url)).await?,
            &[404],
        )
    })
    .await;

    let push = Gate::switch(api.push, "OCI_API_PUSH");
    let flavours: [(&str, Flavour, &[&'static str]); 8] = [
        ("post only", Flavour::PostOnly, &["end-4b"]),
        ("post+put", Flavour::PostPut, &["end-4a", "end-6"]),
        (
            "chunked single",
            Flavour::ChunkedSingle,
            &["end-4a", "end-5", "end-6"],
        ),
        ("stream", Flavour::Stream, &["end-4a", "end-5", "end-6"]),
        (
            "chunked multi",
            Flavour::ChunkedMulti,
            &["end-4a", "end-5", "end-6"],
        ),
        (
            "chunked multi and put chunk",
            Flavour::ChunkedMultiPutChunk,
            &["end-4a", "end-5", "end-6"],
        ),
        (
            "chunked out-of-order",
            Flavour::OutOfOrder,
            &["end-4a", "end-5", "end-6", "end-13"],
        ),
        (
            "chunked out-of-order and put chunk",
            Flavour::OutOfOrderPutChunk,
            &["end-4a", "end-5", "end-6", "end-13"],
        ),
    ];
    for (name, flavour, endpoints) in flavours {
        let multi = matches!(
            flavour,
            Flavour::ChunkedMulti
                | Flavour::ChunkedMultiPutChunk
                | Flavour::OutOfOrder
                | Flavour::OutOfOrderPutChunk
        );
        let mut stored = false;
        let mut blob = BlobData::new(algorithm, s.rng.bytes(512));
        let spec = if multi {
            "Pushing a blob in chunks"
        } else {
            PUSH
        };
        let def = CheckDef {
            path: &[g, name],
            name: "upload",
            spec,
            endpoints,
            gate: push.clone(),
        };
        s.check(def, async |s, c| {
            if multi {
                // Three chunks of the registry's size: learn it first.
                let (probe, min) = open_session(s, c, &s.repo1, algorithm).await?;
                let _ = c
                    .send(&s.r.client, Request::new(Method::DELETE, probe))
                    .await;
                let size = chunk_size(min);
                ensure(size <= 16 * 1024 * 1024, || {
                    format!("OCI-Chunk-Min-Length {size} is above 16 MiB")
                })?;
                let mut rng = crate::random::Rng::new(s.rng.next_u64());
                blob = BlobData::new(algorithm, rng.bytes(size * 2 + size / 2));
            }
            upload(s, c, &s.repo1, &blob, flavour, &mut stored).await
        })
        .await;
        blob_checks(s, &[g, name], &s.repo1.clone(), &blob, stored).await;
    }

    mounts(s, g, algorithm).await;
    cancel(s, g, algorithm).await;
    ranges(s, g, algorithm).await;
    well_known(s, g, algorithm).await;
    bad_digests(s, g, algorithm).await;
}

/// `blob-head`, `blob-get`, `blob-delete` of an uploaded blob.
pub(super) async fn blob_checks(
    s: &mut Suite<'_, '_>,
    path: &[&str],
    repo: &str,
    blob: &BlobData,
    stored: bool,
) {
    let api = s.r.config.api;
    let pull = Gate::switch(api.pull, "OCI_API_PULL").and_after(stored, "upload");
    let def = CheckDef {
        path,
        name: "blob-head",
        spec: PULL,
        endpoints: &["end-2"],
        gate: pull.clone(),
    };
    s.check(def, async |s, c| blob_head(s, c, repo, blob).await)
        .await;
    let def = CheckDef {
        path,
        name: "blob-get",
        spec: PULL,
        endpoints: &["end-2"],
        gate: pull,
    };
    s.check(def, async |s, c| blob_get(s, c, repo, blob).await)
        .await;
    let delete = Gate::switch(api.blobs_delete, "OCI_API_BLOBS_DELETE").and_after(stored, "upload");
    let def = CheckDef {
        path,
        name: "blob-delete",
        spec: "Deleting Blobs",
        endpoints: &["end-10"],
        gate: delete,
    };
    s.check(def, async |s, c| {
        blob_delete(s, c, repo, &blob.digest).await
    })
    .await;
}

/// `mount`, `mount anonymous`, `mount missing`.
async fn mounts(s: &mut Suite<'_, '_>, g: &str, algorithm: Algorithm) {
    let api = s.r.config.api;
    let (repo1, repo2) = (s.repo1.clone(), s.repo2.clone());
    const MOUNT: &str = "Mounting a blob from another repository";
    for (name, anonymous, gate) in [
        ("mount", false, Gate::switch(api.push, "OCI_API_PUSH")),
        (
            "mount anonymous",
            true,
            Gate::switch(api.push, "OCI_API_PUSH")
                .and_switch(api.blobs_mount_anonymous, "OCI_API_BLOBS_MOUNT_ANONYMOUS"),
        ),
    ] {
        let blob = BlobData::new(algorithm, s.rng.bytes(512));
        let mut stored = false;
        let def = CheckDef {
            path: &[g, name],
            name: "upload",
            spec: MOUNT,
            endpoints: &["end-4a", "end-6", "end-11"],
            gate,
        };
        s.check(def, async |s, c| {
            let mut in_repo2 = false;
            upload(s, c, &repo2, &blob, Flavour::PostPut, &mut in_repo2).await?;
            let mut url = s.url(&repo1, "/blobs/uploads/");
            url.query_pairs_mut()
                .append_pair("mount", &blob.digest.to_string());
            if !anonymous {
                url.query_pairs_mut().append_pair("from", &repo2);
            }
            let resp = c.send(&s.r.client, Request::new(Method::POST, url)).await?;
            if resp.status == 202 {
                // Allowed: the registry would not mount and opened a
                // session; finish the upload there.
                c.unsupported("the registry answered the mount with 202 (an upload session)");
                let mut put = location(&resp)?;
                put.query_pairs_mut()
                    .append_pair("digest", &blob.digest.to_string());
                let req = Request::new(Method::PUT, put)
                    .header(CONTENT_TYPE, "application/octet-stream")
                    .body(blob.data.clone());
                let done = c.send(&s.r.client, req).await?;
                return super::upload::finish(s, c, &done, &blob, &mut stored).await;
            }
            super::upload::finish(s, c, &resp, &blob, &mut stored).await
        })
        .await;
        blob_checks(s, &[g, name], &repo1, &blob, stored).await;
        // The source copy is not under test; remove it quietly.
        if stored && s.r.config.api.blobs_delete {
            let url = s.url(&repo2, &format!("/blobs/{}", blob.digest));
            let _ =
                s.r.client
                    .send(&Request::new(Method::DELETE, url), &mut Vec::new())
                    .await;
        }
    }

    let blob = BlobData::new(algorithm, s.rng.bytes(512));
    let mut stored = false;
    let def = CheckDef {
        path: &[g, "mount missing"],
        name: "upload",
        spec: MOUNT,
        endpoints: &["end-11", "end-6"],
        gate: Gate::switch(api.push, "OCI_API_PUSH"),
    };
    s.check(def, async |s, c| {
        let mut url = s.url(&repo1, "/blobs/uploads/");
        url.query_pairs_mut()
            .append_pair("mount", &blob.digest.to_string())
            .append_pair("from", &repo2);
        let resp = c.send(&s.r.client, Request::new(Method::POST, url)).await?;
        expect_status(&resp, &[202])?;
        let mut put = location(&resp)?;
        put.query_pairs_mut()
            .append_pair("digest", &blob.digest.to_string());
        let req = Request::new(Method::PUT, put)
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(blob.data.clone());
        let done = c.send(&s.r.client, req).await?;
        super::upload::finish(s, c, &done, &blob, &mut stored).await
    })
    .await;
    blob_checks(s, &[g, "mount missing"], &repo1, &blob, stored).await;
}

/// `post cancel`: `DELETE <location>` ends a session (end-14, `main`).
async fn cancel(s: &mut Suite<'_, '_>, g: &str, algorithm: Algorithm) {
    let api = s.r.config.api;
    let gate = Gate::switch(api.push, "OCI_API_PUSH")
        .and_switch(api.blobs_upload_cancel, "OCI_API_BLOBS_UPLOAD_CANCEL");
    let def = CheckDef {
        path: &[g, "post cancel"],
        name: "cancel",
        spec: "Canceling an upload",
        endpoints: &["end-4a", "end-14", "end-13"],
        gate,
    };
    s.check(def, async |s, c| {
        let (at, _) = open_session(s, c, &s.repo1, algorithm).await?;
        let resp = c
            .send(&s.r.client, Request::new(Method::DELETE, at.clone()))
            .await?;
        expect_status(&resp, &[204])?;
        let after = c.send(&s.r.client, Request::new(Method::GET, at)).await?;
        ensure(after.status == 404, || {
            format!("the cancelled session still answers {}", after.status)
        })
    })
    .await;
}

/// `range requests`: 206 with the exact bytes and
/// `Content-Range`, or a whole-blob 200 (Skip); 416 for unsatisfiable.
async fn ranges(s: &mut Suite<'_, '_>, g: &str, algorithm: Algorithm) {
    let api = s.r.config.api;
    let path = [g, "range requests"];
    let blob = BlobData::new(algorithm, s.rng.bytes(4096));
    let mut stored = false;
    let def = CheckDef {
        path: &path,
        name: "upload",
        spec: PUSH,
        endpoints: &["end-4a", "end-6"],
        gate: Gate::switch(api.push, "OCI_API_PUSH"),
    };
    s.check(def, async |s, c| {
        upload(s, c, &s.repo1.clone(), &blob, Flavour::PostPut, &mut stored).await
    })
    .await;
    let len = blob.data.len();
    let cases: [(&str, Option<(usize, usize)>); 6] = [
        ("bytes=500-1499", Some((500, 1499))),
        ("bytes=500-", Some((500, len - 1))),
        ("bytes=-500", Some((len - 500, len - 1))),
        ("bytes=2000-5000", Some((2000, len - 1))),
        ("bytes=500-0", None),
        ("bytes=5000-10000", None),
    ];
    let gate = Gate::switch(api.pull, "OCI_API_PULL").and_after(stored, "upload");
    for (range, expected) in cases {
        let def = CheckDef {
            path: &path,
            name: range,
            spec: "Pulling blobs (Range, RFC 9110)",
            endpoints: &["end-2"],
            gate: gate.clone(),
        };
        s.check(def, async |s, c| {
            range_check(s, c, &blob, range, expected).await
        })
        .await;
    }
    let delete = Gate::switch(api.blobs_delete, "OCI_API_BLOBS_DELETE").and_after(stored, "upload");
    let def = CheckDef {
        path: &path,
        name: "blob-delete",
        spec: "Deleting Blobs",
        endpoints: &["end-10"],
        gate: delete,
    };
    s.check(def, async |s, c| {
        blob_delete(s, c, &s.repo1.clone(), &blob.digest).await
    })
    .await;
}

async fn range_check(
    s: &Suite<'_, '_>,
    c: &mut crate::runner::Check,
    blob: &BlobData,
    range: &str,
    expected: Option<(usize, usize)>,
) -> Step {
    let url = s.url(&s.repo1, &format!("/blobs/{}", blob.digest));
    let resp = c
        .send(
            &s.r.client,
            Request::new(Method::GET, url)
                .header(RANGE, range)
                .follow_redirects(),
        )
        .await?;
    let len = blob.data.len();
    if resp.status == 200 {
        ensure(resp.body == blob.data, || {
            "a 200 answer to a Range request must carry the whole blob".to_owned()
        })?;
        c.unsupported("the registry ignored the Range header (200 with the whole blob)");
        return Ok(());
    }
    match expected {
        Some((first, last)) => {
            expect_status(&resp, &[206])?;
            let want = blob.data.slice(first..=last);
            ensure(resp.body == want, || {
                format!(
                    "expected bytes {first}-{last}, got {} other bytes",
                    resp.body.len()
                )
            })?;
            let length = resp.header("content-length").unwrap_or_default();
            ensure(length == want.len().to_string(), || {
                format!("Content-Length is {length:?}, expected {}", want.len())
            })?;
            let content_range = resp.header(CONTENT_RANGE.as_str()).unwrap_or_default();
            let ok = [
                format!("bytes {first}-{last}/{len}"),
                format!("bytes {first}-{last}/*"),
            ];
            ensure(ok.contains(&content_range.to_owned()), || {
                format!("Content-Range is {content_range:?}, expected {:?}", ok[0])
            })
        }
        None => {
            if resp.status != 416 {
                return fail(format!(
                    "an unsatisfiable range must get 416, got {}",
                    resp.status
                ));
            }
            Ok(())
        }
    }
}

/// The well-known `empty` and `emptyJSON` blobs.
async fn well_known(s: &mut Suite<'_, '_>, g: &str, algorithm: Algorithm) {
    let api = s.r.config.api;
    for (name, data) in [
        ("empty", Bytes::new()),
        ("emptyJSON", Bytes::from_static(b"{}")),
    ] {
        let blob = BlobData::new(algorithm, data);
        let mut stored = false;
        let gate = Gate::switch(api.push, "OCI_API_PUSH")
            .and_switch(s.r.config.data.empty_blob, "OCI_DATA_EMPTY_BLOB");
        let disabled = !matches!(gate, Gate::Run);
        let def = CheckDef {
            path: &[g, name],
            name: "upload",
            spec: PUSH,
            endpoints: &["end-4a", "end-6"],
            gate,
        };
        s.check(def, async |s, c| {
            upload(s, c, &s.repo1.clone(), &blob, Flavour::PostPut, &mut stored).await
        })
        .await;
        if !disabled {
            blob_checks(s, &[g, name], &s.repo1.clone(), &blob, stored).await;
        }
    }
}

/// Bad-digest uploads: the body is corrupted, the digest is the
/// original's, and the request that closes the upload must get 400.
async fn bad_digests(s: &mut Suite<'_, '_>, g: &str, algorithm: Algorithm) {
    let api = s.r.config.api;
    const FLAVOURS: [&str; 5] = [
        "post only",
        "post+put",
        "chunked",
        "chunked and put chunk",
        "stream",
    ];
    for name in FLAVOURS {
        let blob = BlobData::new(algorithm, s.rng.bytes(512));
        let endpoints: &[&'static str] = if name == "post only" {
            &["end-4b", "end-6"]
        } else {
            &["end-4a", "end-5", "end-6"]
        };
        let gate = Gate::switch(api.push, "OCI_API_PUSH");
        let def = CheckDef {
            path: &[g, "bad digest"],
            name,
            spec: PUSH,
            endpoints,
            gate,
        };
        s.check(def, async |s, c| bad_digest_upload(s, c, name, &blob).await)
            .await;
    }
}

/// One bad-digest upload in flavour `name`.
async fn bad_digest_upload(
    s: &Suite<'_, '_>,
    c: &mut crate::runner::Check,
    name: &str,
    blob: &BlobData,
) -> Step {
    let wrong = corrupt(&blob.data);
    let put = |at: url::Url, range: Option<(usize, usize)>, body: Bytes| {
        let mut url = at;
        url.query_pairs_mut()
            .append_pair("digest", &blob.digest.to_string());
        let mut req = Request::new(Method::PUT, url).header(CONTENT_TYPE, OCTET);
        if let Some((first, last)) = range {
            req = req.header(CONTENT_RANGE, format!("{first}-{last}"));
        }
        req.body(body)
    };
    let patch = |at: url::Url, range: Option<(usize, usize)>, body: Bytes| {
        let mut req = Request::new(Method::PATCH, at).header(CONTENT_TYPE, OCTET);
        if let Some((first, last)) = range {
            req = req.header(CONTENT_RANGE, format!("{first}-{last}"));
        }
        req.body(body)
    };
    let closing = if name == "post only" {
        let mut url = s.url(&s.repo1, "/blobs/uploads/");
        url.query_pairs_mut()
            .append_pair("digest", &blob.digest.to_string());
        let req = Request::new(Method::POST, url)
            .header(CONTENT_TYPE, OCTET)
            .body(wrong.clone());
        let resp = c.send(&s.r.client, req).await?;
        if resp.status != 202 {
            resp
        } else {
            c.unsupported("the registry answered the single POST with 202 (an upload session)");
            c.send(&s.r.client, put(location(&resp)?, None, wrong))
                .await?
        }
    } else {
        let (at, _) = open_session(s, c, &s.repo1, blob.digest.algorithm()).await?;
        let end = wrong.len() - 1;
        match name {
            "post+put" => c.send(&s.r.client, put(at, None, wrong)).await?,
            "chunked and put chunk" => {
                let half = wrong.len() / 2;
                let resp = c
                    .send(
                        &s.r.client,
                        patch(at, Some((0, half - 1)), wrong.slice(..half)),
                    )
                    .await?;
                expect_status(&resp, &[202])?;
                c.send(
                    &s.r.client,
                    put(location(&resp)?, Some((half, end)), wrong.slice(half..)),
                )
                .await?
            }
            _ => {
                let range = (name == "chunked").then_some((0, end));
                let resp = c.send(&s.r.client, patch(at, range, wrong)).await?;
                expect_status(&resp, &[202])?;
                c.send(&s.r.client, put(location(&resp)?, None, Bytes::new()))
                    .await?
            }
        }
    };
    expect_status(&closing, &[400])
}
