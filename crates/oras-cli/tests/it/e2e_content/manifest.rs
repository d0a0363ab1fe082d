//! `manifest fetch`, `fetch-config`, `push` and `delete` against the
//! registry.

use oras_spec::{Descriptor, media_type};

use crate::e2e_content::support::{
    Env, json, push_image, push_index, registry, repository, runtime, setup, short,
};

#[test]
fn manifest_fetch_in_every_form() {
    let Some(registry) = registry() else { return };
    let rt = runtime();
    let repo = repository(&registry, "fetch/app");
    let (amd, arm, index) = setup(&rt, async {
        let amd = push_image(&repo, "amd64", "amd", "amd64").await;
        let arm = push_image(&repo, "arm64", "arm", "arm64").await;
        let index = push_index(&repo, &[(&amd, "amd64"), (&arm, "arm64")], "v1").await;
        (amd, arm, index)
    });
    let env = Env::new();
    let name = format!("{}/fetch/app", registry.host());
    let tagged = format!("{name}:amd64");

    // Raw bytes, exactly as stored, without a trailing newline.
    let out = env.ok(&["manifest", "fetch", "--plain-http", &tagged]);
    assert_eq!(out.as_bytes(), amd.manifest_bytes.as_slice());
    // The aliases.
    assert_eq!(env.ok(&["manifest", "get", "--plain-http", &tagged]), out);
    assert_eq!(env.ok(&["manifest", "show", "--plain-http", &tagged]), out);

    // --pretty indents.
    let pretty = env.ok(&["manifest", "fetch", "--plain-http", "--pretty", &tagged]);
    assert!(pretty.starts_with("{\n  \"schemaVersion\": 2,"), "{pretty}");
    assert_eq!(json(&pretty), json(&out));

    // --descriptor alone only resolves.
    let desc = env.ok(&["manifest", "fetch", "--plain-http", "--descriptor", &tagged]);
    assert_eq!(
        desc,
        format!(
            "{{\"mediaType\":\"{}\",\"digest\":\"{}\",\"size\":{}}}",
            media_type::IMAGE_MANIFEST,
            amd.manifest.digest,
            amd.manifest.size
        )
    );

    // -o file writes the raw bytes (never pretty) and prints nothing.
    let printed = env.ok(&[
        "manifest",
        "fetch",
        "--plain-http",
        "--pretty",
        "-o",
        "m.json",
        &tagged,
    ]);
    assert_eq!(printed, "");
    assert_eq!(
        std::fs::read(env.path("m.json")).unwrap(),
        amd.manifest_bytes
    );
    // -o file with --descriptor: both.
    let printed = env.ok(&[
        "manifest",
        "fetch",
        "--plain-http",
        "--descriptor",
        "-o",
        "d.json",
        &tagged,
    ]);
    assert_eq!(printed, desc);
    assert_eq!(
        std::fs::read(env.path("d.json")).unwrap(),
        amd.manifest_bytes
    );
    // -o - is stdout.
    assert_eq!(
        env.ok(&["manifest", "fetch", "--plain-http", "-o", "-", &tagged]),
        out
    );

    // --format json: the descriptor with the parsed content.
    let model = json(&env.ok(&[
        "manifest",
        "fetch",
        "--plain-http",
        "--format",
        "json",
        &tagged,
    ]));
    assert_eq!(
        model["reference"],
        format!("{name}@{}", amd.manifest.digest)
    );
    assert_eq!(model["mediaType"], media_type::IMAGE_MANIFEST);
    assert_eq!(model["digest"], amd.manifest.digest.to_string());
    assert_eq!(model["size"], amd.manifest.size);
    assert_eq!(model["content"], json(&out));
    // --format json with -o file: the model on stdout, the bytes in the file.
    let model = json(&env.ok(&[
        "manifest",
        "fetch",
        "--plain-http",
        "--format",
        "json",
        "-o",
        "j.json",
        &tagged,
    ]));
    assert_eq!(model["digest"], amd.manifest.digest.to_string());
    assert_eq!(
        std::fs::read(env.path("j.json")).unwrap(),
        amd.manifest_bytes
    );
    // A Go template over the same model.
    let digest = env.ok(&[
        "manifest",
        "fetch",
        "--plain-http",
        "--format",
        "go-template",
        "--template",
        "{{.digest}} {{.content.schemaVersion}}",
        &tagged,
    ]);
    assert_eq!(digest, format!("{} 2", amd.manifest.digest));

    // --platform picks the child of an index.
    let index_ref = format!("{name}:v1");
    let child = env.ok(&[
        "manifest",
        "fetch",
        "--plain-http",
        "--platform",
        "linux/arm64",
        &index_ref,
    ]);
    assert_eq!(child.as_bytes(), arm.manifest_bytes.as_slice());
    let child_desc = json(&env.ok(&[
        "manifest",
        "fetch",
        "--plain-http",
        "--platform",
        "linux/amd64",
        "--descriptor",
        &index_ref,
    ]));
    assert_eq!(child_desc["digest"], amd.manifest.digest.to_string());
    // Without --platform, the index itself; by digest as well.
    let raw_index = env.ok(&["manifest", "fetch", "--plain-http", &index_ref]);
    assert_eq!(json(&raw_index)["manifests"].as_array().unwrap().len(), 2);
    let by_digest = format!("{name}@{}", index.digest);
    assert_eq!(
        env.ok(&["manifest", "fetch", "--plain-http", &by_digest]),
        raw_index
    );
    let err = env.fails(&[
        "manifest",
        "fetch",
        "--plain-http",
        "--platform",
        "linux/s390x",
        &index_ref,
    ]);
    assert!(err.starts_with("Error"), "{err}");

    // --media-type: the Accept list.
    let accepted = env.ok(&[
        "manifest",
        "fetch",
        "--plain-http",
        "--media-type",
        media_type::IMAGE_MANIFEST,
        &tagged,
    ]);
    assert_eq!(accepted, out);
}

