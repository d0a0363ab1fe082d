//! The content commands on OCI image layouts (directories, and tar
//! archives for the read-only ones), and `ORAS_CACHE`.

use oras_spec::{Descriptor, media_type};

use crate::e2e_content::support::{
    Env, json, push_image, push_index, registry, repository, runtime, setup, short,
};

/// Writes `dir` as an uncompressed tar at `tar` (entries relative, as
/// `oras backup` writes them).
fn tar_layout(dir: &std::path::Path, tar: &std::path::Path) {
    let status = std::process::Command::new("tar")
        .arg("-cf")
        .arg(tar)
        .arg("-C")
        .arg(dir)
        .args(["oci-layout", "index.json", "blobs"])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn read_commands_on_layout_dirs_and_tars() {
    let rt = runtime();
    let env = Env::new();
    let dir = env.path("layout");
    let (amd, arm) = setup(&rt, async {
        let store = oras_store_oci::Store::open(&dir).await.unwrap();
        let amd = push_image(&store, "amd64", "amd", "amd64").await;
        let arm = push_image(&store, "arm64", "arm", "arm64").await;
        push_index(&store, &[(&amd, "amd64"), (&arm, "arm64")], "v1").await;
        oras_content::Tagger::tag(&store, &amd.manifest, "example.com/app:amd")
            .await
            .unwrap();
        (amd, arm)
    });
    tar_layout(&dir, &env.path("layout.tar"));

    for layout in ["layout", "layout.tar"] {
        let tagged = format!("{layout}:amd64");
        let out = env.ok(&["manifest", "fetch", "--oci-layout", &tagged]);
        assert_eq!(out.as_bytes(), amd.manifest_bytes.as_slice(), "{layout}");
        let child = env.ok(&[
            "manifest",
            "fetch",
            "--oci-layout",
            "--platform",
            "linux/arm64",
            &format!("{layout}:v1"),
        ]);
        assert_eq!(child.as_bytes(), arm.manifest_bytes.as_slice(), "{layout}");
        let model = json(&env.ok(&[
            "manifest",
            "fetch",
            "--oci-layout",
            "--format",
            "json",
            &tagged,
        ]));
        assert_eq!(
            model["reference"],
            format!("{layout}@{}", amd.manifest.digest)
        );
        let config = env.ok(&["manifest", "fetch-config", "--oci-layout", &tagged]);
        assert_eq!(config.as_bytes(), amd.config_bytes.as_slice());

        let blob_ref = format!("{layout}@{}", amd.layer.digest);
        let out = env
            .oras()
            .args(["blob", "fetch", "--oci-layout", "-o", "-", &blob_ref])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, b"amd");
        let desc = json(&env.ok(&["blob", "fetch", "--oci-layout", "--descriptor", &blob_ref]));
        assert_eq!(desc["size"], 3);

        let tags = env.ok(&["repo", "tags", "--oci-layout", layout]);
        assert_eq!(tags, "amd64\narm64\nexample.com/app:amd\nv1\n", "{layout}");
        // A tag argument: the tags of the same manifest.
        let tags = env
            .oras()
            .args(["repo", "tags", "--oci-layout", &tagged])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&tags.stdout),
            "amd64\nexample.com/app:amd\n"
        );
        // --oci-layout-path with a repository: its tags, without the prefix.
        let scoped = env.ok(&[
            "repo",
            "tags",
            "--oci-layout-path",
            layout,
            "example.com/app",
        ]);
        assert_eq!(scoped, "amd\n");
        let full = env.ok(&[
            "manifest",
            "fetch",
            "--oci-layout-path",
            layout,
            "example.com/app:amd",
        ]);
        assert_eq!(full.as_bytes(), amd.manifest_bytes.as_slice());
    }
    let err = env.fails(&["manifest", "fetch", "--oci-layout", "nowhere:v1"]);
    assert!(err.starts_with("Error: "), "{err}");
    let err = env.fails(&["manifest", "fetch", "--oci-layout", "layout:missing"]);
    assert!(
        err.starts_with("Error: failed to fetch the content of \"layout:missing\": "),
        "{err}"
    );
}

