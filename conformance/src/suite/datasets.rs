//! The checks each data set gets: push (blobs, manifests by
//! digest and by tag, or with `?tag=`), tag list with `last`, head and
//! pull of every manifest and blob, referrers with and without the
//! `artifactType` filter, and deletes.

use http::Method;
use http::header::CONTENT_TYPE;
use url::Url;

use super::data::{DataSet, Doc, Kind, all};
use super::misc::referrers_index;
use super::upload::{
    Flavour, accept, blob_delete, blob_get, blob_head, check_digest_header, location, upload,
};
use super::{CheckDef, Gate, Suite};
use crate::http::{Request, Response};
use crate::outcome::{Step, Stop, describe, ensure, expect_status, fail};
use crate::runner::Check;

const MANIFESTS: &str = "Pushing Manifests";
const PULL: &str = "Pulling manifests";

/// Runs every data set.
pub(super) async fn run(s: &mut Suite<'_, '_>) {
    let config = &s.r.config;
    let sets = all(&config.data, &config.api, config.seed ^ 0xda7a);
    for set in sets {
        if s.wants(&format!("data/{}", set.name)) || s.wants("data") {
            run_set(s, &set).await;
        }
    }
}

async fn run_set(s: &mut Suite<'_, '_>, set: &DataSet) {
    let api = s.r.config.api;
    let path = ["data", set.name];
    let on = |gate: Gate| match set.enabled {
        Ok(()) => gate,
        Err(variable) => Gate::Off(variable),
    };
    let push = on(Gate::switch(api.push, "OCI_API_PUSH"));

    // A set without blobs (an empty index) has nothing to upload.
    let mut blobs_stored = set.blobs.is_empty();
    if !set.blobs.is_empty() {
        let def = CheckDef {
            path: &path,
            name: "push blobs",
            spec: "Pushing blobs",
            endpoints: &["end-4a", "end-5", "end-6"],
            gate: push.clone(),
        };
        s.check(def, async |s, c| {
            push_blobs(s, c, set, &mut blobs_stored).await
        })
        .await;
    }
    if set.kind == Kind::BadDigest {
        bad_digest(s, set, push.and_after(blobs_stored, "push blobs")).await;
        delete_blobs(
            s,
            set,
            on(Gate::switch(api.blobs_delete, "OCI_API_BLOBS_DELETE"))
                .and_after(blobs_stored, "push blobs"),
        )
        .await;
        return;
    }

    let mut stored = false;
    let by_digest = push.clone().and_after(blobs_stored, "push blobs");
    let endpoints: &[&'static str] = if set.kind == Kind::TagParams {
        &["end-7b", "end-3"]
    } else {
        &["end-7", "end-3"]
    };
    let def = CheckDef {
        path: &path,
        name: "push manifest-by-digest",
        spec: MANIFESTS,
        endpoints,
        gate: by_digest,
    };
    s.check(def, async |s, c| {
        push_manifests(s, c, set, true, &mut stored).await
    })
    .await;
    if set.kind == Kind::Normal {
        let by_tag = push.clone().and_after(stored, "push manifest-by-digest");
        let mut tagged = false;
        let def = CheckDef {
            path: &path,
            name: "push manifest-by-tag",
            spec: MANIFESTS,
            endpoints: &["end-7", "end-3"],
            gate: by_tag,
        };
        s.check(def, async |s, c| {
            push_manifests(s, c, set, false, &mut tagged).await
        })
        .await;
        stored = stored && tagged;
    }
    pulls(s, set, stored, blobs_stored).await;
    deletes(s, set, stored, blobs_stored).await;
}

