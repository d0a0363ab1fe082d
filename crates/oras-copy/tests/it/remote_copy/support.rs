//! Shared helpers: a time bound, clients for the real registry in each
//! mode and for the fake, content builders that push through the storage
//! traits (so they fill a repository as well as a local store), the
//! artifact and multi-platform index fixtures, assertions, and a recorder
//! of progress events.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oras_content::{ErrorKind, ReadOnlyStorage, Storage, bytes_reader, fetch_all};
use oras_copy::{CopyEvent, CopyGraphOptions};
use oras_remote::{
    ClientConfig, Credential, ProxyConfig, Registry, Repository, RetryPolicy, StaticCredential,
};
use oras_spec::{Descriptor, Index, Manifest, Parsed, Platform, annotation, media_type};
use oras_testkit::fake::FakeRegistry;
use oras_testkit::real::{Mode, RealRegistry};

/// Every test here finishes within this (registry start-up excluded).
const TEST_LIMIT: Duration = Duration::from_secs(120);

/// Runs `f` under the time bound of every test here.
pub(crate) async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(TEST_LIMIT, f)
        .await
        .expect("test took too long")
}

/// The largest blob a test reads back whole.
const READ_CAP: u64 = 16 << 20;

/// The artifact type of the artifacts packed here.
pub(crate) const ARTIFACT_TYPE: &str = "application/vnd.test.remote-copy";

/// A fixed `created` annotation, so packed manifests are reproducible.
pub(crate) fn created() -> BTreeMap<String, String> {
    BTreeMap::from([(
        annotation::CREATED.to_owned(),
        "2000-01-01T00:00:00Z".to_owned(),
    )])
}

// ---- clients ----

/// Retries as oras-go does, without sleeping between attempts.
fn quick_retry() -> RetryPolicy {
    RetryPolicy::default().with_sleep(Arc::new(|_| Box::pin(async {})))
}

/// The client settings for `registry` in its mode: plain HTTP, or TLS
/// trusting the harness's CA (given as PEM, as `--ca-file` would load it);
/// the full user's credential where the mode asks for one.
pub(crate) fn config_for(registry: &RealRegistry) -> ClientConfig {
    let mut config = ClientConfig::new()
        .proxy(ProxyConfig::none())
        .retry(quick_retry());
    config = match registry.mode() {
        Mode::Plain | Mode::Token => config.plain_http(true),
        Mode::TlsBasic => config
            .without_system_roots()
            .ca_pem(registry.ca_pem().unwrap().as_bytes().to_vec()),
    };
    if let (Some(user), Some(password)) = (registry.username(), registry.password()) {
        config = config.credentials(Arc::new(StaticCredential::new(
            registry.host(),
            Credential::basic(user, password),
        )));
    }
    config
}

/// A client of the real registry.
pub(crate) fn real_client(registry: &RealRegistry) -> Registry {
    Registry::with_config(&registry.host(), config_for(registry)).unwrap()
}

/// A repository of the real registry, with a client of its own.
pub(crate) fn real_repo(registry: &RealRegistry, name: &str) -> Repository {
    real_client(registry).repository(name).unwrap()
}

/// A repository of the fake registry (plain HTTP, no auth).
pub(crate) fn fake_repo(fake: &FakeRegistry, name: &str) -> Repository {
    let config = ClientConfig::new()
        .plain_http(true)
        .proxy(ProxyConfig::none())
        .retry(quick_retry());
    Registry::with_config(&fake.host(), config)
        .unwrap()
        .repository(name)
        .unwrap()
}

// ---- pushing content through the traits ----

/// Pushes `data` as `desc` into any store; content already there is fine.
pub(crate) async fn put<S: Storage + ?Sized>(store: &S, desc: &Descriptor, data: &[u8]) {
    match store.push(desc, bytes_reader(data.to_vec())).await {
        Err(e) if e.kind() != ErrorKind::AlreadyExists => panic!("push {}: {e}", desc.digest),
        _ => {}
    }
}

/// Deterministic bytes of `len`, different for each `seed`.
pub(crate) fn data(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ seed.wrapping_mul(37))
        .collect()
}

