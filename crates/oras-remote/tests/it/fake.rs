//! Against the strict in-process fake registry of oras-testkit: the
//! referrers API, resumed chunked uploads and downloads under injected
//! connection drops, token caching, credentials kept from the CDN origin,
//! exact reuse of upload locations, and the shared content test suite.

use std::sync::Arc;

use bytes::Bytes;
use oras_auth::{Credential, StaticCredential};
use oras_content::{ErrorKind, Pusher, ReferrerLister, bytes_reader, fetch_all, test_suite};
use oras_remote::{ClientConfig, Registry, Repository, RepositoryOptions};
use oras_spec::{Descriptor, Manifest, Parsed, media_type};
use oras_testkit::fake::{
    Auth, FakeConfig, FakeRegistry, Origin, dropping_download, dropping_upload,
};

use crate::support::{bounded, loopback_config};

pub(crate) fn repo(
    fake: &FakeRegistry,
    config: ClientConfig,
    options: RepositoryOptions,
) -> Repository {
    Registry::with_config(&fake.host(), config)
        .unwrap()
        .with_options(options)
        .repository("fake/app")
        .unwrap()
}

fn chunked() -> RepositoryOptions {
    RepositoryOptions {
        force_chunked: true,
        chunk_size: 64 * 1024,
        ..RepositoryOptions::default()
    }
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 253) as u8).collect()
}

fn no_unexpected(fake: &FakeRegistry) {
    assert!(
        fake.unexpected_requests().is_empty(),
        "{:?}",
        fake.unexpected_requests()
    );
}

#[tokio::test]
async fn the_referrers_api_of_a_strict_registry() {
    let fake = FakeRegistry::start(FakeConfig::strict()).await;
    let app = repo(&fake, loopback_config(), RepositoryOptions::default());
    let config = Descriptor::empty_json();
    bounded(app.push(&config, bytes_reader(&b"{}"[..])))
        .await
        .unwrap();
    let image = Parsed::from_value(Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.into(),
        artifact_type: String::new(),
        config: config.clone(),
        layers: vec![config.clone()],
        subject: None,
        annotations: Default::default(),
    });
    let subject = image.descriptor(media_type::IMAGE_MANIFEST);
    bounded(app.push(&subject, bytes_reader(image.bytes().to_vec())))
        .await
        .unwrap();
    let mut signature = image.value().clone();
    signature.artifact_type = "application/vnd.example.sig".into();
    signature.subject = Some(subject.clone());
    let signature = Parsed::from_value(signature);
    let signature_desc = signature.descriptor(media_type::IMAGE_MANIFEST);
    bounded(app.push(&signature_desc, bytes_reader(signature.bytes().to_vec())))
        .await
        .unwrap();
    assert_eq!(app.referrers_capability(), Some(true), "OCI-Subject seen");
    let found = bounded(app.referrers(&subject, Some("application/vnd.example.sig")))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].digest, signature_desc.digest);
    assert!(
        bounded(app.referrers(&subject, Some("x/none")))
            .await
            .unwrap()
            .is_empty()
    );
    // No tag-schema index was written.
    assert!(
        fake.tags("fake/app").is_empty(),
        "{:?}",
        fake.tags("fake/app")
    );
    no_unexpected(&fake);
}

#[tokio::test]
async fn a_dropped_chunk_resumes_from_the_session_range() {
    let fake = FakeRegistry::start(FakeConfig::with_faults(vec![dropping_upload(10_000, 1)])).await;
    let app = repo(&fake, loopback_config(), chunked());
    let content = data(300 * 1024);
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &content);
    bounded(app.push_from(&desc, &Bytes::from(content.clone())))
        .await
        .unwrap();
    assert_eq!(fake.blob("fake/app", &desc.digest).unwrap(), content);
    let requests = fake.requests();
    let status_checks = requests
        .iter()
        .filter(|r| r.method == http::Method::GET && r.path.contains("/blobs/uploads/"))
        .count();
    assert_eq!(status_checks, 1, "asked the registry once where it stood");
    let resumed = requests
        .iter()
        .filter_map(|r| r.content_range())
        .any(|range| range.starts_with("10000-"));
    assert!(resumed, "continued from byte 10000");
    no_unexpected(&fake);
}

