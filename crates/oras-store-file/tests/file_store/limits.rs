//! Unpacking is bounded, cancellable and undone on every failure:
//! decompression bombs (made here as a streaming gzip of zeros), entry
//! floods, a dropped push future, crafted times, and files replaced by a
//! failed unpacking.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::symlink;
use std::time::Duration;

use oras_content::{ErrorKind, Pusher, bytes_reader};
use oras_spec::{Descriptor, Digest, Digester, annotation, media_type};
use oras_store_file::{Error, Options, UnpackLimits};

use crate::common::{Entry, Fixture, bounded, dir, dir_blob, file, file_error, push, walk};

/// A writer that gzips what it is given and hashes it on the way.
struct Tee {
    gz: flate2::write::GzEncoder<Vec<u8>>,
    digester: Digester,
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.gz.write(buf)?;
        self.digester.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.gz.flush()
    }
}

/// A directory `t` holding `t/big`, `size` zero bytes, gzipped as a
/// stream (the expanded tar is never in memory). With `annotated`, the
/// uncompressed digest annotation is set, so the pre-check runs too.
fn bomb(size: u64, annotated: bool) -> (Descriptor, Vec<u8>) {
    let tee = Tee {
        gz: flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()),
        digester: Digester::new(oras_spec::Algorithm::Sha256),
    };
    let mut builder = tar::Builder::new(tee);
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Directory);
    header.set_path("t").unwrap();
    header.set_mode(0o755);
    header.set_size(0);
    header.set_cksum();
    builder.append(&header, io::empty()).unwrap();
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_path("t/big").unwrap();
    header.set_mode(0o644);
    header.set_size(size);
    header.set_cksum();
    builder.append(&header, io::repeat(0).take(size)).unwrap();
    let tee = builder.into_inner().unwrap();
    let tar_digest = tee.digester.finish();
    let gz = tee.gz.finish().unwrap();
    let mut desc = Descriptor::from_bytes(media_type::IMAGE_LAYER_GZIP, &gz);
    desc.annotations = BTreeMap::from([
        (annotation::TITLE.to_owned(), "t".to_owned()),
        (annotation::CONTENT_UNPACK.to_owned(), "true".to_owned()),
    ]);
    if annotated {
        desc.annotations.insert(
            annotation::CONTENT_DIGEST.to_owned(),
            tar_digest.to_string(),
        );
    }
    (desc, gz)
}

fn limited(limits: UnpackLimits) -> Fixture {
    Fixture::with(Options {
        unpack_limits: limits,
        ..Options::default()
    })
}

fn assert_limit(err: &oras_content::Error, what: &str) {
    assert_eq!(err.kind(), ErrorKind::SizeExceedsLimit, "{err}");
    match file_error(err) {
        Some(Error::UnpackLimit { what: got, .. }) => assert_eq!(*got, what),
        other => panic!("expected an unpack limit, got {other:?}"),
    }
}

/// Nothing of `t` and no temp file anywhere.
fn assert_clean(f: &Fixture) {
    assert!(!f.path("t").exists(), "{:?}", walk(f.dir.path()));
    assert!(f.leftovers().is_empty(), "{:?}", f.leftovers());
}

#[tokio::test]
async fn an_absolute_cap_stops_a_bomb() {
    bounded(async {
        for annotated in [false, true] {
            let f = limited(UnpackLimits {
                max_bytes: 1 << 20,
                max_ratio: 0,
                ..UnpackLimits::default()
            });
            let (desc, gz) = bomb(8 << 20, annotated);
            let err = push(&f.store, &desc, &gz).await.unwrap_err();
            assert_limit(&err, "expanded bytes");
            assert_clean(&f);
        }
    })
    .await;
}

#[tokio::test]
async fn a_ratio_stops_a_bomb_above_its_floor() {
    bounded(async {
        for annotated in [false, true] {
            let f = limited(UnpackLimits {
                max_ratio: 10,
                ratio_floor: 64 << 10,
                max_bytes: 0,
                ..UnpackLimits::default()
            });
            let (desc, gz) = bomb(8 << 20, annotated);
            assert!((gz.len() as u64) * 10 < 8 << 20, "a bomb: {}", gz.len());
            let err = push(&f.store, &desc, &gz).await.unwrap_err();
            assert_limit(&err, "expanded bytes");
            assert_clean(&f);
        }
        // The floor lets a small, very compressible tree through.
        let f = limited(UnpackLimits {
            max_ratio: 10,
            ratio_floor: 1 << 20,
            max_bytes: 0,
            ..UnpackLimits::default()
        });
        let (desc, gz) = bomb(512 << 10, true);
        push(&f.store, &desc, &gz).await.unwrap();
        assert_eq!(fs::metadata(f.path("t/big")).unwrap().len(), 512 << 10);
    })
    .await;
}

#[tokio::test]
async fn entry_counts_are_bounded() {
    bounded(async {
        let f = limited(UnpackLimits {
            max_entries: 10,
            ..UnpackLimits::default()
        });
        let mut entries = vec![dir("t")];
        for i in 0..20 {
            entries.push(file(&format!("t/f{i}"), b"x"));
        }
        let (desc, gz) = dir_blob("t", &entries);
        let err = push(&f.store, &desc, &gz).await.unwrap_err();
        assert_limit(&err, "entries");
        assert_clean(&f);
        // Exactly at the limit is fine.
        let (desc, gz) = dir_blob("t", &entries[..10]);
        push(&f.store, &desc, &gz).await.unwrap();
    })
    .await;
}

