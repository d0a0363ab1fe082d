//! The Content Discovery workflow (16 specs).

use http::Method;
use oras_spec::media_type;

use super::fixtures::{Blob, EMPTY_JSON_DIGEST, TYPE_A};
use super::{Ginkgo, SpecDef, Workflow, delete, push_blob, push_manifest, tags_of, with_query};
use crate::http::{Request, Response};
use crate::outcome::{Step, Stop, describe, ensure, expect_header_eq, expect_status, fail};
use crate::runner::Check;

const W: Workflow = Workflow::ContentDiscovery;
const TAGS: &str = "Listing Tags";
const REFERRERS: &str = "Listing Referrers";
const SUBJECT: &str = "Pushing Manifests with Subject";

/// Runs the workflow.
pub(super) async fn run(g: &mut Ginkgo<'_, '_>) {
    let no_push = g.r.config.tag_list.clone();
    let setup = no_push.is_none();
    let (config, layer) = (g.fx.configs[2].clone(), g.fx.layer.clone());
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Populate registry with test blob",
        section: "Pushing blobs",
        endpoints: &["end-4a", "end-6"],
        run_only_if: setup,
    };
    g.check(def, async |g, c| {
        push_blob(g, c, &g.ns, &config).await.map(drop)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Populate registry with test layer",
        section: "Pushing blobs",
        endpoints: &["end-4a", "end-6"],
        run_only_if: setup,
    };
    g.check(def, async |g, c| {
        push_blob(g, c, &g.ns, &layer).await.map(drop)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Populate registry with test tags",
        section: "Pushing Manifests",
        endpoints: &["end-7", "end-8a"],
        run_only_if: setup,
    };
    g.check(def, async |g, c| {
        let manifest = g.fx.manifests[2].clone();
        for tag in [
            "test0", "test1", "test2", "test3", "TEST0", "TEST1", "TEST2", "TEST3",
        ] {
            push_manifest(g, c, tag, media_type::IMAGE_MANIFEST, &manifest).await?;
        }
        // Upstream lists the tags here without asserting anything.
        c.send(g.client(), Request::new(Method::GET, g.url("/tags/list")))
            .await
            .map(drop)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Populate registry with test tags (no push)",
        section: "Listing Tags",
        endpoints: &[],
        run_only_if: !setup,
    };
    g.check(def, async |_, _| Ok(())).await;
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "References setup",
        section: SUBJECT,
        endpoints: &["end-4a", "end-6", "end-7"],
        run_only_if: true,
    };
    g.check(def, async |g, c| references_setup(g, c).await)
        .await;

    tags(g).await;
    referrers(g).await;
    teardown(g).await;
}

/// One spec: the first failure ends it.
async fn references_setup(g: &Ginkgo<'_, '_>, c: &mut Check) -> Step {
    let fx = &g.fx;
    ensure(fx.empty_json.digest == EMPTY_JSON_DIGEST, || {
        format!("empty JSON digest is {}", fx.empty_json.digest)
    })?;
    push_blob(g, c, &g.ns, &fx.empty_json).await?;
    push_blob(g, c, &g.ns, &fx.ref_blob_a).await?;
    let subject = &fx.manifests[4].digest;
    for (manifest, content_type) in [
        (&fx.ref_a_config, media_type::IMAGE_MANIFEST),
        (&fx.ref_a_layer, media_type::IMAGE_MANIFEST),
        (&fx.ref_index, media_type::IMAGE_INDEX),
    ] {
        push_referrer(g, c, manifest, content_type, subject).await?;
    }
    push_blob(g, c, &g.ns, &fx.configs[4]).await?;
    push_blob(g, c, &g.ns, &fx.layer).await?;
    push_manifest(
        g,
        c,
        "tagtest0",
        media_type::IMAGE_MANIFEST,
        &fx.manifests[4],
    )
    .await?;
    push_blob(g, c, &g.ns, &fx.ref_blob_b).await?;
    push_referrer(g, c, &fx.ref_b_config, media_type::IMAGE_MANIFEST, subject).await?;
    push_referrer(g, c, &fx.ref_b_layer, media_type::IMAGE_MANIFEST, subject).await?;
    push_referrer(
        g,
        c,
        &fx.ref_c_layer,
        media_type::IMAGE_MANIFEST,
        &fx.manifests[3].digest,
    )
    .await
}

/// PUT by digest; 2xx and `OCI-Subject: <subject>`.
async fn push_referrer(
    g: &Ginkgo<'_, '_>,
    c: &mut Check,
    manifest: &Blob,
    content_type: &str,
    subject: &str,
) -> Step {
    let resp = push_manifest(g, c, &manifest.digest, content_type, manifest).await?;
    expect_header_eq(&resp, "oci-subject", subject)
}

async fn tags(g: &mut Ginkgo<'_, '_>) {
    const CTX: &str = "Test content discovery endpoints (listing tags)";
    let mut tag_list: Vec<String> = g.r.config.tag_list.clone().unwrap_or_default();
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET request to list tags should yield 200 response and be in sorted order",
        section: TAGS,
        endpoints: &["end-8a"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let resp = c
            .send(g.client(), Request::new(Method::GET, g.url("/tags/list")))
            .await?;
        expect_status(&resp, &[200])?;
        tag_list = tags_of(&resp)?;
        let mut ascii = tag_list.clone();
        ascii.sort();
        let mut lexical = tag_list.clone();
        lexical.sort_by_key(|t| t.to_lowercase());
        ensure(tag_list == ascii || tag_list == lexical, || {
            format!("tags are not sorted: {tag_list:?}")
        })
    })
    .await;
    let k = tag_list.len() / 2;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET number of tags should be limitable by `n` query parameter",
        section: TAGS,
        endpoints: &["end-8b"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = with_query(g.url("/tags/list"), "n", &k.to_string());
        let resp = c.send(g.client(), Request::new(Method::GET, url)).await?;
        expect_status(&resp, &[200])?;
        let tags = tags_of(&resp)?;
        ensure(tags.len() == k, || {
            format!("asked for n={k}, got {} tags: {tags:?}", tags.len())
        })
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET start of tag is set by `last` query parameter",
        section: TAGS,
        endpoints: &["end-8b"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = with_query(g.url("/tags/list"), "n", &k.to_string());
        let first = c
            .send(g.client(), Request::new(Method::GET, url.clone()))
            .await?;
        expect_status(&first, &[200])?;
        let page = tags_of(&first)?;
        let last = page.last().cloned().unwrap_or_default();
        let resp = c
            .send(
                g.client(),
                Request::new(Method::GET, with_query(url, "last", &last)),
            )
            .await?;
        expect_status(&resp, &[200])?;
        let tags = tags_of(&resp)?;
        ensure(tags.len() <= k, || {
            format!("asked for n={k}, got {} tags", tags.len())
        })?;
        ensure(!tags.contains(&last), || {
            format!("last={last:?} is exclusive, but the answer holds it: {tags:?}")
        })
    })
    .await;
}

