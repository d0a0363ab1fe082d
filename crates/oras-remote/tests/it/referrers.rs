//! Referrers: the API, detection and fallback to the tag schema, filters,
//! the tag-schema index update on push and delete, and the capability.

use std::collections::BTreeMap;

use http::Method;
use oras_content::{Deleter, ErrorKind, PredecessorFinder, Pusher, ReferrerLister, bytes_reader};
use oras_remote::{Registry, RepositoryOptions};
use oras_spec::{Descriptor, Digest, Index, Manifest, Parsed, media_type};

use crate::support::{Finish, Script, bounded, resp};

fn subject() -> Descriptor {
    Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"subject")
}

fn referrer(artifact_type: &str) -> Descriptor {
    let mut d = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, artifact_type.as_bytes());
    d.artifact_type = artifact_type.to_owned();
    d
}

fn index_json(manifests: Vec<Descriptor>) -> Vec<u8> {
    Parsed::from_value(Index::new(manifests)).bytes().to_vec()
}

/// A manifest with `subject`, its descriptor and bytes.
fn signature(subject: &Descriptor) -> (Descriptor, Vec<u8>, Descriptor) {
    let mut annotations = BTreeMap::new();
    annotations.insert("k".to_owned(), "v".to_owned());
    let manifest = Parsed::from_value(Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.into(),
        artifact_type: "application/vnd.example.sig".into(),
        config: Descriptor::empty_json(),
        layers: vec![Descriptor::empty_json()],
        subject: Some(subject.clone()),
        annotations: annotations.clone(),
    });
    let desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
    let mut entry = desc.clone();
    entry.artifact_type = "application/vnd.example.sig".into();
    entry.annotations = annotations;
    (desc, manifest.bytes().to_vec(), entry)
}

fn tag_of(subject: &Descriptor) -> String {
    format!("sha256-{}", subject.digest.encoded())
}

#[tokio::test]
async fn the_api_is_used_and_detected_with_client_side_filtering() {
    let s = subject();
    let (a, b) = (referrer("x/a"), referrer("x/b"));
    let script = Script::new();
    let path = format!("/v2/app/referrers/{}", s.digest);
    let body = index_json(vec![a.clone(), b.clone()]);
    script.expect(
        Method::GET,
        &format!("{path}?artifactType=x%2Fa"),
        move |_| {
            // The registry ignored the filter: the client filters.
            resp(200)
                .header("content-type", media_type::IMAGE_INDEX)
                .body_bytes(body.clone())
        },
    );
    let body = index_json(vec![a.clone(), b.clone()]);
    script.expect(
        Method::GET,
        &format!("{path}?artifactType=x%2Fa"),
        move |_| {
            // The registry says it filtered: its answer is kept as is.
            resp(200)
                .header("content-type", media_type::IMAGE_INDEX)
                .header("oci-filters-applied", "artifactType")
                .body_bytes(body.clone())
        },
    );
    let repo = script.repository("app");
    assert_eq!(
        bounded(repo.referrers(&s, Some("x/a"))).await.unwrap(),
        vec![a.clone()]
    );
    assert_eq!(repo.referrers_capability(), Some(true));
    assert_eq!(
        bounded(repo.referrers(&s, Some("x/a")))
            .await
            .unwrap()
            .len(),
        2
    );
    script.finish();
}

#[tokio::test]
async fn a_plain_404_falls_back_to_the_tag_schema() {
    let s = subject();
    let a = referrer("x/a");
    let script = Script::new();
    script.expect(
        Method::GET,
        &format!("/v2/app/referrers/{}", s.digest),
        |_| resp(404).body_bytes("404 page not found"),
    );
    let body = index_json(vec![a.clone()]);
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{}", tag_of(&s)),
        move |_| {
            resp(200)
                .header("content-type", media_type::IMAGE_INDEX)
                .body_bytes(body.clone())
        },
    );
    // Now known unsupported: straight to the tag, which may be missing.
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{}", tag_of(&s)),
        |_| resp(404).body_bytes(r#"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#),
    );
    let repo = script.repository("app");
    assert_eq!(bounded(repo.predecessors(&s)).await.unwrap(), vec![a]);
    assert_eq!(repo.referrers_capability(), Some(false));
    assert!(bounded(repo.referrers(&s, None)).await.unwrap().is_empty());
    script.finish();
}

