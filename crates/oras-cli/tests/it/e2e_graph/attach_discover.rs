//! `oras attach` then `oras discover`: on Distribution (tag schema), on
//! the fake (referrers API) and on OCI layouts.

use oras_content::TagLister;
use oras_spec::Manifest;
use oras_testkit::fake::{FakeConfig, FakeRegistry};
use oras_testkit::real::{Mode, start_for_test_async};

use crate::e2e_graph::fixtures::{
    Home, artifact, bounded, digest_line, index, json, referrer, repo, tag,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_then_discover_through_the_tag_schema() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let hello = repo(&host, "graph/hello");
        let subject = artifact(&hello, "hello").await;
        tag(&hello, &subject, "v1").await;

        let home = Home::new();
        std::fs::write(home.path("hi.txt"), b"hi").unwrap();
        let reference = format!("{host}/graph/hello:v1");

        // A signature with a file, an annotation and an exported manifest.
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
                "Attached to [registry] {host}/graph/hello@{}\n",
                subject.digest
            )),
            "{out}"
        );
        assert!(out.contains("Uploaded "), "{out}");
        assert!(out.contains(" hi.txt\n"), "{out}");
        let sig = digest_line(&out);
        let exported: Manifest =
            serde_json::from_slice(&std::fs::read(home.path("sig.json")).unwrap()).unwrap();
        assert_eq!(exported.artifact_type, "sig/example");
        assert_eq!(exported.subject.unwrap().digest, subject.digest);
        assert_eq!(exported.layers[0].title(), Some("hi.txt"));
        assert_eq!(exported.annotations["kind"], "signature");

        // Distribution has no referrers API: the tag schema holds it.
        let tags = hello.tags(None).await.unwrap();
        let schema_tag = format!("sha256-{}", subject.digest.encoded());
        assert!(tags.contains(&schema_tag), "{tags:?}");

        // An SBOM of the signature (by digest), annotations only, as JSON.
        let sig_ref = format!("{host}/graph/hello@{sig}");
        let out = home
            .ok(&[
                "attach",
                "--plain-http",
                "--artifact-type",
                "sbom/example",
                "-a",
                "note=nested",
                "--format",
                "json",
                &sig_ref,
            ])
            .await;
        let attached = json(&out);
        assert_eq!(attached["artifactType"], "sbom/example");
        assert_eq!(
            attached["mediaType"],
            "application/vnd.oci.image.manifest.v1+json"
        );
        let sbom = attached["digest"].as_str().unwrap().to_owned();
        assert_eq!(
            attached["reference"],
            format!("{host}/graph/hello@{sbom}").as_str()
        );

        // Tree: the subject, the signature, its annotations, the SBOM below.
        let tree = home.ok(&["discover", "--plain-http", &reference]).await;
        let lines: Vec<&str> = tree.lines().collect();
        assert_eq!(lines[0], format!("{host}/graph/hello@{}", subject.digest));
        assert_eq!(lines[1], "└── sig/example");
        assert_eq!(lines[2], format!("    └── {sig}"));
        assert!(tree.contains("[annotations]"), "{tree}");
        assert!(tree.contains("kind: signature"), "{tree}");
        assert!(tree.contains("└── sbom/example"), "{tree}");
        assert!(tree.contains(&format!("└── {sbom}")), "{tree}");

        // JSON: nested referrers.
        let found = json(
            &home
                .ok(&["discover", "--plain-http", "--format", "json", &reference])
                .await,
        );
        assert_eq!(found["digest"], subject.digest.to_string().as_str());
        assert_eq!(found["referrers"][0]["digest"], sig.as_str());
        assert_eq!(found["referrers"][0]["artifactType"], "sig/example");
        assert_eq!(
            found["referrers"][0]["referrers"][0]["digest"],
            sbom.as_str()
        );

        // --depth 1 stops at the signature.
        let shallow = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--format",
                    "json",
                    "--depth",
                    "1",
                    &reference,
                ])
                .await,
        );
        assert_eq!(shallow["referrers"][0]["referrers"], serde_json::json!([]));

        // --artifact-type keeps only matching referrers, at every level.
        let filtered = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--format",
                    "json",
                    "--artifact-type",
                    "sbom/example",
                    &reference,
                ])
                .await,
        );
        assert_eq!(filtered["referrers"], serde_json::json!([]));
        let filtered = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--format",
                    "json",
                    "--artifact-type",
                    "sbom/example",
                    &sig_ref,
                ])
                .await,
        );
        assert_eq!(filtered["referrers"][0]["digest"], sbom.as_str());

        // A Go template over the same model.
        let out = home
            .ok(&[
                "discover",
                "--plain-http",
                "--format",
                "go-template={{range .referrers}}{{.artifactType}}={{len .referrers}};{{end}}",
                &reference,
            ])
            .await;
        assert_eq!(out, "sig/example=1;");

        // The deprecated table: direct referrers only.
        let out = home
            .ok(&["discover", "--plain-http", "--format", "table", &reference])
            .await;
        assert!(
            out.starts_with(&format!(
                "Discovered 1 artifact referencing {reference}\nDigest: {}\n",
                subject.digest
            )),
            "{out}"
        );

        // A missing tag is an error from the registry.
        let err = home
            .fails(&[
                "discover",
                "--plain-http",
                &format!("{host}/graph/hello:missing"),
            ])
            .await;
        assert!(err.starts_with("Error"), "{err}");
        assert!(
            err.contains("not found") || err.contains("unknown"),
            "{err}"
        );
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_to_a_platform_and_discover_through_the_referrers_api() {
    let fake = FakeRegistry::start(FakeConfig::default()).await;
    bounded(async {
        let host = fake.host();
        let app = repo(&host, "graph/app");
        let (idx, children) = index(&app, &[("linux", "amd64"), ("linux", "arm64")]).await;
        tag(&app, &idx, "v1").await;
        let home = Home::new();
        std::fs::write(home.path("sbom.json"), b"{}").unwrap();
        let reference = format!("{host}/graph/app:v1");

        let out = home
            .ok(&[
                "attach",
                "--plain-http",
                "--artifact-type",
                "sbom/example",
                "--platform",
                "linux/arm64",
                "--distribution-spec",
                "v1.1-referrers-api",
                &reference,
                "sbom.json:application/json",
            ])
            .await;
        assert!(
            out.contains(&format!(
                "Attached to [registry] {host}/graph/app@{}\n",
                children[1].digest
            )),
            "{out}"
        );

        // The referrers API serves it: no tag-schema index was written.
        assert!(
            fake.tags("graph/app")
                .iter()
                .all(|t| !t.starts_with("sha256-")),
            "{:?}",
            fake.tags("graph/app")
        );
        fake.clear_requests();
        let found = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--platform",
                    "linux/arm64",
                    "--format",
                    "json",
                    &reference,
                ])
                .await,
        );
        assert_eq!(found["digest"], children[1].digest.to_string().as_str());
        assert_eq!(found["referrers"][0]["artifactType"], "sbom/example");
        assert!(
            fake.requests()
                .iter()
                .any(|r| r.path_only().starts_with("/v2/graph/app/referrers/")),
            "discover did not use the referrers API"
        );

        // --distribution-spec v1.1-referrers-tag writes the tag schema
        // even though the registry has the API.
        home.ok(&[
            "attach",
            "--plain-http",
            "--artifact-type",
            "sig/example",
            "--distribution-spec",
            "v1.1-referrers-tag",
            "-a",
            "k=v",
            &format!("{host}/graph/app@{}", children[0].digest),
        ])
        .await;
        let schema_tag = format!("sha256-{}", children[0].digest.encoded());
        assert!(
            fake.tags("graph/app").contains(&schema_tag),
            "{:?}",
            fake.tags("graph/app")
        );
        let through_tags = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--distribution-spec",
                    "v1.1-referrers-tag",
                    "--format",
                    "json",
                    &format!("{host}/graph/app@{}", children[0].digest),
                ])
                .await,
        );
        assert_eq!(through_tags["referrers"][0]["artifactType"], "sig/example");
        assert_eq!(through_tags["referrers"][0]["annotations"]["k"], "v");

        // The index itself has no referrer.
        let index_json = json(
            &home
                .ok(&["discover", "--plain-http", "--format", "json", &reference])
                .await,
        );
        assert_eq!(index_json["referrers"], serde_json::json!([]));

        // --config and --platform cannot be used together.
        let err = home
            .fails(&[
                "attach",
                "--plain-http",
                "--artifact-type",
                "a/b",
                "--platform",
                "linux/amd64",
                "--config",
                "sbom.json",
                &reference,
                "sbom.json",
            ])
            .await;
        assert!(err.contains("cannot be used at the same time"), "{err}");
    })
    .await;
    fake.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_and_discover_in_an_oci_layout() {
    bounded(async {
        let home = Home::new();
        let layout = home.path("layout");
        let store = oras_store_oci::Store::open(&layout).await.unwrap();
        let subject = artifact(&store, "base").await;
        tag(&store, &subject, "v1").await;
        // A referrer already there, pushed through the store.
        let existing = referrer(&store, &subject, "vuln/example", "scan").await;
        drop(store);
        std::fs::write(home.path("sig.txt"), b"signature").unwrap();

        let out = home
            .ok(&[
                "attach",
                "--oci-layout",
                "--artifact-type",
                "sig/example",
                "layout:v1",
                "sig.txt",
            ])
            .await;
        assert!(
            out.contains(&format!(
                "Attached to [oci-layout] layout@{}",
                subject.digest
            )),
            "{out}"
        );
        let sig = digest_line(&out);

        let found = json(
            &home
                .ok(&["discover", "--oci-layout", "--format", "json", "layout:v1"])
                .await,
        );
        let mut types: Vec<(String, String)> = found["referrers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["artifactType"].as_str().unwrap().to_owned(),
                    r["digest"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        types.sort();
        assert_eq!(
            types,
            [
                ("sig/example".to_owned(), sig.clone()),
                ("vuln/example".to_owned(), existing.digest.to_string())
            ]
        );
        assert_eq!(
            found["reference"],
            format!("layout@{}", subject.digest).as_str()
        );

        // An annotation file (manifest, config and per-file keys) and a
        // config file with its own media type.
        std::fs::write(
            home.path("annotations.json"),
            br#"{"$manifest":{"m":"1"},"$config":{"c":"2"},"sig.txt":{"f":"3"}}"#,
        )
        .unwrap();
        std::fs::write(home.path("config.json"), br#"{"signed":true}"#).unwrap();
        home.ok(&[
            "attach",
            "--oci-layout",
            "--artifact-type",
            "sig/detailed",
            "--annotation-file",
            "annotations.json",
            "--config",
            "config.json:application/vnd.test.config+json",
            "--export-manifest",
            "detailed.json",
            "layout:v1",
            "sig.txt",
        ])
        .await;
        let detailed: Manifest =
            serde_json::from_slice(&std::fs::read(home.path("detailed.json")).unwrap()).unwrap();
        assert_eq!(detailed.annotations["m"], "1");
        assert!(
            detailed
                .annotations
                .contains_key("org.opencontainers.image.created")
        );
        assert_eq!(
            detailed.config.media_type,
            "application/vnd.test.config+json"
        );
        assert_eq!(
            detailed.config.annotations,
            std::collections::BTreeMap::from([("c".to_owned(), "2".to_owned())])
        );
        assert_eq!(detailed.layers[0].annotations["f"], "3");
        assert_eq!(detailed.layers[0].title(), Some("sig.txt"));
        assert_eq!(detailed.subject.as_ref().unwrap().digest, subject.digest);

        // The tree names the layout path, and the annotations of the scan.
        let tree = home.ok(&["discover", "--oci-layout", "layout:v1"]).await;
        assert!(
            tree.starts_with(&format!("layout@{}\n", subject.digest)),
            "{tree}"
        );
        assert!(tree.contains("note: scan"), "{tree}");

        // Filtered by artifact type, and read from a tar of the layout.
        let tar_path = home.path("layout.tar");
        let mut file = std::fs::File::create(&tar_path).unwrap();
        let mut builder = tar::Builder::new(&mut file);
        builder.append_dir_all(".", &layout).unwrap();
        builder.finish().unwrap();
        drop(builder);
        let found = json(
            &home
                .ok(&[
                    "discover",
                    "--oci-layout",
                    "--format",
                    "json",
                    "--artifact-type",
                    "vuln/example",
                    "layout.tar:v1",
                ])
                .await,
        );
        assert_eq!(found["referrers"].as_array().unwrap().len(), 1);
        assert_eq!(
            found["referrers"][0]["digest"],
            existing.digest.to_string().as_str()
        );
    })
    .await;
}
