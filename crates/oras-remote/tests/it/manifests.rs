//! Manifests: resolve, fetch, push, delete, tag; the Docker-Content-Digest
//! and Content-Length rules as a truth table.

use http::Method;
use oras_content::{
    Deleter, ErrorKind, Fetcher, Pusher, ReadOnlyStorage, ReferenceFetcher, ReferencePusher,
    Resolver, Tagger, bytes_reader, fetch_all,
};
use oras_spec::{Descriptor, Digest, Index, Parsed, media_type};

use crate::support::{Finish, Script, bounded, resp};

fn index_bytes() -> (Descriptor, Vec<u8>) {
    let parsed = Parsed::from_value(Index::new(Vec::new()));
    let desc = parsed.descriptor(media_type::IMAGE_INDEX);
    (desc, parsed.bytes().to_vec())
}

/// One row of the truth table: request kind, header, expected outcome.
struct Row {
    method: Method,
    by_digest: bool,
    header: Option<String>,
    ok: bool,
}

#[tokio::test]
async fn docker_content_digest_truth_table() {
    let (desc, bytes) = index_bytes();
    let other = Digest::sha256(b"other").to_string();
    let right = desc.digest.to_string();
    let rows = [
        // HEAD by tag: the header is required and trusted.
        Row {
            method: Method::HEAD,
            by_digest: false,
            header: None,
            ok: false,
        },
        Row {
            method: Method::HEAD,
            by_digest: false,
            header: Some(right.clone()),
            ok: true,
        },
        Row {
            method: Method::HEAD,
            by_digest: false,
            header: Some("sha256:zz".into()),
            ok: false,
        },
        // HEAD by digest: absent is fine, different or invalid is not.
        Row {
            method: Method::HEAD,
            by_digest: true,
            header: None,
            ok: true,
        },
        Row {
            method: Method::HEAD,
            by_digest: true,
            header: Some(right.clone()),
            ok: true,
        },
        Row {
            method: Method::HEAD,
            by_digest: true,
            header: Some(other.clone()),
            ok: false,
        },
        Row {
            method: Method::HEAD,
            by_digest: true,
            header: Some("garbage".into()),
            ok: false,
        },
        // GET by tag: absent means hash the body.
        Row {
            method: Method::GET,
            by_digest: false,
            header: None,
            ok: true,
        },
        Row {
            method: Method::GET,
            by_digest: false,
            header: Some(right.clone()),
            ok: true,
        },
        // A header that does not match the body fails verification.
        Row {
            method: Method::GET,
            by_digest: false,
            header: Some(other.clone()),
            ok: false,
        },
        // GET by digest.
        Row {
            method: Method::GET,
            by_digest: true,
            header: None,
            ok: true,
        },
        Row {
            method: Method::GET,
            by_digest: true,
            header: Some(other.clone()),
            ok: false,
        },
    ];
    for (i, row) in rows.iter().enumerate() {
        let script = Script::new();
        let reference = if row.by_digest {
            right.clone()
        } else {
            "v1".to_owned()
        };
        let path = format!("/v2/app/manifests/{reference}");
        let header = row.header.clone();
        let body = bytes.clone();
        script.expect(row.method.clone(), &path, move |seen| {
            let mut r = resp(200)
                .header("content-type", media_type::IMAGE_INDEX)
                .header("content-length", body.len());
            if let Some(h) = &header {
                r = r.header("docker-content-digest", h.as_str());
            }
            if seen.method == Method::HEAD {
                r.empty()
            } else {
                r.body_bytes(body.clone())
            }
        });
        let repo = script.repository("app");
        let result = bounded(async {
            if row.method == Method::HEAD {
                repo.resolve(&reference).await
            } else {
                repo.fetch_reference(&reference).await.map(|(d, _)| d)
            }
        })
        .await;
        assert_eq!(result.is_ok(), row.ok, "row {i}: {result:?}");
        if let Ok(got) = result {
            assert_eq!(got.digest, desc.digest, "row {i}");
            assert_eq!(got.size, desc.size, "row {i}");
            assert_eq!(got.media_type, media_type::IMAGE_INDEX, "row {i}");
        }
        script.finish();
    }
}

