//! The examples that need no registry: pack-manifest, pack-files,
//! copy-error and verify-reader. Their outputs are oras-go's documented
//! outputs, so they are checked exactly.

use crate::support::{Example, TEST_LIMIT};

const PACK_MANIFEST: &str = env!("CARGO_BIN_EXE_pack-manifest");
const PACK_FILES: &str = env!("CARGO_BIN_EXE_pack-files");
const COPY_ERROR: &str = env!("CARGO_BIN_EXE_copy-error");
const VERIFY_READER: &str = env!("CARGO_BIN_EXE_verify-reader");

#[tokio::test]
async fn pack_manifest_prints_oras_go_documented_manifests() {
    let stdout = tokio::time::timeout(TEST_LIMIT, Example::new(PACK_MANIFEST).succeeds())
        .await
        .expect("timed out");
    let v11 = r#"Manifest content: {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example+type","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="}],"annotations":{"org.opencontainers.image.created":"2000-01-01T00:00:00Z"}}"#;
    let v10 = r#"Manifest content: {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.example+type","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"annotations":{"org.opencontainers.image.created":"2000-01-01T00:00:00Z"}}"#;
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    assert_eq!(lines[0], "image-spec v1.1:");
    assert!(
        lines[1].contains(r#""digest":"sha256:c259a195a48d8029d75449579c81269ca6225cd5b57d36073a7de6458afdfdbd","size":528"#),
        "{stdout}"
    );
    assert_eq!(lines[2], v11);
    assert_eq!(lines[3], "image-spec v1.0:");
    assert!(
        lines[4].contains(r#""digest":"sha256:da221a11559704e4971c3dcf6564303707a333c8de8cb5475fc48b0072b36c19","size":308"#),
        "{stdout}"
    );
    assert_eq!(lines[5], v10);
}

#[tokio::test]
async fn pack_files_describes_files_in_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("foo.txt"), b"foo").unwrap();
    std::fs::write(dir.path().join("bar.txt"), b"bar").unwrap();
    let run = Example::new(PACK_FILES)
        .arg("--dir")
        .arg(dir.path())
        .args(["foo.txt", "bar.txt"])
        .succeeds();
    let stdout = tokio::time::timeout(TEST_LIMIT, run)
        .await
        .expect("timed out");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        r#"file descriptor for foo.txt: {"mediaType":"example/file","digest":"sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae","size":3,"annotations":{"org.opencontainers.image.title":"foo.txt"}}"#
    );
    assert_eq!(
        lines[1],
        r#"file descriptor for bar.txt: {"mediaType":"example/file","digest":"sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9","size":3,"annotations":{"org.opencontainers.image.title":"bar.txt"}}"#
    );
    assert_eq!(
        lines[2],
        "manifest media type: application/vnd.oci.image.manifest.v1+json"
    );
    assert!(
        lines[3].contains(r#""artifactType":"example/test""#),
        "{stdout}"
    );
    // The files were only read: nothing else appeared in the directory.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[tokio::test]
async fn copy_error_names_the_step_and_the_side() {
    let stdout = tokio::time::timeout(TEST_LIMIT, Example::new(COPY_ERROR).succeeds())
        .await
        .expect("timed out");
    assert_eq!(
        stdout,
        "origin: source\n\
         op: Resolve\n\
         source: non-existent-reference: not found\n\
         kind: NotFound\n\
         error: failed to perform \"Resolve\" on source: non-existent-reference: not found\n"
    );
}

#[tokio::test]
async fn verify_reader_passes_content_and_refuses_tampered_bytes() {
    let stdout = tokio::time::timeout(TEST_LIMIT, Example::new(VERIFY_READER).succeeds())
        .await
        .expect("timed out");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "hello world");
    assert!(
        lines[1].starts_with("tampered content refused: ")
            && lines[1].contains(
                "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
            ),
        "{stdout}"
    );
}
