//! OCI image layouts as a tar archive (`oras cp --from-oci-layout x.tar`):
//! the input is the tar, opened read-only, its tags listed and resolved
//! and what they name fetched (bounded).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_content::{Resolver, TagLister, fetch_all};
use oras_fuzz::runtime;
use oras_store_oci::ReadOnlyStore;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let path = dir.path().join("layout.tar");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    runtime().block_on(async {
        let Ok(store) = ReadOnlyStore::from_tar(&path).await else {
            return;
        };
        let Ok(tags) = store.tags(None).await else {
            return;
        };
        for tag in tags.iter().take(16) {
            if let Ok(desc) = store.resolve(tag).await {
                let _ = fetch_all(&store, &desc, 1 << 20).await;
            }
        }
    });
});
