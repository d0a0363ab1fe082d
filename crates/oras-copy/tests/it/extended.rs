//! extended_copy(_graph): referrers, depth, filters, index children, cycles.

use std::sync::Arc;

use oras_content::{ReadOnlyStorage, Resolver, Tagger, memory};
use oras_copy::{
    ExtendedCopyGraphOptions, ExtendedCopyOptions, extended_copy, extended_copy_graph, referrers,
    referrers_finder,
};
use oras_spec::{Descriptor, media_type};
use regex::Regex;

use crate::support::*;

const SIG: &str = "application/vnd.example.signature";
const SBOM: &str = "application/vnd.example.sbom";

struct Tree {
    src: Arc<memory::Store>,
    subject: Descriptor,
    sig: Descriptor,
    sbom: Descriptor,
    sbom_sig: Descriptor,
}

/// subject ← sig, subject ← sbom ← sbom_sig
fn tree() -> Tree {
    let src = Arc::new(memory::Store::new());
    let subject = manifest(&src, vec![layer(&src, "app")]);
    let config = put(&src, media_type::EMPTY_JSON, b"{}");
    let sig = ManifestSpec::new(config.clone(), vec![layer(&src, "signature")])
        .subject(&subject)
        .artifact_type(SIG)
        .annotation("kind", "signature")
        .put(&src);
    let sbom = ManifestSpec::new(config.clone(), vec![layer(&src, "sbom")])
        .subject(&subject)
        .artifact_type(SBOM)
        .annotation("kind", "sbom-v2")
        .put(&src);
    let sbom_sig = ManifestSpec::new(config, vec![layer(&src, "sbom signature")])
        .subject(&sbom)
        .artifact_type(SIG)
        .put(&src);
    Tree {
        src,
        subject,
        sig,
        sbom,
        sbom_sig,
    }
}

async fn has(store: &memory::Store, d: &Descriptor) -> bool {
    store.exists(d).await.unwrap()
}

#[tokio::test]
async fn copies_the_node_with_all_its_referrers_and_tags_it() {
    let t = tree();
    t.src.tag(&t.subject, "v1").await.unwrap();
    let dst = Fake::plain();
    let node = bounded(extended_copy(
        t.src.as_ref(),
        "v1",
        &dst,
        "",
        &ExtendedCopyOptions::default(),
    ))
    .await
    .unwrap();
    assert_eq!(node.digest, t.subject.digest);
    assert_eq!(dst.store.len(), t.src.len());
    assert_eq!(dst.resolve("v1").await.unwrap().digest, t.subject.digest);
    let pushed = dst.pushed_digests();
    let at = |d: &Descriptor| {
        pushed
            .iter()
            .position(|p| *p == d.digest.to_string())
            .unwrap()
    };
    assert!(
        at(&t.subject) < at(&t.sig),
        "the subject before its referrers"
    );
    assert!(at(&t.sbom) < at(&t.sbom_sig));
    let subject_pushes = pushed
        .iter()
        .filter(|p| **p == t.subject.digest.to_string())
        .count();
    assert_eq!(subject_pushes, 1, "shared by every root, copied once");
}

#[tokio::test]
async fn depth_limits_how_far_referrers_are_followed() {
    let t = tree();
    let dst = memory::Store::new();
    let opts = ExtendedCopyGraphOptions {
        depth: 1,
        ..ExtendedCopyGraphOptions::default()
    };
    extended_copy_graph(t.src.as_ref(), &dst, &t.subject, &opts)
        .await
        .unwrap();
    assert!(has(&dst, &t.sig).await && has(&dst, &t.sbom).await);
    assert!(!has(&dst, &t.sbom_sig).await);
}

#[tokio::test]
async fn filters_by_artifact_type_and_annotation() {
    let t = tree();
    let dst = memory::Store::new();
    let mut opts = ExtendedCopyGraphOptions::default();
    opts.filter_artifact_type(Regex::new("sbom$").unwrap());
    extended_copy_graph(t.src.as_ref(), &dst, &t.subject, &opts)
        .await
        .unwrap();
    assert!(has(&dst, &t.sbom).await);
    assert!(!has(&dst, &t.sig).await);
    assert!(!has(&dst, &t.sbom_sig).await, "filtered at every level");

    let dst = memory::Store::new();
    let mut opts = ExtendedCopyGraphOptions::default();
    opts.filter_annotation("kind", Some(Regex::new("^sig").unwrap()));
    extended_copy_graph(t.src.as_ref(), &dst, &t.subject, &opts)
        .await
        .unwrap();
    assert!(has(&dst, &t.sig).await);
    assert!(!has(&dst, &t.sbom).await);

    let dst = memory::Store::new();
    let mut opts = ExtendedCopyGraphOptions::default();
    opts.filter_annotation("kind", None);
    extended_copy_graph(t.src.as_ref(), &dst, &t.subject, &opts)
        .await
        .unwrap();
    assert!(has(&dst, &t.sig).await && has(&dst, &t.sbom).await);
    assert!(
        !has(&dst, &t.sbom_sig).await,
        "sbom_sig has no kind annotation"
    );
}

