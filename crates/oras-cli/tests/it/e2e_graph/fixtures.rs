//! Test fixtures for the graph commands: registries (the real CNCF
//! Distribution without a referrers API, the fake with one), the `oras`
//! binary under an isolated home, and artifacts pushed through
//! oras-remote and oras-copy directly (never through `oras push`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use oras_content::{ErrorKind, Storage, bytes_reader};
use oras_remote::{ClientConfig, ProxyConfig, Registry, Repository};
use oras_spec::{Descriptor, Index, Manifest, Parsed, Platform, annotation, media_type};

/// Every command run here ends within this.
pub(crate) const COMMAND_LIMIT: Duration = Duration::from_secs(60);
/// Every test ends within this (registry start-up excluded).
pub(crate) const TEST_LIMIT: Duration = Duration::from_secs(180);

/// Runs `f` under the time bound of every test here.
pub(crate) async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(TEST_LIMIT, f)
        .await
        .expect("test took too long")
}

/// A fixed `created` annotation, so packed manifests are reproducible.
pub(crate) const CREATED: &str = "2000-01-01T00:00:00Z";

/// An isolated home for the binary: `HOME` and `DOCKER_CONFIG` point into
/// a temporary directory, so no credential of the machine is read.
pub(crate) struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    /// A fresh home.
    pub(crate) fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A path under the home.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The `oras` binary with this home, run from it, bounded in time.
    pub(crate) fn oras(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_oras"));
        cmd.timeout(COMMAND_LIMIT)
            .current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .env("DOCKER_CONFIG", self.dir.path().join(".docker"))
            .env_remove("ORAS_CACHE")
            .env("NO_PROXY", "*")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy");
        cmd
    }

    /// Runs `oras args…` on the blocking pool (the registries of a test
    /// serve from the async runtime meanwhile) and returns its output.
    pub(crate) async fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.oras();
        cmd.args(args);
        tokio::task::spawn_blocking(move || cmd.output().expect("run oras"))
            .await
            .expect("join")
    }

    /// Runs `oras args…` and asserts success; returns stdout.
    pub(crate) async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(
            out.status.success(),
            "oras {args:?} failed ({:?})\nstdout:\n{}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs `oras args…` and asserts failure; returns stderr.
    pub(crate) async fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert_eq!(
            out.status.code(),
            Some(1),
            "oras {args:?} should fail\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("utf-8 stderr")
    }
}

/// A repository `host/name` over plain HTTP, without proxies.
pub(crate) fn repo(host: &str, name: &str) -> Repository {
    let config = ClientConfig::new()
        .plain_http(true)
        .proxy(ProxyConfig::none());
    Registry::with_config(host, config)
        .expect("registry")
        .repository(name)
        .expect("repository")
}

/// Pushes `data` as `desc`; content already there is fine.
pub(crate) async fn put<S: Storage + ?Sized>(store: &S, desc: &Descriptor, data: &[u8]) {
    match store.push(desc, bytes_reader(data.to_vec())).await {
        Err(e) if e.kind() != ErrorKind::AlreadyExists => panic!("push {}: {e}", desc.digest),
        _ => {}
    }
}

/// Pushes `bytes` of `media_type` and returns the descriptor.
pub(crate) async fn blob<S: Storage + ?Sized>(
    store: &S,
    media_type: &str,
    bytes: &[u8],
) -> Descriptor {
    let desc = Descriptor::from_bytes(media_type, bytes);
    put(store, &desc, bytes).await;
    desc
}

/// Pushes an image manifest and returns its descriptor (with the
/// artifact type and annotations a referrers listing would show).
pub(crate) async fn manifest<S: Storage + ?Sized>(store: &S, value: Manifest) -> Descriptor {
    let parsed = Parsed::from_value(value.clone());
    let mut desc = parsed.descriptor(media_type::IMAGE_MANIFEST);
    put(store, &desc, parsed.bytes()).await;
    desc.artifact_type = value.artifact_type;
    desc.annotations = value.annotations;
    desc
}