/// A referrers index: its `manifests` (Content-Type checked first).
fn referrers_of(resp: &Response) -> Step<Vec<serde_json::Value>> {
    expect_status(resp, &[200])?;
    expect_header_eq(resp, "content-type", media_type::IMAGE_INDEX)?;
    let index: serde_json::Value = serde_json::from_slice(&resp.body).map_err(|e| {
        Stop::Fail(format!(
            "referrers body is not JSON ({e}): {}",
            describe(resp)
        ))
    })?;
    Ok(index
        .get("manifests")
        .and_then(|m| m.as_array())
        .cloned()
        .unwrap_or_default())
}

/// Each descriptor has exactly the one expected annotation.
fn check_annotations(g: &Ginkgo<'_, '_>, descriptors: &[serde_json::Value]) -> Step {
    for desc in descriptors {
        let digest = desc
            .get("digest")
            .and_then(|d| d.as_str())
            .unwrap_or_default();
        let annotations = desc.get("annotations").and_then(|a| a.as_object());
        let expected = g.fx.annotations.get(digest);
        let ok = match (annotations, expected) {
            (Some(map), Some(value)) => {
                map.len() == 1
                    && map
                        .get(super::fixtures::ANNOTATION_KEY)
                        .and_then(|v| v.as_str())
                        == Some(value.as_str())
            }
            _ => false,
        };
        ensure(ok, || {
            format!(
                "descriptor {digest} has annotations {annotations:?}, expected exactly {expected:?}"
            )
        })?;
    }
    Ok(())
}

