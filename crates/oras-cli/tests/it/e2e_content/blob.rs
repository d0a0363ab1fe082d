//! `blob push`, `fetch` and `delete` against the registry, and a lying
//! registry (the fake) for verification.

use oras_content::ReadOnlyStorage;
use oras_spec::{Descriptor, media_type};
use oras_testkit::fake::{DigestHeader, FakeConfig, FakeRegistry};

use crate::e2e_content::support::{Env, json, registry, repository, runtime, setup, short};

#[test]
fn blob_push_fetch_delete() {
    let Some(registry) = registry() else { return };
    let rt = runtime();
    let repo = repository(&registry, "blob/app");
    let env = Env::new();
    let name = format!("{}/blob/app", registry.host());
    let content = b"hello blob\n".repeat(1000);
    std::fs::write(env.path("hi.bin"), &content).unwrap();
    let desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, &content);
    let s = short(&desc);
    let mt = media_type::IMAGE_LAYER;

    // Push a file: HEAD first, then upload.
    let out = env.ok(&["blob", "push", "--plain-http", &name, "hi.bin"]);
    assert_eq!(
        out,
        format!(
            "Uploading {s} {mt}\nUploaded  {s} {mt}\nPushed: [registry] {name}\nDigest: {}\n",
            desc.digest
        )
    );
    let out = env.ok(&["blob", "push", "--plain-http", &name, "hi.bin"]);
    assert_eq!(
        out,
        format!(
            "Exists    {s} {mt}\nPushed: [registry] {name}\nDigest: {}\n",
            desc.digest
        )
    );
    // --descriptor with the media type of the flag; --pretty.
    let out = env.ok(&[
        "blob",
        "push",
        "--plain-http",
        "--descriptor",
        "--media-type",
        "application/vnd.me.hi",
        &name,
        "hi.bin",
    ]);
    assert_eq!(
        out,
        format!(
            "{{\"mediaType\":\"application/vnd.me.hi\",\"digest\":\"{}\",\"size\":{}}}",
            desc.digest, desc.size
        )
    );
    let out = env.ok(&[
        "blob",
        "push",
        "--plain-http",
        "--descriptor",
        "--pretty",
        &name,
        "hi.bin",
    ]);
    assert_eq!(json(&out)["size"], desc.size);
    assert!(out.starts_with("{\n  \"mediaType\""), "{out}");
    // A wrong --size for a file.
    let err = env.fails(&[
        "blob",
        "push",
        "--plain-http",
        "--size",
        "3",
        &name,
        "hi.bin",
    ]);
    assert_eq!(
        err,
        format!(
            "Error: input size 3 does not match the actual content size {}\n",
            desc.size
        )
    );

    // From stdin: --size and the digest are required.
    let piped = b"piped content";
    let piped_desc = Descriptor::from_bytes(media_type::IMAGE_LAYER, piped);
    let with_digest = format!("{name}@{}", piped_desc.digest);
    let out = env
        .oras()
        .args([
            "blob",
            "push",
            "--plain-http",
            "--size",
            &piped.len().to_string(),
            &with_digest,
            "-",
        ])
        .write_stdin(&piped[..])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).ends_with(&format!(
        "Pushed: [registry] {with_digest}\nDigest: {}\n",
        piped_desc.digest
    )));
    setup(&rt, async {
        assert!(repo.exists(&piped_desc).await.unwrap())
    });
    let err = env.fails(&["blob", "push", "--plain-http", &with_digest, "-"]);
    assert_eq!(
        err,
        "Error: `--size` must be provided if the blob is read from stdin\n"
    );
    let err = env.fails(&["blob", "push", "--plain-http", "--size", "3", &name, "-"]);
    assert!(
        err.starts_with(
            "Error: `--size` and digest must be provided if the blob is read from stdin"
        ),
        "{err}"
    );
    // Content that does not match the digest is refused.
    let wrong = format!("{name}@{}", Descriptor::from_bytes("a/b", b"other").digest);
    let out = env
        .oras()
        .args([
            "blob",
            "push",
            "--plain-http",
            "--size",
            &piped.len().to_string(),
            &wrong,
            "-",
        ])
        .write_stdin(&piped[..])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    // Fetch: to a file, to stdout, the descriptor.
    let blob_ref = format!("{name}@{}", desc.digest);
    assert_eq!(
        env.ok(&["blob", "fetch", "--plain-http", "-o", "out.bin", &blob_ref]),
        ""
    );
    assert_eq!(std::fs::read(env.path("out.bin")).unwrap(), content);
    let out = env
        .oras()
        .args(["blob", "get", "--plain-http", "-o", "-", &blob_ref])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, content);
    let printed = json(&env.ok(&["blob", "fetch", "--plain-http", "--descriptor", &blob_ref]));
    assert_eq!(printed["digest"], desc.digest.to_string());
    assert_eq!(printed["size"], desc.size);
    assert_eq!(printed["mediaType"], media_type::OCTET_STREAM);
    let printed = env.ok(&[
        "blob",
        "fetch",
        "--plain-http",
        "--descriptor",
        "-o",
        "both.bin",
        &blob_ref,
    ]);
    assert_eq!(json(&printed)["digest"], desc.digest.to_string());
    assert_eq!(std::fs::read(env.path("both.bin")).unwrap(), content);
    let err = env.fails(&["blob", "fetch", "--plain-http", &blob_ref]);
    assert_eq!(
        err,
        "Error: either `--output` or `--descriptor` must be provided\n"
    );
    let missing = format!(
        "{name}@{}",
        Descriptor::from_bytes("a/b", b"missing").digest
    );
    let err = env.fails(&[
        "blob",
        "fetch",
        "--plain-http",
        "-o",
        "missing.bin",
        &missing,
    ]);
    assert!(err.starts_with("Error response from registry: "), "{err}");
    assert!(!env.path("missing.bin").exists());

    // Delete: the prompt cancels without an answer; -f deletes; then missing.
    let out = env.ok(&["blob", "delete", "--plain-http", &blob_ref]);
    assert_eq!(
        out,
        format!(
            "Are you sure you want to delete the blob \"{}\"? [y/N] Operation cancelled.\n",
            desc.digest
        )
    );
    setup(&rt, async { assert!(repo.exists(&desc).await.unwrap()) });
    let err = env.fails(&["blob", "delete", "--plain-http", "--descriptor", &blob_ref]);
    assert_eq!(
        err,
        "Error: must apply --force to confirm the deletion if the descriptor is outputted\n"
    );
    let out = env.ok(&[
        "blob",
        "delete",
        "--plain-http",
        "--force",
        "--descriptor",
        &blob_ref,
    ]);
    assert_eq!(json(&out)["digest"], desc.digest.to_string());
    setup(&rt, async { assert!(!repo.exists(&desc).await.unwrap()) });
    assert_eq!(
        env.ok(&["blob", "rm", "--plain-http", "-f", &blob_ref]),
        format!("Missing {blob_ref}\n")
    );
    let err = env.fails(&["blob", "delete", "--plain-http", &blob_ref]);
    assert_eq!(
        err,
        format!("Error: {blob_ref}: the specified blob does not exist\n")
    );
    let out = env
        .oras()
        .args(["blob", "delete", "--plain-http", &with_digest])
        .write_stdin("yes\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .ends_with(&format!("Deleted [registry] {with_digest}\n"))
    );
}

