//! Upload sessions: monolithic, single POST, chunked, streamed, cancel, sha512, mount.

use super::support::*;

#[tokio::test]
async fn monolithic_upload_post_then_put() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        assert_eq!(post.status, 202);
        let location = post.header("location").unwrap().to_owned();
        let uuid = post.header("docker-upload-uuid").unwrap();
        assert_eq!(location, format!("/v2/r/blobs/uploads/{uuid}"));
        assert_eq!(post.header("range"), Some("0-0"));
        assert_eq!(post.header("oci-chunk-min-length"), None);
        assert_eq!(registry.uploads().len(), 1);

        let digest = Digest::sha256(b"blob");
        let put = api
            .send(
                Method::PUT,
                &format!("{location}?digest={digest}"),
                &[],
                &b"blob"[..],
            )
            .await;
        assert_eq!(put.status, 201);
        assert_eq!(
            put.header("location"),
            Some(format!("/v2/r/blobs/{digest}").as_str())
        );
        assert_eq!(
            put.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );
        assert!(registry.uploads().is_empty());
        assert_eq!(api.get(&format!("/v2/r/blobs/{digest}")).await.body, "blob");
    })
    .await;
}

#[tokio::test]
async fn closing_put_with_the_wrong_digest_is_digest_invalid() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let location = post.header("location").unwrap();
        let wrong = Digest::sha256(b"other");
        let put = api
            .send(
                Method::PUT,
                &format!("{location}?digest={wrong}"),
                &[],
                &b"blob"[..],
            )
            .await;
        assert_eq!((put.status, put.code()), (400, "DIGEST_INVALID".into()));
        assert!(registry.blob("r", &wrong).is_none());
        let missing = api.send(Method::PUT, location, &[], Bytes::new()).await;
        assert_eq!(missing.status, 404, "the failed commit closed the session");
    })
    .await;
}

#[tokio::test]
async fn single_post_upload_and_its_switch() {
    bounded(async {
        let data = &b"single post"[..];
        let digest = Digest::sha256(data);
        let path = format!("/v2/r/blobs/uploads/?digest={digest}");

        let strict = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&strict);
        let reply = api.send(Method::POST, &path, &[], data).await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("location"),
            Some(format!("/v2/r/blobs/{digest}").as_str())
        );
        assert_eq!(
            reply.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );
        assert_eq!(api.get(&format!("/v2/r/blobs/{digest}")).await.status, 200);
        let bad = api
            .send(
                Method::POST,
                &format!("/v2/r/blobs/uploads/?digest={}", Digest::sha256(b"z")),
                &[],
                data,
            )
            .await;
        assert_eq!((bad.status, bad.code()), (400, "DIGEST_INVALID".into()));

        let config = FakeConfig {
            single_post_upload: false,
            ..FakeConfig::default()
        };
        let lax = FakeRegistry::start(config).await;
        let api = Api::new(&lax);
        let reply = api.send(Method::POST, &path, &[], data).await;
        assert_eq!(reply.status, 202);
        assert!(
            reply
                .header("location")
                .unwrap()
                .starts_with("/v2/r/blobs/uploads/")
        );
        assert_eq!(api.get(&format!("/v2/r/blobs/{digest}")).await.status, 404);
    })
    .await;
}