#[tokio::test]
async fn a_wrong_content_type_means_unsupported_and_name_unknown_is_an_error() {
    let s = subject();
    let script = Script::new();
    let path = format!("/v2/app/referrers/{}", s.digest);
    script.expect(Method::GET, &path, |_| {
        resp(404).body_bytes(r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}"#)
    });
    script.expect(Method::GET, &path, |_| {
        resp(200)
            .header("content-type", "text/html")
            .body_bytes("<html>")
    });
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{}", tag_of(&s)),
        |_| resp(404).empty(),
    );
    let repo = script.repository("app");
    let err = bounded(repo.referrers(&s, None)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        repo.referrers_capability(),
        None,
        "undetermined after NAME_UNKNOWN"
    );
    assert!(bounded(repo.referrers(&s, None)).await.unwrap().is_empty());
    assert_eq!(repo.referrers_capability(), Some(false));
    script.finish();
}

#[tokio::test]
async fn pushing_a_referrer_updates_the_tag_schema_index_and_deletes_the_old_one() {
    let s = subject();
    let (desc, bytes, entry) = signature(&s);
    let old_entry = referrer("x/old");
    let old_index = index_json(vec![old_entry.clone()]);
    let old_digest = Digest::sha256(&old_index);
    let tag = tag_of(&s);
    let script = Script::new();
    script.expect(
        Method::PUT,
        &format!("/v2/app/manifests/{}", desc.digest),
        |_| resp(201).empty(),
    );
    let served = old_index.clone();
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{tag}"),
        move |_| {
            resp(200)
                .header("content-type", media_type::IMAGE_INDEX)
                .body_bytes(served.clone())
        },
    );
    let want = index_json(vec![old_entry.clone(), entry.clone()]);
    script.expect(
        Method::PUT,
        &format!("/v2/app/manifests/{tag}"),
        move |seen| {
            assert_eq!(seen.header("content-type"), Some(media_type::IMAGE_INDEX));
            assert_eq!(seen.body, want, "{}", String::from_utf8_lossy(&seen.body));
            resp(201).empty()
        },
    );
    script.expect(
        Method::DELETE,
        &format!("/v2/app/manifests/{old_digest}"),
        |_| resp(202).empty(),
    );
    let repo = script.repository("app");
    bounded(repo.push(&desc, bytes_reader(bytes)))
        .await
        .unwrap();
    assert_eq!(repo.referrers_capability(), Some(false));
    script.finish();
}

#[tokio::test]
async fn the_first_referrer_creates_an_index_and_gc_can_be_skipped() {
    let s = subject();
    let (desc, bytes, entry) = signature(&s);
    let tag = tag_of(&s);
    let script = Script::new();
    script.expect(
        Method::PUT,
        &format!("/v2/app/manifests/{}", desc.digest),
        |_| resp(201).empty(),
    );
    script.expect(Method::GET, &format!("/v2/app/manifests/{tag}"), |_| {
        resp(404).empty()
    });
    let want = index_json(vec![entry.clone()]);
    script.expect(
        Method::PUT,
        &format!("/v2/app/manifests/{tag}"),
        move |seen| {
            assert_eq!(seen.body, want);
            resp(201).empty()
        },
    );
    // Pushing it again changes nothing.
    script.expect(
        Method::PUT,
        &format!("/v2/app/manifests/{}", desc.digest),
        |_| resp(201).empty(),
    );
    let current = index_json(vec![entry.clone()]);
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{tag}"),
        move |_| {
            resp(200)
                .header("content-type", media_type::IMAGE_INDEX)
                .body_bytes(current.clone())
        },
    );
    let registry = Registry::with_config("r.example", script.config())
        .unwrap()
        .with_options(RepositoryOptions {
            skip_referrers_gc: true,
            ..RepositoryOptions::default()
        });
    let repo = registry.repository("app").unwrap();
    bounded(repo.push(&desc, bytes_reader(bytes.clone())))
        .await
        .unwrap();
    bounded(repo.push(&desc, bytes_reader(bytes)))
        .await
        .unwrap();
    script.finish();
}

#[tokio::test]
async fn oci_subject_means_supported_and_no_index_is_kept() {
    let s = subject();
    let (desc, bytes, _) = signature(&s);
    let script = Script::new();
    let subject_digest = s.digest.to_string();
    script.expect(
        Method::PUT,
        &format!("/v2/app/manifests/{}", desc.digest),
        move |_| {
            resp(201)
                .header("oci-subject", subject_digest.as_str())
                .empty()
        },
    );
    let repo = script.repository("app");
    bounded(repo.push(&desc, bytes_reader(bytes)))
        .await
        .unwrap();
    assert_eq!(repo.referrers_capability(), Some(true));
    script.finish();
}

