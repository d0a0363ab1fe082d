//! A directory added here packs to the same tar, byte for byte, as oras-go
//! v2.7.0's `file.Store.Add` makes of it (the program in `tests/go/`, run
//! with `go run`), and carries the same `io.deis.oras.content.digest`.
//! The gzip around it has the same header and trailer; its deflate stream
//! is zlib's, not Go's, so the blob digests differ (a known difference).

use std::fs::{self, File, FileTimes};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oras_content::fetch_all;
use oras_spec::{Descriptor, Parsed, annotation};
use oras_store_file::{Options, Store};
use oras_testkit::reference::go_run;

use crate::common::gunzip;

/// Runs the Go program with `args` and returns its output lines.
fn go_output(args: &[String]) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/go");
    go_run(&dir, args)
        .unwrap_or_else(|e| panic!("{e}"))
        .lines()
        .map(str::to_owned)
        .collect()
}

fn set_mtime(path: &Path, time: SystemTime) {
    File::open(path)
        .unwrap()
        .set_times(FileTimes::new().set_modified(time))
        .unwrap();
}

fn at(secs: u64, nanos: u32) -> SystemTime {
    UNIX_EPOCH + Duration::new(secs, nanos)
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// A tree with every kind of entry and name the headers treat apart.
fn make_tree(root: &Path) {
    let long_dirs = format!("{}/{}", "d".repeat(60), "e".repeat(60));
    let very_long_dirs = ["p".repeat(90), "q".repeat(90), "r".repeat(90)].join("/");
    for dir in [
        "sub/nested/deep",
        "empty",
        "日本語",
        long_dirs.as_str(),
        very_long_dirs.as_str(),
    ] {
        fs::create_dir_all(root.join(dir)).unwrap();
    }
    let files: [(&str, Vec<u8>); 12] = [
        ("a.txt", b"a".to_vec()),
        ("bin.sh", vec![b'#'; 513]),
        ("empty.dat", Vec::new()),
        ("block.bin", vec![7; 512]),
        ("sub/nested/deep/f.txt", b"deep".to_vec()),
        ("sub/z.txt", b"z".to_vec()),
        ("ü.txt", "ü".as_bytes().to_vec()),
        ("日本語/ファイル.txt", b"jp".to_vec()),
        (&"n".repeat(150), b"long name".to_vec()),
        (&format!("{long_dirs}/f.txt"), b"split".to_vec()),
        (&format!("{very_long_dirs}/g.txt"), b"pax path".to_vec()),
        ("setuid", b"s".to_vec()),
    ];
    for (name, data) in &files {
        fs::write(root.join(name), data).unwrap();
    }
    fs::hard_link(root.join("a.txt"), root.join("hard")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("a.txt", root.join("link")).unwrap();
        std::os::unix::fs::symlink("x".repeat(150), root.join("longlink")).unwrap();
        std::os::unix::fs::symlink("ü.txt", root.join("ülink")).unwrap();
        std::os::unix::fs::symlink("sub", root.join("dirlink")).unwrap();
        chmod(&root.join("a.txt"), 0o600);
        chmod(&root.join("bin.sh"), 0o755);
        chmod(&root.join("setuid"), 0o4755);
        chmod(&root.join("empty"), 0o700);
        // A named pipe and a character device, when mkfifo and mknod are
        // there to make them (mknod as root only).
        let _ = Command::new("mkfifo")
            .arg(root.join("pipe"))
            .stderr(Stdio::null())
            .status();
        let _ = Command::new("mknod")
            .arg(root.join("null"))
            .args(["c", "1", "3"])
            .stderr(Stdio::null())
            .status();
    }
    // Pinned times, sub-second ones around the rounding point, one before
    // 1970 and one past what 11 octal digits hold (both PAX).
    let times = [
        ("a.txt", at(1_700_000_000, 500_000_000)),
        ("bin.sh", at(1_700_000_001, 499_999_999)),
        ("empty.dat", UNIX_EPOCH - Duration::from_millis(1_500)),
        ("block.bin", at(9_000_000_000, 0)),
        ("ü.txt", at(1_234_567_890, 0)),
    ];
    for (name, time) in times {
        set_mtime(&root.join(name), time);
    }
    for (i, (name, _)) in files.iter().enumerate().skip(4) {
        set_mtime(&root.join(name), at(1_600_000_000 + i as u64, 123_456_789));
    }
    // Directories last, deepest first: their children changed them.
    for (i, dir) in [
        "sub/nested/deep",
        "sub/nested",
        "sub",
        "empty",
        "日本語",
        &long_dirs,
        &"d".repeat(60),
        &very_long_dirs,
        &["p".repeat(90), "q".repeat(90)].join("/"),
        &"p".repeat(90),
        "",
    ]
    .into_iter()
    .enumerate()
    {
        set_mtime(&root.join(dir), at(1_500_000_000 + i as u64, 999_999_999));
    }
}

/// The index of the first differing byte, with the 512-byte blocks there.
fn first_difference(ours: &[u8], go: &[u8]) -> String {
    let at = ours
        .iter()
        .zip(go)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(go.len()));
    let block = at / 512 * 512;
    let show = |b: &[u8]| {
        String::from_utf8_lossy(&b[block.min(b.len())..(block + 512).min(b.len())]).into_owned()
    };
    format!(
        "lengths {} (ours) and {} (Go), first difference at byte {at}\nours: {:?}\ngo:   {:?}",
        ours.len(),
        go.len(),
        show(ours),
        show(go)
    )
}