/// The checks of a pushed set: tag list, manifest HEAD/GET by digest and
/// by tag, blob GETs (after the blob push), referrers (each after the
/// manifest push).
async fn pulls(s: &mut Suite<'_, '_>, set: &DataSet, stored: bool, blobs_stored: bool) {
    let api = s.r.config.api;
    let path = ["data", set.name];
    let on = |gate: Gate| match set.enabled {
        Ok(()) => gate,
        Err(variable) => Gate::Off(variable),
    };
    let after_push = |gate: Gate| on(gate).and_after(stored, "the manifest push");

    let def = CheckDef {
        path: &path,
        name: "tag-list",
        spec: "Listing Tags",
        endpoints: &["end-8a", "end-8b"],
        gate: after_push(Gate::switch(api.tags_list, "OCI_API_TAGS_LIST")),
    };
    s.check(def, async |s, c| tag_list(s, c, set).await).await;
    let pull = after_push(Gate::switch(api.pull, "OCI_API_PULL"));
    for (name, method, by_tag) in [
        ("head manifest-by-tag", Method::HEAD, true),
        ("head manifest-by-digest", Method::HEAD, false),
        ("pull manifest-by-tag", Method::GET, true),
        ("pull manifest-by-digest", Method::GET, false),
    ] {
        let def = CheckDef {
            path: &path,
            name,
            spec: PULL,
            endpoints: &["end-3"],
            gate: pull.clone(),
        };
        s.check(def, async |s, c| {
            fetch_manifests(s, c, set, method.clone(), by_tag).await
        })
        .await;
    }
    let repo = s.repo1.clone();
    let blob_pull =
        on(Gate::switch(api.pull, "OCI_API_PULL")).and_after(blobs_stored, "push blobs");
    if !set.blobs.is_empty() {
        let def = CheckDef {
            path: &path,
            name: "blob-head",
            spec: "Pulling blobs",
            endpoints: &["end-2"],
            gate: blob_pull.clone(),
        };
        s.check(def, async |s, c| {
            for blob in &set.blobs {
                blob_head(s, c, &repo, blob).await?;
            }
            Ok(())
        })
        .await;
        let def = CheckDef {
            path: &path,
            name: "blob-get",
            spec: "Pulling blobs",
            endpoints: &["end-2"],
            gate: blob_pull,
        };
        s.check(def, async |s, c| {
            for blob in &set.blobs {
                blob_get(s, c, &repo, blob).await?;
            }
            Ok(())
        })
        .await;
    }
    if !set.subjects().is_empty() {
        let referrers = after_push(Gate::switch(api.referrer, "OCI_API_REFERRER"));
        let def = CheckDef {
            path: &path,
            name: "referrers",
            spec: "Listing Referrers",
            endpoints: &["end-12a"],
            gate: referrers.clone(),
        };
        s.check(def, async |s, c| list_referrers(s, c, set).await)
            .await;
        let def = CheckDef {
            path: &path,
            name: "referrers artifactType filter",
            spec: "Listing Referrers",
            endpoints: &["end-12b"],
            gate: referrers,
        };
        s.check(def, async |s, c| filter_referrers(s, c, set).await)
            .await;
    }
}

/// Uploads every blob, rotating through the upload flavours.
async fn push_blobs(s: &Suite<'_, '_>, c: &mut Check, set: &DataSet, stored: &mut bool) -> Step {
    const ROTATION: [Flavour; 3] = [Flavour::PostPut, Flavour::ChunkedSingle, Flavour::Stream];
    for (i, blob) in set.blobs.iter().enumerate() {
        let mut one = false;
        upload(s, c, &s.repo1, blob, ROTATION[i % ROTATION.len()], &mut one).await?;
    }
    *stored = true;
    Ok(())
}

/// PUTs every manifest (by digest, with `?tag=` for tag-parameter sets,
/// or by tag); `stored` once every PUT was 201.
async fn push_manifests(
    s: &Suite<'_, '_>,
    c: &mut Check,
    set: &DataSet,
    by_digest: bool,
    stored: &mut bool,
) -> Step {
    let mut all_created = true;
    let mut first_failure: Option<Stop> = None;
    for doc in &set.docs {
        let reference = if by_digest {
            doc.digest.to_string()
        } else {
            doc.tag.clone()
        };
        let mut url = s.url(&s.repo1, &format!("/manifests/{reference}"));
        let tags = if set.kind == Kind::TagParams {
            let tags = vec![doc.tag.clone(), format!("{}-extra", doc.tag)];
            for tag in &tags {
                url.query_pairs_mut().append_pair("tag", tag);
            }
            tags
        } else {
            Vec::new()
        };
        let req = Request::new(Method::PUT, url)
            .header(CONTENT_TYPE, doc.media_type.clone())
            .body(doc.bytes.clone());
        let resp = c.send(&s.r.client, req).await?;
        all_created &= resp.status == 201;
        if let Err(stop) = check_manifest_put(s, c, doc, &resp, &tags, by_digest).await
            && first_failure.is_none()
        {
            first_failure = Some(stop);
        }
    }
    *stored = all_created;
    first_failure.map_or(Ok(()), Err)
}

