//! Hostile titles, planted links and hostile archives: each defence
//! against the file-store advisories with a regression test named after
//! what it pins.

use std::fs;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::Path;

use oras_content::ErrorKind;
use oras_spec::annotation;
use oras_store_file::Options;

use crate::common::{
    Entry, Fixture, assert_title_traversal, assert_traversal, assert_unsafe_entry, bounded, dir,
    dir_blob, file, file_blob, hard_link, push, symlink as link_entry, walk,
};

/// Pushes a directory blob of `entries` titled `t` and expects a refusal
/// that leaves nothing behind: no `t`, no temp files, nothing outside.
async fn refused(entries: &[Entry], outside: &Path) {
    let f = Fixture::new();
    let (desc, gz) = dir_blob("t", entries);
    let err = push(&f.store, &desc, &gz).await.unwrap_err();
    // Refused whatever the options: not the refusal path traversal lifts.
    assert_unsafe_entry(&err);
    assert!(
        !f.path("t").exists(),
        "rolled back: {:?}",
        walk(f.dir.path())
    );
    assert!(f.leftovers().is_empty(), "{:?}", f.leftovers());
    assert!(
        crate::common::list(outside).is_empty(),
        "{:?}",
        walk(outside)
    );
}

#[tokio::test]
async fn titles_outside_the_working_dir_are_refused() {
    bounded(async {
        let f = Fixture::new();
        let outside = tempfile::tempdir().unwrap();
        let abs = outside.path().join("abs.txt");
        for title in ["../escape.txt", "a/../../escape.txt", abs.to_str().unwrap()] {
            let desc = file_blob(title, b"x");
            let err = push(&f.store, &desc, b"x").await.unwrap_err();
            assert_title_traversal(&err);
            let (dir_desc, gz) = dir_blob(title, &[dir(title)]);
            assert_title_traversal(&push(&f.store, &dir_desc, &gz).await.unwrap_err());
        }
        assert!(crate::common::list(outside.path()).is_empty());
        assert!(!f.dir.path().parent().unwrap().join("escape.txt").exists());

        // An absolute title inside the working dir is fine.
        let inside = f.path("inside.txt");
        let desc = file_blob(inside.to_str().unwrap(), b"x");
        push(&f.store, &desc, b"x").await.unwrap();
        assert_eq!(fs::read(inside).unwrap(), b"x");
    })
    .await;
}

#[tokio::test]
async fn path_traversal_is_allowed_when_asked() {
    bounded(async {
        let f = Fixture::with(Options {
            allow_path_traversal_on_write: true,
            ..Options::default()
        });
        let outside = tempfile::tempdir().unwrap();
        let abs = outside.path().join("abs.txt");
        push(&f.store, &file_blob(abs.to_str().unwrap(), b"x"), b"x")
            .await
            .unwrap();
        assert_eq!(fs::read(&abs).unwrap(), b"x");
        let rel = format!(
            "../{}/rel.txt",
            outside.path().file_name().unwrap().to_str().unwrap()
        );
        // The working dir and the outside dir are siblings in the temp dir.
        if f.dir.path().parent() == outside.path().parent() {
            push(&f.store, &file_blob(&rel, b"y"), b"y").await.unwrap();
            assert_eq!(fs::read(outside.path().join("rel.txt")).unwrap(), b"y");
        }
    })
    .await;
}

