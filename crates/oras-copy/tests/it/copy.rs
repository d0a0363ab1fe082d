//! copy / copy_graph: order, single flight, skipping, caching, tagging.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oras_content::{ReadOnlyStorage, Resolver, memory};
use oras_copy::{CopyGraphOptions, CopyOptions, PreCopyAction, copy, copy_graph};
use oras_spec::{Descriptor, media_type};

use crate::support::*;

/// An index of two manifests sharing their config and one layer.
struct Shared {
    src: Arc<memory::Store>,
    index: Descriptor,
    m1: Descriptor,
    m2: Descriptor,
    shared_layer: Descriptor,
    only1: Descriptor,
    only2: Descriptor,
}

fn shared_graph() -> Shared {
    let src = Arc::new(memory::Store::new());
    let shared_layer = layer(&src, "shared");
    let only1 = layer(&src, "only in m1");
    let only2 = layer(&src, "only in m2");
    let m1 = manifest(&src, vec![shared_layer.clone(), only1.clone()]);
    let m2 = manifest(&src, vec![shared_layer.clone(), only2.clone()]);
    let index = index(&src, vec![(m1.clone(), None), (m2.clone(), None)]);
    Shared {
        src,
        index,
        m1,
        m2,
        shared_layer,
        only1,
        only2,
    }
}

fn position(pushed: &[String], d: &Descriptor) -> usize {
    pushed
        .iter()
        .position(|p| *p == d.digest.to_string())
        .unwrap_or_else(|| panic!("{} was not pushed", d.digest))
}

#[tokio::test]
async fn copies_every_node_once_children_before_parents_root_last() {
    let g = shared_graph();
    oras_content::Tagger::tag(g.src.as_ref(), &g.index, "v1")
        .await
        .unwrap();
    let dst = Fake::plain();
    let root = bounded(copy(
        g.src.as_ref(),
        "v1",
        &dst,
        "",
        &CopyOptions::default(),
    ))
    .await
    .unwrap();
    assert_eq!(root.digest, g.index.digest);

    let pushed = dst.pushed_digests();
    let mut counts: HashMap<&String, usize> = HashMap::new();
    for p in &pushed {
        *counts.entry(p).or_default() += 1;
    }
    assert!(
        counts.values().all(|&n| n == 1),
        "pushed more than once: {pushed:?}"
    );
    // config (empty JSON, shared), 3 layers, 2 manifests, index
    assert_eq!(pushed.len(), 7, "{pushed:?}");
    assert_eq!(
        pushed.last(),
        Some(&g.index.digest.to_string()),
        "root last"
    );
    for (parent, children) in [
        (&g.m1, vec![&g.shared_layer, &g.only1]),
        (&g.m2, vec![&g.shared_layer, &g.only2]),
        (&g.index, vec![&g.m1, &g.m2]),
    ] {
        for child in children {
            assert!(position(&pushed, child) < position(&pushed, parent));
        }
    }
    assert_eq!(dst.resolve("v1").await.unwrap().digest, g.index.digest);
    assert_eq!(dst.store.len(), 7);
}

#[tokio::test]
async fn manifests_are_fetched_once_and_pushed_from_the_cache() {
    let g = shared_graph();
    let src = Fake::over(g.src.clone(), Behaviour::default());
    let dst = memory::Store::new();
    bounded(copy_graph(
        &src,
        &dst,
        &g.index,
        &CopyGraphOptions::default(),
    ))
    .await
    .unwrap();
    for m in [&g.index, &g.m1, &g.m2] {
        assert_eq!(src.fetches_of(m), 1, "{}", m.media_type);
    }
    // Blobs are streamed once each, never read into the cache first.
    assert_eq!(src.fetches_of(&g.shared_layer), 1);
    assert_eq!(src.fetches_of(&g.only1), 1);
}