/// A registry whose answers do not match the digest asked for: the fetch
/// fails with exit code 1 and leaves no file.
#[test]
fn blob_fetch_refuses_content_of_another_digest() {
    let rt = runtime();
    let fake = setup(
        &rt,
        FakeRegistry::start(FakeConfig {
            blob_digest_header: DigestHeader::Wrong,
            ..FakeConfig::default()
        }),
    );
    let digest = fake.put_blob("lying/app", &b"served content"[..]);
    let env = Env::new();
    let reference = format!("{}/lying/app@{digest}", fake.host());
    let run = |args: Vec<String>| {
        let mut cmd = env.oras();
        cmd.args(args);
        rt.block_on(async {
            tokio::time::timeout(
                crate::e2e_content::support::COMMAND_TIMEOUT,
                tokio::task::spawn_blocking(move || cmd.output().unwrap()),
            )
            .await
            .unwrap()
            .unwrap()
        })
    };
    let out = run(vec![
        "blob".into(),
        "fetch".into(),
        "--plain-http".into(),
        "-o".into(),
        "blob.bin".into(),
        reference.clone(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("Error"), "{err}");
    assert!(err.contains("digest"), "{err}");
    assert!(!env.path("blob.bin").exists());
    assert_eq!(
        std::fs::read_dir(env.dir())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name() != "home")
            .count(),
        0
    );
    fake.stop();
}
