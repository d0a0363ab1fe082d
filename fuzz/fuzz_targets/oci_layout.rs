//! OCI image layouts on disk: `index.json` and `oci-layout` from the input
//! (`<index.json>\0<oci-layout>`), opened read-write and read-only, with
//! their tags resolved. Opening never panics, and a store that opens can
//! save its index again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_content::{Resolver, TagLister};
use oras_fuzz::{runtime, split};
use oras_store_oci::{ReadOnlyStore, Store};

fuzz_target!(|data: &[u8]| {
    let (index, layout) = split(data);
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let written = std::fs::write(dir.path().join("index.json"), index)
        .and_then(|()| std::fs::write(dir.path().join("oci-layout"), layout))
        .and_then(|()| std::fs::create_dir_all(dir.path().join("blobs/sha256")));
    if written.is_err() {
        return;
    }
    runtime().block_on(async {
        if let Ok(store) = ReadOnlyStore::from_dir(dir.path()).await
            && let Ok(tags) = store.tags(None).await
        {
            for tag in tags.iter().take(16) {
                let _ = store.resolve(tag).await;
            }
        }
        if let Ok(store) = Store::open(dir.path()).await {
            let _ = store.save_index().await;
        }
    });
});
