//! Interoperability with other OCI tools, both directions, against the
//! real CNCF Distribution registry (Plain mode, and Token mode for
//! credentials):
//!
//! * oras-py (PyPI `oras`, a venv from `oras_testkit::interop::oras_py`)
//!   pushes files and a directory that our `oras pull` reads, and pulls
//!   what our `oras push` wrote; the manifest fetched both ways is the
//!   same bytes;
//! * skopeo (Debian's, from `oras_testkit::interop::skopeo`) copies the
//!   OCI layouts our `oras cp --to-oci-layout` and `oras push --oci-layout`
//!   write to the registry with the same manifest digest, writes layouts
//!   our `oras cp --from-oci-layout` and `oras pull --oci-layout` read, and
//!   `skopeo inspect --raw` sees the exact manifest we pushed; the same
//!   holds for tar layouts (`oras backup`/`oras restore` and skopeo's
//!   `oci-archive:`), and referrers skopeo copies (the tag schema index)
//!   are discovered by our `oras discover`.
//!
//! What oras-py does differently from ORAS (Go and ours), pinned here:
//! it marks a pushed directory only by the layer media type
//! `application/vnd.oci.image.layer.v1.tar+gzip` (no
//! `io.deis.oras.content.unpack` annotation), so `oras pull` keeps it as
//! the `.tar.gz` blob under the directory's name, as the Go CLI does; and
//! its `pull` unpacks every layer of that media type, unpack annotation or
//! not (so a plain `.tgz` file pushed with it comes out unpacked). Its
//! manifests are Python's `json.dumps` (`", "` and `": "` separators,
//! `"annotations": {}`), which we carry byte for byte.
//!
//! Against a token-auth registry, the credentials `oras login` saves serve
//! oras-py's pull and skopeo, but oras-py 0.2.43 cannot push there at all
//! (it reuses its first, pull-only token for the upload); pinned below.
//!
//! Not tested because skopeo 1.9 cannot: a layout whose `index.json`
//! names a Docker schema 2 manifest (as `oras cp --to-oci-layout` of a
//! Docker image writes it, like the Go CLI) is "no descriptor found for
//! reference" to skopeo's `oci:` transport, which only considers OCI
//! media types there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use oras_content::{ReadOnlyStorage, Resolver};
use oras_spec::{Descriptor, media_type};
use oras_testkit::interop;
use oras_testkit::real::{Mode, start_for_test_async};

use crate::e2e_graph::fixtures::{
    COMMAND_LIMIT, Home, bounded, index, json, layout_blobs, repo, tag,
};

/// The oras-py side of the tests: `push TARGET FILE…` prints the
/// manifest digest, `pull TARGET OUTDIR` the pulled paths relative to
/// OUTDIR (JSON), `manifest TARGET` writes the raw manifest bytes.
const ORAS_PY_SCRIPT: &str = r#"
import json, os, sys
import oras.client, oras.defaults

client = oras.client.OrasClient(insecure=True)
command, target = sys.argv[1], sys.argv[2]
if command == "push":
    response = client.push(target=target, files=sys.argv[3:], quiet=True)
    print(response.headers["Docker-Content-Digest"])
elif command == "pull":
    outdir = sys.argv[3]
    files = client.pull(target=target, outdir=outdir)
    base = os.path.realpath(outdir)
    print(json.dumps(sorted(os.path.relpath(f, base) for f in files)))
elif command == "manifest":
    container = client.get_container(target)
    accept = ", ".join(oras.defaults.default_manifest_accepted_media_types)
    response = client.do_request(
        f"{client.prefix}://{container.manifest_url()}", "GET", headers={"Accept": accept}
    )
    response.raise_for_status()
    sys.stdout.buffer.write(response.content)
else:
    sys.exit(f"unknown command {command}")
"#;

