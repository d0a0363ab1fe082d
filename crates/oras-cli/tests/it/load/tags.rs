//! `oras repo tags` of a repository with 10,000 tags.

use std::time::{Duration, Instant};

use futures::{StreamExt as _, TryStreamExt as _, stream};
use oras_content::{ReferencePusher, bytes_reader};

use crate::crash::support::{Sandbox, registry_on_tmpfs};
use crate::e2e_graph::fixtures::{artifact, repo};

use super::support::{measured, runtime};

const TAGS: usize = 10_000;

/// 10,000 tags of one manifest (PUT by the test, 32 at a time), listed by
/// `oras repo tags`: every tag once, in bounded memory.
#[test]
fn ten_thousand_tags_are_listed_in_bounded_memory() {
    let Some(registry) = registry_on_tmpfs() else {
        return;
    };
    let host = registry.host();
    let filled = Instant::now();
    runtime().block_on(async {
        let repository = repo(&host, "load/tags");
        let desc = artifact(&repository, "tagged").await;
        let bytes = oras_content::fetch_all(&repository, &desc, 1 << 20)
            .await
            .unwrap();
        stream::iter(0..TAGS)
            .map(|i| {
                let (repository, desc, bytes) = (&repository, &desc, bytes.clone());
                async move {
                    let tag = format!("tag-{i:05}");
                    repository
                        .push_reference(desc, bytes_reader(bytes), &tag)
                        .await
                }
            })
            .buffer_unordered(32)
            .try_collect::<Vec<()>>()
            .await
            .unwrap();
    });
    eprintln!(
        "{TAGS} tags made in {:.1} s",
        filled.elapsed().as_secs_f64()
    );
    let sandbox = Sandbox::new();
    let run = measured(
        &sandbox,
        &["repo", "tags", "--plain-http", &format!("{host}/load/tags")],
        Duration::from_secs(60),
    );
    let listed = String::from_utf8(run.output.stdout).unwrap();
    // In the registry's order (Distribution's is not sorted), each once.
    let mut tags: Vec<&str> = listed.lines().collect();
    tags.sort_unstable();
    let expected: Vec<String> = (0..TAGS).map(|i| format!("tag-{i:05}")).collect();
    assert!(
        tags == expected,
        "{} tags listed, {} distinct, {TAGS} expected",
        tags.len(),
        tags.iter().collect::<std::collections::BTreeSet<_>>().len()
    );
}
