//! The `repository` example's subcommands (the `registry/remote` examples)
//! and the `login` example.

use oras_content::{ReadOnlyStorage, ReferrerLister, Resolver, fetch_all};
use oras_spec::{Descriptor, Manifest, media_type};
use oras_testkit::real::{Mode, start_for_test_async};

use crate::support::{Example, TEST_LIMIT, repository, word_after};

const REPOSITORY: &str = env!("CARGO_BIN_EXE_repository");
const LOGIN: &str = env!("CARGO_BIN_EXE_login");
const PULL_WITH_DOCKER_CREDENTIALS: &str = env!("CARGO_BIN_EXE_pull-with-docker-credentials");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repository_examples_push_resolve_fetch_tag_and_list() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    tokio::time::timeout(TEST_LIMIT, async {
        let host = registry.host();
        let run = |args: Vec<String>| Example::new(REPOSITORY).connect(&registry).args(args);
        let repo = repository(&registry, "examples/repo");

        // push-and-tag: layer, config and manifest, tagged `latest`.
        let stdout = run(vec!["push-and-tag".into(), format!("{host}/examples/repo")])
            .succeeds()
            .await;
        let root = repo.resolve("latest").await.unwrap();
        assert_eq!(word_after(&stdout, "pushed "), root.digest.to_string());
        let content = fetch_all(&repo, &root, 1 << 20).await.unwrap();
        let manifest: Manifest = serde_json::from_slice(&content).unwrap();
        assert_eq!(
            fetch_all(&repo, &manifest.layers[0], 64).await.unwrap(),
            b"Hello layer"
        );
        assert_eq!(
            fetch_all(&repo, &manifest.config, 64).await.unwrap(),
            b"Hello config"
        );
        let by_tag = format!("{host}/examples/repo:latest");
        let by_digest = format!("{host}/examples/repo@{}", root.digest);

        // resolve: media type, digest and size, by tag and by digest.
        let expected = format!(
            "{}\n{}\n{}\n",
            media_type::IMAGE_MANIFEST,
            root.digest,
            root.size
        );
        for reference in [&by_tag, &by_digest] {
            let stdout = run(vec!["resolve".into(), reference.clone()])
                .succeeds()
                .await;
            assert_eq!(stdout, expected);
        }

        // fetch-manifest, fetch-reference and pull print the manifest.
        let text = String::from_utf8(content.clone()).unwrap();
        for (example, reference) in [
            ("fetch-manifest", &by_tag),
            ("fetch-manifest", &by_digest),
            ("fetch-reference", &by_tag),
            ("fetch-reference", &by_digest),
        ] {
            let stdout = run(vec![example.into(), reference.clone()])
                .succeeds()
                .await;
            assert_eq!(stdout, format!("{text}\n"), "{example} {reference}");
        }
        let stdout = run(vec!["pull".into(), by_tag.clone()]).succeeds().await;
        assert_eq!(stdout, format!("{}\n{}\n{text}\n", root.digest, root.size));

        // fetch-manifest-layers: the manifest, then the layer's content.
        let stdout = run(vec!["fetch-manifest-layers".into(), by_digest.clone()])
            .succeeds()
            .await;
        assert_eq!(stdout, format!("{text}\nHello layer\n"));

        // tag and tag-reference add tags to the same manifest.
        let stdout = run(vec!["tag".into(), by_digest.clone(), "stable".into()])
            .succeeds()
            .await;
        assert_eq!(stdout, format!("Tagged {} as stable\n", root.digest));
        let stdout = run(vec!["tag-reference".into(), by_tag.clone(), "v1.0".into()])
            .succeeds()
            .await;
        assert_eq!(stdout, format!("Tagged {} as v1.0\n", root.digest));
        for tag in ["stable", "v1.0"] {
            assert_eq!(repo.resolve(tag).await.unwrap().digest, root.digest);
        }
        let stdout = run(vec!["list-tags".into(), format!("{host}/examples/repo")])
            .succeeds()
            .await;
        let mut tags: Vec<&str> = stdout.lines().collect();
        tags.sort();
        assert_eq!(tags, ["latest", "stable", "v1.0"]);

        // push-blob: the blob is in the repository.
        let stdout = run(vec![
            "push-blob".into(),
            format!("{host}/examples/repo"),
            "--content".into(),
            "just a blob".into(),
        ])
        .succeeds()
        .await;
        let blob = Descriptor::from_bytes(media_type::IMAGE_LAYER, b"just a blob");
        assert_eq!(word_after(&stdout, "pushed "), blob.digest.to_string());
        assert!(repo.exists(&blob).await.unwrap());

        // push-referrer-manifest, then referrers lists and prints it.
        let stdout = run(vec![
            "push-referrer-manifest".into(),
            format!("{host}/examples/referrers"),
        ])
        .succeeds()
        .await;
        let subject_digest = word_after(&stdout, "pushed manifest ");
        let referrer_digest = word_after(&stdout, "pushed referrer ");
        let referrers_repo = repository(&registry, "examples/referrers");
        let subject = referrers_repo.resolve(&subject_digest).await.unwrap();
        let listed = referrers_repo.referrers(&subject, None).await.unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].digest.to_string(), referrer_digest);
        assert_eq!(listed[0].artifact_type, "sbom/example");
        let stdout = run(vec![
            "referrers".into(),
            format!("{host}/examples/referrers@{subject_digest}"),
        ])
        .succeeds()
        .await;
        let printed: Manifest = serde_json::from_str(stdout.trim()).unwrap();
        assert_eq!(printed.artifact_type, "sbom/example");
        assert_eq!(printed.subject.unwrap().digest, subject.digest);

        // list-repositories: the catalog has both repositories.
        let stdout = run(vec!["list-repositories".into(), host.clone()])
            .succeeds()
            .await;
        let repositories: Vec<&str> = stdout.lines().collect();
        assert!(repositories.contains(&"examples/repo"), "{stdout}");
        assert!(repositories.contains(&"examples/referrers"), "{stdout}");
    })
    .await
    .expect("test timed out");
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_stores_a_checked_credential_that_pulls_use_and_logout_removes() {
    let Some(registry) = start_for_test_async(Mode::TlsBasic).await else {
        return;
    };
    tokio::time::timeout(TEST_LIMIT, async {
        let host = registry.host();
        let (user, password) = (registry.username().unwrap(), registry.password().unwrap());
        let docker_config = tempfile::tempdir().unwrap();
        let config_file = docker_config.path().join("config.json");

        // Something to pull, pushed with the library.
        let repo = repository(&registry, "examples/login");
        let root = oras_copy::pack_manifest(
            &repo,
            oras_copy::PackManifestVersion::V1_1,
            "application/vnd.example+type",
            &Default::default(),
        )
        .await
        .unwrap();
        oras_content::Tagger::tag(&repo, &root, "v1").await.unwrap();
        let reference = format!("{host}/examples/login:v1");

        // A wrong password is refused by the registry and stored nowhere.
        let stderr = Example::new(LOGIN)
            .connect(&registry)
            .env("DOCKER_CONFIG", docker_config.path())
            .args(["login", &host, "-u", user, "-p", "wrong"])
            .fails()
            .await;
        assert!(
            stderr.contains(&format!("login to {host} failed")),
            "{stderr}"
        );
        assert!(!config_file.exists());

        // The right one is checked and stored in `auths`.
        let stdout = Example::new(LOGIN)
            .connect(&registry)
            .env("DOCKER_CONFIG", docker_config.path())
            .args(["login", &host, "-u", user, "-p", password])
            .succeeds()
            .await;
        assert!(
            stdout.starts_with(&format!("Login Succeeded: {host}")),
            "{stdout}"
        );
        let saved: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&config_file).unwrap()).unwrap();
        assert!(saved["auths"][&host]["auth"].is_string(), "{saved}");

        // pull-with-docker-credentials logs in with it.
        let layout = docker_config.path().join("layout");
        let stdout = Example::new(PULL_WITH_DOCKER_CREDENTIALS)
            .connect(&registry)
            .env("DOCKER_CONFIG", docker_config.path())
            .arg(&reference)
            .arg("--oci-layout")
            .arg(&layout)
            .succeeds()
            .await;
        assert!(stdout.contains(&root.digest.to_string()), "{stdout}");

        // After logout the entry is gone and the pull is refused.
        Example::new(LOGIN)
            .env("DOCKER_CONFIG", docker_config.path())
            .args(["logout", &host])
            .succeeds()
            .await;
        let saved: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&config_file).unwrap()).unwrap();
        assert!(saved["auths"].get(&host).is_none(), "{saved}");
        Example::new(PULL_WITH_DOCKER_CREDENTIALS)
            .connect(&registry)
            .env("DOCKER_CONFIG", docker_config.path())
            .arg(&reference)
            .arg("--oci-layout")
            .arg(docker_config.path().join("refused"))
            .fails()
            .await;
    })
    .await
    .expect("test timed out");
    registry.stop().unwrap();
}
