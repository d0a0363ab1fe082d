//! End to end against CNCF Distribution (oras_testkit::real) in its three
//! modes: plain HTTP, TLS with htpasswd Basic auth, and token auth. Each
//! runs the same scenario: blobs (monolithic, chunked and prestaged), manifests, tags,
//! tag listing, the referrers tag-schema fallback (distribution 2.8 has no
//! referrers API), mount, and deletes.

use std::sync::Arc;

use oras_auth::{Credential, StaticCredential};
use oras_content::{
    Deleter, ErrorKind, Fetcher, Mounter, Pusher, ReadOnlyStorage, ReferenceFetcher,
    ReferrerLister, Resolver, TagLister, Tagger, bytes_reader, fetch_all,
};
use oras_remote::{ClientConfig, ProxyConfig, Registry, Repository, RepositoryOptions};
use oras_spec::{Descriptor, Manifest, Parsed, media_type};
use oras_testkit::real::{Mode, RealRegistry, start_for_test_async};

use crate::support::{bounded, no_sleep_retry};

fn config_for(registry: &RealRegistry) -> ClientConfig {
    let mut config = ClientConfig::new()
        .proxy(ProxyConfig::none())
        .retry(no_sleep_retry());
    match registry.mode() {
        Mode::Plain => config = config.plain_http(true),
        Mode::TlsBasic => {
            config = config
                .without_system_roots()
                .ca_file(registry.ca_path().unwrap())
        }
        Mode::Token => config = config.plain_http(true),
    }
    if let (Some(user), Some(password)) = (registry.username(), registry.password()) {
        config = config.credentials(Arc::new(StaticCredential::new(
            registry.host(),
            Credential::basic(user, password),
        )));
    }
    config
}

fn repositories(registry: &RealRegistry, chunked: bool) -> (Repository, Repository) {
    let client = Registry::with_config(&registry.host(), config_for(registry))
        .unwrap()
        .with_options(RepositoryOptions {
            force_chunked: chunked,
            chunk_size: 64 * 1024,
            ..RepositoryOptions::default()
        });
    (
        client.repository("oras-remote/app").unwrap(),
        client.repository("oras-remote/other").unwrap(),
    )
}

fn artifact(
    config: &Descriptor,
    layer: &Descriptor,
    subject: Option<&Descriptor>,
) -> Parsed<Manifest> {
    Parsed::from_value(Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.into(),
        artifact_type: if subject.is_some() {
            "application/vnd.example.sig".into()
        } else {
            String::new()
        },
        config: config.clone(),
        layers: vec![layer.clone()],
        subject: subject.cloned(),
        annotations: Default::default(),
    })
}

