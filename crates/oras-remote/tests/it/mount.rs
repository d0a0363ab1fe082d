//! `Mount` with a content fallback (oras-go `Repository.Mount(ctx, desc,
//! fromRepo, getContent)`) against the in-process fake registry.

use bytes::Bytes;
use http::Method;
use oras_content::ErrorKind;
use oras_remote::{ClientConfig, Registry, Repository};
use oras_spec::{Descriptor, media_type};
use oras_testkit::fake::{FakeConfig, FakeRegistry};

use crate::support::{bounded, loopback_config};

fn repo(fake: &FakeRegistry, name: &str, config: ClientConfig) -> Repository {
    Registry::with_config(&fake.host(), config)
        .unwrap()
        .repository(name)
        .unwrap()
}

fn count(fake: &FakeRegistry, method: &Method, path_start: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == *method && r.path.starts_with(path_start))
        .count()
}

#[tokio::test]
async fn a_refused_mount_pushes_from_the_source_repository_or_the_given_content() {
    let fake = FakeRegistry::start(FakeConfig {
        mount: false,
        ..FakeConfig::strict()
    })
    .await;
    let base = Bytes::from_static(b"base layer");
    fake.put_blob("fake/base", base.clone());
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &base);
    let app = repo(&fake, "fake/app", loopback_config());

    // No content given: read from the source repository.
    bounded(app.mount_with_fallback(&desc, "fake/base", None))
        .await
        .unwrap();
    assert_eq!(fake.blob("fake/app", &desc.digest), Some(base.clone()));
    assert_eq!(count(&fake, &Method::GET, "/v2/fake/base/blobs/"), 1);

    // Content given: used, the source repository is not read.
    let other = repo(&fake, "fake/other", loopback_config());
    bounded(other.mount_with_fallback(&desc, "fake/base", Some(&base)))
        .await
        .unwrap();
    assert_eq!(fake.blob("fake/other", &desc.digest), Some(base.clone()));
    assert_eq!(count(&fake, &Method::GET, "/v2/fake/base/blobs/"), 1);

    // Nothing to read: the source's failure, worded as oras-go's.
    let missing = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"nowhere");
    let err = bounded(app.mount_with_fallback(&missing, "fake/base", None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(
        err.to_string().starts_with("cannot read source blob: "),
        "{err}"
    );
}

#[tokio::test]
async fn a_mounting_registry_is_not_sent_the_content() {
    let fake = FakeRegistry::start(FakeConfig::strict()).await;
    let base = Bytes::from_static(b"shared layer");
    fake.put_blob("fake/base", base.clone());
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &base);
    let app = repo(&fake, "fake/app", loopback_config());
    bounded(app.mount_with_fallback(&desc, "fake/base", Some(&base)))
        .await
        .unwrap();
    assert_eq!(fake.blob("fake/app", &desc.digest), Some(base));
    assert_eq!(count(&fake, &Method::PUT, "/v2/fake/app/blobs/uploads/"), 0);
}
