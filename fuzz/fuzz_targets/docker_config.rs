//! Docker `config.json`: loading any file, then asking it for credentials
//! and helpers, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oras_credentials::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if std::fs::write(file.path(), data).is_err() {
        return;
    }
    let Ok(config) = Config::load(file.path()) else {
        return;
    };
    let _ = config.credentials_store();
    let _ = config.is_auth_configured();
    for server in [
        "registry.example",
        "https://index.docker.io/v1/",
        "localhost:5000",
        "",
    ] {
        let _ = config.credential_helper(server);
        let _ = config.credential(server);
    }
});
