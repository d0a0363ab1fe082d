//! The read-only data set (`OCI_RO_DATA_*`): content that already exists
//! in the repository under test, for registries that refuse pushes. As
//! upstream, nothing about its content is known beforehand, so the checks
//! ask only what any registry holding it must answer: the tags are listed
//! and resolve, manifests and blobs are served with bytes matching their
//! digests, referrers come back as an OCI index. Nothing is pushed or
//! deleted. Like upstream, the set runs only while `OCI_DATA_IMAGE` is on.

use http::Method;
use http::header::ACCEPT;
use oras_spec::{Digest, media_type};

use super::datasets::all_tags;
use super::misc::referrers_index;
use super::{CheckDef, Gate, Suite};
use crate::http::Request;
use crate::outcome::{Step, describe, ensure, expect_status};
use crate::runner::Check;

const PULL: &str = "Pulling manifests";
const NAME: &str = "read-only";

/// Every manifest media type a tag may resolve to.
fn accept_any_manifest() -> String {
    [
        media_type::IMAGE_MANIFEST,
        media_type::IMAGE_INDEX,
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ]
    .join(", ")
}

/// Runs the set when any read-only data was given.
pub(super) async fn run(s: &mut Suite<'_, '_>) {
    let ro = s.r.config.ro_data.clone();
    if ro.is_empty() || !(s.wants(&format!("data/{NAME}")) || s.wants("data")) {
        return;
    }
    let api = s.r.config.api;
    let path = ["data", NAME];
    let image = s.r.config.data.image;
    let on = move |gate: Gate| gate.and_switch(image, "OCI_DATA_IMAGE");
    let repo = s.repo1.clone();

    if !ro.tags.is_empty() {
        let gate = on(Gate::switch(api.tags_list, "OCI_API_TAGS_LIST"));
        let def = CheckDef {
            path: &path,
            name: "tag-list",
            spec: "Listing Tags",
            endpoints: &["end-8a"],
            gate,
        };
        s.check(def, async |s, c| {
            let url = s.url(&repo, "/tags/list");
            let listed = all_tags(s, c, url).await?;
            let missing: Vec<&String> = ro.tags.iter().filter(|t| !listed.contains(t)).collect();
            ensure(missing.is_empty(), || {
                format!("the tag list lacks {missing:?}: {listed:?}")
            })
        })
        .await;
        for (name, method) in [
            ("head manifest-by-tag", Method::HEAD),
            ("pull manifest-by-tag", Method::GET),
        ] {
            let gate = on(Gate::switch(api.pull, "OCI_API_PULL"));
            let def = CheckDef {
                path: &path,
                name,
                spec: PULL,
                endpoints: &["end-3"],
                gate,
            };
            s.check(def, async |s, c| {
                for tag in &ro.tags {
                    fetch(s, c, &repo, "manifests", tag, None, method.clone()).await?;
                }
                Ok(())
            })
            .await;
        }
    }
    // Manifests, then blobs, each by digest: HEAD, then GET.
    let by_digest = [
        (
            &ro.manifests,
            "manifests",
            PULL,
            "end-3",
            ["head manifest-by-digest", "pull manifest-by-digest"],
        ),
        (
            &ro.blobs,
            "blobs",
            "Pulling blobs",
            "end-2",
            ["blob-head", "blob-get"],
        ),
    ];
    for (digests, kind, spec, endpoint, [head, get]) in by_digest {
        if digests.is_empty() {
            continue;
        }
        for (name, method) in [(head, Method::HEAD), (get, Method::GET)] {
            let gate = on(Gate::switch(api.pull, "OCI_API_PULL"));
            let def = CheckDef {
                path: &path,
                name,
                spec,
                endpoints: &[endpoint],
                gate,
            };
            s.check(def, async |s, c| {
                for digest in digests {
                    let reference = digest.to_string();
                    fetch(s, c, &repo, kind, &reference, Some(digest), method.clone()).await?;
                }
                Ok(())
            })
            .await;
        }
    }
    if !ro.referrers.is_empty() {
        let gate = on(Gate::switch(api.referrer, "OCI_API_REFERRER"));
        let def = CheckDef {
            path: &path,
            name: "referrers",
            spec: "Listing Referrers",
            endpoints: &["end-12a"],
            gate,
        };
        s.check(def, async |s, c| {
            for subject in &ro.referrers {
                let url = s.url(&repo, &format!("/referrers/{subject}"));
                let resp = c.send(&s.r.client, Request::new(Method::GET, url)).await?;
                referrers_index(&resp)?;
            }
            Ok(())
        })
        .await;
    }
}

/// HEAD or GET of `/v2/<repo>/<kind>/<reference>`: 200, and for a GET by
/// digest a body with that digest; a `Docker-Content-Digest` a digest
/// request gets must be that digest.
async fn fetch(
    s: &Suite<'_, '_>,
    c: &mut Check,
    repo: &str,
    kind: &str,
    reference: &str,
    digest: Option<&Digest>,
    method: Method,
) -> Step {
    let url = s.url(repo, &format!("/{kind}/{reference}"));
    let mut req = Request::new(method.clone(), url).follow_redirects();
    if kind == "manifests" {
        req = req.header(ACCEPT, accept_any_manifest());
    }
    let resp = c.send(&s.r.client, req).await?;
    expect_status(&resp, &[200])?;
    let Some(digest) = digest else {
        return Ok(());
    };
    if let Some(header) = resp.header("docker-content-digest") {
        ensure(header == digest.to_string(), || {
            format!("Docker-Content-Digest is {header}, not {digest}")
        })?;
    }
    if method == Method::GET {
        ensure(digest.verifies(&resp.body), || {
            format!("the body does not match {digest}: {}", describe(&resp))
        })?;
    }
    Ok(())
}