/// Nodes with their bytes, by digest: what a store should hold.
#[derive(Clone, Debug, Default)]
pub(crate) struct Content(pub(crate) BTreeMap<String, Vec<u8>>);

impl Content {
    /// Describes `data`, remembers it and pushes it to `store`.
    pub(crate) async fn push<S: Storage + ?Sized>(
        &mut self,
        store: &S,
        media_type: &str,
        data: Vec<u8>,
    ) -> Descriptor {
        let desc = Descriptor::from_bytes(media_type, &data);
        put(store, &desc, &data).await;
        self.0.insert(desc.digest.to_string(), data);
        desc
    }

    /// Builds, remembers and pushes an image manifest.
    pub(crate) async fn push_manifest<S: Storage + ?Sized>(
        &mut self,
        store: &S,
        config: &Descriptor,
        layers: Vec<Descriptor>,
        subject: Option<&Descriptor>,
        artifact_type: &str,
    ) -> Descriptor {
        let parsed = Parsed::from_value(Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.to_owned(),
            artifact_type: artifact_type.to_owned(),
            config: config.clone(),
            layers,
            subject: subject.map(Descriptor::plain),
            annotations: BTreeMap::new(),
        });
        self.push(store, media_type::IMAGE_MANIFEST, parsed.bytes().to_vec())
            .await
    }

    /// Builds, remembers and pushes an OCI index of `manifests`.
    pub(crate) async fn push_index<S: Storage + ?Sized>(
        &mut self,
        store: &S,
        manifests: Vec<Descriptor>,
    ) -> Descriptor {
        let parsed = Parsed::from_value(Index::new(manifests));
        self.push(store, media_type::IMAGE_INDEX, parsed.bytes().to_vec())
            .await
    }
}

/// An artifact: a config and three layers (one of 1.5 MiB, so it streams
/// in many pieces) under one manifest.
pub(crate) struct Artifact {
    pub(crate) manifest: Descriptor,
    pub(crate) config: Descriptor,
    pub(crate) layers: Vec<Descriptor>,
    pub(crate) content: Content,
}

