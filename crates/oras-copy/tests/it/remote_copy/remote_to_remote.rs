//! Remote → remote between two repositories of one real registry: an
//! artifact and a multi-platform index arrive with the same digests and
//! bytes, the root is tagged, and copying again finds the root at the
//! destination (`Exists`) and moves nothing.

use oras_content::{ReadOnlyStorage, Resolver, TagLister, Tagger};
use oras_copy::{CopyGraphOptions, CopyOptions, copy};
use oras_spec::{Descriptor, Platform};
use oras_testkit::real::{Mode, start_for_test_async};

use crate::remote_copy::support::*;

/// The destination's tags, sorted.
async fn tags_of<S: TagLister + ?Sized>(repo: &S) -> Vec<String> {
    let mut tags = repo.tags(None).await.unwrap();
    tags.sort();
    tags
}

/// Copies `src_ref` again and checks that only the root was looked at:
/// nothing reported (a registry root is re-pushed by reference, which
/// oras-go's `prepareCopy` does without calling `OnCopySkipped`), nothing
/// started, no bytes moved.
async fn copy_again_moves_nothing<S, D>(
    src: &S,
    src_ref: &str,
    dst: &D,
    dst_ref: &str,
    root: &Descriptor,
) where
    S: oras_content::ReadOnlyTarget,
    D: oras_content::Target,
{
    let (graph, seen) = recording(CopyGraphOptions::default());
    let again = copy(src, src_ref, dst, dst_ref, &CopyOptions::new(graph))
        .await
        .unwrap();
    assert_eq!(again.digest, root.digest);
    let seen = seen.lock().unwrap();
    assert!(seen.exists.is_empty(), "{seen:?}");
    assert!(seen.started.is_empty(), "{seen:?}");
    assert!(seen.done.is_empty(), "{seen:?}");
    assert!(seen.mounted.is_empty(), "{seen:?}");
    assert_eq!(seen.total_bytes(), 0, "no bytes moved: {seen:?}");
}

#[tokio::test]
async fn an_artifact_copies_between_repositories_of_a_real_registry() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let src = real_repo(&registry, "copy/src");
        let dst = real_repo(&registry, "copy/dst");
        let artifact = Artifact::push(&src, 1).await;
        src.tag(&artifact.manifest, "v1").await.unwrap();
        assert_lacks(&dst, &artifact.nodes()).await;

        let (graph, seen) = recording(CopyGraphOptions::default());
        let root = copy(&src, "v1", &dst, "", &CopyOptions::new(graph))
            .await
            .unwrap();
        assert_eq!(root.digest, artifact.manifest.digest);
        assert_eq!(root.size, artifact.manifest.size);

        // Same digests and bytes at the destination, and the tag.
        assert_holds(&dst, &artifact.nodes(), &artifact.content).await;
        let tagged = dst.resolve("v1").await.unwrap();
        assert_eq!(tagged.digest, artifact.manifest.digest);
        assert_eq!(tagged.media_type, artifact.manifest.media_type);
        assert_eq!(tags_of(&dst).await, ["v1"]);
        {
            let seen = seen.lock().unwrap();
            let all = digests(&artifact.nodes());
            assert_eq!(Seen::set(&seen.started), all, "{seen:?}");
            assert_eq!(Seen::set(&seen.done), all, "{seen:?}");
            assert!(
                seen.exists.is_empty() && seen.mounted.is_empty(),
                "{seen:?}"
            );
            // The root went last (children before parents).
            assert_eq!(seen.done.last(), Some(&root.digest.to_string()));
            for blob in artifact.blobs() {
                assert_eq!(
                    seen.bytes.get(&blob.digest.to_string()),
                    Some(&blob.size),
                    "every byte of {} reported",
                    blob.digest
                );
            }
        }

        // Again: the root exists, nothing moves; under a new tag too.
        copy_again_moves_nothing(&src, "v1", &dst, "v1", &root).await;
        copy_again_moves_nothing(&src, "v1", &dst, "again", &root).await;
        assert_eq!(
            tags_of(&dst).await,
            ["again", "v1"],
            "tagged even though it existed"
        );
        assert_eq!(dst.resolve("again").await.unwrap().digest, root.digest);
    })
    .await;
}

#[tokio::test]
async fn a_multi_platform_index_copies_between_repositories_of_a_real_registry() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let src = real_repo(&registry, "index/src");
        let dst = real_repo(&registry, "index/dst");
        let image = MultiPlatform::push(&src, 2).await;
        src.tag(&image.index, "multi").await.unwrap();

        let (graph, seen) = recording(CopyGraphOptions::default());
        let root = copy(&src, "multi", &dst, "copied", &CopyOptions::new(graph))
            .await
            .unwrap();
        assert_eq!(root.digest, image.index.digest);
        assert_holds(&dst, &image.nodes, &image.content).await;
        let tagged = dst.resolve("copied").await.unwrap();
        assert_eq!(tagged.digest, image.index.digest);
        assert_eq!(tagged.size, image.index.size);
        assert_eq!(tags_of(&dst).await, ["copied"]);
        {
            let seen = seen.lock().unwrap();
            assert_eq!(Seen::set(&seen.done), digests(&image.nodes), "{seen:?}");
            assert_eq!(seen.done.len(), image.nodes.len(), "each node once");
            assert_eq!(seen.done.last(), Some(&root.digest.to_string()));
        }
        copy_again_moves_nothing(&src, "multi", &dst, "copied", &root).await;

        // One platform of it into a third repository: only that child.
        let single = real_repo(&registry, "index/arm64");
        let opts = CopyOptions::default().with_target_platform(Platform::new("linux", "arm64"));
        let arm = copy(&src, "multi", &single, "arm64", &opts).await.unwrap();
        assert_eq!(arm.digest, image.children[1].digest);
        assert_eq!(single.resolve("arm64").await.unwrap().digest, arm.digest);
        assert!(!single.exists(&image.index).await.unwrap());
        assert!(!single.exists(&image.children[0]).await.unwrap());
    })
    .await;
}
