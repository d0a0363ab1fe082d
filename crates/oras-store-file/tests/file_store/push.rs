//! Pushing into the file store: files, directories, the fallback, the
//! options, restoring duplicates, tags and predecessors.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, UNIX_EPOCH};

use oras_content::test_suite::manifest_of;
use oras_content::{
    ErrorKind, Fetcher, PredecessorFinder, ReadOnlyStorage, Resolver, Tagger, fetch_all,
};
use oras_spec::{Descriptor, Digest, annotation, media_type};
use oras_store_file::{Error, Options};

use crate::common::{Fixture, bounded, dir, dir_blob, file, file_blob, file_error, push};

#[tokio::test]
async fn a_titled_blob_becomes_a_file() {
    bounded(async {
        let f = Fixture::new();
        let desc = file_blob("nested/dir/a.txt", b"hello");
        push(&f.store, &desc, b"hello").await.unwrap();
        assert_eq!(fs::read(f.path("nested/dir/a.txt")).unwrap(), b"hello");
        assert!(f.store.exists(&desc).await.unwrap());
        assert!(f.leftovers().is_empty());

        // The same content under the same name again: already exists.
        let again = push(&f.store, &desc, b"hello").await.unwrap_err();
        assert_eq!(again.kind(), ErrorKind::AlreadyExists);
        // Other content under the same name: a duplicate name.
        let other = file_blob("nested/dir/a.txt", b"other");
        let err = push(&f.store, &other, b"other").await.unwrap_err();
        assert!(
            matches!(file_error(&err), Some(Error::DuplicateName(_))),
            "{err}"
        );
        assert_ne!(err.kind(), ErrorKind::AlreadyExists);
        assert_eq!(fs::read(f.path("nested/dir/a.txt")).unwrap(), b"hello");
    })
    .await;
}

#[tokio::test]
async fn a_failed_push_leaves_no_file_and_no_temp() {
    bounded(async {
        let f = Fixture::new();
        fs::write(f.path("keep.txt"), b"old content").unwrap();
        for (data, kind) in [
            (&b"hellO"[..], ErrorKind::DigestMismatch),
            (&b"hell"[..], ErrorKind::SizeMismatch),
            (&b"hello!"[..], ErrorKind::SizeMismatch),
        ] {
            let desc = file_blob("new.txt", b"hello");
            let err = push(&f.store, &desc, data).await.unwrap_err();
            assert_eq!(err.kind(), kind, "{err}");
            assert!(!f.path("new.txt").exists());
            // An existing file is left as it was.
            let over = file_blob("keep.txt", b"hello");
            push(&f.store, &over, data).await.unwrap_err();
            assert_eq!(fs::read(f.path("keep.txt")).unwrap(), b"old content");
            assert!(f.leftovers().is_empty(), "{:?}", f.leftovers());
        }
        // Overwriting is allowed by default, and the name is free again.
        let over = file_blob("keep.txt", b"hello");
        push(&f.store, &over, b"hello").await.unwrap();
        assert_eq!(fs::read(f.path("keep.txt")).unwrap(), b"hello");
    })
    .await;
}