impl Artifact {
    /// Pushes the artifact to `store`; `seed` makes its content unique.
    pub(crate) async fn push<S: Storage + ?Sized>(store: &S, seed: u8) -> Artifact {
        let mut content = Content::default();
        let config_json = format!(r#"{{"artifact":{seed}}}"#).into_bytes();
        let config = content
            .push(store, "application/vnd.test.config+json", config_json)
            .await;
        let mut layers = Vec::new();
        for (i, len) in [1_500_000, 4096, 17].into_iter().enumerate() {
            let layer = content
                .push(
                    store,
                    media_type::IMAGE_LAYER,
                    data(seed.wrapping_add(i as u8), len),
                )
                .await;
            layers.push(layer);
        }
        let manifest = content
            .push_manifest(store, &config, layers.clone(), None, ARTIFACT_TYPE)
            .await;
        Artifact {
            manifest,
            config,
            layers,
            content,
        }
    }

    /// The blobs: config, then layers.
    pub(crate) fn blobs(&self) -> Vec<Descriptor> {
        let mut out = vec![self.config.clone()];
        out.extend(self.layers.iter().cloned());
        out
    }

    /// Every node: the manifest and its blobs.
    pub(crate) fn nodes(&self) -> Vec<Descriptor> {
        let mut out = vec![self.manifest.clone()];
        out.extend(self.blobs());
        out
    }
}

/// A multi-platform image: an index of two image manifests (each with a
/// config naming its platform and two layers).
pub(crate) struct MultiPlatform {
    pub(crate) index: Descriptor,
    /// The children as the index lists them (with their platform).
    pub(crate) children: Vec<Descriptor>,
    pub(crate) nodes: Vec<Descriptor>,
    pub(crate) content: Content,
}

impl MultiPlatform {
    /// Pushes the index and its children to `store`.
    pub(crate) async fn push<S: Storage + ?Sized>(store: &S, seed: u8) -> MultiPlatform {
        let mut content = Content::default();
        let mut nodes = Vec::new();
        let mut children = Vec::new();
        for (n, arch) in ["amd64", "arm64"].into_iter().enumerate() {
            let config_json = format!(
                r#"{{"architecture":"{arch}","os":"linux","seed":{seed},"rootfs":{{"type":"layers","diff_ids":[]}}}}"#
            )
            .into_bytes();
            let config = content
                .push(store, media_type::IMAGE_CONFIG, config_json)
                .await;
            let mut layers = Vec::new();
            for i in 0..2u8 {
                let bytes = data(seed ^ (n as u8 * 16 + i), 100_000 + usize::from(i));
                layers.push(content.push(store, media_type::IMAGE_LAYER, bytes).await);
            }
            let mut child = content
                .push_manifest(store, &config, layers.clone(), None, "")
                .await;
            nodes.push(child.clone());
            nodes.push(config);
            nodes.extend(layers);
            child.platform = Some(Platform::new("linux", arch));
            children.push(child);
        }
        let index = content.push_index(store, children.clone()).await;
        nodes.insert(0, index.clone());
        MultiPlatform {
            index,
            children,
            nodes,
            content,
        }
    }
}

// ---- assertions ----

/// `store` has every node of `nodes`, with exactly the bytes of `content`.
pub(crate) async fn assert_holds<S: ReadOnlyStorage + ?Sized>(
    store: &S,
    nodes: &[Descriptor],
    content: &Content,
) {
    for desc in nodes {
        assert!(
            store.exists(desc).await.unwrap(),
            "{} ({}) missing",
            desc.digest,
            desc.media_type
        );
        let got = fetch_all(store, desc, READ_CAP).await.unwrap();
        assert_eq!(
            &got,
            content.0.get(&desc.digest.to_string()).unwrap(),
            "bytes of {}",
            desc.digest
        );
    }
}

/// `store` has none of `nodes`.
pub(crate) async fn assert_lacks<S: ReadOnlyStorage + ?Sized>(store: &S, nodes: &[Descriptor]) {
    for desc in nodes {
        assert!(
            !store.exists(desc).await.unwrap(),
            "{} ({}) should not be there",
            desc.digest,
            desc.media_type
        );
    }
}

/// The digests of `nodes` as a set.
pub(crate) fn digests(nodes: &[Descriptor]) -> BTreeSet<String> {
    nodes.iter().map(|d| d.digest.to_string()).collect()
}

/// The `sha256-<hex>` tag under which the tag schema lists the referrers
/// of `subject` (distribution-spec v1.1, "Referrers Tag Schema").
pub(crate) fn referrers_tag(subject: &Descriptor) -> String {
    format!(
        "{}-{}",
        subject.digest.algorithm().as_str(),
        subject.digest.encoded()
    )
}

// ---- progress events ----

/// Digests seen per kind of event.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) started: Vec<String>,
    pub(crate) done: Vec<String>,
    pub(crate) exists: Vec<String>,
    pub(crate) skipped: Vec<String>,
    pub(crate) mounted: Vec<String>,
    /// Bytes reported by progress events, per digest (the last count).
    pub(crate) bytes: BTreeMap<String, u64>,
}

impl Seen {
    /// The digests of a list as a set.
    pub(crate) fn set(list: &[String]) -> BTreeSet<String> {
        list.iter().cloned().collect()
    }

    /// Total bytes moved, over every node.
    pub(crate) fn total_bytes(&self) -> u64 {
        self.bytes.values().sum()
    }
}

/// Options whose progress callback records into the returned [`Seen`].
pub(crate) fn recording(graph: CopyGraphOptions) -> (CopyGraphOptions, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let sink = seen.clone();
    let graph = graph.with_progress(move |event| {
        let mut seen = sink.lock().unwrap();
        let digest = event.desc().digest.to_string();
        match event {
            CopyEvent::Started(_) => seen.started.push(digest),
            CopyEvent::Done(_) => seen.done.push(digest),
            CopyEvent::Exists(_) => seen.exists.push(digest),
            CopyEvent::Skipped(_) => seen.skipped.push(digest),
            CopyEvent::Mounted(_) => seen.mounted.push(digest),
            CopyEvent::Retagged(_) => {}
            CopyEvent::Progress { bytes, .. } => {
                seen.bytes.insert(digest, *bytes);
            }
        }
    });
    (graph, seen)
}
