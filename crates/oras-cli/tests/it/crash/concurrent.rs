//! Several `oras` processes writing one OCI layout while others read it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use oras_testkit::crash::check_layout;

use super::support::{Sandbox, content};

const PUSHERS: u32 = 8;
const PUSHES_EACH: u32 = 4;
const SIZE: usize = 1 << 20;

/// The content pushed as tag `p<k>-<i>`.
fn file_of(k: u32, i: u32) -> Vec<u8> {
    content(SIZE, 1000 + k * 100 + i)
}

/// 8 threads each run 4 `oras push --oci-layout` processes one after the
/// other (8 processes pushing different tags at any time), while 2 threads
/// run `oras manifest fetch --oci-layout` and `oras pull --oci-layout` of
/// tags already in the layout, and this thread reads `index.json` over and
/// over. Every reader succeeds and pulls what was pushed, no read of
/// `index.json` is torn, and every tag is there at the end with its blobs
/// intact.
#[test]
fn eight_oras_processes_push_into_one_layout_while_others_pull() {
    let deadline = Instant::now() + Duration::from_secs(110);
    let sandbox = Sandbox::new();
    sandbox.write("base.txt", b"base\n");
    sandbox.ok(&["push", "--oci-layout", "layout:base", "base.txt"]);
    for k in 0..PUSHERS {
        for i in 0..PUSHES_EACH {
            sandbox.write(&format!("p{k}-{i}/file.bin"), &file_of(k, i));
        }
    }
    let pushing = AtomicBool::new(true);
    let index_path = sandbox.path("layout/index.json");
    let (reads, pulls) = std::thread::scope(|scope| {
        let pushers: Vec<_> = (0..PUSHERS)
            .map(|k| {
                let sandbox = &sandbox;
                scope.spawn(move || {
                    for i in 0..PUSHES_EACH {
                        let tag = format!("p{k}-{i}");
                        let mut command = sandbox.command(&[
                            "push",
                            "--oci-layout",
                            &format!("../layout:{tag}"),
                            "file.bin",
                        ]);
                        command.current_dir(sandbox.path(&tag));
                        let out = super::support::wait_output(
                            command
                                .stdout(std::process::Stdio::piped())
                                .stderr(std::process::Stdio::piped())
                                .spawn()
                                .unwrap(),
                            deadline,
                            &["push", &tag],
                        );
                        assert!(
                            out.status.success(),
                            "push {tag}: {}",
                            String::from_utf8_lossy(&out.stderr)
                        );
                    }
                })
            })
            .collect();
        let readers: Vec<_> = (0..2)
            .map(|r| {
                let (sandbox, pushing, index_path) = (&sandbox, &pushing, &index_path);
                scope.spawn(move || read_while_pushing(sandbox, pushing, index_path, r))
            })
            .collect();
        let mut reads = 0;
        while pushers.iter().any(|p| !p.is_finished()) {
            let bytes = std::fs::read(&index_path).unwrap();
            serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_else(|e| {
                panic!("torn index.json ({e}): {}", String::from_utf8_lossy(&bytes))
            });
            reads += 1;
            assert!(Instant::now() < deadline, "pushes did not end in time");
            std::thread::sleep(Duration::from_millis(2));
        }
        for pusher in pushers {
            pusher.join().unwrap();
        }
        pushing.store(false, Ordering::SeqCst);
        let pulls: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
        (reads, pulls)
    });
    eprintln!("{reads} reads of index.json and {pulls} pulls while pushing");
    assert!(reads > 0 && pulls > 0);
    let tags = check_layout(&sandbox.path("layout")).unwrap();
    assert_eq!(tags.len(), (PUSHERS * PUSHES_EACH + 1) as usize, "{tags:?}");
    for k in 0..PUSHERS {
        for i in 0..PUSHES_EACH {
            assert!(
                tags.contains(&format!("p{k}-{i}")),
                "p{k}-{i} lost: {tags:?}"
            );
        }
    }
}

/// Until `pushing` turns false: fetches the manifest of `base` and pulls
/// the newest pushed tag in `index.json`, checking what it pulled.
/// Returns the number of pulls.
fn read_while_pushing(
    sandbox: &Sandbox,
    pushing: &AtomicBool,
    index_path: &std::path::Path,
    reader: u32,
) -> usize {
    let mut pulls = 0;
    while pushing.load(Ordering::SeqCst) {
        let manifest = sandbox.ok(&["manifest", "fetch", "--oci-layout", "layout:base"]);
        serde_json::from_str::<serde_json::Value>(&manifest).unwrap();
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(index_path).unwrap()).unwrap();
        let newest = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["annotations"]["org.opencontainers.image.ref.name"].as_str())
            .rfind(|tag| tag.starts_with('p'))
            .map(str::to_owned);
        let Some(tag) = newest else {
            continue;
        };
        let out = format!("pulled-{reader}-{pulls}");
        sandbox.ok(&["pull", "--oci-layout", &format!("layout:{tag}"), "-o", &out]);
        let (k, i) = tag[1..].split_once('-').unwrap();
        let pulled = std::fs::read(sandbox.path(&out).join("file.bin")).unwrap();
        assert!(
            pulled == file_of(k.parse().unwrap(), i.parse().unwrap()),
            "pulled {tag} differs from what was pushed"
        );
        std::fs::remove_dir_all(sandbox.path(&out)).unwrap();
        pulls += 1;
    }
    pulls
}
