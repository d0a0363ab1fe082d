//! The Content Management workflow (§1.7, 10 specs).

use http::Method;
use oras_spec::media_type;

use super::{Ginkgo, Workflow, first_error_code, push_blob, push_manifest, tags_of};
use crate::http::Request;
use crate::outcome::{Stop, ensure, expect_status, fail};

const W: Workflow = Workflow::ContentManagement;

/// Runs the workflow.
pub(super) async fn run(g: &mut Ginkgo<'_, '_>) {
    let (config, layer, manifest) = (
        g.fx.configs[3].clone(),
        g.fx.layer.clone(),
        g.fx.manifests[3].clone(),
    );
    let mut num_tags = 0usize;
    if let Some(mut c) = g.begin(
        W,
        "Setup",
        "Populate registry with test blob",
        "Pushing blobs",
        &["end-4a", "end-6"],
    ) {
        let step = push_blob(g, &mut c, &g.ns, &config).await.map(drop);
        g.end(c, step);
    }
    if let Some(mut c) = g.begin(
        W,
        "Setup",
        "Populate registry with test layer",
        "Pushing blobs",
        &["end-4a", "end-6"],
    ) {
        let step = push_blob(g, &mut c, &g.ns, &layer).await.map(drop);
        g.end(c, step);
    }
    if let Some(mut c) = g.begin(
        W,
        "Setup",
        "Populate registry with test tag",
        "Pushing Manifests",
        &["end-7"],
    ) {
        let step = push_manifest(g, &mut c, "tagtest0", media_type::IMAGE_MANIFEST, &manifest)
            .await
            .map(drop);
        g.end(c, step);
    }
    if let Some(mut c) = g.begin(
        W,
        "Setup",
        "Check how many tags there are before anything gets deleted",
        "Listing Tags",
        &["end-8a"],
    ) {
        let step = async {
            let resp = c
                .send(g.client(), Request::new(Method::GET, g.url("/tags/list")))
                .await?;
            expect_status(&resp, &[200])?;
            num_tags = tags_of(&resp)?.len();
            Ok(())
        }
        .await;
        g.end(c, step);
    }

    const MANIFEST_DELETE: &str = "Manifest delete";
    if let Some(mut c) = g.begin(
        W,
        MANIFEST_DELETE,
        "DELETE request to manifest tag should return 202, unless tag deletion is disallowed (400/405)",
        "Deleting Tags",
        &["end-9"],
    ) {
        let step = async {
            let resp = c.send(g.client(), Request::new(Method::DELETE, g.url("/manifests/tagtest0"))).await?;
            expect_status(&resp, &[400, 202, 405])?;
            if resp.status == 400 {
                let code = first_error_code(&resp)?;
                ensure(code == "UNSUPPORTED", || format!("a 400 must carry UNSUPPORTED, got {code:?}"))?;
            }
            Ok(())
        }
        .await;
        g.end(c, step);
    }
    if let Some(mut c) = g.begin(
        W,
        MANIFEST_DELETE,
        "DELETE request to manifest (digest) should yield 202 response unless already deleted",
        "Deleting Manifests",
        &["end-9"],
    ) {
        let url = g.url(&format!("/manifests/{}", manifest.digest));
        let step = async {
            expect_status(
                &c.send(g.client(), Request::new(Method::DELETE, url))
                    .await?,
                &[202, 404],
            )
        }
        .await;
        g.end(c, step);
    }
    if let Some(mut c) = g.begin(
        W,
        MANIFEST_DELETE,
        "GET request to deleted manifest URL should yield 404 response, unless delete is disallowed",
        "Deleting Manifests",
        &["end-3"],
    ) {
        let url = g.url(&format!("/manifests/{}", manifest.digest));
        let step = async { expect_status(&c.send(g.client(), Request::new(Method::GET, url)).await?, &[404, 200]) }.await;
        g.end(c, step);
    }
    if let Some(mut c) = g.begin(
        W,
        MANIFEST_DELETE,
        "GET request to tags list should reflect manifest deletion",
        "Listing Tags",
        &["end-8a"],
    ) {
        let step = async {
            let resp = c
                .send(g.client(), Request::new(Method::GET, g.url("/tags/list")))
                .await?;
            expect_status(&resp, &[200, 404])?;
            let expected = num_tags
                .checked_sub(1)
                .ok_or_else(|| Stop::Fail("there were no tags before the delete".to_owned()))?;
            if resp.status == 200 {
                let tags = tags_of(&resp)?;
                ensure(tags.len() == expected, || {
                    format!(
                        "expected {expected} tags after the delete, got {}: {tags:?}",
                        tags.len()
                    )
                })
            } else if expected != 0 {
                fail(format!("tag list is 404 but {expected} tags should remain"))
            } else {
                Ok(())
            }
        }
        .await;
        g.end(c, step);
    }

    const BLOB_DELETE: &str = "Blob delete";
    let mut blob_delete_allowed = true;
    if let Some(mut c) = g.begin(
        W,
        BLOB_DELETE,
        "DELETE request to blob URL should yield 202 response",
        "Deleting Blobs",
        &["end-10"],
    ) {
        let step = async {
            for (i, blob) in [&config, &layer].into_iter().enumerate() {
                let url = g.url(&format!("/blobs/{}", blob.digest));
                let resp = c
                    .send(g.client(), Request::new(Method::DELETE, url))
                    .await?;
                expect_status(&resp, &[202, 404, 405])?;
                if i == 1 && resp.status == 405 {
                    blob_delete_allowed = false;
                }
            }
            Ok(())
        }
        .await;
        g.end(c, step);
    }
    if let Some(mut c) = g.begin_if(
        blob_delete_allowed,
        W,
        BLOB_DELETE,
        "GET request to deleted blob URL should yield 404 response",
        "Deleting Blobs",
        &["end-2"],
    ) {
        let url = g.url(&format!("/blobs/{}", config.digest));
        let step = async {
            expect_status(
                &c.send(
                    g.client(),
                    Request::new(Method::GET, url).follow_redirects(),
                )
                .await?,
                &[404],
            )
        }
        .await;
        g.end(c, step);
    }
}
