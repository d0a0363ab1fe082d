//! Layers that are harmless alone and hostile together: a link made by
//! one layer, a hop made by another, a write through both by a third,
//! in every order, with bodies that arrive only after another layer
//! finished (so that every title was checked before any link existed).

use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use oras_content::{BlobReader, Pusher};
use oras_spec::Descriptor;
use oras_store_file::{Options, Store};
use tokio::io::AsyncWriteExt;

use crate::common::{
    assert_title_traversal, assert_unsafe_entry, bounded, dir, dir_blob, file, file_blob,
    symlink as link_entry, walk,
};

/// A working directory two levels below `base`, so that `../../..` from
/// `<wd>/t` is `base`, where `victim/` waits.
struct Scene {
    base: tempfile::TempDir,
    wd: PathBuf,
    store: Arc<Store>,
    _temps: tempfile::TempDir,
}

impl Scene {
    fn new() -> Self {
        let base = tempfile::tempdir().unwrap();
        let wd = base.path().join("x/out");
        fs::create_dir_all(&wd).unwrap();
        fs::create_dir(base.path().join("victim")).unwrap();
        let temps = tempfile::tempdir().unwrap();
        let store = Store::with_options(
            &wd,
            Options {
                temp_dir: Some(temps.path().to_path_buf()),
                ..Options::default()
            },
        )
        .unwrap();
        Scene {
            base,
            wd,
            store: Arc::new(store),
            _temps: temps,
        }
    }

    fn victim(&self) -> PathBuf {
        self.base.path().join("victim")
    }

