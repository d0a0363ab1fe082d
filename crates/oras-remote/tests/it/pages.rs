//! Listings as streams of pages against the in-process fake registry:
//! each page is requested when the stream is polled for it, dropping the
//! stream stops the listing, and the collecting helpers still return the
//! whole list.

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use http::Method;
use oras_content::{Pusher, ReferrerLister, TagLister, bytes_reader};
use oras_remote::{Registry, Repository};
use oras_spec::{Descriptor, Manifest, Parsed, media_type};
use oras_testkit::fake::{FakeConfig, FakeRegistry};

use crate::support::{bounded, loopback_config};

fn gets(fake: &FakeRegistry, path: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == Method::GET && r.path_only() == path)
        .count()
}

fn paged() -> FakeConfig {
    FakeConfig {
        page_size: Some(2),
        referrers_page_size: Some(2),
        ..FakeConfig::strict()
    }
}

async fn with_tags(fake: &FakeRegistry, count: usize) -> Repository {
    let digest = fake.put_blob("fake/app", Bytes::from_static(b"x"));
    let manifest = Parsed::from_value(Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.into(),
        artifact_type: "application/vnd.test".into(),
        config: Descriptor::empty_json(),
        layers: vec![Descriptor::new(media_type::IMAGE_LAYER, digest, 1)],
        subject: None,
        annotations: Default::default(),
    });
    let desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
    let app = Registry::with_config(&fake.host(), loopback_config())
        .unwrap()
        .repository("fake/app")
        .unwrap();
    bounded(app.push(&Descriptor::empty_json(), bytes_reader(&b"{}"[..])))
        .await
        .unwrap();
    let (bytes, _) = manifest.into_parts();
    bounded(app.push(&desc, bytes_reader(bytes))).await.unwrap();
    for i in 0..count {
        bounded(oras_content::Tagger::tag(&app, &desc, &format!("t{i}")))
            .await
            .unwrap();
    }
    app
}

#[tokio::test]
async fn tag_pages_stop_when_the_stream_is_dropped() {
    let fake = FakeRegistry::start(paged()).await;
    let app = with_tags(&fake, 7).await;
    let first_two: Vec<Vec<String>> = bounded(app.tag_pages(None).take(2).try_collect())
        .await
        .unwrap();
    assert_eq!(first_two, vec![vec!["t0", "t1"], vec!["t2", "t3"]]);
    assert_eq!(gets(&fake, "/v2/fake/app/tags/list"), 2);

    let all = bounded(app.tags(None)).await.unwrap();
    assert_eq!(all, ["t0", "t1", "t2", "t3", "t4", "t5", "t6"]);
    assert_eq!(gets(&fake, "/v2/fake/app/tags/list"), 2 + 4);

    let after: Vec<String> = bounded(app.tag_pages(Some("t4")).try_concat())
        .await
        .unwrap();
    assert_eq!(after, ["t5", "t6"]);
}

#[tokio::test]
async fn catalog_pages_stop_when_the_stream_is_dropped() {
    let fake = FakeRegistry::start(paged()).await;
    for name in ["a/1", "a/2", "a/3", "a/4", "a/5"] {
        fake.put_blob(name, Bytes::from_static(b"x"));
    }
    let registry = Registry::with_config(&fake.host(), loopback_config()).unwrap();
    let mut pages = registry.repository_pages(None);
    let first = bounded(pages.try_next()).await.unwrap().unwrap();
    assert_eq!(first, ["a/1", "a/2"]);
    drop(pages);
    assert_eq!(gets(&fake, "/v2/_catalog"), 1);
    let all = bounded(registry.repositories(None)).await.unwrap();
    assert_eq!(all, ["a/1", "a/2", "a/3", "a/4", "a/5"]);
}

#[tokio::test]
async fn referrer_pages_stream_the_api_and_fall_back_to_the_tag_schema() {
    for api in [true, false] {
        let fake = FakeRegistry::start(FakeConfig {
            referrers_api: api,
            ..paged()
        })
        .await;
        let app = with_tags(&fake, 1).await;
        let subject = bounded(oras_content::Resolver::resolve(&app, "t0"))
            .await
            .unwrap();
        for i in 0..5 {
            let manifest = Parsed::from_value(Manifest {
                schema_version: 2,
                media_type: media_type::IMAGE_MANIFEST.into(),
                artifact_type: format!("application/vnd.referrer.{}", i % 2),
                config: Descriptor::empty_json(),
                layers: vec![Descriptor::empty_json()],
                subject: Some(subject.clone()),
                annotations: [("n".to_owned(), i.to_string())].into_iter().collect(),
            });
            let desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
            let (bytes, _) = manifest.into_parts();
            bounded(app.push(&desc, bytes_reader(bytes))).await.unwrap();
        }
        let path = format!("/v2/fake/app/referrers/{}", subject.digest);
        let before = gets(&fake, &path);
        let first = bounded(app.referrer_pages(&subject, None).try_next())
            .await
            .unwrap()
            .unwrap();
        if api {
            assert_eq!(first.len(), 2, "one API page");
            assert_eq!(gets(&fake, &path), before + 1);
        } else {
            assert_eq!(first.len(), 5, "the whole tag-schema list");
        }
        let all = bounded(app.referrers(&subject, None)).await.unwrap();
        assert_eq!(all.len(), 5, "api: {api}");
        let ones: Vec<Descriptor> = bounded(
            app.referrer_pages(&subject, Some("application/vnd.referrer.1"))
                .try_concat(),
        )
        .await
        .unwrap();
        assert_eq!(ones.len(), 2, "api: {api}");
    }
}