#[tokio::test]
async fn deleting_a_referrer_pings_then_removes_it_from_the_index() {
    let s = subject();
    let (desc, bytes, entry) = signature(&s);
    let other = referrer("x/other");
    let tag = tag_of(&s);
    let current = index_json(vec![entry.clone(), other.clone()]);
    let current_digest = Digest::sha256(&current);
    let script = Script::new();
    let served = bytes.clone();
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{}", desc.digest),
        move |_| {
            resp(200)
                .header("content-type", media_type::IMAGE_MANIFEST)
                .body_bytes(served.clone())
        },
    );
    let zero = format!("/v2/app/referrers/sha256:{}", "0".repeat(64));
    script.expect(Method::GET, &zero, |_| resp(404).empty());
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{tag}"),
        move |_| {
            resp(200)
                .header("content-type", media_type::IMAGE_INDEX)
                .body_bytes(current.clone())
        },
    );
    let want = index_json(vec![other.clone()]);
    script.expect(
        Method::PUT,
        &format!("/v2/app/manifests/{tag}"),
        move |seen| {
            assert_eq!(seen.body, want);
            resp(201).empty()
        },
    );
    script.expect(
        Method::DELETE,
        &format!("/v2/app/manifests/{current_digest}"),
        |_| resp(500).empty(),
    );
    let repo = script.repository_with(
        "app",
        script.config().retry(oras_remote::RetryPolicy::none()),
    );
    let err = bounded(repo.delete(&desc)).await.unwrap_err();
    // The old index could not be removed: reported as such, the manifest kept.
    let inner = oras_remote::Error::from_content(&err).expect("a crate error");
    assert!(inner.is_referrers_index_delete(), "{err}");
    script.finish();
}

#[tokio::test]
async fn an_index_of_referrers_is_never_written_as_null() {
    let s = subject();
    let (desc, bytes, entry) = signature(&s);
    let tag = tag_of(&s);
    let only = index_json(vec![entry.clone()]);
    let only_digest = Digest::sha256(&only);
    let script = Script::new();
    let served = bytes.clone();
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{}", desc.digest),
        move |_| {
            resp(200)
                .header("content-type", media_type::IMAGE_MANIFEST)
                .body_bytes(served.clone())
        },
    );
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{tag}"),
        move |_| {
            resp(200)
                .header("content-type", media_type::IMAGE_INDEX)
                .body_bytes(only.clone())
        },
    );
    // The last referrer removed: no empty index is pushed, the old one goes.
    script.expect(
        Method::DELETE,
        &format!("/v2/app/manifests/{only_digest}"),
        |_| resp(202).empty(),
    );
    script.expect(
        Method::DELETE,
        &format!("/v2/app/manifests/{}", desc.digest),
        |_| resp(202).empty(),
    );
    let repo = script.repository("app");
    repo.set_referrers_capability(false).unwrap();
    bounded(repo.delete(&desc)).await.unwrap();
    assert!(
        String::from_utf8(index_json(vec![]))
            .unwrap()
            .contains(r#""manifests":[]"#)
    );
    script.finish();
}

#[tokio::test]
async fn removing_the_last_referrer_without_gc_tags_an_empty_index() {
    let s = subject();
    let (desc, bytes, entry) = signature(&s);
    let tag = tag_of(&s);
    let only = index_json(vec![entry.clone()]);
    let script = Script::new();
    let served = bytes.clone();
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{}", desc.digest),
        move |_| {
            resp(200)
                .header("content-type", media_type::IMAGE_MANIFEST)
                .body_bytes(served.clone())
        },
    );
    script.expect(
        Method::GET,
        &format!("/v2/app/manifests/{tag}"),
        move |_| {
            resp(200)
                .header("content-type", media_type::IMAGE_INDEX)
                .body_bytes(only.clone())
        },
    );
    // With SkipReferrersGC the old index stays, so the tag must move to an
    // empty index (oras-go `updateReferrersIndex`), never keep the old one.
    let empty = index_json(vec![]);
    script.expect(
        Method::PUT,
        &format!("/v2/app/manifests/{tag}"),
        move |seen| {
            assert_eq!(seen.body, empty);
            resp(201).empty()
        },
    );
    script.expect(
        Method::DELETE,
        &format!("/v2/app/manifests/{}", desc.digest),
        |_| resp(202).empty(),
    );
    let registry = Registry::with_config("r.example", script.config())
        .unwrap()
        .with_options(RepositoryOptions {
            skip_referrers_gc: true,
            ..RepositoryOptions::default()
        });
    let repo = registry.repository("app").unwrap();
    repo.set_referrers_capability(false).unwrap();
    bounded(repo.delete(&desc)).await.unwrap();
    script.finish();
}
