//! `Store::add`: files described in place, directories packed.

use std::fs;

use oras_content::{ErrorKind, Fetcher, ReadOnlyStorage, fetch_all};
use oras_spec::{Digest, annotation, media_type};
use oras_store_file::{Error, Options, Store};

use crate::common::{Fixture, bounded, gunzip};

#[tokio::test]
async fn a_file_is_described_in_place() {
    bounded(async {
        let f = Fixture::new();
        fs::write(f.path("a.txt"), b"hello").unwrap();
        let desc = f.store.add("a.txt", "", "").await.unwrap();
        assert_eq!(desc.media_type, media_type::IMAGE_LAYER);
        assert_eq!(desc.digest, Digest::sha256(b"hello"));
        assert_eq!(desc.size, 5);
        assert_eq!(desc.title(), Some("a.txt"));
        assert_eq!(desc.annotations.len(), 1);
        assert!(f.store.exists(&desc).await.unwrap());
        // Described in place: no copy was made anywhere.
        assert!(f.leftovers().is_empty());
        assert_eq!(crate::common::list(f.dir.path()).len(), 1);
        assert_eq!(fetch_all(&f.store, &desc, 100).await.unwrap(), b"hello");

        // A path apart from the name, and a media type.
        let other = tempfile::tempdir().unwrap();
        fs::write(other.path().join("data.bin"), b"xyz").unwrap();
        let desc = f
            .store
            .add(
                "renamed.bin",
                "application/x-custom",
                other.path().join("data.bin"),
            )
            .await
            .unwrap();
        assert_eq!(desc.media_type, "application/x-custom");
        assert_eq!(desc.title(), Some("renamed.bin"));
        assert_eq!(fetch_all(&f.store, &desc, 100).await.unwrap(), b"xyz");
    })
    .await;
}

#[tokio::test]
async fn names_are_required_and_unique() {
    bounded(async {
        let f = Fixture::new();
        fs::write(f.path("a.txt"), b"hello").unwrap();
        assert!(matches!(
            f.store.add("", "", "a.txt").await,
            Err(Error::MissingName)
        ));
        f.store.add("a.txt", "", "").await.unwrap();
        let err = f.store.add("a.txt", "", "").await.unwrap_err();
        assert!(
            matches!(err, Error::DuplicateName(ref n) if n == "a.txt"),
            "{err}"
        );
        let missing = f.store.add("nope", "", "").await.unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::NotFound, "{missing}");
        // A failed add leaves the name free.
        fs::write(f.path("nope"), b"now").unwrap();
        f.store.add("nope", "", "").await.unwrap();
    })
    .await;
}

fn sample_tree(root: &std::path::Path) {
    fs::create_dir_all(root.join("sub/empty")).unwrap();
    fs::write(root.join("top.txt"), b"top").unwrap();
    fs::write(root.join("sub/inner.txt"), b"inner").unwrap();
    std::os::unix::fs::symlink("top.txt", root.join("link")).unwrap();
    fs::hard_link(root.join("top.txt"), root.join("hard.txt")).unwrap();
}

/// (name, type, link, uid, gid, uname, mtime, mode) of each entry.
type Row = (String, tar::EntryType, String, u64, u64, String, u64, u32);

