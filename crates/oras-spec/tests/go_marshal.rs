//! Packed manifests have Go's exact bytes: the same manifest, index and
//! descriptor marshalled by Go's `encoding/json` (the program in `go/`)
//! and by this crate must be byte for byte equal, strings full of `<`,
//! `>`, `&`, U+2028, U+2029 and control characters included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use oras_spec::{Descriptor, Digest, Index, Manifest, Parsed, Platform, annotation, media_type};

/// The same string as `tricky` in `go/main.go`.
const TRICKY: &str = "a<b>&c \u{2028}\u{2029} \u{1b}[2J\r\n\t\u{8}\u{c}\u{1} \u{7f} \"q\" \\ é 😀";

/// Where Go may put its caches: the workspace `target/` directory.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !dir.join("Cargo.lock").exists() {
        assert!(
            dir.pop(),
            "no Cargo.lock above {}",
            env!("CARGO_MANIFEST_DIR")
        );
    }
    dir.join("target")
}

fn go_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("go"))
            .find(|go| go.is_file())
    });
    let fallback = Path::new("/usr/local/go/bin/go");
    on_path
        .or_else(|| fallback.is_file().then(|| fallback.to_owned()))
        .unwrap_or_else(|| {
            panic!(
                "this test needs the Go toolchain (`go` on PATH or /usr/local/go/bin/go) \
                 to compare our JSON with encoding/json's"
            )
        })
}

/// Runs the Go program and returns its output lines, within ten minutes
/// (the first run downloads image-spec through the module proxy).
fn go_output() -> Vec<String> {
    let go_root = target_dir().join("go");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/go");
    let stdout = tempfile_path("go-marshal.out");
    let stderr = tempfile_path("go-marshal.err");
    let mut child = Command::new(go_binary())
        .args(["run", "."])
        .current_dir(&dir)
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .env("GOPATH", &go_root)
        .env("GOMODCACHE", go_root.join("pkg/mod"))
        .env("GOCACHE", go_root.join("cache"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("starting go run");
    let deadline = Instant::now() + Duration::from_secs(600);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("go run did not finish within ten minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let err = std::fs::read_to_string(&stderr).unwrap_or_default();
    let out = std::fs::read_to_string(&stdout).unwrap();
    let _ = std::fs::remove_file(&stdout);
    let _ = std::fs::remove_file(&stderr);
    assert!(status.success(), "go run failed ({status}):\n{err}");
    out.lines().map(str::to_owned).collect()
}

/// A path for a file only this test process uses.
fn tempfile_path(name: &str) -> PathBuf {
    let dir = target_dir().join("go").join("tmp");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}-{name}", std::process::id()))
}

fn ours() -> Vec<String> {
    let mut layer = Descriptor::new(
        "text/plain",
        "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
            .parse::<Digest>()
            .unwrap(),
        5,
    );
    layer
        .annotations
        .insert(annotation::TITLE.into(), "<b>&.txt".into());
    layer
        .annotations
        .insert(format!("z{TRICKY}"), TRICKY.into());
    let manifest = Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.into(),
        artifact_type: "application/vnd.test+<x>&y".into(),
        config: Descriptor::empty_json(),
        layers: vec![layer.clone()],
        subject: Some(Descriptor::new(
            media_type::IMAGE_MANIFEST,
            layer.digest.clone(),
            5,
        )),
        annotations: BTreeMap::from([
            (
                "org.opencontainers.image.created".to_owned(),
                "2000-01-01T00:00:00Z".to_owned(),
            ),
            ("k<&>".to_owned(), TRICKY.to_owned()),
        ]),
    };
    let mut entry = Descriptor::new(media_type::IMAGE_MANIFEST, layer.digest.clone(), 5);
    let mut platform = Platform::new("linux", "amd64");
    platform.os_features = vec!["a&b".into()];
    platform.variant = "<v>".into();
    entry.platform = Some(platform);
    let mut index = Index::new(vec![entry]);
    index.annotations.insert("ref".into(), TRICKY.into());
    [
        Parsed::from_value(manifest).bytes().to_vec(),
        Parsed::from_value(index).bytes().to_vec(),
        layer.to_json(),
    ]
    .into_iter()
    .map(|bytes| String::from_utf8(bytes).unwrap())
    .collect()
}

#[test]
fn packed_json_is_byte_for_byte_what_go_marshals() {
    let go = go_output();
    let ours = ours();
    assert_eq!(go.len(), ours.len(), "go printed {go:?}");
    for (go, ours) in go.iter().zip(&ours) {
        assert_eq!(ours, go, "our JSON differs from Go's");
        assert_eq!(
            Digest::sha256(ours.as_bytes()),
            Digest::sha256(go.as_bytes())
        );
    }
    // And what we pack reads back unchanged.
    let parsed =
        Parsed::<Manifest>::from_bytes(ours[0].clone().into_bytes(), "image manifest").unwrap();
    assert_eq!(parsed.value().annotations["k<&>"], TRICKY);
}
