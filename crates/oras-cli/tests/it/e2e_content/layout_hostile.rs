//! A layout someone else made must not serve files from elsewhere on the
//! machine: a blob that is a symbolic link to a secret, or a blob
//! directory linked out of the layout, fails the fetch, and not a byte of
//! the linked file reaches stdout.

use crate::e2e_content::support::Env;

const SECRET: &str = "root:x:0:0:the secret outside the layout";

/// A layout `layout` holding `blob.bin` as a blob; returns its digest.
fn layout_with_blob(env: &Env) -> String {
    std::fs::write(env.path("blob.bin"), b"innocent blob").unwrap();
    std::fs::write(env.path("passwd"), SECRET).unwrap();
    let out = env.ok(&["blob", "push", "--oci-layout", "layout", "blob.bin"]);
    let digest = out
        .lines()
        .find_map(|l| l.strip_prefix("Digest: "))
        .unwrap()
        .to_owned();
    // Read back as is, before the layout is tampered with.
    let fetched = env
        .oras()
        .args(["blob", "fetch", "--oci-layout", "-o", "-"])
        .arg(format!("layout@{digest}"))
        .output()
        .unwrap();
    assert_eq!(fetched.stdout, b"innocent blob");
    digest
}

fn assert_fetch_refused(env: &Env, digest: &str, reason: &str) {
    let out = env
        .oras()
        .args(["blob", "fetch", "--oci-layout", "-o", "-"])
        .arg(format!("layout@{digest}"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(out.stdout.is_empty(), "printed: {stdout}");
    assert!(!stderr.contains("secret"), "{stderr}");
    assert!(stderr.contains(reason), "{stderr}");
}

#[cfg(unix)]
#[test]
fn blob_fetch_refuses_a_blob_linked_to_another_file() {
    let env = Env::new();
    let digest = layout_with_blob(&env);
    let hex = digest.strip_prefix("sha256:").unwrap();
    let blob = env.path(&format!("layout/blobs/sha256/{hex}"));
    std::fs::remove_file(&blob).unwrap();
    std::os::unix::fs::symlink(env.path("passwd"), &blob).unwrap();
    assert_fetch_refused(&env, &digest, "symbolic link");
}

#[cfg(unix)]
#[test]
fn blob_fetch_refuses_a_blob_directory_linked_out_of_the_layout() {
    let env = Env::new();
    let digest = layout_with_blob(&env);
    let hex = digest.strip_prefix("sha256:").unwrap();
    let outside = env.path("elsewhere");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join(hex), SECRET).unwrap();
    std::fs::remove_dir_all(env.path("layout/blobs/sha256")).unwrap();
    std::os::unix::fs::symlink(&outside, env.path("layout/blobs/sha256")).unwrap();
    assert_fetch_refused(&env, &digest, "outside the layout");
}