#[tokio::test]
async fn dropped_downloads_resume_with_ranges_or_start_over() {
    for ranges in [true, false] {
        let fake = FakeRegistry::start(FakeConfig {
            range_requests: ranges,
            faults: vec![dropping_download(50_000, 1)],
            ..FakeConfig::default()
        })
        .await;
        let content = data(200_000);
        let digest = fake.put_blob("fake/app", content.clone());
        let desc = Descriptor::new(media_type::IMAGE_LAYER, digest, content.len() as u64);
        let app = repo(&fake, loopback_config(), RepositoryOptions::default());
        assert_eq!(
            bounded(fetch_all(&app, &desc, 1 << 20)).await.unwrap(),
            content
        );
        let gets: Vec<Option<String>> = fake
            .requests()
            .iter()
            .filter(|r| r.method == http::Method::GET)
            .map(|r| r.range().map(str::to_owned))
            .collect();
        if ranges {
            assert_eq!(gets, vec![None, Some("bytes=50000-199999".to_owned())]);
        } else {
            assert_eq!(gets, vec![None, None], "no Range without Accept-Ranges");
        }
        no_unexpected(&fake);
    }
}

#[tokio::test]
async fn bearer_tokens_are_fetched_once_per_scope_set() {
    let fake = FakeRegistry::start(FakeConfig::with_auth(Auth::bearer("bob", "pw"))).await;
    let credentials = Arc::new(StaticCredential::new(
        fake.host(),
        Credential::basic("bob", "pw"),
    ));
    let app = repo(
        &fake,
        loopback_config().credentials(credentials),
        RepositoryOptions::default(),
    );
    for i in 0..3 {
        let content = format!("blob {i}");
        let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, content.as_bytes());
        bounded(app.push(&desc, bytes_reader(content.into_bytes())))
            .await
            .unwrap();
        assert_eq!(bounded(fetch_all(&app, &desc, 100)).await.unwrap().len(), 6);
    }
    // One token for pull+push (the uploads); pulls reuse a pull token.
    assert!(
        fake.token_request_count() <= 2,
        "{:?}",
        fake.token_requests()
    );
    no_unexpected(&fake);
}

#[tokio::test]
async fn a_blob_cdn_on_the_other_origin_gets_no_credentials() {
    let fake = FakeRegistry::start(FakeConfig {
        auth: Auth::basic("alice", "pw"),
        blob_redirect: true,
        ..FakeConfig::default()
    })
    .await;
    let content = data(1000);
    let digest = fake.put_blob("fake/app", content.clone());
    let desc = Descriptor::new(media_type::IMAGE_LAYER, digest, 1000);
    let credentials = Arc::new(StaticCredential::new(
        fake.host(),
        Credential::basic("alice", "pw"),
    ));
    let app = repo(
        &fake,
        loopback_config()
            .credentials(credentials)
            .header("X-Trace", "t"),
        RepositoryOptions::default(),
    );
    assert_eq!(
        bounded(fetch_all(&app, &desc, 2000)).await.unwrap(),
        content
    );
    let requests = fake.requests();
    let other: Vec<_> = requests
        .iter()
        .filter(|r| r.origin == Origin::Other)
        .collect();
    assert_eq!(other.len(), 1, "{requests:?}");
    assert!(!other[0].has_authorization());
    assert!(other[0].request_header("x-trace").is_none());
    no_unexpected(&fake);
}

