//! The Pull workflow (§1.4, 24 specs).

use http::Method;
use http::header::CONTENT_TYPE;
use oras_spec::media_type;

use super::fixtures::Blob;
use super::{
    ERROR_CODES, Ginkgo, NONEXISTENT_MANIFEST, Workflow, accept_manifest, delete,
    digest_header_if_present, first_error_code, push_blob, push_manifest, request,
};
use crate::http::Request;
use crate::outcome::{ensure, expect_status, fail};

const W: Workflow = Workflow::Pull;
const PULL_BLOBS: &str = "Pulling blobs";
const PULL_MANIFESTS: &str = "Pulling manifests";

/// Runs the workflow.
pub(super) async fn run(g: &mut Ginkgo<'_, '_>) {
    let setup = g.r.config.run_pull_setup();
    // OCI_MANIFEST_DIGEST / OCI_BLOB_DIGEST name existing content.
    let mut configs: Vec<Blob> = g.fx.configs[..2].to_vec();
    let mut manifests: Vec<Blob> = g.fx.manifests[..2].to_vec();
    if let Some(digest) = &g.r.config.blob_digest {
        configs.iter_mut().for_each(|b| b.digest = digest.clone());
    }
    if let Some(digest) = &g.r.config.manifest_digest {
        manifests.iter_mut().for_each(|b| b.digest = digest.clone());
    }
    let mut tag = String::new();

    for config in &configs {
        if let Some(mut c) = g.begin_if(
            setup,
            W,
            "Setup",
            "Populate registry with test blob",
            "Pushing blobs",
            &["end-4a", "end-6"],
        ) {
            let step = push_blob(g, &mut c, &g.ns, config).await.map(drop);
            g.end(c, step);
        }
    }
    if let Some(mut c) = g.begin_if(
        setup,
        W,
        "Setup",
        "Populate registry with test layer",
        "Pushing blobs",
        &["end-4a", "end-6"],
    ) {
        let layer = g.fx.layer.clone();
        let step = push_blob(g, &mut c, &g.ns, &layer).await.map(drop);
        g.end(c, step);
    }
    if let Some(mut c) = g.begin_if(
        setup,
        W,
        "Setup",
        "Populate registry with test manifest",
        "Pushing manifests",
        &["end-7"],
    ) {
        tag = "tagtest0".to_owned();
        let step = push_manifest(g, &mut c, &tag, media_type::IMAGE_MANIFEST, &manifests[0])
            .await
            .map(drop);
        g.end(c, step);
    }
    if let Some(mut c) = g.begin_if(
        setup,
        W,
        "Setup",
        "Populate registry with test manifest",
        "Pushing manifests",
        &["end-7"],
    ) {
        let digest = manifests[1].digest.clone();
        let step = push_manifest(
            g,
            &mut c,
            &digest,
            media_type::IMAGE_MANIFEST,
            &manifests[1],
        )
        .await
        .map(drop);
        g.end(c, step);
    }
    if let Some(c) = g.begin_if(
        !setup,
        W,
        "Setup",
        "Get tag name from environment",
        "Pulling manifests",
        &[],
    ) {
        tag = g.r.config.tag_name.clone().unwrap_or_default();
        g.end(c, Ok(()));
    }

    const BLOBS: &str = "Pull blobs";
    if let Some(mut c) = g.begin(
        W,
        BLOBS,
        "HEAD request to nonexistent blob should result in 404 response",
        PULL_BLOBS,
        &["end-2"],
    ) {
        let url = g.url(&format!("/blobs/{}", g.fx.dummy_digest));
        let step = async {
            expect_status(
                &c.send(g.client(), Request::new(Method::HEAD, url)).await?,
                &[404],
            )
        }
        .await;
        g.end(c, step);
    }
    if let Some(mut c) = g.begin(
        W,
        BLOBS,
        "HEAD request to existing blob should yield 200",
        PULL_BLOBS,
        &["end-2"],
    ) {
        let url = g.url(&format!("/blobs/{}", configs[0].digest));
        let step = async {
            let resp = c
                .send(
                    g.client(),
                    Request::new(Method::HEAD, url).follow_redirects(),
                )
                .await?;
            expect_status(&resp, &[200])?;
            digest_header_if_present(&resp, &configs[0].digest)
        }
        .await;
        g.end(c, step);
    }
    if let Some(mut c) = g.begin(
        W,
        BLOBS,
        "GET nonexistent blob should result in 404 response",
        PULL_BLOBS,
        &["end-2"],
    ) {
        let url = g.url(&format!("/blobs/{}", g.fx.dummy_digest));
        let step = async {
            expect_status(
                &c.send(g.client(), Request::new(Method::GET, url)).await?,
                &[404],
            )
        }
        .await;
        g.end(c, step);
    }
    if let Some(mut c) = g.begin(
        W,
        BLOBS,
        "GET request to existing blob URL should yield 200",
        PULL_BLOBS,
        &["end-2"],
    ) {
        let url = g.url(&format!("/blobs/{}", configs[0].digest));
        let step = async {
            expect_status(
                &c.send(
                    g.client(),
                    Request::new(Method::GET, url).follow_redirects(),
                )
                .await?,
                &[200],
            )
        }
        .await;
        g.end(c, step);
    }

    const MANIFESTS: &str = "Pull manifests";
    if let Some(mut c) = g.begin(
        W,
        MANIFESTS,
        "HEAD request to nonexistent manifest should return 404",
        PULL_MANIFESTS,
        &["end-3"],
    ) {
        let url = g.url(&format!("/manifests/{NONEXISTENT_MANIFEST}"));
        let step = async {
            expect_status(
                &c.send(g.client(), Request::new(Method::HEAD, url)).await?,
                &[404],
            )
        }
        .await;
        g.end(c, step);
    }
    for (i, manifest) in manifests.iter().enumerate() {
        let name = format!("HEAD request to manifest[{i}] path (digest) should yield 200 response");
        if let Some(mut c) = g.begin(W, MANIFESTS, &name, PULL_MANIFESTS, &["end-3"]) {
            let url = g.url(&format!("/manifests/{}", manifest.digest));
            let step = async {
                let resp = c
                    .send(g.client(), request(Method::HEAD, url, &[accept_manifest()]))
                    .await?;
                expect_status(&resp, &[200])?;
                digest_header_if_present(&resp, &manifest.digest)
            }
            .await;
            g.end(c, step);
        }
    }
    if let Some(mut c) = g.begin(
        W,
        MANIFESTS,
        "HEAD request to manifest path (tag) should yield 200 response",
        PULL_MANIFESTS,
        &["end-3"],
    ) {
        let url = g.url(&format!("/manifests/{tag}"));
        let step = async {
            ensure(!tag.is_empty(), || {
                "no tag to pull (setup failed, or OCI_TAG_NAME is empty)".to_owned()
            })?;
            let resp = c
                .send(g.client(), request(Method::HEAD, url, &[accept_manifest()]))
                .await?;
            expect_status(&resp, &[200])?;
            digest_header_if_present(&resp, &manifests[0].digest)
        }
        .await;
        g.end(c, step);
    }
    if let Some(mut c) = g.begin(
        W,
        MANIFESTS,
        "GET nonexistent manifest should return 404",
        PULL_MANIFESTS,
        &["end-3"],
    ) {
        let url = g.url(&format!("/manifests/{NONEXISTENT_MANIFEST}"));
        let step = async {
            expect_status(
                &c.send(g.client(), Request::new(Method::GET, url)).await?,
                &[404],
            )
        }
        .await;
        g.end(c, step);
    }
    for (i, manifest) in manifests.iter().enumerate() {
        let name = format!("GET request to manifest[{i}] path (digest) should yield 200 response");
        if let Some(mut c) = g.begin(W, MANIFESTS, &name, PULL_MANIFESTS, &["end-3"]) {
            let url = g.url(&format!("/manifests/{}", manifest.digest));
            let step = async {
                expect_status(
                    &c.send(g.client(), request(Method::GET, url, &[accept_manifest()]))
                        .await?,
                    &[200],
                )
            }
            .await;
            g.end(c, step);
        }
    }
    if let Some(mut c) = g.begin(
        W,
        MANIFESTS,
        "GET request to manifest path (tag) should yield 200 response",
        PULL_MANIFESTS,
        &["end-3"],
    ) {
        let url = g.url(&format!("/manifests/{tag}"));
        let step = async {
            ensure(!tag.is_empty(), || {
                "no tag to pull (setup failed, or OCI_TAG_NAME is empty)".to_owned()
            })?;
            expect_status(
                &c.send(g.client(), request(Method::GET, url, &[accept_manifest()]))
                    .await?,
                &[200],
            )
        }
        .await;
        g.end(c, step);
    }

    if let Some(mut c) = g.begin(
        W,
        "Error codes",
        "400 response body should contain OCI-conforming JSON message",
        "Error Codes",
        &["end-3"],
    ) {
        let url = g.url("/manifests/sha256:totallywrong");
        let step = async {
            let req = request(
                Method::GET,
                url,
                &[(CONTENT_TYPE, media_type::IMAGE_MANIFEST)],
            )
            .body(&b"blablabla"[..]);
            let resp = c.send(g.client(), req).await?;
            expect_status(&resp, &[400, 404])?;
            if resp.status == 400 {
                let code = first_error_code(&resp)?;
                if !ERROR_CODES.contains(&code.as_str()) {
                    return fail(format!(
                        "errors[0].code {code:?} is not an error code of the spec"
                    ));
                }
            }
            Ok(())
        }
        .await;
        g.end(c, step);
    }

    teardown(g, setup, &configs, &manifests).await;
}

