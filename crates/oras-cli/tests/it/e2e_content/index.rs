//! `manifest index create` and `manifest index update` against the
//! registry.

use oras_content::Resolver;
use oras_spec::{Descriptor, media_type};

use crate::e2e_content::support::{Env, json, push_image, registry, repository, runtime, setup};

#[test]
fn index_create() {
    let Some(registry) = registry() else { return };
    let rt = runtime();
    let repo = repository(&registry, "index/create");
    let (amd, arm) = setup(&rt, async {
        (
            push_image(&repo, "amd64", "a", "linux-amd64").await,
            push_image(&repo, "arm64", "b", "linux-arm64").await,
        )
    });
    let env = Env::new();
    let name = format!("{}/index/create", registry.host());
    let arm_digest = arm.manifest.digest.to_string();

    let out = env.ok(&[
        "manifest",
        "index",
        "create",
        "--plain-http",
        &format!("{name}:v1,v2,v3"),
        "linux-amd64",
        &arm_digest,
        "--artifact-type",
        "application/vnd.example.index",
        "-a",
        "k=v",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Fetching  linux-amd64");
    assert_eq!(
        lines[1],
        format!("Fetched   {} linux-amd64", amd.manifest.digest)
    );
    assert_eq!(lines[2], format!("Fetching  {arm_digest}"));
    assert_eq!(lines[3], format!("Fetched   {arm_digest}"));
    assert!(
        lines[4].starts_with("Packed    ")
            && lines[4].ends_with(" application/vnd.oci.image.index.v1+json"),
        "{out}"
    );
    assert_eq!(lines[5], format!("Pushed    [registry] {name}:v1"));
    assert!(
        lines.contains(&"Tagged v2") && lines.contains(&"Tagged v3"),
        "{out}"
    );
    let digest = lines
        .last()
        .unwrap()
        .strip_prefix("Digest: ")
        .unwrap()
        .to_owned();
    assert!(lines[4].contains(&digest["sha256:".len().."sha256:".len() + 12]));

    // What was pushed: every tag names it; the entries carry platforms.
    let raw = env.ok(&["manifest", "fetch", "--plain-http", &format!("{name}:v3")]);
    assert_eq!(
        Descriptor::from_bytes(media_type::IMAGE_INDEX, raw.as_bytes())
            .digest
            .to_string(),
        digest
    );
    let index = json(&raw);
    assert_eq!(index["schemaVersion"], 2);
    assert_eq!(index["mediaType"], media_type::IMAGE_INDEX);
    assert_eq!(index["artifactType"], "application/vnd.example.index");
    assert_eq!(index["annotations"]["k"], "v");
    let entries = index["manifests"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["digest"], amd.manifest.digest.to_string());
    assert_eq!(
        entries[0]["platform"],
        serde_json::json!({"architecture": "amd64", "os": "linux"})
    );
    assert_eq!(entries[1]["platform"]["architecture"], "arm64");
    assert_eq!(entries[1]["size"], arm.manifest.size);
    // Fields in image-spec order (the differential `index-*` scenarios
    // compare the bytes with the Go CLI's).
    assert!(raw.starts_with(r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"#), "{raw}");

    // -o -: only the index, on stdout, nothing pushed.
    let out = env.ok(&[
        "manifest",
        "index",
        "create",
        "--plain-http",
        &format!("{name}:local"),
        "linux-amd64",
        "-o",
        "-",
    ]);
    let local = json(&out);
    assert_eq!(
        local["manifests"][0]["digest"],
        amd.manifest.digest.to_string()
    );
    let pretty = env.ok(&[
        "manifest",
        "index",
        "create",
        "--plain-http",
        &name,
        "linux-amd64",
        "-o",
        "-",
        "--pretty",
    ]);
    assert!(pretty.starts_with("{\n  \"schemaVersion\": 2,"), "{pretty}");
    // -o file: status lines and the digest, the exact bytes in the file.
    let out = env.ok(&[
        "manifest",
        "index",
        "create",
        "--plain-http",
        &name,
        "linux-amd64",
        "-o",
        "index.json",
    ]);
    assert!(
        out.starts_with("Fetching  linux-amd64\n") && !out.contains("Pushed"),
        "{out}"
    );
    let written = std::fs::read(env.path("index.json")).unwrap();
    let written_digest = Descriptor::from_bytes(media_type::IMAGE_INDEX, &written).digest;
    assert!(
        out.ends_with(&format!("Digest: {written_digest}\n")),
        "{out}"
    );
    setup(&rt, async {
        assert!(repo.resolve("local").await.is_err());
    });
    // Without a tag: pushed by digest.
    let out = env.ok(&[
        "manifest",
        "index",
        "pack",
        "--plain-http",
        &name,
        "linux-arm64",
    ]);
    assert!(
        out.contains(&format!("Pushed    [registry] {name}\n")),
        "{out}"
    );

    // Errors.
    let err = env.fails(&[
        "manifest",
        "index",
        "create",
        "--plain-http",
        &name,
        "missing",
    ]);
    assert!(err.contains("could not find the manifest missing"), "{err}");
    let err = env.fails(&[
        "manifest",
        "index",
        "create",
        "--plain-http",
        &name,
        &amd.config.digest.to_string(),
    ]);
    assert!(err.starts_with("Error"), "{err}");
    let err = env.fails(&[
        "manifest",
        "index",
        "create",
        "--plain-http",
        &name,
        "linux-amd64",
        "--artifact-type",
        "bad type",
    ]);
    assert_eq!(err, "Error: bad type: invalid media type\n");
}

#[test]
fn index_update() {
    let Some(registry) = registry() else { return };
    let rt = runtime();
    let repo = repository(&registry, "index/update");
    let (amd, arm, other) = setup(&rt, async {
        (
            push_image(&repo, "amd64", "a", "amd64").await,
            push_image(&repo, "arm64", "b", "arm64").await,
            push_image(&repo, "s390x", "c", "s390x").await,
        )
    });
    let env = Env::new();
    let name = format!("{}/index/update", registry.host());
    env.ok(&[
        "manifest",
        "index",
        "create",
        "--plain-http",
        &format!("{name}:v1"),
        "amd64",
        "--artifact-type",
        "a/b",
    ]);
    env.ok(&[
        "manifest",
        "index",
        "create",
        "--plain-http",
        &format!("{name}:extra"),
        "s390x",
    ]);

    // Nothing requested.
    assert_eq!(
        env.ok(&[
            "manifest",
            "index",
            "update",
            "--plain-http",
            &format!("{name}:v1")
        ]),
        "Nothing to update as no change is requested\n"
    );

    // Remove, add and merge, in that order, tagging the result.
    let amd_digest = amd.manifest.digest.to_string();
    let out = env.ok(&[
        "manifest",
        "index",
        "update",
        "--plain-http",
        &format!("{name}:v1"),
        "--remove",
        &amd_digest,
        "--add",
        "arm64",
        "--merge",
        "extra",
        "--tag",
        "v2",
        "--artifact-type",
        "",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Fetching  v1");
    assert!(
        lines[1].starts_with("Fetched   sha256:") && lines[1].ends_with(" v1"),
        "{out}"
    );
    assert_eq!(lines[2], format!("Removed   {amd_digest}"));
    assert_eq!(lines[3], "Fetching  arm64");
    assert_eq!(lines[4], format!("Fetched   {} arm64", arm.manifest.digest));
    assert_eq!(lines[5], format!("Added     {} arm64", arm.manifest.digest));
    assert_eq!(lines[6], "Fetching  extra");
    assert!(
        lines[8].starts_with("Merged    sha256:") && lines[8].ends_with(" extra"),
        "{out}"
    );
    assert!(lines[9].starts_with("Updated   sha256:"), "{out}");
    assert_eq!(lines[10], format!("Pushed    [registry] {name}:v1"));
    assert_eq!(lines[11], "Tagged v2");
    let digest = lines[12].strip_prefix("Digest: ").unwrap();
    assert_eq!(lines[9], format!("Updated   {digest}"));

    let index = json(&env.ok(&["manifest", "fetch", "--plain-http", &format!("{name}:v2")]));
    let digests: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["digest"].as_str().unwrap())
        .collect();
    assert_eq!(
        digests,
        vec![
            arm.manifest.digest.to_string(),
            other.manifest.digest.to_string()
        ]
    );
    assert!(index.get("artifactType").is_none(), "{index}");
    assert_eq!(index["manifests"][0]["platform"]["architecture"], "arm64");

    // By digest: pushed by digest, shown by path; -o - writes it instead.
    let by_digest = format!("{name}@{digest}");
    let out = env.ok(&[
        "manifest",
        "index",
        "update",
        "--plain-http",
        &by_digest,
        "--add",
        "amd64",
    ]);
    assert!(
        out.contains(&format!("Pushed    [registry] {name}\n")),
        "{out}"
    );
    let out = env.ok(&[
        "manifest",
        "index",
        "update",
        "--plain-http",
        &by_digest,
        "--add",
        "amd64",
        "-o",
        "-",
    ]);
    assert_eq!(json(&out)["manifests"].as_array().unwrap().len(), 3);

    // Errors.
    let err = env.fails(&[
        "manifest",
        "index",
        "update",
        "--plain-http",
        &format!("{name}:v1"),
        "--remove",
        &amd_digest,
    ]);
    assert_eq!(
        err,
        format!("Error: {amd_digest} does not exist in the index v1\n")
    );
    let err = env.fails(&[
        "manifest",
        "index",
        "update",
        "--plain-http",
        &format!("{name}:v1"),
        "--remove",
        "v1",
    ]);
    assert_eq!(err, "Error: remove: v1 is not a digest\n");
    let err = env.fails(&[
        "manifest",
        "index",
        "update",
        "--plain-http",
        &format!("{name}:amd64"),
        "--add",
        "arm64",
    ]);
    assert_eq!(err, "Error: amd64 is not an index\n");
    let err = env.fails(&[
        "manifest",
        "index",
        "update",
        "--plain-http",
        &format!("{name}:v1"),
        "--merge",
        "amd64",
    ]);
    assert_eq!(err, "Error: amd64 is not an index\n");
    let err = env.fails(&[
        "manifest",
        "index",
        "update",
        "--plain-http",
        &format!("{name}:v1"),
        "--add",
        "arm64",
        "--tag",
        "x",
        "-o",
        "-",
    ]);
    assert_eq!(
        err,
        "Error: --tag, --output cannot be used at the same time\n"
    );
    setup(&rt, async {
        assert!(repo.resolve("x").await.is_err());
    });
}