#[tokio::test]
async fn resolve_sends_the_default_accept_list_and_needs_content_length() {
    let (desc, _) = index_bytes();
    let script = Script::new();
    let digest = desc.digest.to_string();
    script.expect(Method::HEAD, "/v2/app/manifests/v1", move |seen| {
        assert_eq!(
            seen.header("accept").unwrap(),
            media_type::DEFAULT_MANIFEST_ACCEPT.join(", ")
        );
        assert_eq!(seen.scopes, vec!["repository:app:pull".to_owned()]);
        resp(200)
            .header("content-type", media_type::IMAGE_INDEX)
            .header("docker-content-digest", digest.as_str())
            .empty()
    });
    let err = bounded(script.repository("app").resolve("v1"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Content-Length"), "{err}");
    script.finish();
}

#[tokio::test]
async fn fetch_by_descriptor_checks_type_length_and_digest() {
    let (desc, bytes) = index_bytes();
    let path = format!("/v2/app/manifests/{}", desc.digest);
    // The right answer.
    let script = Script::new();
    let body = bytes.clone();
    script.expect(Method::GET, &path, move |seen| {
        assert_eq!(seen.header("accept").unwrap(), media_type::IMAGE_INDEX);
        resp(200)
            .header("content-type", media_type::IMAGE_INDEX)
            .body_bytes(body.clone())
    });
    let repo = script.repository("app");
    assert_eq!(
        bounded(fetch_all(&repo, &desc, 1 << 20)).await.unwrap(),
        bytes
    );
    script.finish();

    // Another content type.
    let script = Script::new();
    let body = bytes.clone();
    script.expect(Method::GET, &path, move |_| {
        resp(200)
            .header("content-type", media_type::IMAGE_MANIFEST)
            .body_bytes(body.clone())
    });
    let err = bounded(script.repository("app").fetch(&desc))
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::InvalidMediaType, "{err}");

    // Other bytes of the same length.
    let script = Script::new();
    let mut wrong = bytes.clone();
    wrong[0] = b' ';
    script.expect(Method::GET, &path, move |_| {
        resp(200)
            .header("content-type", media_type::IMAGE_INDEX)
            .body_bytes(wrong.clone())
    });
    let err = bounded(script.repository("app").fetch(&desc))
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");

    // A declared length that is not the descriptor's.
    let script = Script::new();
    let body = bytes.clone();
    script.expect(Method::GET, &path, move |_| {
        resp(200)
            .header("content-type", media_type::IMAGE_INDEX)
            .header("content-length", body.len() + 1)
            .body_bytes(body.clone())
    });
    let err = bounded(script.repository("app").fetch(&desc))
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::SizeMismatch, "{err}");
}

#[tokio::test]
async fn manifests_over_4_mib_are_refused_before_reading() {
    let script = Script::new();
    let mut big = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"x");
    big.size = 4 * 1024 * 1024 + 1;
    let err = bounded(script.repository("app").fetch(&big))
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit);
    // By reference, a declared length over the cap is refused too.
    script.expect(Method::GET, "/v2/app/manifests/v1", |_| {
        resp(200)
            .header("content-type", media_type::IMAGE_MANIFEST)
            .header("content-length", 5 * 1024 * 1024)
            .empty()
    });
    let err = bounded(script.repository("app").fetch_reference("v1"))
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit, "{err}");
    script.finish();
}