fn rows(tar_bytes: &[u8]) -> Vec<Row> {
    let mut archive = tar::Archive::new(tar_bytes);
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let h = e.header();
            (
                e.path().unwrap().to_string_lossy().into_owned(),
                h.entry_type(),
                e.link_name()
                    .unwrap()
                    .map(|l| l.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                h.uid().unwrap(),
                h.gid().unwrap(),
                h.username().unwrap().unwrap_or_default().to_owned(),
                h.mtime().unwrap(),
                h.mode().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_directory_becomes_a_gzipped_tar() {
    bounded(async {
        let f = Fixture::new();
        sample_tree(&f.path("tree"));
        fs::set_permissions(
            f.path("tree/sub/inner.txt"),
            std::os::unix::fs::PermissionsExt::from_mode(0o750),
        )
        .unwrap();
        let desc = f.store.add("tree", "", "").await.unwrap();
        assert_eq!(desc.media_type, media_type::IMAGE_LAYER_GZIP);
        assert_eq!(desc.title(), Some("tree"));
        assert_eq!(desc.annotations[annotation::CONTENT_UNPACK], "true");
        // One temp file, in the temp dir, named like oras-go's.
        let temps = crate::common::list(f.temps.path());
        assert_eq!(temps.len(), 1);
        let temp_name = temps[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(temp_name.starts_with("oras_file_"), "{temp_name}");

        let gz = fetch_all(&f.store, &desc, 1 << 20).await.unwrap();
        assert_eq!(Digest::sha256(&gz), desc.digest);
        let tar_bytes = gunzip(&gz);
        assert_eq!(
            Digest::sha256(&tar_bytes).to_string(),
            desc.annotations[annotation::CONTENT_DIGEST]
        );
        let rows = rows(&tar_bytes);
        let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "tree",
                "tree/hard.txt",
                "tree/link",
                "tree/sub",
                "tree/sub/empty",
                "tree/sub/inner.txt",
                "tree/top.txt"
            ]
        );
        for row in &rows {
            assert_eq!((row.3, row.4, row.5.as_str()), (0, 0, ""), "{}", row.0);
            assert!(row.6 > 0, "times kept by default: {}", row.0);
        }
        assert_eq!(rows[0].1, tar::EntryType::Directory);
        assert_eq!(rows[1].1, tar::EntryType::Regular, "hard link as a file");
        assert_eq!(
            (rows[2].1, rows[2].2.as_str()),
            (tar::EntryType::Symlink, "top.txt")
        );
        assert_eq!(rows[5].7 & 0o7777, 0o750, "mode recorded in the header");

        // The temp file goes on close, and the store refuses work after it.
        f.store.close().unwrap();
        assert!(crate::common::list(f.temps.path()).is_empty());
        assert!(matches!(
            f.store.add("x", "", "tree").await,
            Err(Error::StoreClosed)
        ));
        let err = f.store.fetch(&desc).await.err().unwrap();
        assert!(err.to_string().contains("closed"), "{err}");
        f.store.close().unwrap();
    })
    .await;
}

#[tokio::test]
async fn reproducible_tars_ignore_times() {
    bounded(async {
        let source = tempfile::tempdir().unwrap();
        sample_tree(&source.path().join("tree"));
        let options = Options {
            tar_reproducible: true,
            ..Options::default()
        };
        let first = Fixture::with(options.clone());
        let a = first
            .store
            .add("tree", "", source.path().join("tree"))
            .await
            .unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(source.path().join("tree/top.txt"))
            .unwrap()
            .set_modified(later)
            .unwrap();
        let second = Fixture::with(options);
        let b = second
            .store
            .add("tree", "", source.path().join("tree"))
            .await
            .unwrap();
        assert_eq!(a.digest, b.digest);
        assert_eq!(a.annotations, b.annotations);
        let gz = fetch_all(&first.store, &a, 1 << 20).await.unwrap();
        assert!(rows(&gunzip(&gz)).iter().all(|r| r.6 == 0));
    })
    .await;
}

#[tokio::test]
async fn temp_files_go_on_drop_and_on_error() {
    bounded(async {
        let f = Fixture::new();
        sample_tree(&f.path("tree"));
        f.store.add("tree", "", "").await.unwrap();
        let temps = tempfile::tempdir().unwrap();
        let store = Store::with_options(
            f.dir.path(),
            Options {
                temp_dir: Some(temps.path().to_path_buf()),
                ..Options::default()
            },
        )
        .unwrap();
        store.add("tree", "", "").await.unwrap();
        assert_eq!(crate::common::list(temps.path()).len(), 1);
        drop(store);
        assert!(crate::common::list(temps.path()).is_empty());

        // A file that yields fewer bytes than its size (as /sys files do)
        // fails the tar; the temp file goes at once.
        let sys = std::path::Path::new("/sys/kernel/mm/transparent_hugepage");
        if sys.join("enabled").exists() {
            let store = Store::with_options(
                f.dir.path(),
                Options {
                    temp_dir: Some(temps.path().to_path_buf()),
                    ..Options::default()
                },
            )
            .unwrap();
            let err = store.add("sys", "", sys).await.unwrap_err();
            assert!(err.to_string().contains("shrank"), "{err}");
            assert!(crate::common::list(temps.path()).is_empty());
        }
    })
    .await;
}

#[tokio::test]
async fn fifo_is_refused_by_add() {
    bounded(async {
        let f = Fixture::new();
        let status = std::process::Command::new("mkfifo")
            .arg(f.path("pipe"))
            .status();
        if !status.is_ok_and(|s| s.success()) {
            return;
        }
        let err = f.store.add("pipe", "", "").await.unwrap_err();
        assert!(matches!(err, Error::NotFileOrDirectory(_)), "{err}");
    })
    .await;
}
