//! Property test: a generated tree (Unicode names, paths longer than the
//! 100 bytes of a plain tar header, empty directories, symbolic links
//! inside the tree, file modes) added as a directory layer and pushed into
//! another file store comes back the same, modes included when
//! permissions are preserved. Few cases by default (`PROPTEST_CASES`
//! raises them).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use oras_content::{Fetcher, Pusher};
use oras_store_file::{Options, Store};
use proptest::prelude::*;

use crate::common::walk;

/// One generated file: the directories above it, its bytes and its mode.
#[derive(Clone, Debug)]
struct GenFile {
    dirs: Vec<String>,
    data: Vec<u8>,
    mode: u32,
}

/// A generated tree: files, empty directories, and links (from the root)
/// to some of the files.
#[derive(Clone, Debug)]
struct GenTree {
    files: Vec<GenFile>,
    empty_dirs: Vec<Vec<String>>,
    linked: Vec<usize>,
}

/// A file name part: letters and digits of any script, spaces, dots and
/// dashes (a numbered prefix keeps names unique and never `.` or `..`).
fn name() -> impl Strategy<Value = String> {
    "[\\p{L}\\p{N} ._-]{1,24}"
}

fn dirs() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(name(), 0..7)
}

fn tree() -> impl Strategy<Value = GenTree> {
    let file = (
        dirs(),
        prop::collection::vec(any::<u8>(), 0..2048),
        prop::sample::select(vec![0o644, 0o755, 0o600, 0o700, 0o640, 0o444]),
    )
        .prop_map(|(dirs, data, mode)| GenFile { dirs, data, mode });
    (
        prop::collection::vec(file, 1..8),
        prop::collection::vec(dirs().prop_filter("non-empty", |d| !d.is_empty()), 0..3),
        prop::collection::vec(0usize..8, 0..3),
    )
        .prop_map(|(files, empty_dirs, linked)| GenTree {
            linked: linked.into_iter().filter(|i| *i < files.len()).collect(),
            files,
            empty_dirs,
        })
}

/// The relative path of a generated entry: each directory and the leaf
/// numbered so no two entries collide.
fn rel_path(kind: &str, index: usize, dirs: &[String], leaf: &str) -> PathBuf {
    let mut path = PathBuf::new();
    for (depth, dir) in dirs.iter().enumerate() {
        path.push(format!("{kind}{index}.{depth} {dir}"));
    }
    path.push(leaf);
    path
}

/// Writes `tree` under `root`; returns the relative path of every file.
fn write_tree(root: &Path, tree: &GenTree) -> Vec<PathBuf> {
    fs::create_dir_all(root).unwrap();
    let mut paths = Vec::new();
    for (i, file) in tree.files.iter().enumerate() {
        let rel = rel_path("d", i, &file.dirs, &format!("f{i} file"));
        let path = root.join(&rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &file.data).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(file.mode)).unwrap();
        paths.push(rel);
    }
    for (i, dirs) in tree.empty_dirs.iter().enumerate() {
        fs::create_dir_all(root.join(rel_path(
            "e",
            i,
            &dirs[..dirs.len() - 1],
            &dirs[dirs.len() - 1],
        )))
        .unwrap();
    }
    for (n, i) in tree.linked.iter().enumerate() {
        std::os::unix::fs::symlink(&paths[*i], root.join(format!("link{n}"))).unwrap();
    }
    // A path well past the 100 bytes of a ustar name (GNU long names).
    let long = root.join(rel_path("long", 0, &vec!["ü".repeat(40); 4], "λ-leaf"));
    fs::create_dir_all(long.parent().unwrap()).unwrap();
    fs::write(&long, b"long").unwrap();
    paths
}

/// What a tree holds, path by path: a file's bytes and mode, a link's
/// text, or a directory.
#[derive(Debug, PartialEq, Eq)]
enum Node {
    File(Vec<u8>, u32),
    Link(PathBuf),
    Dir,
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, Node> {
    walk(root)
        .into_iter()
        .map(|path| {
            let meta = fs::symlink_metadata(&path).unwrap();
            let node = if meta.is_symlink() {
                Node::Link(fs::read_link(&path).unwrap())
            } else if meta.is_dir() {
                Node::Dir
            } else {
                Node::File(fs::read(&path).unwrap(), meta.permissions().mode() & 0o777)
            };
            (path.strip_prefix(root).unwrap().to_path_buf(), node)
        })
        .collect()
}

fn round_trip(tree: &GenTree) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let source_dir = tempfile::tempdir().unwrap();
    let output_dir = tempfile::tempdir().unwrap();
    write_tree(&source_dir.path().join("tree"), tree);
    runtime.block_on(async {
        tokio::time::timeout(std::time::Duration::from_secs(60), async {
            let source = Store::new(source_dir.path()).unwrap();
            let layer = source.add("tree", "", "").await.unwrap();
            let options = Options {
                preserve_permissions: true,
                ..Options::default()
            };
            let output = Store::with_options(output_dir.path(), options).unwrap();
            output
                .push(&layer, source.fetch(&layer).await.unwrap())
                .await
                .unwrap();
            output.close().unwrap();
            source.close().unwrap();
        })
        .await
        .expect("round trip timed out");
    });
    assert_eq!(
        snapshot(&output_dir.path().join("tree")),
        snapshot(&source_dir.path().join("tree"))
    );
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(12),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_generated_tree_unpacks_as_it_was_packed(tree in tree()) {
        round_trip(&tree);
    }
}
