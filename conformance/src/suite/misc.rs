//! The checks `ping`, `empty`, `missing-manifest` and `invalid-digest-format`.

use http::Method;
use http::header::CONTENT_TYPE;
use oras_spec::{Algorithm, media_type};

use super::upload::BlobData;
use super::{CheckDef, Gate, Suite};
use crate::http::Request;
use crate::outcome::{Step, Stop, describe, ensure, expect_header_eq, expect_status};

/// `GET /v2/`: any answer after the auth retry.
pub(super) async fn ping(s: &mut Suite<'_, '_>) {
    if !s.wants("ping") {
        return;
    }
    let gate = Gate::switch(s.r.config.api.ping, "OCI_API_PING");
    let def = CheckDef {
        path: &["ping"],
        name: "ping",
        spec: "API version check",
        endpoints: &["end-1"],
        gate,
    };
    s.check(def, async |s, c| {
        let url = s.r.client.url("/v2/");
        let resp = c.send(&s.r.client, Request::new(Method::GET, url)).await?;
        if resp.status != 200 {
            c.warn(format!("GET /v2/ answered {}", resp.status));
        }
        Ok(())
    })
    .await;
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
    let def = CheckDef {
        path: &["empty"],
        name: "tag-list",
        spec: "Listing Tags",
        endpoints: &["end-8a"],
        gate: Gate::switch(api.tags_list, "OCI_API_TAGS_LIST"),
    };
    s.check(def, async |s, c| {
        let url = s.url(&s.repo1, "/tags/list");
        let resp = c.send(&s.r.client, Request::new(Method::GET, url)).await?;
        expect_status(&resp, &[200, 404])?;
        if resp.status == 200 {
            serde_json::from_slice::<serde_json::Value>(&resp.body).map_err(|e| {
                Stop::Fail(format!("tag list is not JSON ({e}): {}", describe(&resp)))
            })?;
        }
        Ok(())
    })
    .await;
    let def = CheckDef {
        path: &["empty"],
        name: "referrers",
        spec: "Listing Referrers",
        endpoints: &["end-12a"],
        gate: Gate::switch(api.referrer, "OCI_API_REFERRER"),
    };
    s.check(def, async |s, c| {
        let digest = BlobData::new(Algorithm::Sha256, s.rng.bytes(32)).digest;
        let url = s.url(&s.repo1, &format!("/referrers/{digest}"));
        let list = referrers_index(&c.send(&s.r.client, Request::new(Method::GET, url)).await?)?;
        ensure(list.is_empty(), || {
            format!("an unknown subject has {} referrers", list.len())
        })
    })
    .await;
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
        let def = CheckDef {
            path: &["missing-manifest"],
            name,
            spec: "Pulling manifests",
            endpoints: &["end-3"],
            gate: gate.clone(),
        };
        s.check(def, async |s, c| {
            let url = s.url(&s.repo1, &format!("/manifests/{reference}"));
            let req = Request::new(Method::GET, url)
                .header(http::header::ACCEPT, media_type::IMAGE_MANIFEST);
            expect_status(&c.send(&s.r.client, req).await?, &[404])
        })
        .await;
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
    let def = CheckDef {
        path: &path,
        name: "put",
        spec: "Pushing Manifests",
        endpoints: &["end-7"],
        gate: Gate::switch(api.push, "OCI_API_PUSH"),
    };
    s.check(def, async |s, c| {
        let url = s.url(&s.repo1, "/manifests/sha256:baddigeststring");
        let body = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": media_type::IMAGE_INDEX,
            "manifests": [],
        });
        let req = Request::new(Method::PUT, url)
            .header(CONTENT_TYPE, media_type::IMAGE_INDEX)
            .body(body.to_string());
        expect_status(&c.send(&s.r.client, req).await?, &[400])
    })
    .await;
    let def = CheckDef {
        path: &path,
        name: "get",
        spec: "Pulling manifests",
        endpoints: &["end-3"],
        gate: Gate::switch(api.pull, "OCI_API_PULL"),
    };
    s.check(def, async |s, c| {
        let url = s.url(&s.repo1, "/manifests/sha256:baddigeststring");
        expect_status(
            &c.send(&s.r.client, Request::new(Method::GET, url)).await?,
            &[404, 400],
        )
    })
    .await;
}