/// Dropping the push future stops the blocking unpacking at its next
/// read and rolls it back: no partial file, no temp file.
#[tokio::test]
async fn dropping_the_push_stops_and_rolls_back_the_unpacking() {
    bounded(async {
        let f = limited(UnpackLimits {
            max_ratio: 0,
            max_bytes: 0,
            ..UnpackLimits::default()
        });
        let size: u64 = 512 << 20;
        let (desc, gz) = bomb(size, false);
        {
            let push = f.store.push(&desc, bytes_reader(gz));
            tokio::pin!(push);
            // Run it until the big file is being written.
            let started = async {
                loop {
                    if f.path("t").exists()
                        && walk(&f.path("t")).iter().any(|p| {
                            p.file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| n.starts_with(".oras_file_"))
                        })
                    {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            };
            tokio::select! {
                result = &mut push => panic!("512 MiB unpacked before the test looked: {result:?}"),
                () = started => {}
            }
        }
        // The future is dropped: the rollback follows promptly.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while f.path("t").exists() || !f.leftovers().is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "not rolled back: {:?}",
                walk(f.dir.path())
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

/// A failed unpacking puts back the files and links it replaced.
#[tokio::test]
async fn a_failed_unpack_restores_what_it_replaced() {
    bounded(async {
        let f = Fixture::new();
        fs::create_dir(f.path("t")).unwrap();
        fs::write(f.path("t/kept"), b"old").unwrap();
        symlink("kept", f.path("t/link")).unwrap();
        let (desc, gz) = dir_blob(
            "t",
            &[
                dir("t"),
                file("t/kept", b"new"),
                file("t/link", b"new too"),
                file("t/kept", b"newer"),
                file("t/../escaped", b"x"),
            ],
        );
        push(&f.store, &desc, &gz).await.unwrap_err();
        assert_eq!(fs::read(f.path("t/kept")).unwrap(), b"old");
        assert_eq!(
            fs::read_link(f.path("t/link")).unwrap(),
            std::path::Path::new("kept")
        );
        let mut names: Vec<_> = walk(&f.path("t"));
        names.sort();
        assert_eq!(names, [f.path("t/kept"), f.path("t/link")]);
        assert!(f.leftovers().is_empty());
        // On success the replaced files are gone for good.
        let (desc, gz) = dir_blob("t", &[dir("t"), file("t/kept", b"new")]);
        push(&f.store, &desc, &gz).await.unwrap();
        assert_eq!(fs::read(f.path("t/kept")).unwrap(), b"new");
        assert_eq!(walk(&f.path("t")).len(), 2, "{:?}", walk(&f.path("t")));
    })
    .await;
}

/// A PAX record `key=value` as its own tar entry.
fn pax(records: &[(&str, &str)]) -> Entry {
    let mut data = Vec::new();
    for (key, value) in records {
        let body = format!(" {key}={value}\n");
        // The length counts its own digits.
        let mut len = body.len() + 1;
        while format!("{len}{body}").len() != len {
            len += 1;
        }
        data.extend_from_slice(format!("{len}{body}").as_bytes());
    }
    Entry {
        kind: b'x',
        ..file("t/PaxHeaders/x", &data)
    }
}

/// Crafted times neither panic nor skip the rollback: a base-256 mtime
/// of 2^64-1 and PAX fractions of non-ASCII digits unpack with a fallback
/// time.
#[tokio::test]
async fn crafted_times_do_not_panic() {
    bounded(async {
        let f = Fixture::new();
        let mut huge = file("t/huge", b"h");
        huge.mtime = u64::MAX;
        let (desc, gz) = dir_blob(
            "t",
            &[
                dir("t"),
                huge,
                pax(&[("mtime", "1.١٢٣")]),
                file("t/arabic", b"a"),
                pax(&[
                    ("mtime", "1.１２３４５６７８９０"),
                    ("atime", "18446744073709551615"),
                ]),
                file("t/wide", b"w"),
            ],
        );
        push(&f.store, &desc, &gz).await.unwrap();
        assert_eq!(fs::read(f.path("t/huge")).unwrap(), b"h");
        assert_eq!(fs::read(f.path("t/wide")).unwrap(), b"w");
    })
    .await;
}

/// The digest of the expanded tar is still checked.
#[tokio::test]
async fn the_content_digest_is_still_checked_within_the_limits() {
    bounded(async {
        let f = Fixture::new();
        let (mut desc, gz) = bomb(1 << 16, true);
        desc.annotations.insert(
            annotation::CONTENT_DIGEST.to_owned(),
            Digest::sha256(b"other").to_string(),
        );
        let err = f.store.push(&desc, bytes_reader(gz)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DigestMismatch, "{err}");
        assert_clean(&f);
    })
    .await;
}

/// An entry may replace what an earlier entry of the same archive made:
/// a link by a directory, a link by another link, a file by a link.
#[tokio::test]
async fn later_entries_replace_earlier_ones() {
    bounded(async {
        let f = Fixture::new();
        let (desc, gz) = dir_blob(
            "t",
            &[
                dir("t"),
                crate::common::symlink("t/a", "x"),
                dir("t/a"),
                crate::common::symlink("t/b", "x"),
                crate::common::symlink("t/b", "y"),
                file("t/c", b"c"),
                crate::common::symlink("t/c", "a"),
            ],
        );
        push(&f.store, &desc, &gz).await.unwrap();
        assert!(fs::symlink_metadata(f.path("t/a")).unwrap().is_dir());
        assert_eq!(
            fs::read_link(f.path("t/b")).unwrap(),
            std::path::Path::new("y")
        );
        assert_eq!(
            fs::read_link(f.path("t/c")).unwrap(),
            std::path::Path::new("a")
        );
        // Nothing set aside is left (the gzip is kept until close).
        assert_eq!(walk(&f.path("t")).len(), 3, "{:?}", walk(&f.path("t")));
    })
    .await;
}
