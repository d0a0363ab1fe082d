//! The Content Management workflow (10 specs).

use http::Method;
use oras_spec::media_type;

use super::fixtures::Blob;
use super::{Ginkgo, SpecDef, Workflow, first_error_code, push_blob, push_manifest, tags_of};
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
    let num_tags = setup_registry(g, &config, &layer, &manifest).await;
    delete_manifest(g, &manifest, num_tags).await;
    delete_blobs(g, &config, &layer).await;
}

/// `Setup`: pushes the blobs and the manifest the workflow deletes; the
/// number of tags listed after the push.
async fn setup_registry(
    g: &mut Ginkgo<'_, '_>,
    config: &Blob,
    layer: &Blob,
    manifest: &Blob,
) -> usize {
    let mut num_tags = 0usize;
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Populate registry with test blob",
        section: "Pushing blobs",
        endpoints: &["end-4a", "end-6"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        push_blob(g, c, &g.ns, config).await.map(drop)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Populate registry with test layer",
        section: "Pushing blobs",
        endpoints: &["end-4a", "end-6"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        push_blob(g, c, &g.ns, layer).await.map(drop)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Populate registry with test tag",
        section: "Pushing Manifests",
        endpoints: &["end-7"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        push_manifest(g, c, "tagtest0", media_type::IMAGE_MANIFEST, manifest)
            .await
            .map(drop)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Check how many tags there are before anything gets deleted",
        section: "Listing Tags",
        endpoints: &["end-8a"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let resp = c
            .send(g.client(), Request::new(Method::GET, g.url("/tags/list")))
            .await?;
        expect_status(&resp, &[200])?;
        num_tags = tags_of(&resp)?.len();
        Ok(())
    })
    .await;
    num_tags
}

/// `Manifest delete`: the tag, the manifest, and what a GET and the tag
/// list show afterwards.
async fn delete_manifest(g: &mut Ginkgo<'_, '_>, manifest: &Blob, num_tags: usize) {
    const MANIFEST_DELETE: &str = "Manifest delete";
    let def = SpecDef {
        workflow: W,
        context: MANIFEST_DELETE,
        name: "DELETE request to manifest tag should return 202, unless tag deletion is disallowed (400/405)",
        section: "Deleting Tags",
        endpoints: &["end-9"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let resp = c
            .send(
                g.client(),
                Request::new(Method::DELETE, g.url("/manifests/tagtest0")),
            )
            .await?;
        expect_status(&resp, &[400, 202, 405])?;
        if resp.status == 400 {
            let code = first_error_code(&resp)?;
            ensure(code == "UNSUPPORTED", || {
                format!("a 400 must carry UNSUPPORTED, got {code:?}")
            })?;
        }
        Ok(())
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: MANIFEST_DELETE,
        name: "DELETE request to manifest (digest) should yield 202 response unless already deleted",
        section: "Deleting Manifests",
        endpoints: &["end-9"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/manifests/{}", manifest.digest));
        expect_status(
            &c.send(g.client(), Request::new(Method::DELETE, url))
                .await?,
            &[202, 404],
        )
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: MANIFEST_DELETE,
        name: "GET request to deleted manifest URL should yield 404 response, unless delete is disallowed",
        section: "Deleting Manifests",
        endpoints: &["end-3"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/manifests/{}", manifest.digest));
        expect_status(
            &c.send(g.client(), Request::new(Method::GET, url)).await?,
            &[404, 200],
        )
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: MANIFEST_DELETE,
        name: "GET request to tags list should reflect manifest deletion",
        section: "Listing Tags",
        endpoints: &["end-8a"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
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
    })
    .await;
}

/// `Blob delete`: the config and the layer, then a GET of the config.
async fn delete_blobs(g: &mut Ginkgo<'_, '_>, config: &Blob, layer: &Blob) {
    const BLOB_DELETE: &str = "Blob delete";
    let mut blob_delete_allowed = true;
    let def = SpecDef {
        workflow: W,
        context: BLOB_DELETE,
        name: "DELETE request to blob URL should yield 202 response",
        section: "Deleting Blobs",
        endpoints: &["end-10"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        for (i, blob) in [config, layer].into_iter().enumerate() {
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
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: BLOB_DELETE,
        name: "GET request to deleted blob URL should yield 404 response",
        section: "Deleting Blobs",
        endpoints: &["end-2"],
        run_only_if: blob_delete_allowed,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/blobs/{}", config.digest));
        expect_status(
            &c.send(
                g.client(),
                Request::new(Method::GET, url).follow_redirects(),
            )
            .await?,
            &[404],
        )
    })
    .await;
}
