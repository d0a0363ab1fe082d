//! Blobs: resolve, fetch checks, monolithic and chunked uploads, resume
//! of a chunked upload, mount.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::Method;
use oras_content::{ErrorKind, Fetcher, Mounter, Pusher, ReadOnlyStorage, bytes_reader, fetch_all};
use oras_remote::RepositoryOptions;
use oras_spec::{Descriptor, media_type};

use crate::support::{Finish, Script, bounded, resp};

fn blob(data: &[u8]) -> Descriptor {
    Descriptor::from_bytes(media_type::IMAGE_LAYER, data)
}

fn chunked_repo(script: &Script, chunk: u64) -> oras_remote::Repository {
    let registry = oras_remote::Registry::with_config("r.example", script.config())
        .unwrap()
        .with_options(RepositoryOptions {
            chunk_size: chunk,
            force_chunked: true,
            ..RepositoryOptions::default()
        });
    registry.repository("app").unwrap()
}

#[tokio::test]
async fn exists_and_fetch_check_length_and_digest() {
    let desc = blob(b"hello");
    let path = format!("/v2/app/blobs/{}", desc.digest);
    let script = Script::new();
    script.expect(Method::HEAD, &path, |_| {
        resp(200).header("content-length", 5).empty()
    });
    script.expect(Method::HEAD, &path, |_| resp(404).empty());
    script.expect(Method::GET, &path, |_| resp(200).body_bytes("hello"));
    script.expect(Method::GET, &path, |_| {
        resp(200).header("content-length", 6).body_bytes("hello!")
    });
    let wrong = oras_spec::Digest::sha256(b"x").to_string();
    script.expect(Method::GET, &path, move |_| {
        resp(200)
            .header("docker-content-digest", wrong.as_str())
            .body_bytes("hello")
    });
    script.expect(Method::GET, &path, |_| resp(200).body_bytes("jello"));
    let repo = script.repository("app");
    assert!(bounded(repo.exists(&desc)).await.unwrap());
    assert!(!bounded(repo.exists(&desc)).await.unwrap());
    assert_eq!(
        bounded(fetch_all(&repo, &desc, 100)).await.unwrap(),
        b"hello"
    );
    let err = bounded(repo.fetch(&desc)).await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::SizeMismatch, "{err}");
    let err = bounded(repo.fetch(&desc)).await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");
    // Wrong bytes: the reader never ends successfully.
    let err = bounded(fetch_all(&repo, &desc, 100)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");
    script.finish();
}

#[tokio::test]
async fn monolithic_push_posts_then_puts_with_the_digest() {
    let desc = blob(b"hello world");
    let script = Script::new();
    script.expect(Method::POST, "/v2/app/blobs/uploads/", |seen| {
        assert_eq!(seen.header("content-length"), Some("0"));
        assert_eq!(seen.scopes, vec!["repository:app:pull,push".to_owned()]);
        // A relative Location with its own query, reused as given.
        resp(202)
            .header("location", "/v2/app/blobs/uploads/u1?_state=abc")
            .empty()
    });
    let query =
        format!("/v2/app/blobs/uploads/u1?_state=abc&digest={}", desc.digest).replace(':', "%3A");
    script.expect(Method::PUT, &query, |seen| {
        assert_eq!(seen.body, "hello world");
        assert_eq!(seen.header("content-length"), Some("11"));
        assert_eq!(seen.header("content-type"), Some(media_type::OCTET_STREAM));
        resp(201).empty()
    });
    bounded(
        script
            .repository("app")
            .push(&desc, bytes_reader(&b"hello world"[..])),
    )
    .await
    .unwrap();
    script.finish();
}