#[tokio::test]
async fn a_sub_dag_present_at_the_destination_is_skipped() {
    let g = shared_graph();
    let dst = Fake::plain();
    // m1 and its children are already there.
    copy_graph(
        g.src.as_ref(),
        dst.store.as_ref(),
        &g.m1,
        &CopyGraphOptions::default(),
    )
    .await
    .unwrap();
    let skipped = Arc::new(Mutex::new(Vec::new()));
    let seen = skipped.clone();
    let opts = CopyGraphOptions::default().with_on_skipped(move |d| {
        seen.lock().unwrap().push(d.digest.to_string());
        async { Ok(()) }
    });
    bounded(copy_graph(g.src.as_ref(), &dst, &g.index, &opts))
        .await
        .unwrap();

    // m1, and what m2 shares with it (the config and a layer).
    let mut skipped = skipped.lock().unwrap().clone();
    skipped.sort();
    let config = oras_spec::Descriptor::empty_json().digest.to_string();
    let mut expected = vec![
        g.m1.digest.to_string(),
        config,
        g.shared_layer.digest.to_string(),
    ];
    expected.sort();
    assert_eq!(skipped, expected);
    let pushed = dst.pushed_digests();
    assert!(!pushed.contains(&g.m1.digest.to_string()));
    assert!(!pushed.contains(&g.only1.digest.to_string()));
    assert!(pushed.contains(&g.only2.digest.to_string()));
    // Nothing below m1 was even asked about.
    let asked = dst.calls().exists.clone();
    assert!(!asked.iter().any(|d| d.digest == g.only1.digest));
}

#[tokio::test]
async fn force_walks_present_manifests_and_fills_missing_blobs() {
    let g = shared_graph();
    let dst = memory::Store::new();
    // A partial copy: m1 is there, but one of its layers is missing.
    for d in [&g.m1, &g.shared_layer] {
        let data = oras_content::fetch_all(g.src.as_ref(), d, 1 << 20)
            .await
            .unwrap();
        dst.push_bytes(d, data.into()).unwrap();
    }
    copy_graph(g.src.as_ref(), &dst, &g.m1, &CopyGraphOptions::default())
        .await
        .unwrap();
    assert!(
        !dst.exists(&g.only1).await.unwrap(),
        "plain copy trusts the present manifest"
    );

    let counting = Fake::over(Arc::new(dst), Behaviour::default());
    let opts = CopyGraphOptions {
        force: true,
        ..CopyGraphOptions::default()
    };
    bounded(copy_graph(g.src.as_ref(), &counting, &g.m1, &opts))
        .await
        .unwrap();
    assert!(counting.store.exists(&g.only1).await.unwrap());
    let pushed = counting.pushed_digests();
    assert!(
        !pushed.contains(&g.shared_layer.digest.to_string()),
        "present blobs are not re-sent"
    );
    assert!(
        pushed.contains(&g.m1.digest.to_string()),
        "manifests are re-pushed"
    );
}

#[tokio::test]
async fn foreign_layers_are_neither_fetched_nor_pushed() {
    let src = Fake::plain();
    let normal = layer(&src.store, "normal");
    // Not in the source at all: fetching it would fail.
    let foreign = Descriptor::from_bytes(media_type::DOCKER_FOREIGN_LAYER, b"elsewhere");
    let nondist = Descriptor::from_bytes(media_type::IMAGE_LAYER_NONDISTRIBUTABLE_GZIP, b"x");
    let m = manifest(
        &src.store,
        vec![foreign.clone(), normal.clone(), nondist.clone()],
    );
    let dst = memory::Store::new();
    bounded(copy_graph(&src, &dst, &m, &CopyGraphOptions::default()))
        .await
        .unwrap();
    assert!(dst.exists(&normal).await.unwrap());
    assert!(dst.exists(&m).await.unwrap());
    assert!(!dst.exists(&foreign).await.unwrap());
    assert_eq!(src.fetches_of(&foreign) + src.fetches_of(&nondist), 0);
}

#[tokio::test]
async fn concurrency_is_limited_and_defaults_to_three() {
    let src = memory::Store::new();
    let layers: Vec<_> = (0..12)
        .map(|i| layer(&src, &format!("layer {i}")))
        .collect();
    let m = manifest(&src, layers);
    for (concurrency, expected) in [(0usize, 3usize), (1, 1), (5, 5)] {
        let dst = Fake::new(Behaviour {
            push_delay: Some(Duration::from_millis(20)),
            ..Behaviour::default()
        });
        // Every layer counts as large here.
        let opts = CopyGraphOptions {
            small_blob_size: Some(0),
            ..CopyGraphOptions::default()
        }
        .with_concurrency(concurrency);
        bounded(copy_graph(&src, &dst, &m, &opts)).await.unwrap();
        let max = dst.max_in_flight.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(max, expected, "concurrency {concurrency}");
    }
}