/// A tool from the test kit, or `None` (a skip) when it cannot be had and
/// `ORAS_SKIP_INTEROP=1`; otherwise a missing tool fails the test.
async fn tool(what: &'static str, get: fn() -> interop::Result<PathBuf>) -> Option<PathBuf> {
    match tokio::task::spawn_blocking(get).await.expect("join") {
        Ok(path) => Some(path),
        Err(e) if interop::skip_requested() => {
            eprintln!("SKIP: {what} interop ({}=1): {e}", interop::SKIP_ENV);
            None
        }
        Err(e) => panic!("{what} is needed for the interop tests: {e}"),
    }
}

/// Runs `program args…` from `home`, with the home's isolation (no
/// credentials, no proxies), bounded in time; asserts success.
async fn run_ok(home: &Home, program: &Path, args: &[&str]) -> Output {
    let out = run_tool(home, program, args).await;
    assert!(
        out.status.success(),
        "{} {args:?} failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        program.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// [`run_ok`] without the success check.
async fn run_tool(home: &Home, program: &Path, args: &[&str]) -> Output {
    let mut cmd = assert_cmd::Command::new(program);
    cmd.timeout(COMMAND_LIMIT)
        .args(args)
        .current_dir(home.path(""))
        .env("HOME", home.path(""))
        .env("DOCKER_CONFIG", home.path(".docker"))
        .env("XDG_RUNTIME_DIR", home.path("run"))
        .env("XDG_CONFIG_HOME", home.path(".config"))
        // What `oras login` saved is the other tools' credentials too.
        .env("REGISTRY_AUTH_FILE", home.path(".docker/config.json"))
        .env("TMPDIR", home.path(""))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("NO_PROXY", "*")
        .env("no_proxy", "*")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy");
    tokio::task::spawn_blocking(move || cmd.output().expect("run tool"))
        .await
        .expect("join")
}

/// Runs the oras-py script with `args`; asserts success.
async fn oras_py(home: &Home, python: &Path, args: &[&str]) -> Output {
    let script = oras_py_script(home);
    let mut all = vec![script.to_str().unwrap()];
    all.extend_from_slice(args);
    run_ok(home, python, &all).await
}

/// The oras-py script, written into `home` on first use.
fn oras_py_script(home: &Home) -> PathBuf {
    let script = home.path("oras_py_side.py");
    if !script.exists() {
        std::fs::write(&script, ORAS_PY_SCRIPT).unwrap();
    }
    script
}

/// Runs `skopeo --insecure-policy args…` (no policy.json is needed).
async fn skopeo(home: &Home, skopeo: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--insecure-policy"];
    all.extend_from_slice(args);
    run_ok(home, skopeo, &all).await
}

/// Every regular file under `dir`, by path relative to it, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                walk(root, &path, found);
            } else if kind.is_file() {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().into();
                found.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

/// Writes the files the tests push: `notes.txt`, an empty file, a name
/// with a space and a non-ASCII letter, `blob.bin` (every byte value) and
/// the directory `tree/` with a nested file.
fn write_inputs(home: &Home) -> BTreeMap<String, Vec<u8>> {
    let files = BTreeMap::from([
        ("notes.txt".to_string(), b"interop notes\n".to_vec()),
        ("empty.txt".to_string(), Vec::new()),
        ("spaced ü.txt".to_string(), "ü\n".as_bytes().to_vec()),
        (
            "blob.bin".to_string(),
            (0..=255u8).cycle().take(3000).collect(),
        ),
        ("tree/top.txt".to_string(), b"top\n".to_vec()),
        ("tree/sub/deep.txt".to_string(), b"deep\n".to_vec()),
    ]);
    for (name, bytes) in &files {
        let path = home.path(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    files
}

/// The sha256 digest of `bytes`, as `sha256:<hex>`.
fn digest(bytes: &[u8]) -> String {
    Descriptor::from_bytes(media_type::IMAGE_LAYER, bytes)
        .digest
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oras_py_pushes_and_our_oras_pulls() {
    let Some(python) = tool("oras-py", interop::oras_py).await else {
        return;
    };
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let home = Home::new();
        let inputs = write_inputs(&home);
        let target = format!("{host}/py/files:v1");

        let pushed = oras_py(
            &home,
            &python,
            &[
                "push",
                &target,
                "notes.txt",
                "empty.txt",
                "spaced ü.txt",
                "blob.bin",
                "tree",
            ],
        )
        .await;
        let pushed_digest = String::from_utf8(pushed.stdout).unwrap().trim().to_string();

        // The manifest, fetched by oras-py and by us, is the same bytes.
        let theirs = oras_py(&home, &python, &["manifest", &target]).await.stdout;
        let ours = home
            .run(&["manifest", "fetch", "--plain-http", &target])
            .await;
        assert!(ours.status.success(), "{ours:?}");
        assert_eq!(ours.stdout, theirs);
        assert_eq!(digest(&ours.stdout), pushed_digest);
        let manifest = json(std::str::from_utf8(&ours.stdout).unwrap());
        assert_eq!(
            manifest["config"]["mediaType"],
            "application/vnd.unknown.config.v1+json"
        );

        // Files come back byte for byte.
        let out = home
            .ok(&["pull", "--plain-http", &target, "-o", "pulled"])
            .await;
        assert!(
            out.ends_with(&format!("Digest: {pushed_digest}\n")),
            "{out}"
        );
        let pulled = tree(&home.path("pulled"));
        for name in ["notes.txt", "empty.txt", "spaced ü.txt", "blob.bin"] {
            assert_eq!(pulled[name], inputs[name], "{name}");
        }

        // oras-py marks the directory by media type only, with no
        // `io.deis.oras.content.unpack`: like the Go CLI, we keep the
        // gzipped tar under the directory's name.
        let layer = &manifest["layers"][4];
        assert_eq!(layer["mediaType"], media_type::IMAGE_LAYER_GZIP);
        assert_eq!(
            layer["annotations"]["org.opencontainers.image.title"],
            "tree"
        );
        assert!(
            layer["annotations"]
                .get("io.deis.oras.content.unpack")
                .is_none()
        );
        let archive = &pulled["tree"];
        assert_eq!(digest(archive), layer["digest"].as_str().unwrap());
        // That archive holds the directory, rooted at its name.
        let unpacked = home.path("unpacked");
        std::fs::create_dir(&unpacked).unwrap();
        run_ok(
            &home,
            Path::new("tar"),
            &["-xzf", "pulled/tree", "-C", "unpacked"],
        )
        .await;
        let unpacked = tree(&unpacked);
        assert_eq!(unpacked["tree/top.txt"], inputs["tree/top.txt"]);
        assert_eq!(unpacked["tree/sub/deep.txt"], inputs["tree/sub/deep.txt"]);
        assert_eq!(unpacked.len(), 2, "{:?}", unpacked.keys());
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_oras_pushes_and_oras_py_pulls() {
    let Some(python) = tool("oras-py", interop::oras_py).await else {
        return;
    };
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let home = Home::new();
        let inputs = write_inputs(&home);
        let target = format!("{host}/ours/files:v1");

        let out = home
            .ok(&[
                "push",
                "--plain-http",
                &target,
                "notes.txt",
                "empty.txt",
                "spaced ü.txt",
                "blob.bin:application/octet-stream",
                "tree",
            ])
            .await;
        let pushed_digest = out
            .lines()
            .find_map(|line| line.strip_prefix("Digest: "))
            .unwrap()
            .to_string();

        let ours = home
            .run(&["manifest", "fetch", "--plain-http", &target])
            .await;
        assert!(ours.status.success(), "{ours:?}");
        let theirs = oras_py(&home, &python, &["manifest", &target]).await.stdout;
        assert_eq!(theirs, ours.stdout);
        assert_eq!(digest(&theirs), pushed_digest);

        // oras-py pulls every file, and unpacks our directory (tar+gzip,
        // entries rooted at `tree/`) beside them.
        let listed = oras_py(&home, &python, &["pull", &target, "pulled"]).await;
        let listed = json(std::str::from_utf8(&listed.stdout).unwrap());
        assert_eq!(
            listed,
            serde_json::json!(["blob.bin", "empty.txt", "notes.txt", "spaced ü.txt", "tree"])
        );
        assert_eq!(tree(&home.path("pulled")), inputs);
        // A plain file pushed as tar+gzip (no unpack annotation) is
        // written as is by ORAS, but oras-py unpacks it and reports a path
        // it never wrote: a difference of oras-py, pinned here.
        let bundle = home.path("bundle");
        std::fs::create_dir(&bundle).unwrap();
        std::fs::write(bundle.join("inner.txt"), b"inner\n").unwrap();
        run_ok(&home, Path::new("tar"), &["-czf", "bundle.tgz", "bundle"]).await;
        let gz_target = format!("{host}/ours/tgz:v1");
        home.ok(&[
            "push",
            "--plain-http",
            &gz_target,
            &format!("bundle.tgz:{}", media_type::IMAGE_LAYER_GZIP),
        ])
        .await;
        home.ok(&["pull", "--plain-http", &gz_target, "-o", "ours-tgz"])
            .await;
        assert_eq!(
            tree(&home.path("ours-tgz")),
            BTreeMap::from([(
                "bundle.tgz".to_string(),
                std::fs::read(home.path("bundle.tgz")).unwrap()
            )])
        );
        let listed = oras_py(&home, &python, &["pull", &gz_target, "py-tgz"]).await;
        let listed = json(std::str::from_utf8(&listed.stdout).unwrap());
        assert_eq!(listed, serde_json::json!(["bundle.tgz"]));
        assert_eq!(
            tree(&home.path("py-tgz")),
            BTreeMap::from([("bundle/inner.txt".to_string(), b"inner\n".to_vec())])
        );
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skopeo_copies_our_layouts_and_sees_our_manifests() {
    let Some(skopeo_bin) = tool("skopeo", interop::skopeo).await else {
        return;
    };
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let home = Home::new();
        write_inputs(&home);
        let target = format!("{host}/ours/art:v1");
        home.ok(&[
            "push",
            "--plain-http",
            "--artifact-type",
            "application/vnd.test.interop",
            &target,
            "notes.txt",
            "tree",
        ])
        .await;
        let ours = home
            .run(&["manifest", "fetch", "--plain-http", &target])
            .await;
        assert!(ours.status.success(), "{ours:?}");
        let pushed = ours.stdout;

        // skopeo sees our exact manifest bytes.
        let raw = skopeo(
            &home,
            &skopeo_bin,
            &[
                "inspect",
                "--raw",
                "--tls-verify=false",
                &format!("docker://{target}"),
            ],
        )
        .await;
        assert_eq!(raw.stdout, pushed);

        // `oras cp --to-oci-layout` writes a layout skopeo pushes as is.
        home.ok(&[
            "cp",
            "--from-plain-http",
            &target,
            "--to-oci-layout",
            "copied:v1",
        ])
        .await;
        skopeo(
            &home,
            &skopeo_bin,
            &[
                "copy",
                "oci:copied:v1",
                &format!("docker://{host}/skopeo/copied:v1"),
                "--dest-tls-verify=false",
            ],
        )
        .await;
        let back = home
            .run(&[
                "manifest",
                "fetch",
                "--plain-http",
                &format!("{host}/skopeo/copied:v1"),
            ])
            .await;
        assert_eq!(back.stdout, pushed);

        // So does `oras push --oci-layout`.
        let out = home
            .ok(&["push", "--oci-layout", "pushed:v2", "notes.txt", "blob.bin"])
            .await;
        let layout_digest = out
            .lines()
            .find_map(|line| line.strip_prefix("Digest: "))
            .unwrap()
            .to_string();
        let in_layout = home
            .run(&["manifest", "fetch", "--oci-layout", "pushed:v2"])
            .await;
        assert_eq!(digest(&in_layout.stdout), layout_digest);
        skopeo(
            &home,
            &skopeo_bin,
            &[
                "copy",
                "oci:pushed:v2",
                &format!("docker://{host}/skopeo/pushed:v2"),
                "--dest-tls-verify=false",
            ],
        )
        .await;
        let raw = skopeo(
            &home,
            &skopeo_bin,
            &[
                "inspect",
                "--raw",
                "--tls-verify=false",
                &format!("docker://{host}/skopeo/pushed:v2"),
            ],
        )
        .await;
        assert_eq!(raw.stdout, in_layout.stdout);
        let resolved = json(
            &home
                .ok(&[
                    "manifest",
                    "fetch",
                    "--plain-http",
                    "--descriptor",
                    &format!("{host}/skopeo/pushed:v2"),
                ])
                .await,
        );
        assert_eq!(resolved["digest"], layout_digest.as_str());
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referrers_copied_by_skopeo_are_discovered_by_our_oras() {
    let Some(skopeo_bin) = tool("skopeo", interop::skopeo).await else {
        return;
    };
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let home = Home::new();
        write_inputs(&home);
        let target = format!("{host}/ours/signed:v1");
        home.ok(&["push", "--plain-http", &target, "notes.txt"])
            .await;
        let subject = digest(
            &home
                .run(&["manifest", "fetch", "--plain-http", &target])
                .await
                .stdout,
        );
        let out = home
            .ok(&[
                "attach",
                "--plain-http",
                "--artifact-type",
                "application/vnd.test.sig",
                &target,
                "blob.bin",
            ])
            .await;
        let sig = out
            .lines()
            .find_map(|line| line.strip_prefix("Digest: "))
            .unwrap()
            .to_string();

        // Distribution 2.8 has no referrers API: the referrers live in the
        // `sha256-<hex>` tag schema index, which skopeo copies like any
        // index (`--all` for its children).
        let schema_tag = subject.replace(':', "-");
        for tag in ["v1", schema_tag.as_str()] {
            skopeo(
                &home,
                &skopeo_bin,
                &[
                    "copy",
                    "--all",
                    &format!("docker://{host}/ours/signed:{tag}"),
                    &format!("docker://{host}/skopeo/signed:{tag}"),
                    "--src-tls-verify=false",
                    "--dest-tls-verify=false",
                ],
            )
            .await;
        }
        let found = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--format",
                    "json",
                    &format!("{host}/skopeo/signed:v1"),
                ])
                .await,
        );
        let referrers = found["referrers"].as_array().unwrap();
        assert_eq!(referrers.len(), 1, "{found}");
        assert_eq!(referrers[0]["digest"], sig.as_str());
        // skopeo 1.9 rewrites the index without the descriptors'
        // `artifactType` (so `--preserve-digests` refuses the copy); the
        // Go CLI then shows the same `<unknown>` type we do.
        let artifact_type = referrers[0].get("artifactType").and_then(|v| v.as_str());
        assert!(
            matches!(artifact_type, None | Some("application/vnd.test.sig")),
            "{found}"
        );
        home.ok(&[
            "pull",
            "--plain-http",
            &format!("{host}/skopeo/signed@{sig}"),
            "-o",
            "sig",
        ])
        .await;
        assert_eq!(
            std::fs::read(home.path("sig/blob.bin")).unwrap(),
            std::fs::read(home.path("blob.bin")).unwrap()
        );
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skopeo_layouts_are_read_by_our_oras() {
    let Some(skopeo_bin) = tool("skopeo", interop::skopeo).await else {
        return;
    };
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let home = Home::new();
        let inputs = write_inputs(&home);

        // An artifact we push, copied by skopeo into a layout, pulls from
        // that layout with identical files.
        let target = format!("{host}/ours/files:v1");
        home.ok(&[
            "push",
            "--plain-http",
            &target,
            "notes.txt",
            "empty.txt",
            "spaced ü.txt",
            "blob.bin",
            "tree",
        ])
        .await;
        let pushed = home
            .run(&["manifest", "fetch", "--plain-http", &target])
            .await
            .stdout;
        skopeo(
            &home,
            &skopeo_bin,
            &[
                "copy",
                &format!("docker://{target}"),
                "oci:fromskopeo:v1",
                "--src-tls-verify=false",
            ],
        )
        .await;
        let in_layout = home
            .run(&["manifest", "fetch", "--oci-layout", "fromskopeo:v1"])
            .await;
        assert_eq!(in_layout.stdout, pushed);
        let out = home
            .ok(&["pull", "--oci-layout", "fromskopeo:v1", "-o", "pulled"])
            .await;
        assert!(
            out.ends_with(&format!("Digest: {}\n", digest(&pushed))),
            "{out}"
        );
        assert_eq!(tree(&home.path("pulled")), inputs);

        // A multi-platform index (images, not artifacts), every platform
        // copied by skopeo, goes back to the registry from the layout with
        // `oras cp --from-oci-layout` unchanged.
        let src = repo(&host, "images/src");
        let (idx, children) = index(&src, &[("linux", "amd64"), ("linux", "arm64")]).await;
        tag(&src, &idx, "v1").await;
        skopeo(
            &home,
            &skopeo_bin,
            &[
                "copy",
                "--all",
                "--preserve-digests",
                &format!("docker://{host}/images/src:v1"),
                "oci:images:v1",
                "--src-tls-verify=false",
            ],
        )
        .await;
        let blobs = layout_blobs(&home.path("images"));
        for want in [&idx, &children[0], &children[1]] {
            assert!(
                blobs.contains(&want.digest.to_string()),
                "{} not in {blobs:?}",
                want.digest
            );
        }
        let out = home
            .ok(&[
                "cp",
                "--from-oci-layout",
                "images:v1",
                "--to-plain-http",
                &format!("{host}/images/back:v1"),
            ])
            .await;
        assert!(out.ends_with(&format!("Digest: {}\n", idx.digest)), "{out}");
        let back = repo(&host, "images/back");
        assert_eq!(back.resolve("v1").await.unwrap().digest, idx.digest);
        for child in &children {
            assert!(
                back.exists(child).await.unwrap(),
                "{} missing",
                child.digest
            );
        }

        // By default skopeo gzips the uncompressed layers for an `oci:`
        // destination, rewriting the manifests: that layout copies back
        // too, under the digest its index.json names.
        skopeo(
            &home,
            &skopeo_bin,
            &[
                "copy",
                "--all",
                &format!("docker://{host}/images/src:v1"),
                "oci:gzipped:v1",
                "--src-tls-verify=false",
            ],
        )
        .await;
        let index_json = json(&std::fs::read_to_string(home.path("gzipped/index.json")).unwrap());
        let rewritten = index_json["manifests"][0]["digest"]
            .as_str()
            .unwrap()
            .to_string();
        assert_ne!(rewritten, idx.digest.to_string());
        let out = home
            .ok(&[
                "cp",
                "-r",
                "--from-oci-layout",
                "gzipped:v1",
                "--to-plain-http",
                &format!("{host}/images/gzipped:v1"),
            ])
            .await;
        assert!(out.ends_with(&format!("Digest: {rewritten}\n")), "{out}");
        let pulled = home
            .run(&["manifest", "fetch", "--oci-layout", "gzipped:v1"])
            .await;
        let pushed = home
            .run(&[
                "manifest",
                "fetch",
                "--plain-http",
                &format!("{host}/images/gzipped:v1"),
            ])
            .await;
        assert_eq!(pulled.stdout, pushed.stdout);
        assert_eq!(digest(&pushed.stdout), rewritten);
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn layout_tar_archives_go_both_ways_with_skopeo() {
    let Some(skopeo_bin) = tool("skopeo", interop::skopeo).await else {
        return;
    };
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let home = Home::new();
        let inputs = write_inputs(&home);
        let target = format!("{host}/ours/tarred:v1");
        home.ok(&[
            "push",
            "--plain-http",
            &target,
            "notes.txt",
            "empty.txt",
            "spaced ü.txt",
            "blob.bin",
            "tree",
        ])
        .await;
        let pushed = home
            .run(&["manifest", "fetch", "--plain-http", &target])
            .await
            .stdout;
        let pushed_digest = digest(&pushed);

        // `oras backup` to a tar is an `oci-archive:` skopeo copies on.
        home.ok(&["backup", "--plain-http", "--output", "ours.tar", &target])
            .await;
        skopeo(
            &home,
            &skopeo_bin,
            &[
                "copy",
                "oci-archive:ours.tar:v1",
                &format!("docker://{host}/skopeo/tarred:v1"),
                "--dest-tls-verify=false",
            ],
        )
        .await;
        let raw = skopeo(
            &home,
            &skopeo_bin,
            &[
                "inspect",
                "--raw",
                "--tls-verify=false",
                &format!("docker://{host}/skopeo/tarred:v1"),
            ],
        )
        .await;
        assert_eq!(raw.stdout, pushed);

        // skopeo's `oci-archive:` is a tar layout `oras restore`,
        // `oras cp --from-oci-layout` and `oras pull --oci-layout` read.
        skopeo(
            &home,
            &skopeo_bin,
            &[
                "copy",
                &format!("docker://{target}"),
                "oci-archive:theirs.tar:v1",
                "--src-tls-verify=false",
            ],
        )
        .await;
        home.ok(&[
            "restore",
            "--plain-http",
            "--input",
            "theirs.tar",
            &format!("{host}/restored/tarred:v1"),
        ])
        .await;
        let out = home
            .ok(&[
                "cp",
                "--from-oci-layout",
                "theirs.tar:v1",
                "--to-plain-http",
                &format!("{host}/copied/tarred:v1"),
            ])
            .await;
        assert!(
            out.ends_with(&format!("Digest: {pushed_digest}\n")),
            "{out}"
        );
        for name in ["restored/tarred:v1", "copied/tarred:v1"] {
            let back = home
                .run(&[
                    "manifest",
                    "fetch",
                    "--plain-http",
                    &format!("{host}/{name}"),
                ])
                .await;
            assert_eq!(back.stdout, pushed, "{name}");
        }
        home.ok(&["pull", "--oci-layout", "theirs.tar:v1", "-o", "pulled"])
            .await;
        assert_eq!(tree(&home.path("pulled")), inputs);
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_layout_shared_with_skopeo_keeps_both_tools_tags() {
    let Some(skopeo_bin) = tool("skopeo", interop::skopeo).await else {
        return;
    };
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let home = Home::new();
        write_inputs(&home);
        let target = format!("{host}/ours/shared:v1");
        home.ok(&["push", "--plain-http", &target, "blob.bin", "tree"])
            .await;
        let theirs = home
            .run(&["manifest", "fetch", "--plain-http", &target])
            .await
            .stdout;

        // skopeo starts the layout (its index.json has no mediaType), we
        // add a tag, skopeo adds another: every tag stays readable by both.
        let copy_in = |tag: &'static str| {
            [
                "copy".to_string(),
                format!("docker://{target}"),
                format!("oci:shared:{tag}"),
                "--src-tls-verify=false".to_string(),
            ]
        };
        let args = copy_in("theirs");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        skopeo(&home, &skopeo_bin, &args).await;
        home.ok(&["push", "--oci-layout", "shared:ours", "notes.txt"])
            .await;
        let ours = home
            .run(&["manifest", "fetch", "--oci-layout", "shared:ours"])
            .await
            .stdout;
        let args = copy_in("again");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        skopeo(&home, &skopeo_bin, &args).await;

        let tags = home.ok(&["repo", "tags", "--oci-layout", "shared"]).await;
        assert_eq!(tags, "again\nours\ntheirs\n");
        skopeo(
            &home,
            &skopeo_bin,
            &[
                "copy",
                "oci:shared:ours",
                &format!("docker://{host}/shared/out:ours"),
                "--dest-tls-verify=false",
            ],
        )
        .await;
        for tag in ["theirs", "again"] {
            home.ok(&[
                "cp",
                "--from-oci-layout",
                &format!("shared:{tag}"),
                "--to-plain-http",
                &format!("{host}/shared/out:{tag}"),
            ])
            .await;
        }
        for (tag, want) in [("ours", &ours), ("theirs", &theirs), ("again", &theirs)] {
            let back = home
                .run(&[
                    "manifest",
                    "fetch",
                    "--plain-http",
                    &format!("{host}/shared/out:{tag}"),
                ])
                .await;
            assert_eq!(&back.stdout, want, "{tag}");
        }
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_saved_by_oras_login_serve_oras_py_and_skopeo() {
    let Some(python) = tool("oras-py", interop::oras_py).await else {
        return;
    };
    let Some(skopeo_bin) = tool("skopeo", interop::skopeo).await else {
        return;
    };
    let Some(registry) = start_for_test_async(Mode::Token).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
        let home = Home::new();
        let inputs = write_inputs(&home);
        let target = format!("{host}/auth/ours:v1");

        // Anonymous callers get nothing from the token server.
        let denied = home
            .run(&["push", "--plain-http", &target, "notes.txt"])
            .await;
        assert_eq!(denied.status.code(), Some(1));

        let mut login = home.oras();
        login
            .args([
                "login",
                "--plain-http",
                "-u",
                user,
                "--password-stdin",
                &host,
            ])
            .write_stdin(format!("{password}\n"));
        let out = tokio::task::spawn_blocking(move || login.output().unwrap())
            .await
            .unwrap();
        assert!(out.status.success(), "{out:?}");

        home.ok(&[
            "push",
            "--plain-http",
            &target,
            "notes.txt",
            "empty.txt",
            "spaced ü.txt",
            "blob.bin",
            "tree",
        ])
        .await;
        let pushed = home
            .run(&["manifest", "fetch", "--plain-http", &target])
            .await
            .stdout;

        // oras-py reads the Docker config file `oras login` wrote (Basic
        // credentials traded for Bearer tokens) both ways.
        oras_py(&home, &python, &["pull", &target, "pulled"]).await;
        assert_eq!(tree(&home.path("pulled")), inputs);
        // oras-py 0.2.43 cannot push to a token-auth registry: its first
        // request (the blob HEAD) is challenged for `pull`, and it then
        // answers every later challenge, the upload's `pull,push` included,
        // with that same token (`TokenAuth.authenticate_request` returns
        // the held token without looking at the scope), so the upload POST
        // stays unauthorized. Not a credentials problem: the token request
        // authenticated as the user `oras login` saved.
        let tokens = registry.token_server().unwrap();
        let before = tokens.request_count();
        let script = oras_py_script(&home);
        let attempt = run_tool(
            &home,
            &python,
            &[
                script.to_str().unwrap(),
                "push",
                &format!("{host}/auth/py:v1"),
                "notes.txt",
            ],
        )
        .await;
        assert!(
            !attempt.status.success(),
            "oras-py push to a token registry now works"
        );
        let stderr = String::from_utf8_lossy(&attempt.stderr);
        assert!(stderr.contains("UNAUTHORIZED"), "{stderr}");
        let asked = &tokens.requests()[before..];
        assert_eq!(asked.len(), 1, "{asked:?}");
        assert_eq!(asked[0].user.as_deref(), Some(user), "{asked:?}");
        assert_eq!(asked[0].scopes, ["repository:auth/py:pull"], "{asked:?}");

        // So does skopeo.
        let raw = skopeo(
            &home,
            &skopeo_bin,
            &[
                "inspect",
                "--raw",
                "--tls-verify=false",
                &format!("docker://{target}"),
            ],
        )
        .await;
        assert_eq!(raw.stdout, pushed);
        skopeo(
            &home,
            &skopeo_bin,
            &[
                "copy",
                &format!("docker://{target}"),
                &format!("docker://{host}/auth/skopeo:v1"),
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
            ],
        )
        .await;
        let copied = home
            .run(&[
                "manifest",
                "fetch",
                "--plain-http",
                &format!("{host}/auth/skopeo:v1"),
            ])
            .await;
        assert_eq!(copied.stdout, pushed);
    })
    .await;
    registry.stop().unwrap();
}
