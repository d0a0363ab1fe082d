//! Seeding, inspection, the request log and stop().

use super::support::*;

#[tokio::test]
async fn seeded_content_is_served_and_stop_closes_the_port() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let digest = registry.put_blob_with("r", Algorithm::Sha512, &b"seed"[..]);
        assert_eq!(registry.blobs("r"), std::slice::from_ref(&digest));
        assert_eq!(api.get(&format!("/v2/r/blobs/{digest}")).await.body, "seed");
        let manifest = registry.put_manifest(
            "r",
            media_type::IMAGE_INDEX,
            &b"{\"schemaVersion\":2,\"manifests\":[]}"[..],
        );
        registry.tag("r", "latest", &manifest);
        let got = api.get("/v2/r/manifests/latest").await;
        assert_eq!(got.header("content-type"), Some(media_type::IMAGE_INDEX));
        assert_eq!(registry.manifests("r").len(), 1);

        let addr = registry.addr();
        registry.stop();
        let mut closed = false;
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(addr).await.is_err() {
                closed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(closed, "the listener must close after stop()");
    })
    .await;
}

#[tokio::test]
async fn request_log_records_headers_and_statuses() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        api.send(
            Method::GET,
            "/v2/r/tags/list?n=1",
            &[("authorization", "Bearer x")],
            Bytes::new(),
        )
        .await;
        let log = registry.requests();
        assert_eq!(log.len(), 1);
        let record = &log[0];
        assert_eq!(record.method, Method::GET);
        assert_eq!(record.path, "/v2/r/tags/list?n=1");
        assert_eq!(record.path_only(), "/v2/r/tags/list");
        assert_eq!(record.authorization(), Some("Bearer x"));
        assert_eq!(record.status, 404);
        assert_eq!(record.origin, Origin::Registry);
        assert_eq!(
            record.response_header("content-type"),
            Some("application/json")
        );
        registry.clear_requests();
        assert!(registry.requests().is_empty());
    })
    .await;
}
