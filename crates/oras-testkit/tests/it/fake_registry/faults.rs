//! Injected faults: statuses, 429, dropped connections, delays, origin filters.

use super::support::*;

#[tokio::test]
async fn fault_fails_the_nth_matching_request() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::with_faults(vec![
            Fault::status(Method::GET, "/v2/*/tags/list", 503).nth(2),
        ]))
        .await;
        let api = Api::new(&registry);
        registry.put_blob("r", &b"x"[..]);
        let statuses: Vec<u16> = {
            let mut out = Vec::new();
            for _ in 0..3 {
                out.push(api.get("/v2/r/tags/list").await.status);
            }
            out
        };
        assert_eq!(statuses, [200, 503, 200]);
        assert_eq!(api.get("/v2/").await.status, 200);
        let log = registry.requests();
        assert!(log[1].fault.is_some());
        assert!(log[0].fault.is_none());
    })
    .await;
}

#[tokio::test]
async fn server_errors_then_success_and_429_with_retry_after() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::with_faults(vec![
            Fault::server_errors(Method::HEAD, "/v2/*/manifests/*", 502, 2),
            Fault::too_many_requests(Method::GET, "/v2/", 3),
        ]))
        .await;
        let api = Api::new(&registry);
        let digest = registry.put_manifest("r", media_type::IMAGE_MANIFEST, &b"{}"[..]);
        let path = format!("/v2/r/manifests/{digest}");
        assert_eq!(api.head(&path).await.status, 502);
        assert_eq!(api.head(&path).await.status, 502);
        assert_eq!(api.head(&path).await.status, 200);
        let limited = api.get("/v2/").await;
        assert_eq!(limited.status, 429);
        assert_eq!(limited.header("retry-after"), Some("3"));
        assert_eq!(limited.code(), "TOOMANYREQUESTS");
        assert_eq!(api.get("/v2/").await.status, 200);
    })
    .await;
}

#[tokio::test]
async fn dropping_download_cuts_the_body_and_range_resumes() {
    bounded(async {
        let registry =
            FakeRegistry::start(FakeConfig::with_faults(vec![dropping_download(1000, 1)])).await;
        let api = Api::new(&registry);
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 249) as u8).collect();
        let digest = registry.put_blob("r", data.clone());
        let path = format!("/v2/r/blobs/{digest}");

        let resp = api
            .raw(Method::GET, &path, &[], Bytes::new())
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-length"], "100000");
        let mut body = resp.into_body();
        let mut received = Vec::new();
        let error = loop {
            match body.frame().await {
                Some(Ok(frame)) => received.extend_from_slice(&frame.into_data().unwrap()),
                Some(Err(err)) => break Some(err),
                None => break None,
            }
        };
        assert!(error.is_some(), "the body must end in an error");
        assert_eq!(received, &data[..1000]);

        let rest = api
            .send(
                Method::GET,
                &path,
                &[("range", "bytes=1000-")],
                Bytes::new(),
            )
            .await;
        assert_eq!(rest.status, 206);
        assert_eq!(&rest.body[..], &data[1000..]);
    })
    .await;
}

#[tokio::test]
async fn dropping_upload_keeps_the_received_bytes() {
    bounded(async {
        let registry =
            FakeRegistry::start(FakeConfig::with_faults(vec![dropping_upload(5, 1)])).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let broken = api
            .raw(
                Method::PATCH,
                &loc,
                &[("content-range", "0-9")],
                &b"0123456789"[..],
            )
            .await;
        assert!(broken.is_err(), "the connection must be cut");
        let status = api.get(&loc).await;
        assert_eq!((status.status, status.header("range")), (204, Some("0-4")));
        let resumed = api
            .send(
                Method::PATCH,
                &loc,
                &[("content-range", "5-9")],
                &b"56789"[..],
            )
            .await;
        assert_eq!(
            (resumed.status, resumed.header("range")),
            (202, Some("0-9"))
        );
        let digest = Digest::sha256(b"0123456789");
        let put = api
            .send(
                Method::PUT,
                &format!("{loc}?digest={digest}"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(put.status, 201);
        let log = registry.requests();
        assert_eq!(log[1].status, 0, "no response to the broken PATCH");
    })
    .await;
}

#[tokio::test]
async fn close_connection_and_delay_faults() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::with_faults(vec![
            Fault::close_connection(Method::GET, "/v2/"),
            Fault::delay(Method::GET, "/v2/_catalog", Duration::from_millis(200)),
        ]))
        .await;
        let api = Api::new(&registry);
        assert!(
            api.raw(Method::GET, "/v2/", &[], Bytes::new())
                .await
                .is_err()
        );
        assert_eq!(api.get("/v2/").await.status, 200);
        let started = std::time::Instant::now();
        assert_eq!(api.get("/v2/_catalog").await.status, 200);
        assert!(started.elapsed() >= Duration::from_millis(200));
    })
    .await;
}

#[tokio::test]
async fn faults_can_target_the_other_origin_only() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            blob_redirect: true,
            faults: vec![dropping_download(4, 1).on_origin(Origin::Other)],
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let digest = registry.put_blob("r", &b"0123456789"[..]);
        let path = format!("/v2/r/blobs/{digest}");
        let redirect = api.get(&path).await;
        assert_eq!(redirect.status, 307);
        let target = redirect.header("location").unwrap().to_owned();
        let cut = api
            .raw(Method::GET, &target, &[], Bytes::new())
            .await
            .unwrap();
        assert!(cut.into_body().collect().await.is_err(), "cut on the CDN");
        let whole = api.get(&target).await;
        assert_eq!(whole.body, "0123456789");
        let log = registry.requests();
        assert!(log[0].fault.is_none());
        assert!(log[1].fault.is_some());
    })
    .await;
}