/// 201, `Location` serving the exact manifest, the digest header,
/// `OCI-Subject` (with the referrers API) and `OCI-Tag` per tag.
async fn check_manifest_put(
    s: &Suite<'_, '_>,
    c: &mut Check,
    doc: &Doc,
    resp: &Response,
    tags: &[String],
    by_digest: bool,
) -> Step {
    expect_status(resp, &[201])?;
    let by_tag_content = (!by_digest).then_some(&doc.bytes[..]);
    check_digest_header(resp, &doc.digest, by_tag_content, false)?;
    if let Some(subject) = &doc.subject
        && s.r.config.api.referrer
    {
        let header = resp.header("oci-subject").unwrap_or_default();
        ensure(header == subject.to_string(), || {
            format!(
                "a manifest with a subject must be answered with OCI-Subject: {subject}, got {header:?}"
            )
        })?;
    }
    if !tags.is_empty() {
        let answered: Vec<String> = resp
            .header_all("oci-tag")
            .iter()
            .flat_map(|v| v.split(',').map(|t| t.trim().to_owned()))
            .collect();
        if answered.is_empty() {
            c.unsupported("the registry sent no OCI-Tag header for the ?tag= parameters");
        } else {
            for tag in tags {
                ensure(answered.contains(tag), || {
                    format!("OCI-Tag does not list {tag}: {answered:?}")
                })?;
            }
        }
    }
    let at = location(resp)?;
    let got = c
        .send(
            &s.r.client,
            Request::new(Method::GET, at)
                .header(accept(&doc.media_type).0, doc.media_type.clone())
                .follow_redirects(),
        )
        .await?;
    check_manifest_answer(&got, doc, true)
}

/// 200, exact `Content-Type`, `Content-Length` and (for GET) bytes.
fn check_manifest_answer(resp: &Response, doc: &Doc, with_body: bool) -> Step {
    expect_status(resp, &[200])?;
    let content_type = resp.header("content-type").unwrap_or_default();
    ensure(content_type == doc.media_type, || {
        format!(
            "Content-Type is {content_type:?}, expected {:?}",
            doc.media_type
        )
    })?;
    let length = resp.header("content-length").unwrap_or_default();
    ensure(length == doc.bytes.len().to_string(), || {
        format!("Content-Length is {length:?}, expected {}", doc.bytes.len())
    })?;
    if with_body {
        ensure(resp.body == doc.bytes, || {
            "the manifest bytes differ from those pushed".to_owned()
        })
    } else {
        ensure(resp.body.is_empty(), || {
            "a HEAD answer carried a body".to_owned()
        })
    }
}

async fn fetch_manifests(
    s: &Suite<'_, '_>,
    c: &mut Check,
    set: &DataSet,
    method: Method,
    by_tag: bool,
) -> Step {
    for doc in &set.docs {
        let reference = if by_tag {
            doc.tag.clone()
        } else {
            doc.digest.to_string()
        };
        let url = s.url(&s.repo1, &format!("/manifests/{reference}"));
        let req = Request::new(method.clone(), url)
            .header(accept(&doc.media_type).0, doc.media_type.clone())
            .follow_redirects();
        let resp = c.send(&s.r.client, req).await?;
        check_manifest_answer(&resp, doc, method == Method::GET)?;
        check_digest_header(
            &resp,
            &doc.digest,
            by_tag.then_some(&doc.bytes[..]),
            s.r.config.api.manifests_digest_header,
        )?;
    }
    Ok(())
}

/// Every tag of the repository, following `Link` (at most 100 pages).
pub(super) async fn all_tags(s: &Suite<'_, '_>, c: &mut Check, mut url: Url) -> Step<Vec<String>> {
    let mut tags = Vec::new();
    for _ in 0..100 {
        let resp = c
            .send(&s.r.client, Request::new(Method::GET, url.clone()))
            .await?;
        expect_status(&resp, &[200])?;
        tags.extend(crate::ginkgo::tags_of(&resp)?);
        match next_link(&resp) {
            Some(next) => url = next,
            None => return Ok(tags),
        }
    }
    fail("more than 100 pages of tags")
}

/// The `rel="next"` target of a `Link` header.
fn next_link(resp: &Response) -> Option<Url> {
    let link = resp.header("link")?;
    let target = link
        .split(';')
        .next()?
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    resp.url.join(target).ok()
}

