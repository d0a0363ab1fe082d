//! The Docker config file: reading, writing, preserving, permissions.

use std::os::unix::fs::PermissionsExt;

use base64::Engine;
use oras_credentials::{Config, Credential, Error, FileStore, Store, docker_config_path};

use crate::support::{read_json, write};

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test]
async fn reads_every_kind_of_auths_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    let config = serde_json::json!({
        "auths": {
            "basic.example": {"auth": b64("alice:pa:ss")},
            "token.example": {"identitytoken": "id-token"},
            "access.example": {"registrytoken": "reg-token"},
            "legacy.example": {"username": "bob", "password": "pw"},
            "https://old.example/": {"auth": b64("carol:pw")},
            "broken.example": {"auth": "***"}
        }
    });
    write(&path, &config.to_string());
    let store = FileStore::new(&path).unwrap();
    assert_eq!(
        store.get("basic.example").await.unwrap(),
        Credential::basic("alice", "pa:ss")
    );
    assert_eq!(
        store.get("token.example").await.unwrap(),
        Credential::refresh_token("id-token")
    );
    assert_eq!(
        store.get("access.example").await.unwrap(),
        Credential::access_token("reg-token")
    );
    assert_eq!(
        store.get("legacy.example").await.unwrap(),
        Credential::basic("bob", "pw")
    );
    // A legacy `https://host/` key is found by hostname.
    assert_eq!(
        store.get("old.example").await.unwrap(),
        Credential::basic("carol", "pw")
    );
    assert!(store.get("unknown.example").await.unwrap().is_empty());
    assert!(matches!(
        store.get("broken.example").await,
        Err(Error::InvalidConfig { .. })
    ));
}

#[tokio::test]
async fn missing_empty_and_invalid_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = Config::load(dir.path().join("nope/config.json")).unwrap();
    assert!(!missing.is_auth_configured());
    let empty = dir.path().join("empty.json");
    write(&empty, "  \n");
    assert!(!Config::load(&empty).unwrap().is_auth_configured());
    let invalid = dir.path().join("invalid.json");
    write(&invalid, "{not json");
    assert!(matches!(
        Config::load(&invalid),
        Err(Error::InvalidConfig { .. })
    ));
    let wrong_type = dir.path().join("wrong.json");
    write(&wrong_type, r#"{"auths": []}"#);
    assert!(matches!(
        Config::load(&wrong_type),
        Err(Error::InvalidConfig { .. })
    ));
}

#[tokio::test]
async fn put_preserves_unknown_fields_and_writes_like_docker() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    write(
        &path,
        r#"{"auths":{"other.example":{"auth":"b3RoZXI6cHc=","email":"x@y"}},"credsStore":"","proxies":{"default":{"httpProxy":"http://p:3128"}},"detachKeys":"ctrl-x"}"#,
    );
    let store = FileStore::new(&path).unwrap();
    store
        .put("r.example:5000", &Credential::basic("alice", "s3cret"))
        .await
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\n\t\"auths\": {\n\t\t"),
        "tab indentation: {text}"
    );
    let json = read_json(&path);
    assert_eq!(json["proxies"]["default"]["httpProxy"], "http://p:3128");
    assert_eq!(json["detachKeys"], "ctrl-x");
    assert!(json.get("credsStore").is_none(), "empty credsStore dropped");
    assert_eq!(
        json["auths"]["other.example"]["email"], "x@y",
        "other entries untouched"
    );
    assert_eq!(
        json["auths"]["r.example:5000"],
        serde_json::json!({"auth": b64("alice:s3cret")})
    );
    // A fresh load reads it back.
    let again = FileStore::new(&path).unwrap();
    assert_eq!(
        again.get("r.example:5000").await.unwrap(),
        Credential::basic("alice", "s3cret")
    );
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("config.json")]);
}

#[tokio::test]
async fn tokens_are_stored_in_their_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    let store = FileStore::new(&path).unwrap();
    store
        .put("r.example", &Credential::refresh_token("idt"))
        .await
        .unwrap();
    store
        .put("a.example", &Credential::access_token("acc"))
        .await
        .unwrap();
    let json = read_json(&path);
    assert_eq!(
        json["auths"]["r.example"],
        serde_json::json!({"identitytoken": "idt"})
    );
    assert_eq!(
        json["auths"]["a.example"],
        serde_json::json!({"registrytoken": "acc"})
    );
}

#[tokio::test]
async fn new_files_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh/sub/config.json");
    let store = FileStore::new(&path).unwrap();
    store
        .put("r.example", &Credential::basic("u", "p"))
        .await
        .unwrap();
    let file_mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(file_mode, 0o600);
    let dir_mode = std::fs::metadata(path.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
    // An existing world-readable file becomes 0600 when rewritten.
    let open = dir.path().join("open.json");
    write(&open, "{}");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    FileStore::new(&open)
        .unwrap()
        .put("r.example", &Credential::basic("u", "p"))
        .await
        .unwrap();
    assert_eq!(
        std::fs::metadata(&open).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[tokio::test]
async fn a_symlinked_config_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real/config.json");
    write(&real, "{}");
    let link = dir.path().join("config.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    FileStore::new(&link)
        .unwrap()
        .put("r.example", &Credential::basic("u", "p"))
        .await
        .unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(read_json(&real)["auths"]["r.example"]["auth"], b64("u:p"));
}

#[tokio::test]
async fn delete_removes_exact_and_legacy_keys_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    write(
        &path,
        &serde_json::json!({"auths": {
            "r.example": {"auth": b64("a:b")},
            "https://r.example/": {"auth": b64("c:d")},
            "keep.example": {"auth": b64("e:f")}
        }})
        .to_string(),
    );
    let store = FileStore::new(&path).unwrap();
    store.delete("r.example").await.unwrap();
    store.delete("never.example").await.unwrap();
    let json = read_json(&path);
    let keys: Vec<_> = json["auths"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, vec!["keep.example".to_string()]);
    assert!(store.get("r.example").await.unwrap().is_empty());
}

#[tokio::test]
async fn put_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    let store = FileStore::new(&path).unwrap();
    assert!(matches!(
        store.put("r.example", &Credential::basic("a:b", "p")).await,
        Err(Error::BadCredentialFormat(_))
    ));
    let disabled = FileStore::new(&path).unwrap().allow_put(false);
    assert!(matches!(
        disabled
            .put("r.example", &Credential::basic("a", "p"))
            .await,
        Err(Error::PlaintextPutDisabled)
    ));
    assert!(!path.exists(), "nothing written");
}

#[test]
fn config_path_resolution() {
    let explicit = std::path::Path::new("/x/y.json");
    assert_eq!(docker_config_path(Some(explicit)).unwrap(), explicit);
    // DOCKER_CONFIG and HOME are read from the environment; only check the
    // shape of the answer without changing the process environment.
    let path = docker_config_path(None).unwrap();
    assert!(path.ends_with("config.json"));
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        assert_eq!(path, std::path::PathBuf::from(dir).join("config.json"));
    } else {
        assert!(path.ends_with(".docker/config.json"));
    }
}

#[test]
fn debug_never_prints_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    write(
        &path,
        &serde_json::json!({"auths": {"r.example": {"auth": b64("alice:topsecret"), "identitytoken": "idsecret"}}})
            .to_string(),
    );
    let config = Config::load(&path).unwrap();
    let store = FileStore::new(&path).unwrap();
    let text = format!("{config:?} {store:?}");
    assert!(text.contains("r.example"));
    for secret in ["topsecret", "idsecret", &b64("alice:topsecret")] {
        assert!(!text.contains(secret), "{text}");
    }
}
