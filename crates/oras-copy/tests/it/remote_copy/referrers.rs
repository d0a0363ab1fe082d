//! The referrers of an index's children (the CLI's `cp -r`, oras#1728):
//! an extended copy of an index from repository A to B takes along the
//! artifacts that refer to its child manifests, and the referrers of those
//! in turn. On the real registry (distribution 2.8, no referrers API) they
//! are found and re-listed through the `sha256-<hex>` tag schema; on the
//! fake with its referrers API on, through the API, with no tag written.

use bytes::Bytes;
use oras_content::{ReferrerLister, Resolver, TagLister, Tagger, memory};
use oras_copy::{
    CopyGraphOptions, CopyOptions, ExtendedCopyOptions, PackManifestOptions, PackManifestVersion,
    copy, copy_graph, extended_copy, pack_manifest, push_bytes, referrers_finder,
};
use oras_remote::Repository;
use oras_spec::{Descriptor, media_type};
use oras_testkit::fake::{FakeConfig, FakeRegistry};
use oras_testkit::real::{Mode, start_for_test_async};

use crate::remote_copy::support::*;

const SIGNATURE: &str = "application/vnd.test.signature";
const SBOM: &str = "application/vnd.test.sbom";
const COUNTER: &str = "application/vnd.test.countersignature";

/// What was attached in A.
struct Attached {
    image: MultiPlatform,
    /// Refers to the first child; packed in memory and copied into A.
    signature: Descriptor,
    /// Refers to the second child; packed directly in A.
    sbom: Descriptor,
    /// Refers to the signature; packed in memory and copied into A.
    counter: Descriptor,
}

/// Packs a referrer of `subject` with one layer in `store`.
async fn pack_referrer<S: oras_content::Storage + ?Sized>(
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

/// Pushes the index (from memory, tagged `v1` in A) and its referrers.
async fn attach(a: &Repository) -> Attached {
    let local = memory::Store::new();
    let image = MultiPlatform::push(&local, 5).await;
    local.tag(&image.index, "v1").await.unwrap();
    copy(&local, "v1", a, "v1", &CopyOptions::default())
        .await
        .unwrap();

    let signature = pack_referrer(&local, &image.children[0], SIGNATURE, b"signed").await;
    let counter = pack_referrer(&local, &signature, COUNTER, b"countersigned").await;
    for referrer in [&signature, &counter] {
        copy_graph(&local, a, referrer, &CopyGraphOptions::default())
            .await
            .unwrap();
    }
    let sbom = pack_referrer(a, &image.children[1], SBOM, b"sbom").await;
    Attached {
        image,
        signature,
        sbom,
        counter,
    }
}

/// The digests of the referrers `repo` lists for `subject`.
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

fn entry(desc: &Descriptor, artifact_type: &str) -> Vec<(String, String)> {
    vec![(desc.digest.to_string(), artifact_type.to_owned())]
}

/// Extended copy of `v1` from A to B, then checks B.
async fn copy_with_child_referrers(a: &Repository, b: &Repository) -> Attached {
    let attached = attach(a).await;
    let children = &attached.image.children;
    // A lists them (through the tag schema or the API).
    assert_eq!(
        listed(a, &children[0]).await,
        entry(&attached.signature, SIGNATURE)
    );
    assert_eq!(listed(a, &children[1]).await, entry(&attached.sbom, SBOM));

    let (graph, seen) = recording(CopyGraphOptions::default());
    let mut opts = ExtendedCopyOptions::new(graph);
    opts.find_predecessors = Some(referrers_finder());
    let root = extended_copy(a, "v1", b, "v1", &opts).await.unwrap();
    assert_eq!(root.digest, attached.image.index.digest);

    assert_eq!(b.resolve("v1").await.unwrap().digest, root.digest);
    assert_holds(b, &attached.image.nodes, &attached.image.content).await;
    assert_eq!(
        listed(b, &children[0]).await,
        entry(&attached.signature, SIGNATURE)
    );
    assert_eq!(listed(b, &children[1]).await, entry(&attached.sbom, SBOM));
    assert_eq!(
        listed(b, &attached.signature).await,
        entry(&attached.counter, COUNTER)
    );
    assert!(listed(b, &attached.image.index).await.is_empty());

    let seen = seen.lock().unwrap();
    for referrer in [&attached.signature, &attached.sbom, &attached.counter] {
        let digest = referrer.digest.to_string();
        assert_eq!(
            seen.done.iter().filter(|d| **d == digest).count(),
            1,
            "{digest} copied once: {seen:?}"
        );
    }
    drop(seen);
    attached
}

#[tokio::test]
async fn referrers_of_index_children_travel_through_the_tag_schema() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let a = real_repo(&registry, "referrers/a");
        let b = real_repo(&registry, "referrers/b");
        let attached = copy_with_child_referrers(&a, &b).await;
        assert_eq!(b.referrers_capability(), Some(false), "no referrers API");

        // B lists them under the tag schema: one index per subject.
        let children = &attached.image.children;
        let mut tags = b.tags(None).await.unwrap();
        tags.sort();
        let mut want = vec![
            "v1".to_owned(),
            referrers_tag(&children[0]),
            referrers_tag(&children[1]),
            referrers_tag(&attached.signature),
        ];
        want.sort();
        assert_eq!(tags, want);
        // A fresh client of B (capability unknown) finds them too.
        let fresh = real_repo(&registry, "referrers/b");
        assert_eq!(
            listed(&fresh, &children[0]).await,
            entry(&attached.signature, SIGNATURE)
        );
        assert_eq!(fresh.referrers_capability(), Some(false));
    })
    .await;
}

#[tokio::test]
async fn referrers_of_index_children_travel_through_the_referrers_api() {
    bounded(async {
        let fake = FakeRegistry::start(FakeConfig::strict()).await;
        assert!(fake.config().referrers_api);
        let a = fake_repo(&fake, "referrers/a");
        let b = fake_repo(&fake, "referrers/b");
        copy_with_child_referrers(&a, &b).await;
        assert_eq!(b.referrers_capability(), Some(true));
        assert_eq!(fake.tags("referrers/b"), ["v1"], "no tag-schema index");
        assert_eq!(fake.tags("referrers/a"), ["v1"], "no tag-schema index");
        let asked_api = fake.requests().iter().any(|r| {
            r.method.as_str() == "GET" && r.path.starts_with("/v2/referrers/a/referrers/")
        });
        assert!(asked_api, "A's referrers came from the API");
        assert!(fake.unexpected_requests().is_empty());
    })
    .await;
}
