//! A directory added to one file store, copied through a memory store and
//! pushed into another file store comes back as the same tree.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use oras_content::{Fetcher, Pusher, memory};
use oras_spec::{Descriptor, Manifest, Parsed, media_type};
use oras_store_file::Store;

use crate::common::{bounded, walk};

/// What a tree holds, path by path: a file's bytes, a link's text, or a
/// directory.
#[derive(Debug, PartialEq, Eq)]
enum Node {
    File(Vec<u8>),
    Link(String),
    Dir,
}

fn snapshot(root: &Path) -> BTreeMap<String, Node> {
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
                Node::Link(fs::read_link(&path).unwrap().to_string_lossy().into_owned())
            } else if meta.is_dir() {
                Node::Dir
            } else {
                Node::File(fs::read(&path).unwrap())
            };
            (rel, node)
        })
        .collect()
}

async fn copy<S: Fetcher + ?Sized, D: Pusher + ?Sized>(from: &S, to: &D, nodes: &[Descriptor]) {
    for desc in nodes {
        to.push(desc, from.fetch(desc).await.unwrap())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_tree_survives_file_to_memory_to_file() {
    bounded(async {
        let source_dir = tempfile::tempdir().unwrap();
        let tree = source_dir.path().join("tree");
        fs::create_dir_all(tree.join("a/b/c")).unwrap();
        fs::create_dir_all(tree.join("empty")).unwrap();
        fs::write(tree.join("top.txt"), b"top level").unwrap();
        fs::write(tree.join("a/one.txt"), b"one").unwrap();
        fs::write(tree.join("a/b/c/deep.bin"), vec![7u8; 70_000]).unwrap();
        std::os::unix::fs::symlink("../top.txt", tree.join("a/to-top")).unwrap();
        fs::write(source_dir.path().join("single.txt"), b"single").unwrap();

        let source = Store::new(source_dir.path()).unwrap();
        let layer = source.add("tree", "", "").await.unwrap();
        let single = source.add("single.txt", "", "").await.unwrap();
        let config = Descriptor::empty_json();
        let manifest = Parsed::from_value(Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.to_owned(),
            artifact_type: media_type::UNKNOWN_ARTIFACT.to_owned(),
            config: config.clone(),
            layers: vec![layer.clone(), single.clone()],
            subject: None,
            annotations: BTreeMap::new(),
        });
        let manifest_desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
        let nodes = [config.clone(), layer, single, manifest_desc.clone()];
        // The config and manifest live in the source's fallback.
        source
            .push(&config, oras_content::bytes_reader(&b"{}"[..]))
            .await
            .unwrap();
        source
            .push(
                &manifest_desc,
                oras_content::bytes_reader(manifest.bytes().to_vec()),
            )
            .await
            .unwrap();

        let middle = memory::Store::new();
        copy(&source, &middle, &nodes).await;

        let output_dir = tempfile::tempdir().unwrap();
        let output = Store::new(output_dir.path()).unwrap();
        copy(&middle, &output, &nodes).await;

        assert_eq!(snapshot(&tree), snapshot(&output_dir.path().join("tree")));
        let got = snapshot(&output_dir.path().join("tree"));
        assert_eq!(got["empty"], Node::Dir);
        assert_eq!(got["a/to-top"], Node::Link("../top.txt".into()));
        assert_eq!(
            fs::read(output_dir.path().join("single.txt")).unwrap(),
            b"single"
        );
        let mut names: Vec<_> = crate::common::list(output_dir.path())
            .into_iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["single.txt", "tree"], "nothing else on disk");
    })
    .await;
}
