//! Test stores: a memory store wrapped to count calls, inject failures,
//! slow pushes down, and expose the registry capabilities (reference
//! fetch/push, mount, referrers) so the copy paths that use them run.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use oras_content::{
    BlobReader, Capabilities, Error, ErrorKind, Fetcher, Mounter, PredecessorFinder, Pusher,
    ReadOnlyStorage, ReferenceFetcher, ReferencePusher, ReferrerLister, Resolver, Result, Tagger,
    memory,
};
use oras_spec::{Descriptor, Index, Manifest, Parsed, Platform, media_type};

/// What a fake registry answers to a mount from one repository.
#[derive(Clone, Debug)]
pub(crate) enum MountAnswer {
    /// Mounted (the blob is copied from the mount source).
    Mounted,
    /// Declined: the registry started an upload instead.
    Declined,
    /// Failed with this kind (e.g. Unauthorized, Denied, Network).
    Fails(ErrorKind),
}

/// Calls seen by a [`Fake`].
#[derive(Debug, Default)]
pub(crate) struct Calls {
    pub(crate) fetch: Vec<Descriptor>,
    pub(crate) exists: Vec<Descriptor>,
    pub(crate) push: Vec<Descriptor>,
    pub(crate) resolve: Vec<String>,
    pub(crate) tag: Vec<(Descriptor, String)>,
    pub(crate) fetch_reference: Vec<String>,
    pub(crate) push_reference: Vec<(Descriptor, String)>,
    pub(crate) mount: Vec<(Descriptor, String)>,
    pub(crate) predecessors: Vec<Descriptor>,
    pub(crate) referrers: Vec<Descriptor>,
}

/// Switches of a [`Fake`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Behaviour {
    pub(crate) reference_fetcher: bool,
    pub(crate) reference_pusher: bool,
    pub(crate) referrer_lister: bool,
    pub(crate) mounts: HashMap<String, MountAnswer>,
    /// Pushes of these digests fail with this kind.
    pub(crate) fail_push: HashMap<String, ErrorKind>,
    /// Fetches of these digests fail with NotFound.
    pub(crate) fail_fetch: Vec<String>,
    pub(crate) push_delay: Option<Duration>,
}

/// A memory store that records calls and plays a registry when told to.
pub(crate) struct Fake {
    pub(crate) store: Arc<memory::Store>,
    pub(crate) behaviour: Behaviour,
    pub(crate) calls: Mutex<Calls>,
    /// Where mounted blobs come from.
    pub(crate) mount_source: Option<Arc<memory::Store>>,
    in_flight: AtomicUsize,
    pub(crate) max_in_flight: AtomicUsize,
}

impl Fake {
    pub(crate) fn new(behaviour: Behaviour) -> Self {
        Fake::over(Arc::new(memory::Store::new()), behaviour)
    }

