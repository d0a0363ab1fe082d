//! The whole configuration, loaded at once, and what it means for one
//! reference: the endpoints to try, in order.

use std::path::PathBuf;
use std::sync::Arc;

use oras_credentials::CredentialProvider;
use oras_spec::Reference;

use crate::auth::{Credentials, RepositoryCredentials};
use crate::certs::{TlsFiles, tls_files};
use crate::error::{Error, Result};
use crate::paths::Environment;
use crate::policy::Policy;
use crate::registries::{PullFromMirror, RegistriesConf};
use crate::shortnames;

/// What the caller is about to do with a reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Read content: mirrors first, then the (rewritten) location; the
    /// policy is checked.
    Pull,
    /// Write content: the reference's own registry only, never a mirror
    /// (containers/image rewrites and mirrors pull sources only).
    Push,
}

/// One place to send requests for a reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The reference at this endpoint (rewritten for a mirror or a
    /// `location`).
    pub reference: Reference,
    /// Plain HTTP or unverified TLS allowed (`insecure = true`):
    /// containers/image tries HTTPS without verification, then HTTP.
    pub insecure: bool,
    /// True for a `[[registry.mirror]]`.
    pub mirror: bool,
    /// The certs.d files for this endpoint's host.
    pub tls: TlsFiles,
}

/// The containers configuration: registries.conf with its drop-ins and
/// aliases, certs.d, the auth files and policy.json.
#[derive(Clone)]
pub struct ContainersConfig {
    registries: RegistriesConf,
    certs_dirs: Vec<PathBuf>,
    auth_files: Vec<PathBuf>,
    credentials: Arc<Credentials>,
    policy: Option<Policy>,
    policy_paths: Vec<PathBuf>,
}