    /// Nothing was made outside the working directory, and no link under
    /// it resolves outside.
    fn assert_contained(&self) {
        let mut top: Vec<_> = fs::read_dir(self.base.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        top.sort();
        assert_eq!(top, ["victim", "x"], "{:?}", walk(self.base.path()));
        assert!(
            walk(&self.victim()).is_empty(),
            "{:?}",
            walk(&self.victim())
        );
        let x: Vec<_> = fs::read_dir(self.base.path().join("x")).unwrap().collect();
        assert_eq!(x.len(), 1, "only out/ in x/");
        let real_wd = fs::canonicalize(&self.wd).unwrap();
        for path in walk(&self.wd) {
            if fs::symlink_metadata(&path).unwrap().is_symlink()
                && let Ok(real) = fs::canonicalize(&path)
            {
                assert!(
                    real.starts_with(&real_wd),
                    "{} resolves to {}",
                    path.display(),
                    real.display()
                );
            }
        }
    }
}

/// A layer and its body.
#[derive(Clone)]
struct Layer {
    desc: Descriptor,
    body: Vec<u8>,
}

fn layer_a(text: &str) -> Layer {
    let (desc, body) = dir_blob("t", &[dir("t"), link_entry("t/out", text)]);
    Layer { desc, body }
}

fn layer_e() -> Layer {
    let (desc, body) = dir_blob(".", &[dir("t"), link_entry("t/hop", ".")]);
    Layer { desc, body }
}

/// Layer B: a small file, a large one (streamed through a temp file), or
/// a directory, titled `t/out/x`.
fn layer_b(kind: &str) -> Layer {
    match kind {
        "small" => Layer {
            desc: file_blob("t/out/x", b"pwned"),
            body: b"pwned".to_vec(),
        },
        "large" => {
            let body = vec![b'p'; (1 << 20) + 1];
            Layer {
                desc: file_blob("t/out/x", &body),
                body,
            }
        }
        _ => {
            let (desc, body) = dir_blob("t/out/x", &[dir("t/out/x"), file("t/out/x/f", b"pwned")]);
            Layer { desc, body }
        }
    }
}

/// Starts every push at once (each title checked, each body awaited),
/// then hands out the bodies in `order`, each after the previous push
/// ended. Returns each push's result, then that of `verify_links`.
async fn run(scene: &Scene, layers: &[Layer], order: &[usize]) -> Vec<oras_content::Result<()>> {
    let mut writers = Vec::new();
    let mut pushes = Vec::new();
    for layer in layers {
        let (writer, reader) = tokio::io::duplex(1 << 16);
        writers.push(Some(writer));
        let store = Arc::clone(&scene.store);
        let desc = layer.desc.clone();
        pushes.push(Some(tokio::spawn(async move {
            store.push(&desc, BlobReader::new(reader)).await
        })));
    }
    // Every push has checked its title and waits for its body.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut results: Vec<Option<oras_content::Result<()>>> = layers.iter().map(|_| None).collect();
    for &i in order {
        let mut writer = writers[i].take().unwrap();
        let body = layers[i].body.clone();
        let feed = tokio::spawn(async move {
            // The push may fail (and drop its reader) before it read all.
            let _ = writer.write_all(&body).await;
            let _ = writer.shutdown().await;
        });
        results[i] = Some(pushes[i].take().unwrap().await.unwrap());
        feed.await.unwrap();
    }
    let mut out: Vec<_> = results.into_iter().map(Option::unwrap).collect();
    out.push(scene.store.verify_links().map_err(Into::into));
    out
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for rest in permutations(n - 1) {
        for at in 0..=rest.len() {
            let mut p = rest.clone();
            p.insert(at, n - 1);
            out.push(p);
        }
    }
    out
}

/// The A/E/B attack: A's link climbs out through E's hop, B writes
/// through A's link. In every order and with every kind of B, something
/// fails and nothing outside is touched.
#[tokio::test]
async fn link_hop_and_write_from_three_layers_never_escape() {
    bounded(async {
        for kind in ["small", "large", "dir"] {
            for text in ["hop/hop/hop/../../../victim", "hop/../../../victim"] {
                let layers = [layer_a(text), layer_e(), layer_b(kind)];
                for order in permutations(3) {
                    let scene = Scene::new();
                    let results = run(&scene, &layers, &order).await;
                    assert!(
                        results.iter().any(Result::is_err),
                        "{kind} {text} {order:?}: every layer was accepted"
                    );
                    // A's link text is refused, whatever came before it.
                    assert_unsafe_entry(results[0].as_ref().unwrap_err());
                    scene.assert_contained();
                }
            }
        }
    })
    .await;
}

/// Variants of the attack with clean link texts: an absolute link to the
/// victim, and a hop one level up made by a layer titled `.`. They are
/// refused or stay inside, in every order.
#[tokio::test]
async fn clean_link_variants_never_escape() {
    bounded(async {
        let scene_for_abs = Scene::new();
        let abs = scene_for_abs.victim();
        let variants: Vec<Vec<Layer>> = vec![
            vec![layer_a(abs.to_str().unwrap()), layer_b("small")],
            vec![
                {
                    let (desc, body) = dir_blob(".", &[dir("t"), link_entry("t/up", "..")]);
                    Layer { desc, body }
                },
                layer_a("up/up/up/victim"),
                layer_b("small"),
            ],
            vec![
                {
                    let (desc, body) = dir_blob(".", &[link_entry("up", "..")]);
                    Layer { desc, body }
                },
                layer_a("../up/victim"),
                layer_b("dir"),
            ],
        ];
        for layers in &variants {
            for order in permutations(layers.len()) {
                let scene = Scene::new();
                let _ = run(&scene, layers, &order).await;
                scene.assert_contained();
            }
        }
    })
    .await;
}

/// The write itself is confined: a link planted under a title after the
/// title was checked (while its body downloads) is not written through,
/// for a small file, a large one and a directory.
#[tokio::test]
async fn a_link_planted_after_the_title_check_is_not_written_through() {
    bounded(async {
        for kind in ["small", "large", "dir"] {
            let scene = Scene::new();
            let layer = layer_b(kind);
            let (mut writer, reader) = tokio::io::duplex(1 << 16);
            let store = Arc::clone(&scene.store);
            let desc = layer.desc.clone();
            let push =
                tokio::spawn(async move { store.push(&desc, BlobReader::new(reader)).await });
            tokio::time::sleep(Duration::from_millis(50)).await;
            // Planted between the check and the write (a file has its
            // temp file in `t/out/` already: swapped for the link).
            fs::create_dir_all(scene.wd.join("t")).unwrap();
            if kind != "dir" {
                fs::remove_dir_all(scene.wd.join("t/out")).unwrap();
            }
            symlink(scene.victim(), scene.wd.join("t/out")).unwrap();
            let body = layer.body.clone();
            let feed = tokio::spawn(async move {
                let _ = writer.write_all(&body).await;
                let _ = writer.shutdown().await;
            });
            let err = push.await.unwrap().unwrap_err();
            feed.await.unwrap();
            assert_title_traversal_or_entry(&err, kind);
            assert!(walk(&scene.victim()).is_empty(), "{kind}");
            assert!(
                walk(&scene.wd).iter().all(|p| !p
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with(".oras")),
                "{kind}: temp files left: {:?}",
                walk(&scene.wd)
            );
        }
    })
    .await;
}

fn assert_title_traversal_or_entry(err: &oras_content::Error, kind: &str) {
    if kind == "dir" {
        crate::common::assert_traversal(err);
    } else {
        assert_title_traversal(err);
    }
}

/// Links are checked again when the pull ends: one that leads out
/// through a directory swapped for a link meanwhile is removed, and the
/// check fails.
#[tokio::test]
async fn links_that_lead_out_at_the_end_are_removed() {
    bounded(async {
        let scene = Scene::new();
        let (desc, body) = dir_blob(
            "t",
            &[dir("t"), dir("t/sub"), link_entry("t/l", "sub/inner")],
        );
        scene
            .store
            .push(&desc, oras_content::bytes_reader(body))
            .await
            .unwrap();
        scene.store.verify_links().unwrap();
        fs::remove_dir(scene.wd.join("t/sub")).unwrap();
        symlink(scene.victim(), scene.wd.join("t/sub")).unwrap();
        let err = scene.store.verify_links().unwrap_err();
        assert!(
            matches!(err, oras_store_file::Error::UnsafeEntry { .. }),
            "{err}"
        );
        assert!(
            fs::symlink_metadata(scene.wd.join("t/l")).is_err(),
            "removed"
        );
        // Reported once; the store is clean again.
        scene.store.verify_links().unwrap();
        assert!(scene.store.close().is_ok());
    })
    .await;
}
