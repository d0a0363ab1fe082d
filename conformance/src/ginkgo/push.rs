//! The Push workflow (29 specs).

use http::Method;
use http::header::{CONTENT_RANGE, CONTENT_TYPE};
use oras_spec::media_type;

use super::{
    Ginkgo, NONEXISTENT_MANIFEST, SpecDef, Workflow, delete, relative, request, with_query,
};
use crate::http::{Request, Response};
use crate::outcome::{Step, Stop, ensure, expect_header, expect_header_eq, expect_status};
use crate::runner::Check;

const W: Workflow = Workflow::Push;
const OCTET: &str = "application/octet-stream";
const MONOLITHIC: &str = "Pushing a blob monolithically";
const CHUNKED: &str = "Pushing a blob in chunks";
const MOUNT: &str = "Mounting a blob from another repository";
const MANIFESTS: &str = "Pushing Manifests";

/// The state Push specs share (`lastResponse`, `prevResponse`).
#[derive(Default)]
struct State {
    last: Option<Response>,
    prev: Option<Response>,
    empty_layer_pushed: bool,
}

fn previous(response: &Option<Response>) -> Step<&Response> {
    response
        .as_ref()
        .ok_or_else(|| Stop::Fail("the spec this one builds on got no response".to_owned()))
}

/// Keeps `resp` as the shared response only when the spec's checks
/// passed: upstream assigns `lastResponse` after its `Expect`s, and a
/// failed `Expect` ends the spec before the assignment, so the next spec
/// builds on the last response that passed.
fn keep_on_success(slot: &mut Option<Response>, resp: Response, checked: &Step) {
    if checked.is_ok() {
        *slot = Some(resp);
    }
}

/// Runs the workflow.
pub(super) async fn run(g: &mut Ginkgo<'_, '_>) {
    let mut st = State::default();
    streamed(g, &mut st).await;
    monolithic(g, &mut st).await;
    chunked(g, &mut st).await;
    mount(g, &mut st).await;
    manifests(g, &mut st).await;
    teardown(g, &st).await;
}

async fn streamed(g: &mut Ginkgo<'_, '_>, st: &mut State) {
    const CTX: &str = "Blob Upload Streamed";
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "PATCH request with blob in body should yield 202 response",
        section: CHUNKED,
        endpoints: &["end-4a", "end-5"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let post = c
            .send(
                g.client(),
                Request::new(Method::POST, g.url("/blobs/uploads/")),
            )
            .await?;
        expect_header(&post, "location")?;
        let patch = request(
            Method::PATCH,
            relative(g.client(), &post)?,
            &[(CONTENT_TYPE, OCTET)],
        )
        .body(g.fx.blob_a.data.clone());
        let resp = c.send(g.client(), patch).await?;
        let status = expect_status(&resp, &[202]);
        keep_on_success(&mut st.last, resp, &status);
        status
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "PUT request to session URL with digest should yield 201 response",
        section: CHUNKED,
        endpoints: &["end-6"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let last = previous(&st.last)?;
        // Upstream sets `Content-Length: 42` without a body; Go sends
        // the real length, 0.
        let url = with_query(relative(g.client(), last)?, "digest", &g.fx.blob_a.digest);
        let resp = c
            .send(
                g.client(),
                request(Method::PUT, url, &[(CONTENT_TYPE, OCTET)]),
            )
            .await?;
        expect_status(&resp, &[201])?;
        expect_header(&resp, "location").map(drop)
    })
    .await;
}

