//! `attach`, `discover`, `cp -r` and `manifest delete` against a real
//! registry with the OCI 1.1 referrers API (olareg, from
//! `oras_testkit::real::ReferrersRegistry`): referrers go through
//! `GET /v2/<name>/referrers/<digest>`, so no `sha256-<hex>` tag may appear,
//! filtering is the registry's (`OCI-Filters-Applied`), and a long list
//! arrives in pages linked by `Link: <...>; rel=next`.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use oras_content::{ReadOnlyStorage, Resolver, TagLister};
use oras_spec::Manifest;
use oras_testkit::real::{ReferrersRegistry, start_referrers_for_test_async};

use crate::e2e_graph::fixtures::{
    Home, artifact, bounded, digest_line, index, json, referrer, repo, tag,
};

/// One raw `GET path` (plain HTTP/1.1, bounded): the head, lower-cased,
/// and the body.
fn raw_get(host: &str, path: &str) -> (String, String) {
    let addr = host.parse().expect("socket address");
    let mut tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/vnd.oci.image.index.v1+json\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut all = Vec::new();
    tcp.read_to_end(&mut all).expect("read");
    let text = String::from_utf8_lossy(&all).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    (head.to_ascii_lowercase(), body.to_owned())
}

/// The digests of a `discover --format json` level's referrers.
fn referrer_digests(level: &serde_json::Value) -> Vec<String> {
    let mut digests: Vec<String> = level["referrers"]
        .as_array()
        .unwrap_or_else(|| panic!("no referrers in {level}"))
        .iter()
        .map(|r| r["digest"].as_str().unwrap().to_owned())
        .collect();
    digests.sort();
    digests
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_discover_filter_and_delete_through_the_referrers_api() {
    let Some(registry) = start_referrers_for_test_async().await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let hello = repo(&host, "api/hello");
        let subject = artifact(&hello, "hello").await;
        tag(&hello, &subject, "v1").await;

        let home = Home::new();
        std::fs::write(home.path("hi.txt"), b"hi").unwrap();
        let reference = format!("{host}/api/hello:v1");

        let out = home
            .ok(&[
                "attach",
                "--plain-http",
                "--artifact-type",
                "sig/example",
                "-a",
                "kind=signature",
                "--export-manifest",
                "sig.json",
                &reference,
                "hi.txt",
            ])
            .await;
        assert!(
            out.contains(&format!(
                "Attached to [registry] {host}/api/hello@{}\n",
                subject.digest
            )),
            "{out}"
        );
        let sig = digest_line(&out);
        // The manifest carries the subject, and the registry indexed it.
        let exported: Manifest =
            serde_json::from_slice(&std::fs::read(home.path("sig.json")).unwrap()).unwrap();
        assert_eq!(exported.subject.unwrap().digest, subject.digest);
        let (head, body) = raw_get(
            &host,
            &format!("/v2/api/hello/referrers/{}", subject.digest),
        );
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(body.contains(&sig), "{body}");

        // A second referrer of the subject, and one of the signature.
        let out = home
            .ok(&[
                "attach",
                "--plain-http",
                "--artifact-type",
                "sbom/example",
                "-a",
                "note=top",
                &reference,
            ])
            .await;
        let sbom = digest_line(&out);
        let sig_ref = format!("{host}/api/hello@{sig}");
        let out = home
            .ok(&[
                "attach",
                "--plain-http",
                "--artifact-type",
                "sbom/example",
                "-a",
                "note=nested",
                &sig_ref,
            ])
            .await;
        let nested = digest_line(&out);

        // The API exists: no referrers tag schema.
        let tags = hello.tags(None).await.unwrap();
        assert_eq!(tags, vec!["v1".to_owned()]);

        // Tree.
        let tree = home.ok(&["discover", "--plain-http", &reference]).await;
        let lines: Vec<&str> = tree.lines().collect();
        assert_eq!(lines[0], format!("{host}/api/hello@{}", subject.digest));
        assert!(tree.contains("── sig/example\n"), "{tree}");
        assert!(tree.contains("── sbom/example\n"), "{tree}");
        assert!(tree.contains(&format!("── {sig}")), "{tree}");
        assert!(tree.contains(&format!("── {sbom}")), "{tree}");
        assert!(tree.contains(&format!("── {nested}")), "{tree}");
        assert!(tree.contains("kind: signature"), "{tree}");

        // JSON, nested.
        let found = json(
            &home
                .ok(&["discover", "--plain-http", "--format", "json", &reference])
                .await,
        );
        assert_eq!(found["digest"], subject.digest.to_string().as_str());
        let mut top = vec![sig.clone(), sbom.clone()];
        top.sort();
        assert_eq!(referrer_digests(&found), top);
        let sig_level = found["referrers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["digest"] == sig.as_str())
            .unwrap();
        assert_eq!(sig_level["artifactType"], "sig/example");
        assert_eq!(referrer_digests(sig_level), vec![nested.clone()]);

        // --artifact-type: the registry filters and says so.
        let (head, body) = raw_get(
            &host,
            &format!(
                "/v2/api/hello/referrers/{}?artifactType=sig/example",
                subject.digest
            ),
        );
        assert!(head.contains("oci-filters-applied: artifacttype"), "{head}");
        assert!(body.contains(&sig) && !body.contains(&sbom), "{body}");
        let filtered = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--format",
                    "json",
                    "--artifact-type",
                    "sig/example",
                    &reference,
                ])
                .await,
        );
        assert_eq!(referrer_digests(&filtered), vec![sig.clone()]);

        // Deleting a referrer removes it from the listing.
        home.ok(&[
            "manifest",
            "delete",
            "--plain-http",
            "--force",
            &format!("{host}/api/hello@{sbom}"),
        ])
        .await;
        let after = json(
            &home
                .ok(&["discover", "--plain-http", "--format", "json", &reference])
                .await,
        );
        assert_eq!(referrer_digests(&after), vec![sig.clone()]);
        let tree = home.ok(&["discover", "--plain-http", &reference]).await;
        assert!(!tree.contains(&sbom), "{tree}");
        assert_eq!(hello.tags(None).await.unwrap(), vec!["v1".to_owned()]);
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recursive_copy_carries_referrers_of_the_index_and_its_children() {
    let Some(registry) = start_referrers_for_test_async().await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let src = repo(&host, "api/src");
        let (idx, children) = index(&src, &[("linux", "amd64"), ("linux", "arm64")]).await;
        tag(&src, &idx, "v1").await;
        let index_sig = referrer(&src, &idx, "sig/example", "index").await;
        let child_sig = referrer(&src, &children[1], "sig/example", "arm64").await;
        let nested = referrer(&src, &child_sig, "sbom/example", "nested").await;

        let home = Home::new();
        let out = home
            .ok(&[
                "cp",
                "-r",
                "--from-plain-http",
                "--to-plain-http",
                &format!("{host}/api/src:v1"),
                &format!("{host}/api/dst:v1"),
            ])
            .await;
        assert!(out.ends_with(&format!("Digest: {}\n", idx.digest)), "{out}");

        let dst = repo(&host, "api/dst");
        assert_eq!(dst.resolve("v1").await.unwrap().digest, idx.digest);
        for desc in [&children[0], &children[1], &index_sig, &child_sig, &nested] {
            assert!(dst.exists(desc).await.unwrap(), "{} missing", desc.digest);
        }
        // Only the tag given: the referrers are indexed by the API.
        assert_eq!(dst.tags(None).await.unwrap(), vec!["v1".to_owned()]);

        let found = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--format",
                    "json",
                    &format!("{host}/api/dst@{}", children[1].digest),
                ])
                .await,
        );
        assert_eq!(referrer_digests(&found), vec![child_sig.digest.to_string()]);
        assert_eq!(
            referrer_digests(&found["referrers"][0]),
            vec![nested.digest.to_string()]
        );
        let found = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--format",
                    "json",
                    &format!("{host}/api/dst:v1"),
                ])
                .await,
        );
        assert_eq!(referrer_digests(&found), vec![index_sig.digest.to_string()]);
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discover_follows_the_pages_of_a_long_referrers_list() {
    if oras_testkit::real::start_referrers_for_test_async()
        .await
        .is_none()
    {
        return;
    }
    // Pages of at most 1 KiB: two or three descriptors each.
    let registry =
        tokio::task::spawn_blocking(|| ReferrersRegistry::start_with_referrers_limit(1024))
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("cannot start the referrers registry: {e}"));
    bounded(async {
        let host = registry.host();
        let paged = repo(&host, "api/paged");
        let subject = artifact(&paged, "paged").await;
        tag(&paged, &subject, "v1").await;
        let mut expected = Vec::new();
        for i in 0..9 {
            let note = format!("referrer number {i}");
            expected.push(
                referrer(&paged, &subject, "sig/example", &note)
                    .await
                    .digest
                    .to_string(),
            );
        }
        expected.sort();

        // The registry pages: the first response links to the next.
        let (head, body) = raw_get(
            &host,
            &format!("/v2/api/paged/referrers/{}", subject.digest),
        );
        assert!(head.contains("\r\nlink: <"), "{head}");
        assert!(head.contains("rel=next"), "{head}");
        let first = json(&body);
        let on_first_page = first["manifests"].as_array().unwrap().len();
        assert!((1..9).contains(&on_first_page), "{first}");

        // oras follows every page.
        let home = Home::new();
        let found = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--format",
                    "json",
                    &format!("{host}/api/paged:v1"),
                ])
                .await,
        );
        assert_eq!(referrer_digests(&found), expected);
        let filtered = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--format",
                    "json",
                    "--artifact-type",
                    "sig/example",
                    &format!("{host}/api/paged:v1"),
                ])
                .await,
        );
        assert_eq!(referrer_digests(&filtered), expected);
    })
    .await;
    registry.stop().unwrap();
}
