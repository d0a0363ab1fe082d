//! `oras cp -r` of an index of 100 platform manifests.

use std::time::{Duration, Instant};

use oras_content::{ReadOnlyStorage as _, Resolver as _};

use crate::crash::support::{Sandbox, registry};
use crate::e2e_graph::fixtures::{index, repo, tag};

use super::support::{measured, runtime};

const PLATFORMS: usize = 100;

/// An index of 100 images (one per platform, each with its config and
/// layer) copied with `oras cp -r` to another repository: the copy stays
/// under the RSS bound and the destination holds the index and every
/// image with its blobs.
#[test]
fn cp_r_of_an_index_of_a_hundred_platforms_in_bounded_memory() {
    let Some(registry) = registry() else {
        return;
    };
    let host = registry.host();
    let rt = runtime();
    let filled = Instant::now();
    let platforms: Vec<(String, String)> = (0..PLATFORMS)
        .map(|i| ("linux".to_owned(), format!("arch{i:03}")))
        .collect();
    let platforms: Vec<(&str, &str)> = platforms
        .iter()
        .map(|(os, arch)| (os.as_str(), arch.as_str()))
        .collect();
    let (top, children) = rt.block_on(async {
        let source = repo(&host, "load/platforms");
        let made = index(&source, &platforms).await;
        tag(&source, &made.0, "v1").await;
        made
    });
    eprintln!(
        "an index of {PLATFORMS} platforms made in {:.1} s",
        filled.elapsed().as_secs_f64()
    );
    let sandbox = Sandbox::new();
    measured(
        &sandbox,
        &[
            "cp",
            "-r",
            "--from-plain-http",
            "--to-plain-http",
            &format!("{host}/load/platforms:v1"),
            &format!("{host}/load/copied:v1"),
        ],
        Duration::from_secs(90),
    );
    rt.block_on(async {
        let copied = repo(&host, "load/copied");
        assert_eq!(copied.resolve("v1").await.unwrap().digest, top.digest);
        for child in &children {
            assert!(
                copied.exists(child).await.unwrap(),
                "{} missing",
                child.digest
            );
            let bytes = oras_content::fetch_all(&copied, child, 1 << 20)
                .await
                .unwrap();
            let image: oras_spec::Manifest = serde_json::from_slice(&bytes).unwrap();
            for blob in image.layers.iter().chain([&image.config]) {
                assert!(
                    copied.exists(blob).await.unwrap(),
                    "{} missing",
                    blob.digest
                );
            }
        }
    });
}
