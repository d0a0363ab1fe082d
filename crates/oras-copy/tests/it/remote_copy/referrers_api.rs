//! Extended copies (the CLI's `cp -r`) on a real registry with the OCI 1.1
//! referrers API (olareg, `oras_testkit::real::ReferrersRegistry`): an
//! index with referrers on itself, on its children and on a referrer,
//! copied between two repositories of that registry (found and listed
//! through the API, no `sha256-<hex>` tag written), and from there to
//! CNCF Distribution 2.8 (the tag schema) and back again. On every side
//! each referrer is listed under its subject with its artifact type, and
//! its manifest names that subject.

use std::sync::Arc;

use bytes::Bytes;
use oras_content::{
    ReadOnlyStorage, ReferrerLister, Resolver, Storage, TagLister, Tagger, fetch_all,
};
use oras_copy::{
    CopyGraphOptions, ExtendedCopyOptions, PackManifestOptions, PackManifestVersion, extended_copy,
    pack_manifest, push_bytes, referrers_finder,
};
use oras_remote::{ClientConfig, ProxyConfig, Registry, Repository, RetryPolicy};
use oras_spec::{Descriptor, Index, Manifest, media_type};
use oras_testkit::real::{Mode, ReferrersRegistry, start_for_test_async};
use regex::Regex;

use crate::remote_copy::support::*;

const SIGNATURE: &str = "application/vnd.test.signature";
const SBOM: &str = "application/vnd.test.sbom";
const COUNTER: &str = "application/vnd.test.countersignature";
const PROVENANCE: &str = "application/vnd.test.provenance";

/// A repository of the referrers registry (plain HTTP, no auth), with a
/// client of its own.
fn olareg_repo(registry: &ReferrersRegistry, name: &str) -> Repository {
    let config = ClientConfig::new()
        .plain_http(true)
        .proxy(ProxyConfig::none())
        .retry(RetryPolicy::default().with_sleep(Arc::new(|_| Box::pin(async {}))));
    Registry::with_config(&registry.host(), config)
        .unwrap()
        .repository(name)
        .unwrap()
}

/// An index tagged `v1` and what refers to it.
struct Attached {
    image: MultiPlatform,
    /// (referrer, its subject, its artifact type)
    referrers: Vec<(Descriptor, Descriptor, &'static str)>,
}

impl Attached {
    fn referrer(&self, artifact_type: &str) -> &Descriptor {
        &self
            .referrers
            .iter()
            .find(|(_, _, t)| *t == artifact_type)
            .unwrap()
            .0
    }
}

/// Packs a referrer of `subject` with one layer in `store`.
async fn pack_referrer<S: Storage + ?Sized>(
    store: &S,
    subject: &Descriptor,
    artifact_type: &str,
    payload: &'static [u8],
) -> Descriptor {
    let layer = push_bytes(store, media_type::IMAGE_LAYER, Bytes::from_static(payload))
        .await
        .unwrap();
    let opts = PackManifestOptions {
        subject: Some(subject.plain()),
        layers: vec![layer],
        manifest_annotations: created(),
        ..Default::default()
    };
    pack_manifest(store, PackManifestVersion::V1_1, artifact_type, &opts)
        .await
        .unwrap()
}

/// Pushes a multi-platform index (tagged `v1`) to `a` with a signature on
/// its first child, an SBOM on its second, a countersignature on the
/// signature and a provenance on the index itself.
async fn attach(a: &Repository, seed: u8) -> Attached {
    let image = MultiPlatform::push(a, seed).await;
    a.tag(&image.index, "v1").await.unwrap();
    let signature = pack_referrer(a, &image.children[0], SIGNATURE, b"signed").await;
    let sbom = pack_referrer(a, &image.children[1], SBOM, b"sbom").await;
    let counter = pack_referrer(a, &signature, COUNTER, b"countersigned").await;
    let provenance = pack_referrer(a, &image.index, PROVENANCE, b"provenance").await;
    let referrers = vec![
        (signature.clone(), image.children[0].clone(), SIGNATURE),
        (sbom, image.children[1].clone(), SBOM),
        (counter, signature, COUNTER),
        (provenance, image.index.clone(), PROVENANCE),
    ];
    Attached { image, referrers }
}

/// The referrers `repo` lists for `subject`, as sorted (digest, type).
async fn listed(repo: &Repository, subject: &Descriptor) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = repo
        .referrers(subject, None)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.digest.to_string(), d.artifact_type))
        .collect();
    found.sort();
    found
}

