//! Manifest push validation, pull, tag parameters, deletes and the digest-header switches.

use super::support::*;

#[tokio::test]
async fn manifest_push_and_pull_by_tag_and_digest() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let digest = Digest::sha256(&manifest);
        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.header("location"),
            Some(format!("/v2/r/manifests/{digest}").as_str())
        );
        assert_eq!(
            reply.header("docker-content-digest"),
            Some(digest.to_string().as_str())
        );
        assert_eq!(reply.header("oci-subject"), None);

        for reference in ["v1".to_owned(), digest.to_string()] {
            let path = format!("/v2/r/manifests/{reference}");
            let get = api.get(&path).await;
            assert_eq!(get.status, 200);
            assert_eq!(get.body, manifest);
            assert_eq!(get.header("content-type"), Some(media_type::IMAGE_MANIFEST));
            assert_eq!(
                get.header("docker-content-digest"),
                Some(digest.to_string().as_str())
            );
            let head = api.head(&path).await;
            assert_eq!(head.status, 200);
            assert_eq!(
                head.header("content-length"),
                Some(manifest.len().to_string().as_str())
            );
            assert!(head.body.is_empty());
        }
        let stored = registry.manifest("r", "v1").unwrap();
        assert_eq!(stored.digest, digest);
        assert_eq!(stored.media_type, media_type::IMAGE_MANIFEST);
        assert_eq!(registry.tags("r"), ["v1"]);

        let missing = api.get("/v2/r/manifests/.INVALID_MANIFEST_NAME").await;
        assert_eq!(missing.status, 404);
        let missing = api.get("/v2/r/manifests/nope").await;
        assert_eq!(
            (missing.status, missing.code()),
            (404, "MANIFEST_UNKNOWN".into())
        );
        let wrong = api.get("/v2/r/manifests/sha256:totallywrong").await;
        assert_eq!((wrong.status, wrong.code()), (400, "DIGEST_INVALID".into()));
    })
    .await;
}

#[tokio::test]
async fn manifest_push_is_validated() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let manifest = image(b"{}", &[b"layer"], json!({}));

        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "MANIFEST_BLOB_UNKNOWN".into())
        );

        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_INDEX, &manifest)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "MANIFEST_INVALID".into()),
            "type mismatch"
        );
        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, b"not json")
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "MANIFEST_INVALID".into())
        );
        let reply = api
            .put_manifest("r", "v1", "application/x-custom", b"{}")
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "MANIFEST_INVALID".into())
        );
        let reply = api
            .put_manifest(
                "r",
                &Digest::sha256(b"x").to_string(),
                media_type::IMAGE_MANIFEST,
                &manifest,
            )
            .await;
        assert_eq!((reply.status, reply.code()), (400, "DIGEST_INVALID".into()));
        let reply = api
            .put_manifest(
                "r",
                "sha256:baddigeststring",
                media_type::IMAGE_MANIFEST,
                &manifest,
            )
            .await;
        assert_eq!(reply.status, 400);
        let reply = api
            .put_manifest("r", "-bad-tag", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        assert_eq!(reply.status, 400);

        // A wrong size in a descriptor.
        let mut lying: Value = serde_json::from_slice(&manifest).unwrap();
        lying["layers"][0]["size"] = json!(99);
        let lying = serde_json::to_vec(&lying).unwrap();
        let reply = api
            .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &lying)
            .await;
        assert_eq!(reply.status, 400);

        // An index needs its children.
        let index = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": media_type::IMAGE_INDEX,
            "manifests": [desc(media_type::IMAGE_MANIFEST, &manifest)],
        }))
        .unwrap();
        let reply = api
            .put_manifest("r", "idx", media_type::IMAGE_INDEX, &index)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "MANIFEST_BLOB_UNKNOWN".into())
        );
        assert_eq!(
            api.put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
                .await
                .status,
            201
        );
        assert_eq!(
            api.put_manifest("r", "idx", media_type::IMAGE_INDEX, &index)
                .await
                .status,
            201
        );
        assert!(registry.unexpected_requests().is_empty());
    })
    .await;
}

#[tokio::test]
async fn manifest_size_limit_is_413() {
    bounded(async {
        let strict = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&strict);
        // 4 MiB is accepted (a valid manifest padded with an annotation).
        let base = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let pad = 4 * 1024 * 1024 - base.len() - 40;
        let big = image(
            b"{}",
            &[b"layer"],
            json!({"annotations": {"pad": "x".repeat(pad)}}),
        );
        assert!(big.len() <= 4 * 1024 * 1024);
        assert_eq!(
            api.put_manifest("r", "big", media_type::IMAGE_MANIFEST, &big)
                .await
                .status,
            201
        );
        let too_big = image(
            b"{}",
            &[b"layer"],
            json!({"annotations": {"pad": "x".repeat(4 * 1024 * 1024)}}),
        );
        assert_eq!(
            api.put_manifest("r", "huge", media_type::IMAGE_MANIFEST, &too_big)
                .await
                .status,
            413
        );

        let small = FakeRegistry::start(FakeConfig {
            max_manifest_size: 100,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&small);
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        assert_eq!(
            api.put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
                .await
                .status,
            413
        );
    })
    .await;
}

#[tokio::test]
async fn manifest_blob_check_switch() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig {
            manifest_blob_check: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let manifest = image(b"{}", &[b"layer"], json!({}));
        assert_eq!(
            api.put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
                .await
                .status,
            201
        );
        // Other rules still hold.
        assert_eq!(
            api.put_manifest("r", "v1", media_type::IMAGE_INDEX, &manifest)
                .await
                .status,
            400
        );
    })
    .await;
}

