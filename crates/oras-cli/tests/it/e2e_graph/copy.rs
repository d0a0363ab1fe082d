//! `oras cp`: registry to registry (tags, `-r` with the referrers of an
//! index and of its children, mounts), to and from OCI layouts, and
//! `--platform`.

use http::Method;
use oras_content::{ReadOnlyStorage, Resolver};
use oras_testkit::fake::{FakeConfig, FakeRegistry, Fault};
use oras_testkit::real::{Mode, start_for_test_async};

use crate::e2e_graph::fixtures::{Home, artifact, bounded, index, json, referrer, repo, tag};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recursive_copy_with_index_children_referrers_and_mounts() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let src = repo(&host, "cp/src");
        let (idx, children) = index(&src, &[("linux", "amd64"), ("linux", "arm64")]).await;
        tag(&src, &idx, "v1").await;
        // A referrer of a child only: the index itself has none (oras#1728).
        let child_sig = referrer(&src, &children[0], "sig/example", "amd64").await;
        let nested = referrer(&src, &child_sig, "sbom/example", "nested").await;

        let home = Home::new();
        let out = home
            .ok(&[
                "cp",
                "-r",
                "--from-plain-http",
                "--to-plain-http",
                &format!("{host}/cp/src:v1"),
                &format!("{host}/cp/dst:t1,t2"),
            ])
            .await;
        assert!(
            out.contains(&format!(
                "Copied [registry] {host}/cp/src:v1 => [registry] {host}/cp/dst:t1\n"
            )),
            "{out}"
        );
        assert!(out.contains("Tagged t2\n"), "{out}");
        assert!(out.ends_with(&format!("Digest: {}\n", idx.digest)), "{out}");
        // Same registry, same (no) credentials: blobs are mounted.
        assert!(out.contains("Mounted "), "{out}");
        assert!(out.contains("Copied "), "{out}");

        let dst = repo(&host, "cp/dst");
        for t in ["t1", "t2"] {
            assert_eq!(dst.resolve(t).await.unwrap().digest, idx.digest);
        }
        for desc in [&children[0], &children[1], &child_sig, &nested] {
            assert!(dst.exists(desc).await.unwrap(), "{} missing", desc.digest);
        }
        // The referrers are discoverable at the destination.
        let found = json(
            &home
                .ok(&[
                    "discover",
                    "--plain-http",
                    "--format",
                    "json",
                    &format!("{host}/cp/dst@{}", children[0].digest),
                ])
                .await,
        );
        assert_eq!(
            found["referrers"][0]["digest"],
            child_sig.digest.to_string().as_str()
        );
        assert_eq!(
            found["referrers"][0]["referrers"][0]["digest"],
            nested.digest.to_string().as_str()
        );

        // Copying again finds the root there: it is pushed again by
        // reference and reported by no status line at all (the differential
        // scenario `e2e-cp-again-root-exists` holds the Go CLI's output).
        let again = home
            .ok(&[
                "cp",
                "--from-plain-http",
                "--to-plain-http",
                &format!("{host}/cp/src:v1"),
                &format!("{host}/cp/dst:t1"),
            ])
            .await;
        assert!(!again.contains("Exists "), "{again}");
        assert!(again.contains("Copied [registry] "), "{again}");

        // --platform by digest: the summary names the manifest copied.
        let out = home
            .ok(&[
                "cp",
                "--from-plain-http",
                "--to-plain-http",
                "--platform",
                "linux/arm64",
                &format!("{host}/cp/src@{}", idx.digest),
                &format!("{host}/cp/arm:v1"),
            ])
            .await;
        assert!(
            out.contains(&format!(
                "Copied [registry] {host}/cp/src@{} => [registry] {host}/cp/arm:v1\n",
                children[1].digest
            )),
            "{out}"
        );
        assert!(
            out.ends_with(&format!("Digest: {}\n", children[1].digest)),
            "{out}"
        );
        let arm = repo(&host, "cp/arm");
        assert_eq!(arm.resolve("v1").await.unwrap().digest, children[1].digest);
        assert!(!arm.exists(&idx).await.unwrap());

        // Without a destination tag the graph is copied untagged.
        let out = home
            .ok(&[
                "cp",
                "--from-plain-http",
                "--to-plain-http",
                &format!("{host}/cp/src:v1"),
                &format!("{host}/cp/untagged"),
            ])
            .await;
        assert!(out.ends_with(&format!("Digest: {}\n", idx.digest)), "{out}");
        assert!(repo(&host, "cp/untagged").exists(&idx).await.unwrap());

        // A missing source tag names the source.
        let err = home
            .fails(&[
                "cp",
                "--from-plain-http",
                "--to-plain-http",
                &format!("{host}/cp/src:nope"),
                &format!("{host}/cp/dst:x"),
            ])
            .await;
        assert!(err.starts_with("Error"), "{err}");
        assert!(err.contains("nope") || err.contains("not found"), "{err}");
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_to_and_from_oci_layouts() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let src = repo(&host, "layouts/src");
        let subject = artifact(&src, "payload").await;
        tag(&src, &subject, "v1").await;
        let sig = referrer(&src, &subject, "sig/example", "signed").await;
        let home = Home::new();

        // registry → layout, with the referrer.
        let out = home
            .ok(&[
                "cp",
                "-r",
                "--from-plain-http",
                &format!("{host}/layouts/src:v1"),
                "--to-oci-layout",
                "out:v1",
            ])
            .await;
        assert!(
            out.contains(&format!(
                "Copied [registry] {host}/layouts/src:v1 => [oci-layout] out:v1\n"
            )),
            "{out}"
        );
        let layout = oras_store_oci::Store::open(home.path("out")).await.unwrap();
        assert_eq!(layout.resolve("v1").await.unwrap().digest, subject.digest);
        assert!(layout.exists(&sig).await.unwrap());
        drop(layout);

        // layout → layout, two tags.
        let out = home
            .ok(&[
                "cp",
                "--from-oci-layout",
                "out:v1",
                "--to-oci-layout",
                "copy:a,b",
            ])
            .await;
        assert!(
            out.contains("Copied [oci-layout] out:v1 => [oci-layout] copy:a\n"),
            "{out}"
        );
        let copy = oras_store_oci::ReadOnlyStore::open(home.path("copy"))
            .await
            .unwrap();
        assert_eq!(copy.resolve("a").await.unwrap().digest, subject.digest);
        assert_eq!(copy.resolve("b").await.unwrap().digest, subject.digest);

        // layout → registry, with the referrer, through the tag schema.
        let out = home
            .ok(&[
                "cp",
                "-r",
                "--from-oci-layout",
                "out:v1",
                "--to-plain-http",
                &format!("{host}/layouts/back:v2"),
            ])
            .await;
        assert!(
            out.contains(&format!(
                "Copied [oci-layout] out:v1 => [registry] {host}/layouts/back:v2\n"
            )),
            "{out}"
        );
        let back = repo(&host, "layouts/back");
        assert_eq!(back.resolve("v2").await.unwrap().digest, subject.digest);
        assert!(back.exists(&sig).await.unwrap());
        let listed = oras_content::ReferrerLister::referrers(&back, &subject, None)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].digest, sig.digest);

        // A layout source that does not exist is an error, not a new layout.
        let err = home
            .fails(&[
                "cp",
                "--from-oci-layout",
                "absent:v1",
                "--to-oci-layout",
                "x:v1",
            ])
            .await;
        assert!(err.starts_with("Error: "), "{err}");
        assert!(!home.path("absent").exists());
    })
    .await;
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mounts_on_the_fake_and_not_with_different_credentials() {
    // The first upload request to `m/refused` (a mount, as blobs are
    // mounted before they are uploaded) is refused with 403.
    let fake = FakeRegistry::start(FakeConfig::with_faults(vec![
        Fault::status(Method::POST, "/v2/m/refused/blobs/uploads/", 403).times(1),
    ]))
    .await;
    bounded(async {
        let host = fake.host();
        let src = repo(&host, "m/src");
        let subject = artifact(&src, "mounted").await;
        tag(&src, &subject, "v1").await;
        let home = Home::new();

        fake.clear_requests();
        let out = home
            .ok(&[
                "cp",
                "--from-plain-http",
                "--to-plain-http",
                &format!("{host}/m/src:v1"),
                &format!("{host}/m/dst:v1"),
            ])
            .await;
        assert!(out.contains("Mounted "), "{out}");
        let mounts = fake
            .requests()
            .iter()
            .filter(|r| {
                r.path.contains("mount=")
                    && (r.path.contains("from=m%2Fsrc") || r.path.contains("from=m/src"))
            })
            .count();
        assert!(mounts >= 1, "no mount request");

        // Different credentials on each side: no mount is attempted.
        fake.clear_requests();
        home.ok(&[
            "cp",
            "--from-plain-http",
            "--to-plain-http",
            "--to-username",
            "someone",
            "--to-password",
            "secret",
            &format!("{host}/m/src:v1"),
            &format!("{host}/m/other:v1"),
        ])
        .await;
        assert!(
            fake.requests().iter().all(|r| !r.path.contains("mount=")),
            "mounted across credentials"
        );
        assert_eq!(
            repo(&host, "m/other").resolve("v1").await.unwrap().digest,
            subject.digest
        );

        // A refused mount falls back to a plain copy (oras#1924).
        fake.clear_requests();
        let out = home
            .ok(&[
                "cp",
                "--concurrency",
                "1",
                "--from-plain-http",
                "--to-plain-http",
                &format!("{host}/m/src:v1"),
                &format!("{host}/m/refused:v1"),
            ])
            .await;
        let refused = fake
            .requests()
            .iter()
            .filter(|r| r.status == 403 && r.path.contains("mount="))
            .count();
        assert_eq!(refused, 1, "{out}");
        assert!(out.contains("Mounted "), "{out}");
        assert_eq!(
            repo(&host, "m/refused").resolve("v1").await.unwrap().digest,
            subject.digest
        );
    })
    .await;
    fake.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_refills_a_partially_populated_destination() {
    let fake = FakeRegistry::start(FakeConfig::default()).await;
    bounded(async {
        let host = fake.host();
        let src = repo(&host, "f/src");
        let subject = artifact(&src, "forced").await;
        tag(&src, &subject, "v1").await;
        let home = Home::new();
        let args = |extra: &'static [&'static str]| {
            let mut all = vec!["cp", "--from-plain-http", "--to-plain-http"];
            all.extend_from_slice(extra);
            all
        };
        let from = format!("{host}/f/src:v1");
        let to = format!("{host}/f/cache:v1");
        let mut first = args(&[]);
        first.extend([from.as_str(), to.as_str()]);
        home.ok(&first).await;

        // A cache that lost a layer under an existing manifest.
        let cache = repo(&host, "f/cache");
        let layer = {
            let bytes = oras_content::fetch_all(&src, &subject, 1 << 20)
                .await
                .unwrap();
            let manifest: oras_spec::Manifest = serde_json::from_slice(&bytes).unwrap();
            manifest.layers[0].clone()
        };
        oras_content::Deleter::delete(&cache, &layer).await.unwrap();
        assert!(!cache.exists(&layer).await.unwrap());

        // Without --force the existing manifest hides the hole; the
        // registry refuses to tag a manifest whose layer is missing, and
        // copy heals: it pushes the missing layer and tags again (oras-go
        // v3's self-heal; the Go oras 1.3.6 CLI fails here, see
        // COMPATIBILITY.md).
        home.ok(&first).await;
        assert!(cache.exists(&layer).await.unwrap());
        oras_content::Deleter::delete(&cache, &layer).await.unwrap();
        assert!(!cache.exists(&layer).await.unwrap());

        // --force walks below existing manifests and refills it.
        let mut forced = args(&["--force"]);
        forced.extend([from.as_str(), to.as_str()]);
        home.ok(&forced).await;
        assert!(cache.exists(&layer).await.unwrap());
    })
    .await;
    fake.stop();
}
