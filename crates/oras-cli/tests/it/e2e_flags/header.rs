//! `-H/--header`: every request to the registry carries the custom
//! headers; a blob redirect to another origin (the fake's "CDN") gets
//! none of them (oras-remote drops custom headers on cross-origin hops,
//! as it drops credentials).

use oras_spec::media_type;
use oras_testkit::fake::{FakeConfig, FakeRegistry, Origin};

use crate::e2e_flags::support::Env;

#[test]
fn headers_reach_the_registry_but_not_a_cross_origin_redirect() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let registry = runtime.block_on(FakeRegistry::start(FakeConfig {
        blob_redirect: true,
        ..FakeConfig::default()
    }));
    let repo = "e2e/header";
    let layer = registry.put_blob(repo, &b"hello"[..]);
    let config = registry.put_blob(repo, &b"{}"[..]);
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","artifactType":"application/vnd.e2e","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer}","size":5,"annotations":{{"org.opencontainers.image.title":"hello.txt"}}}}]}}"#,
        media_type::IMAGE_MANIFEST
    );
    let digest = registry.put_manifest(repo, media_type::IMAGE_MANIFEST, manifest.into_bytes());
    registry.tag(repo, "v1", &digest);

    let env = Env::new();
    let reference = format!("{}/{repo}:v1", registry.host());
    env.ok(&[
        "pull",
        "--plain-http",
        "-H",
        "X-E2E-One: first",
        "--header",
        "X-E2E-Two:second",
        &reference,
        "-o",
        "out",
    ]);
    assert_eq!(env.read("out/hello.txt"), b"hello");

    let requests = registry.requests();
    let (to_registry, to_cdn): (Vec<_>, Vec<_>) =
        requests.iter().partition(|r| r.origin == Origin::Registry);
    assert!(!to_registry.is_empty());
    assert!(
        to_cdn.iter().any(|r| r.path_only().contains("/blobs/")),
        "the blob should have been fetched from the other origin: {requests:#?}"
    );
    for r in &to_registry {
        assert_eq!(r.request_header("x-e2e-one"), Some("first"), "{r:#?}");
        assert_eq!(r.request_header("x-e2e-two"), Some("second"), "{r:#?}");
    }
    for r in &to_cdn {
        assert_eq!(r.request_header("x-e2e-one"), None, "{r:#?}");
        assert_eq!(r.request_header("x-e2e-two"), None, "{r:#?}");
    }

    // A header without a colon is a usage error before any request.
    let before = registry.requests().len();
    let err = env.fails(&["resolve", "--plain-http", "-H", "no-colon", &reference]);
    assert!(err.contains("no-colon"), "{err}");
    assert_eq!(registry.requests().len(), before);
    registry.stop();
}