/// An artifact: one titled layer with `text`, the empty config.
pub(crate) async fn artifact<S: Storage + ?Sized>(store: &S, text: &str) -> Descriptor {
    let mut layer = blob(store, media_type::IMAGE_LAYER, text.as_bytes()).await;
    layer
        .annotations
        .insert(annotation::TITLE.into(), format!("{text}.txt"));
    let config = blob(store, media_type::EMPTY_JSON, b"{}").await;
    manifest(
        store,
        Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.into(),
            artifact_type: "application/vnd.test.artifact".into(),
            config: Descriptor::new(media_type::EMPTY_JSON, config.digest, config.size),
            layers: vec![layer],
            subject: None,
            annotations: BTreeMap::from([(annotation::CREATED.into(), CREATED.into())]),
        },
    )
    .await
}

/// A referrer of `subject` with `artifact_type` and one annotation.
pub(crate) async fn referrer<S: Storage + ?Sized>(
    store: &S,
    subject: &Descriptor,
    artifact_type: &str,
    note: &str,
) -> Descriptor {
    let layer = blob(store, "application/vnd.test.payload", note.as_bytes()).await;
    let config = blob(store, media_type::EMPTY_JSON, b"{}").await;
    manifest(
        store,
        Manifest {
            schema_version: 2,
            media_type: media_type::IMAGE_MANIFEST.into(),
            artifact_type: artifact_type.into(),
            config: Descriptor::new(media_type::EMPTY_JSON, config.digest, config.size),
            layers: vec![layer],
            subject: Some(subject.plain()),
            annotations: BTreeMap::from([
                (annotation::CREATED.into(), CREATED.into()),
                ("note".into(), note.into()),
            ]),
        },
    )
    .await
}

/// A multi-platform index over one image per `os/arch`; returns the index
/// and its children (with their platforms).
pub(crate) async fn index<S: Storage + ?Sized>(
    store: &S,
    platforms: &[(&str, &str)],
) -> (Descriptor, Vec<Descriptor>) {
    let mut children = Vec::new();
    for (os, arch) in platforms {
        let config_json = format!(r#"{{"architecture":"{arch}","os":"{os}"}}"#);
        let config = blob(store, media_type::IMAGE_CONFIG, config_json.as_bytes()).await;
        let layer = blob(
            store,
            media_type::IMAGE_LAYER,
            format!("rootfs of {os}/{arch}").as_bytes(),
        )
        .await;
        let mut child = manifest(
            store,
            Manifest {
                schema_version: 2,
                media_type: media_type::IMAGE_MANIFEST.into(),
                artifact_type: String::new(),
                config,
                layers: vec![layer],
                subject: None,
                annotations: BTreeMap::new(),
            },
        )
        .await;
        child.platform = Some(Platform::new(*os, *arch));
        children.push(child);
    }
    let parsed = Parsed::from_value(Index::new(children.clone()));
    let desc = parsed.descriptor(media_type::IMAGE_INDEX);
    put(store, &desc, parsed.bytes()).await;
    (desc, children)
}

/// Tags `desc` as `tag` in `store`.
pub(crate) async fn tag<S: oras_content::Tagger + ?Sized>(store: &S, desc: &Descriptor, tag: &str) {
    store.tag(desc, tag).await.expect("tag");
}

/// The digests of every file under `dir/blobs`, as `alg:hex`.
pub(crate) fn layout_blobs(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(algorithms) = std::fs::read_dir(dir.join("blobs")) else {
        return found;
    };
    for alg in algorithms.flatten() {
        for blob in std::fs::read_dir(alg.path()).expect("read blobs").flatten() {
            found.push(format!(
                "{}:{}",
                alg.file_name().to_string_lossy(),
                blob.file_name().to_string_lossy()
            ));
        }
    }
    found.sort();
    found
}

/// The digest at the end of the `Digest: ` line of a summary.
pub(crate) fn digest_line(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("Digest: "))
        .unwrap_or_else(|| panic!("no Digest line in\n{stdout}"))
        .to_owned()
}

/// Parses JSON output.
pub(crate) fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}
