//! End to end against a real registry with the OCI 1.1 referrers API
//! (olareg, `oras_testkit::real::ReferrersRegistry`), the counterpart of
//! `real.rs` (Distribution 2.8, tag-schema fallback only): the blob,
//! manifest, tag, mount and delete basics, and referrers through the API:
//! `OCI-Subject` on push (capability `Some(true)`, no `sha256-<hex>` tag),
//! `artifactType` filtered by the registry, pages linked by `Link`, the
//! page cap, and deletes (with the capability known and unknown); and
//! the tag schema forced on that registry (with an olareg quirk pinned).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;

use oras_content::{
    Deleter, ErrorKind, Fetcher, Mounter, Pusher, ReadOnlyStorage, ReferenceFetcher,
    ReferrerLister, Resolver, TagLister, Tagger, bytes_reader, fetch_all,
};
use oras_remote::{ClientConfig, ProxyConfig, Registry, Repository, RepositoryOptions};
use oras_spec::{Descriptor, Index, Manifest, Parsed, media_type};
use oras_testkit::real::{ReferrersRegistry, start_referrers_for_test_async};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::support::{bounded, no_sleep_retry};

const SIGNATURE: &str = "application/vnd.example.sig";
const SBOM: &str = "application/vnd.example.sbom";
const BUNDLE: &str = "application/vnd.example.bundle";

fn config() -> ClientConfig {
    ClientConfig::new()
        .plain_http(true)
        .proxy(ProxyConfig::none())
        .retry(no_sleep_retry())
}

fn repo_with(registry: &ReferrersRegistry, name: &str, options: RepositoryOptions) -> Repository {
    Registry::with_config(&registry.host(), config())
        .unwrap()
        .with_options(options)
        .repository(name)
        .unwrap()
}

/// A repository with a client of its own (capability unknown).
fn repo(registry: &ReferrersRegistry, name: &str) -> Repository {
    repo_with(registry, name, RepositoryOptions::default())
}

/// One raw `GET` (HTTP/1.1, `Connection: close`): the head, lowercased,
/// and the body. For what the client does not show: response headers.
async fn raw_get(addr: SocketAddr, target: &str) -> (String, Vec<u8>) {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut all = Vec::new();
    tcp.read_to_end(&mut all).await.unwrap();
    let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    (
        String::from_utf8_lossy(&all[..split]).to_ascii_lowercase(),
        all[split + 4..].to_vec(),
    )
}

/// Pushes the empty config (once per repository is enough; again is fine).
async fn push_empty_config(repo: &Repository) -> Descriptor {
    let config = Descriptor::empty_json();
    if !bounded(repo.exists(&config)).await.unwrap() {
        bounded(repo.push(&config, bytes_reader(&b"{}"[..])))
            .await
            .unwrap();
    }
    config
}

/// Pushes an image manifest with one layer of `payload`, referring to
/// `subject` when given.
async fn push_manifest(
    repo: &Repository,
    payload: &[u8],
    subject: Option<&Descriptor>,
    artifact_type: &str,
) -> Descriptor {
    let config = push_empty_config(repo).await;
    let layer = Descriptor::from_bytes(media_type::IMAGE_LAYER, payload);
    bounded(repo.push(&layer, bytes_reader(payload.to_vec())))
        .await
        .unwrap();
    let manifest = Parsed::from_value(Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.into(),
        artifact_type: artifact_type.into(),
        config,
        layers: vec![layer],
        subject: subject.map(Descriptor::plain),
        annotations: Default::default(),
    });
    let desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
    bounded(repo.push(&desc, bytes_reader(manifest.bytes().to_vec())))
        .await
        .unwrap();
    desc
}

