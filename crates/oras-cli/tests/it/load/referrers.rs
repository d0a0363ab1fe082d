//! `oras discover` of a subject with 1,000 referrers.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::{StreamExt as _, stream};
use oras_content::ReferencePusher as _;
use oras_spec::{Descriptor, Index, Manifest, Parsed, annotation, media_type};

use crate::crash::support::{Sandbox, registry};
use crate::e2e_graph::fixtures::{CREATED, artifact, blob, manifest, repo};

use super::support::{measured, runtime};

const REFERRERS: usize = 1_000;

/// A subject with 1,000 referrers on Distribution, which has no referrers
/// API: the referrers are pushed by the test (32 at a time, the
/// repository told the API exists so that no push rewrites the index) and
/// listed in one tag-schema index (`sha256-<hex>`) the test puts. `oras
/// discover --format json` lists all 1,000 in bounded memory.
#[test]
fn a_thousand_referrers_are_discovered_in_bounded_memory() {
    let Some(registry) = registry() else {
        return;
    };
    let host = registry.host();
    let filled = Instant::now();
    let subject = runtime().block_on(async {
        let repository = repo(&host, "load/refs");
        let subject = artifact(&repository, "subject").await;
        let config = blob(&repository, media_type::EMPTY_JSON, b"{}").await;
        let payload = blob(&repository, "application/vnd.test.payload", b"signed").await;
        repository.set_referrers_capability(true).unwrap();
        let referrers: Vec<Descriptor> = stream::iter(0..REFERRERS)
            .map(|i| {
                let (repository, subject) = (&repository, &subject);
                let (config, payload) = (config.clone(), payload.clone());
                async move {
                    manifest(
                        repository,
                        Manifest {
                            schema_version: 2,
                            media_type: media_type::IMAGE_MANIFEST.into(),
                            artifact_type: "application/vnd.test.signature".into(),
                            config,
                            layers: vec![payload],
                            subject: Some(subject.plain()),
                            annotations: BTreeMap::from([
                                (annotation::CREATED.into(), CREATED.into()),
                                ("n".into(), i.to_string()),
                            ]),
                        },
                    )
                    .await
                }
            })
            .buffer_unordered(32)
            .collect()
            .await;
        let index = Parsed::from_value(Index::new(referrers));
        let desc = index.descriptor(media_type::IMAGE_INDEX);
        let tag = format!("sha256-{}", subject.digest.encoded());
        repository
            .push_reference(
                &desc,
                oras_content::bytes_reader(index.bytes().to_vec()),
                &tag,
            )
            .await
            .unwrap();
        subject
    });
    eprintln!(
        "{REFERRERS} referrers made in {:.1} s",
        filled.elapsed().as_secs_f64()
    );
    let sandbox = Sandbox::new();
    let reference = format!("{host}/load/refs@{}", subject.digest);
    let run = measured(
        &sandbox,
        &["discover", "--plain-http", "--format", "json", &reference],
        Duration::from_secs(90),
    );
    let listed: serde_json::Value = serde_json::from_slice(&run.output.stdout).unwrap();
    let referrers = listed["referrers"].as_array().unwrap();
    assert_eq!(referrers.len(), REFERRERS);
}
