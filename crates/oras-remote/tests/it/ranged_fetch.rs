//! Ranged parallel downloads of a large blob against the in-process fake
//! registry: honest ranges, lying servers (a 200 for a range, a wrong
//! `Content-Range`, a longer body) that make the download fall back to one
//! stream, a range cut mid-way and resumed, no `Accept-Ranges` or a fast
//! first stream (one stream), a redirect to another origin (no
//! credentials there), and one stream resumed across a registry that
//! cannot be reached for a moment.

use std::sync::Arc;

use http::Method;
use oras_auth::{Credential, StaticCredential};
use oras_content::{ErrorKind, fetch_all};
use oras_remote::{ClientConfig, Repository, RepositoryOptions};
use oras_spec::{Descriptor, media_type};
use oras_testkit::fake::{Auth, FakeConfig, FakeRegistry, Fault, Origin, RangeAnswer};

use crate::fake::repo as app;
use crate::support::{bounded, loopback_config};

/// The blob's size: eight ranges of [`CHUNK`], the last one short.
const SIZE: usize = 7 * CHUNK + 12_345;
const CHUNK: usize = 100_000;

fn ranged() -> RepositoryOptions {
    RepositoryOptions {
        ranged_fetch_threshold: 0,
        ranged_fetch_chunk: CHUNK as u64,
        ranged_fetch_probe: CHUNK as u64,
        ranged_fetch_connections: 3,
        // Loopback is fast: ranges whatever the speed.
        ranged_fetch_fast_rate: u64::MAX,
        ..RepositoryOptions::default()
    }
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// A fake with one blob of [`SIZE`] bytes, and a repository reaching it.
async fn setup(config: FakeConfig, client: ClientConfig) -> (FakeRegistry, Repository, Descriptor) {
    let fake = FakeRegistry::start(config).await;
    let digest = fake.put_blob("fake/app", data(SIZE));
    let desc = Descriptor::new(media_type::IMAGE_LAYER, digest, SIZE as u64);
    let repo = app(&fake, client, ranged());
    (fake, repo, desc)
}

/// The `Range` headers of the blob GETs, in arrival order (`None` for a
/// whole-blob request).
fn ranges_asked(fake: &FakeRegistry) -> Vec<Option<String>> {
    fake.requests()
        .iter()
        .filter(|r| r.method == Method::GET && r.path.contains("/blobs/sha"))
        .map(|r| r.range().map(str::to_owned))
        .collect()
}

/// `bytes=<first>-<last>` → (first, last).
fn parse(range: &str) -> (usize, usize) {
    let (first, last) = range.trim_start_matches("bytes=").split_once('-').unwrap();
    (first.parse().unwrap(), last.parse().unwrap())
}

/// Checks that `ranges` (once each, any order) are what a download asks
/// after its first stream served at least the first range: contiguous to
/// the end of the blob, cut at multiples of [`CHUNK`].
fn assert_cover(ranges: &[String]) {
    let mut spans: Vec<(usize, usize)> = ranges.iter().map(|r| parse(r)).collect();
    spans.sort();
    let start = spans[0].0;
    assert!(
        start >= CHUNK,
        "the first stream served the first range: {spans:?}"
    );
    let mut next = start;
    for (first, last) in &spans {
        assert_eq!(*first, next, "contiguous: {spans:?}");
        assert_eq!(
            *last,
            ((first / CHUNK + 1) * CHUNK).min(SIZE) - 1,
            "{spans:?}"
        );
        next = last + 1;
    }
    assert_eq!(next, SIZE, "to the end: {spans:?}");
}

#[tokio::test]
async fn a_large_blob_comes_in_ranges_over_several_connections() {
    let (fake, repo, desc) = setup(FakeConfig::default(), loopback_config()).await;
    let got = bounded(fetch_all(&repo, &desc, SIZE as u64)).await.unwrap();
    assert!(got == data(SIZE), "the bytes arrive in order");
    let asked = ranges_asked(&fake);
    assert_eq!(asked[0], None, "the first request is a plain GET");
    let ranges: Vec<String> = asked[1..].iter().map(|r| r.clone().unwrap()).collect();
    assert_cover(&ranges);
}

#[tokio::test]
async fn a_first_stream_fast_enough_goes_on_alone() {
    let (fake, _, desc) = setup(FakeConfig::default(), loopback_config()).await;
    let slow_threshold = RepositoryOptions {
        ranged_fetch_fast_rate: 1,
        ..ranged()
    };
    let repo = app(&fake, loopback_config(), slow_threshold);
    let got = bounded(fetch_all(&repo, &desc, SIZE as u64)).await.unwrap();
    assert!(got == data(SIZE));
    assert_eq!(ranges_asked(&fake), [None], "one GET");
}

#[tokio::test]
async fn a_blob_below_the_threshold_or_without_accept_ranges_is_one_stream() {
    let (fake, _, desc) = setup(
        FakeConfig {
            range_requests: false,
            ..FakeConfig::default()
        },
        loopback_config(),
    )
    .await;
    let repo = app(&fake, loopback_config(), ranged());
    let got = bounded(fetch_all(&repo, &desc, SIZE as u64)).await.unwrap();
    assert!(got == data(SIZE));
    assert_eq!(ranges_asked(&fake), [None], "no Accept-Ranges: one GET");

    let (fake, _, desc) = setup(FakeConfig::default(), loopback_config()).await;
    let below = RepositoryOptions {
        ranged_fetch_threshold: SIZE as u64 + 1,
        ..ranged()
    };
    let repo = app(&fake, loopback_config(), below);
    bounded(fetch_all(&repo, &desc, SIZE as u64)).await.unwrap();
    assert_eq!(ranges_asked(&fake), [None], "below the threshold: one GET");
}

#[tokio::test]
async fn a_server_breaking_the_range_rules_is_refused_and_the_rest_comes_in_one_stream() {
    for answer in [
        RangeAnswer::Whole,
        RangeAnswer::Shifted,
        RangeAnswer::Longer,
    ] {
        let config = FakeConfig {
            range_answer: answer,
            ..FakeConfig::default()
        };
        let (fake, repo, desc) = setup(config, loopback_config()).await;
        let got = bounded(fetch_all(&repo, &desc, SIZE as u64)).await.unwrap();
        assert!(
            got == data(SIZE),
            "{answer:?}: the verified bytes, in order"
        );
        let asked = ranges_asked(&fake);
        let whole = asked.iter().filter(|r| r.is_none()).count();
        assert_eq!(
            whole, 2,
            "{answer:?}: the first GET and one fallback: {asked:?}"
        );
        assert_eq!(asked[0], None);
        assert!(
            asked.len() <= 2 + 3,
            "{answer:?}: no more ranges than in flight: {asked:?}"
        );
        assert!(fake.unexpected_requests().is_empty());
    }
}

#[tokio::test]
async fn a_range_cut_mid_way_resumes_from_where_it_stopped() {
    // The third blob GET (a range) is cut after 1,000 bytes of body.
    let cut = Fault::drop_response_after(Method::GET, "/v2/*/blobs/sha*", 1000).nth(3);
    let (fake, repo, desc) = setup(FakeConfig::with_faults(vec![cut]), loopback_config()).await;
    let got = bounded(fetch_all(&repo, &desc, SIZE as u64)).await.unwrap();
    assert!(got == data(SIZE));
    let asked = ranges_asked(&fake);
    assert_eq!(
        asked.iter().filter(|r| r.is_none()).count(),
        1,
        "no fallback"
    );
    // The cut range was asked again from its 1,001st byte.
    let spans: Vec<(usize, usize)> = asked.iter().flatten().map(|r| parse(r)).collect();
    let cut: Vec<_> = spans
        .iter()
        .filter(|(_, last)| spans.iter().filter(|(_, l)| l == last).count() == 2)
        .collect();
    assert_eq!(cut.len(), 2, "{spans:?}");
    assert_eq!(cut[0].0.abs_diff(cut[1].0), 1000, "{spans:?}");
    let whole: Vec<String> = asked
        .iter()
        .flatten()
        .filter(|r| !cut.iter().any(|(first, _)| parse(r).0 == first + 1000))
        .cloned()
        .collect();
    assert_cover(&whole);
}

#[tokio::test]
async fn a_range_failing_past_its_resumes_fails_the_download() {
    let cut = Fault::drop_response_after(Method::GET, "/v2/*/blobs/sha*", 10)
        .nth(2)
        .always();
    let (fake, _, desc) = setup(FakeConfig::with_faults(vec![cut]), loopback_config()).await;
    let options = RepositoryOptions {
        max_resumes: 2,
        ..ranged()
    };
    let repo = app(&fake, loopback_config(), options);
    let err = bounded(fetch_all(&repo, &desc, SIZE as u64))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert!(err.to_string().contains("error reading a body"), "{err}");
}

#[tokio::test]
async fn ranges_follow_a_redirect_to_another_origin_without_credentials() {
    let config = FakeConfig {
        auth: Auth::basic("alice", "pw"),
        blob_redirect: true,
        ..FakeConfig::default()
    };
    let fake = FakeRegistry::start(config).await;
    let digest = fake.put_blob("fake/app", data(SIZE));
    let desc = Descriptor::new(media_type::IMAGE_LAYER, digest, SIZE as u64);
    let credentials = Arc::new(StaticCredential::new(
        fake.host(),
        Credential::basic("alice", "pw"),
    ));
    let repo = app(&fake, loopback_config().credentials(credentials), ranged());
    let got = bounded(fetch_all(&repo, &desc, SIZE as u64)).await.unwrap();
    assert!(got == data(SIZE));
    let requests = fake.requests();
    let cdn: Vec<_> = requests
        .iter()
        .filter(|r| r.origin == Origin::Other)
        .collect();
    assert!(cdn.iter().all(|r| !r.has_authorization()));
    let ranges: Vec<String> = cdn
        .iter()
        .filter_map(|r| r.range())
        .map(str::to_owned)
        .collect();
    assert_eq!(cdn.len(), 1 + ranges.len(), "{requests:?}");
    assert_cover(&ranges);
}

/// One stream cut mid-way while the registry cannot be reached for a
/// moment (its next two connections closed unanswered, as a registry
/// restarting): the resume waits and tries again, and the download
/// completes.
#[tokio::test]
async fn a_resume_waits_for_a_registry_that_cannot_be_reached_for_a_moment() {
    let blob = "/v2/*/blobs/sha*";
    let faults = vec![
        Fault::drop_response_after(Method::GET, blob, 1000),
        Fault::close_connection(Method::GET, blob).nth(2).times(2),
    ];
    let fake = FakeRegistry::start(FakeConfig::with_faults(faults)).await;
    let digest = fake.put_blob("fake/app", data(SIZE));
    let desc = Descriptor::new(media_type::IMAGE_LAYER, digest, SIZE as u64);
    let one_stream = RepositoryOptions {
        ranged_fetch_threshold: u64::MAX,
        ..RepositoryOptions::default()
    };
    let repo = app(&fake, loopback_config(), one_stream);
    let got = bounded(fetch_all(&repo, &desc, SIZE as u64)).await.unwrap();
    assert!(got == data(SIZE));
    let asked = ranges_asked(&fake);
    assert_eq!(asked.len(), 4, "{asked:?}");
    assert_eq!(
        asked[3].as_deref(),
        Some(&*format!("bytes=1000-{}", SIZE - 1))
    );
}

/// Four large blobs fetched at once by one repository whose ranged
/// downloads share two slots: every download waits its turn for a slot and
/// all four arrive whole.
#[tokio::test]
async fn concurrent_ranged_downloads_share_the_repository_slots() {
    let fake = FakeRegistry::start(FakeConfig::default()).await;
    let blobs: Vec<(Descriptor, Vec<u8>)> = (0..4u8)
        .map(|n| {
            let bytes: Vec<u8> = data(SIZE).into_iter().map(|b| b ^ n).collect();
            let digest = fake.put_blob("fake/app", bytes.clone());
            (
                Descriptor::new(media_type::IMAGE_LAYER, digest, SIZE as u64),
                bytes,
            )
        })
        .collect();
    let options = RepositoryOptions {
        ranged_fetch_connections: 2,
        ..ranged()
    };
    let repo = app(&fake, loopback_config(), options);
    let fetches = blobs
        .iter()
        .map(|(desc, _)| fetch_all(&repo, desc, SIZE as u64));
    let got = bounded(futures::future::try_join_all(fetches))
        .await
        .unwrap();
    for (bytes, (_, want)) in got.iter().zip(&blobs) {
        assert!(bytes == want);
    }
    let ranged_requests = ranges_asked(&fake).iter().flatten().count();
    assert!(ranged_requests >= 4 * 7, "{ranged_requests} range requests");
}