async fn teardown(g: &mut Ginkgo<'_, '_>, setup: bool, configs: &[Blob], manifests: &[Blob]) {
    let manifests_first = g.r.config.delete_manifest_before_blobs;
    if manifests_first {
        delete_manifests(g, setup, manifests).await;
    }
    let layer = g.fx.layer.clone();
    let blobs = [
        ("Delete config[0] blob created in setup", &configs[0]),
        ("Delete config[1] blob created in setup", &configs[1]),
        ("Delete layer blob created in setup", &layer),
    ];
    for (name, blob) in blobs {
        if let Some(mut c) = g.begin_if(setup, W, "Teardown", name, "Deleting Blobs", &["end-10"]) {
            let step = delete(g, &mut c, &format!("/blobs/{}", blob.digest), &[404, 405])
                .await
                .map(drop);
            g.end(c, step);
        }
    }
    if !manifests_first {
        delete_manifests(g, setup, manifests).await;
    }
}

async fn delete_manifests(g: &mut Ginkgo<'_, '_>, setup: bool, manifests: &[Blob]) {
    for (i, manifest) in manifests.iter().enumerate() {
        let name = format!("Delete manifest[{i}] created in setup");
        if let Some(mut c) = g.begin_if(
            setup,
            W,
            "Teardown",
            &name,
            "Deleting Manifests",
            &["end-9"],
        ) {
            let step = delete(
                g,
                &mut c,
                &format!("/manifests/{}", manifest.digest),
                &[405],
            )
            .await
            .map(drop);
            g.end(c, step);
        }
    }
}
