//! End-to-end: `oras pull` of hostile artifacts from the in-process fake
//! registry. Layers that are harmless alone but climb out of `-o`
//! together (a link, a hop, a write through both) in every layer order,
//! a decompression bomb against the unpack limits, and Ctrl-C during an
//! unpacking. The archives are built here; nothing is ever written
//! outside the test's directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::e2e_core::support;

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use oras_spec::{Digest, media_type};
use oras_testkit::fake::{FakeConfig, FakeRegistry};

use support::Env;

/// One tar entry: name, type, link text, data.
struct Entry {
    name: &'static str,
    kind: u8,
    link: &'static str,
    data: Vec<u8>,
}

fn dir(name: &'static str) -> Entry {
    Entry {
        name,
        kind: b'5',
        link: "",
        data: Vec::new(),
    }
}

fn link(name: &'static str, text: &'static str) -> Entry {
    Entry {
        name,
        kind: b'2',
        link: text,
        data: Vec::new(),
    }
}

fn file(name: &'static str, data: &[u8]) -> Entry {
    Entry {
        name,
        kind: b'0',
        link: "",
        data: data.to_vec(),
    }
}

/// A tar with names written verbatim, as an attacker would.
fn raw_tar(entries: &[Entry]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for e in entries {
        let mut header = tar::Header::new_gnu();
        header.as_old_mut().name[..e.name.len()].copy_from_slice(e.name.as_bytes());
        header.as_old_mut().linkname[..e.link.len()].copy_from_slice(e.link.as_bytes());
        header.set_entry_type(tar::EntryType::new(e.kind));
        header.set_mode(if e.kind == b'5' { 0o755 } else { 0o644 });
        header.set_size(e.data.len() as u64);
        header.set_cksum();
        builder.append(&header, &e.data[..]).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// A layer descriptor (JSON) and its blob.
struct Layer {
    json: String,
    blob: Vec<u8>,
}

fn dir_layer(title: &str, entries: &[Entry]) -> Layer {
    let tar = raw_tar(entries);
    dir_layer_of(title, &gzip(&tar), &Digest::sha256(&tar))
}

fn dir_layer_of(title: &str, gz: &[u8], tar_digest: &Digest) -> Layer {
    Layer {
        json: format!(
            r#"{{"mediaType":"{}","digest":"{}","size":{},"annotations":{{"org.opencontainers.image.title":"{title}","io.deis.oras.content.digest":"{tar_digest}","io.deis.oras.content.unpack":"true"}}}}"#,
            media_type::IMAGE_LAYER_GZIP,
            Digest::sha256(gz),
            gz.len()
        ),
        blob: gz.to_vec(),
    }
}

fn file_layer(title: &str, data: &[u8]) -> Layer {
    Layer {
        json: format!(
            r#"{{"mediaType":"{}","digest":"{}","size":{},"annotations":{{"org.opencontainers.image.title":"{title}"}}}}"#,
            media_type::IMAGE_LAYER,
            Digest::sha256(data),
            data.len()
        ),
        blob: data.to_vec(),
    }
}

/// Seeds `layers` as one artifact tagged `v1` in `repo`.
fn seed(registry: &FakeRegistry, repo: &str, layers: &[&Layer]) {
    let config = registry.put_blob(repo, &b"{}"[..]);
    let mut descriptors = Vec::new();
    for layer in layers {
        registry.put_blob(repo, layer.blob.clone());
        descriptors.push(layer.json.clone());
    }
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","artifactType":"application/vnd.e2e","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{config}","size":2}},"layers":[{}]}}"#,
        media_type::IMAGE_MANIFEST,
        descriptors.join(",")
    );
    let digest = registry.put_manifest(repo, media_type::IMAGE_MANIFEST, manifest.into_bytes());
    registry.tag(repo, "v1", &digest);
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

/// Every path under `root`, links not followed.
fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if std::fs::symlink_metadata(&path).unwrap().is_dir() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out.sort();
    out
}

fn temp_files(root: &Path) -> Vec<PathBuf> {
    walk(root)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(".oras_file_") || n.starts_with("oras_file_"))
        })
        .collect()
}

/// The A/E/B attack through the binary, every layer order, with the
/// write as a small file and as a directory: the pull fails, nothing
/// lands outside `-o`, no link under it leads out, and the error does not
/// recommend `--allow-path-traversal` (which would not help).
#[test]
fn link_hop_and_write_from_three_layers_fail_and_stay_inside() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let registry = runtime.block_on(FakeRegistry::start(FakeConfig::default()));
    let a = dir_layer(
        "t",
        &[dir("t"), link("t/out", "hop/hop/hop/../../../victim")],
    );
    let e = dir_layer(".", &[dir("t"), link("t/hop", ".")]);
    let bs = [
        file_layer("t/out/x", b"pwned"),
        dir_layer("t/out/y", &[dir("t/out/y"), file("t/out/y/f", b"pwned")]),
    ];
    let mut case = 0;
    for b in &bs {
        for order in permutations(3) {
            case += 1;
            let layers = [&a, &e, b];
            let ordered: Vec<&Layer> = order.iter().map(|&i| layers[i]).collect();
            let repo = format!("e2e/hostile{case}");
            seed(&registry, &repo, &ordered);
            let env = Env::new();
            std::fs::create_dir_all(env.path("base/x")).unwrap();
            std::fs::create_dir_all(env.path("base/victim")).unwrap();
            for concurrency in ["1", "3"] {
                let reference = format!("{}/{repo}:v1", registry.host());
                let err = env.fails(&[
                    "pull",
                    "--plain-http",
                    "--concurrency",
                    concurrency,
                    &reference,
                    "-o",
                    "base/x/out",
                ]);
                assert!(!err.contains("--allow-path-traversal"), "{order:?}: {err}");
                assert!(
                    walk(&env.path("base/victim")).is_empty(),
                    "{order:?}: written outside: {:?}",
                    walk(&env.path("base"))
                );
                let mut top: Vec<_> = std::fs::read_dir(env.path("base"))
                    .unwrap()
                    .map(|e| e.unwrap().file_name())
                    .collect();
                top.sort();
                assert_eq!(top, ["victim", "x"], "{order:?}");
                let real_out = std::fs::canonicalize(env.path("base/x/out")).unwrap();
                for path in walk(&env.path("base/x/out")) {
                    if let Ok(real) = std::fs::canonicalize(&path) {
                        assert!(
                            real.starts_with(&real_out),
                            "{order:?}: {} leads to {}",
                            path.display(),
                            real.display()
                        );
                    }
                }
                assert!(temp_files(&env.path("base")).is_empty(), "{order:?}");
            }
        }
    }
    registry.stop();
}

