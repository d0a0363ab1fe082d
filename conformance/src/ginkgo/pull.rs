//! The Pull workflow (24 specs).

use http::Method;
use http::header::CONTENT_TYPE;
use oras_spec::media_type;

use super::fixtures::Blob;
use super::{
    ERROR_CODES, Ginkgo, NONEXISTENT_MANIFEST, SpecDef, Workflow, accept_manifest, delete,
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
    let tag = setup_registry(g, setup, &configs, &manifests).await;
    pull_blobs(g, &configs).await;
    pull_manifests(g, &manifests, &tag).await;
    error_codes(g).await;
    teardown(g, setup, &configs, &manifests).await;
}

/// `Setup`: pushes the blobs and manifests the workflow pulls (or takes
/// the tag from `OCI_TAG_NAME`); the tag to pull.
async fn setup_registry(
    g: &mut Ginkgo<'_, '_>,
    setup: bool,
    configs: &[Blob],
    manifests: &[Blob],
) -> String {
    let mut tag = String::new();

    for config in configs {
        let def = SpecDef {
            workflow: W,
            context: "Setup",
            name: "Populate registry with test blob",
            section: "Pushing blobs",
            endpoints: &["end-4a", "end-6"],
            run_only_if: setup,
        };
        g.check(def, async |g, c| {
            push_blob(g, c, &g.ns, config).await.map(drop)
        })
        .await;
    }
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Populate registry with test layer",
        section: "Pushing blobs",
        endpoints: &["end-4a", "end-6"],
        run_only_if: setup,
    };
    g.check(def, async |g, c| {
        let layer = g.fx.layer.clone();
        push_blob(g, c, &g.ns, &layer).await.map(drop)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Populate registry with test manifest",
        section: "Pushing manifests",
        endpoints: &["end-7"],
        run_only_if: setup,
    };
    g.check(def, async |g, c| {
        tag = "tagtest0".to_owned();
        push_manifest(g, c, &tag, media_type::IMAGE_MANIFEST, &manifests[0])
            .await
            .map(drop)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Populate registry with test manifest",
        section: "Pushing manifests",
        endpoints: &["end-7"],
        run_only_if: setup,
    };
    g.check(def, async |g, c| {
        let digest = manifests[1].digest.clone();
        push_manifest(g, c, &digest, media_type::IMAGE_MANIFEST, &manifests[1])
            .await
            .map(drop)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: "Setup",
        name: "Get tag name from environment",
        section: "Pulling manifests",
        endpoints: &[],
        run_only_if: !setup,
    };
    g.check(def, async |g, _| {
        tag = g.r.config.tag_name.clone().unwrap_or_default();
        Ok(())
    })
    .await;
    tag
}

/// `Pull blobs`.
async fn pull_blobs(g: &mut Ginkgo<'_, '_>, configs: &[Blob]) {
    const BLOBS: &str = "Pull blobs";
    let def = SpecDef {
        workflow: W,
        context: BLOBS,
        name: "HEAD request to nonexistent blob should result in 404 response",
        section: PULL_BLOBS,
        endpoints: &["end-2"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/blobs/{}", g.fx.dummy_digest));
        expect_status(
            &c.send(g.client(), Request::new(Method::HEAD, url)).await?,
            &[404],
        )
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: BLOBS,
        name: "HEAD request to existing blob should yield 200",
        section: PULL_BLOBS,
        endpoints: &["end-2"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/blobs/{}", configs[0].digest));
        let resp = c
            .send(
                g.client(),
                Request::new(Method::HEAD, url).follow_redirects(),
            )
            .await?;
        expect_status(&resp, &[200])?;
        digest_header_if_present(&resp, &configs[0].digest)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: BLOBS,
        name: "GET nonexistent blob should result in 404 response",
        section: PULL_BLOBS,
        endpoints: &["end-2"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/blobs/{}", g.fx.dummy_digest));
        expect_status(
            &c.send(g.client(), Request::new(Method::GET, url)).await?,
            &[404],
        )
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: BLOBS,
        name: "GET request to existing blob URL should yield 200",
        section: PULL_BLOBS,
        endpoints: &["end-2"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/blobs/{}", configs[0].digest));
        expect_status(
            &c.send(
                g.client(),
                Request::new(Method::GET, url).follow_redirects(),
            )
            .await?,
            &[200],
        )
    })
    .await;
}

/// `Pull manifests`: by digest and by `tag`.
async fn pull_manifests(g: &mut Ginkgo<'_, '_>, manifests: &[Blob], tag: &str) {
    const MANIFESTS: &str = "Pull manifests";
    let def = SpecDef {
        workflow: W,
        context: MANIFESTS,
        name: "HEAD request to nonexistent manifest should return 404",
        section: PULL_MANIFESTS,
        endpoints: &["end-3"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/manifests/{NONEXISTENT_MANIFEST}"));
        expect_status(
            &c.send(g.client(), Request::new(Method::HEAD, url)).await?,
            &[404],
        )
    })
    .await;
    for (i, manifest) in manifests.iter().enumerate() {
        let name = format!("HEAD request to manifest[{i}] path (digest) should yield 200 response");
        let def = SpecDef {
            workflow: W,
            context: MANIFESTS,
            name: &name,
            section: PULL_MANIFESTS,
            endpoints: &["end-3"],
            run_only_if: true,
        };
        g.check(def, async |g, c| {
            let url = g.url(&format!("/manifests/{}", manifest.digest));
            let resp = c
                .send(g.client(), request(Method::HEAD, url, &[accept_manifest()]))
                .await?;
            expect_status(&resp, &[200])?;
            digest_header_if_present(&resp, &manifest.digest)
        })
        .await;
    }
    let def = SpecDef {
        workflow: W,
        context: MANIFESTS,
        name: "HEAD request to manifest path (tag) should yield 200 response",
        section: PULL_MANIFESTS,
        endpoints: &["end-3"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/manifests/{tag}"));
        ensure(!tag.is_empty(), || {
            "no tag to pull (setup failed, or OCI_TAG_NAME is empty)".to_owned()
        })?;
        let resp = c
            .send(g.client(), request(Method::HEAD, url, &[accept_manifest()]))
            .await?;
        expect_status(&resp, &[200])?;
        digest_header_if_present(&resp, &manifests[0].digest)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: MANIFESTS,
        name: "GET nonexistent manifest should return 404",
        section: PULL_MANIFESTS,
        endpoints: &["end-3"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/manifests/{NONEXISTENT_MANIFEST}"));
        expect_status(
            &c.send(g.client(), Request::new(Method::GET, url)).await?,
            &[404],
        )
    })
    .await;
    for (i, manifest) in manifests.iter().enumerate() {
        let name = format!("GET request to manifest[{i}] path (digest) should yield 200 response");
        let def = SpecDef {
            workflow: W,
            context: MANIFESTS,
            name: &name,
            section: PULL_MANIFESTS,
            endpoints: &["end-3"],
            run_only_if: true,
        };
        g.check(def, async |g, c| {
            let url = g.url(&format!("/manifests/{}", manifest.digest));
            expect_status(
                &c.send(g.client(), request(Method::GET, url, &[accept_manifest()]))
                    .await?,
                &[200],
            )
        })
        .await;
    }
    let def = SpecDef {
        workflow: W,
        context: MANIFESTS,
        name: "GET request to manifest path (tag) should yield 200 response",
        section: PULL_MANIFESTS,
        endpoints: &["end-3"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/manifests/{tag}"));
        ensure(!tag.is_empty(), || {
            "no tag to pull (setup failed, or OCI_TAG_NAME is empty)".to_owned()
        })?;
        expect_status(
            &c.send(g.client(), request(Method::GET, url, &[accept_manifest()]))
                .await?,
            &[200],
        )
    })
    .await;
}

/// `Error codes`.
async fn error_codes(g: &mut Ginkgo<'_, '_>) {
    let def = SpecDef {
        workflow: W,
        context: "Error codes",
        name: "400 response body should contain OCI-conforming JSON message",
        section: "Error Codes",
        endpoints: &["end-3"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url("/manifests/sha256:totallywrong");
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
    })
    .await;
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
        let def = SpecDef {
            workflow: W,
            context: "Teardown",
            name,
            section: "Deleting Blobs",
            endpoints: &["end-10"],
            run_only_if: setup,
        };
        g.check(def, async |g, c| {
            delete(g, c, &format!("/blobs/{}", blob.digest), &[404, 405])
                .await
                .map(drop)
        })
        .await;
    }
    if !manifests_first {
        delete_manifests(g, setup, manifests).await;
    }
}

async fn delete_manifests(g: &mut Ginkgo<'_, '_>, setup: bool, manifests: &[Blob]) {
    for (i, manifest) in manifests.iter().enumerate() {
        let name = format!("Delete manifest[{i}] created in setup");
        let def = SpecDef {
            workflow: W,
            context: "Teardown",
            name: &name,
            section: "Deleting Manifests",
            endpoints: &["end-9"],
            run_only_if: setup,
        };
        g.check(def, async |g, c| {
            delete(g, c, &format!("/manifests/{}", manifest.digest), &[405])
                .await
                .map(drop)
        })
        .await;
    }
}