#[tokio::test]
async fn an_overwritten_file_keeps_its_mode() {
    // oras-go truncates and rewrites an existing file, keeping its mode;
    // the rename here carries the old permission bits over. A link in the
    // way is replaced by a file of the default mode, as in Go.
    use std::os::unix::fs::PermissionsExt;
    bounded(async {
        let f = Fixture::new();
        for (name, size) in [("small.txt", 5), ("large.bin", 2 << 20)] {
            let data = vec![b'x'; size];
            fs::write(f.path(name), b"old").unwrap();
            fs::set_permissions(f.path(name), fs::Permissions::from_mode(0o600)).unwrap();
            push(&f.store, &file_blob(name, &data), &data)
                .await
                .unwrap();
            assert_eq!(fs::read(f.path(name)).unwrap(), data, "{name}");
            let mode = fs::metadata(f.path(name)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        fs::write(f.path("target"), b"t").unwrap();
        fs::set_permissions(f.path("target"), fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::symlink("target", f.path("link")).unwrap();
        push(&f.store, &file_blob("link", b"new"), b"new")
            .await
            .unwrap();
        let link = fs::symlink_metadata(f.path("link")).unwrap();
        assert!(link.is_file());
        assert_ne!(link.permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::read(f.path("target")).unwrap(), b"t");
        assert!(f.leftovers().is_empty(), "{:?}", f.leftovers());
    })
    .await;
}

#[tokio::test]
async fn disable_overwrite_refuses_existing_paths() {
    bounded(async {
        let f = Fixture::with(Options {
            disable_overwrite: true,
            ..Options::default()
        });
        fs::write(f.path("keep.txt"), b"old").unwrap();
        std::os::unix::fs::symlink("nowhere", f.path("dangling")).unwrap();
        for name in ["keep.txt", "dangling"] {
            let desc = file_blob(name, b"new");
            let err = push(&f.store, &desc, b"new").await.unwrap_err();
            assert!(
                matches!(file_error(&err), Some(Error::OverwriteDisallowed(_))),
                "{name}: {err}"
            );
        }
        assert_eq!(fs::read(f.path("keep.txt")).unwrap(), b"old");
        let (desc, gz) = dir_blob("tree", &[dir("tree"), file("tree/a", b"a")]);
        fs::create_dir(f.path("tree")).unwrap();
        let err = push(&f.store, &desc, &gz).await.unwrap_err();
        assert!(matches!(
            file_error(&err),
            Some(Error::OverwriteDisallowed(_))
        ));
        push(&f.store, &file_blob("fresh.txt", b"new"), b"new")
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn untitled_content_goes_to_the_bounded_fallback() {
    bounded(async {
        let f = Fixture::with(Options {
            fallback_limit: 8,
            ..Options::default()
        });
        let small = Descriptor::from_bytes(media_type::IMAGE_CONFIG, b"{}");
        push(&f.store, &small, b"{}").await.unwrap();
        assert!(f.store.exists(&small).await.unwrap());
        assert_eq!(fetch_all(&f.store, &small, 10).await.unwrap(), b"{}");
        assert!(
            crate::common::list(f.dir.path()).is_empty(),
            "nothing on disk"
        );
        let big = Descriptor::from_bytes(media_type::IMAGE_CONFIG, b"0123456789");
        let err = push(&f.store, &big, b"0123456789").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit);

        // The default limit is 4 MiB.
        let d = Fixture::new();
        let data = vec![b'x'; 4 * 1024 * 1024 + 1];
        let over = Descriptor::from_bytes(media_type::IMAGE_CONFIG, &data);
        let err = push(&d.store, &over, &data).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit);
        let at = Descriptor::from_bytes(media_type::IMAGE_CONFIG, &data[1..]);
        push(&d.store, &at, &data[1..]).await.unwrap();

        // With ignore_no_name it is dropped.
        let ignoring = Fixture::with(Options {
            ignore_no_name: true,
            ..Options::default()
        });
        push(&ignoring.store, &small, b"{}").await.unwrap();
        assert!(!ignoring.store.exists(&small).await.unwrap());
        let err = ignoring.store.fetch(&small).await.err().unwrap();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    })
    .await;
}

#[tokio::test]
async fn a_directory_blob_is_unpacked_and_checked() {
    bounded(async {
        let f = Fixture::new();
        let entries = [
            dir("tree"),
            dir("tree/sub"),
            file("tree/sub/a.txt", b"a"),
            dir("tree/empty"),
        ];
        let (desc, gz) = dir_blob("tree", &entries);
        push(&f.store, &desc, &gz).await.unwrap();
        let want = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        let accessed = fs::metadata(f.path("tree/sub/a.txt"))
            .unwrap()
            .accessed()
            .unwrap();
        assert_eq!(
            accessed,
            want + Duration::from_secs(5),
            "atime restored (checked before any read)"
        );
        assert_eq!(fs::read(f.path("tree/sub/a.txt")).unwrap(), b"a");
        assert!(f.path("tree/empty").is_dir());
        // Times restored, directories included.
        for p in ["tree/sub/a.txt", "tree/sub", "tree"] {
            assert_eq!(
                fs::metadata(f.path(p)).unwrap().modified().unwrap(),
                want,
                "{p}"
            );
        }
        // The blob can be fetched back (from the kept temp file).
        assert_eq!(fetch_all(&f.store, &desc, 1 << 20).await.unwrap(), gz);
        assert!(f.store.exists(&desc).await.unwrap());
        f.store.close().unwrap();
        assert!(crate::common::list(f.temps.path()).is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_wrong_content_digest_unpacks_nothing() {
    bounded(async {
        let f = Fixture::new();
        let (mut desc, gz) = dir_blob("tree", &[dir("tree"), file("tree/a.txt", b"a")]);
        desc.annotations.insert(
            annotation::CONTENT_DIGEST.to_owned(),
            Digest::sha256(b"something else").to_string(),
        );
        let err = push(&f.store, &desc, &gz).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DigestMismatch);
        assert!(err.to_string().contains("content digest mismatch"), "{err}");
        assert!(!f.path("tree").exists());
        assert!(f.leftovers().is_empty(), "{:?}", f.leftovers());
        assert!(!f.store.exists(&desc).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn skip_unpack_keeps_the_archive() {
    bounded(async {
        let f = Fixture::with(Options {
            skip_unpack: true,
            ..Options::default()
        });
        let (desc, gz) = dir_blob("tree", &[dir("tree"), file("tree/a.txt", b"a")]);
        push(&f.store, &desc, &gz).await.unwrap();
        assert_eq!(fs::read(f.path("tree")).unwrap(), gz);
    })
    .await;
}

#[tokio::test]
async fn permissions_only_with_preserve_permissions() {
    bounded(async {
        let entries = [
            crate::common::Entry {
                mode: 0o777,
                ..dir("tree")
            },
            crate::common::Entry {
                mode: 0o777,
                ..file("tree/open", b"x")
            },
            crate::common::Entry {
                mode: 0o4755,
                ..file("tree/suid", b"x")
            },
            crate::common::Entry {
                mode: 0o600,
                ..file("tree/private", b"x")
            },
        ];
        let (desc, gz) = dir_blob("tree", &entries);
        let mode = |f: &Fixture, p: &str| fs::metadata(f.path(p)).unwrap().mode() & 0o7777;

        let plain = Fixture::new();
        push(&plain.store, &desc, &gz).await.unwrap();
        // The recorded mode is only the creation mode: the umask narrows it.
        for (p, recorded) in [("tree/open", 0o777), ("tree/private", 0o600)] {
            assert_eq!(mode(&plain, p) & !recorded, 0, "{p}");
        }
        assert_eq!(mode(&plain, "tree/suid") & 0o7000, 0);

        let preserving = Fixture::with(Options {
            preserve_permissions: true,
            ..Options::default()
        });
        push(&preserving.store, &desc, &gz).await.unwrap();
        assert_eq!(mode(&preserving, "tree/open"), 0o777);
        assert_eq!(mode(&preserving, "tree"), 0o777);
        assert_eq!(mode(&preserving, "tree/private"), 0o600);
        assert_eq!(
            mode(&preserving, "tree/suid"),
            0o755,
            "no set-uid from a tar"
        );
    })
    .await;
}

#[tokio::test]
async fn duplicates_are_restored_unless_force_cas() {
    for force_cas in [false, true] {
        bounded(async {
            let f = Fixture::with(Options {
                force_cas,
                ..Options::default()
            });
            let a = file_blob("a.txt", b"same");
            let b = file_blob("b.txt", b"same");
            let config = Descriptor::empty_json();
            let manifest = manifest_of(&config, &[a.clone(), b.clone()]);
            let manifest_desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
            push(&f.store, &config, b"{}").await.unwrap();
            push(&f.store, &a, b"same").await.unwrap();
            // A copy skips b.txt: a CAS holds its content already.
            push(&f.store, &manifest_desc, manifest.bytes())
                .await
                .unwrap();
            let restored = f.store.take_restored();
            if force_cas {
                assert!(restored.is_empty());
                assert!(!f.path("b.txt").exists());
            } else {
                assert_eq!(restored, vec![b.clone()]);
                assert_eq!(fs::read(f.path("b.txt")).unwrap(), b"same");
                assert!(f.store.exists(&b).await.unwrap());
                assert!(f.store.take_restored().is_empty(), "taken once");
            }
            // Predecessors come from the pushed manifest.
            let preds = f.store.predecessors(&b).await.unwrap();
            assert_eq!(preds.len(), 1);
            assert!(preds[0].same_content(&manifest_desc));
        })
        .await;
    }
}

#[tokio::test]
async fn a_manifest_before_its_blobs_restores_nothing() {
    bounded(async {
        let f = Fixture::new();
        let a = file_blob("a.txt", b"a");
        let config = Descriptor::empty_json();
        let manifest = manifest_of(&config, std::slice::from_ref(&a));
        let desc = manifest.descriptor(media_type::IMAGE_MANIFEST);
        push(&f.store, &desc, manifest.bytes()).await.unwrap();
        assert!(f.store.take_restored().is_empty());
        push(&f.store, &a, b"a").await.unwrap();
        assert_eq!(f.store.predecessors(&a).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn tags_and_references() {
    bounded(async {
        let f = Fixture::new();
        let blob = file_blob("a.txt", b"a");
        let err = f.store.resolve("").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingReference);
        let err = f.store.tag(&blob, "v1").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        push(&f.store, &blob, b"a").await.unwrap();
        assert_eq!(
            f.store.tag(&blob, "").await.unwrap_err().kind(),
            ErrorKind::MissingReference
        );
        f.store.tag(&blob, "v1").await.unwrap();
        assert_eq!(f.store.resolve("v1").await.unwrap(), blob);
        // By digest, even for titled content (beyond oras-go).
        let by_digest = f.store.resolve(&blob.digest.to_string()).await.unwrap();
        assert!(by_digest.same_content(&blob));
        // A title that names nothing here is not found, whatever the digest.
        let renamed = file_blob("other.txt", b"a");
        assert!(!f.store.exists(&renamed).await.unwrap());
        assert_eq!(
            f.store.fetch(&renamed).await.err().unwrap().kind(),
            ErrorKind::NotFound
        );
        assert!(f.store.exists(&blob.plain()).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn unknown_entry_types_are_skipped() {
    bounded(async {
        let f = Fixture::new();
        let entries = [
            dir("tree"),
            crate::common::special("tree/fifo", b'6'),
            crate::common::special("tree/chardev", b'3'),
            crate::common::special("tree/blockdev", b'4'),
            file("tree/a", b"a"),
        ];
        let (desc, gz) = dir_blob("tree", &entries);
        push(&f.store, &desc, &gz).await.unwrap();
        let names: Vec<_> = crate::common::list(&f.path("tree"))
            .into_iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a"]);
    })
    .await;
}

#[tokio::test]
async fn an_empty_title_is_no_title() {
    bounded(async {
        let f = Fixture::new();
        let desc = file_blob("", b"x");
        push(&f.store, &desc, b"x").await.unwrap();
        assert!(
            crate::common::list(f.dir.path()).is_empty(),
            "kept in memory"
        );
        assert!(f.store.exists(&desc).await.unwrap());
        assert_eq!(fetch_all(&f.store, &desc, 10).await.unwrap(), b"x");
        // The working directory itself cannot be written as a file.
        let err = push(&f.store, &file_blob(".", b"y"), b"y")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io, "{err}");
        assert!(f.leftovers().is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_dot_title_unpacks_into_the_working_dir() {
    bounded(async {
        let source = Fixture::new();
        fs::create_dir(source.path("sub")).unwrap();
        fs::write(source.path("sub/a.txt"), b"a").unwrap();
        fs::write(source.path("b.txt"), b"b").unwrap();
        let desc = source.store.add(".", "", "").await.unwrap();
        let gz = fetch_all(&source.store, &desc, 1 << 20).await.unwrap();
        let names: Vec<String> = tar::Archive::new(&crate::common::gunzip(&gz)[..])
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [".", "b.txt", "sub", "sub/a.txt"],
            "names as Go joins them"
        );

        let output = Fixture::new();
        push(&output.store, &desc, &gz).await.unwrap();
        assert_eq!(fs::read(output.path("sub/a.txt")).unwrap(), b"a");
        assert_eq!(fs::read(output.path("b.txt")).unwrap(), b"b");
    })
    .await;
}

#[tokio::test]
async fn concurrent_pushes_through_a_shared_target() {
    bounded(async {
        let f = Fixture::new();
        let target: std::sync::Arc<dyn oras_content::GraphTarget> = std::sync::Arc::new(f.store);
        let mut tasks = Vec::new();
        for i in 0..8 {
            let target = target.clone();
            tasks.push(tokio::spawn(async move {
                let data = format!("content {i}").into_bytes();
                // Every task pushes "same.txt" too; exactly one wins.
                let same = file_blob("same.txt", b"same");
                let mine = file_blob(&format!("dir/{i}.txt"), &data);
                target
                    .push(&mine, oras_content::bytes_reader(data))
                    .await
                    .unwrap();
                target
                    .push(&same, oras_content::bytes_reader(&b"same"[..]))
                    .await
                    .is_ok()
            }));
        }
        let mut wins = 0;
        for task in tasks {
            wins += usize::from(task.await.unwrap());
        }
        assert_eq!(wins, 1);
        assert_eq!(crate::common::list(&f.dir.path().join("dir")).len(), 8);
        assert_eq!(fs::read(f.dir.path().join("same.txt")).unwrap(), b"same");
    })
    .await;
}