#[tokio::test]
async fn chunked_upload_follows_the_conformance_sequence() {
    bounded(async {
        let config = FakeConfig {
            chunk_min_length: Some(22),
            ..FakeConfig::default()
        };
        let registry = FakeRegistry::start(config).await;
        let api = Api::new(&registry);
        let data: Vec<u8> = (0..42u8).collect();
        let (one, two) = data.split_at(22);
        let octet = ("content-type", "application/octet-stream");

        // Out of order on a fresh session.
        let post = api
            .send(
                Method::POST,
                "/v2/r/blobs/uploads/",
                &[("content-length", "0")],
                Bytes::new(),
            )
            .await;
        assert_eq!(post.header("oci-chunk-min-length"), Some("22"));
        let loc = post.header("location").unwrap().to_owned();
        let reply = api
            .send(
                Method::PATCH,
                &loc,
                &[octet, ("content-range", "22-41")],
                two.to_vec(),
            )
            .await;
        assert_eq!(reply.status, 416);

        // In order.
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let first = api
            .send(
                Method::PATCH,
                &loc,
                &[octet, ("content-range", "0-21")],
                one.to_vec(),
            )
            .await;
        assert_eq!(first.status, 202);
        assert_eq!(first.header("range"), Some("0-21"));
        assert_eq!(first.header("location"), Some(loc.as_str()));
        let retry = api
            .send(
                Method::PATCH,
                &loc,
                &[octet, ("content-range", "0-21")],
                one.to_vec(),
            )
            .await;
        assert_eq!(retry.status, 416);
        let status = api.get(&loc).await;
        assert_eq!(status.status, 204);
        assert_eq!(status.header("range"), Some("0-21"));
        assert_eq!(status.header("location"), Some(loc.as_str()));
        let second = api
            .send(
                Method::PATCH,
                &loc,
                &[octet, ("content-range", "22-41")],
                two.to_vec(),
            )
            .await;
        assert_eq!((second.status, second.header("range")), (202, Some("0-41")));
        let digest = Digest::sha256(&data);
        let put = api
            .send(
                Method::PUT,
                &format!("{loc}?digest={digest}"),
                &[("content-length", "0")],
                Bytes::new(),
            )
            .await;
        assert_eq!(put.status, 201);
        assert_eq!(registry.blob("r", &digest).as_deref(), Some(&data[..]));
        let log = registry.requests();
        assert_eq!(log[1].content_range(), Some("22-41"));
        assert_eq!(log[1].status, 416);
    })
    .await;
}

#[tokio::test]
async fn streamed_patch_and_last_chunk_on_put() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let patch = api.send(Method::PATCH, &loc, &[], &b"abc"[..]).await;
        assert_eq!((patch.status, patch.header("range")), (202, Some("0-2")));
        let digest = Digest::sha256(b"abcdef");
        let put = api
            .send(
                Method::PUT,
                &format!("{loc}?digest={digest}"),
                &[("content-range", "3-5")],
                &b"def"[..],
            )
            .await;
        assert_eq!(put.status, 201);
        assert_eq!(registry.blob("r", &digest).unwrap(), "abcdef");
    })
    .await;
}

#[tokio::test]
async fn chunk_length_must_match_its_range() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let reply = api
            .send(
                Method::PATCH,
                &loc,
                &[("content-range", "0-9")],
                &b"short"[..],
            )
            .await;
        assert_eq!((reply.status, reply.code()), (400, "SIZE_INVALID".into()));
        let malformed = api
            .send(
                Method::PATCH,
                &loc,
                &[("content-range", "bytes 0-4")],
                &b"short"[..],
            )
            .await;
        assert_eq!(
            (malformed.status, malformed.code()),
            (400, "BLOB_UPLOAD_INVALID".into())
        );
        assert_eq!(registry.uploads()[0].size, 0);
    })
    .await;
}

#[tokio::test]
async fn upload_cancel_and_unknown_sessions() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        assert_eq!(api.delete(&loc).await.status, 204);
        for reply in [
            api.delete(&loc).await,
            api.get(&loc).await,
            api.send(Method::PATCH, &loc, &[], &b"x"[..]).await,
        ] {
            assert_eq!(
                (reply.status, reply.code()),
                (404, "BLOB_UPLOAD_UNKNOWN".into())
            );
        }
        // A session belongs to its repository.
        let post = api
            .send(Method::POST, "/v2/r/blobs/uploads/", &[], Bytes::new())
            .await;
        let id = post.header("docker-upload-uuid").unwrap();
        assert_eq!(
            api.get(&format!("/v2/other/blobs/uploads/{id}"))
                .await
                .status,
            404
        );
    })
    .await;
}

