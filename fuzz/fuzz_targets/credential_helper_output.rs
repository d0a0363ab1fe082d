//! What a `docker-credential-*` helper prints for `get`: a helper script
//! that prints the input is run by the credential store, whose answer
//! (a credential or an error) never panics.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use oras_credentials::{HelperOptions, NativeStore, Store};

/// The directory of the helper and the file it prints.
fn helper() -> &'static (tempfile::TempDir, std::path::PathBuf) {
    static HELPER: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
    HELPER.get_or_init(|| {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let output = dir.path().join("output");
        let script = dir.path().join("docker-credential-fuzz");
        // It reads its stdin (the server name) first, as a real helper does;
        // helpers run with the search path as their only `PATH`.
        let text = format!(
            "#!/bin/sh\n/bin/cat >/dev/null\nexec /bin/cat '{}'\n",
            output.display()
        );
        std::fs::write(&script, text).unwrap_or_else(|e| panic!("helper: {e}"));
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("helper mode: {e}"));
        (dir, output)
    })
}

fuzz_target!(|data: &[u8]| {
    let (dir, output) = helper();
    if std::fs::write(output, data).is_err() {
        return;
    }
    let options = HelperOptions {
        timeout: std::time::Duration::from_secs(5),
        search_path: Some(dir.path().as_os_str().to_owned()),
    };
    let store = NativeStore::with_options("fuzz", options);
    let _ = oras_fuzz::runtime().block_on(store.get("registry.example"));
});