impl std::fmt::Debug for ContainersConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainersConfig")
            .field("registries", &self.registries)
            .field("certs_dirs", &self.certs_dirs)
            .field("auth_files", &self.auth_files)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl ContainersConfig {
    /// Loads everything from the locations of this process
    /// ([`Environment::from_process`]).
    pub fn load() -> Result<ContainersConfig> {
        ContainersConfig::load_with(&Environment::from_process())
    }

    /// Loads everything from `env`'s locations. Every file is read and
    /// checked here; any error fails the whole load, so a configuration
    /// is never half applied.
    pub fn load_with(env: &Environment) -> Result<ContainersConfig> {
        let (main, dirs) = env.registries_conf_paths();
        let aliases = env.short_name_aliases_path();
        let registries = RegistriesConf::load(&main, &dirs, aliases.as_deref())?;
        let auth_files = env.auth_files();
        let credentials = Credentials::load(&registries.credential_helpers, &auth_files)?;
        Ok(ContainersConfig {
            registries,
            certs_dirs: env.certs_dirs(),
            auth_files,
            credentials: Arc::new(credentials),
            policy: Policy::load(&env.policy_path())?,
            policy_paths: env.policy_paths(),
        })
    }

    /// The merged registries.conf.
    pub fn registries(&self) -> &RegistriesConf {
        &self.registries
    }

    /// The policy, when a policy.json exists (without one, every read is
    /// refused: see [`ContainersConfig::check_policy`]).
    pub fn policy(&self) -> Option<&Policy> {
        self.policy.as_ref()
    }

    /// The auth files read, in lookup order.
    pub fn auth_files(&self) -> &[PathBuf] {
        &self.auth_files
    }

    /// The registry-level credentials of the `credential-helpers` and
    /// auth files (no namespaced auth.json keys: use
    /// [`ContainersConfig::credentials_for`] for a repository's).
    pub fn credentials(&self) -> Arc<Credentials> {
        self.credentials.clone()
    }

    /// The credentials of `reference`'s repository: its namespaced
    /// auth.json keys (`host/ns/app`, then `host/ns`) before its
    /// registry's (containers-auth.json(5)), for its registry only.
    pub fn credentials_for(&self, reference: &Reference) -> Arc<dyn CredentialProvider> {
        Arc::new(RepositoryCredentials::new(
            self.credentials.clone(),
            reference.registry(),
            reference.repository(),
        ))
    }

    /// The namespaced auth.json key that answers for `reference`'s
    /// repository, if one does (read from the files, no helper run):
    /// callers keeping one token cache per credential key theirs by it.
    pub fn namespaced_auth_key(&self, reference: &Reference) -> Result<Option<String>> {
        self.credentials
            .namespaced_key(reference.registry(), reference.repository())
    }

    /// The certs.d files for `host` (`host[:port]`).
    pub fn tls_files(&self, host: &str) -> Result<TlsFiles> {
        tls_files(&self.certs_dirs, host)
    }

    /// Whether `host` is marked insecure (containers/image `FindRegistry`
    /// on the host).
    pub fn is_insecure(&self, host: &str) -> bool {
        self.registries.find(host).is_some_and(|r| r.insecure)
    }

    /// Checks `reference` against policy.json. Without a policy.json at
    /// any of its places the read is refused, naming them: containers/image
    /// cannot build a policy context then, and oras-go v3's
    /// `LoadDefaultPolicy` fails reading the system path.
    pub fn check_policy(&self, reference: &Reference) -> Result<()> {
        match &self.policy {
            Some(policy) => policy.check(&reference.to_string()),
            None => Err(Error::PolicyMissing {
                reference: reference.to_string(),
                paths: self.policy_paths.clone(),
            }),
        }
    }

    /// The endpoints to try for `reference`, in order: a short name is
    /// resolved first ([`shortnames::candidates`]); a blocked registry is
    /// refused before any request; for [`Operation::Pull`] the policy is
    /// checked and the mirrors that serve this kind of reference come
    /// before the location.
    pub fn endpoints(&self, reference: &str, operation: Operation) -> Result<Vec<Endpoint>> {
        let mut endpoints = Vec::new();
        for candidate in shortnames::candidates(&self.registries, reference)? {
            let parsed = parse(&candidate, &format!("resolving {reference:?}"))?;
            let name = parsed.to_string();
            let registry = self.registries.find(&name);
            if let Some(registry) = registry.filter(|r| r.blocked) {
                return Err(Error::Blocked {
                    registry: registry.prefix.clone(),
                    reference: name,
                });
            }
            if operation == Operation::Push {
                let insecure = self.is_insecure(parsed.registry());
                endpoints.push(self.endpoint(parsed, insecure, false)?);
                continue;
            }
            self.check_policy(&parsed)?;
            let Some(registry) = registry else {
                let insecure = self.is_insecure(parsed.registry());
                endpoints.push(self.endpoint(parsed, insecure, false)?);
                continue;
            };
            // containers/image `PullSourcesFromReference`.
            let by_digest = parsed.digest().is_some();
            let rest = &name[crate::registries::matching_prefix(&name, &registry.prefix)
                .unwrap_or(name.len())..];
            for mirror in &registry.mirrors {
                let serves = match (registry.mirror_by_digest_only, mirror.pull_from_mirror) {
                    (true, _) => by_digest,
                    (false, PullFromMirror::All) => true,
                    (false, PullFromMirror::DigestOnly) => by_digest,
                    (false, PullFromMirror::TagOnly) => !by_digest,
                };
                if serves {
                    let rewritten = parse(
                        &format!("{}{rest}", mirror.location),
                        &format!("mirror {:?} of {:?}", mirror.location, registry.prefix),
                    )?;
                    endpoints.push(self.endpoint(rewritten, mirror.insecure, true)?);
                }
            }
            let primary = match registry.location.is_empty() {
                true => parsed,
                false => parse(
                    &format!("{}{rest}", registry.location),
                    &format!("location {:?} of {:?}", registry.location, registry.prefix),
                )?,
            };
            endpoints.push(self.endpoint(primary, registry.insecure, false)?);
        }
        Ok(endpoints)
    }

    fn endpoint(&self, reference: Reference, insecure: bool, mirror: bool) -> Result<Endpoint> {
        let tls = self.tls_files(reference.registry())?;
        Ok(Endpoint {
            reference,
            insecure,
            mirror,
            tls,
        })
    }
}

