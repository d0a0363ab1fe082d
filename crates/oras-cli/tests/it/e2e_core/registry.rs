//! push, pull, tag and resolve against a real CNCF Distribution registry
//! over plain HTTP, without authentication (and `--resolve` over TLS).

use oras_testkit::real::{Mode, start_for_test};

use crate::e2e_core::support::{Env, digest_of, json};

#[test]
fn round_trip_through_a_plain_registry() {
    let Some(registry) = start_for_test(Mode::Plain) else {
        return;
    };
    let env = Env::new();
    let repo = format!("{}/e2e/core", registry.host());
    env.write("hi.txt", b"hi\n");
    env.write("dir/x", b"x\n");

    let out = env.ok(&[
        "push",
        "--plain-http",
        &format!("{repo}:v1,v2"),
        "hi.txt:text/plain",
        "dir",
        "--artifact-type",
        "application/vnd.e2e",
    ]);
    assert!(
        out.contains(&format!("Pushed [registry] {repo}:v1\n")),
        "{out}"
    );
    assert!(out.contains("Tagged v2\n"), "{out}");
    assert!(out.contains("ArtifactType: application/vnd.e2e\n"), "{out}");
    let digest = digest_of(&out);

    // The same push again finds everything there.
    let again = env.ok(&[
        "push",
        "--plain-http",
        &format!("{repo}:again"),
        "hi.txt:text/plain",
    ]);
    assert!(again.contains("Exists "), "{again}");

    assert_eq!(
        env.ok(&["resolve", "--plain-http", &format!("{repo}:v2")]),
        format!("{digest}\n")
    );
    assert_eq!(
        env.ok(&["resolve", "--plain-http", "-l", &format!("{repo}:v2")]),
        format!("{repo}@{digest}\n")
    );

    let out = env.ok(&[
        "pull",
        "--plain-http",
        &format!("{repo}@{digest}"),
        "-o",
        "out",
    ]);
    assert!(out.contains("Downloaded "), "{out}");
    assert_eq!(env.read("out/hi.txt"), b"hi\n");
    assert_eq!(env.read("out/dir/x"), b"x\n");

    let out = env.ok(&["tag", "--plain-http", &format!("{repo}:v1"), "v3"]);
    assert_eq!(
        out,
        format!("Tagging [registry] {repo}@{digest}\nTagged v3\n")
    );
    assert_eq!(
        env.ok(&["resolve", "--plain-http", &format!("{repo}:v3")]),
        format!("{digest}\n")
    );

    // JSON output of pull, through the ORAS_CACHE layout.
    let out = env
        .oras()
        .env("ORAS_CACHE", env.path("cache"))
        .args([
            "pull",
            "--plain-http",
            &format!("{repo}:v3"),
            "-o",
            "cached",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pulled = json(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(pulled["reference"], format!("{repo}@{digest}"));
    assert_eq!(pulled["files"].as_array().unwrap().len(), 2);
    let layer = pulled["files"][0]["digest"].as_str().unwrap();
    assert!(
        env.path("cache/blobs/sha256")
            .join(layer.trim_start_matches("sha256:"))
            .is_file()
    );
    registry.stop().unwrap();
}

#[test]
fn missing_tags_are_registry_errors() {
    let Some(registry) = start_for_test(Mode::Plain) else {
        return;
    };
    let env = Env::new();
    env.write("a.txt", b"a");
    let repo = format!("{}/e2e/missing", registry.host());
    env.ok(&["push", "--plain-http", &format!("{repo}:v1"), "a.txt"]);
    let err = env.fails(&["pull", "--plain-http", &format!("{repo}:nope"), "-o", "out"]);
    // The reference a 404 did not find, not the body (the differential
    // scenario `err-pull-missing-tag` holds the Go CLI's wording).
    assert_eq!(
        err,
        format!("Error response from registry: {repo}:nope: not found\n")
    );
    let err = env.fails(&[
        "resolve",
        "--plain-http",
        &format!("{}/e2e/none:v1", registry.host()),
    ]);
    assert!(err.starts_with("Error response from registry: "), "{err}");
    registry.stop().unwrap();
}

#[test]
fn resolve_flag_sends_a_host_to_another_address() {
    let Some(registry) = start_for_test(Mode::Plain) else {
        return;
    };
    let env = Env::new();
    env.write("a.txt", b"resolved");
    let port = registry.port();
    let rule = format!("registry.invalid:{port}:127.0.0.1");
    let reference = format!("registry.invalid:{port}/e2e/resolve:v1");
    env.ok(&[
        "push",
        "--plain-http",
        "--resolve",
        &rule,
        &reference,
        "a.txt",
    ]);
    env.ok(&[
        "pull",
        "--plain-http",
        "--resolve",
        &rule,
        &reference,
        "-o",
        "out",
    ]);
    assert_eq!(env.read("out/a.txt"), b"resolved");
    // Without the rule the name does not resolve.
    env.fails(&["resolve", "--plain-http", &reference]);
    // The address port may differ from the reference's port.
    let rule = format!("registry.invalid:80:127.0.0.1:{port}");
    env.ok(&[
        "resolve",
        "--plain-http",
        "--resolve",
        &rule,
        "registry.invalid/e2e/resolve:v1",
    ]);
    registry.stop().unwrap();
}

#[test]
fn resolve_flag_over_tls_with_ca_file_insecure_and_credentials() {
    let Some(registry) = start_for_test(Mode::TlsBasic) else {
        return;
    };
    let env = Env::new();
    env.write("a.txt", b"over tls");
    let ca = registry.ca_path().unwrap().to_str().unwrap().to_owned();
    let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
    let port = registry.port();
    // The certificate names localhost; nothing listens on localhost:1, so
    // only the rule reaches the registry, and TLS checks "localhost".
    let rule = format!("localhost:1:127.0.0.1:{port}");
    let reference = "localhost:1/e2e/resolve-tls:v1";
    let tls = ["--plain-http=false", "-u", user, "-p", password];
    let with = |args: &[&'static str], extra: &[&str]| -> Vec<String> {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        all.extend(tls.iter().map(|a| a.to_string()));
        all.extend(extra.iter().map(|a| a.to_string()));
        all
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        env.ok(&args)
    };
    run(with(
        &["push"],
        &["--ca-file", &ca, "--resolve", &rule, reference, "a.txt"],
    ));
    run(with(
        &["pull"],
        &["--ca-file", &ca, "--resolve", &rule, reference, "-o", "out"],
    ));
    assert_eq!(env.read("out/a.txt"), b"over tls");
    // --insecure through a rule, for a name the certificate does not hold.
    let rule = format!("registry.invalid:{port}:127.0.0.1");
    let digest = run(with(
        &["resolve"],
        &[
            "--insecure",
            "--resolve",
            &rule,
            &format!("registry.invalid:{port}/e2e/resolve-tls:v1"),
        ],
    ));
    assert!(digest.starts_with("sha256:"), "{digest}");
    // Without --insecure that name fails the certificate check.
    let args = with(
        &["resolve"],
        &[
            "--ca-file",
            &ca,
            "--resolve",
            &rule,
            &format!("registry.invalid:{port}/e2e/resolve-tls:v1"),
        ],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let err = env.fails(&args);
    assert!(err.contains("Error: "), "{err}");
    // The certificate names only `localhost` (the differential scenario
    // `e2e-tls-name-mismatch` holds the Go CLI's wording).
    assert!(
        err.contains(": tls: failed to verify certificate: x509: certificate is valid for localhost, not registry.invalid\n"),
        "{err}"
    );
    registry.stop().unwrap();
}

#[test]
fn debug_traces_requests_without_secrets() {
    // Token auth: Basic to the token server, Bearer to the registry.
    let Some(registry) = start_for_test(Mode::Token) else {
        return;
    };
    let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
    let env = Env::new();
    env.write("a.txt", b"a");
    let reference = format!("{}/e2e/debug:v1", registry.host());
    let out = env
        .oras()
        .args([
            "push",
            "-d",
            "--plain-http",
            "-u",
            user,
            "-p",
            password,
            "-H",
            "X-Trace: hidden-value",
            &reference,
            "a.txt",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("/v2/e2e/debug/manifests/v1"), "{log}");
    assert!(!log.contains(password), "{log}");
    assert!(!log.contains("Bearer ") && !log.contains("Basic "), "{log}");
    assert!(!log.contains("hidden-value"), "{log}");
    assert!(
        !log.to_ascii_lowercase().contains("authorization:"),
        "{log}"
    );
    registry.stop().unwrap();
}

#[test]
fn large_files_upload_while_hashed_and_existing_ones_are_not_sent() {
    // 33 MiB: over the size from which a push uploads while it hashes.
    let Some(registry) = start_for_test(Mode::Plain) else {
        return;
    };
    let env = Env::new();
    let repo = format!("{}/e2e/large", registry.host());
    let content: Vec<u8> = (0..33 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    env.write("model.bin", &content);

    let status = |out: &str, verb: &str| {
        out.lines()
            .any(|line| line.starts_with(verb) && line.ends_with(" model.bin"))
    };
    let out = env.ok(&["push", "--plain-http", &format!("{repo}:v1"), "model.bin"]);
    assert!(status(&out, "Uploaded "), "{out}");
    env.ok(&["pull", "--plain-http", &format!("{repo}:v1"), "-o", "out"]);
    assert_eq!(env.read("out/model.bin"), content);

    // Pushed again in another manifest: the blob is found once hashed,
    // its upload abandoned, and it is reported as existing (compared with
    // the Go CLI by the differential scenario `e2e-push-again-blob-exists`).
    let again = env.ok(&[
        "push",
        "--plain-http",
        &format!("{repo}:v2"),
        "model.bin",
        "--artifact-type",
        "application/vnd.e2e.other",
    ]);
    assert!(status(&again, "Exists "), "{again}");
    assert!(!status(&again, "Uploaded "), "{again}");
}
