//! push, pull, tag and resolve on OCI layouts: no registry needed.

use crate::e2e_core::support::{Env, digest_of, json, layout_manifest};

#[test]
fn push_and_pull_files_and_directories_with_several_tags() {
    let env = Env::new();
    env.write("hi.txt", b"hello\n");
    env.write("docs/a.md", b"# a\n");
    env.write("docs/sub/b.md", b"b\n");

    let out = env.ok(&[
        "push",
        "--oci-layout",
        "layout:v1,v2,v3",
        "hi.txt",
        "docs",
        "-a",
        "k=v",
        "--export-manifest",
        "exported.json",
    ]);
    assert!(out.contains("Preparing hi.txt\n"), "{out}");
    assert!(out.contains("Preparing docs\n"), "{out}");
    assert!(out.contains(" hi.txt\n"), "{out}");
    assert!(out.contains("Pushed [oci-layout] layout:v1\n"), "{out}");
    assert!(
        out.contains("Tagged v2\n") && out.contains("Tagged v3\n"),
        "{out}"
    );
    assert!(
        out.contains("ArtifactType: application/vnd.unknown.artifact.v1\n"),
        "{out}"
    );
    let digest = digest_of(&out);

    // Every tag points at the manifest, whose bytes were exported.
    for tag in ["v1", "v2", "v3"] {
        let (tagged, _) = layout_manifest(&env.path("layout"), tag);
        assert_eq!(tagged, digest);
    }
    let (_, manifest) = layout_manifest(&env.path("layout"), "v1");
    let blob = env
        .path("layout/blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    assert_eq!(env.read("exported.json"), std::fs::read(blob).unwrap());
    assert_eq!(manifest["annotations"]["k"], "v");
    assert!(manifest["annotations"]["org.opencontainers.image.created"].is_string());
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.oci.empty.v1+json"
    );
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(
        layers[0]["annotations"]["org.opencontainers.image.title"],
        "hi.txt"
    );
    assert_eq!(
        layers[1]["mediaType"],
        "application/vnd.oci.image.layer.v1.tar+gzip"
    );
    assert_eq!(
        layers[1]["annotations"]["io.deis.oras.content.unpack"],
        "true"
    );

    // Pull restores the file and unpacks the directory.
    let out = env.ok(&["pull", "--oci-layout", "layout:v2", "-o", "out"]);
    assert!(out.contains("Pulled [oci-layout] layout:v2\n"), "{out}");
    assert_eq!(digest_of(&out), digest);
    assert_eq!(env.read("out/hi.txt"), b"hello\n");
    assert_eq!(env.read("out/docs/a.md"), b"# a\n");
    assert_eq!(env.read("out/docs/sub/b.md"), b"b\n");

    // resolve, with and without the full reference.
    assert_eq!(
        env.ok(&["resolve", "--oci-layout", "layout:v3"]),
        format!("{digest}\n")
    );
    assert_eq!(
        env.ok(&["resolve", "-l", "--oci-layout", "layout:v3"]),
        format!("layout@{digest}\n")
    );
}