async fn monolithic(g: &mut Ginkgo<'_, '_>, st: &mut State) {
    const CTX: &str = "Blob Upload Monolithic";
    let config = g.fx.configs[1].clone();
    let layer = g.fx.layer.clone();
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET nonexistent blob should result in 404 response",
        section: "Pulling blobs",
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
        context: CTX,
        name: "POST request with digest and blob should yield a 201 or 202",
        section: MONOLITHIC,
        endpoints: &["end-4b"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = with_query(g.url("/blobs/uploads/"), "digest", &config.digest);
        let resp = c
            .send(
                g.client(),
                request(Method::POST, url, &[(CONTENT_TYPE, OCTET)]).body(config.data.clone()),
            )
            .await?;
        let checked =
            expect_header(&resp, "location").and_then(|_| expect_status(&resp, &[201, 202]));
        keep_on_success(&mut st.last, resp, &checked);
        checked
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET request to blob URL from prior request should yield 200 or 404 based on response code",
        section: MONOLITHIC,
        endpoints: &["end-2"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let expected = if previous(&st.last)?.status == 202 {
            404
        } else {
            200
        };
        let url = g.url(&format!("/blobs/{}", config.digest));
        expect_status(
            &c.send(
                g.client(),
                Request::new(Method::GET, url).follow_redirects(),
            )
            .await?,
            &[expected],
        )
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "POST request should yield a session ID",
        section: MONOLITHIC,
        endpoints: &["end-4a"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let resp = c
            .send(
                g.client(),
                Request::new(Method::POST, g.url("/blobs/uploads/")),
            )
            .await?;
        let checked = expect_status(&resp, &[202]);
        keep_on_success(&mut st.last, resp, &checked);
        checked
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "PUT upload of a blob should yield a 201 Response",
        section: MONOLITHIC,
        endpoints: &["end-6"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = with_query(
            relative(g.client(), previous(&st.last)?)?,
            "digest",
            &config.digest,
        );
        let resp = c
            .send(
                g.client(),
                request(Method::PUT, url, &[(CONTENT_TYPE, OCTET)]).body(config.data.clone()),
            )
            .await?;
        expect_header(&resp, "location")?;
        expect_status(&resp, &[201])
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET request to existing blob should yield 200 response",
        section: "Pulling blobs",
        endpoints: &["end-2"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/blobs/{}", config.digest));
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
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "PUT upload of a layer blob should yield a 201 Response",
        section: MONOLITHIC,
        endpoints: &["end-4a", "end-6"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let post = c
            .send(
                g.client(),
                Request::new(Method::POST, g.url("/blobs/uploads/")),
            )
            .await?;
        let url = with_query(relative(g.client(), &post)?, "digest", &layer.digest);
        let resp = c
            .send(
                g.client(),
                request(Method::PUT, url, &[(CONTENT_TYPE, OCTET)]).body(layer.data.clone()),
            )
            .await?;
        expect_header(&resp, "location")?;
        expect_status(&resp, &[201])
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET request to existing layer should yield 200 response",
        section: "Pulling blobs",
        endpoints: &["end-2"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/blobs/{}", layer.digest));
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

/// A `PATCH` of one chunk of blob B.
fn chunk(url: url::Url, body: bytes::Bytes, range: &str) -> Request {
    request(
        Method::PATCH,
        url,
        &[(CONTENT_TYPE, OCTET), (CONTENT_RANGE, range)],
    )
    .body(body)
}

async fn chunked(g: &mut Ginkgo<'_, '_>, st: &mut State) {
    const CTX: &str = "Blob Upload Chunked";
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "Out-of-order blob upload should return 416",
        section: CHUNKED,
        endpoints: &["end-4a", "end-5"],
        run_only_if: true,
    };
    g.check(def, async |g, c| out_of_order(g, c).await).await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "PATCH request with first chunk should return 202",
        section: CHUNKED,
        endpoints: &["end-4a", "end-5"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let post = c
            .send(
                g.client(),
                Request::new(Method::POST, g.url("/blobs/uploads/")),
            )
            .await?;
        expect_header(&post, "location")?;
        let url = relative(g.client(), &post)?;
        st.prev = Some(post);
        let resp = c
            .send(g.client(), chunk(url, g.fx.chunk1(), &g.fx.chunk1_range()))
            .await?;
        let checked = expect_status(&resp, &[202])
            .and_then(|()| expect_header_eq(&resp, "range", &g.fx.chunk1_range()));
        keep_on_success(&mut st.last, resp, &checked);
        checked
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "Retry previous blob chunk should return 416",
        section: CHUNKED,
        endpoints: &["end-5"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = relative(g.client(), previous(&st.prev)?)?;
        expect_status(
            &c.send(g.client(), chunk(url, g.fx.chunk1(), &g.fx.chunk1_range()))
                .await?,
            &[416],
        )
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "Get on stale blob upload should return 204 with a range and location",
        section: CHUNKED,
        endpoints: &["end-13"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = relative(g.client(), previous(&st.prev)?)?;
        let resp = c.send(g.client(), Request::new(Method::GET, url)).await?;
        let checked = expect_status(&resp, &[204])
            .and_then(|()| expect_header(&resp, "location").map(drop))
            .and_then(|()| expect_header_eq(&resp, "range", &g.fx.chunk1_range()));
        keep_on_success(&mut st.last, resp, &checked);
        checked
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "PATCH request with second chunk should return 202",
        section: CHUNKED,
        endpoints: &["end-5"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = relative(g.client(), previous(&st.last)?)?;
        let resp = c
            .send(g.client(), chunk(url, g.fx.chunk2(), &g.fx.chunk2_range()))
            .await?;
        let checked = expect_status(&resp, &[202])
            .and_then(|()| {
                expect_header_eq(&resp, "range", &format!("0-{}", g.fx.blob_b.len() - 1))
            })
            .and_then(|()| expect_header(&resp, "location").map(drop));
        keep_on_success(&mut st.last, resp, &checked);
        checked
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "PUT request with digest should return 201",
        section: CHUNKED,
        endpoints: &["end-6"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = with_query(
            relative(g.client(), previous(&st.last)?)?,
            "digest",
            &g.fx.blob_b.digest,
        );
        let resp = c
            .send(
                g.client(),
                request(Method::PUT, url, &[(CONTENT_TYPE, OCTET)]),
            )
            .await?;
        expect_status(&resp, &[201])?;
        expect_header(&resp, "location").map(drop)
    })
    .await;
}

/// POST, honour `OCI-Chunk-Min-Length`, then PATCH chunk 2 first.
async fn out_of_order(g: &mut Ginkgo<'_, '_>, c: &mut Check) -> Step {
    let post = c
        .send(
            g.client(),
            Request::new(Method::POST, g.url("/blobs/uploads/")),
        )
        .await?;
    expect_header(&post, "location")?;
    if let Some(min) = post.header("oci-chunk-min-length") {
        let min: usize = min
            .trim()
            .parse()
            .map_err(|_| Stop::Fail(format!("OCI-Chunk-Min-Length {min:?} is not a number")))?;
        if min > g.fx.chunk1_len {
            // Bounded: a registry asking for absurd chunks fails here
            // rather than making the runner allocate them.
            ensure(min <= 64 * 1024 * 1024, || {
                format!("OCI-Chunk-Min-Length {min} is above 64 MiB")
            })?;
            g.fx.setup_chunked_blob(min * 2 - 2);
        }
    }
    let url = relative(g.client(), &post)?;
    let resp = c
        .send(g.client(), chunk(url, g.fx.chunk2(), &g.fx.chunk2_range()))
        .await?;
    expect_status(&resp, &[416])
}

async fn mount(g: &mut Ginkgo<'_, '_>, st: &mut State) {
    const CTX: &str = "Cross-Repository Blob Mount";
    let cross = g.cross.clone();
    let blob_a = g.fx.blob_a.digest.clone();
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "Cross-mounting of a blob without the from argument should yield session id",
        section: MOUNT,
        endpoints: &["end-11"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = with_query(
            g.url_in(&cross, "/blobs/uploads/"),
            "mount",
            &g.fx.dummy_digest,
        );
        let resp = c.send(g.client(), Request::new(Method::POST, url)).await?;
        expect_status(&resp, &[202])?;
        expect_header(&resp, "location").map(drop)
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "POST request to mount another repository's blob should return 201 or 202",
        section: MOUNT,
        endpoints: &["end-11"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = with_query(
            with_query(g.url_in(&cross, "/blobs/uploads/"), "mount", &blob_a),
            "from",
            &g.ns,
        );
        let resp = c.send(g.client(), Request::new(Method::POST, url)).await?;
        let checked = expect_status(&resp, &[201, 202]);
        keep_on_success(&mut st.last, resp, &checked);
        checked
    })
    .await;
    let last_status = st.last.as_ref().map(|r| r.status);
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET request to test digest within cross-mount namespace should return 200",
        section: MOUNT,
        endpoints: &["end-11", "end-2"],
        run_only_if: last_status == Some(201),
    };
    g.check(def, async |g, c| {
        let last = previous(&st.last)?;
        let path = last.relative_location().unwrap_or_default();
        let expected = format!("/v2/{cross}/blobs/{blob_a}");
        ensure(path == expected, || {
            format!("mount Location is {path:?}, expected {expected:?}")
        })?;
        expect_status(
            &c.send(
                g.client(),
                Request::new(Method::GET, g.client().url(&path)).follow_redirects(),
            )
            .await?,
            &[200],
        )
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "Cross-mounting of nonexistent blob should yield session id",
        section: MOUNT,
        endpoints: &["end-11"],
        run_only_if: last_status == Some(202),
    };
    g.check(def, async |_, _| {
        let path = st
            .last
            .as_ref()
            .and_then(Response::relative_location)
            .unwrap_or_default();
        let prefix = format!("/v2/{cross}/blobs/uploads/");
        ensure(path.starts_with(&prefix), || {
            format!("mount Location is {path:?}, expected it to start with {prefix:?}")
        })
    })
    .await;
    let automatic = g.r.config.automatic_crossmount;
    for (enabled, name, expected) in [
        (
            true,
            "Cross-mounting without from, and automatic content discovery enabled should return a 201",
            201,
        ),
        (
            false,
            "Cross-mounting without from, and automatic content discovery disabled should return a 202",
            202,
        ),
    ] {
        let runs = automatic == Some(enabled) && last_status == Some(201);
        let def = SpecDef {
            workflow: W,
            context: CTX,
            name,
            section: MOUNT,
            endpoints: &["end-11"],
            run_only_if: runs,
        };
        g.check(def, async |g, c| {
            let url = with_query(g.url_in(&cross, "/blobs/uploads/"), "mount", &blob_a);
            expect_status(
                &c.send(g.client(), Request::new(Method::POST, url)).await?,
                &[expected],
            )
        })
        .await;
    }
}

async fn manifests(g: &mut Ginkgo<'_, '_>, st: &mut State) {
    const CTX: &str = "Manifest Upload";
    let manifest = g.fx.manifests[1].clone();
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET nonexistent manifest should return 404",
        section: "Pulling manifests",
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
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "PUT should accept a manifest upload",
        section: MANIFESTS,
        endpoints: &["end-7"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        for i in 0..4 {
            let url = g.url(&format!("/manifests/test{i}"));
            let put = request(
                Method::PUT,
                url,
                &[(CONTENT_TYPE, media_type::IMAGE_MANIFEST)],
            )
            .body(manifest.data.clone());
            let resp = c.send(g.client(), put).await?;
            expect_header(&resp, "location")?;
            expect_status(&resp, &[201])?;
        }
        Ok(())
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "Registry should accept a manifest upload with no layers",
        section: MANIFESTS,
        endpoints: &["end-7"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url("/manifests/emptylayer");
        let put = request(
            Method::PUT,
            url,
            &[(CONTENT_TYPE, media_type::IMAGE_MANIFEST)],
        )
        .body(g.fx.empty_layer_manifest.data.clone());
        let resp = c.send(g.client(), put).await?;
        if resp.status == 201 {
            st.empty_layer_pushed = true;
            expect_header(&resp, "location").map(drop)
        } else {
            // Upstream only warns here (OCI_SKIP_EMPTY_LAYER_PUSH_TEST
            // is documented but read nowhere).
            c.warn(format!(
                "the registry refused a manifest with no layers: status {}",
                resp.status
            ));
            Ok(())
        }
    })
    .await;
    let def = SpecDef {
        workflow: W,
        context: CTX,
        name: "GET request to manifest URL (digest) should yield 200 response",
        section: "Pulling manifests",
        endpoints: &["end-3"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        let url = g.url(&format!("/manifests/{}", manifest.digest));
        expect_status(
            &c.send(
                g.client(),
                request(Method::GET, url, &[super::accept_manifest()]),
            )
            .await?,
            &[200],
        )
    })
    .await;
}

async fn teardown(g: &mut Ginkgo<'_, '_>, st: &State) {
    let manifests_first = g.r.config.delete_manifest_before_blobs;
    if manifests_first {
        delete_manifests(g, st).await;
    }
    let blobs = [
        (
            "Delete config blob created in tests",
            g.fx.configs[1].digest.clone(),
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
        delete_manifests(g, st).await;
    }
}

async fn delete_manifests(g: &mut Ginkgo<'_, '_>, st: &State) {
    let def = SpecDef {
        workflow: W,
        context: "Teardown",
        name: "Delete manifest created in tests",
        section: "Deleting Manifests",
        endpoints: &["end-9"],
        run_only_if: true,
    };
    g.check(def, async |g, c| {
        delete(
            g,
            c,
            &format!("/manifests/{}", g.fx.manifests[1].digest),
            &[405],
        )
        .await?;
        if st.empty_layer_pushed {
            delete(
                g,
                c,
                &format!("/manifests/{}", g.fx.empty_layer_manifest.digest),
                &[405],
            )
            .await?;
        }
        Ok(())
    })
    .await;
}
