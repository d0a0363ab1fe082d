//! The read-only store over directories and tar archives.

use std::path::Path;

use oras_content::{
    ErrorKind, Fetcher, PredecessorFinder, ReadOnlyStorage, Resolver, TagLister, Tagger, fetch_all,
};
use oras_spec::Descriptor;
use oras_store_oci::{Error, ReadOnlyStore, Store};

use crate::common::{layer, push, push_image};

/// Tars the layout at `root` into `out`, naming entries `<prefix><path>`
/// (`""` or `"./"`), with directory entries as GNU tar writes them.
pub(crate) fn tar_layout(root: &Path, out: &Path, prefix: &str) {
    let mut builder = tar::Builder::new(std::fs::File::create(out).unwrap());
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            if rel.starts_with("ingest") {
                continue;
            }
            let name = format!("{prefix}{rel}");
            if path.is_dir() {
                builder.append_dir(format!("{name}/"), &path).unwrap();
                pending.push(path);
            } else {
                builder.append_path_with_name(&path, &name).unwrap();
            }
        }
    }
    builder.finish().unwrap();
}

async fn sample_layout(dir: &Path) -> (Descriptor, Descriptor) {
    let store = Store::open(dir).await.unwrap();
    let image = push_image(&store, &[b"layer one", b"layer two"], None).await;
    let signature = push_image(&store, &[b"signature"], Some(&image)).await;
    store.tag(&image, "v1").await.unwrap();
    (image, signature)
}

#[tokio::test]
async fn reads_tars_with_and_without_dot_slash_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("layout");
    let (image, signature) = sample_layout(&root).await;
    for prefix in ["", "./"] {
        let tar_path = dir.path().join(format!("layout-{}.tar", prefix.len()));
        tar_layout(&root, &tar_path, prefix);
        let layout = ReadOnlyStore::open(&tar_path).await.unwrap();
        assert_eq!(
            layout.tags(None).await.unwrap(),
            vec!["v1"],
            "prefix {prefix:?}"
        );
        assert!(layout.resolve("v1").await.unwrap().same_content(&image));
        assert_eq!(
            layout.predecessors(&image).await.unwrap(),
            vec![signature.clone()]
        );
        assert_eq!(
            layout.predecessors(&layer(b"layer two")).await.unwrap(),
            vec![image.clone()]
        );
        assert_eq!(
            fetch_all(&layout, &layer(b"layer one"), 100).await.unwrap(),
            b"layer one"
        );
        assert_eq!(
            fetch_all(&layout, &layer(b"layer two"), 100).await.unwrap(),
            b"layer two"
        );
        let blob = layout
            .resolve(&layer(b"signature").digest.to_string())
            .await
            .unwrap();
        assert_eq!(
            (blob.media_type.as_str(), blob.size),
            ("application/octet-stream", 9)
        );
        assert!(!layout.exists(&layer(b"absent")).await.unwrap());
    }
}

/// Serves only regular files at clean names inside the archive: a symlink
/// or a `..` entry posing as a blob is never served (the link is an error,
/// the escaping name is not there).
#[tokio::test]
async fn tar_entries_outside_the_layout_or_not_regular_are_not_served() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("layout");
    sample_layout(&root).await;
    let tar_path = dir.path().join("hostile.tar");
    tar_layout(&root, &tar_path, "./");
    // Append hostile entries to a copy of the archive.
    let evil = layer(b"evil");
    let linked = layer(b"linked");
    let escaped = layer(b"escaped");
    {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&tar_path)
            .unwrap();
        // Drop the two zero blocks that end the archive, then append.
        let len = file.metadata().unwrap().len();
        let mut end = len;
        let bytes = std::fs::read(&tar_path).unwrap();
        while end >= 512
            && bytes[(end - 512) as usize..end as usize]
                .iter()
                .all(|b| *b == 0)
        {
            end -= 512;
        }
        file.set_len(end).unwrap();
        let mut file = file;
        std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0)).unwrap();
        let mut builder = tar::Builder::new(file);
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        builder
            .append_link(
                &mut header,
                format!("blobs/sha256/{}", linked.digest.encoded()),
                "/etc/passwd",
            )
            .unwrap();
        let mut header = tar::Header::new_gnu();
        header.set_size(4);
        header.set_mode(0o644);
        header.set_cksum();
        // The tar crate refuses to write `..`, so write the raw name.
        let name = format!("../blobs/sha256/{}", escaped.digest.encoded());
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, &b"evil"[..]).unwrap();
        builder.finish().unwrap();
    }
    let layout = ReadOnlyStore::from_tar(&tar_path).await.unwrap();
    // A link is refused with an error naming it, never followed.
    let err = layout.fetch(&linked).await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::InvalidContent, "{err}");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(layout.exists(&linked).await.is_err());
    for desc in [&evil, &escaped] {
        assert!(
            !layout.exists(desc).await.unwrap(),
            "{} must not be served",
            desc.digest
        );
        assert_eq!(
            layout.fetch(desc).await.err().unwrap().kind(),
            ErrorKind::NotFound
        );
    }
    assert_eq!(layout.tags(None).await.unwrap(), vec!["v1"]);
}

#[tokio::test]
async fn compressed_and_broken_archives_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("layout.tar.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0]).unwrap();
    let err = ReadOnlyStore::from_tar(&gz).await.unwrap_err();
    assert!(matches!(err, Error::InvalidTar { .. }), "{err}");
    assert!(err.to_string().contains("compressed"), "{err}");

    let junk = dir.path().join("junk.tar");
    std::fs::write(&junk, vec![b'x'; 1024]).unwrap();
    let err = ReadOnlyStore::from_tar(&junk).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidContent, "{err}");

    let empty_layout = dir.path().join("empty.tar");
    tar::Builder::new(std::fs::File::create(&empty_layout).unwrap())
        .finish()
        .unwrap();
    let err = ReadOnlyStore::from_tar(&empty_layout).await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidLayout { ref file, .. } if file == "oci-layout"),
        "{err}"
    );
}

/// Reading a large blob from a tar streams a byte range, and the bytes
/// are exactly the entry's (not its neighbours').
#[tokio::test]
async fn large_tar_blobs_are_read_as_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("layout");
    let store = Store::open(&root).await.unwrap();
    let big: Vec<u8> = (0..3 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
    let desc = layer(&big);
    push(&store, &desc, &big).await;
    push(&store, &layer(b"neighbour"), b"neighbour").await;
    let tar_path = dir.path().join("layout.tar");
    tar_layout(&root, &tar_path, "");
    let layout = ReadOnlyStore::from_tar(&tar_path).await.unwrap();
    let reader = layout.fetch(&desc).await.unwrap();
    let data = oras_content::read_all(reader, &desc, 8 << 20)
        .await
        .unwrap();
    assert!(data == big);
}
