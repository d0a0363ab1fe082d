//! Login and logout.

use std::sync::Mutex;

use async_trait::async_trait;
use oras_credentials::{
    BoxError, Credential, DOCKER_HUB_SERVER_ADDRESS, Error, MemoryStore, RegistryPing, Store,
    login, logout,
};

/// A ping that accepts one password and records what it was asked.
struct Ping {
    accept: &'static str,
    asked: Mutex<Vec<String>>,
}

#[async_trait]
impl RegistryPing for Ping {
    async fn ping(&self, registry: &str, credential: &Credential) -> Result<(), BoxError> {
        self.asked.lock().unwrap().push(registry.to_string());
        if credential.password == self.accept {
            Ok(())
        } else {
            Err("unauthorized: authentication required".into())
        }
    }
}

fn ping() -> Ping {
    Ping {
        accept: "right",
        asked: Mutex::default(),
    }
}

#[tokio::test]
async fn login_pings_then_stores_under_the_server_address() {
    let store = MemoryStore::new();
    let pinger = ping();
    login(
        &store,
        "docker.io",
        &Credential::basic("u", "right"),
        &pinger,
    )
    .await
    .unwrap();
    assert_eq!(pinger.asked.lock().unwrap().as_slice(), ["docker.io"]);
    assert_eq!(
        store.get(DOCKER_HUB_SERVER_ADDRESS).await.unwrap(),
        Credential::basic("u", "right")
    );
    login(
        &store,
        "localhost:5000",
        &Credential::basic("u", "right"),
        &pinger,
    )
    .await
    .unwrap();
    assert!(!store.get("localhost:5000").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_login_stores_nothing() {
    let store = MemoryStore::new();
    let err = login(
        &store,
        "r.example",
        &Credential::basic("u", "wrong"),
        &ping(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Login { .. }));
    assert!(
        err.to_string()
            .contains("failed to validate the credentials for r.example")
    );
    assert!(store.get("r.example").await.unwrap().is_empty());
}

#[tokio::test]
async fn logout_deletes_under_the_server_address() {
    let store = MemoryStore::new();
    store
        .put(DOCKER_HUB_SERVER_ADDRESS, &Credential::basic("u", "p"))
        .await
        .unwrap();
    logout(&store, "registry-1.docker.io").await.unwrap();
    assert!(
        store
            .get(DOCKER_HUB_SERVER_ADDRESS)
            .await
            .unwrap()
            .is_empty()
    );
    logout(&store, "never.example").await.unwrap();
}
