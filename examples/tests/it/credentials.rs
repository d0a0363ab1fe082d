//! pull-with-docker-credentials (and login) against registries that want a
//! login: TLS with Basic auth, and token auth.

use std::path::Path;

use base64::Engine;
use oras_content::Resolver;
use oras_testkit::real::{Mode, RealRegistry, start_for_test_async};

use crate::support::{Example, TEST_LIMIT, repository};

const PUSH_FILES: &str = env!("CARGO_BIN_EXE_push-files");
const PULL_WITH_DOCKER_CREDENTIALS: &str = env!("CARGO_BIN_EXE_pull-with-docker-credentials");

/// Writes `dir/config.json` with a plaintext `auths` entry for `registry`,
/// as `docker login` does without a credential helper.
fn write_docker_config(dir: &Path, registry: &RealRegistry) {
    let user_password = format!(
        "{}:{}",
        registry.username().unwrap(),
        registry.password().unwrap()
    );
    let auth = base64::engine::general_purpose::STANDARD.encode(user_password);
    let config = serde_json::json!({ "auths": { registry.host(): { "auth": auth } } });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
}

async fn pull_with_docker_credentials(mode: Mode) {
    let Some(registry) = start_for_test_async(mode).await else {
        return;
    };
    tokio::time::timeout(TEST_LIMIT, async {
        // An artifact to pull, pushed with the registry's user.
        let work = tempfile::tempdir().unwrap();
        std::fs::write(work.path().join("secret.txt"), b"for members only").unwrap();
        let reference = format!("{}/examples/private:v1", registry.host());
        Example::new(PUSH_FILES)
            .connect(&registry)
            .login(&registry)
            .args([&reference, "secret.txt"])
            .current_dir(work.path())
            .succeeds()
            .await;
        let pushed = repository(&registry, "examples/private")
            .resolve("v1")
            .await
            .unwrap();

        // Without Docker credentials the registry refuses the pull.
        let empty_config = tempfile::tempdir().unwrap();
        let refused = work.path().join("refused");
        let stderr = Example::new(PULL_WITH_DOCKER_CREDENTIALS)
            .connect(&registry)
            .arg(&reference)
            .arg("--oci-layout")
            .arg(&refused)
            .env("DOCKER_CONFIG", empty_config.path())
            .fails()
            .await;
        // (Basic auth fails before asking, token auth when the registry
        // refuses the anonymous token.)
        let stderr_lower = stderr.to_lowercase();
        assert!(
            stderr_lower.contains("unauthorized") || stderr_lower.contains("credential not found"),
            "expected an authorization failure:\n{stderr}"
        );

        // With a Docker config naming the registry, the pull succeeds.
        let docker_config = tempfile::tempdir().unwrap();
        write_docker_config(docker_config.path(), &registry);
        let layout = work.path().join("layout");
        let stdout = Example::new(PULL_WITH_DOCKER_CREDENTIALS)
            .connect(&registry)
            .arg(&reference)
            .arg("--oci-layout")
            .arg(&layout)
            .env("DOCKER_CONFIG", docker_config.path())
            .succeeds()
            .await;
        assert!(
            stdout.contains(&format!("manifest pulled: {}", pushed.digest)),
            "{stdout}"
        );
        let store = oras_store_oci::ReadOnlyStore::open(&layout).await.unwrap();
        assert_eq!(store.resolve("v1").await.unwrap().digest, pushed.digest);
    })
    .await
    .expect("test timed out");
    registry.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_with_docker_credentials_over_tls_with_basic_auth() {
    pull_with_docker_credentials(Mode::TlsBasic).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_with_docker_credentials_with_token_auth() {
    pull_with_docker_credentials(Mode::Token).await;
}
