//! Against the in-process fake registry: a registry that lies about a
//! manifest's digest, and deleting tags where the registry allows it; and
//! against a scripted server, registry warnings.

use oras_spec::media_type;
use oras_testkit::fake::{DigestHeader, FakeConfig, FakeRegistry, TagDelete};

use crate::e2e_core::support::Env;

/// A manifest of one titled layer, seeded into `repo` and tagged `v1`.
fn seed(registry: &FakeRegistry, repo: &str) -> oras_spec::Digest {
    let layer = registry.put_blob(repo, &b"hello"[..]);
    let config = registry.put_blob(repo, &b"{}"[..]);
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","artifactType":"application/vnd.e2e","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer}","size":5,"annotations":{{"org.opencontainers.image.title":"hello.txt"}}}}]}}"#,
        media_type::IMAGE_MANIFEST
    );
    let digest = registry.put_manifest(repo, media_type::IMAGE_MANIFEST, manifest.into_bytes());
    registry.tag(repo, "v1", &digest);
    digest
}

#[test]
fn a_wrong_digest_from_the_registry_is_an_error() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let registry = runtime.block_on(FakeRegistry::start(FakeConfig {
        manifest_digest_header: DigestHeader::Wrong,
        ..FakeConfig::default()
    }));
    seed(&registry, "e2e/lie");
    let env = Env::new();
    let reference = format!("{}/e2e/lie:v1", registry.host());
    let err = env.fails(&["pull", "--plain-http", &reference, "-o", "out"]);
    assert!(err.contains("mismatched digest"), "{err}");
    assert!(!env.path("out/hello.txt").exists());
    registry.stop();
}

#[test]
fn a_correct_registry_serves_the_same_pull() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let registry = runtime.block_on(FakeRegistry::start(FakeConfig::default()));
    let digest = seed(&registry, "e2e/ok");
    let env = Env::new();
    let reference = format!("{}/e2e/ok:v1", registry.host());
    let out = env.ok(&["pull", "--plain-http", &reference, "-o", "out"]);
    assert!(out.contains(&format!("Digest: {digest}")), "{out}");
    assert_eq!(env.read("out/hello.txt"), b"hello");
    registry.stop();
}

#[test]
fn tags_are_deleted_where_the_registry_allows_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let allowing = runtime.block_on(FakeRegistry::start(FakeConfig {
        tag_delete: TagDelete::Allow,
        ..FakeConfig::default()
    }));
    seed(&allowing, "e2e/tags");
    let env = Env::new();
    let reference = format!("{}/e2e/tags:v1", allowing.host());
    env.ok(&["tag", "--plain-http", &reference, "v2"]);
    let out = env.ok(&[
        "tag",
        "--plain-http",
        "--delete",
        &format!("{}/e2e/tags:v2", allowing.host()),
    ]);
    assert_eq!(
        out,
        format!("Deleted [registry] {}/e2e/tags:v2\n", allowing.host())
    );
    assert_eq!(allowing.tags("e2e/tags"), vec!["v1".to_owned()]);
    allowing.stop();

    let refusing = runtime.block_on(FakeRegistry::start(FakeConfig {
        tag_delete: TagDelete::RefuseMethodNotAllowed,
        ..FakeConfig::default()
    }));
    seed(&refusing, "e2e/tags");
    let err = env.fails(&[
        "tag",
        "--plain-http",
        "--delete",
        &format!("{}/e2e/tags:v1", refusing.host()),
    ]);
    assert!(err.contains("failed to delete tag \"v1\""), "{err}");
    assert_eq!(refusing.tags("e2e/tags"), vec!["v1".to_owned()]);
    refusing.stop();
}

#[test]
fn include_subject_pulls_the_subject_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let registry = runtime.block_on(FakeRegistry::start(FakeConfig::default()));
    let repo = "e2e/subject";
    let subject = seed(&registry, repo);
    let subject_size = registry.manifest(repo, &subject.to_string()).unwrap();
    let layer = registry.put_blob(repo, &b"signature"[..]);
    let empty = registry.put_blob(repo, &b"{}"[..]);
    let referrer = format!(
        r#"{{"schemaVersion":2,"mediaType":"{m}","artifactType":"application/vnd.sig","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{empty}","size":2}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer}","size":9,"annotations":{{"org.opencontainers.image.title":"sig.txt"}}}}],"subject":{{"mediaType":"{m}","digest":"{subject}","size":{size}}}}}"#,
        m = media_type::IMAGE_MANIFEST,
        size = subject_size.bytes.len(),
    );
    let digest = registry.put_manifest(repo, media_type::IMAGE_MANIFEST, referrer.into_bytes());
    let env = Env::new();
    let reference = format!("{}/{repo}@{digest}", registry.host());
    env.ok(&["pull", "--plain-http", &reference, "-o", "plain"]);
    assert_eq!(env.read("plain/sig.txt"), b"signature");
    assert!(!env.path("plain/hello.txt").exists());
    env.ok(&[
        "pull",
        "--plain-http",
        "--include-subject",
        &reference,
        "-o",
        "both",
    ]);
    assert_eq!(env.read("both/sig.txt"), b"signature");
    assert_eq!(env.read("both/hello.txt"), b"hello");
    registry.stop();
}

/// Answers every request on 127.0.0.1 with `{"repositories":["app"]}`
/// and these `Warning` headers, closing each connection; returns the port.
fn serve_with_warnings(warnings: &'static [&'static str]) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        // Bounded: a command makes a handful of requests.
        for stream in listener.incoming().take(32) {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let body = r#"{"repositories":["app"]}"#;
            let mut answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for warning in warnings {
                answer.push_str(&format!("Warning: {warning}\r\n"));
            }
            answer.push_str("\r\n");
            answer.push_str(body);
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    port
}

#[test]
fn registry_warnings_are_printed_once_each() {
    let port = serve_with_warnings(&[
        r#"299 - "this registry is deprecated""#,
        r#"299 - "this registry is deprecated""#,
        r#"199 - "not a registry warning""#,
        r#"299 - "use registry.example instead""#,
    ]);
    let env = Env::new();
    let out = env
        .oras()
        .args(["repo", "ls", "--plain-http", &format!("127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "app\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Warning: this registry is deprecated\nWarning: use registry.example instead\n"
    );
}