/// GHSA-8xwf-rjm4-xvhv: a symlinked directory under the working dir
/// must not redirect writes outside it.
#[tokio::test]
async fn ghsa_8xwf_symlinked_dir_does_not_redirect_writes() {
    bounded(async {
        let f = Fixture::new();
        let outside = tempfile::tempdir().unwrap();
        symlink(outside.path(), f.path("out")).unwrap();
        let desc = file_blob("out/file.txt", b"x");
        assert_traversal(&push(&f.store, &desc, b"x").await.unwrap_err());
        let (dir_desc, gz) = dir_blob("out/tree", &[dir("out/tree"), file("out/tree/a", b"a")]);
        assert_traversal(&push(&f.store, &dir_desc, &gz).await.unwrap_err());
        // A planted chain of links, and a dangling one, are refused too.
        symlink(f.path("out"), f.path("hop")).unwrap();
        assert_traversal(
            &push(&f.store, &file_blob("hop/file.txt", b"x"), b"x")
                .await
                .unwrap_err(),
        );
        symlink(outside.path().join("missing"), f.path("dangling")).unwrap();
        assert_traversal(
            &push(&f.store, &file_blob("dangling/file.txt", b"x"), b"x")
                .await
                .unwrap_err(),
        );
        assert!(crate::common::list(outside.path()).is_empty());
        // A link that stays inside is fine.
        fs::create_dir(f.path("real")).unwrap();
        symlink("real", f.path("alias")).unwrap();
        push(&f.store, &file_blob("alias/ok.txt", b"ok"), b"ok")
            .await
            .unwrap();
        assert_eq!(fs::read(f.path("real/ok.txt")).unwrap(), b"ok");
    })
    .await;
}

/// A directory title that is itself a planted link to the outside is
/// not unpacked through.
#[tokio::test]
async fn a_planted_link_as_the_directory_title_is_refused() {
    bounded(async {
        let f = Fixture::new();
        let outside = tempfile::tempdir().unwrap();
        symlink(outside.path(), f.path("t")).unwrap();
        let (desc, gz) = dir_blob("t", &[dir("t"), file("t/a", b"a")]);
        assert_traversal(&push(&f.store, &desc, &gz).await.unwrap_err());
        assert!(crate::common::list(outside.path()).is_empty());
    })
    .await;
}

