//! `oras backup` to a directory and to a tar archive, `oras restore` into
//! another repository, and `--dry-run`.

use oras_content::{ErrorKind, ReadOnlyStorage, ReferrerLister, Resolver, TagLister};
use oras_testkit::real::{Mode, start_for_test_async};

use crate::e2e_graph::fixtures::{
    Home, artifact, bounded, index, layout_blobs, referrer, repo, tag,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_then_restore_keeps_every_digest() {
    let Some(registry) = start_for_test_async(Mode::Plain).await else {
        return;
    };
    bounded(async {
        let host = registry.host();
        let src = repo(&host, "br/src");
        let one = artifact(&src, "one").await;
        tag(&src, &one, "v1").await;
        let sig = referrer(&src, &one, "sig/example", "signed").await;
        let (idx, children) = index(&src, &[("linux", "amd64"), ("linux", "arm64")]).await;
        tag(&src, &idx, "v2").await;
        let child_sbom = referrer(&src, &children[1], "sbom/example", "arm").await;
        let home = Home::new();
        let repository = format!("{host}/br/src");

        // One tag, with referrers, to a directory.
        let out = home
            .ok(&[
                "backup",
                "--plain-http",
                "--include-referrers",
                "-o",
                "dir",
                &format!("{repository}:v1"),
            ])
            .await;
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], format!("Found 1 tag(s) in {repository}: v1"), "{out}");
        assert!(out.contains("Pulled tag v1 with 1 referrer(s)\n"), "{out}");
        assert!(out.contains("Pulled    "), "{out}");
        assert!(
            lines
                .last()
                .unwrap()
                .starts_with(&format!("Successfully backed up 1 tag(s) from \"{repository}\" to \"dir\" in ")),
            "{out}"
        );
        let dir = home.path("dir");
        assert!(!dir.join("ingest").exists());
        let layout = oras_store_oci::ReadOnlyStore::open(&dir).await.unwrap();
        assert_eq!(layout.resolve("v1").await.unwrap().digest, one.digest);
        assert!(layout.exists(&sig).await.unwrap());
        assert_eq!(layout.tags(None).await.unwrap(), ["v1"]);

        // Every tag (none named), with referrers, to a tar archive.
        let out = home
            .ok(&[
                "backup",
                "--plain-http",
                "--include-referrers",
                "--output",
                "all.tar",
                &repository,
            ])
            .await;
        // Every tag, as the Go CLI lists them: the tag-schema referrers
        // indexes of Distribution (`sha256-<hex>`) included.
        let tags = src.tags(None).await.unwrap();
        assert_eq!(tags.len(), 4, "{tags:?}");
        assert!(
            out.starts_with(&format!("Found 4 tag(s) in {repository}: {}\n", tags.join(", "))),
            "{out}"
        );
        assert!(out.contains("Pulled tag v2 with 1 referrer(s)\n"), "{out}");
        assert!(out.contains("Exporting to all.tar\n"), "{out}");
        assert!(out.contains("Exported to all.tar ("), "{out}");
        let tar_path = home.path("all.tar");
        let mut archive = tar::Archive::new(std::fs::File::open(&tar_path).unwrap());
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with("./") && !n.starts_with('/')), "{names:?}");
        assert!(names.contains(&"oci-layout".to_owned()), "{names:?}");
        assert!(names.contains(&"index.json".to_owned()), "{names:?}");
        assert!(names.iter().all(|n| !n.starts_with("ingest")), "{names:?}");
        assert!(
            names.contains(&format!("blobs/sha256/{}", child_sbom.digest.encoded())),
            "{names:?}"
        );
        // No temp file is left next to the archive.
        let leftovers: Vec<_> = std::fs::read_dir(home.path(""))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".oras-backup-"))
            .collect();
        assert!(leftovers.is_empty());

        // Restore the archive into another repository: same digests. The
        // layout lists its tags sorted.
        let mut sorted = tags.clone();
        sorted.sort();
        let restored_name = format!("{host}/br/restored");
        let out = home
            .ok(&["restore", "--plain-http", "--input", "all.tar", &restored_name])
            .await;
        assert!(out.starts_with("Loaded backup archive: all.tar ("), "{out}");
        assert!(
            out.contains(&format!("Found 4 tag(s) in the backup: {}\n", sorted.join(", "))),
            "{out}"
        );
        assert!(out.contains("Pushed tag v1 with 1 referrer(s)\n"), "{out}");
        assert!(out.contains("Pushed tag v2 with 1 referrer(s)\n"), "{out}");
        assert!(
            out.lines()
                .last()
                .unwrap()
                .starts_with(&format!("Successfully restored 4 tag(s) to \"{restored_name}\" in ")),
            "{out}"
        );
        let restored = repo(&host, "br/restored");
        assert_eq!(restored.resolve("v1").await.unwrap().digest, one.digest);
        assert_eq!(restored.resolve("v2").await.unwrap().digest, idx.digest);
        for desc in [&sig, &children[0], &children[1], &child_sbom] {
            assert!(restored.exists(desc).await.unwrap(), "{} missing", desc.digest);
        }
        let listed = restored.referrers(&children[1], None).await.unwrap();
        assert_eq!(listed[0].digest, child_sbom.digest);

        // Restore the directory's tag without referrers.
        let out = home
            .ok(&[
                "restore",
                "--plain-http",
                "--exclude-referrers",
                "--input",
                "dir",
                &format!("{host}/br/bare:v1"),
            ])
            .await;
        assert!(out.contains("Pushed tag v1 with 0 referrer(s)\n"), "{out}");
        let bare = repo(&host, "br/bare");
        assert_eq!(bare.resolve("v1").await.unwrap().digest, one.digest);
        assert!(!bare.exists(&sig).await.unwrap());

        // A dry run pushes nothing.
        let blobs_before = layout_blobs(&dir);
        let out = home
            .ok(&["restore", "--plain-http", "--dry-run", "--input", "dir", &format!("{host}/br/dry")])
            .await;
        assert!(out.contains("Dry run: would push tag v1 with 1 referrer(s)\n"), "{out}");
        assert!(
            out.ends_with(&format!(
                "Dry run complete: 1 tag(s) would be restored to \"{host}/br/dry\" (no data pushed)\n"
            )),
            "{out}"
        );
        let err = repo(&host, "br/dry").tags(None).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        assert_eq!(layout_blobs(&dir), blobs_before);

        // A tag that is not in the backup fails.
        let err = home
            .fails(&[
                "restore",
                "--plain-http",
                "--input",
                "dir",
                &format!("{host}/br/dry:missing"),
            ])
            .await;
        assert!(err.contains("failed to resolve tag \"missing\""), "{err}");

        // A backup of an empty repository has no tags to back up.
        let err = home
            .fails(&["backup", "--plain-http", "-o", "none", &format!("{host}/br/none")])
            .await;
        assert!(err.starts_with("Error"), "{err}");
        // A tar output over an existing directory is refused.
        std::fs::create_dir(home.path("taken.tar")).unwrap();
        let err = home
            .fails(&["backup", "--plain-http", "-o", "taken.tar", &format!("{repository}:v1")])
            .await;
        assert!(err.contains("already exists and is a directory"), "{err}");
    })
    .await;
    registry.stop().unwrap();
}
