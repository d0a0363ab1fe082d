//! What every content test needs: an isolated environment for the `oras`
//! binary (temporary `HOME` and `DOCKER_CONFIG`, no `ORAS_CACHE`, a
//! bounded run time), a plain-HTTP CNCF Distribution registry, and test
//! content pushed with the libraries.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use bytes::Bytes;
use oras_content::Target;
use oras_copy::push_bytes;
use oras_remote::{ClientConfig, Registry, Repository};
use oras_spec::{Descriptor, Index, Manifest, media_type};
use oras_testkit::real::{Mode, RealRegistry, start_for_test};
use tempfile::TempDir;

/// The longest any single `oras` run may take.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest test set-up through the libraries may take.
pub(crate) const SETUP_TIMEOUT: Duration = Duration::from_secs(60);

/// A working directory with its own `HOME` and Docker config.
pub(crate) struct Env {
    dir: TempDir,
}

impl Env {
    /// A fresh environment.
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home/.docker")).unwrap();
        Env { dir }
    }

    /// A path inside the working directory.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The working directory.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `oras` in this environment, with stdin empty unless set.
    pub(crate) fn oras(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_oras"));
        cmd.current_dir(self.dir.path())
            .env("HOME", self.dir.path().join("home"))
            .env("DOCKER_CONFIG", self.dir.path().join("home/.docker"))
            .env_remove("ORAS_CACHE")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .write_stdin("")
            .timeout(COMMAND_TIMEOUT);
        cmd
    }

    /// Runs `oras args…`, expecting success; returns stdout.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let out = self.oras().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "oras {args:?} failed:\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs `oras args…`, expecting exit code 1; returns stderr.
    pub(crate) fn fails(&self, args: &[&str]) -> String {
        let out = self.oras().args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "oras {args:?} should fail:\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).unwrap()
    }
}

/// A plain-HTTP registry for one test (`None` only when skipping is allowed).
pub(crate) fn registry() -> Option<RealRegistry> {
    start_for_test(Mode::Plain)
}

/// A runtime for the set-up done through the libraries.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs a set-up future, bounded in time.
pub(crate) fn setup<F: std::future::Future>(rt: &tokio::runtime::Runtime, future: F) -> F::Output {
    rt.block_on(async {
        tokio::time::timeout(SETUP_TIMEOUT, future)
            .await
            .expect("test set-up timed out")
    })
}

/// The repository `name` of `registry`, over plain HTTP.
pub(crate) fn repository(registry: &RealRegistry, name: &str) -> Repository {
    Registry::with_config(&registry.host(), ClientConfig::new().plain_http(true))
        .unwrap()
        .repository(name)
        .unwrap()
}

/// An image pushed for the tests.
#[derive(Clone, Debug)]
pub(crate) struct Image {
    /// The manifest.
    pub(crate) manifest: Descriptor,
    /// Its exact bytes.
    pub(crate) manifest_bytes: Vec<u8>,
    /// The config.
    pub(crate) config: Descriptor,
    /// The config bytes.
    pub(crate) config_bytes: Vec<u8>,
    /// The one layer.
    pub(crate) layer: Descriptor,
}

/// Pushes an image for `arch` (linux) with the layer `layer` into
/// `store`, tagged `tag`.
pub(crate) async fn push_image<T: Target + ?Sized>(
    store: &T,
    arch: &str,
    layer: &str,
    tag: &str,
) -> Image {
    let config_bytes = format!(
        r#"{{"architecture":"{arch}","os":"linux","rootfs":{{"type":"layers","diff_ids":[]}}}}"#
    )
    .into_bytes();
    let config = push_bytes(
        store,
        media_type::IMAGE_CONFIG,
        Bytes::from(config_bytes.clone()),
    )
    .await
    .unwrap();
    let layer = push_bytes(
        store,
        media_type::IMAGE_LAYER,
        Bytes::from(layer.to_owned()),
    )
    .await
    .unwrap();
    let manifest = Manifest {
        schema_version: 2,
        media_type: media_type::IMAGE_MANIFEST.into(),
        artifact_type: String::new(),
        config: config.clone(),
        layers: vec![layer.clone()],
        subject: None,
        annotations: Default::default(),
    };
    let manifest_bytes = serde_json::to_vec(&manifest).unwrap();
    let desc = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, &manifest_bytes);
    store
        .push(&desc, oras_content::bytes_reader(manifest_bytes.clone()))
        .await
        .unwrap();
    store.tag(&desc, tag).await.unwrap();
    Image {
        manifest: desc,
        manifest_bytes,
        config,
        config_bytes,
        layer,
    }
}

/// Pushes an index over `images` (with their platforms) tagged `tag`.
pub(crate) async fn push_index<T: Target + ?Sized>(
    store: &T,
    images: &[(&Image, &str)],
    tag: &str,
) -> Descriptor {
    let manifests = images
        .iter()
        .map(|(image, arch)| {
            let mut entry = image.manifest.clone();
            entry.platform = Some(oras_spec::Platform::new("linux", *arch));
            entry
        })
        .collect();
    let bytes = serde_json::to_vec(&Index::new(manifests)).unwrap();
    let desc = Descriptor::from_bytes(media_type::IMAGE_INDEX, &bytes);
    store
        .push(&desc, oras_content::bytes_reader(bytes))
        .await
        .unwrap();
    store.tag(&desc, tag).await.unwrap();
    desc
}

/// `value` parsed as JSON.
pub(crate) fn json(value: &str) -> serde_json::Value {
    serde_json::from_str(value).unwrap_or_else(|err| panic!("not JSON ({err}): {value}"))
}

/// The first 12 hex characters of a SHA-256 digest.
pub(crate) fn short(desc: &Descriptor) -> String {
    desc.digest.encoded()[..12].to_owned()
}
