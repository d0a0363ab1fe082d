//! oras-go's repository pieces against the in-process fake registry: the
//! forced blob and manifest endpoints (`Blobs()`, `Manifests()`),
//! error-code matching, and a retry policy of the caller's own.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use oras_content::{
    ErrorKind, Pusher, ReadOnlyStorage, Resolver, TagLister, bytes_reader, fetch_all,
};
use oras_remote::client::{Outcome, RetryContext};
use oras_remote::{ClientConfig, Registry, Repository, RepositoryOptions, RetryPolicy, errcode};
use oras_spec::{Descriptor, Manifest, Parsed, media_type};
use oras_testkit::fake::{ErrorCode, FakeConfig, FakeRegistry, Fault};

use crate::support::{bounded, loopback_config, no_sleep_retry};

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
async fn the_blob_endpoint_takes_content_whatever_its_media_type() {
    let fake = FakeRegistry::start(FakeConfig::strict()).await;
    let app = repo(&fake, "fake/app", loopback_config());
    let content = Bytes::from_static(b"not really a manifest");
    let desc = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, &content);

    bounded(app.blobs().push(&desc, bytes_reader(content.clone())))
        .await
        .unwrap();
    assert_eq!(fake.blob("fake/app", &desc.digest), Some(content.clone()));
    assert!(fake.manifests("fake/app").is_empty());
    assert!(bounded(app.blobs().exists(&desc)).await.unwrap());
    assert!(!bounded(app.manifests().exists(&desc)).await.unwrap());
    let fetched = bounded(fetch_all(&app.blobs(), &desc, 1 << 20))
        .await
        .unwrap();
    assert_eq!(fetched, content);

    let resolved = bounded(app.blobs().resolve(&desc.digest.to_string()))
        .await
        .unwrap();
    assert_eq!(
        (resolved.digest, resolved.size),
        (desc.digest.clone(), desc.size)
    );
    let err = bounded(app.blobs().resolve("v1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidReference, "{err}");
}

#[tokio::test]
async fn the_manifest_endpoint_takes_a_type_the_accept_list_leaves_out() {
    let fake = FakeRegistry::start(FakeConfig::strict()).await;
    // Only Docker manifests count as manifests for this repository.
    let options = RepositoryOptions {
        manifest_media_types: vec![media_type::DOCKER_MANIFEST.to_owned()],
        ..RepositoryOptions::default()
    };
    let app = Registry::with_config(&fake.host(), loopback_config())
        .unwrap()
        .with_options(options)
        .repository("fake/app")
        .unwrap();
    let config = Descriptor::empty_json();
    bounded(app.push(&config, bytes_reader(&b"{}"[..])))
        .await
        .unwrap();
    let manifest = Parsed::from_value(Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.into(),
        artifact_type: "application/vnd.test".into(),
        config: config.clone(),
        layers: vec![config.clone()],
        subject: None,
        annotations: Default::default(),
    });
    let desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
    let (bytes, _) = manifest.into_parts();

    let manifests = app.manifests();
    bounded(manifests.push(&desc, bytes_reader(bytes.clone())))
        .await
        .unwrap();
    assert!(fake.blob("fake/app", &desc.digest).is_none());
    assert_eq!(fake.manifests("fake/app").len(), 1);
    bounded(oras_content::Tagger::tag(&manifests, &desc, "v1"))
        .await
        .unwrap();
    let resolved = bounded(manifests.resolve("v1")).await.unwrap();
    assert_eq!(resolved.digest, desc.digest);
    let fetched = bounded(fetch_all(&manifests, &desc, 1 << 20))
        .await
        .unwrap();
    assert_eq!(fetched, bytes);
}

#[tokio::test]
async fn registry_error_codes_match_on_any_error() {
    let fake = FakeRegistry::start(FakeConfig::with_faults(vec![
        Fault::status(Method::POST, "/v2/*/blobs/uploads/", 403).with_code(ErrorCode::Denied),
    ]))
    .await;
    let app = repo(&fake, "fake/nothing", loopback_config());
    let err = bounded(app.tags(None)).await.unwrap_err();
    assert!(errcode::has_code(&err, errcode::NAME_UNKNOWN), "{err}");
    assert!(!errcode::has_code(&err, errcode::DENIED));
    assert_eq!(errcode::codes(&err), vec![errcode::NAME_UNKNOWN]);

    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"x");
    let err = bounded(app.push(&desc, bytes_reader(&b"x"[..])))
        .await
        .unwrap_err();
    assert!(errcode::has_code(&err, errcode::DENIED), "{err}");
    let remote = oras_remote::Error::from_content(&err).expect("a registry error");
    assert!(remote.has_code(errcode::DENIED));
}

#[tokio::test]
async fn a_retry_policy_of_the_callers_own() {
    let conflict = || Fault::status(Method::GET, "/v2/*/tags/list", 409).times(2);
    let fake = FakeRegistry::start(FakeConfig::with_faults(vec![conflict()])).await;
    fake.put_blob("fake/app", Bytes::from_static(b"x"));
    let app = repo(&fake, "fake/app", loopback_config());
    // oras-go's policy does not retry a 409.
    let err = bounded(app.tags(None)).await.unwrap_err();
    assert!(err.to_string().contains("409"), "{err}");
    assert_eq!(count(&fake, &Method::GET, "/v2/fake/app/tags/list"), 1);

    let fake = FakeRegistry::start(FakeConfig::with_faults(vec![conflict()])).await;
    let backoffs = Arc::new(AtomicU32::new(0));
    let counted = backoffs.clone();
    let policy = no_sleep_retry()
        .retry_if(Arc::new(|ctx: &RetryContext<'_>| {
            matches!(ctx.outcome, Outcome::Response { status, .. } if status == 409)
                || RetryPolicy::default_retry_if(ctx)
        }))
        .backoff_with(Arc::new(move |ctx: &RetryContext<'_>| {
            counted.fetch_add(1, Ordering::SeqCst);
            assert_eq!(ctx.method, Method::GET);
            Duration::from_millis(1)
        }));
    let app = repo(&fake, "fake/app", loopback_config().retry(policy));
    let err = bounded(app.tags(None)).await.unwrap_err();
    // The third answer is the registry's own: the repository is unknown.
    assert!(errcode::has_code(&err, errcode::NAME_UNKNOWN), "{err}");
    assert_eq!(count(&fake, &Method::GET, "/v2/fake/app/tags/list"), 3);
    assert_eq!(backoffs.load(Ordering::SeqCst), 2);
}