#[tokio::test]
async fn small_blobs_have_a_larger_limit_of_their_own() {
    let src = memory::Store::new();
    let layers: Vec<_> = (0..20)
        .map(|i| layer(&src, &format!("layer {i}")))
        .collect();
    let m = manifest(&src, layers);
    let small = |size: Option<u64>, concurrency: usize, small_concurrency: usize| {
        CopyGraphOptions {
            small_blob_size: size,
            small_blob_concurrency: small_concurrency,
            ..CopyGraphOptions::default()
        }
        .with_concurrency(concurrency)
    };
    let cases = [
        (small(None, 0, 0), 12, "4 × the default 3"),
        (small(None, 2, 0), 8, "4 × concurrency"),
        (small(None, 0, 5), 5, "set on its own"),
        (
            small(Some(1), 0, 0),
            3,
            "the layers are above the small size",
        ),
    ];
    for (opts, expected, case) in cases {
        let dst = Fake::new(Behaviour {
            push_delay: Some(Duration::from_millis(20)),
            ..Behaviour::default()
        });
        bounded(copy_graph(&src, &dst, &m, &opts)).await.unwrap();
        let max = dst.max_in_flight.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(max, expected, "{case}");
        assert!(dst.exists(&m).await.unwrap(), "{case}");
    }
}

#[tokio::test]
async fn parents_waiting_on_children_never_deadlock_with_one_slot() {
    let g = shared_graph();
    let outer = index(&g.src, vec![(g.index.clone(), None), (g.m1.clone(), None)]);
    let dst = memory::Store::new();
    let opts = CopyGraphOptions::default().with_concurrency(1);
    bounded(copy_graph(g.src.as_ref(), &dst, &outer, &opts))
        .await
        .unwrap();
    assert_eq!(dst.len(), g.src.len());
}