/// `repo` holds the image under `v1` and lists each referrer (and only
/// it) under its subject, with its artifact type; the referrer's manifest
/// names that subject and its layer is there.
async fn assert_attached(repo: &Repository, attached: &Attached) {
    assert_eq!(
        repo.resolve("v1").await.unwrap().digest,
        attached.image.index.digest
    );
    assert_holds(repo, &attached.image.nodes, &attached.image.content).await;
    for (referrer, subject, artifact_type) in &attached.referrers {
        assert_eq!(
            listed(repo, subject).await,
            [(referrer.digest.to_string(), (*artifact_type).to_owned())],
            "referrers of {} in {}",
            subject.digest,
            repo.name()
        );
        let only = repo.referrers(subject, Some(artifact_type)).await.unwrap();
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].media_type, media_type::IMAGE_MANIFEST);
        assert_eq!(only[0].size, referrer.size);
        let bytes = fetch_all(repo, referrer, 1 << 20).await.unwrap();
        let manifest: Manifest = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(manifest.artifact_type, *artifact_type);
        assert_eq!(manifest.subject.unwrap().digest, subject.digest);
        for layer in &manifest.layers {
            assert!(repo.exists(layer).await.unwrap(), "{}", layer.digest);
        }
    }
    // Only the signature has a referrer of its own.
    for (referrer, _, artifact_type) in &attached.referrers {
        if *artifact_type != SIGNATURE {
            assert!(listed(repo, referrer).await.is_empty());
        }
    }
}

/// `cp -r` of `v1` from `src` to `dst`; checks every referrer was copied
/// once.
async fn copy_recursive(src: &Repository, dst: &Repository, attached: &Attached) {
    let (graph, seen) = recording(CopyGraphOptions::default());
    let mut opts = ExtendedCopyOptions::new(graph);
    opts.find_predecessors = Some(referrers_finder());
    let root = extended_copy(src, "v1", dst, "v1", &opts).await.unwrap();
    assert_eq!(root.digest, attached.image.index.digest);
    let seen = seen.lock().unwrap();
    for (referrer, _, _) in &attached.referrers {
        let digest = referrer.digest.to_string();
        assert_eq!(
            seen.done.iter().filter(|d| **d == digest).count(),
            1,
            "{digest} copied once: {seen:?}"
        );
    }
}

/// The `sha256-<hex>` tags the tag schema writes for `attached`, and `v1`.
fn schema_tags(attached: &Attached) -> Vec<String> {
    let mut want = vec!["v1".to_owned()];
    want.extend(
        attached
            .referrers
            .iter()
            .map(|(_, subject, _)| referrers_tag(subject)),
    );
    want.sort();
    want
}

