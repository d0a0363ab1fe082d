//! Against CNCF Distribution over TLS (oras_testkit::real): a large blob
//! comes in ranges over several HTTP/1.1 connections and verifies; the
//! registry's HTTP/2 is negotiated by ALPN for everything else, and
//! concurrent requests share one connection. The client reaches the registry through a TCP forwarder of
//! the test that counts the connections opened.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use http::{Request, Response, Version};
use oras_auth::{Body, Credential, StaticCredential};
use oras_content::{Pusher, bytes_reader, fetch_all};
use oras_remote::{
    ClientConfig, ProxyConfig, Registry, Repository, RepositoryOptions, ResponseBody,
};
use oras_spec::{Descriptor, media_type};
use oras_testkit::real::{Mode, RealRegistry, start_for_test_async};
use tower::util::{MapRequestLayer, MapResponseLayer};

use crate::support::{bounded, no_sleep_retry};

/// What the client sent and got, seen between auth and redirects.
#[derive(Default)]
struct Seen {
    ranges: Mutex<Vec<String>>,
    versions: Mutex<Vec<(Version, bool)>>,
}

/// A TCP forwarder to `upstream` on a port of its own, counting the
/// connections it accepts.
async fn forwarder(upstream: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let accepted = count.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            accepted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    (addr, count)
}

/// A client of the TLS registry through a forwarder, recording what it
/// sees; the forwarder's connection count.
async fn client(
    registry: &RealRegistry,
    options: RepositoryOptions,
) -> (Repository, Arc<Seen>, Arc<AtomicUsize>) {
    let (addr, connections) = forwarder(registry.addr()).await;
    let host = format!("127.0.0.1:{}", addr.port());
    let seen = Arc::new(Seen::default());
    let (on_request, on_response) = (seen.clone(), seen.clone());
    let credential = Credential::basic(registry.username().unwrap(), registry.password().unwrap());
    let config = ClientConfig::new()
        .proxy(ProxyConfig::none())
        .retry(no_sleep_retry())
        .without_system_roots()
        .ca_file(registry.ca_path().unwrap())
        .credentials(Arc::new(StaticCredential::new(host.clone(), credential)))
        .layer_inside_auth(MapRequestLayer::new(move |request: Request<Body>| {
            if let Some(range) = request.headers().get("range") {
                let range = range.to_str().unwrap().to_owned();
                on_request.ranges.lock().unwrap().push(range);
            }
            request
        }))
        .layer_inside_auth(MapResponseLayer::new(
            move |response: Response<ResponseBody>| {
                let ranged = response.headers().contains_key("content-range");
                let seen = (response.version(), ranged);
                on_response.versions.lock().unwrap().push(seen);
                response
            },
        ));
    let repo = Registry::with_config(&host, config)
        .unwrap()
        .with_options(options)
        .repository("oras-remote/fast")
        .unwrap();
    (repo, seen, connections)
}

fn data(len: usize, seed: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 31 + seed) % 251) as u8).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_blob_comes_from_distribution_in_verified_ranges_over_several_connections() {
    let Some(registry) = start_for_test_async(Mode::TlsBasic).await else {
        return;
    };
    const SIZE: usize = 100 * 1024 * 1024 + 4321;
    const CHUNK: u64 = 4 * 1024 * 1024;
    let options = RepositoryOptions {
        ranged_fetch_threshold: 64 * 1024 * 1024,
        ranged_fetch_chunk: CHUNK,
        ranged_fetch_probe: CHUNK,
        ranged_fetch_connections: 4,
        // Loopback is fast: ranges whatever the speed.
        ranged_fetch_fast_rate: u64::MAX,
        ..RepositoryOptions::default()
    };
    let (repo, seen, connections) = client(&registry, options).await;
    let content = data(SIZE, 7);
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &content);
    let work = async {
        repo.push(&desc, bytes_reader(content.clone()))
            .await
            .unwrap();
        fetch_all(&repo, &desc, SIZE as u64).await.unwrap()
    };
    let got = tokio::time::timeout(std::time::Duration::from_secs(300), work)
        .await
        .expect("100 MiB round trip timed out");
    assert!(got == content, "the verified bytes, in order");
    let ranges = seen.ranges.lock().unwrap().clone();
    // The first range came with the first response; the others once each.
    let expected = (SIZE as u64).div_ceil(CHUNK) as usize - 1;
    assert!(
        (expected - 1..=expected).contains(&ranges.len()),
        "{expected}: {ranges:?}"
    );
    assert!(ranges.contains(&format!("bytes={}-{}", 2 * CHUNK, 3 * CHUNK - 1)));
    let last = format!("-{}", SIZE - 1);
    assert_eq!(ranges.iter().filter(|r| r.ends_with(&last)).count(), 1);
    // Ranges each on an HTTP/1.1 connection; everything else on HTTP/2.
    let versions = seen.versions.lock().unwrap().clone();
    let expected_version = |ranged: bool| match ranged {
        true => Version::HTTP_11,
        false => Version::HTTP_2,
    };
    assert!(
        versions
            .iter()
            .all(|(v, ranged)| *v == expected_version(*ranged)),
        "{versions:?}"
    );
    let opened = connections.load(Ordering::SeqCst);
    assert!(
        (1 + 2..=1 + 4).contains(&opened),
        "one HTTP/2 connection and up to 4 for ranges: {opened}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_one_http2_connection_to_distribution() {
    let Some(registry) = start_for_test_async(Mode::TlsBasic).await else {
        return;
    };
    let (repo, seen, connections) = client(&registry, RepositoryOptions::default()).await;
    let blobs: Vec<(Descriptor, Vec<u8>)> = (0..16)
        .map(|seed| {
            let content = data(4096, seed);
            (
                Descriptor::from_bytes(media_type::IMAGE_LAYER, &content),
                content,
            )
        })
        .collect();
    // The first request opens the connection (and answers the challenge).
    bounded(repo.push(&blobs[0].0, bytes_reader(blobs[0].1.clone())))
        .await
        .unwrap();
    let pushes = blobs[1..]
        .iter()
        .map(|(desc, content)| repo.push(desc, bytes_reader(content.clone())));
    for result in bounded(futures::future::join_all(pushes)).await {
        result.unwrap();
    }
    let fetches = blobs.iter().map(|(desc, _)| fetch_all(&repo, desc, 8192));
    let fetched = bounded(futures::future::join_all(fetches)).await;
    for ((_, content), got) in blobs.iter().zip(fetched) {
        assert_eq!(&got.unwrap()[..], &content[..]);
    }
    let versions = seen.versions.lock().unwrap().clone();
    assert!(versions.len() >= 3 * blobs.len(), "{versions:?}");
    assert!(
        versions.iter().all(|(v, _)| *v == Version::HTTP_2),
        "ALPN chose h2: {versions:?}"
    );
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "all requests multiplexed on one connection"
    );
}