#[tokio::test]
async fn tag_parameters_answer_oci_tag() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let digest = Digest::sha256(&manifest);
        let reply = api
            .put_manifest(
                "r",
                &format!("{digest}?tag=a&tag=b"),
                media_type::IMAGE_MANIFEST,
                &manifest,
            )
            .await;
        assert_eq!(reply.status, 201);
        let tags: Vec<&str> = reply
            .headers
            .get_all("oci-tag")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(tags, ["a", "b"]);
        assert_eq!(registry.tags("r"), ["a", "b"]);
    })
    .await;
}

#[tokio::test]
async fn manifest_delete_by_digest_and_tag() {
    bounded(async {
        let registry = FakeRegistry::start(FakeConfig::default()).await;
        let api = Api::new(&registry);
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        let digest = Digest::sha256(&manifest);
        for tag in ["a", "b", "c"] {
            api.put_manifest("r", tag, media_type::IMAGE_MANIFEST, &manifest)
                .await;
        }
        assert_eq!(api.delete("/v2/r/manifests/a").await.status, 202);
        assert_eq!(registry.tags("r"), ["b", "c"]);
        assert_eq!(api.get("/v2/r/manifests/a").await.status, 404);
        assert_eq!(
            api.get(&format!("/v2/r/manifests/{digest}")).await.status,
            200
        );
        assert_eq!(
            api.delete(&format!("/v2/r/manifests/{digest}"))
                .await
                .status,
            202
        );
        assert!(registry.tags("r").is_empty(), "tags go with the manifest");
        assert_eq!(
            api.get(&format!("/v2/r/manifests/{digest}")).await.status,
            404
        );
        let again = api.delete(&format!("/v2/r/manifests/{digest}")).await;
        assert_eq!(
            (again.status, again.code()),
            (404, "MANIFEST_UNKNOWN".into())
        );
    })
    .await;
}

#[tokio::test]
async fn delete_switches() {
    bounded(async {
        for (tag_delete, status) in [
            (TagDelete::RefuseBadRequest, 400),
            (TagDelete::RefuseMethodNotAllowed, 405),
        ] {
            let registry = FakeRegistry::start(FakeConfig {
                tag_delete,
                ..FakeConfig::default()
            })
            .await;
            let api = Api::new(&registry);
            let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
            api.put_manifest("r", "t", media_type::IMAGE_MANIFEST, &manifest)
                .await;
            let reply = api.delete("/v2/r/manifests/t").await;
            assert_eq!((reply.status, reply.code()), (status, "UNSUPPORTED".into()));
            assert_eq!(registry.tags("r"), ["t"]);
            // Deleting by digest still works.
            let digest = Digest::sha256(&manifest);
            assert_eq!(
                api.delete(&format!("/v2/r/manifests/{digest}"))
                    .await
                    .status,
                202
            );
        }

        let registry = FakeRegistry::start(FakeConfig {
            manifest_delete: false,
            blob_delete: false,
            ..FakeConfig::default()
        })
        .await;
        let api = Api::new(&registry);
        let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
        api.put_manifest("r", "t", media_type::IMAGE_MANIFEST, &manifest)
            .await;
        let reply = api
            .delete(&format!("/v2/r/manifests/{}", Digest::sha256(&manifest)))
            .await;
        assert_eq!((reply.status, reply.code()), (405, "UNSUPPORTED".into()));
        let reply = api
            .delete(&format!("/v2/r/blobs/{}", Digest::sha256(b"layer")))
            .await;
        assert_eq!((reply.status, reply.code()), (405, "UNSUPPORTED".into()));
        assert_eq!(
            api.delete("/v2/r/manifests/t").await.status,
            202,
            "tag deletes are separate"
        );
    })
    .await;
}

#[tokio::test]
async fn digest_header_switches_touch_only_their_kind() {
    bounded(async {
        for (blob_mode, manifest_mode) in [
            (DigestHeader::Wrong, DigestHeader::Correct),
            (DigestHeader::Missing, DigestHeader::Correct),
            (DigestHeader::Correct, DigestHeader::Wrong),
            (DigestHeader::Correct, DigestHeader::Missing),
        ] {
            let registry = FakeRegistry::start(FakeConfig {
                blob_digest_header: blob_mode,
                manifest_digest_header: manifest_mode,
                ..FakeConfig::default()
            })
            .await;
            let api = Api::new(&registry);
            let manifest = image_with_blobs(&api, "r", b"layer", json!({})).await;
            let put = api
                .put_manifest("r", "v1", media_type::IMAGE_MANIFEST, &manifest)
                .await;
            let manifest_digest = Digest::sha256(&manifest).to_string();
            assert_eq!(
                put.header("docker-content-digest"),
                Some(manifest_digest.as_str()),
                "PUT untouched"
            );
            let blob_digest = Digest::sha256(b"layer").to_string();
            let check = |reply: &Reply, mode: DigestHeader, truth: &str| match mode {
                DigestHeader::Correct => {
                    assert_eq!(reply.header("docker-content-digest"), Some(truth))
                }
                DigestHeader::Missing => assert_eq!(reply.header("docker-content-digest"), None),
                DigestHeader::Wrong => {
                    let lie = reply.header("docker-content-digest").unwrap();
                    assert_ne!(lie, truth);
                    assert!(lie.parse::<Digest>().is_ok());
                }
            };
            for reply in [
                api.get(&format!("/v2/r/blobs/{blob_digest}")).await,
                api.head(&format!("/v2/r/blobs/{blob_digest}")).await,
            ] {
                check(&reply, blob_mode, &blob_digest);
            }
            for reply in [
                api.get("/v2/r/manifests/v1").await,
                api.head("/v2/r/manifests/v1").await,
            ] {
                check(&reply, manifest_mode, &manifest_digest);
            }
        }
    })
    .await;
}