/// Pushes an index referrer of `subject` listing `manifests`.
async fn push_index_referrer(
    repo: &Repository,
    subject: &Descriptor,
    manifests: Vec<Descriptor>,
    artifact_type: &str,
) -> Descriptor {
    let mut index = Index::new(manifests);
    index.artifact_type = artifact_type.into();
    index.subject = Some(subject.plain());
    let index = Parsed::from_value(index);
    let desc = index.descriptor(media_type::IMAGE_INDEX);
    bounded(repo.push(&desc, bytes_reader(index.bytes().to_vec())))
        .await
        .unwrap();
    desc
}

/// The referrers `repo` lists for `subject`, as sorted (digest, type).
async fn listed(
    repo: &Repository,
    subject: &Descriptor,
    artifact_type: Option<&str>,
) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = bounded(repo.referrers(subject, artifact_type))
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.digest.to_string(), d.artifact_type))
        .collect();
    found.sort();
    found
}

fn entries(list: &[(&Descriptor, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = list
        .iter()
        .map(|(d, t)| (d.digest.to_string(), (*t).to_owned()))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn blobs_manifests_tags_mounts_and_deletes_on_the_referrers_registry() {
    let Some(registry) = start_referrers_for_test_async().await else {
        return;
    };
    let chunked = RepositoryOptions {
        force_chunked: true,
        chunk_size: 64 * 1024,
        ..RepositoryOptions::default()
    };
    let app = repo(&registry, "oras-remote/app");
    let chunked_app = repo_with(&registry, "oras-remote/app", chunked);
    let other = repo(&registry, "oras-remote/other");
    bounded(
        Registry::with_config(&registry.host(), config())
            .unwrap()
            .ping(),
    )
    .await
    .unwrap();

    // Blobs: a monolithic one and a chunked one of 200 KiB.
    let config = push_empty_config(&app).await;
    assert!(bounded(app.exists(&config)).await.unwrap());
    let big: Vec<u8> = (0..200 * 1024u32).map(|i| (i % 241) as u8).collect();
    let layer = Descriptor::from_bytes(media_type::IMAGE_LAYER, &big);
    assert!(!bounded(app.exists(&layer)).await.unwrap());
    bounded(chunked_app.push(&layer, bytes_reader(big.clone())))
        .await
        .unwrap();
    assert!(bounded(app.exists(&layer)).await.unwrap());
    assert_eq!(
        bounded(fetch_all(&app, &layer, 1 << 20)).await.unwrap(),
        big
    );
    assert_eq!(
        bounded(app.resolve_blob(&layer.digest)).await.unwrap().size,
        layer.size
    );

    // A prestaged upload ended by the push.
    let staged: Vec<u8> = (0..300 * 1024u32).map(|i| (i % 239) as u8).collect();
    let staged_desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &staged);
    app.prestage(
        Arc::new(bytes::Bytes::from(staged.clone())),
        staged.len() as u64,
    )
    .commit_as(&staged_desc);
    bounded(app.push(&staged_desc, bytes_reader(vec![0u8; staged.len()])))
        .await
        .unwrap();
    assert_eq!(
        bounded(fetch_all(&app, &staged_desc, 1 << 20))
            .await
            .unwrap(),
        staged
    );

    // A manifest, tagged, resolved and fetched by reference.
    let manifest = Parsed::from_value(Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.into(),
        artifact_type: String::new(),
        config: config.clone(),
        layers: vec![layer.clone()],
        subject: None,
        annotations: Default::default(),
    });
    let desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
    bounded(app.push(&desc, bytes_reader(manifest.bytes().to_vec())))
        .await
        .unwrap();
    for tag in ["v1", "v2", "v3", "v4", "v5"] {
        bounded(app.tag(&desc, tag)).await.unwrap();
    }
    let resolved = bounded(app.resolve("v1")).await.unwrap();
    assert_eq!(resolved.digest, desc.digest);
    assert_eq!(resolved.size, desc.size);
    assert_eq!(resolved.media_type, media_type::IMAGE_MANIFEST);
    let (by_ref, mut reader) = bounded(app.fetch_reference("v2")).await.unwrap();
    assert_eq!(by_ref.digest, desc.digest);
    let mut bytes = Vec::new();
    bounded(reader.read_to_end(&mut bytes)).await.unwrap();
    assert_eq!(bytes, manifest.bytes());
    let (_, mut reader) = bounded(app.fetch_reference(&desc.digest.to_string()))
        .await
        .unwrap();
    let mut bytes = Vec::new();
    bounded(reader.read_to_end(&mut bytes)).await.unwrap();
    assert_eq!(bytes, manifest.bytes());
    let mut tags = bounded(app.tags(None)).await.unwrap();
    tags.sort();
    assert_eq!(tags, ["v1", "v2", "v3", "v4", "v5"]);
    // Tag listing in pages of two (`n` and `last`, `Link` followed).
    let paged = repo_with(
        &registry,
        "oras-remote/app",
        RepositoryOptions {
            page_size: Some(2),
            ..RepositoryOptions::default()
        },
    );
    assert_eq!(
        bounded(paged.tags(None)).await.unwrap(),
        ["v1", "v2", "v3", "v4", "v5"]
    );
    assert_eq!(bounded(paged.tags(Some("v3"))).await.unwrap(), ["v4", "v5"]);

    // Mount into another repository.
    assert!(bounded(other.mount(&layer, app.name())).await.unwrap());
    assert_eq!(
        bounded(fetch_all(&other, &layer, 1 << 20)).await.unwrap(),
        big
    );

    // Deletes: the manifest (every tag goes with it), then a blob.
    bounded(app.delete(&desc)).await.unwrap();
    let err = bounded(app.resolve("v1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    bounded(other.delete(&layer)).await.unwrap();
    let err = bounded(other.fetch(&layer)).await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let err = bounded(other.delete(&layer)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn referrers_go_through_the_api() {
    let Some(registry) = start_referrers_for_test_async().await else {
        return;
    };
    let app = repo(&registry, "oras-remote/app");
    let image = push_manifest(&app, b"image", None, "").await;
    bounded(app.tag(&image, "v1")).await.unwrap();
    assert_eq!(app.referrers_capability(), None);

    // The first push with a subject is answered with OCI-Subject: the
    // capability is known from it, and no tag-schema index is written.
    let signature = push_manifest(&app, b"signature", Some(&image), SIGNATURE).await;
    assert_eq!(app.referrers_capability(), Some(true));
    let signature2 = push_manifest(&app, b"signature 2", Some(&image), SIGNATURE).await;
    let sbom = push_manifest(&app, b"sbom", Some(&image), SBOM).await;
    let bundle = push_index_referrer(&app, &image, vec![sbom.clone()], BUNDLE).await;
    // A referrer of a referrer.
    let counter = push_manifest(&app, b"counter", Some(&signature), SIGNATURE).await;
    assert_eq!(bounded(app.tags(None)).await.unwrap(), ["v1"]);

    let all = entries(&[
        (&signature, SIGNATURE),
        (&signature2, SIGNATURE),
        (&sbom, SBOM),
        (&bundle, BUNDLE),
    ]);
    assert_eq!(listed(&app, &image, None).await, all);
    assert_eq!(
        listed(&app, &image, Some(SIGNATURE)).await,
        entries(&[(&signature, SIGNATURE), (&signature2, SIGNATURE)])
    );
    assert_eq!(
        listed(&app, &image, Some(BUNDLE)).await,
        entries(&[(&bundle, BUNDLE)])
    );
    assert!(listed(&app, &image, Some("other/type")).await.is_empty());
    assert_eq!(
        listed(&app, &signature, None).await,
        entries(&[(&counter, SIGNATURE)])
    );
    // The descriptors come as pushed.
    let listing = bounded(app.referrers(&image, Some(BUNDLE))).await.unwrap();
    assert_eq!(listing[0].media_type, media_type::IMAGE_INDEX);
    assert_eq!(listing[0].size, bundle.size);

    // The registry applies the filter itself and says so.
    let (head, body) = raw_get(
        registry.addr(),
        &format!(
            "/v2/oras-remote/app/referrers/{}?artifactType={SBOM}",
            image.digest
        ),
    )
    .await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("oci-filters-applied: artifacttype"), "{head}");
    let index: Index = serde_json::from_slice(&body).unwrap();
    assert_eq!(index.manifests.len(), 1);
    assert_eq!(index.manifests[0].digest, sbom.digest);

    // A fresh client learns the capability from the listing.
    let fresh = repo(&registry, "oras-remote/app");
    assert_eq!(listed(&fresh, &image, None).await, all);
    assert_eq!(fresh.referrers_capability(), Some(true));
    // An unknown subject has none; so has a repository that does not
    // exist (olareg answers `"manifests": null`).
    let unknown = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, b"{}");
    assert!(listed(&app, &unknown, None).await.is_empty());
    let missing = repo(&registry, "oras-remote/missing");
    assert!(listed(&missing, &image, None).await.is_empty());
    assert_eq!(missing.referrers_capability(), Some(true));

    // Deleting a referrer takes it out of the listing: with the capability
    // known, and from a fresh client (which asks the API first).
    bounded(app.delete(&signature2)).await.unwrap();
    assert_eq!(
        listed(&app, &image, Some(SIGNATURE)).await,
        entries(&[(&signature, SIGNATURE)])
    );
    let fresh = repo(&registry, "oras-remote/app");
    bounded(fresh.delete(&bundle)).await.unwrap();
    assert_eq!(fresh.referrers_capability(), Some(true));
    assert_eq!(
        listed(&app, &image, None).await,
        entries(&[(&signature, SIGNATURE), (&sbom, SBOM)])
    );
    // Still no tag-schema index.
    assert_eq!(bounded(app.tags(None)).await.unwrap(), ["v1"]);
}

#[tokio::test]
async fn referrers_listing_follows_every_page() {
    let Some(registry) = start_paged().await else {
        return;
    };
    let app = repo(&registry, "oras-remote/paged");
    let image = push_manifest(&app, b"image", None, "").await;
    let mut want = Vec::new();
    for n in 0..24u32 {
        let kind = if n % 3 == 0 { SBOM } else { SIGNATURE };
        let payload = format!("referrer {n}");
        let referrer = push_manifest(&app, payload.as_bytes(), Some(&image), kind).await;
        want.push((referrer, kind));
    }
    assert_eq!(app.referrers_capability(), Some(true));

    // The registry splits the list: the first page is partial and links on.
    let target = format!("/v2/oras-remote/paged/referrers/{}", image.digest);
    let (head, body) = raw_get(registry.addr(), &target).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("rel=next") || head.contains("rel=\"next\""),
        "{head}"
    );
    let first: Index = serde_json::from_slice(&body).unwrap();
    assert!(
        !first.manifests.is_empty() && first.manifests.len() < 12,
        "{} on the first page",
        first.manifests.len()
    );

    // The client follows every page, also when it asks for small pages.
    let all: Vec<(&Descriptor, &str)> = want.iter().map(|(d, t)| (d, *t)).collect();
    assert_eq!(listed(&app, &image, None).await, entries(&all));
    let sboms: Vec<(&Descriptor, &str)> = all.iter().copied().filter(|(_, t)| *t == SBOM).collect();
    assert_eq!(sboms.len(), 8);
    assert_eq!(listed(&app, &image, Some(SBOM)).await, entries(&sboms));
    let small = repo_with(
        &registry,
        "oras-remote/paged",
        RepositoryOptions {
            referrers_page_size: Some(2),
            ..RepositoryOptions::default()
        },
    );
    assert_eq!(listed(&small, &image, None).await, entries(&all));
    let fresh = repo(&registry, "oras-remote/paged");
    assert_eq!(listed(&fresh, &image, None).await.len(), 24);
    let digests: BTreeSet<String> = listed(&fresh, &image, None)
        .await
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    assert_eq!(digests.len(), 24, "no page listed twice");

    // The page cap stops a listing that needs more pages.
    let capped = repo_with(
        &registry,
        "oras-remote/paged",
        RepositoryOptions {
            max_pages: 2,
            ..RepositoryOptions::default()
        },
    );
    let err = bounded(capped.referrers(&image, None)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyPages, "{err}");

    // A delete shows on every page.
    bounded(app.delete(&want[5].0)).await.unwrap();
    let after = listed(&app, &image, None).await;
    assert_eq!(after.len(), 23);
    assert!(
        !after
            .iter()
            .any(|(d, _)| *d == want[5].0.digest.to_string())
    );
}

/// Starts a registry whose referrers pages hold a few descriptors each
/// (skipping as the default start does).
async fn start_paged() -> Option<ReferrersRegistry> {
    let probe = start_referrers_for_test_async().await?;
    drop(probe);
    let paged = tokio::task::spawn_blocking(|| ReferrersRegistry::start_with_referrers_limit(1024))
        .await
        .unwrap();
    Some(paged.unwrap())
}

#[tokio::test]
async fn a_forced_tag_schema_works_on_the_referrers_registry() {
    let Some(registry) = start_referrers_for_test_async().await else {
        return;
    };
    // The CLI's `--distribution-spec v1.1-referrers-tag`: the tag schema
    // even though the registry answers OCI-Subject.
    let tagged = repo(&registry, "oras-remote/forced");
    tagged.set_referrers_capability(false).unwrap();
    let image = push_manifest(&tagged, b"image", None, "").await;
    bounded(tagged.tag(&image, "v1")).await.unwrap();
    let signature = push_manifest(&tagged, b"signature", Some(&image), SIGNATURE).await;
    assert_eq!(tagged.referrers_capability(), Some(false));

    // olareg v0.1.2 keeps its own referrers response for a subject as an
    // index.json entry annotated with the subject, one entry per digest.
    // The tag-schema index written for the first referrer has the very
    // bytes of that response (same fields in the same order), so the tag
    // takes the entry's annotations and the API no longer finds the
    // response: the registry's API lists nothing. An olareg quirk, pinned.
    let api = repo(&registry, "oras-remote/forced");
    api.set_referrers_capability(true).unwrap();
    assert!(listed(&api, &image, None).await.is_empty());

    let sbom = push_manifest(&tagged, b"sbom", Some(&image), SBOM).await;
    let schema_tag = format!("sha256-{}", image.digest.encoded());
    let mut tags = bounded(tagged.tags(None)).await.unwrap();
    tags.sort();
    assert_eq!(tags, [schema_tag.clone(), "v1".to_owned()]);
    let both = entries(&[(&signature, SIGNATURE), (&sbom, SBOM)]);
    assert_eq!(listed(&tagged, &image, None).await, both);
    assert_eq!(
        listed(&tagged, &image, Some(SBOM)).await,
        entries(&[(&sbom, SBOM)])
    );
    // The tag-schema index is one document listing both.
    let (_, mut reader) = bounded(tagged.fetch_reference(&schema_tag)).await.unwrap();
    let mut bytes = Vec::new();
    bounded(reader.read_to_end(&mut bytes)).await.unwrap();
    let index: Index = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(index.manifests.len(), 2);

    // A delete through the tag schema updates the index it lists.
    bounded(tagged.delete(&signature)).await.unwrap();
    assert_eq!(
        listed(&tagged, &image, None).await,
        entries(&[(&sbom, SBOM)])
    );
    let mut tags = bounded(tagged.tags(None)).await.unwrap();
    tags.sort();
    assert_eq!(tags, [schema_tag, "v1".to_owned()]);
    let err = bounded(tagged.resolve(&signature.digest.to_string()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}