#[tokio::test]
async fn push_needs_201_and_verifies_the_digest_header() {
    let (desc, bytes) = index_bytes();
    let path = format!("/v2/app/manifests/{}", desc.digest);
    let script = Script::new();
    let (want, digest) = (bytes.clone(), desc.digest.to_string());
    script.expect(Method::PUT, &path, move |seen| {
        assert_eq!(seen.body, want);
        assert_eq!(
            seen.header("content-type").unwrap(),
            media_type::IMAGE_INDEX
        );
        assert_eq!(
            seen.header("content-length").unwrap(),
            want.len().to_string()
        );
        assert_eq!(seen.scopes, vec!["repository:app:pull,push".to_owned()]);
        resp(201)
            .header("docker-content-digest", digest.as_str())
            .empty()
    });
    script.expect(Method::PUT, "/v2/app/manifests/v2", |_| resp(200).empty());
    script.expect(Method::PUT, "/v2/app/manifests/v3", |_| {
        resp(201)
            .header("docker-content-digest", Digest::sha256(b"x").to_string())
            .empty()
    });
    let repo = script.repository("app");
    bounded(repo.push(&desc, bytes_reader(bytes.clone())))
        .await
        .unwrap();
    let err = bounded(repo.push_reference(&desc, bytes_reader(bytes.clone()), "v2"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("200"), "{err}");
    let err = bounded(repo.push_reference(&desc, bytes_reader(bytes.clone()), "v3"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch);
    // Content that does not match is refused before any request.
    let err = bounded(repo.push(&desc, bytes_reader(&b"{}"[..])))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SizeMismatch);
    script.finish();
}

#[tokio::test]
async fn delete_needs_202_and_maps_404() {
    let (desc, _) = index_bytes();
    let blob = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"layer");
    let script = Script::new();
    script.expect(
        Method::DELETE,
        &format!("/v2/app/manifests/{}", desc.digest),
        |seen| {
            assert_eq!(seen.scopes, vec!["repository:app:delete".to_owned()]);
            resp(202).empty()
        },
    );
    script.expect(
        Method::DELETE,
        &format!("/v2/app/blobs/{}", blob.digest),
        |_| {
            resp(404).body_bytes(
                r#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#,
            )
        },
    );
    let repo = script.repository("app");
    repo.set_referrers_capability(true).unwrap();
    bounded(repo.delete(&desc)).await.unwrap();
    let err = bounded(repo.delete(&blob)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // oras-go: any 404 is `<digest>: not found`, without the body.
    assert_eq!(err.to_string(), format!("{}: not found", blob.digest));
    script.finish();
}

#[tokio::test]
async fn tag_fetches_then_puts_under_the_tag_and_exists_uses_head() {
    let (desc, bytes) = index_bytes();
    let script = Script::new();
    let body = bytes.clone();
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{}", desc.digest),
        move |_| {
            resp(200)
                .header("content-type", media_type::IMAGE_INDEX)
                .body_bytes(body.clone())
        },
    );
    let want = bytes.clone();
    script.expect(Method::PUT, "/v2/app/manifests/latest", move |seen| {
        assert_eq!(seen.body, want);
        resp(201).empty()
    });
    script.expect(
        Method::HEAD,
        &format!("/v2/app/manifests/{}", desc.digest),
        |_| resp(404).empty(),
    );
    let repo = script.repository("app");
    bounded(repo.tag(&desc, "latest")).await.unwrap();
    assert!(!bounded(repo.exists(&desc)).await.unwrap());
    let blob = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"x");
    let err = bounded(repo.tag(&blob, "x")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    script.finish();
}

/// oras-go answers every 404 of a manifest or blob request with
/// `errdef.ErrNotFound` named by the full reference (resolve, fetch by
/// reference, blob resolve) or the digest (fetch of a descriptor), never
/// with the registry's body.
#[tokio::test]
async fn a_404_is_not_found_named_by_reference_or_digest() {
    let script = Script::new();
    let body = r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"v1"}}]}"#;
    script.expect(Method::HEAD, "/v2/app/manifests/v1", move |_| {
        resp(404).body_bytes(body)
    });
    script.expect(Method::GET, "/v2/app/manifests/v1", move |_| {
        resp(404).body_bytes(body)
    });
    let digest = Digest::sha256(b"x");
    let blob = Descriptor::new("application/octet-stream", digest.clone(), 1);
    script.expect(Method::HEAD, &format!("/v2/app/blobs/{digest}"), |_| {
        resp(404).empty()
    });
    script.expect(Method::GET, &format!("/v2/app/blobs/{digest}"), |_| {
        resp(404).empty()
    });
    let repo = script.repository("app");
    let host = repo.registry().to_owned();
    let err = bounded(repo.resolve("v1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.to_string(), format!("{host}/app:v1: not found"));
    let err = bounded(repo.fetch_reference("v1")).await.unwrap_err();
    assert_eq!(err.to_string(), format!("{host}/app:v1: not found"));
    let err = bounded(repo.resolve_blob(&digest)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.to_string(), format!("{host}/app@{digest}: not found"));
    let err = bounded(repo.fetch(&blob)).await.err().unwrap();
    assert_eq!(err.to_string(), format!("{digest}: not found"));
    script.finish();
}