#[tokio::test]
async fn root_is_tagged_and_retagged_when_present() {
    let g = shared_graph();
    oras_content::Tagger::tag(g.src.as_ref(), &g.m1, "v1")
        .await
        .unwrap();
    let dst = Fake::plain();
    copy(g.src.as_ref(), "v1", &dst, "", &CopyOptions::default())
        .await
        .unwrap();
    assert_eq!(dst.calls().tag.len(), 1);
    assert_eq!(dst.calls().tag[0].1, "v1", "dst_ref defaults to src_ref");

    let before = dst.calls().push.len();
    let root = copy(
        g.src.as_ref(),
        "v1",
        &dst,
        "stable",
        &CopyOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(dst.calls().push.len(), before, "nothing pushed again");
    assert_eq!(dst.calls().tag.last().unwrap().1, "stable");
    assert_eq!(dst.resolve("stable").await.unwrap().digest, root.digest);
}

#[tokio::test]
async fn a_reference_pusher_gets_the_root_by_put_with_tag() {
    let g = shared_graph();
    oras_content::Tagger::tag(g.src.as_ref(), &g.index, "v1")
        .await
        .unwrap();
    let dst = Fake::registry();
    let skipped = Arc::new(Mutex::new(0));
    let count = skipped.clone();
    let graph = CopyGraphOptions::default().with_on_skipped(move |_| {
        *count.lock().unwrap() += 1;
        async { Ok(()) }
    });
    let opts = CopyOptions::new(graph);
    copy(g.src.as_ref(), "v1", &dst, "v2", &opts).await.unwrap();
    {
        let calls = dst.calls();
        assert_eq!(calls.push_reference.len(), 1);
        assert_eq!(calls.push_reference[0].0.digest, g.index.digest);
        assert_eq!(calls.push_reference[0].1, "v2");
        assert!(calls.tag.is_empty());
        assert!(!calls.push.iter().any(|d| d.digest == g.index.digest));
    }
    assert_eq!(dst.resolve("v2").await.unwrap().digest, g.index.digest);

    // Present already: re-PUT under the new tag, without on_skipped for the root.
    copy(g.src.as_ref(), "v1", &dst, "v3", &opts).await.unwrap();
    assert_eq!(dst.calls().push_reference.len(), 2);
    assert_eq!(dst.calls().push_reference[1].1, "v3");
    assert_eq!(*skipped.lock().unwrap(), 0);
}

#[tokio::test]
async fn a_reference_fetcher_resolves_and_caches_the_root_in_one_get() {
    let g = shared_graph();
    let src = Fake::over(
        g.src.clone(),
        Behaviour {
            reference_fetcher: true,
            ..Behaviour::default()
        },
    );
    oras_content::Tagger::tag(src.store.as_ref(), &g.index, "v1")
        .await
        .unwrap();
    let dst = memory::Store::new();
    copy(&src, "v1", &dst, "", &CopyOptions::default())
        .await
        .unwrap();
    let calls = src.calls();
    assert_eq!(calls.fetch_reference, vec!["v1".to_owned()]);
    assert!(calls.resolve.is_empty());
    assert!(
        !calls.fetch.iter().any(|d| d.digest == g.index.digest),
        "root came with the GET"
    );
}

#[tokio::test]
async fn pre_copy_can_skip_and_post_copy_sees_every_copied_node() {
    let g = shared_graph();
    let skip = g.only1.clone();
    let post = Arc::new(Mutex::new(Vec::new()));
    let sink = post.clone();
    let opts = CopyGraphOptions::default()
        .with_pre_copy(move |d| {
            let action = if d.digest == skip.digest {
                PreCopyAction::Skip
            } else {
                PreCopyAction::Copy
            };
            async move { Ok(action) }
        })
        .with_post_copy(move |d| {
            sink.lock().unwrap().push(d.digest.to_string());
            async { Ok(()) }
        });
    let dst = memory::Store::new();
    copy_graph(g.src.as_ref(), &dst, &g.index, &opts)
        .await
        .unwrap();
    assert!(!dst.exists(&g.only1).await.unwrap());
    let post = post.lock().unwrap();
    assert_eq!(post.len(), 6);
    assert!(!post.contains(&g.only1.digest.to_string()));
    assert_eq!(post.last(), Some(&g.index.digest.to_string()));
}

#[tokio::test]
async fn find_successors_override_decides_what_is_copied() {
    let g = shared_graph();
    let keep = g.m2.clone();
    let opts = CopyGraphOptions::default().with_find_successors(move |fetcher, desc| {
        let keep = keep.clone();
        Box::pin(async move {
            let all = oras_content::successors(fetcher, desc).await?;
            // Follow only m2 under the index; leave out every layer titled nothing.
            Ok(all
                .into_iter()
                .filter(|d| {
                    d.is_manifest() && d.digest == keep.digest
                        || d.media_type == media_type::EMPTY_JSON
                })
                .collect())
        })
    });
    let dst = memory::Store::new();
    copy_graph(g.src.as_ref(), &dst, &g.index, &opts)
        .await
        .unwrap();
    assert!(dst.exists(&g.m2).await.unwrap());
    assert!(!dst.exists(&g.m1).await.unwrap());
    assert!(!dst.exists(&g.only2).await.unwrap());
}

#[tokio::test]
async fn a_cyclic_successor_finder_is_an_error_not_a_hang() {
    let src = memory::Store::new();
    let a = layer(&src, "a");
    let b = layer(&src, "b");
    let (a2, b2) = (a.clone(), b.clone());
    let opts = CopyGraphOptions::default().with_find_successors(move |_, desc| {
        let next = if desc.digest == a2.digest {
            b2.clone()
        } else {
            a2.clone()
        };
        Box::pin(async move { Ok(vec![next]) })
    });
    let dst = memory::Store::new();
    let err = bounded(copy_graph(&src, &dst, &a, &opts))
        .await
        .unwrap_err();
    assert!(matches!(err, oras_copy::Error::Cycle(_)), "{err}");
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[tokio::test]
async fn works_with_trait_objects_and_can_be_spawned() {
    use oras_content::GraphTarget;
    let g = shared_graph();
    oras_content::Tagger::tag(g.src.as_ref(), &g.index, "v1")
        .await
        .unwrap();
    let src: Arc<dyn GraphTarget> = g.src.clone();
    let dst: Arc<dyn GraphTarget> = Arc::new(memory::Store::new());
    let (s, d) = (src.clone(), dst.clone());
    let task = tokio::spawn(async move {
        assert_send(copy(&*s, "v1", &*d, "", &CopyOptions::default())).await
    });
    let root = bounded(task).await.unwrap().unwrap();
    assert_eq!(dst.resolve("v1").await.unwrap().digest, root.digest);
    let opts = oras_copy::ExtendedCopyOptions::default();
    let ext = oras_copy::extended_copy(&*src, "v1", &*dst, "v2", &opts);
    assert_send(ext).await.unwrap();
    let tags = ["a", "b"];
    let tag_opts = oras_copy::TagNOptions::default();
    let tagging = oras_copy::tag_n(&*dst, "v2", &tags, &tag_opts);
    assert_send(tagging).await.unwrap();
    let pack_opts = oras_copy::PackManifestOptions::default();
    let packing = oras_copy::pack_manifest(
        &*dst,
        oras_copy::PackManifestVersion::V1_1,
        "a/b",
        &pack_opts,
    );
    assert_send(packing).await.unwrap();
    let graph_opts = CopyGraphOptions::default();
    assert_send(copy_graph(&*src, &*dst, &g.m1, &graph_opts))
        .await
        .unwrap();
}