#[test]
fn json_output_of_push_pull() {
    let env = Env::new();
    env.write("a.txt", b"a");
    let out = env.ok(&[
        "push",
        "--oci-layout",
        "lay:t2,t1",
        "a.txt",
        "--format",
        "json",
    ]);
    let pushed = json(&out);
    let digest = pushed["digest"].as_str().unwrap().to_owned();
    assert_eq!(pushed["reference"], format!("lay@{digest}"));
    assert_eq!(
        pushed["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        pushed["artifactType"],
        "application/vnd.unknown.artifact.v1"
    );
    assert_eq!(
        pushed["referenceAsTags"],
        serde_json::json!(["lay:t1", "lay:t2"])
    );

    let out = env.ok(&[
        "pull",
        "--oci-layout",
        "lay:t1",
        "-o",
        "o",
        "--format",
        "json",
    ]);
    let pulled = json(&out);
    assert_eq!(pulled["reference"], format!("lay@{digest}"));
    let files = pulled["files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    let path = files[0]["path"].as_str().unwrap();
    assert!(std::path::Path::new(path).is_absolute(), "{path}");
    assert!(path.ends_with("/o/a.txt"), "{path}");
    assert_eq!(
        files[0]["annotations"]["org.opencontainers.image.title"],
        "a.txt"
    );

    // A Go template over the same model.
    let out = env.ok(&[
        "push",
        "--oci-layout",
        "lay:t3",
        "a.txt",
        "--format",
        "go-template={{.mediaType}}",
    ]);
    assert_eq!(out, "application/vnd.oci.image.manifest.v1+json");
}

#[test]
fn annotation_file_artifact_type_and_config() {
    let env = Env::new();
    env.write("a.txt", b"a");
    env.write("config.json", b"{\"x\":1}");
    env.write(
        "annotations.json",
        br#"{"$manifest":{"m":"1","org.opencontainers.image.created":"2000-01-01T00:00:00Z"},"$config":{"c":"2"},"a.txt":{"f":"3"}}"#,
    );
    env.ok(&[
        "push",
        "--oci-layout",
        "lay:v1",
        "--artifact-type",
        "application/vnd.example",
        "--config",
        "config.json:application/vnd.example.config",
        "--annotation-file",
        "annotations.json",
        "a.txt",
    ]);
    let (_, manifest) = layout_manifest(&env.path("lay"), "v1");
    assert_eq!(manifest["artifactType"], "application/vnd.example");
    assert_eq!(manifest["annotations"]["m"], "1");
    assert_eq!(
        manifest["annotations"]["org.opencontainers.image.created"],
        "2000-01-01T00:00:00Z"
    );
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.example.config"
    );
    assert_eq!(
        manifest["config"]["annotations"],
        serde_json::json!({"c": "2"})
    );
    assert_eq!(manifest["layers"][0]["annotations"]["f"], "3");

    // pull --config writes the config when its type matches.
    env.ok(&[
        "pull",
        "--oci-layout",
        "lay:v1",
        "-o",
        "out",
        "--config",
        "cfg.json:application/vnd.example.config",
    ]);
    assert_eq!(env.read("out/cfg.json"), b"{\"x\":1}");
    assert_eq!(env.read("out/a.txt"), b"a");
}

#[test]
fn image_spec_1_0_puts_the_artifact_type_on_the_config() {
    let env = Env::new();
    env.write("a.txt", b"a");
    env.ok(&[
        "push",
        "--oci-layout",
        "lay:v1",
        "--image-spec",
        "v1.0",
        "--artifact-type",
        "application/vnd.example",
        "a.txt",
    ]);
    let (_, manifest) = layout_manifest(&env.path("lay"), "v1");
    assert!(manifest.get("artifactType").is_none(), "{manifest}");
    assert_eq!(manifest["config"]["mediaType"], "application/vnd.example");
    assert_eq!(manifest["config"]["size"], 2);

    // No files: v1.0 has an empty layer list.
    env.ok(&["push", "--oci-layout", "lay:empty", "--image-spec", "v1.0"]);
    let (_, manifest) = layout_manifest(&env.path("lay"), "empty");
    assert_eq!(manifest["layers"], serde_json::json!([]));
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.unknown.config.v1+json"
    );
}

#[test]
fn stdin_layers_are_untitled_and_pull_skips_them_with_a_hint() {
    let env = Env::new();
    let out = env
        .oras()
        .args(["push", "--oci-layout", "lay:v1", "--size", "5", "-"])
        .write_stdin("hello")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, manifest) = layout_manifest(&env.path("lay"), "v1");
    assert_eq!(manifest["layers"][0]["size"], 5);
    assert!(manifest["layers"][0].get("annotations").is_none());

    let out = env.ok(&["pull", "--oci-layout", "lay:v1", "-o", "out"]);
    assert!(
        out.contains(
            "Skipped pulling layers without file name in \"org.opencontainers.image.title\"\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("Use 'oras copy lay:v1 --to-oci-layout <layout-dir>' to pull all layers.\n"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_dir(env.path("out"))
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );

    // A wrong --size is refused.
    let out = env
        .oras()
        .args(["push", "--oci-layout", "lay:v2", "--size", "4", "-"])
        .write_stdin("hello")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    // pull --to-oci-layout copies every layer, titled or not.
    env.ok(&[
        "pull",
        "--oci-layout",
        "lay:v1",
        "--to-oci-layout",
        "-o",
        "copy",
    ]);
    let (_, copied) = layout_manifest(&env.path("copy"), "v1");
    assert_eq!(copied["layers"][0]["size"], 5);
}