async fn referrers(g: &mut Ginkgo<'_, '_>) {
    const CTX: &str = "Test content discovery endpoints (listing references)";
    let subject = g.fx.manifests[4].digest.clone();
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET request to nonexistent blob should result in empty 200 response",
        section: REFERRERS,
        endpoints: &["end-12a"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/referrers/{}", g.fx.dummy_digest));
        let list = referrers_of(&c.send(g.client(), Request::new(Method::GET, url)).await?)?;
        ensure(list.is_empty(), || {
            format!("expected no referrers, got {}", list.len())
        })
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET request to existing blob should yield 200",
        section: REFERRERS,
        endpoints: &["end-12a"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/referrers/{subject}"));
        let list = referrers_of(&c.send(g.client(), Request::new(Method::GET, url)).await?)?;
        ensure(list.len() == 5, || {
            format!("expected 5 referrers, got {}", list.len())
        })?;
        ensure(list[0].get("digest") != list[1].get("digest"), || {
            "the first two referrers have the same digest".to_owned()
        })?;
        check_annotations(g, &list)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET request to existing blob with filter should yield 200",
        section: REFERRERS,
        endpoints: &["end-12b"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = with_query(
            g.url(&format!("/referrers/{subject}")),
            "artifactType",
            TYPE_A,
        );
        let resp = c.send(g.client(), Request::new(Method::GET, url)).await?;
        let list = referrers_of(&resp)?;
        match resp.header("oci-filters-applied").filter(|v| !v.is_empty()) {
            Some(applied) => {
                ensure(applied == "artifactType", || {
                    format!("OCI-Filters-Applied is {applied:?}, expected \"artifactType\"")
                })?;
                ensure(list.len() == 2, || {
                    format!("expected 2 filtered referrers, got {}", list.len())
                })?;
                check_annotations(g, &list)
            }
            None => {
                c.warn("filtering by artifact-type is not implemented");
                ensure(list.len() == 5, || {
                    format!(
                        "without OCI-Filters-Applied expected all 5 referrers, got {}",
                        list.len()
                    )
                })
            }
        }
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET request to missing manifest should yield 200",
        section: REFERRERS,
        endpoints: &["end-12a"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/referrers/{}", g.fx.manifests[3].digest));
        let list = referrers_of(&c.send(g.client(), Request::new(Method::GET, url)).await?)?;
        ensure(list.len() == 1, || {
            format!("expected 1 referrer, got {}", list.len())
        })?;
        let digest = list[0]
            .get("digest")
            .and_then(|d| d.as_str())
            .unwrap_or_default();
        if digest != g.fx.ref_c_layer.digest {
            return fail(format!(
                "expected referrer {}, got {digest}",
                g.fx.ref_c_layer.digest
            ));
        }
        Ok(())
    })
    .await;
}

async fn teardown(g: &mut Ginkgo<'_, '_>) {
    let manifests_first = g.r.config.delete_manifest_before_blobs;
    if manifests_first {
        delete_manifests(g).await;
    }
    let blobs = [
        (
            "Delete config blob created in tests",
            g.fx.configs[2].digest.clone(),
        ),
        (
            "Delete layer blob created in setup",
            g.fx.layer.digest.clone(),
        ),
    ];
    for (name, digest) in blobs {
        let def = SpecDef {
            workflow: W,
            context: "Teardown",
            name,
            section: "Deleting Blobs",
            endpoints: &["end-10"],
            run_only_if: true,
        };
        g.check(def, async |g, c| {
            delete(g, c, &format!("/blobs/{digest}"), &[404, 405])
                .await
                .map(drop)
        })
        .await;
    }
    if !manifests_first {
        delete_manifests(g).await;
    }
    let def = SpecDef {
        workflow: W,
        context: "Teardown",
        name: "References teardown",
        section: "Deleting Manifests",
        endpoints: &["end-9", "end-10"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        for manifest in referrer_manifests(g) {
            delete(g, c, &format!("/manifests/{manifest}"), &[404, 405]).await?;
        }
        let fx = &g.fx;
        for blob in [
            &fx.configs[4],
            &fx.ref_blob_a,
            &fx.ref_blob_b,
            &fx.empty_json,
        ] {
            delete(g, c, &format!("/blobs/{}", blob.digest), &[404, 405]).await?;
        }
        Ok(())
    })
    .await;
}

fn referrer_manifests(g: &Ginkgo<'_, '_>) -> Vec<String> {
    let fx = &g.fx;
    [
        &fx.ref_index,
        &fx.ref_a_config,
        &fx.ref_a_layer,
        &fx.ref_b_config,
        &fx.ref_b_layer,
        &fx.ref_c_layer,
    ]
    .iter()
    .map(|b| b.digest.clone())
    .collect()
}

async fn delete_manifests(g: &mut Ginkgo<'_, '_>) {
    let def = SpecDef {
        workflow: W,
        context: "Teardown",
        name: "Delete created manifest & associated tags",
        section: "Deleting Manifests",
        endpoints: &["end-9"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let mut digests = vec![
            g.fx.ref_index.digest.clone(),
            g.fx.manifests[2].digest.clone(),
            g.fx.manifests[4].digest.clone(),
        ];
        digests.extend(referrer_manifests(g).into_iter().skip(1));
        for digest in digests {
            delete(g, c, &format!("/manifests/{digest}"), &[404, 405]).await?;
        }
        Ok(())
    })
    .await;
}