#[tokio::test]
async fn filters_use_a_referrers_api_when_there_is_one() {
    let t = tree();
    let src = Fake::over(
        t.src.clone(),
        Behaviour {
            referrer_lister: true,
            ..Behaviour::default()
        },
    );
    let dst = memory::Store::new();
    let mut opts = ExtendedCopyGraphOptions::default();
    opts.filter_artifact_type(Regex::new("signature").unwrap());
    extended_copy_graph(&src, &dst, &t.subject, &opts)
        .await
        .unwrap();
    assert!(has(&dst, &t.sig).await);
    assert!(!has(&dst, &t.sbom).await);
    assert!(!src.calls().referrers.is_empty());
}

#[tokio::test]
async fn referrers_of_an_index_children_come_too() {
    let src = Arc::new(memory::Store::new());
    let a = image(&src, "linux", "amd64", "");
    let b = image(&src, "linux", "arm64", "");
    let idx = index(&src, vec![(a.clone(), None), (b.clone(), None)]);
    let config = put(&src, media_type::EMPTY_JSON, b"{}");
    let sig_of_a = ManifestSpec::new(config.clone(), vec![layer(&src, "sig a")])
        .subject(&a)
        .artifact_type(SIG)
        .put(&src);

    // Off: oras-go's library behaviour.
    let dst = memory::Store::new();
    let opts = ExtendedCopyGraphOptions {
        index_child_referrers: false,
        ..ExtendedCopyGraphOptions::default()
    };
    extended_copy_graph(src.as_ref(), &dst, &idx, &opts)
        .await
        .unwrap();
    assert!(has(&dst, &idx).await);
    assert!(!has(&dst, &sig_of_a).await);

    // On (the default): the CLI's cp -r (oras#1728), whether or not the
    // index has referrers of its own.
    let dst = memory::Store::new();
    extended_copy_graph(
        src.as_ref(),
        &dst,
        &idx,
        &ExtendedCopyGraphOptions::default(),
    )
    .await
    .unwrap();
    assert!(has(&dst, &idx).await && has(&dst, &sig_of_a).await);

    let sig_of_index = ManifestSpec::new(config, vec![layer(&src, "sig idx")])
        .subject(&idx)
        .artifact_type(SIG)
        .put(&src);
    let dst = memory::Store::new();
    let opts = ExtendedCopyGraphOptions::default().with_find_predecessors(|src, desc| {
        Box::pin(async move { referrers(src, desc, None).await })
    });
    extended_copy_graph(src.as_ref(), &dst, &idx, &opts)
        .await
        .unwrap();
    for d in [&idx, &sig_of_a, &sig_of_index, &a, &b] {
        assert!(has(&dst, d).await, "{}", d.digest);
    }
}

#[tokio::test]
async fn cycles_and_duplicates_in_predecessors_end() {
    let t = tree();
    let (subject, sig, sbom) = (t.subject.clone(), t.sig.clone(), t.sbom.clone());
    // A finder that answers a loop (subject ↔ sig) and the same node twice;
    // sbom has no predecessors, so it is the one root.
    let opts = ExtendedCopyGraphOptions::default().with_find_predecessors(move |_, desc| {
        let answer = if desc.digest == subject.digest {
            vec![sig.clone(), sig.clone(), sbom.clone()]
        } else if desc.digest == sig.digest {
            vec![subject.clone()]
        } else {
            vec![]
        };
        Box::pin(async move { Ok(answer) })
    });
    let dst = memory::Store::new();
    bounded(extended_copy_graph(t.src.as_ref(), &dst, &t.subject, &opts))
        .await
        .unwrap();
    assert!(has(&dst, &t.sbom).await && has(&dst, &t.subject).await);
    assert!(!has(&dst, &t.sig).await);
}

#[tokio::test]
async fn referrers_helper_keeps_only_manifests_whose_subject_is_the_node() {
    let t = tree();
    // An index listing the subject is a predecessor but not a referrer.
    let idx = index(&t.src, vec![(t.subject.clone(), None)]);
    let found = referrers(t.src.as_ref(), &t.subject, None).await.unwrap();
    let mut digests: Vec<_> = found.iter().map(|d| d.digest.to_string()).collect();
    digests.sort();
    let mut expected = vec![t.sig.digest.to_string(), t.sbom.digest.to_string()];
    expected.sort();
    assert_eq!(digests, expected);
    assert!(!found.iter().any(|d| d.digest == idx.digest));
    let sig = found.iter().find(|d| d.digest == t.sig.digest).unwrap();
    assert_eq!(sig.artifact_type, SIG);
    assert_eq!(sig.annotations["kind"], "signature");
    let only = referrers(t.src.as_ref(), &t.subject, Some(SBOM))
        .await
        .unwrap();
    assert_eq!(only.len(), 1);
    let blob = layer(&t.src, "x");
    assert!(referrers(t.src.as_ref(), &blob, None).await.is_err());

    // As a finder: the index that merely lists the subject is not copied.
    let dst = memory::Store::new();
    let opts = ExtendedCopyGraphOptions {
        find_predecessors: Some(referrers_finder()),
        ..ExtendedCopyGraphOptions::default()
    };
    extended_copy_graph(t.src.as_ref(), &dst, &t.subject, &opts)
        .await
        .unwrap();
    assert!(!has(&dst, &idx).await);
    assert!(has(&dst, &t.sbom_sig).await);
}

#[tokio::test]
async fn a_missing_start_reference_is_a_resolve_error() {
    let t = tree();
    let err = extended_copy(
        t.src.as_ref(),
        "nope",
        &memory::Store::new(),
        "",
        &ExtendedCopyOptions::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"failed to perform "Resolve" on source: nope: not found"#
    );
}
