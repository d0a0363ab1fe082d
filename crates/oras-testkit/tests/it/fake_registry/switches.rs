//! The switches not covered beside their endpoint: chunk order, ranges, redirects, locations, links, upload state.

use super::support::*;

#[tokio::test]
async fn out_of_order_switch_accepts_the_chunk() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            out_of_order_416: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let reply = api
            .send(
                Method::PATCH,
                &loc,
                &[("content-range", "22-25")],
                &b"abcd"[..],
            )
            .await;
        assert_eq!((reply.status, reply.header("range")), (202, Some("0-3")));
        // Length checks still apply.
        let reply = api
            .send(Method::PATCH, &loc, &[("content-range", "4-9")], &b"ab"[..])
            .await;
        assert_eq!(reply.status, 400);
    })
    .await;
}

#[tokio::test]
async fn range_switch_serves_whole_blobs() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            range_requests: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let digest = registry.put_blob("r", &b"0123456789"[..]);
        let path = format!("/v2/r/blobs/{digest}");
        let reply = api
            .send(Method::GET, &path, &[("range", "bytes=2-4")], Bytes::new())
            .await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, "0123456789");
        assert_eq!(reply.header("accept-ranges"), None);
        assert_eq!(reply.header("content-range"), None);
        assert_eq!(
            reply.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );
    })
    .await;
}

#[tokio::test]
async fn blob_redirect_switch_sends_gets_to_the_other_origin() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            blob_redirect: true,
            auth: Auth::basic("u", "p"),
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let digest = registry.put_blob("r", &b"cdn bytes"[..]);
        let path = format!("/v2/r/blobs/{digest}");
        let auth = [("authorization", "Basic dTpw")];
        let reply = api.send(Method::GET, &path, &auth, Bytes::new()).await;
        assert_eq!(reply.status, 307);
        let target = reply.header("location").unwrap().to_owned();
        assert_eq!(target, format!("{}{path}", registry.other_url()));
        let head = api.send(Method::HEAD, &path, &auth, Bytes::new()).await;
        assert_eq!(head.status, 200, "HEAD is answered by the registry");

        let cdn = api.get(&target).await;
        assert_eq!((cdn.status, &cdn.body[..]), (200, &b"cdn bytes"[..]));
        let log = registry.requests();
        let hop = log.iter().find(|r| r.origin == Origin::Other).unwrap();
        assert!(!hop.has_authorization());
        assert_eq!(hop.path, path);
    })
    .await;
}

#[tokio::test]
async fn foreign_upload_location_switch() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            foreign_upload_location: true,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        assert!(loc.starts_with(&format!("{}/v2/r/blobs/uploads/", registry.other_url())));
        let digest = Digest::sha256(b"x");
        let put = api
            .send(
                Method::PUT,
                &format!("{loc}?digest={digest}"),
                &[],
                &b"x"[..],
            )
            .await;
        assert_eq!(put.status, 201);
        assert_eq!(
            put.header("location"),
            Some(format!("/v2/r/blobs/{digest}").as_str())
        );
        assert_eq!(registry.requests()[1].origin, Origin::Other);
        // Blob and manifest locations are unchanged.
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        assert!(reply.header("location").unwrap().starts_with("/v2/"));
    })
    .await;
}

#[tokio::test]
async fn absolute_location_and_cross_origin_link_switches() {
    bounded(async {
        let absolute = FakeRegistry::start(FakeConfig {
            absolute_location: true,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&absolute);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        assert!(
            post.header("location")
                .unwrap()
                .starts_with(&format!("{}/v2/r/blobs/uploads/", absolute.url()))
        );

        let cross = FakeRegistry::start(FakeConfig {
            cross_origin_link: true,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&cross);
        let digest = cross.put_manifest("r", media_type::IMAGE_MANIFEST, &b"{}"[..]);
        cross.tag("r", "a", &digest);
        cross.tag("r", "b", &digest);
        let page = api.get("/v2/r/tags/list?n=1").await;
        let link = page.header("link").unwrap();
        assert_eq!(
            link,
            format!(
                "<{}/v2/r/tags/list?n=1&last=a>; rel=\"next\"",
                cross.other_url()
            )
        );
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        assert!(
            post.header("location").unwrap().starts_with("/v2/"),
            "locations untouched"
        );
    })
    .await;
}

#[tokio::test]
async fn upload_state_param_switch() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            upload_state_param: true,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        assert!(loc.contains("?_state="));
        let bare = loc.split('?').next().unwrap();
        let refused = api.send(Method::PATCH, bare, &[], &b"ab"[..]).await;
        assert_eq!(
            (refused.status, refused.code()),
            (400, "BLOB_UPLOAD_INVALID".into())
        );
        let patch = api.send(Method::PATCH, &loc, &[], &b"ab"[..]).await;
        assert_eq!(patch.status, 202);
        let digest = Digest::sha256(b"ab");
        let put = api
            .send(
                Method::PUT,
                &with_query(&loc, &format!("digest={digest}")),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(put.status, 201);
    })
    .await;
}
