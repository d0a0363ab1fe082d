//! Shared helpers: a time bound, content builders that push through the
//! storage traits (so they fill any store), the multi-platform fixture,
//! assertions on stores and trees, and a recorder of progress events.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oras_content::{ErrorKind, ReadOnlyStorage, Storage, Target, bytes_reader, fetch_all};
use oras_copy::{CopyEvent, CopyGraphOptions};
use oras_spec::{Descriptor, Index, Manifest, Parsed, Platform, annotation, media_type};

/// Every test finishes within this (disk and gzip work included).
const TEST_LIMIT: Duration = Duration::from_secs(60);

/// Runs `f` under the time bound of every test here.
pub(crate) async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(TEST_LIMIT, f)
        .await
        .expect("test took too long")
}

/// The largest blob a test reads back whole.
const READ_CAP: u64 = 16 << 20;

/// The artifact type of the artifacts packed here.
pub(crate) const ARTIFACT_TYPE: &str = "application/vnd.test";

/// A fixed `created` annotation, so manifests are reproducible.
pub(crate) fn created() -> BTreeMap<String, String> {
    BTreeMap::from([(
        annotation::CREATED.to_owned(),
        "2000-01-01T00:00:00Z".to_owned(),
    )])
}

// ---- pushing content through the traits ----

/// Pushes `data` as `desc` into any store; content already there is fine.
pub(crate) async fn put<S: Storage + ?Sized>(store: &S, desc: &Descriptor, data: &[u8]) {
    match store.push(desc, bytes_reader(data.to_vec())).await {
        Err(e) if e.kind() != ErrorKind::AlreadyExists => panic!("push {}: {e}", desc.digest),
        _ => {}
    }
}

/// Describes and pushes `data` of `media_type`.
pub(crate) async fn blob<S: Storage + ?Sized>(
    store: &S,
    media_type: &str,
    data: &[u8],
) -> Descriptor {
    let desc = Descriptor::from_bytes(media_type, data);
    put(store, &desc, data).await;
    desc
}

/// A manifest of `config` and `layers`, optionally referring to `subject`.
pub(crate) struct ManifestSpec {
    pub(crate) config: Descriptor,
    pub(crate) layers: Vec<Descriptor>,
    pub(crate) subject: Option<Descriptor>,
    pub(crate) artifact_type: String,
}

impl ManifestSpec {
    pub(crate) fn new(config: &Descriptor, layers: Vec<Descriptor>) -> Self {
        ManifestSpec {
            config: config.clone(),
            layers,
            subject: None,
            artifact_type: String::new(),
        }
    }

    pub(crate) fn referring_to(mut self, subject: &Descriptor, artifact_type: &str) -> Self {
        self.subject = Some(subject.plain());
        self.artifact_type = artifact_type.to_owned();
        self
    }

    /// The manifest's bytes and descriptor (carrying its artifact type, as
    /// a referrers listing would).
    pub(crate) fn build(self) -> (Descriptor, Vec<u8>) {
        let artifact_type = self.artifact_type.clone();
        let parsed = Parsed::from_value(Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.to_owned(),
            artifact_type: self.artifact_type,
            config: self.config,
            layers: self.layers,
            subject: self.subject,
            annotations: BTreeMap::new(),
        });
        let mut desc = parsed.descriptor(media_type::IMAGE_MANIFEST);
        desc.artifact_type = artifact_type;
        (desc, parsed.bytes().to_vec())
    }
}

/// Builds and pushes an OCI index of `manifests` (descriptors as listed).
pub(crate) async fn push_index<S: Storage + ?Sized>(
    store: &S,
    manifests: Vec<Descriptor>,
) -> (Descriptor, Vec<u8>) {
    let parsed = Parsed::from_value(Index::new(manifests));
    let desc = parsed.descriptor(media_type::IMAGE_INDEX);
    put(store, &desc, parsed.bytes()).await;
    (desc, parsed.bytes().to_vec())
}

/// `desc` with the title annotation `title`.
pub(crate) fn titled(mut desc: Descriptor, title: &str) -> Descriptor {
    desc.annotations
        .insert(annotation::TITLE.to_owned(), title.to_owned());
    desc
}

// ---- the multi-platform fixture ----

/// The two platforms of the fixture, by architecture.
pub(crate) const ARCHES: [&str; 2] = ["amd64", "arm64"];

/// One platform's image: a config carrying the platform and three titled
/// layers (one large enough to stream in several chunks).
pub(crate) struct Image {
    /// The manifest as the index lists it (with its platform).
    pub(crate) manifest: Descriptor,
    pub(crate) config: Descriptor,
    pub(crate) layers: Vec<Descriptor>,
}

impl Image {
    /// The manifest, config and layers.
    pub(crate) fn nodes(&self) -> Vec<Descriptor> {
        let mut out = vec![self.manifest.clone(), self.config.clone()];
        out.extend(self.layers.iter().cloned());
        out
    }
}

/// An index (tagged `v1` in its store) of two platform images, and the
/// bytes of every node by digest.
pub(crate) struct Fixture {
    pub(crate) index: Descriptor,
    pub(crate) images: Vec<Image>,
    pub(crate) content: BTreeMap<String, Vec<u8>>,
}

/// The titled layer files of the fixture: `(arch, title, bytes)`.
pub(crate) fn layer_files() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out = Vec::new();
    for arch in ARCHES {
        // 300 kB: several chunks through every reader on the way.
        let big: Vec<u8> = (0..300_000u32)
            .map(|i| (i % 251) as u8 ^ arch.as_bytes()[1])
            .collect();
        out.push((arch, format!("{arch}-0.bin"), big));
        for i in 1..3 {
            let text = format!("layer {i} of linux/{arch}\n").into_bytes();
            out.push((arch, format!("{arch}-{i}.txt"), text));
        }
    }
    out
}