/// A title outside `-o` is the refusal `--allow-path-traversal` lifts:
/// the hint is there.
#[test]
fn a_title_outside_the_output_keeps_the_hint() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let registry = runtime.block_on(FakeRegistry::start(FakeConfig::default()));
    seed(
        &registry,
        "e2e/title",
        &[&file_layer("../escape.txt", b"x")],
    );
    let env = Env::new();
    let reference = format!("{}/e2e/title:v1", registry.host());
    let err = env.fails(&["pull", "--plain-http", &reference, "-o", "out"]);
    assert!(err.contains("--allow-path-traversal"), "{err}");
    assert!(!env.path("escape.txt").exists());
    registry.stop();
}

/// `size` zero bytes as `t/big` in a directory titled `t`, streamed
/// through gzip: a small blob that expands a lot.
fn bomb(size: u64) -> Layer {
    struct Tee {
        gz: flate2::write::GzEncoder<Vec<u8>>,
        digester: oras_spec::Digester,
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
    let tee = Tee {
        gz: flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()),
        digester: oras_spec::Digester::new(oras_spec::Algorithm::Sha256),
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
    dir_layer_of("t", &gz, &tar_digest)
}

/// The unpack limits are flags of `oras pull`: a bomb over
/// `--max-unpack-size`, or over `--max-unpack-entries`, fails and leaves
/// nothing; within the defaults it unpacks.
#[test]
fn unpack_limits_are_pull_flags() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let registry = runtime.block_on(FakeRegistry::start(FakeConfig::default()));
    seed(&registry, "e2e/bomb", &[&bomb(16 << 20)]);
    let reference = format!("{}/e2e/bomb:v1", registry.host());
    let env = Env::new();
    let err = env.fails(&[
        "pull",
        "--plain-http",
        "--max-unpack-size",
        "1048576",
        &reference,
        "-o",
        "out",
    ]);
    assert!(err.contains("unpack limit exceeded"), "{err}");
    assert!(
        walk(&env.path("out")).is_empty(),
        "{:?}",
        walk(&env.path("out"))
    );
    let err = env.fails(&[
        "pull",
        "--plain-http",
        "--max-unpack-entries",
        "1",
        &reference,
        "-o",
        "out",
    ]);
    assert!(err.contains("entries"), "{err}");
    assert!(walk(&env.path("out")).is_empty());
    env.ok(&["pull", "--plain-http", &reference, "-o", "out"]);
    assert_eq!(
        std::fs::metadata(env.path("out/t/big")).unwrap().len(),
        16 << 20
    );
    registry.stop();
}

/// Sends SIGINT to `pid` with the `kill` command (no `unsafe` here).
fn interrupt(pid: u32) {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Runs a pull of a 2 GiB bomb (limits lifted) and interrupts it
/// `times` times once the big file is being written; returns the exit
/// code, the output dir and the temp dir.
fn interrupted_pull(times: usize) -> (Option<i32>, Env, PathBuf) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let registry = runtime.block_on(FakeRegistry::start(FakeConfig::default()));
    seed(&registry, "e2e/slow", &[&bomb(2 << 30)]);
    let reference = format!("{}/e2e/slow:v1", registry.host());
    let env = Env::new();
    let tmp = env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let bin = env!("CARGO_BIN_EXE_oras");
    let mut child = Command::new(bin)
        .current_dir(env.path(""))
        .env("HOME", env.path("../home"))
        .env("DOCKER_CONFIG", env.path("../home/.docker"))
        .env("TMPDIR", &tmp)
        .env_remove("ORAS_CACHE")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .args([
            "pull",
            "--plain-http",
            "--max-unpack-ratio",
            "0",
            "--max-unpack-size",
            "0",
            &reference,
            "-o",
            "out",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if !temp_files(&env.path("out")).is_empty() {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the pull ended before it was interrupted: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no unpacking seen"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..times {
        interrupt(child.id());
        std::thread::sleep(Duration::from_millis(20));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the pull did not stop after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    registry.stop();
    (status.code(), env, tmp)
}

/// Ctrl-C stops the unpacking promptly and rolls it back: no partial
/// file, no temp file (beside the target or in `$TMPDIR`).
#[test]
fn ctrl_c_stops_and_rolls_back_an_unpacking() {
    let (code, env, tmp) = interrupted_pull(1);
    assert_eq!(code, Some(1));
    assert!(
        walk(&env.path("out")).is_empty(),
        "{:?}",
        walk(&env.path("out"))
    );
    assert!(walk(&tmp).is_empty(), "{:?}", walk(&tmp));
}

/// A second Ctrl-C still ends the process.
#[test]
fn a_second_ctrl_c_still_ends_the_process() {
    let (code, _env, _tmp) = interrupted_pull(2);
    assert_ne!(code, Some(0));
}