#[test]
fn manifest_fetch_errors() {
    let Some(registry) = registry() else { return };
    let rt = runtime();
    let repo = repository(&registry, "fetch/errors");
    setup(&rt, push_image(&repo, "amd64", "x", "v1"));
    let env = Env::new();
    let name = format!("{}/fetch/errors", registry.host());

    let err = env.fails(&[
        "manifest",
        "fetch",
        "--plain-http",
        &format!("{name}:missing"),
    ]);
    assert!(
        err.starts_with(&format!(
            "Error response from registry: failed to fetch the content of \"{name}:missing\": "
        )),
        "{err}"
    );
    assert!(
        err.contains("not found") || err.contains("unknown"),
        "{err}"
    );
    let err = env.fails(&[
        "manifest",
        "fetch",
        "--plain-http",
        "--descriptor",
        &format!("{name}:missing"),
    ]);
    assert!(
        err.starts_with(&format!(
            "Error response from registry: failed to find \"{name}:missing\": "
        )),
        "{err}"
    );
    let err = env.fails(&["manifest", "fetch", "--plain-http", &name]);
    assert!(err.contains("no tag or digest specified"), "{err}");
    let err = env.fails(&[
        "manifest",
        "fetch",
        "--plain-http",
        "-o",
        "-",
        "--descriptor",
        &format!("{name}:v1"),
    ]);
    assert_eq!(
        err,
        "Error: `--descriptor` cannot be used with `--output -` at the same time\n"
    );
    let err = env.fails(&[
        "manifest",
        "fetch",
        "--oci-layout",
        "--media-type",
        "a/b",
        "layout:v1",
    ]);
    assert!(err.contains("cannot be used with `--oci-layout`"), "{err}");
}

