//! The docker-credential-<name> protocol against fake helper scripts.

use oras_credentials::{Credential, Error, HelperOptions, NativeStore, Store};

use crate::support::{KEYCHAIN_HELPER, SPAWN_LOCK, helper, helper_options};

#[tokio::test]
async fn store_get_erase_round_trip() {
    let _lock = SPAWN_LOCK.lock().await;
    let dir = tempfile::tempdir().unwrap();
    helper(dir.path(), "keys", KEYCHAIN_HELPER);
    let store = NativeStore::with_options("keys", helper_options(dir.path()));
    assert!(
        store.get("r.example").await.unwrap().is_empty(),
        "not found is empty"
    );
    store
        .put("r.example", &Credential::basic("alice", "s3cret"))
        .await
        .unwrap();
    let stored = std::fs::read_to_string(dir.path().join("cred-r_example")).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stored).unwrap(),
        serde_json::json!({"ServerURL": "r.example", "Username": "alice", "Secret": "s3cret"})
    );
    assert_eq!(
        store.get("r.example").await.unwrap(),
        Credential::basic("alice", "s3cret")
    );
    store.delete("r.example").await.unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("erased")).unwrap(),
        "r.example"
    );
    assert!(store.get("r.example").await.unwrap().is_empty());
}

#[tokio::test]
async fn identity_tokens_travel_as_the_token_username() {
    let _lock = SPAWN_LOCK.lock().await;
    let dir = tempfile::tempdir().unwrap();
    helper(dir.path(), "keys", KEYCHAIN_HELPER);
    let store = NativeStore::with_options("keys", helper_options(dir.path()));
    store
        .put("r.example:5000", &Credential::refresh_token("idt"))
        .await
        .unwrap();
    let stored = std::fs::read_to_string(dir.path().join("cred-r_example_5000")).unwrap();
    assert!(stored.contains(r#""Username":"<token>""#), "{stored}");
    assert_eq!(
        store.get("r.example:5000").await.unwrap(),
        Credential::refresh_token("idt")
    );
}

#[tokio::test]
async fn helper_failures_carry_its_stdout_message() {
    let _lock = SPAWN_LOCK.lock().await;
    let dir = tempfile::tempdir().unwrap();
    helper(
        dir.path(),
        "broken",
        "echo 'keychain is locked'; echo 'noise' >&2; exit 3",
    );
    let store = NativeStore::with_options("broken", helper_options(dir.path()));
    match store.get("r.example").await {
        Err(Error::Helper {
            message, action, ..
        }) => {
            assert_eq!(message, "keychain is locked");
            assert_eq!(action, "get");
        }
        other => panic!("{other:?}"),
    }
    helper(dir.path(), "silent", "exit 2");
    let silent = NativeStore::with_options("silent", helper_options(dir.path()));
    let err = silent.delete("r.example").await.unwrap_err();
    assert!(err.to_string().contains("exit"), "{err}");
    helper(dir.path(), "garbage", "echo 'not json'");
    let garbage = NativeStore::with_options("garbage", helper_options(dir.path()));
    assert!(matches!(
        garbage.get("r.example").await,
        Err(Error::HelperOutput { .. })
    ));
}

#[tokio::test]
async fn a_missing_helper_is_a_clear_error() {
    let _lock = SPAWN_LOCK.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let options = HelperOptions {
        search_path: Some(dir.path().as_os_str().to_owned()),
        ..HelperOptions::default()
    };
    let store = NativeStore::with_options("does-not-exist", options);
    let err = store.get("r.example").await.unwrap_err();
    assert!(matches!(err, Error::HelperSpawn { .. }), "{err}");
    assert!(err.to_string().contains("docker-credential-does-not-exist"));
}

#[tokio::test]
async fn a_hanging_helper_times_out() {
    let _lock = SPAWN_LOCK.lock().await;
    let dir = tempfile::tempdir().unwrap();
    helper(dir.path(), "hang", "exec sleep 30");
    let mut options = helper_options(dir.path());
    options.timeout = std::time::Duration::from_millis(300);
    let store = NativeStore::with_options("hang", options);
    let started = std::time::Instant::now();
    let err = tokio::time::timeout(std::time::Duration::from_secs(10), store.get("r.example"))
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::HelperTimeout { .. }), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn the_helper_gets_the_path_and_the_test_process_keeps_its_own() {
    let _lock = SPAWN_LOCK.lock().await;
    let dir = tempfile::tempdir().unwrap();
    helper(
        dir.path(),
        "env",
        r#"printf '{"ServerURL":"","Username":"%s","Secret":"x"}' "$PATH""#,
    );
    let options = helper_options(dir.path());
    let expected = options.search_path.clone().unwrap();
    let before = std::env::var_os("PATH");
    let store = NativeStore::with_options("env", options);
    let credential = store.get("r.example").await.unwrap();
    assert_eq!(std::ffi::OsStr::new(&credential.username), expected);
    assert_eq!(std::env::var_os("PATH"), before);
}
