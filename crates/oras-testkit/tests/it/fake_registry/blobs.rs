//! Blob GET, HEAD, ranges and DELETE.

use super::support::*;

#[tokio::test]
async fn blob_get_and_head_carry_the_spec_headers() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let digest = api.push_blob("a/b", b"hello world").await;
        let path = format!("/v2/a/b/blobs/{digest}");
        for reply in [api.get(&path).await, api.head(&path).await] {
            assert_eq!(reply.status, 200);
            assert_eq!(reply.header("content-length"), Some("11"));
            assert_eq!(
                reply.header("content-type"),
                Some("application/octet-stream")
            );
            assert_eq!(
                reply.header("docker-content-digest"),
                Some(digest.to_string().as_str())
            );
            assert_eq!(reply.header("accept-ranges"), Some("bytes"));
        }
        assert_eq!(&api.get(&path).await.body[..], b"hello world");
        assert!(api.head(&path).await.body.is_empty());
        assert_eq!(
            registry.blob("a/b", &digest).as_deref(),
            Some(&b"hello world"[..])
        );

        let missing = api
            .get(&format!("/v2/a/b/blobs/{}", Digest::sha256(b"x")))
            .await;
        assert_eq!(missing.status, 404);
        assert_eq!(missing.code(), "BLOB_UNKNOWN");
        assert_eq!(
            api.head(&format!("/v2/a/b/blobs/{}", Digest::sha256(b"x")))
                .await
                .status,
            404
        );
        let other_repo = api.get(&format!("/v2/c/blobs/{digest}")).await;
        assert_eq!(other_repo.status, 404, "blobs are per repository");
        let bad = api.get("/v2/a/b/blobs/sha256:nothex").await;
        assert_eq!(bad.status, 400);
        assert_eq!(bad.code(), "DIGEST_INVALID");
        let bad_name = api.get(&format!("/v2/A/blobs/{digest}")).await;
        assert_eq!(bad_name.status, 400);
        assert_eq!(bad_name.code(), "NAME_INVALID");
    })
    .await;
}

#[tokio::test]
async fn blob_range_requests() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        let digest = registry.put_blob("r", data.clone());
        let path = format!("/v2/r/blobs/{digest}");
        let range = |r: &'static str| {
            let api = &api;
            let path = path.clone();
            async move {
                api.send(Method::GET, &path, &[("range", r)], Bytes::new())
                    .await
            }
        };
        let reply = range("bytes=100-199").await;
        assert_eq!(reply.status, 206);
        assert_eq!(reply.header("content-range"), Some("bytes 100-199/1000"));
        assert_eq!(reply.header("content-length"), Some("100"));
        assert_eq!(&reply.body[..], &data[100..200]);
        let reply = range("bytes=900-").await;
        assert_eq!(
            (reply.status, reply.header("content-range")),
            (206, Some("bytes 900-999/1000"))
        );
        let reply = range("bytes=-10").await;
        assert_eq!(&reply.body[..], &data[990..]);
        let reply = range("bytes=500-5000").await;
        assert_eq!(reply.header("content-range"), Some("bytes 500-999/1000"));
        for bad in ["bytes=500-0", "bytes=5000-10000"] {
            let reply = range(bad).await;
            assert_eq!(reply.status, 416, "{bad}");
            assert_eq!(reply.header("content-range"), Some("bytes */1000"));
            assert!(reply.body.is_empty());
        }
        let log = registry.requests();
        assert_eq!(log[0].range(), Some("bytes=100-199"));
        assert_eq!(log[0].response_content_range(), Some("bytes 100-199/1000"));
    })
    .await;
}

#[tokio::test]
async fn blob_delete() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let digest = registry.put_blob("r", &b"x"[..]);
        let path = format!("/v2/r/blobs/{digest}");
        assert_eq!(api.delete(&path).await.status, 202);
        assert_eq!(api.get(&path).await.status, 404);
        let again = api.delete(&path).await;
        assert_eq!((again.status, again.code()), (404, "BLOB_UNKNOWN".into()));
    })
    .await;
}