#[test]
fn manifest_fetch_config() {
    let Some(registry) = registry() else { return };
    let rt = runtime();
    let repo = repository(&registry, "config/app");
    let (amd, arm) = setup(&rt, async {
        let amd = push_image(&repo, "amd64", "a", "amd64").await;
        let arm = push_image(&repo, "arm64", "b", "arm64").await;
        push_index(&repo, &[(&amd, "amd64"), (&arm, "arm64")], "v1").await;
        (amd, arm)
    });
    let env = Env::new();
    let name = format!("{}/config/app", registry.host());
    let tagged = format!("{name}:amd64");

    let config = env.ok(&["manifest", "fetch-config", "--plain-http", &tagged]);
    assert_eq!(config.as_bytes(), amd.config_bytes.as_slice());
    assert_eq!(
        env.ok(&["manifest", "get-config", "--plain-http", &tagged]),
        config
    );
    let pretty = env.ok(&[
        "manifest",
        "fetch-config",
        "--plain-http",
        "--pretty",
        &tagged,
    ]);
    assert!(
        pretty.starts_with("{\n  \"architecture\": \"amd64\","),
        "{pretty}"
    );
    let desc = env.ok(&[
        "manifest",
        "fetch-config",
        "--plain-http",
        "--descriptor",
        &tagged,
    ]);
    assert_eq!(desc, String::from_utf8(amd.config.to_json()).unwrap());
    let printed = env.ok(&[
        "manifest",
        "fetch-config",
        "--plain-http",
        "-o",
        "config.json",
        "--descriptor",
        &tagged,
    ]);
    assert_eq!(printed, desc);
    assert_eq!(
        std::fs::read(env.path("config.json")).unwrap(),
        amd.config_bytes
    );
    assert_eq!(
        env.ok(&[
            "manifest",
            "fetch-config",
            "--plain-http",
            "-o",
            "-",
            &tagged
        ]),
        config
    );

    // An index has no config, unless a platform picks an image.
    let index_ref = format!("{name}:v1");
    let err = env.fails(&["manifest", "fetch-config", "--plain-http", &index_ref]);
    assert!(
        err.starts_with("Error: \"sha256:")
            && err.ends_with("\" is not an image manifest and does not have a config\n"),
        "{err}"
    );
    let arm_config = env.ok(&[
        "manifest",
        "fetch-config",
        "--plain-http",
        "--platform",
        "linux/arm64",
        &index_ref,
    ]);
    assert_eq!(arm_config.as_bytes(), arm.config_bytes.as_slice());
}