/// A planted terminal link is replaced by the file, never written through.
#[tokio::test]
async fn ghsa_m37j_terminal_links_are_replaced_not_followed() {
    bounded(async {
        let f = Fixture::new();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        fs::write(&victim, b"precious").unwrap();

        symlink(&victim, f.path("file.txt")).unwrap();
        push(&f.store, &file_blob("file.txt", b"x"), b"x")
            .await
            .unwrap();
        assert!(
            !fs::symlink_metadata(f.path("file.txt"))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(fs::read(f.path("file.txt")).unwrap(), b"x");

        // The same inside an unpacked directory: a link planted before
        // the pull, and a link made by an earlier entry of the archive.
        fs::create_dir(f.path("t")).unwrap();
        symlink(&victim, f.path("t/planted")).unwrap();
        let (desc, gz) = dir_blob(
            "t",
            &[
                dir("t"),
                file("t/planted", b"y"),
                link_entry("t/made", "planted"),
                file("t/made", b"z"),
            ],
        );
        push(&f.store, &desc, &gz).await.unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert_eq!(fs::read(f.path("t/planted")).unwrap(), b"y");
        assert_eq!(fs::read(f.path("t/made")).unwrap(), b"z");
        assert!(!fs::symlink_metadata(f.path("t/made")).unwrap().is_symlink());
    })
    .await;
}

/// GHSA-m37j-52j7-pjw7: a chain of links made by the archive must not
/// become a way out, lexically or through their real paths.
#[tokio::test]
async fn ghsa_m37j_symlink_chains_are_refused() {
    bounded(async {
        let outside = tempfile::tempdir().unwrap();
        // Writing through a link made earlier in the archive.
        refused(
            &[dir("t"), link_entry("t/sub", "."), file("t/sub/x", b"x")],
            outside.path(),
        )
        .await;
        // A link whose text stays inside only if its hop is not followed.
        refused(
            &[
                dir("t"),
                link_entry("t/hop", "."),
                link_entry("t/out", "hop/../escaped"),
            ],
            outside.path(),
        )
        .await;
        // A link made before its hop exists, checked again at the end.
        refused(
            &[
                dir("t"),
                link_entry("t/out", "hop/../escaped"),
                link_entry("t/hop", "."),
            ],
            outside.path(),
        )
        .await;
    })
    .await;
}

/// GHSA-g5v4-5x39-vwhx / CVE-2021-21272 ("zip slip"): entries, symbolic
/// links and hard links that point outside the output are refused.
#[tokio::test]
async fn ghsa_g5v4_zip_slip_is_refused() {
    bounded(async {
        let outside = tempfile::tempdir().unwrap();
        let out = outside.path().to_str().unwrap().to_owned();
        let cases: Vec<Vec<Entry>> = vec![
            vec![dir("t"), file("t/../../escaped", b"x")],
            vec![dir("t"), file("other/escaped", b"x")],
            vec![dir("t"), file("tx/escaped", b"x")],
            vec![dir("t"), file(&format!("{out}/escaped"), b"x")],
            vec![dir("t"), link_entry("t/l", "../../")],
            vec![dir("t"), link_entry("t/l", &out)],
            vec![dir("t"), link_entry("t/l", "../escaped"), file("t/l", b"x")],
            vec![dir("t"), hard_link("t/h", &format!("{out}/victim"))],
            vec![dir("t"), hard_link("t/h", "../../victim")],
            vec![
                dir("t"),
                file("t/ok", b"ok"),
                link_entry("t/l", "/etc/passwd"),
            ],
        ];
        for entries in &cases {
            refused(entries, outside.path()).await;
        }
    })
    .await;
}

/// GHSA-fxhp-mv3v-67qp: a relative hard-link target is taken from the
/// link's directory, not from the process's current directory.
#[tokio::test]
async fn ghsa_fxhp_hard_links_resolve_against_their_directory() {
    bounded(async {
        let f = Fixture::new();
        let (desc, gz) = dir_blob(
            "t",
            &[
                dir("t"),
                file("t/f", b"shared"),
                dir("t/sub"),
                hard_link("t/sub/h", "../f"),
            ],
        );
        push(&f.store, &desc, &gz).await.unwrap();
        let a = fs::metadata(f.path("t/f")).unwrap();
        let b = fs::metadata(f.path("t/sub/h")).unwrap();
        assert_eq!((a.dev(), a.ino()), (b.dev(), b.ino()), "one inode");

        // Taken from the link's directory, "../../f" leaves "t", wherever
        // the process's current directory is.
        let outside = tempfile::tempdir().unwrap();
        refused(
            &[
                dir("t"),
                file("t/f", b"x"),
                dir("t/sub"),
                hard_link("t/sub/h", "../../f"),
            ],
            outside.path(),
        )
        .await;
        // A hard link to a directory or to nothing is refused.
        let g = Fixture::new();
        let (desc, gz) = dir_blob("t", &[dir("t"), dir("t/d"), hard_link("t/h", "d")]);
        let err = push(&g.store, &desc, &gz).await.unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(!g.path("t").exists());
    })
    .await;
}

#[tokio::test]
async fn a_failed_unpack_is_rolled_back() {
    bounded(async {
        let f = Fixture::new();
        fs::create_dir(f.path("t")).unwrap();
        fs::write(f.path("t/existing"), b"kept").unwrap();
        let (desc, gz) = dir_blob(
            "t",
            &[
                dir("t"),
                dir("t/new"),
                file("t/new/a", b"a"),
                file("t/b", b"b"),
                file("t/../escaped", b"x"),
            ],
        );
        let err = push(&f.store, &desc, &gz).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PathTraversal);
        assert_eq!(walk(&f.path("t")), vec![f.path("t/existing")]);
        assert_eq!(fs::read(f.path("t/existing")).unwrap(), b"kept");
        assert!(f.leftovers().is_empty());
        // The name is still free for a good push.
        let (good, gz) = dir_blob("t", &[dir("t"), file("t/b", b"b")]);
        push(&f.store, &good, &gz).await.unwrap();
        assert_eq!(fs::read(f.path("t/b")).unwrap(), b"b");
        assert_eq!(good.annotations[annotation::CONTENT_UNPACK], "true");
    })
    .await;
}
