//! containers auth.json (containers-auth.json(5)) as the user's
//! `~/.config/containers/auth.json`: loading any file never panics; a
//! malformed one fails naming the file. For a file that loads, each
//! reference's namespaced key (if any) is an `auths` key enclosing the
//! repository on its own registry, and then the repository's credential
//! is not empty; a repository's credentials asked for another host are
//! that host's registry-level ones (credentials never cross registries).
//! Credential helpers are never run: files naming one (`credHelpers`,
//! `credsStore`) are only loaded and asked for keys.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use oras_credentials::CredentialProvider;
use oras_fuzz::containers::{REFERENCES, Sandbox};
use oras_fuzz::runtime;
use oras_spec::Reference;

/// A host no reference of [`REFERENCES`] names.
const OTHER_HOST: &str = "other.example";

fuzz_target!(|data: &[u8]| {
    let Some((_sandbox, _, config)) = Sandbox::load_one("home/.config/containers/auth.json", data)
    else {
        return;
    };
    let value: serde_json::Value = serde_json::from_slice(data).unwrap_or_default();
    let runs_helpers = value.get("credHelpers").is_some() || value.get("credsStore").is_some();
    let auths: Vec<String> = value
        .get("auths")
        .and_then(serde_json::Value::as_object)
        .map(|auths| auths.keys().cloned().collect())
        .unwrap_or_default();
    let mut references: Vec<String> = REFERENCES.iter().map(|r| r.to_string()).collect();
    references.extend(auths.iter().take(16).map(|key| format!("{key}/app:v1")));
    references.extend(auths.iter().take(16).cloned());
    for reference in &references {
        let Ok(reference) = Reference::parse(reference) else {
            continue;
        };
        let key = config.namespaced_auth_key(&reference);
        if let Ok(Some(key)) = &key {
            // Docker Hub's keys are under docker.io whichever of its names
            // the reference uses (containers/image normalizes them so).
            let registry = match reference.registry() {
                "registry-1.docker.io" | "index.docker.io" => "docker.io",
                other => other,
            };
            let repository = format!("{registry}/{}", reference.repository());
            assert!(auths.contains(key), "{key:?} is not an auths key");
            assert!(
                repository == *key || repository.starts_with(&format!("{key}/")),
                "{key:?} does not enclose {repository:?}"
            );
        }
        if runs_helpers {
            continue;
        }
        let asked = |provider: Arc<dyn CredentialProvider>, host: &str| {
            runtime()
                .block_on(provider.credential(host))
                .map_err(|e| e.to_string())
        };
        let own = asked(config.credentials_for(&reference), reference.registry());
        if let Ok(Some(_)) = key {
            assert!(
                own.as_ref().is_ok_and(|c| !c.is_empty()),
                "a namespaced key answers but the credential is {own:?}"
            );
        }
        if reference.registry() == OTHER_HOST {
            continue;
        }
        let other = asked(config.credentials_for(&reference), OTHER_HOST);
        let registry_level = asked(config.credentials(), OTHER_HOST);
        assert!(
            other == registry_level,
            "another host got the repository's credential"
        );
    }
});