#[tokio::test]
async fn a_streamed_push_of_wrong_content_is_refused_by_the_registry() {
    // Over 4 MiB, so the body streams rather than being read first. The
    // client does not hash what it uploads: the registry checks
    // `?digest=` and its DIGEST_INVALID is a digest mismatch.
    let data = vec![7u8; 5 * 1024 * 1024];
    let desc = blob(&data);
    let mut wrong = data.clone();
    *wrong.last_mut().unwrap() = 8;
    let script = Script::new();
    script.expect(Method::POST, "/v2/app/blobs/uploads/", |_| {
        resp(202)
            .header("location", "https://r.example/upload/1")
            .empty()
    });
    let query = format!("/upload/1?digest={}", desc.digest).replace(':', "%3A");
    script.expect(Method::PUT, &query, |seen| {
        assert_eq!(seen.body.len(), 5 * 1024 * 1024);
        resp(400).body_bytes(r#"{"errors":[{"code":"DIGEST_INVALID","message":"no"}]}"#)
    });
    let err = bounded(script.repository("app").push(&desc, bytes_reader(wrong)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");
    script.finish();
}

#[tokio::test]
async fn a_verifying_source_of_wrong_content_never_completes_its_upload() {
    // A blob fetched from another registry verifies itself: its mismatch
    // surfaces before the last byte is sent, so the registry never
    // commits it.
    let data = vec![7u8; 5 * 1024 * 1024];
    let desc = blob(&data);
    let mut wrong = data.clone();
    *wrong.last_mut().unwrap() = 8;
    let script = Script::new();
    script.expect(Method::POST, "/v2/app/blobs/uploads/", |_| {
        resp(202)
            .header("location", "https://r.example/upload/1")
            .empty()
    });
    let source = bytes_reader(wrong).verified(&desc);
    let err = bounded(script.repository("app").push(&desc, source))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");
    assert!(
        script
            .seen()
            .iter()
            .all(|s| s.method != Method::PUT || s.body.len() < data.len())
    );
}

#[tokio::test]
async fn chunked_push_honours_the_minimum_chunk_length() {
    let data: Vec<u8> = (0..100u8).collect();
    let desc = blob(&data);
    let script = Script::new();
    script.expect(Method::POST, "/v2/app/blobs/uploads/", |_| {
        resp(202)
            .header("location", "/upload/1")
            .header("oci-chunk-min-length", 40)
            .empty()
    });
    for (i, (start, end)) in [(0, 39), (40, 79), (80, 99)].into_iter().enumerate() {
        let want = data[start..=end].to_vec();
        script.expect(Method::PATCH, &format!("/upload/{}", i + 1), move |seen| {
            assert_eq!(
                seen.header("content-range").unwrap(),
                format!("{start}-{end}")
            );
            assert_eq!(
                seen.header("content-length").unwrap(),
                want.len().to_string()
            );
            assert_eq!(seen.header("content-type"), Some(media_type::OCTET_STREAM));
            assert_eq!(seen.body, want);
            resp(202)
                .header("location", format!("/upload/{}", i + 2))
                .header("range", format!("0-{end}"))
                .empty()
        });
    }
    script.expect(Method::PUT, "/upload/4", |seen| {
        assert!(seen.body.is_empty());
        assert!(seen.uri.query().unwrap().starts_with("digest=sha256"));
        resp(201).empty()
    });
    bounded(chunked_repo(&script, 10).push(&desc, bytes_reader(data.clone())))
        .await
        .unwrap();
    script.finish();
}

#[tokio::test]
async fn an_interrupted_chunked_upload_resumes_from_the_registry_range() {
    let data: Vec<u8> = (0..30u8).collect();
    let desc = blob(&data);
    let opens = Arc::new(AtomicUsize::new(0));
    struct Counting(Bytes, Arc<AtomicUsize>);
    #[async_trait::async_trait]
    impl oras_remote::BlobSource for Counting {
        async fn open(&self) -> oras_content::Result<oras_content::BlobReader> {
            self.1.fetch_add(1, Ordering::SeqCst);
            Ok(bytes_reader(self.0.clone()))
        }
    }
    let script = Script::new();
    script.expect(Method::POST, "/v2/app/blobs/uploads/", |_| {
        resp(202).header("location", "/upload/a").empty()
    });
    script.expect(Method::PATCH, "/upload/a", |_| {
        resp(202)
            .header("location", "/upload/b")
            .header("range", "0-9")
            .empty()
    });
    // The second chunk fails; the registry kept 5 of its bytes.
    script.expect(Method::PATCH, "/upload/b", |_| resp(500).empty());
    script.expect(Method::GET, "/upload/b", |_| {
        resp(204)
            .header("location", "/upload/c")
            .header("range", "0-14")
            .empty()
    });
    let tail = data.clone();
    script.expect(Method::PATCH, "/upload/c", move |seen| {
        assert_eq!(seen.header("content-range").unwrap(), "15-24");
        assert_eq!(seen.body, tail[15..25]);
        resp(202).header("location", "/upload/d").empty()
    });
    script.expect(Method::PATCH, "/upload/d", |seen| {
        assert_eq!(seen.header("content-range").unwrap(), "25-29");
        resp(202).header("location", "/upload/e").empty()
    });
    script.expect(Method::PUT, "/upload/e", |_| resp(201).empty());
    let source = Counting(Bytes::from(data.clone()), opens.clone());
    bounded(chunked_repo(&script, 10).push_from(&desc, &source))
        .await
        .unwrap();
    // The source was reopened once, and only from the offset on was sent.
    assert_eq!(opens.load(Ordering::SeqCst), 2);
    script.finish();
}

#[tokio::test]
async fn a_one_shot_reader_resumes_only_when_the_registry_has_what_was_sent() {
    let data: Vec<u8> = (0..20u8).collect();
    let desc = blob(&data);
    let script = Script::new();
    script.expect(Method::POST, "/v2/app/blobs/uploads/", |_| {
        resp(202).header("location", "/upload/a").empty()
    });
    // The answer was lost, but the registry has all ten bytes.
    script.expect(Method::PATCH, "/upload/a", |_| resp(503).empty());
    script.expect(Method::GET, "/upload/a", |_| {
        resp(204).header("range", "0-9").empty()
    });
    script.expect(Method::PATCH, "/upload/a", |seen| {
        assert_eq!(seen.header("content-range").unwrap(), "10-19");
        resp(202).empty()
    });
    script.expect(Method::PUT, "/upload/a", |_| resp(201).empty());
    bounded(chunked_repo(&script, 10).push(&desc, bytes_reader(data.clone())))
        .await
        .unwrap();
    script.finish();

    // The registry lost the chunk: a one-shot reader cannot go back.
    let script = Script::new();
    script.expect(Method::POST, "/v2/app/blobs/uploads/", |_| {
        resp(202).header("location", "/upload/a").empty()
    });
    script.expect(Method::PATCH, "/upload/a", |_| resp(503).empty());
    script.expect(Method::GET, "/upload/a", |_| {
        resp(204).header("range", "0-4").empty()
    });
    let err = bounded(chunked_repo(&script, 10).push(&desc, bytes_reader(data)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("503"), "{err}");
    script.finish();
}

#[tokio::test]
async fn an_upload_range_beyond_what_was_sent_or_malformed_is_an_error() {
    let data: Vec<u8> = (0..20u8).collect();
    let desc = blob(&data);
    for (range, expected) in [
        // More than the blob: skipping to it once looped for ever.
        (
            "0-99",
            "registry claims 100 bytes of the upload, only 10 were sent",
        ),
        (
            "0-14",
            "registry claims 15 bytes of the upload, only 10 were sent",
        ),
        ("0-18446744073709551615", "end overflows"),
        ("0-99999999999999999999", "end is not a number"),
        ("3-9", "does not start at 0"),
        ("garbage", "not <start>-<end>"),
    ] {
        let script = Script::new();
        script.expect(Method::POST, "/v2/app/blobs/uploads/", |_| {
            resp(202).header("location", "/upload/a").empty()
        });
        script.expect(Method::PATCH, "/upload/a", |_| resp(503).empty());
        script.expect(Method::GET, "/upload/a", move |_| {
            resp(204).header("range", range).empty()
        });
        let err = bounded(chunked_repo(&script, 10).push(&desc, bytes_reader(data.clone())))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidContent, "{range}: {err}");
        assert!(err.to_string().contains(expected), "{range}: {err}");
        script.finish();
    }
}

#[tokio::test]
async fn mount_201_mounts_and_202_cancels_the_session() {
    let desc = blob(b"shared");
    let script = Script::new();
    let target = format!(
        "/v2/app/blobs/uploads/?mount={}&from=lib%2Fbase",
        desc.digest
    )
    .replace("mount=sha256:", "mount=sha256%3A");
    script.expect(Method::POST, &target, |seen| {
        assert_eq!(
            seen.scopes,
            vec![
                "repository:app:pull,push".to_owned(),
                "repository:lib/base:pull".to_owned()
            ]
        );
        resp(201).empty()
    });
    script.expect(Method::POST, &target, |_| {
        resp(202).header("location", "/upload/x").empty()
    });
    script.expect(Method::DELETE, "/upload/x", |_| resp(204).empty());
    script.expect(Method::POST, &target, |_| {
        resp(403).body_bytes(r#"{"errors":[{"code":"DENIED","message":"no"}]}"#)
    });
    let repo = script.repository("app");
    assert!(bounded(repo.mount(&desc, "lib/base")).await.unwrap());
    assert!(!bounded(repo.mount(&desc, "lib/base")).await.unwrap());
    let err = bounded(repo.mount(&desc, "lib/base")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Denied);
    script.finish();
}