#[tokio::test]
async fn sha512_blobs_and_manifests() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let data = &b"sha512 content"[..];
        let digest = Digest::compute(Algorithm::Sha512, data);
        let post = api
            .send(
                Method::POST,
                "/v2/r/blobs/uploads/?digest-algorithm=sha512",
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(post.status, 202);
        let put = api
            .send(
                Method::PUT,
                &format!("{}?digest={digest}", post.header("location").unwrap()),
                &[],
                data,
            )
            .await;
        assert_eq!(put.status, 201);
        let get = api.get(&format!("/v2/r/blobs/{digest}")).await;
        assert_eq!(
            get.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );

        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let by_512 = Digest::compute(Algorithm::Sha512, &manifest);
        let reply = api
            .put_manifest(
                "r",
                &by_512.to_string(),
                media_type::IMAGE_MANIFEST,
                &manifest,
            )
            .await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("docker-content-digest"),
            Some(by_512.to_string().as_str())
        );
        assert_eq!(
            api.get(&format!("/v2/r/manifests/{by_512}")).await.body,
            manifest
        );
    })
    .await;
}

#[tokio::test]
async fn large_blob_in_chunks_round_trips() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let data: Vec<u8> = (0..(8 * 1024 * 1024u32)).map(|i| (i % 253) as u8).collect();
        let post = api
            .send(Method::POST, "/v2/big/blobs/uploads/", &[], Bytes::new())
            .await;
        let loc = post.header("location").unwrap().to_owned();
        let chunk = 3 * 1024 * 1024;
        for (i, part) in data.chunks(chunk).enumerate() {
            let first = i * chunk;
            let range = format!("{first}-{}", first + part.len() - 1);
            let reply = api
                .send(
                    Method::PATCH,
                    &loc,
                    &[("content-range", &range)],
                    part.to_vec(),
                )
                .await;
            assert_eq!(reply.status, 202);
            assert_eq!(
                reply.header("range"),
                Some(format!("0-{}", first + part.len() - 1).as_str())
            );
        }
        let digest = Digest::sha256(&data);
        let put = api
            .send(
                Method::PUT,
                &format!("{loc}?digest={digest}"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(put.status, 201);
        let got = api.get(&format!("/v2/big/blobs/{digest}")).await;
        assert_eq!(got.body.len(), data.len());
        assert!(got.body == data);
    })
    .await;
}

#[tokio::test]
async fn mount_from_another_repository() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let digest = registry.put_blob("source", &b"shared"[..]);
        let reply = api
            .send(
                Method::POST,
                &format!("/v2/cross/blobs/uploads/?mount={digest}&from=source"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("location"),
            Some(format!("/v2/cross/blobs/{digest}").as_str())
        );
        assert_eq!(
            reply.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );
        assert_eq!(
            api.get(&format!("/v2/cross/blobs/{digest}")).await.body,
            "shared"
        );

        let missing = Digest::sha256(b"missing");
        let reply = api
            .send(
                Method::POST,
                &format!("/v2/cross/blobs/uploads/?mount={missing}&from=source"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(reply.status, 202);
        assert!(
            reply
                .header("location")
                .unwrap()
                .starts_with("/v2/cross/blobs/uploads/")
        );

        // Without `from` and without automatic mount: a session.
        let reply = api
            .send(
                Method::POST,
                &format!("/v2/third/blobs/uploads/?mount={digest}"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(reply.status, 202);
    })
    .await;
}

#[tokio::test]
async fn mount_switches_off_and_automatic() {
    bounded(async {
        let off = FakeRegistry::start(FakeConfig {
            mount: false,
            ..FakeConfig::default()
        })
        .await;
        let digest = off.put_blob("source", &b"shared"[..]);
        let path = format!("/v2/cross/blobs/uploads/?mount={digest}&from=source");
        let reply = Api::new(&off)
            .send(Method::POST, &path, &[], Bytes::new())
            .await;
        assert_eq!(reply.status, 202);
        assert!(off.blob("cross", &digest).is_none());

        let auto = FakeRegistry::start(FakeConfig {
            automatic_mount: true,
            ..FakeConfig::default()
        })
        .await;
        auto.put_blob("source", &b"shared"[..]);
        let reply = Api::new(&auto)
            .send(
                Method::POST,
                &format!("/v2/cross/blobs/uploads/?mount={digest}"),
                &[],
                Bytes::new(),
            )
            .await;
        assert_eq!(reply.status, 201);
        assert!(auto.blob("cross", &digest).is_some());
    })
    .await;
}