/// The fixture's layers pushed through the traits (titled, so a file store
/// destination writes them as files).
pub(crate) async fn push_layers<S: Storage + ?Sized>(store: &S) -> Vec<(&'static str, Descriptor)> {
    let mut out = Vec::new();
    for (arch, title, data) in layer_files() {
        let desc = titled(
            Descriptor::from_bytes(media_type::IMAGE_LAYER, &data),
            &title,
        );
        put(store, &desc, &data).await;
        out.push((arch, desc));
    }
    out
}

/// The fixture's layers written to `dir` and added to a file store, as
/// `oras push` describes files (in place, titled).
pub(crate) async fn add_layers(
    store: &oras_store_file::Store,
    dir: &Path,
) -> Vec<(&'static str, Descriptor)> {
    let mut out = Vec::new();
    for (arch, title, data) in layer_files() {
        fs::write(dir.join(&title), &data).unwrap();
        let desc = store.add(&title, "", "").await.unwrap();
        assert_eq!(desc.title(), Some(title.as_str()));
        assert_eq!(desc.digest, Descriptor::from_bytes("", &data).digest);
        out.push((arch, desc));
    }
    out
}

impl Fixture {
    /// Builds configs, manifests and the index over `layers` (already in
    /// `store`) and tags the index `v1`.
    pub(crate) async fn build<S: Target + ?Sized>(
        store: &S,
        layers: Vec<(&'static str, Descriptor)>,
    ) -> Fixture {
        let mut content: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for (_, _, data) in layer_files() {
            let digest = Descriptor::from_bytes("", &data).digest.to_string();
            content.insert(digest, data);
        }
        let mut images = Vec::new();
        for arch in ARCHES {
            let config_bytes = format!(
                r#"{{"architecture":"{arch}","os":"linux","rootfs":{{"type":"layers","diff_ids":[]}}}}"#
            )
            .into_bytes();
            let config = blob(store, media_type::IMAGE_CONFIG, &config_bytes).await;
            content.insert(config.digest.to_string(), config_bytes);
            let image_layers: Vec<Descriptor> = layers
                .iter()
                .filter(|(a, _)| *a == arch)
                .map(|(_, d)| d.clone())
                .collect();
            let (mut manifest, bytes) = ManifestSpec::new(&config, image_layers.clone()).build();
            put(store, &manifest, &bytes).await;
            content.insert(manifest.digest.to_string(), bytes);
            manifest.platform = Some(Platform::new("linux", arch));
            images.push(Image {
                manifest,
                config,
                layers: image_layers,
            });
        }
        let (index, bytes) =
            push_index(store, images.iter().map(|i| i.manifest.clone()).collect()).await;
        content.insert(index.digest.to_string(), bytes);
        store.tag(&index, "v1").await.unwrap();
        Fixture {
            index,
            images,
            content,
        }
    }

    /// Every node: the index, then each image's nodes.
    pub(crate) fn nodes(&self) -> Vec<Descriptor> {
        let mut out = vec![self.index.clone()];
        for image in &self.images {
            out.extend(image.nodes());
        }
        out
    }

    /// The image for `arch`.
    pub(crate) fn image(&self, arch: &str) -> &Image {
        let i = ARCHES.iter().position(|a| *a == arch).unwrap();
        &self.images[i]
    }
}

// ---- assertions ----

/// `store` has every node of `nodes`, with exactly the bytes of `content`.
pub(crate) async fn assert_holds<S: ReadOnlyStorage + ?Sized>(
    store: &S,
    nodes: &[Descriptor],
    content: &BTreeMap<String, Vec<u8>>,
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
            content.get(&desc.digest.to_string()).unwrap(),
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

/// The names directly under `dir`, sorted.
pub(crate) fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    names.sort();
    names
}

/// Every path under `root` (not following links), depth first.
pub(crate) fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if fs::symlink_metadata(&path).unwrap().is_dir() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out
}

/// What a tree holds, path by path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Node {
    File(Vec<u8>),
    Link(PathBuf),
    Dir,
}

/// The tree under `root`: each relative path with its file bytes, link
/// target or directory mark.
pub(crate) fn snapshot(root: &Path) -> BTreeMap<String, Node> {
    walk(root)
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let meta = fs::symlink_metadata(&path).unwrap();
            let node = if meta.is_symlink() {
                Node::Link(fs::read_link(&path).unwrap())
            } else if meta.is_dir() {
                Node::Dir
            } else {
                Node::File(fs::read(&path).unwrap())
            };
            (rel, node)
        })
        .collect()
}

/// The path of a blob in the OCI layout at `root`.
pub(crate) fn blob_path(root: &Path, desc: &Descriptor) -> PathBuf {
    root.join("blobs")
        .join(desc.digest.algorithm().to_string())
        .join(desc.digest.encoded())
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
    /// Progress events (chunks), of any node.
    pub(crate) chunks: usize,
}

impl Seen {
    /// The digests of `kind` as a set.
    pub(crate) fn set(list: &[String]) -> BTreeSet<String> {
        list.iter().cloned().collect()
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
            CopyEvent::Progress { .. } => seen.chunks += 1,
        }
    });
    (graph, seen)
}

/// The digests of `nodes` as a set.
pub(crate) fn digests(nodes: &[Descriptor]) -> BTreeSet<String> {
    nodes.iter().map(|d| d.digest.to_string()).collect()
}