async fn tag_list(s: &Suite<'_, '_>, c: &mut Check, set: &DataSet) -> Step {
    let mine: Vec<String> = set.docs.iter().map(|d| d.tag.clone()).collect();
    let url = s.url(&s.repo1, "/tags/list");
    let listed = all_tags(s, c, url.clone()).await?;
    for tag in &mine {
        ensure(listed.contains(tag), || {
            format!("tag {tag} is missing from the list")
        })?;
    }
    if mine.len() >= 2 {
        let mut sorted = mine.clone();
        sorted.sort();
        let last = sorted[(sorted.len() - 1) / 2].clone();
        let mut url = url;
        url.query_pairs_mut().append_pair("last", &last);
        let after = all_tags(s, c, url).await?;
        for tag in &sorted {
            let expected = tag.as_str() > last.as_str();
            ensure(after.contains(tag) == expected, || {
                format!(
                    "with last={last}, tag {tag} should be {}: {after:?}",
                    if expected { "listed" } else { "absent" }
                )
            })?;
        }
    }
    Ok(())
}

/// Each subject's referrers hold the expected descriptors.
async fn list_referrers(s: &Suite<'_, '_>, c: &mut Check, set: &DataSet) -> Step {
    for subject in set.subjects() {
        let url = s.url(&s.repo1, &format!("/referrers/{subject}"));
        let list = referrers_index(&c.send(&s.r.client, Request::new(Method::GET, url)).await?)?;
        for doc in set
            .docs
            .iter()
            .filter(|d| d.subject.as_ref() == Some(&subject))
        {
            contains_referrer(&list, doc)?;
        }
    }
    Ok(())
}

/// The list has `doc`'s descriptor: digest, mediaType, size,
/// artifactType, and annotations that include the expected ones.
fn contains_referrer(list: &[serde_json::Value], doc: &Doc) -> Step {
    let digest = doc.digest.to_string();
    let Some(found) = list.iter().find(|d| d["digest"] == digest.as_str()) else {
        return fail(format!("referrer {digest} is missing"));
    };
    let want = &doc.referrer;
    for key in ["mediaType", "size", "artifactType"] {
        ensure(found.get(key) == want.get(key), || {
            format!(
                "referrer {digest} has {key} {:?}, expected {:?}",
                found.get(key),
                want.get(key)
            )
        })?;
    }
    if let Some(expected) = want.get("annotations").and_then(|a| a.as_object()) {
        for (key, value) in expected {
            ensure(found["annotations"].get(key) == Some(value), || {
                format!("referrer {digest} lacks annotation {key}={value}")
            })?;
        }
    }
    Ok(())
}

/// `?artifactType=` per type: with `OCI-Filters-Applied` only that type;
/// without it, "unsupported".
async fn filter_referrers(s: &Suite<'_, '_>, c: &mut Check, set: &DataSet) -> Step {
    for subject in set.subjects() {
        let referrers: Vec<&Doc> = set
            .docs
            .iter()
            .filter(|d| d.subject.as_ref() == Some(&subject))
            .collect();
        let mut types: Vec<String> = referrers
            .iter()
            .filter_map(|d| d.referrer["artifactType"].as_str().map(str::to_owned))
            .collect();
        types.dedup();
        for artifact_type in types {
            let mut url = s.url(&s.repo1, &format!("/referrers/{subject}"));
            url.query_pairs_mut()
                .append_pair("artifactType", &artifact_type);
            let resp = c.send(&s.r.client, Request::new(Method::GET, url)).await?;
            let list = referrers_index(&resp)?;
            let applied = resp.header("oci-filters-applied").unwrap_or_default();
            if !applied.split(',').any(|f| f.trim() == "artifactType") {
                c.unsupported(
                    "the registry did not apply the artifactType filter (no OCI-Filters-Applied)",
                );
                continue;
            }
            for d in &list {
                ensure(d["artifactType"] == artifact_type.as_str(), || {
                    format!("the filter for {artifact_type} returned {}", d["digest"])
                })?;
            }
            for doc in referrers
                .iter()
                .filter(|d| d.referrer["artifactType"] == artifact_type.as_str())
            {
                contains_referrer(&list, doc)?;
            }
        }
    }
    Ok(())
}