#[test]
fn a_directory_packs_to_the_tar_oras_go_makes() {
    let base = tempfile::tempdir().unwrap();
    let src = base.path().join("src");
    fs::create_dir(&src).unwrap();
    make_tree(&src);
    let blobs = tempfile::tempdir().unwrap();

    // A link to the directory: Go's walk does not follow the root, so the
    // tar holds that one link.
    let link = base.path().join("linkdir");
    #[cfg(unix)]
    std::os::unix::fs::symlink("src", &link).unwrap();

    let jobs = [
        (&src, "title", false),
        (&src, "title", true),
        (&src, "dïr/with space", false),
        (&src, ".", true),
        (&link, "linked", false),
    ];
    let mut args = Vec::new();
    for (i, (dir, name, reproducible)) in jobs.iter().enumerate() {
        args.push(dir.to_string_lossy().into_owned());
        args.push((*name).to_owned());
        args.push(reproducible.to_string());
        args.push(
            blobs
                .path()
                .join(format!("go-{i}"))
                .to_string_lossy()
                .into_owned(),
        );
    }
    let lines = go_output(&args);
    assert_eq!(lines.len(), jobs.len(), "{lines:?}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (i, ((dir, name, reproducible), line)) in jobs.iter().zip(&lines).enumerate() {
        let go_desc = Parsed::<Descriptor>::from_bytes(line.clone().into_bytes(), "descriptor")
            .unwrap()
            .into_parts()
            .1;
        let go_blob = fs::read(blobs.path().join(format!("go-{i}"))).unwrap();
        assert_eq!(go_desc.size, go_blob.len() as u64);

        let options = Options {
            tar_reproducible: *reproducible,
            ..Options::default()
        };
        let store = Store::with_options(base.path(), options).unwrap();
        let (desc, blob) = runtime.block_on(async {
            let desc = store.add(name, "", dir).await.unwrap();
            let blob = fetch_all(&store, &desc, 1 << 30).await.unwrap();
            (desc, blob)
        });
        store.close().unwrap();

        let context = format!("title {name:?}, reproducible {reproducible}");
        let (ours_tar, go_tar) = (gunzip(&blob), gunzip(&go_blob));
        assert!(
            ours_tar == go_tar,
            "{context}: {}",
            first_difference(&ours_tar, &go_tar)
        );
        if i == 4 {
            assert_eq!(go_tar.len(), 3 * 512, "one header and the end blocks");
            assert_eq!(go_tar[156], b'2', "a symbolic link");
        }
        if i == 0 {
            // The tree reaches every header rule: PAX for long or
            // non-ASCII names and link targets and for out-of-range times.
            for record in [
                &b" mtime=9000000000\n"[..],
                b" mtime=-1\n",
                b" path=title/\xc3\xbc.txt\n",
                b" linkpath=xxxxxxxx",
                b"/PaxHeaders.0/",
            ] {
                let found = go_tar.windows(record.len()).any(|w| w == record);
                assert!(found, "{}", String::from_utf8_lossy(record));
            }
            for (special, flag) in [("pipe", b'6'), ("null", b'3')] {
                if fs::symlink_metadata(src.join(special)).is_ok() {
                    let name = format!("title/{special}\0");
                    let at = go_tar
                        .windows(name.len())
                        .position(|w| w == name.as_bytes())
                        .unwrap();
                    assert_eq!(go_tar[at + 156], flag, "{special}");
                }
            }
        }
        assert_eq!(desc.media_type, go_desc.media_type, "{context}");
        assert_eq!(desc.annotations, go_desc.annotations, "{context}");
        assert_eq!(
            desc.annotations.get(annotation::CONTENT_DIGEST),
            go_desc.annotations.get(annotation::CONTENT_DIGEST),
            "{context}: digest of the tar"
        );
        assert!(desc.annotations.contains_key(annotation::CONTENT_DIGEST));
        // Go's gzip header (no name, mtime 0, default level, OS 255) and
        // the trailer (CRC-32 and size of the tar) are the same bytes; the
        // deflate stream between them is not.
        assert_eq!(blob[..10], go_blob[..10], "{context}: gzip header");
        assert_eq!(
            blob[blob.len() - 8..],
            go_blob[go_blob.len() - 8..],
            "{context}: gzip trailer"
        );
    }
}