#[tokio::test]
async fn recursive_copy_between_repositories_of_the_referrers_registry() {
    let Some(registry) = oras_testkit::real::start_referrers_for_test_async().await else {
        return;
    };
    bounded(async {
        let a = olareg_repo(&registry, "referrers-api/a");
        let b = olareg_repo(&registry, "referrers-api/b");
        let attached = attach(&a, 21).await;
        assert_eq!(a.referrers_capability(), Some(true), "OCI-Subject seen");
        assert_attached(&a, &attached).await;

        let fresh_a = olareg_repo(&registry, "referrers-api/a");
        copy_recursive(&fresh_a, &b, &attached).await;
        assert_eq!(fresh_a.referrers_capability(), Some(true));
        assert_eq!(b.referrers_capability(), Some(true));
        assert_attached(&b, &attached).await;
        // Through the API: no tag-schema index on either side.
        assert_eq!(a.tags(None).await.unwrap(), ["v1"]);
        assert_eq!(b.tags(None).await.unwrap(), ["v1"]);
        // A fresh client of B finds them too.
        let fresh_b = olareg_repo(&registry, "referrers-api/b");
        assert_attached(&fresh_b, &attached).await;

        // With an artifact-type filter only the signature goes along (the
        // countersignature's type does not match, so it stays behind).
        let c = olareg_repo(&registry, "referrers-api/c");
        let mut opts = ExtendedCopyOptions::new(CopyGraphOptions::default());
        opts.find_predecessors = Some(referrers_finder());
        opts.filter_artifact_type(Regex::new("^application/vnd\\.test\\.signature$").unwrap());
        extended_copy(&a, "v1", &c, "v1", &opts).await.unwrap();
        assert_holds(&c, &attached.image.nodes, &attached.image.content).await;
        let signature = attached.referrer(SIGNATURE);
        assert_eq!(
            listed(&c, &attached.image.children[0]).await,
            [(signature.digest.to_string(), SIGNATURE.to_owned())]
        );
        assert!(listed(&c, &attached.image.children[1]).await.is_empty());
        assert!(listed(&c, &attached.image.index).await.is_empty());
        assert!(listed(&c, signature).await.is_empty());
        assert_lacks(
            &c,
            &[
                attached.referrer(SBOM).clone(),
                attached.referrer(COUNTER).clone(),
                attached.referrer(PROVENANCE).clone(),
            ],
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn recursive_copy_from_the_referrers_api_to_the_tag_schema_and_back() {
    let Some(olareg) = oras_testkit::real::start_referrers_for_test_async().await else {
        return;
    };
    let Some(distribution) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let a = olareg_repo(&olareg, "round-trip/a");
        let attached = attach(&a, 22).await;

        // API → tag schema: Distribution lists them under `sha256-<hex>`.
        let d = real_repo(&distribution, "round-trip/d");
        copy_recursive(&a, &d, &attached).await;
        assert_eq!(d.referrers_capability(), Some(false), "no referrers API");
        assert_attached(&d, &attached).await;
        let mut tags = d.tags(None).await.unwrap();
        tags.sort();
        assert_eq!(tags, schema_tags(&attached));
        // Each tag-schema index lists exactly its subject's referrer.
        for (referrer, subject, artifact_type) in &attached.referrers {
            let (_, mut reader) =
                oras_content::ReferenceFetcher::fetch_reference(&d, &referrers_tag(subject))
                    .await
                    .unwrap();
            let mut bytes = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut bytes)
                .await
                .unwrap();
            let index: Index = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(index.manifests.len(), 1);
            assert_eq!(index.manifests[0].digest, referrer.digest);
            assert_eq!(index.manifests[0].artifact_type, *artifact_type);
        }
        let fresh_d = real_repo(&distribution, "round-trip/d");
        assert_attached(&fresh_d, &attached).await;
        assert_eq!(fresh_d.referrers_capability(), Some(false));

        // Tag schema → API: back on olareg, listed by the API, and the
        // `sha256-<hex>` tags do not come along.
        let back = olareg_repo(&olareg, "round-trip/back");
        let fresh_d = real_repo(&distribution, "round-trip/d");
        copy_recursive(&fresh_d, &back, &attached).await;
        assert_eq!(back.referrers_capability(), Some(true));
        assert_attached(&back, &attached).await;
        assert_eq!(back.tags(None).await.unwrap(), ["v1"]);
        let fresh_back = olareg_repo(&olareg, "round-trip/back");
        assert_attached(&fresh_back, &attached).await;
        assert_eq!(fresh_back.referrers_capability(), Some(true));
    })
    .await;
}

#[tokio::test]
async fn recursive_copy_takes_referrers_from_every_page() {
    let Some(probe) = oras_testkit::real::start_referrers_for_test_async().await else {
        return;
    };
    drop(probe);
    // Pages of about four descriptors.
    let registry =
        tokio::task::spawn_blocking(|| ReferrersRegistry::start_with_referrers_limit(1024))
            .await
            .unwrap()
            .unwrap();
    bounded(async {
        let a = olareg_repo(&registry, "paged/a");
        let b = olareg_repo(&registry, "paged/b");
        let image = MultiPlatform::push(&a, 23).await;
        a.tag(&image.index, "v1").await.unwrap();
        const PAYLOADS: [&[u8]; 10] = [
            b"r0", b"r1", b"r2", b"r3", b"r4", b"r5", b"r6", b"r7", b"r8", b"r9",
        ];
        let mut want = Vec::new();
        for (n, payload) in PAYLOADS.into_iter().enumerate() {
            let (subject, artifact_type) = if n % 2 == 0 {
                (&image.children[0], SIGNATURE)
            } else {
                (&image.index, SBOM)
            };
            let referrer = pack_referrer(&a, subject, artifact_type, payload).await;
            want.push((referrer, subject.clone(), artifact_type));
        }
        let expected = |subject: &Descriptor| {
            let mut out: Vec<(String, String)> = want
                .iter()
                .filter(|(_, s, _)| s.digest == subject.digest)
                .map(|(r, _, t)| (r.digest.to_string(), (*t).to_owned()))
                .collect();
            out.sort();
            out
        };
        assert_eq!(listed(&a, &image.children[0]).await.len(), 5);

        // One node at a time: olareg v0.1.2 updates a subject's referrers
        // response with an unlocked read-modify-write of its index.json
        // (`referrerAdd`), so referrers of one subject pushed at the same
        // time can drop each other from the listing (they are all stored).
        // Small nodes included.
        let one_at_a_time = CopyGraphOptions {
            small_blob_concurrency: 1,
            ..CopyGraphOptions::default()
        };
        let mut opts = ExtendedCopyOptions::new(one_at_a_time.with_concurrency(1));
        opts.find_predecessors = Some(referrers_finder());
        extended_copy(&a, "v1", &b, "v1", &opts).await.unwrap();
        assert_holds(&b, &image.nodes, &image.content).await;
        for (referrer, _, _) in &want {
            assert!(b.exists(referrer).await.unwrap(), "{}", referrer.digest);
        }
        for subject in [&image.index, &image.children[0], &image.children[1]] {
            assert_eq!(listed(&b, subject).await, expected(subject));
        }
        assert_eq!(b.tags(None).await.unwrap(), ["v1"]);
    })
    .await;
}
