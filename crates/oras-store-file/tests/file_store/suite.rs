//! The shared trait-level suite, run against the file store.

use crate::common::{Fixture, bounded};

#[tokio::test]
async fn file_store_passes_the_suite() {
    let fixture = Fixture::new();
    bounded(oras_content::test_suite::run_all(&fixture.store)).await;
    // Titled blobs of the suite are files; nothing else was left behind.
    assert_eq!(
        std::fs::read(fixture.path("suite-hello.txt")).unwrap(),
        b"hello suite"
    );
    assert_eq!(
        std::fs::read(fixture.path("suite-a.txt")).unwrap(),
        b"layer a"
    );
    assert!(!fixture.path("suite-wrong.txt").exists());
    assert!(!fixture.path("suite-short.txt").exists());
    assert!(!fixture.path("suite-long.txt").exists());
    assert!(fixture.leftovers().is_empty(), "{:?}", fixture.leftovers());
}
