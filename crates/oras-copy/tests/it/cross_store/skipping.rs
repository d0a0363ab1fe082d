//! What a copy reports when content is already there: a second copy finds
//! the root at the destination, reports it as existing and pushes nothing;
//! a node `pre_copy` skips is reported as skipped and left out; `force`
//! walks an existing graph again and fills only the gap.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use oras_content::{ReadOnlyTarget, Target};
use oras_copy::{CopyGraphOptions, CopyOptions, PreCopyAction, copy};
use oras_spec::Descriptor;
use oras_store_file::Store as FileStore;
use oras_store_oci::{ReadOnlyStore, Store as OciStore};

use crate::cross_store::support::*;

/// Copies `v1` from `src` to `dst` with `graph`, recording the events.
async fn copy_recording<S, D>(src: &S, dst: &D, graph: CopyGraphOptions) -> Seen
where
    S: ReadOnlyTarget + ?Sized,
    D: Target + ?Sized,
{
    let (graph, seen) = recording(graph);
    copy(src, "v1", dst, "", &CopyOptions::new(graph))
        .await
        .unwrap();
    Arc::try_unwrap(seen).unwrap().into_inner().unwrap()
}

/// The first copy pushes every node once; the second only finds the root.
async fn copy_twice<S, D>(src: &S, dst: &D, fixture: &Fixture)
where
    S: ReadOnlyTarget + ?Sized,
    D: Target + ?Sized,
{
    let all = digests(&fixture.nodes());
    let first = copy_recording(src, dst, CopyGraphOptions::default()).await;
    assert_eq!(first.started.len(), all.len(), "each node started once");
    assert_eq!(Seen::set(&first.started), all);
    assert_eq!(first.done.len(), all.len(), "each node done once");
    assert_eq!(Seen::set(&first.done), all);
    assert!(first.exists.is_empty() && first.skipped.is_empty());
    assert!(first.chunks >= all.len(), "bytes reported as they pass");

    let second = copy_recording(src, dst, CopyGraphOptions::default()).await;
    assert!(
        second.started.is_empty(),
        "pushed again: {:?}",
        second.started
    );
    assert!(second.done.is_empty());
    assert_eq!(second.chunks, 0, "no bytes moved");
    assert_eq!(second.exists, [fixture.index.digest.to_string()]);
    assert!(second.skipped.is_empty());
    assert_eq!(
        dst.resolve("v1").await.unwrap().digest,
        fixture.index.digest
    );
    assert_holds(dst, &fixture.nodes(), &fixture.content).await;
}

#[tokio::test]
async fn a_second_copy_from_a_layout_into_a_file_store_pushes_nothing() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        let fixture = {
            let store = OciStore::open(dir.path()).await.unwrap();
            let layers = push_layers(&store).await;
            Fixture::build(&store, layers).await
        };
        let src = ReadOnlyStore::open(dir.path()).await.unwrap();
        let out = tempfile::tempdir().unwrap();
        let dst = FileStore::new(out.path()).unwrap();
        copy_twice(&src, &dst, &fixture).await;
        dst.close().unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_second_copy_from_a_file_store_into_a_layout_pushes_nothing() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        let src = FileStore::new(dir.path()).unwrap();
        let layers = add_layers(&src, dir.path()).await;
        let fixture = Fixture::build(&src, layers).await;
        let out = tempfile::tempdir().unwrap();
        let dst = OciStore::open(out.path()).await.unwrap();
        copy_twice(&src, &dst, &fixture).await;
        src.close().unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_skipped_node_stays_out_until_a_forced_copy_fills_it() {
    bounded(async {
        let src = oras_content::memory::Store::new();
        let layers = push_layers(&src).await;
        let fixture = Fixture::build(&src, layers).await;
        let gap: Descriptor = fixture.image("arm64").layers[2].clone();
        let out = tempfile::tempdir().unwrap();
        let dst = OciStore::open(out.path()).await.unwrap();

        // pre_copy skips one layer: reported Skipped, never started.
        let asked = Arc::new(Mutex::new(0usize));
        let count = asked.clone();
        let skip = gap.digest.clone();
        let graph = CopyGraphOptions::default().with_pre_copy(move |desc: Descriptor| {
            *count.lock().unwrap() += 1;
            let skip = desc.digest == skip;
            async move {
                Ok(if skip {
                    PreCopyAction::Skip
                } else {
                    PreCopyAction::Copy
                })
            }
        });
        let first = copy_recording(&src, &dst, graph).await;
        let gap_set = BTreeSet::from([gap.digest.to_string()]);
        assert_eq!(Seen::set(&first.skipped), gap_set);
        assert!(!first.started.contains(&gap.digest.to_string()));
        assert_eq!(first.started.len(), fixture.nodes().len() - 1);
        assert_eq!(*asked.lock().unwrap(), fixture.nodes().len());
        assert_lacks(&dst, std::slice::from_ref(&gap)).await;
        assert!(!blob_path(out.path(), &gap).exists());

        // A plain copy sees the root and stops there: the gap stays.
        let second = copy_recording(&src, &dst, CopyGraphOptions::default()).await;
        assert_eq!(second.exists, [fixture.index.digest.to_string()]);
        assert!(second.started.is_empty());
        assert_lacks(&dst, std::slice::from_ref(&gap)).await;

        // A forced copy checks every manifest: blobs already there are
        // reported as existing, manifests are pushed again (and kept), and
        // the missing layer is copied.
        let forced = CopyGraphOptions {
            force: true,
            ..CopyGraphOptions::default()
        };
        let third = copy_recording(&src, &dst, forced).await;
        let manifests = digests(&[
            fixture.index.clone(),
            fixture.image("amd64").manifest.clone(),
            fixture.image("arm64").manifest.clone(),
        ]);
        let mut started_want = manifests.clone();
        started_want.insert(gap.digest.to_string());
        assert_eq!(Seen::set(&third.started), started_want);
        assert_eq!(third.started.len(), started_want.len());
        let exists_want: BTreeSet<String> = digests(&fixture.nodes())
            .difference(&started_want)
            .cloned()
            .collect();
        assert_eq!(Seen::set(&third.exists), exists_want);
        assert_eq!(third.exists.len(), exists_want.len());
        assert_holds(&dst, &fixture.nodes(), &fixture.content).await;
    })
    .await;
}