fn parse(reference: &str, context: &str) -> Result<Reference> {
    Reference::parse(reference).map_err(|source| Error::Reference {
        context: context.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCEPT: &str = r#"{"default":[{"type":"insecureAcceptAnything"}]}"#;

    const DIGEST: &str = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    fn config(registries: &str, policy: Option<&str>) -> (tempfile::TempDir, ContainersConfig) {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment::rooted(dir.path());
        let etc = dir.path().join("etc/containers");
        std::fs::create_dir_all(&etc).unwrap();
        std::fs::write(etc.join("registries.conf"), registries).unwrap();
        let policy = policy.unwrap_or(ACCEPT);
        std::fs::write(etc.join("policy.json"), policy).unwrap();
        let config = ContainersConfig::load_with(&env).unwrap();
        (dir, config)
    }

    fn hosts(endpoints: &[Endpoint]) -> Vec<String> {
        endpoints.iter().map(|e| e.reference.to_string()).collect()
    }

    const MIRRORS: &str = r#"
[[registry]]
prefix = "origin.example/team"
location = "internal.example/mirrored/team"
[[registry.mirror]]
location = "m-all.example"
[[registry.mirror]]
location = "m-digest.example/x"
pull-from-mirror = "digest-only"
insecure = true
[[registry.mirror]]
location = "m-tag.example"
pull-from-mirror = "tag-only"
[[registry]]
location = "blocked.example"
blocked = true
[[registry]]
location = "plain.example:5000"
insecure = true
"#;

    #[test]
    fn pulls_try_the_mirrors_that_serve_the_reference_then_the_location() {
        let (_dir, c) = config(MIRRORS, None);
        let tag = c
            .endpoints("origin.example/team/app:v1", Operation::Pull)
            .unwrap();
        assert_eq!(
            hosts(&tag),
            vec![
                "m-all.example/app:v1",
                "m-tag.example/app:v1",
                "internal.example/mirrored/team/app:v1"
            ]
        );
        assert_eq!(
            tag.iter().map(|e| e.mirror).collect::<Vec<_>>(),
            [true, true, false]
        );
        let by_digest = c
            .endpoints(
                &format!("origin.example/team/app@{DIGEST}"),
                Operation::Pull,
            )
            .unwrap();
        assert_eq!(
            hosts(&by_digest),
            vec![
                format!("m-all.example/app@{DIGEST}"),
                format!("m-digest.example/x/app@{DIGEST}"),
                format!("internal.example/mirrored/team/app@{DIGEST}"),
            ]
        );
        assert!(by_digest[1].insecure && !by_digest[0].insecure);
    }

    #[test]
    fn pushes_go_to_the_reference_itself() {
        let (_dir, c) = config(MIRRORS, None);
        let push = c
            .endpoints("origin.example/team/app:v1", Operation::Push)
            .unwrap();
        assert_eq!(hosts(&push), vec!["origin.example/team/app:v1"]);
        let plain = c
            .endpoints("plain.example:5000/a:v1", Operation::Push)
            .unwrap();
        assert!(plain[0].insecure);
    }

    #[test]
    fn blocked_registries_are_refused_for_both() {
        let (_dir, c) = config(MIRRORS, None);
        for op in [Operation::Pull, Operation::Push] {
            let err = c.endpoints("blocked.example/a:v1", op).unwrap_err();
            assert!(matches!(err, Error::Blocked { .. }), "{err}");
            assert!(err.to_string().contains("blocked"), "{err}");
        }
    }

    #[test]
    fn unconfigured_references_pass_through() {
        let (_dir, c) = config("", None);
        let e = c.endpoints("r.example/a:v1", Operation::Pull).unwrap();
        assert_eq!(hosts(&e), vec!["r.example/a:v1"]);
        assert!(!e[0].insecure && !e[0].mirror);
    }

    #[test]
    fn wildcard_prefixes_keep_the_reference() {
        let (_dir, c) = config(
            "[[registry]]\nprefix = \"*.corp.example\"\ninsecure = true\n",
            None,
        );
        let e = c.endpoints("r.corp.example/a:v1", Operation::Pull).unwrap();
        assert_eq!(hosts(&e), vec!["r.corp.example/a:v1"]);
        assert!(e[0].insecure);
    }

    #[test]
    fn aliases_resolve_before_the_registries() {
        let (_dir, c) = config(
            "[aliases]\n\"app\" = \"origin.example/team/app\"\n[[registry]]\nprefix = \"origin.example\"\nlocation = \"o2.example\"\n",
            None,
        );
        let e = c.endpoints("app:v2", Operation::Pull).unwrap();
        assert_eq!(hosts(&e), vec!["o2.example/team/app:v2"]);
    }

    #[test]
    fn the_policy_is_checked_for_pulls_only() {
        let (_dir, c) = config(
            "",
            Some(
                r#"{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"r.example/no":[{"type":"reject"}]}}}"#,
            ),
        );
        let err = c.endpoints("r.example/no:v1", Operation::Pull).unwrap_err();
        assert!(matches!(err, Error::PolicyRejected { .. }), "{err}");
        assert!(c.endpoints("r.example/no:v1", Operation::Push).is_ok());
        assert!(c.endpoints("r.example/yes:v1", Operation::Pull).is_ok());
    }

    #[test]
    fn without_a_policy_json_reads_are_refused_naming_the_places() {
        let dir = tempfile::tempdir().unwrap();
        let c = ContainersConfig::load_with(&Environment::rooted(dir.path())).unwrap();
        let err = c.endpoints("r.example/a:v1", Operation::Pull).unwrap_err();
        assert!(matches!(err, Error::PolicyMissing { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("home/.config/containers/policy.json")
                && text.contains("etc/containers/policy.json"),
            "{text}"
        );
        // Writes are not evaluated against the policy.
        assert!(c.endpoints("r.example/a:v1", Operation::Push).is_ok());
        // The user's policy.json is found too.
        let user = dir.path().join("home/.config/containers");
        std::fs::create_dir_all(&user).unwrap();
        std::fs::write(user.join("policy.json"), ACCEPT).unwrap();
        let c = ContainersConfig::load_with(&Environment::rooted(dir.path())).unwrap();
        assert!(c.endpoints("r.example/a:v1", Operation::Pull).is_ok());
    }

    #[test]
    fn namespaced_auth_keys_through_the_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let auth = dir.path().join("auth.json");
        // team-a:p
        std::fs::write(
            &auth,
            r#"{"auths":{"r.example/team-a":{"auth":"dGVhbS1hOnA="}}}"#,
        )
        .unwrap();
        let env = Environment {
            registry_auth_file: Some(auth),
            ..Environment::rooted(dir.path())
        };
        let c = ContainersConfig::load_with(&env).unwrap();
        let a = Reference::parse("r.example/team-a/app:v1").unwrap();
        let b = Reference::parse("r.example/team-b/app:v1").unwrap();
        assert_eq!(
            c.namespaced_auth_key(&a).unwrap().as_deref(),
            Some("r.example/team-a")
        );
        assert_eq!(c.namespaced_auth_key(&b).unwrap(), None);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let user = |r: &Reference| {
                let provider = c.credentials_for(r);
                async move { provider.credential("r.example").await.unwrap().username }
            };
            assert_eq!(user(&a).await, "team-a");
            assert_eq!(user(&b).await, "");
        });
    }

    #[test]
    fn certs_d_is_per_endpoint_host() {
        let (dir, _) = config("", None);
        let certs = dir.path().join("etc/containers/certs.d/r.example:5000");
        std::fs::create_dir_all(&certs).unwrap();
        std::fs::write(certs.join("ca.crt"), "x").unwrap();
        let c = ContainersConfig::load_with(&Environment::rooted(dir.path())).unwrap();
        let e = c.endpoints("r.example:5000/a:v1", Operation::Pull).unwrap();
        assert_eq!(e[0].tls.ca_files, vec![certs.join("ca.crt")]);
        let e = c.endpoints("r.example/a:v1", Operation::Pull).unwrap();
        assert!(e[0].tls.ca_files.is_empty());
    }

    #[test]
    fn a_malformed_auth_file_fails_the_load() {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment {
            registry_auth_file: Some(dir.path().join("auth.json")),
            ..Environment::rooted(dir.path())
        };
        std::fs::write(dir.path().join("auth.json"), "{").unwrap();
        let err = ContainersConfig::load_with(&env).unwrap_err();
        assert!(err.to_string().contains("auth.json"), "{err}");
    }
}
