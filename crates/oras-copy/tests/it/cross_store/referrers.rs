//! `extended_copy` from an OCI layout (read back from disk, so the
//! predecessor graph is the one the layout rebuilds on open) into a memory
//! store and into another layout: referrers, referrers of referrers, the
//! referrers of an index's child, the depth limit and the artifact-type
//! filter.

use std::collections::BTreeMap;
use std::path::Path;

use oras_content::{PredecessorFinder, ReadOnlyStorage, Resolver, Tagger, Target, memory};
use oras_copy::{
    ExtendedCopyOptions, PackManifestOptions, PackManifestVersion, extended_copy, pack_manifest,
};
use oras_spec::{Descriptor, Platform, media_type};
use oras_store_oci::{ReadOnlyStore, Store as OciStore};
use regex::Regex;

use crate::cross_store::support::*;

const SIGNATURE: &str = "application/vnd.test.signature";
const SBOM: &str = "application/vnd.test.sbom";

/// ```text
/// subject (v1) ← sig
///              ← sbom ← sbom_sig
/// index (multi) → child ← child_sig
/// ```
/// Each entry holds a manifest with its blobs.
struct Graph {
    subject: Vec<Descriptor>,
    sig: Vec<Descriptor>,
    sbom: Vec<Descriptor>,
    sbom_sig: Vec<Descriptor>,
    index: Descriptor,
    child: Vec<Descriptor>,
    child_sig: Vec<Descriptor>,
    content: BTreeMap<String, Vec<u8>>,
}

/// Pushes a layer with `text` and records it.
async fn layer(
    store: &OciStore,
    content: &mut BTreeMap<String, Vec<u8>>,
    text: &str,
) -> Descriptor {
    let desc = blob(store, media_type::IMAGE_LAYER, text.as_bytes()).await;
    content.insert(desc.digest.to_string(), text.as_bytes().to_vec());
    desc
}

/// Pushes `spec` and records it; returns the manifest and its blobs.
async fn manifest(
    store: &OciStore,
    content: &mut BTreeMap<String, Vec<u8>>,
    spec: ManifestSpec,
) -> Vec<Descriptor> {
    let mut nodes = vec![spec.config.clone()];
    nodes.extend(spec.layers.iter().cloned());
    let (desc, bytes) = spec.build();
    put(store, &desc, &bytes).await;
    content.insert(desc.digest.to_string(), bytes);
    nodes.insert(0, desc);
    nodes
}

async fn build_graph(dir: &Path) -> Graph {
    let store = OciStore::open(dir).await.unwrap();
    let mut content = BTreeMap::new();
    let config = blob(&store, media_type::EMPTY_JSON, b"{}").await;
    content.insert(config.digest.to_string(), b"{}".to_vec());

    let app = layer(&store, &mut content, "app").await;
    let subject = manifest(&store, &mut content, ManifestSpec::new(&config, vec![app])).await;
    store.tag(&subject[0], "v1").await.unwrap();

    let l = layer(&store, &mut content, "signature of app").await;
    let spec = ManifestSpec::new(&config, vec![l]).referring_to(&subject[0], SIGNATURE);
    let sig = manifest(&store, &mut content, spec).await;
    let l = layer(&store, &mut content, "sbom of app").await;
    let spec = ManifestSpec::new(&config, vec![l]).referring_to(&subject[0], SBOM);
    let sbom = manifest(&store, &mut content, spec).await;
    let l = layer(&store, &mut content, "signature of the sbom").await;
    let spec = ManifestSpec::new(&config, vec![l]).referring_to(&sbom[0], SIGNATURE);
    let sbom_sig = manifest(&store, &mut content, spec).await;

    let l = layer(&store, &mut content, "child").await;
    let child = manifest(&store, &mut content, ManifestSpec::new(&config, vec![l])).await;
    let l = layer(&store, &mut content, "signature of child").await;
    let spec = ManifestSpec::new(&config, vec![l]).referring_to(&child[0], SIGNATURE);
    let child_sig = manifest(&store, &mut content, spec).await;
    let mut entry = child[0].clone();
    entry.platform = Some(Platform::new("linux", "amd64"));
    let (index, bytes) = push_index(&store, vec![entry]).await;
    content.insert(index.digest.to_string(), bytes);
    store.tag(&index, "multi").await.unwrap();

    Graph {
        subject,
        sig,
        sbom,
        sbom_sig,
        index,
        child,
        child_sig,
        content,
    }
}

/// The source: the layout reopened read-only from disk.
async fn source(dir: &Path) -> (ReadOnlyStore, Graph) {
    let graph = build_graph(dir).await;
    (ReadOnlyStore::open(dir).await.unwrap(), graph)
}

/// A manifest's nodes without its (shared) config.
fn own(nodes: &[Descriptor]) -> Vec<Descriptor> {
    let mut out = vec![nodes[0].clone()];
    out.extend(nodes[2..].iter().cloned());
    out
}

fn signatures_only() -> ExtendedCopyOptions {
    let mut opts = ExtendedCopyOptions::default();
    opts.filter_artifact_type(Regex::new(&format!("^{}$", regex::escape(SIGNATURE))).unwrap());
    opts
}

fn depth(depth: usize) -> ExtendedCopyOptions {
    ExtendedCopyOptions {
        depth,
        ..ExtendedCopyOptions::default()
    }
}

async fn everything<D: Target>(src: &ReadOnlyStore, g: &Graph, dst: &D) {
    let node = extended_copy(src, "v1", dst, "", &ExtendedCopyOptions::default())
        .await
        .unwrap();
    assert_eq!(node.digest, g.subject[0].digest);
    for nodes in [&g.subject, &g.sig, &g.sbom, &g.sbom_sig] {
        assert_holds(dst, nodes, &g.content).await;
    }
    assert_lacks(
        dst,
        &[g.index.clone(), g.child[0].clone(), g.child_sig[0].clone()],
    )
    .await;
    assert_eq!(dst.resolve("v1").await.unwrap().digest, g.subject[0].digest);
}

