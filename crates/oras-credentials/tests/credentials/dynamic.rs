//! Store selection per server, fallbacks and the credential provider.

use std::sync::Arc;

use oras_credentials::{
    Credential, CredentialProvider, DOCKER_HUB_SERVER_ADDRESS, DynamicStore, Error, MemoryStore,
    Store, StoreOptions, StoreWithFallbacks,
};

use crate::support::{KEYCHAIN_HELPER, SPAWN_LOCK, helper, helper_options, read_json, write};

fn options(dir: &std::path::Path) -> StoreOptions {
    StoreOptions {
        allow_plaintext_put: true,
        helper: helper_options(dir),
    }
}

#[tokio::test]
async fn cred_helpers_then_creds_store_then_plaintext() {
    let _lock = SPAWN_LOCK.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let per_server = dir.path().join("per-server");
    let global = dir.path().join("global");
    std::fs::create_dir_all(&per_server).unwrap();
    std::fs::create_dir_all(&global).unwrap();
    // Two helpers keeping their keychains in different directories.
    helper(
        dir.path(),
        "special",
        &KEYCHAIN_HELPER.replace("$dir", &per_server.display().to_string()),
    );
    helper(
        dir.path(),
        "global",
        &KEYCHAIN_HELPER.replace("$dir", &global.display().to_string()),
    );
    let path = dir.path().join("config.json");
    write(
        &path,
        r#"{"credsStore":"global","credHelpers":{"special.example":"special"}}"#,
    );
    let store = DynamicStore::new(&path, options(dir.path())).unwrap();
    store
        .put("special.example", &Credential::basic("s", "1"))
        .await
        .unwrap();
    store
        .put("other.example", &Credential::basic("o", "2"))
        .await
        .unwrap();
    assert!(per_server.join("cred-special_example").exists());
    assert!(global.join("cred-other_example").exists());
    assert!(!global.join("cred-special_example").exists());
    assert_eq!(
        store.get("special.example").await.unwrap(),
        Credential::basic("s", "1")
    );
    assert_eq!(
        store.get("other.example").await.unwrap(),
        Credential::basic("o", "2")
    );
    // Nothing went into the plaintext auths.
    assert!(read_json(&path).get("auths").is_none());
    store.delete("other.example").await.unwrap();
    assert!(!global.join("cred-other_example").exists());
}

#[tokio::test]
async fn without_helpers_credentials_are_plaintext_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    let store = DynamicStore::new(&path, options(dir.path())).unwrap();
    assert!(!store.is_auth_configured());
    store
        .put("r.example", &Credential::basic("u", "p"))
        .await
        .unwrap();
    assert!(store.is_auth_configured());
    assert_eq!(store.config_path(), path);
    assert_eq!(
        store.get("r.example").await.unwrap(),
        Credential::basic("u", "p")
    );
    let strict = DynamicStore::new(&path, StoreOptions::default()).unwrap();
    assert!(matches!(
        strict.put("r.example", &Credential::basic("u", "p")).await,
        Err(Error::PlaintextPutDisabled)
    ));
}

#[tokio::test]
async fn fallbacks_get_in_order_and_write_the_primary() {
    let primary = Arc::new(MemoryStore::new());
    let second = Arc::new(MemoryStore::new());
    let third = Arc::new(MemoryStore::new());
    second
        .put("r.example", &Credential::basic("second", "p"))
        .await
        .unwrap();
    third
        .put("r.example", &Credential::basic("third", "p"))
        .await
        .unwrap();
    third
        .put("only3.example", &Credential::basic("third", "p"))
        .await
        .unwrap();
    let store = StoreWithFallbacks::new(primary.clone(), vec![second.clone(), third.clone()]);
    assert_eq!(store.get("r.example").await.unwrap().username, "second");
    assert_eq!(store.get("only3.example").await.unwrap().username, "third");
    assert!(store.get("none.example").await.unwrap().is_empty());
    store
        .put("new.example", &Credential::basic("n", "p"))
        .await
        .unwrap();
    assert!(!primary.get("new.example").await.unwrap().is_empty());
    assert!(second.get("new.example").await.unwrap().is_empty());
    store.delete("r.example").await.unwrap();
    assert!(
        !second.get("r.example").await.unwrap().is_empty(),
        "fallbacks untouched"
    );
}

#[tokio::test]
async fn fallbacks_over_config_files() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.json");
    let second = dir.path().join("second.json");
    write(&second, r#"{"auths":{"r.example":{"auth":"dTpw"}}}"#);
    let store = StoreWithFallbacks::new(
        Arc::new(DynamicStore::new(&first, options(dir.path())).unwrap()),
        vec![Arc::new(
            DynamicStore::new(&second, options(dir.path())).unwrap(),
        )],
    );
    assert_eq!(
        store.get("r.example").await.unwrap(),
        Credential::basic("u", "p")
    );
    store
        .put("x.example", &Credential::basic("x", "y"))
        .await
        .unwrap();
    assert!(read_json(&first)["auths"]["x.example"].is_object());
    assert!(read_json(&second)["auths"].get("x.example").is_none());
}

#[tokio::test]
async fn the_provider_maps_docker_hub_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    let store = DynamicStore::new(&path, options(dir.path())).unwrap();
    store
        .put(DOCKER_HUB_SERVER_ADDRESS, &Credential::basic("hub", "p"))
        .await
        .unwrap();
    store
        .put("localhost:5000", &Credential::basic("local", "p"))
        .await
        .unwrap();
    let provider: Arc<dyn CredentialProvider> = Arc::new(store);
    assert_eq!(
        provider
            .credential("registry-1.docker.io")
            .await
            .unwrap()
            .username,
        "hub"
    );
    assert_eq!(
        provider
            .credential("localhost:5000")
            .await
            .unwrap()
            .username,
        "local"
    );
    assert!(
        provider
            .credential("localhost:5001")
            .await
            .unwrap()
            .is_empty()
    );
}