#[test]
fn manifest_push_and_delete() {
    let Some(registry) = registry() else { return };
    let rt = runtime();
    let repo = repository(&registry, "push/app");
    let image = setup(&rt, push_image(&repo, "amd64", "layer", "base"));
    let env = Env::new();
    let name = format!("{}/push/app", registry.host());
    std::fs::write(env.path("manifest.json"), &image.manifest_bytes).unwrap();
    let short_digest = short(&image.manifest);
    let mt = media_type::IMAGE_MANIFEST;

    // A new tag of the same manifest: it already resolves? No: v1 is new.
    let out = env.ok(&[
        "manifest",
        "push",
        "--plain-http",
        &format!("{name}:v1"),
        "manifest.json",
    ]);
    assert_eq!(
        out,
        format!(
            "Uploading {short_digest} {mt}\nUploaded  {short_digest} {mt}\nPushed: [registry] {name}:v1\nDigest: {}\n",
            image.manifest.digest
        )
    );
    // Again: the tag resolves to the same digest.
    let out = env.ok(&[
        "manifest",
        "push",
        "--plain-http",
        &format!("{name}:v1"),
        "manifest.json",
    ]);
    assert!(
        out.starts_with(&format!(
            "Exists    {short_digest} {mt}\nPushed: [registry] {name}:v1\n"
        )),
        "{out}"
    );
    // Several tags.
    let out = env.ok(&[
        "manifest",
        "push",
        "--plain-http",
        &format!("{name}:t1,t2,t3"),
        "manifest.json",
    ]);
    for tag in ["t2", "t3"] {
        assert!(out.contains(&format!("\nTagged {tag}\n")), "{out}");
    }
    setup(&rt, async {
        for tag in ["t1", "t2", "t3"] {
            let got = oras_content::Resolver::resolve(&repo, tag).await.unwrap();
            assert_eq!(got.digest, image.manifest.digest);
        }
    });
    // --descriptor prints only the descriptor; --pretty indents it.
    let desc = env.ok(&[
        "manifest",
        "push",
        "--plain-http",
        "--descriptor",
        &name,
        "manifest.json",
    ]);
    assert_eq!(desc, String::from_utf8(image.manifest.to_json()).unwrap());
    let pretty = env.ok(&[
        "manifest",
        "push",
        "--plain-http",
        "--descriptor",
        "--pretty",
        &name,
        "manifest.json",
    ]);
    assert_eq!(json(&pretty), json(&desc));
    assert!(pretty.contains("\n  \"digest\""));

    // From stdin, with the media type from the flag (the JSON has none).
    let index = br#"{"schemaVersion":2,"manifests":[]}"#;
    let index_desc = Descriptor::from_bytes(media_type::IMAGE_INDEX, index);
    let out = env
        .oras()
        .args([
            "manifest",
            "push",
            "--plain-http",
            "--media-type",
            media_type::IMAGE_INDEX,
            &format!("{name}:stdin"),
            "-",
        ])
        .write_stdin(&index[..])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).ends_with(&format!("Digest: {}\n", index_desc.digest))
    );
    // No media type anywhere.
    let out = env
        .oras()
        .args([
            "manifest",
            "push",
            "--plain-http",
            &format!("{name}:nomt"),
            "-",
        ])
        .write_stdin(&index[..])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("Error: media type is not specified via the flag \"--media-type\" nor in \"-\"\nUsage: oras manifest push"),
        "{err}"
    );
    let err = env.fails(&[
        "manifest",
        "push",
        "--plain-http",
        &format!("{name}:x"),
        "missing.json",
    ]);
    assert!(
        err.starts_with("Error: failed to read missing.json: "),
        "{err}"
    );

    // Delete without --force on a non-terminal: the prompt reads an empty
    // answer, cancels, and nothing is deleted (compared with the Go CLI by
    // the differential scenario `e2e-manifest-delete-empty-answer`).
    let v1 = format!("{name}:v1");
    let out = env.ok(&["manifest", "delete", "--plain-http", &v1]);
    assert_eq!(
        out,
        format!(
            "Are you sure you want to delete the manifest \"{}\" and all tags associated with it? [y/N] Operation cancelled.\n",
            image.manifest.digest
        )
    );
    assert_eq!(
        env.ok(&["manifest", "fetch", "--plain-http", &v1])
            .as_bytes(),
        image.manifest_bytes.as_slice()
    );
    // A "y" confirms.
    let stdin_tag = format!("{name}:stdin");
    let out = env
        .oras()
        .args(["manifest", "delete", "--plain-http", &stdin_tag])
        .write_stdin("y\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .ends_with(&format!("Deleted [registry] {stdin_tag}\n"))
    );
    // --descriptor needs --force.
    let err = env.fails(&["manifest", "delete", "--plain-http", "--descriptor", &v1]);
    assert_eq!(
        err,
        "Error: must apply --force to confirm the deletion if the descriptor is outputted\n"
    );
    let by_digest = format!("{name}@{}", image.manifest.digest);
    let desc = env.ok(&[
        "manifest",
        "delete",
        "--plain-http",
        "--force",
        "--descriptor",
        &by_digest,
    ]);
    assert_eq!(json(&desc)["digest"], image.manifest.digest.to_string());
    // Gone now: --force reports it missing, without --force it is an error.
    assert_eq!(
        env.ok(&["manifest", "rm", "--plain-http", "-f", &v1]),
        format!("Missing {v1}\n")
    );
    let err = env.fails(&["manifest", "delete", "--plain-http", &v1]);
    assert_eq!(
        err,
        format!("Error: {v1}: the specified manifest does not exist\n")
    );
    let err = env.fails(&[
        "manifest",
        "delete",
        "--plain-http",
        "--force",
        "--descriptor",
        &v1,
    ]);
    assert!(
        err.ends_with("the specified manifest does not exist\n"),
        "{err}"
    );
}