#[tokio::test]
async fn upload_locations_are_reused_exactly() {
    let fake = FakeRegistry::start(FakeConfig {
        absolute_location: true,
        upload_state_param: true,
        chunk_min_length: Some(100 * 1024),
        ..FakeConfig::default()
    })
    .await;
    let content = data(250 * 1024);
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &content);
    for options in [RepositoryOptions::default(), chunked()] {
        let app = repo(&fake, loopback_config(), options);
        bounded(app.push(&desc, bytes_reader(content.clone())))
            .await
            .unwrap();
    }
    // The chunks honoured OCI-Chunk-Min-Length (100 KiB, not 64 KiB).
    let ranges: Vec<String> = fake
        .requests()
        .iter()
        .filter_map(|r| r.content_range().map(str::to_owned))
        .collect();
    assert_eq!(ranges, ["0-102399", "102400-204799", "204800-255999"]);
    no_unexpected(&fake);
}

#[tokio::test]
async fn the_shared_content_suite_refuses_bad_content() {
    let fake = FakeRegistry::start(FakeConfig::strict()).await;
    let app = repo(&fake, loopback_config(), RepositoryOptions::default());
    bounded(test_suite::refuses_bad_content(&app)).await;
    let blob = test_suite::titled_blob("x", b"x");
    let err = bounded(fetch_all(&app, &blob, 10)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    no_unexpected(&fake);
}

#[tokio::test]
async fn a_prestaged_upload_is_sent_once_and_ended_by_the_push() {
    let fake = FakeRegistry::start(FakeConfig::strict()).await;
    let app = repo(&fake, loopback_config(), RepositoryOptions::default());
    let content = data(300 * 1024);
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &content);
    let size = content.len() as u64;
    app.prestage(Arc::new(Bytes::from(content.clone())), size)
        .commit_as(&desc);
    // What the push is given is not sent: the prestaged upload is ended.
    bounded(app.push(&desc, bytes_reader(vec![0u8; content.len()])))
        .await
        .unwrap();
    assert_eq!(fake.blob("fake/app", &desc.digest).unwrap(), content);
    let requests = fake.requests();
    let methods: Vec<_> = requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["POST", "PATCH", "PUT"], "{requests:?}");
    assert_eq!(
        requests[1].content_range(),
        Some(format!("0-{}", size - 1).as_str())
    );
    assert!(requests[2].path.contains("digest="));
    no_unexpected(&fake);
}

#[tokio::test]
async fn a_prestaged_upload_of_other_content_falls_back_to_an_upload() {
    let fake = FakeRegistry::start(FakeConfig::strict()).await;
    let app = repo(&fake, loopback_config(), RepositoryOptions::default());
    let content = data(64 * 1024);
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &content);
    // The file changed between its upload and its hashing: the registry
    // refuses the digest, and the push uploads what it was given.
    let changed = vec![1u8; content.len()];
    app.prestage(Arc::new(Bytes::from(changed)), desc.size)
        .commit_as(&desc);
    bounded(app.push(&desc, bytes_reader(content.clone())))
        .await
        .unwrap();
    assert_eq!(fake.blob("fake/app", &desc.digest).unwrap(), content);

    // Committed as another size, it is dropped and the push uploads.
    let other = data(1000);
    let other_desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &other);
    app.prestage(Arc::new(Bytes::from(data(999))), 999)
        .commit_as(&other_desc);
    bounded(app.push(&other_desc, bytes_reader(other.clone())))
        .await
        .unwrap();
    assert_eq!(fake.blob("fake/app", &other_desc.digest).unwrap(), other);
}

#[tokio::test]
async fn a_cancelled_prestage_deletes_its_session() {
    let fake = FakeRegistry::start(FakeConfig::strict()).await;
    let app = repo(&fake, loopback_config(), RepositoryOptions::default());
    let content = data(64 * 1024);
    let stage = app.prestage(Arc::new(Bytes::from(content.clone())), content.len() as u64);
    // Let the session open before cancelling.
    bounded(async {
        while fake.requests().is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await;
    bounded(stage.cancel()).await;
    let requests = fake.requests();
    assert_eq!(requests.first().map(|r| r.method.as_str()), Some("POST"));
    assert_eq!(requests.last().map(|r| r.method.as_str()), Some("DELETE"));
    assert!(fake.blobs("fake/app").is_empty());
    no_unexpected(&fake);
}