async fn scenario(registry: &RealRegistry) {
    let (app, other) = repositories(registry, false);
    let (chunked_app, _) = repositories(registry, true);
    bounded(
        Registry::with_config(&registry.host(), config_for(registry))
            .unwrap()
            .ping(),
    )
    .await
    .unwrap();

    // Blobs: a small monolithic one and a chunked one of 200 KiB.
    let config = Descriptor::empty_json();
    bounded(app.push(&config, bytes_reader(&b"{}"[..])))
        .await
        .unwrap();
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

    // A prestaged upload, sent before its digest was known and ended by
    // the push: the zeros given to that push are never sent (they would
    // be refused as DIGEST_INVALID).
    let staged: Vec<u8> = (0..300 * 1024u32).map(|i| (i % 239) as u8).collect();
    let staged_desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &staged);
    let size = staged.len() as u64;
    app.prestage(Arc::new(bytes::Bytes::from(staged.clone())), size)
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
    let manifest = artifact(&config, &layer, None);
    let desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
    bounded(app.push(&desc, bytes_reader(manifest.bytes().to_vec())))
        .await
        .unwrap();
    bounded(app.tag(&desc, "v1")).await.unwrap();
    bounded(app.tag(&desc, "v2")).await.unwrap();
    let resolved = bounded(app.resolve("v1")).await.unwrap();
    assert_eq!(resolved.digest, desc.digest);
    assert_eq!(resolved.size, desc.size);
    let (by_ref, mut reader) = bounded(app.fetch_reference("v2")).await.unwrap();
    assert_eq!(by_ref.digest, desc.digest);
    let mut bytes = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut bytes)
        .await
        .unwrap();
    assert_eq!(bytes, manifest.bytes());
    let mut tags = bounded(app.tags(None)).await.unwrap();
    tags.sort();
    assert_eq!(tags, ["v1", "v2"]);

    // A referrer: distribution has no referrers API, so the tag schema.
    let signature_blob = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"signature");
    bounded(app.push(&signature_blob, bytes_reader(&b"signature"[..])))
        .await
        .unwrap();
    let signature = artifact(&config, &signature_blob, Some(&desc));
    let signature_desc = signature.descriptor(media_type::IMAGE_MANIFEST);
    bounded(app.push(&signature_desc, bytes_reader(signature.bytes().to_vec())))
        .await
        .unwrap();
    assert_eq!(app.referrers_capability(), Some(false));
    let referrers = bounded(app.referrers(&desc, None)).await.unwrap();
    assert_eq!(referrers.len(), 1);
    assert_eq!(referrers[0].digest, signature_desc.digest);
    assert_eq!(referrers[0].artifact_type, "application/vnd.example.sig");
    assert!(
        bounded(app.referrers(&desc, Some("other/type")))
            .await
            .unwrap()
            .is_empty()
    );
    // A fresh client detects the missing API on its own.
    let (fresh, _) = repositories(registry, false);
    assert_eq!(
        bounded(fresh.referrers(&desc, None)).await.unwrap().len(),
        1
    );
    assert_eq!(fresh.referrers_capability(), Some(false));

    // Mount into another repository.
    assert!(bounded(other.mount(&layer, app.name())).await.unwrap());
    assert_eq!(
        bounded(fetch_all(&other, &layer, 1 << 20)).await.unwrap(),
        big
    );

    // Deleting the referrer updates the index; then the manifest and a blob.
    bounded(app.delete(&signature_desc)).await.unwrap();
    assert!(
        bounded(app.referrers(&desc, None))
            .await
            .unwrap()
            .is_empty()
    );
    bounded(app.delete(&desc)).await.unwrap();
    let err = bounded(app.resolve("v1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    bounded(other.delete(&layer)).await.unwrap();
    let err = bounded(other.fetch(&layer)).await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn real_registry_plain() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    scenario(&registry).await;
}

#[tokio::test]
async fn real_registry_tls_basic() {
    let Some(registry) = start_for_test_async(Mode::TlsBasic).await else {
        return;
    };
    scenario(&registry).await;
    // Without the credential: Unauthorized.
    let anonymous = Registry::with_config(
        &registry.host(),
        ClientConfig::new()
            .proxy(ProxyConfig::none())
            .without_system_roots()
            .ca_file(registry.ca_path().unwrap()),
    )
    .unwrap();
    let err = bounded(anonymous.repository("oras-remote/app").unwrap().tags(None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
}

#[tokio::test]
async fn real_registry_token_auth() {
    let Some(registry) = start_for_test_async(Mode::Token).await else {
        return;
    };
    scenario(&registry).await;
    let tokens = registry.token_server().unwrap().request_count();
    assert!(tokens > 0, "tokens were fetched");
    // A read-only user can pull but not push.
    let (user, password) = registry.reader_credentials().unwrap();
    let reader = Registry::with_config(
        &registry.host(),
        ClientConfig::new()
            .plain_http(true)
            .proxy(ProxyConfig::none())
            .credentials(Arc::new(StaticCredential::new(
                registry.host(),
                Credential::basic(user, password),
            ))),
    )
    .unwrap()
    .repository("oras-remote/app")
    .unwrap();
    let blob = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"read only");
    let err = bounded(reader.push(&blob, bytes_reader(&b"read only"[..])))
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Unauthorized | ErrorKind::Denied),
        "{err}"
    );
}
