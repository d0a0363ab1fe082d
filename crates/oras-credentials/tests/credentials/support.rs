//! Temp dirs, config files and fake helpers.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use oras_credentials::HelperOptions;

/// Tests that run helper programs hold this lock, so no test forks while
/// another still has a freshly written script open (ETXTBSY).
pub static SPAWN_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Writes `docker-credential-<name>` in `dir` with `body` as its shell
/// script. The script's directory is `$dir` inside it.
pub fn helper(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(format!("docker-credential-{name}"));
    let script = format!("#!/bin/sh\ndir='{}'\n{body}\n", dir.display());
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Helper options whose PATH is `dir` then this process's PATH; only the
/// spawned helper sees it.
pub fn helper_options(dir: &Path) -> HelperOptions {
    let mut paths = vec![dir.to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    let search_path: OsString = std::env::join_paths(paths).unwrap();
    HelperOptions {
        timeout: std::time::Duration::from_secs(10),
        search_path: Some(search_path),
    }
}

/// A helper that keeps one credential per server in files under `dir`:
/// `get` prints it or says not found; `store` saves its stdin; `erase`
/// removes it.
pub const KEYCHAIN_HELPER: &str = r#"
read_all() { input=''; while IFS= read -r line || [ -n "$line" ]; do input="$input$line"; done; }
key() { printf '%s' "$1" | tr -c 'A-Za-z0-9' '_'; }
case "$1" in
get)
  read_all
  f="$dir/cred-$(key "$input")"
  if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
store)
  read_all
  server=$(printf '%s' "$input" | sed 's/.*"ServerURL":"\([^"]*\)".*/\1/')
  printf '%s' "$input" > "$dir/cred-$(key "$server")" ;;
erase)
  read_all
  rm -f "$dir/cred-$(key "$input")"
  printf '%s' "$input" > "$dir/erased" ;;
*) echo "unknown action"; exit 1 ;;
esac
"#;
