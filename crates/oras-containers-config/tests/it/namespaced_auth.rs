//! Namespace-scoped auth.json keys through the library: the token server
//! grants `team-a` only `team-a/…` and `team-b` only `team-b/…`; an
//! auth.json with one key per namespace (none for the registry) lets a
//! client per repository push to both.

use std::time::Duration;

use bytes::Bytes;
use oras_containers_config::{ContainersConfig, Environment, Operation};
use oras_content::{Pusher, bytes_reader};
use oras_remote::{ClientConfig, Registry};
use oras_spec::Descriptor;
use oras_testkit::real::{Mode, start_for_test_async};

use super::endpoints::{client, push_blob};

#[tokio::test]
async fn each_repository_gets_the_credential_of_its_namespace() {
    let Some(registry) = start_for_test_async(Mode::Token).await else {
        return;
    };
    let host = registry.host();
    let (a_user, a_password) = registry.scoped_credentials("team-a").unwrap();
    let (b_user, b_password) = registry.scoped_credentials("team-b").unwrap();
    tokio::time::timeout(Duration::from_secs(60), async {
        let root = tempfile::tempdir().unwrap();
        let etc = root.path().join("etc/containers");
        std::fs::create_dir_all(&etc).unwrap();
        std::fs::write(
            etc.join("registries.conf"),
            format!("[[registry]]\nlocation = \"{host}\"\ninsecure = true\n"),
        )
        .unwrap();
        std::fs::write(
            etc.join("policy.json"),
            r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        )
        .unwrap();
        let auth = root.path().join("auth.json");
        std::fs::write(
            &auth,
            format!(
                r#"{{"auths":{{"{host}/team-a":{{"username":"{a_user}","password":"{a_password}"}},"{host}/team-b":{{"username":"{b_user}","password":"{b_password}"}}}}}}"#
            ),
        )
        .unwrap();
        let env = Environment {
            registry_auth_file: Some(auth),
            ..Environment::rooted(root.path())
        };
        let config = ContainersConfig::load_with(&env).unwrap();
        for (repository, data) in [("team-a/app", b"a"), ("team-b/app", b"b")] {
            let reference = format!("{host}/{repository}:v1");
            let endpoint = config.endpoints(&reference, Operation::Push).unwrap().remove(0);
            push_blob(&client(&endpoint, &config), data, "v1").await;
        }
        // The registry-level credentials have no key for the registry
        // itself: nothing to push with.
        let anonymous = Registry::with_config(
            &host,
            ClientConfig::new()
                .plain_http(true)
                .credentials(config.credentials()),
        )
        .unwrap()
        .repository("team-a/app")
        .unwrap();
        let data = b"anonymous";
        let layer = Descriptor::from_bytes(oras_spec::media_type::IMAGE_LAYER, data);
        let refused = anonymous
            .push(&layer, bytes_reader(Bytes::from_static(data)))
            .await;
        assert!(refused.is_err(), "pushed without a credential");
    })
    .await
    .unwrap();
    registry.stop().unwrap();
}