#[test]
fn write_commands_on_a_layout() {
    let rt = runtime();
    let env = Env::new();
    let dir = env.path("layout");
    let image = setup(&rt, async {
        let store = oras_store_oci::Store::open(env.path("source"))
            .await
            .unwrap();
        push_image(&store, "amd64", "layer", "src").await
    });

    // Blobs first (the manifest's config and layer), then the manifest.
    std::fs::write(env.path("config.json"), &image.config_bytes).unwrap();
    std::fs::write(env.path("layer.bin"), b"layer").unwrap();
    let out = env.ok(&["blob", "push", "--oci-layout", "layout", "config.json"]);
    assert!(
        out.ends_with(&format!(
            "Pushed: [oci-layout] layout\nDigest: {}\n",
            image.config.digest
        )),
        "{out}"
    );
    let out = env.ok(&[
        "blob",
        "push",
        "--oci-layout",
        &format!("layout@{}", image.layer.digest),
        "layer.bin",
        "--descriptor",
    ]);
    assert_eq!(json(&out)["digest"], image.layer.digest.to_string());
    std::fs::write(env.path("manifest.json"), &image.manifest_bytes).unwrap();
    let out = env.ok(&[
        "manifest",
        "push",
        "--oci-layout",
        "layout:v1,v2",
        "manifest.json",
    ]);
    assert!(
        out.contains("Pushed: [oci-layout] layout:v1\n") && out.contains("Tagged v2\n"),
        "{out}"
    );
    let out = env.ok(&[
        "manifest",
        "push",
        "--oci-layout",
        "layout:v1",
        "manifest.json",
    ]);
    assert!(
        out.starts_with(&format!("Exists    {} ", short(&image.manifest))),
        "{out}"
    );
    assert_eq!(
        env.ok(&["repo", "tags", "--oci-layout", "layout"]),
        "v1\nv2\n"
    );
    // A tag with a colon, through --oci-layout-path.
    env.ok(&[
        "manifest",
        "push",
        "--oci-layout-path",
        "layout",
        "example.com:v1",
        "manifest.json",
    ]);
    assert_eq!(
        env.ok(&["repo", "tags", "--oci-layout", "layout"]),
        "example.com:v1\nv1\nv2\n"
    );

    // An index of it, in the layout.
    let out = env.ok(&[
        "manifest",
        "index",
        "create",
        "--oci-layout",
        "layout:idx",
        "v1",
    ]);
    assert!(out.contains("Pushed    [oci-layout] layout:idx\n"), "{out}");
    let index = json(&env.ok(&["manifest", "fetch", "--oci-layout", "layout:idx"]));
    assert_eq!(index["manifests"][0]["platform"]["architecture"], "amd64");
    let out = env.ok(&[
        "manifest",
        "index",
        "update",
        "--oci-layout",
        "layout:idx",
        "--artifact-type",
        "a/b",
    ]);
    assert!(out.contains("Pushed    [oci-layout] layout:idx\n"), "{out}");
    assert_eq!(
        json(&env.ok(&["manifest", "fetch", "--oci-layout", "layout:idx"]))["artifactType"],
        "a/b"
    );

    // Deletes.
    let out = env.ok(&["manifest", "delete", "--oci-layout", "-f", "layout:idx"]);
    assert_eq!(out, "Deleted [oci-layout] layout:idx\n");
    assert_eq!(
        env.ok(&["manifest", "delete", "--oci-layout", "-f", "layout:idx"]),
        "Missing layout:idx\n"
    );
    let blob = format!("layout@{}", image.layer.digest);
    let desc = json(&env.ok(&[
        "blob",
        "delete",
        "--oci-layout",
        "-f",
        "--descriptor",
        &blob,
    ]));
    assert_eq!(desc["digest"], image.layer.digest.to_string());
    assert!(
        !dir.join("blobs/sha256")
            .join(image.layer.digest.encoded())
            .exists()
    );
    assert_eq!(
        env.ok(&["blob", "delete", "--oci-layout", "-f", &blob]),
        format!("Missing {blob}\n")
    );
}

/// A layout blob whose file was altered: the fetch fails with exit code 1
/// and leaves no output file.
#[test]
fn tampered_layout_blob_is_refused() {
    let rt = runtime();
    let env = Env::new();
    let dir = env.path("layout");
    let image = setup(&rt, async {
        let store = oras_store_oci::Store::open(&dir).await.unwrap();
        push_image(&store, "amd64", "original", "v1").await
    });
    let blob_file = dir.join("blobs/sha256").join(image.layer.digest.encoded());
    let mut perms = std::fs::metadata(&blob_file).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&blob_file, perms).unwrap();
    std::fs::write(&blob_file, b"tampered").unwrap();

    let blob_ref = format!("layout@{}", image.layer.digest);
    let err = env.fails(&["blob", "fetch", "--oci-layout", "-o", "out.bin", &blob_ref]);
    assert!(err.starts_with("Error: "), "{err}");
    assert!(err.contains("mismatch"), "{err}");
    assert!(!env.path("out.bin").exists());
    let leftovers: Vec<_> = std::fs::read_dir(env.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".oras-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `ORAS_CACHE`: fetched manifests and blobs land in the cache layout and
/// are served from it.
#[test]
fn oras_cache_in_front_of_the_registry() {
    let Some(registry) = registry() else { return };
    let rt = runtime();
    let repo = repository(&registry, "cache/app");
    let image = setup(&rt, push_image(&repo, "amd64", "cached layer", "v1"));
    let env = Env::new();
    let cache = env.path("cache");
    let name = format!("{}/cache/app", registry.host());
    let run = |args: &[&str]| {
        let out = env
            .oras()
            .env("ORAS_CACHE", &cache)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let manifest = run(&["manifest", "fetch", "--plain-http", &format!("{name}:v1")]);
    assert_eq!(manifest, image.manifest_bytes);
    let config = run(&[
        "manifest",
        "fetch-config",
        "--plain-http",
        &format!("{name}:v1"),
    ]);
    assert_eq!(config, image.config_bytes);
    let layer_ref = format!("{name}@{}", image.layer.digest);
    run(&[
        "blob",
        "fetch",
        "--plain-http",
        "-o",
        "layer.bin",
        &layer_ref,
    ]);
    assert_eq!(
        std::fs::read(env.path("layer.bin")).unwrap(),
        b"cached layer"
    );
    for desc in [&image.manifest, &image.config, &image.layer] {
        assert!(
            cache
                .join("blobs/sha256")
                .join(desc.digest.encoded())
                .is_file(),
            "{} not cached",
            desc.digest
        );
    }
    // Content is served from the cache once the registry no longer has it;
    // references (and blob descriptors) are still resolved at the source.
    setup(&rt, async {
        let blob = Descriptor::new(
            media_type::OCTET_STREAM,
            image.config.digest.clone(),
            image.config.size,
        );
        oras_content::Deleter::delete(&repo, &blob).await.unwrap();
    });
    let out = run(&[
        "manifest",
        "fetch-config",
        "--plain-http",
        &format!("{name}:v1"),
    ]);
    assert_eq!(out, image.config_bytes);
    let config_ref = format!("{name}@{}", image.config.digest);
    let out = env
        .oras()
        .env("ORAS_CACHE", &cache)
        .args(["blob", "fetch", "--plain-http", "-o", "-", &config_ref])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
