//! `ping`, `empty`, `missing-manifest` and `invalid-digest-format`
//! (§2.3 items 1, 2, 5 and 6).

use http::Method;
use http::header::CONTENT_TYPE;
use oras_spec::{Algorithm, media_type};

use super::upload::BlobData;
use super::{Gate, Suite};
use crate::http::Request;
use crate::outcome::{Step, Stop, describe, ensure, expect_header_eq, expect_status};

/// `GET /v2/`: any answer after the auth retry.
pub(super) async fn ping(s: &mut Suite<'_, '_>) {
    if !s.wants("ping") {
        return;
    }
    let gate = Gate::switch(s.r.config.api.ping, "OCI_API_PING");
    if let Some(mut c) = s.begin(&["ping"], "ping", "API version check", &["end-1"], gate) {
        let url = s.r.client.url("/v2/");
        let step = async {
            let resp = c.send(&s.r.client, Request::new(Method::GET, url)).await?;
            if resp.status != 200 {
                c.warn(format!("GET /v2/ answered {}", resp.status));
            }
            Ok(())
        }
        .await;
        s.end(c, step);
    }
}

/// A referrers answer: 200, the index Content-Type, `mediaType` index and
/// `schemaVersion` 2; its `manifests`.
pub(super) fn referrers_index(resp: &crate::http::Response) -> Step<Vec<serde_json::Value>> {
    expect_status(resp, &[200])?;
    expect_header_eq(resp, "content-type", media_type::IMAGE_INDEX)?;
    let index: serde_json::Value = serde_json::from_slice(&resp.body).map_err(|e| {
        Stop::Fail(format!(
            "referrers body is not JSON ({e}): {}",
            describe(resp)
        ))
    })?;
    let media = index
        .get("mediaType")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    ensure(media == media_type::IMAGE_INDEX, || {
        format!("referrers mediaType is {media:?}")
    })?;
    let version = index
        .get("schemaVersion")
        .and_then(serde_json::Value::as_u64);
    ensure(version == Some(2), || {
        format!("referrers schemaVersion is {version:?}")
    })?;
    Ok(index
        .get("manifests")
        .and_then(|m| m.as_array())
        .cloned()
        .unwrap_or_default())
}

/// `empty`: the tag list is JSON (or 404) and the referrers of an
/// unknown digest are an empty index.
pub(super) async fn empty(s: &mut Suite<'_, '_>) {
    if !s.wants("empty") {
        return;
    }
    let api = s.r.config.api;
    if let Some(mut c) = s.begin(
        &["empty"],
        "tag-list",
        "Listing Tags",
        &["end-8a"],
        Gate::switch(api.tags_list, "OCI_API_TAGS_LIST"),
    ) {
        let url = s.url(&s.repo1, "/tags/list");
        let step = async {
            let resp = c.send(&s.r.client, Request::new(Method::GET, url)).await?;
            expect_status(&resp, &[200, 404])?;
            if resp.status == 200 {
                serde_json::from_slice::<serde_json::Value>(&resp.body).map_err(|e| {
                    Stop::Fail(format!("tag list is not JSON ({e}): {}", describe(&resp)))
                })?;
            }
            Ok(())
        }
        .await;
        s.end(c, step);
    }
    if let Some(mut c) = s.begin(
        &["empty"],
        "referrers",
        "Listing Referrers",
        &["end-12a"],
        Gate::switch(api.referrer, "OCI_API_REFERRER"),
    ) {
        let digest = BlobData::new(Algorithm::Sha256, s.rng.bytes(32)).digest;
        let url = s.url(&s.repo1, &format!("/referrers/{digest}"));
        let step = async {
            let list =
                referrers_index(&c.send(&s.r.client, Request::new(Method::GET, url)).await?)?;
            ensure(list.is_empty(), || {
                format!("an unknown subject has {} referrers", list.len())
            })
        }
        .await;
        s.end(c, step);
    }
}

/// `missing-manifest`: by digest and by tag, GET must be 404.
pub(super) async fn missing_manifests(s: &mut Suite<'_, '_>) {
    if !s.wants("missing-manifest") {
        return;
    }
    let gate = Gate::switch(s.r.config.api.pull, "OCI_API_PULL");
    let digest = BlobData::new(Algorithm::Sha256, s.rng.bytes(32))
        .digest
        .to_string();
    let tag = format!("missing-{}", s.rng.string(12).replace('-', "x"));
    for (name, reference) in [("by-digest", digest), ("by-tag", tag)] {
        if let Some(mut c) = s.begin(
            &["missing-manifest"],
            name,
            "Pulling manifests",
            &["end-3"],
            gate.clone(),
        ) {
            let url = s.url(&s.repo1, &format!("/manifests/{reference}"));
            let step = async {
                let req = Request::new(Method::GET, url)
                    .header(http::header::ACCEPT, media_type::IMAGE_MANIFEST);
                expect_status(&c.send(&s.r.client, req).await?, &[404])
            }
            .await;
            s.end(c, step);
        }
    }
}

/// `invalid-digest-format`: a PUT to `sha256:baddigeststring` must be
/// 400; a GET of it 404 or 400.
pub(super) async fn invalid_digest_format(s: &mut Suite<'_, '_>) {
    if !s.wants("invalid-digest-format") {
        return;
    }
    let api = s.r.config.api;
    let path = ["invalid-digest-format"];
    if let Some(mut c) = s.begin(
        &path,
        "put",
        "Pushing Manifests",
        &["end-7"],
        Gate::switch(api.push, "OCI_API_PUSH"),
    ) {
        let url = s.url(&s.repo1, "/manifests/sha256:baddigeststring");
        let body = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": media_type::IMAGE_INDEX,
            "manifests": [],
        });
        let step = async {
            let req = Request::new(Method::PUT, url)
                .header(CONTENT_TYPE, media_type::IMAGE_INDEX)
                .body(body.to_string());
            expect_status(&c.send(&s.r.client, req).await?, &[400])
        }
        .await;
        s.end(c, step);
    }
    if let Some(mut c) = s.begin(
        &path,
        "get",
        "Pulling manifests",
        &["end-3"],
        Gate::switch(api.pull, "OCI_API_PULL"),
    ) {
        let url = s.url(&s.repo1, "/manifests/sha256:baddigeststring");
        let step = async {
            expect_status(
                &c.send(&s.r.client, Request::new(Method::GET, url)).await?,
                &[404, 400],
            )
        }
        .await;
        s.end(c, step);
    }
}