    pub(crate) fn over(store: Arc<memory::Store>, behaviour: Behaviour) -> Self {
        Fake {
            store,
            behaviour,
            calls: Mutex::new(Calls::default()),
            mount_source: None,
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    pub(crate) fn plain() -> Self {
        Fake::new(Behaviour::default())
    }

    /// A fake that answers like a registry: reference fetch and push.
    pub(crate) fn registry() -> Self {
        Fake::new(Behaviour {
            reference_fetcher: true,
            reference_pusher: true,
            ..Behaviour::default()
        })
    }

    pub(crate) fn calls(&self) -> std::sync::MutexGuard<'_, Calls> {
        self.calls.lock().unwrap()
    }

    pub(crate) fn fetches_of(&self, desc: &Descriptor) -> usize {
        self.calls()
            .fetch
            .iter()
            .filter(|d| d.digest == desc.digest)
            .count()
    }

    pub(crate) fn pushed_digests(&self) -> Vec<String> {
        self.calls()
            .push
            .iter()
            .map(|d| d.digest.to_string())
            .collect()
    }
}

#[async_trait]
impl Fetcher for Fake {
    async fn fetch(&self, target: &Descriptor) -> Result<BlobReader> {
        self.calls().fetch.push(target.clone());
        if self
            .behaviour
            .fail_fetch
            .contains(&target.digest.to_string())
        {
            return Err(Error::NotFound(target.digest.to_string()));
        }
        self.store.fetch(target).await
    }
}

#[async_trait]
impl Pusher for Fake {
    async fn push(&self, expected: &Descriptor, content: BlobReader) -> Result<()> {
        self.calls().push.push(expected.clone());
        if let Some(kind) = self.behaviour.fail_push.get(&expected.digest.to_string()) {
            return Err(Error::external(
                *kind,
                format!("push of {} refused", expected.digest),
            ));
        }
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        if let Some(delay) = self.behaviour.push_delay {
            tokio::time::sleep(delay).await;
        }
        let result = self.store.push(expected, content).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        result
    }
}

#[async_trait]
impl ReadOnlyStorage for Fake {
    async fn exists(&self, target: &Descriptor) -> Result<bool> {
        self.calls().exists.push(target.clone());
        self.store.exists(target).await
    }
}

#[async_trait]
impl Resolver for Fake {
    async fn resolve(&self, reference: &str) -> Result<Descriptor> {
        self.calls().resolve.push(reference.to_owned());
        self.store.resolve(reference).await
    }
}

#[async_trait]
impl Tagger for Fake {
    async fn tag(&self, desc: &Descriptor, reference: &str) -> Result<()> {
        self.calls().tag.push((desc.clone(), reference.to_owned()));
        self.store.tag(desc, reference).await
    }
}

#[async_trait]
impl PredecessorFinder for Fake {
    async fn predecessors(&self, node: &Descriptor) -> Result<Vec<Descriptor>> {
        self.calls().predecessors.push(node.clone());
        self.store.predecessors(node).await
    }
}

#[async_trait]
impl ReferenceFetcher for Fake {
    async fn fetch_reference(&self, reference: &str) -> Result<(Descriptor, BlobReader)> {
        self.calls().fetch_reference.push(reference.to_owned());
        let desc = self.store.resolve(reference).await?;
        let reader = self.store.fetch(&desc).await?;
        Ok((desc, reader))
    }
}

#[async_trait]
impl ReferencePusher for Fake {
    async fn push_reference(
        &self,
        expected: &Descriptor,
        content: BlobReader,
        reference: &str,
    ) -> Result<()> {
        self.calls()
            .push_reference
            .push((expected.clone(), reference.to_owned()));
        match self.store.push(expected, content).await {
            Err(e) if e.kind() != ErrorKind::AlreadyExists => return Err(e),
            _ => {}
        }
        self.store.tag(expected, reference).await
    }
}

#[async_trait]
impl Mounter for Fake {
    async fn mount(&self, desc: &Descriptor, from_repository: &str) -> Result<bool> {
        self.calls()
            .mount
            .push((desc.clone(), from_repository.to_owned()));
        match self.behaviour.mounts.get(from_repository) {
            Some(MountAnswer::Mounted) => {
                let source = self.mount_source.as_ref().expect("a mount source");
                let reader = source.fetch(desc).await?;
                self.store.push(desc, reader).await?;
                Ok(true)
            }
            Some(MountAnswer::Fails(kind)) => Err(Error::external(
                *kind,
                format!("mount from {from_repository} failed"),
            )),
            Some(MountAnswer::Declined) | None => Ok(false),
        }
    }
}

#[async_trait]
impl ReferrerLister for Fake {
    async fn referrers(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>> {
        self.calls().referrers.push(subject.clone());
        // Computed from the predecessor index, as a registry's API would answer.
        let mut out = Vec::new();
        for node in self.store.predecessors(subject).await? {
            let content = oras_content::fetch_all(self.store.as_ref(), &node, 1 << 22).await?;
            if oras_content::subject_from_bytes(&node, &content)?
                .is_some_and(|s| s.same_content(subject))
            {
                let mut node = node;
                if let Ok(m) = serde_json::from_slice::<Manifest>(&content) {
                    node.artifact_type = m.artifact_type;
                    node.annotations = m.annotations;
                }
                if artifact_type.is_none_or(|t| t == node.artifact_type) {
                    out.push(node);
                }
            }
        }
        Ok(out)
    }
}

impl Capabilities for Fake {
    fn as_reference_fetcher(&self) -> Option<&dyn ReferenceFetcher> {
        self.behaviour
            .reference_fetcher
            .then_some(self as &dyn ReferenceFetcher)
    }
    fn as_reference_pusher(&self) -> Option<&dyn ReferencePusher> {
        self.behaviour
            .reference_pusher
            .then_some(self as &dyn ReferencePusher)
    }
    fn as_mounter(&self) -> Option<&dyn Mounter> {
        (!self.behaviour.mounts.is_empty()).then_some(self as &dyn Mounter)
    }
    fn as_referrer_lister(&self) -> Option<&dyn ReferrerLister> {
        self.behaviour
            .referrer_lister
            .then_some(self as &dyn ReferrerLister)
    }
    fn as_predecessor_finder(&self) -> Option<&dyn PredecessorFinder> {
        Some(self)
    }
}

// ---- content builders (push straight into a memory store) ----

pub(crate) fn put(store: &memory::Store, media_type: &str, data: &[u8]) -> Descriptor {
    let desc = Descriptor::from_bytes(media_type, data);
    match store.push_bytes(&desc, Bytes::copy_from_slice(data)) {
        Err(e) if e.kind() != ErrorKind::AlreadyExists => panic!("{e}"),
        _ => desc,
    }
}

pub(crate) fn layer(store: &memory::Store, data: &str) -> Descriptor {
    put(store, media_type::IMAGE_LAYER, data.as_bytes())
}

pub(crate) struct ManifestSpec {
    pub(crate) config: Descriptor,
    pub(crate) layers: Vec<Descriptor>,
    pub(crate) subject: Option<Descriptor>,
    pub(crate) artifact_type: String,
    pub(crate) annotations: BTreeMap<String, String>,
}

impl ManifestSpec {
    pub(crate) fn new(config: Descriptor, layers: Vec<Descriptor>) -> Self {
        ManifestSpec {
            config,
            layers,
            subject: None,
            artifact_type: String::new(),
            annotations: BTreeMap::new(),
        }
    }
    pub(crate) fn subject(mut self, subject: &Descriptor) -> Self {
        self.subject = Some(subject.plain());
        self
    }
    pub(crate) fn artifact_type(mut self, t: &str) -> Self {
        self.artifact_type = t.into();
        self
    }
    pub(crate) fn annotation(mut self, k: &str, v: &str) -> Self {
        self.annotations.insert(k.into(), v.into());
        self
    }
    pub(crate) fn put(self, store: &memory::Store) -> Descriptor {
        let manifest = Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.into(),
            artifact_type: self.artifact_type,
            config: self.config,
            layers: self.layers,
            subject: self.subject,
            annotations: self.annotations,
        };
        let parsed = Parsed::from_value(manifest);
        put(store, media_type::IMAGE_MANIFEST, parsed.bytes())
    }
}

/// A manifest of an empty-JSON config and the given layers.
pub(crate) fn manifest(store: &memory::Store, layers: Vec<Descriptor>) -> Descriptor {
    let config = put(store, media_type::EMPTY_JSON, b"{}");
    ManifestSpec::new(config, layers).put(store)
}

/// An image for `os/arch` with an OCI image config carrying the platform.
pub(crate) fn image(store: &memory::Store, os: &str, arch: &str, variant: &str) -> Descriptor {
    let config = format!(
        r#"{{"architecture":"{arch}","os":"{os}","variant":"{variant}","rootfs":{{"type":"layers","diff_ids":[]}}}}"#
    );
    let config = put(store, media_type::IMAGE_CONFIG, config.as_bytes());
    let l = layer(store, &format!("layer of {os}/{arch}/{variant}"));
    ManifestSpec::new(config, vec![l]).put(store)
}

/// An index of `manifests`, each entry carrying the given platform.
pub(crate) fn index(
    store: &memory::Store,
    manifests: Vec<(Descriptor, Option<Platform>)>,
) -> Descriptor {
    let entries = manifests
        .into_iter()
        .map(|(mut d, p)| {
            d.platform = p;
            d
        })
        .collect();
    let parsed = Parsed::from_value(Index::new(entries));
    put(store, media_type::IMAGE_INDEX, parsed.bytes())
}

pub(crate) fn platform(os: &str, arch: &str) -> Platform {
    Platform::new(os, arch)
}

/// Runs `f` under a time bound.
pub(crate) async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("test took too long")
}