#[test]
fn single_file_artifacts_pull_to_stdout() {
    let env = Env::new();
    env.write("a.bin", b"\x00binary\xff");
    env.ok(&["push", "--oci-layout", "lay:v1", "a.bin"]);
    let out = env
        .oras()
        .args(["pull", "--oci-layout", "lay:v1", "-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, b"\x00binary\xff");
}

#[test]
fn path_traversal_needs_the_flag_and_keep_old_files_refuses_overwrites() {
    let env = Env::new();
    env.write("a.txt", b"evil");
    env.write(
        "annotations.json",
        br#"{"a.txt":{"org.opencontainers.image.title":"../escaped.txt"}}"#,
    );
    env.ok(&[
        "push",
        "--oci-layout",
        "lay:v1",
        "--annotation-file",
        "annotations.json",
        "a.txt",
    ]);
    std::fs::create_dir_all(env.path("out")).unwrap();
    let err = env.fails(&["pull", "--oci-layout", "lay:v1", "-o", "out"]);
    assert!(err.contains("--allow-path-traversal"), "{err}");
    assert!(!env.path("escaped.txt").exists());

    env.ok(&["pull", "--oci-layout", "lay:v1", "-o", "out", "-T"]);
    assert_eq!(env.read("escaped.txt"), b"evil");

    // -k: an existing file is an error, and is left as it was.
    env.write("b.txt", b"new");
    env.ok(&["push", "--oci-layout", "lay:v2", "b.txt"]);
    env.write("keep/b.txt", b"old");
    let err = env.fails(&["pull", "--oci-layout", "lay:v2", "-o", "keep", "-k"]);
    assert!(err.starts_with("Error: "), "{err}");
    assert_eq!(env.read("keep/b.txt"), b"old");
    env.ok(&["pull", "--oci-layout", "lay:v2", "-o", "keep"]);
    assert_eq!(env.read("keep/b.txt"), b"new");
}

#[test]
fn tag_resolve_and_untag_on_a_layout() {
    let env = Env::new();
    env.write("a.txt", b"a");
    let digest = digest_of(&env.ok(&["push", "--oci-layout", "lay:v1", "a.txt"]));
    let out = env.ok(&["tag", "--oci-layout", "lay:v1", "v2", "v3"]);
    assert!(
        out.starts_with(&format!("Tagging [oci-layout] lay@{digest}\n")),
        "{out}"
    );
    assert!(
        out.contains("Tagged v2\n") && out.contains("Tagged v3\n"),
        "{out}"
    );
    assert_eq!(
        env.ok(&["resolve", "--oci-layout", "lay:v3"]),
        format!("{digest}\n")
    );

    let out = env.ok(&["tag", "--delete", "--oci-layout", "lay:v2"]);
    assert_eq!(out, "Deleted [oci-layout] lay:v2\n");
    let err = env.fails(&["resolve", "--oci-layout", "lay:v2"]);
    assert!(err.starts_with("Error: "), "{err}");
    assert!(err.contains("not found"), "{err}");
    // v1 and v3 remain.
    assert_eq!(
        env.ok(&["resolve", "--oci-layout", "lay:v1"]),
        format!("{digest}\n")
    );
}

#[test]
fn missing_tags_and_bad_references_fail_with_exit_code_1() {
    let env = Env::new();
    env.write("a.txt", b"a");
    env.ok(&["push", "--oci-layout", "lay:v1", "a.txt"]);
    let err = env.fails(&["pull", "--oci-layout", "lay:nope", "-o", "out"]);
    // A bare `not found` (the differential scenario
    // `e2e-pull-layout-missing-tag` holds the Go CLI's wording).
    assert_eq!(err, "Error: not found\n");
    let err = env.fails(&["pull", "localhost:5000/Upper:v1"]);
    assert!(
        err.starts_with("Error: \"localhost:5000/Upper:v1\": invalid reference"),
        "{err}"
    );
    let err = env.fails(&["resolve", "--oci-layout", "no-such-layout:v1"]);
    assert!(err.starts_with("Error: "), "{err}");
}

/// Adds an image index over `children` (digest, size) to the layout at
/// `layout`, tagged `tag`, as any OCI tool could have written it.
fn add_index(layout: &std::path::Path, tag: &str, children: &[serde_json::Value]) -> String {
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": children,
    });
    let bytes = serde_json::to_vec(&index).unwrap();
    let digest = oras_spec::Digest::sha256(&bytes);
    std::fs::write(layout.join("blobs/sha256").join(digest.encoded()), &bytes).unwrap();
    let path = layout.join("index.json");
    let mut top = json(&std::fs::read_to_string(&path).unwrap());
    top["manifests"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": digest.to_string(),
            "size": bytes.len(),
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }));
    std::fs::write(&path, serde_json::to_vec(&top).unwrap()).unwrap();
    digest.to_string()
}