async fn one_level<D: Target>(src: &ReadOnlyStore, g: &Graph, dst: &D) {
    extended_copy(src, "v1", dst, "", &depth(1)).await.unwrap();
    for nodes in [&g.subject, &g.sig, &g.sbom] {
        assert_holds(dst, nodes, &g.content).await;
    }
    assert_lacks(dst, &own(&g.sbom_sig)).await;
}

async fn filtered<D: Target>(src: &ReadOnlyStore, g: &Graph, dst: &D) {
    extended_copy(src, "v1", dst, "", &signatures_only())
        .await
        .unwrap();
    for nodes in [&g.subject, &g.sig] {
        assert_holds(dst, nodes, &g.content).await;
    }
    // The sbom is filtered out, and with it the signature hanging off it.
    assert_lacks(dst, &own(&g.sbom)).await;
    assert_lacks(dst, &own(&g.sbom_sig)).await;
}

async fn index_children<D: Target>(src: &ReadOnlyStore, g: &Graph, dst: &D) {
    let node = extended_copy(src, "multi", dst, "", &ExtendedCopyOptions::default())
        .await
        .unwrap();
    assert_eq!(node.digest, g.index.digest);
    assert_holds(dst, std::slice::from_ref(&g.index), &g.content).await;
    for nodes in [&g.child, &g.child_sig] {
        assert_holds(dst, nodes, &g.content).await;
    }
    assert_lacks(dst, &[g.subject[0].clone()]).await;
    assert_eq!(dst.resolve("multi").await.unwrap().digest, g.index.digest);
}

async fn index_without_child_referrers<D: Target>(src: &ReadOnlyStore, g: &Graph, dst: &D) {
    let opts = ExtendedCopyOptions {
        index_child_referrers: false,
        ..ExtendedCopyOptions::default()
    };
    extended_copy(src, "multi", dst, "", &opts).await.unwrap();
    assert_holds(dst, &g.child, &g.content).await;
    assert_lacks(dst, &own(&g.child_sig)).await;
}

#[tokio::test]
async fn from_an_oci_layout_into_memory() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        let (src, g) = source(dir.path()).await;
        everything(&src, &g, &memory::Store::new()).await;
        one_level(&src, &g, &memory::Store::new()).await;
        filtered(&src, &g, &memory::Store::new()).await;
        index_children(&src, &g, &memory::Store::new()).await;
        index_without_child_referrers(&src, &g, &memory::Store::new()).await;
    })
    .await;
}

#[tokio::test]
async fn from_an_oci_layout_into_another() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        let (src, g) = source(&dir.path().join("src")).await;
        let out = |name: &str| dir.path().join(name);
        everything(&src, &g, &OciStore::open(out("all")).await.unwrap()).await;
        one_level(&src, &g, &OciStore::open(out("depth")).await.unwrap()).await;
        filtered(&src, &g, &OciStore::open(out("filtered")).await.unwrap()).await;
        index_children(&src, &g, &OciStore::open(out("index")).await.unwrap()).await;
        let plain = OciStore::open(out("plain")).await.unwrap();
        index_without_child_referrers(&src, &g, &plain).await;

        // The copied layout, reopened, knows the referrers of the subject.
        let copied = ReadOnlyStore::open(out("all")).await.unwrap();
        let mut found: Vec<String> = copied
            .predecessors(&g.subject[0])
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.digest.to_string())
            .collect();
        found.sort();
        let mut want = vec![g.sig[0].digest.to_string(), g.sbom[0].digest.to_string()];
        want.sort();
        assert_eq!(found, want);
        assert_eq!(
            copied.resolve("v1").await.unwrap().digest,
            g.subject[0].digest
        );
    })
    .await;
}

/// An artifact and a signature attached to it in a file store (as `oras
/// push` then `oras attach` build them) copy with `extended_copy` into a
/// layout, which then lists the signature as a referrer.
#[tokio::test]
async fn from_a_file_store_into_a_layout() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.txt"), b"app\n").unwrap();
        std::fs::write(dir.path().join("app.sig"), b"signature\n").unwrap();
        let src = oras_store_file::Store::new(dir.path()).unwrap();
        let app = src.add("app.txt", "", "").await.unwrap();
        let sig_file = src.add("app.sig", "", "").await.unwrap();
        let pack = |layers, subject| PackManifestOptions {
            layers,
            subject,
            manifest_annotations: created(),
            ..Default::default()
        };
        let v = PackManifestVersion::V1_1;
        let subject = pack_manifest(&src, v, ARTIFACT_TYPE, &pack(vec![app.clone()], None))
            .await
            .unwrap();
        src.tag(&subject, "v1").await.unwrap();
        let opts = pack(vec![sig_file.clone()], Some(subject.clone()));
        let sig = pack_manifest(&src, v, SIGNATURE, &opts).await.unwrap();

        let out = tempfile::tempdir().unwrap();
        {
            let dst = OciStore::open(out.path()).await.unwrap();
            extended_copy(&src, "v1", &dst, "", &ExtendedCopyOptions::default())
                .await
                .unwrap();
        }
        let copied = ReadOnlyStore::open(out.path()).await.unwrap();
        let found = copied.predecessors(&subject).await.unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].digest, sig.digest);
        for desc in [&subject, &sig, &app, &sig_file] {
            assert!(copied.exists(desc).await.unwrap(), "{}", desc.digest);
        }
        assert_eq!(copied.resolve("v1").await.unwrap().digest, subject.digest);
        src.close().unwrap();
    })
    .await;
}