/// A manifest PUT under a digest of other bytes must be refused with 400,
/// and nothing must be stored under that digest.
async fn bad_digest(s: &mut Suite<'_, '_>, set: &DataSet, gate: Gate) {
    let path = ["data", set.name];
    let def = CheckDef {
        path: &path,
        name: "push manifest-bad-digest",
        spec: MANIFESTS,
        endpoints: &["end-7", "end-3"],
        gate,
    };
    s.check(def, async |s, c| {
        let doc = set
            .docs
            .first()
            .ok_or_else(|| Stop::Fail("the data set has no manifest".to_owned()))?;
        let mut other = doc.bytes.to_vec();
        other.extend_from_slice(b"\n");
        let wrong = oras_spec::Digest::compute(doc.digest.algorithm(), &other);
        let url = s.url(&s.repo1, &format!("/manifests/{wrong}"));
        let req = Request::new(Method::PUT, url.clone())
            .header(CONTENT_TYPE, doc.media_type.clone())
            .body(doc.bytes.clone());
        let resp = c.send(&s.r.client, req).await?;
        expect_status(&resp, &[400])?;
        let get = c
            .send(
                &s.r.client,
                Request::new(Method::GET, url)
                    .header(accept(&doc.media_type).0, doc.media_type.clone()),
            )
            .await?;
        ensure(get.status == 404, || {
            format!(
                "after the refused PUT the digest answers {}",
                describe(&get)
            )
        })
    })
    .await;
}

async fn delete_blobs(s: &mut Suite<'_, '_>, set: &DataSet, gate: Gate) {
    if set.blobs.is_empty() {
        return;
    }
    let path = ["data", set.name];
    let repo = s.repo1.clone();
    let def = CheckDef {
        path: &path,
        name: "blob-delete",
        spec: "Deleting Blobs",
        endpoints: &["end-10"],
        gate,
    };
    s.check(def, async |s, c| {
        for blob in &set.blobs {
            blob_delete(s, c, &repo, &blob.digest).await?;
        }
        Ok(())
    })
    .await;
}

/// `tag-delete`, `manifest-delete` (reverse push order), `blob-delete`.
async fn deletes(s: &mut Suite<'_, '_>, set: &DataSet, stored: bool, blobs_stored: bool) {
    let api = s.r.config.api;
    let path = ["data", set.name];
    let on = |gate: Gate| match set.enabled {
        Ok(()) => gate,
        Err(variable) => Gate::Off(variable),
    };
    let tag_gate = on(Gate::switch(api.tags_delete, "OCI_API_TAGS_DELETE"))
        .and_after(stored, "the manifest push");
    let def = CheckDef {
        path: &path,
        name: "tag-delete",
        spec: "Deleting Tags",
        endpoints: &["end-9"],
        gate: tag_gate,
    };
    s.check(def, async |s, c| {
        for doc in &set.docs {
            delete_manifest(s, c, &doc.tag, &doc.media_type, api.tags_atomic).await?;
            if set.kind == Kind::TagParams {
                delete_manifest(
                    s,
                    c,
                    &format!("{}-extra", doc.tag),
                    &doc.media_type,
                    api.tags_atomic,
                )
                .await?;
            }
        }
        Ok(())
    })
    .await;
    let manifest_gate = on(Gate::switch(
        api.manifests_delete,
        "OCI_API_MANIFESTS_DELETE",
    ))
    .and_after(stored, "the manifest push");
    let def = CheckDef {
        path: &path,
        name: "manifest-delete",
        spec: "Deleting Manifests",
        endpoints: &["end-9"],
        gate: manifest_gate,
    };
    s.check(def, async |s, c| {
        for doc in set.docs.iter().rev() {
            delete_manifest(
                s,
                c,
                &doc.digest.to_string(),
                &doc.media_type,
                api.manifests_atomic,
            )
            .await?;
        }
        Ok(())
    })
    .await;
    delete_blobs(
        s,
        set,
        on(Gate::switch(api.blobs_delete, "OCI_API_BLOBS_DELETE"))
            .and_after(blobs_stored, "push blobs"),
    )
    .await;
}

/// `DELETE /manifests/<reference>`: 202 or 404; 400/405 "unsupported";
/// with `atomic`, a HEAD must then be 404.
async fn delete_manifest(
    s: &Suite<'_, '_>,
    c: &mut Check,
    reference: &str,
    media_type: &str,
    atomic: bool,
) -> Step {
    let url = s.url(&s.repo1, &format!("/manifests/{reference}"));
    let resp = c
        .send(&s.r.client, Request::new(Method::DELETE, url.clone()))
        .await?;
    if matches!(resp.status, 400 | 405) {
        c.unsupported(format!(
            "the registry refused the delete of {reference} with {}",
            resp.status
        ));
        return Ok(());
    }
    expect_status(&resp, &[202, 404])?;
    if atomic {
        let head = c
            .send(
                &s.r.client,
                Request::new(Method::HEAD, url).header(accept(media_type).0, media_type.to_owned()),
            )
            .await?;
        ensure(head.status == 404, || {
            format!(
                "{reference} still answers HEAD with {} after its delete",
                head.status
            )
        })?;
    }
    Ok(())
}