/// A manifest with a subject, pushed and deleted with the referrers tag
/// schema (Distribution has no referrers API): the `sha256-<subject>`
/// index lists it, then no longer does.
#[test]
fn manifest_push_and_delete_maintain_the_referrers_tag_schema() {
    let Some(registry) = registry() else { return };
    let rt = runtime();
    let repo = repository(&registry, "referrers/app");
    let subject = setup(&rt, push_image(&repo, "amd64", "subject", "v1"));
    let env = Env::new();
    let name = format!("{}/referrers/app", registry.host());
    let referrer = format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","artifactType":"application/vnd.example.sig","config":{},"layers":[{}],"subject":{}}}"#,
        media_type::IMAGE_MANIFEST,
        String::from_utf8(Descriptor::empty_json().to_json()).unwrap(),
        String::from_utf8(subject.layer.to_json()).unwrap(),
        String::from_utf8(subject.manifest.to_json()).unwrap(),
    );
    std::fs::write(env.path("referrer.json"), &referrer).unwrap();
    setup(&rt, async {
        oras_copy::push_bytes(
            &repo,
            media_type::EMPTY_JSON,
            bytes::Bytes::from_static(b"{}"),
        )
        .await
        .unwrap();
    });
    let referrer_desc = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, referrer.as_bytes());
    let out = env.ok(&[
        "manifest",
        "push",
        "--plain-http",
        "--distribution-spec",
        "v1.1-referrers-tag",
        &name,
        "referrer.json",
    ]);
    assert!(
        out.ends_with(&format!("Digest: {}\n", referrer_desc.digest)),
        "{out}"
    );
    let schema_tag = format!("{name}:sha256-{}", subject.manifest.digest.encoded());
    let index = json(&env.ok(&["manifest", "fetch", "--plain-http", &schema_tag]));
    assert_eq!(
        index["manifests"][0]["digest"],
        referrer_desc.digest.to_string()
    );
    assert_eq!(
        index["manifests"][0]["artifactType"],
        "application/vnd.example.sig"
    );

    // A second referrer; deleting the first leaves only the second listed.
    let second = referrer.replace("example.sig", "example.sbom");
    std::fs::write(env.path("second.json"), &second).unwrap();
    let second_desc = Descriptor::from_bytes(media_type::IMAGE_MANIFEST, second.as_bytes());
    env.ok(&["manifest", "push", "--plain-http", &name, "second.json"]);
    let index = json(&env.ok(&["manifest", "fetch", "--plain-http", &schema_tag]));
    assert_eq!(index["manifests"].as_array().unwrap().len(), 2, "{index}");

    let by_digest = format!("{name}@{}", referrer_desc.digest);
    let out = env.ok(&[
        "manifest",
        "delete",
        "--plain-http",
        "--distribution-spec",
        "v1.1-referrers-tag",
        "-f",
        &by_digest,
    ]);
    assert_eq!(out, format!("Deleted [registry] {by_digest}\n"));
    let err = env.fails(&["manifest", "fetch", "--plain-http", &by_digest]);
    assert!(err.starts_with("Error response from registry: "), "{err}");
    let index = json(&env.ok(&["manifest", "fetch", "--plain-http", &schema_tag]));
    let listed: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["digest"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [second_desc.digest.to_string()]);
    // oras-remote pushes no new index when the last referrer goes, so the
    // old one stays tagged. Not asserted here.
}