#[test]
fn artifact_platform_and_pull_by_platform() {
    let env = Env::new();
    env.write("amd.txt", b"amd");
    env.write("arm.txt", b"arm");
    let amd = digest_of(&env.ok(&[
        "push",
        "--oci-layout",
        "lay:amd",
        "--artifact-platform",
        "linux/amd64",
        "amd.txt",
    ]));
    let arm = digest_of(&env.ok(&[
        "push",
        "--oci-layout",
        "lay:arm",
        "--artifact-platform",
        "linux/arm64/v8",
        "arm.txt",
    ]));
    let (_, manifest) = layout_manifest(&env.path("lay"), "arm");
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.oci.image.config.v1+json"
    );
    let config = manifest["config"]["digest"].as_str().unwrap();
    let config = env.read(&format!(
        "lay/blobs/sha256/{}",
        config.trim_start_matches("sha256:")
    ));
    assert_eq!(
        json(std::str::from_utf8(&config).unwrap()),
        serde_json::json!({"architecture": "arm64", "os": "linux", "variant": "v8"})
    );

    let child = |digest: &str, tag: &str, arch: &str| {
        let size = std::fs::metadata(
            env.path("lay/blobs/sha256")
                .join(digest.trim_start_matches("sha256:")),
        )
        .unwrap()
        .len();
        let _ = tag;
        serde_json::json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest,
            "size": size,
            "platform": {"architecture": arch, "os": "linux"},
        })
    };
    add_index(
        &env.path("lay"),
        "multi",
        &[child(&amd, "amd", "amd64"), child(&arm, "arm", "arm64")],
    );
    // The platform config is an untitled blob: skipped, with the hint in
    // place of the summary (compared with the Go CLI by the differential
    // scenario `e2e-pull-platform-text-hint`); JSON names the root.
    let out = env.ok(&[
        "pull",
        "--oci-layout",
        "lay:multi",
        "--platform",
        "linux/arm64",
        "-o",
        "out",
        "--format",
        "json",
    ]);
    assert_eq!(json(&out)["reference"], format!("lay@{arm}"));
    assert_eq!(env.read("out/arm.txt"), b"arm");
    assert!(!env.path("out/amd.txt").exists());
    assert_eq!(
        env.ok(&[
            "resolve",
            "--oci-layout",
            "lay:multi",
            "--platform",
            "linux/amd64"
        ]),
        format!("{amd}\n")
    );

    // Without a platform, every child's files are pulled.
    let out = env.ok(&["pull", "--oci-layout", "lay:multi", "-o", "all"]);
    assert!(
        out.contains("Skipped pulling layers without file name"),
        "{out}"
    );
    assert_eq!(env.read("all/amd.txt"), b"amd");
    assert_eq!(env.read("all/arm.txt"), b"arm");
}

#[test]
fn duplicate_content_is_restored_and_untagged_pushes_work() {
    let env = Env::new();
    env.write("one.txt", b"same");
    env.write("two.txt", b"same");
    let out = env.ok(&["push", "--oci-layout", "lay", "one.txt", "two.txt"]);
    assert!(out.contains("Pushed [oci-layout] lay\n"), "{out}");
    let digest = digest_of(&out);
    let out = env.ok(&[
        "pull",
        "--oci-layout",
        &format!("lay@{digest}"),
        "-o",
        "out",
    ]);
    assert!(out.contains("Restored "), "{out}");
    assert_eq!(env.read("out/one.txt"), b"same");
    assert_eq!(env.read("out/two.txt"), b"same");

    // --force re-pushes into an existing manifest.
    let out = env.ok(&["push", "--force", "--oci-layout", "lay:f", "one.txt"]);
    assert!(out.contains("Pushed [oci-layout] lay:f\n"), "{out}");
}

#[test]
fn absolute_paths_need_the_flag() {
    let env = Env::new();
    let file = env.write("abs.txt", b"abs");
    let file = file.to_str().unwrap();
    let err = env.fails(&["push", "--oci-layout", "lay:v1", file]);
    assert!(err.contains("--disable-path-validation"), "{err}");
    env.ok(&[
        "push",
        "--oci-layout",
        "lay:v1",
        "--disable-path-validation",
        file,
    ]);
    let (_, manifest) = layout_manifest(&env.path("lay"), "v1");
    assert_eq!(
        manifest["layers"][0]["annotations"]["org.opencontainers.image.title"],
        file
    );
}
