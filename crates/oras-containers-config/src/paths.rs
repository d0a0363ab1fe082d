//! Where the configuration files live, from the process environment or
//! given explicitly (for tests and embedding programs).
//!
//! The locations are those of containers-registries.conf(5),
//! containers-certs.d(5), containers-auth.json(5) and
//! containers-policy.json(5) for a Linux user:
//!
//! | file | locations, first wins |
//! |---|---|
//! | registries.conf | `$CONTAINERS_REGISTRIES_CONF`, else `~/.config/containers/registries.conf` when it exists, else `/etc/containers/registries.conf` |
//! | drop-ins | `/etc/containers/registries.conf.d/*.conf`, then `~/.config/containers/registries.conf.d/*.conf`, each directory in name order (only the user directory when the user registries.conf is used) |
//! | short-name aliases | `$XDG_CACHE_HOME/containers/short-name-aliases.conf` (default `~/.cache/…`) |
//! | certs.d | `~/.config/containers/certs.d/<host[:port]>`, `/etc/containers/certs.d/<host[:port]>`, `/etc/docker/certs.d/<host[:port]>`: the first that exists |
//! | auth.json | `$REGISTRY_AUTH_FILE` alone when set; else `$XDG_RUNTIME_DIR/containers/auth.json`, `~/.config/containers/auth.json`, then Docker's config |
//! | policy.json | `~/.config/containers/policy.json` when it exists, else `/etc/containers/policy.json` |

use std::path::{Path, PathBuf};

/// The directories and overrides the configuration is read from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// The user's home directory (`$HOME`).
    pub home: Option<PathBuf>,
    /// The system configuration root, normally `/etc`.
    pub etc: PathBuf,
    /// `$CONTAINERS_REGISTRIES_CONF`: replaces the registries.conf path.
    pub registries_conf: Option<PathBuf>,
    /// `$REGISTRY_AUTH_FILE`: the only auth file read when set.
    pub registry_auth_file: Option<PathBuf>,
    /// `$XDG_RUNTIME_DIR`.
    pub xdg_runtime_dir: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME` (default `~/.config`).
    pub xdg_config_home: Option<PathBuf>,
    /// `$XDG_CACHE_HOME` (default `~/.cache`).
    pub xdg_cache_home: Option<PathBuf>,
    /// Docker's config file (`$DOCKER_CONFIG/config.json` or
    /// `~/.docker/config.json`), the last auth fallback.
    pub docker_config: Option<PathBuf>,
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

impl Environment {
    /// The locations of this process: `$HOME`, the `XDG_*` variables,
    /// `CONTAINERS_REGISTRIES_CONF`, `REGISTRY_AUTH_FILE`, Docker's config
    /// and `/etc`.
    pub fn from_process() -> Environment {
        Environment {
            home: env_path("HOME"),
            etc: PathBuf::from("/etc"),
            registries_conf: env_path("CONTAINERS_REGISTRIES_CONF"),
            registry_auth_file: env_path("REGISTRY_AUTH_FILE"),
            xdg_runtime_dir: env_path("XDG_RUNTIME_DIR"),
            xdg_config_home: env_path("XDG_CONFIG_HOME"),
            xdg_cache_home: env_path("XDG_CACHE_HOME"),
            docker_config: oras_credentials::docker_config_path(None).ok(),
        }
    }

    /// An environment rooted in `root` for tests: `root/etc` is the system
    /// directory and `root/home` the home; nothing else is set.
    pub fn rooted(root: &Path) -> Environment {
        Environment {
            home: Some(root.join("home")),
            etc: root.join("etc"),
            ..Environment::default()
        }
    }

    /// The user's configuration directory for containers
    /// (`$XDG_CONFIG_HOME/containers`, default `~/.config/containers`).
    pub fn user_containers_dir(&self) -> Option<PathBuf> {
        match (&self.xdg_config_home, &self.home) {
            (Some(config), _) => Some(config.join("containers")),
            (None, Some(home)) => Some(home.join(".config").join("containers")),
            (None, None) => None,
        }
    }

    /// The system configuration directory for containers.
    pub fn system_containers_dir(&self) -> PathBuf {
        self.etc.join("containers")
    }

    /// The registries.conf read, and the drop-in directories after it, in
    /// order (containers/image `newConfigWrapper`).
    pub fn registries_conf_paths(&self) -> (PathBuf, Vec<PathBuf>) {
        let system_dir = self.system_containers_dir().join("registries.conf.d");
        let user_dir = self
            .user_containers_dir()
            .map(|dir| dir.join("registries.conf.d"));
        if let Some(path) = &self.registries_conf {
            let dirs = std::iter::once(system_dir).chain(user_dir).collect();
            return (path.clone(), dirs);
        }
        if let Some(user) = self.user_containers_dir() {
            let path = user.join("registries.conf");
            if path.exists() {
                // The per-user file replaces the system file and directory.
                return (path, user_dir.into_iter().collect());
            }
        }
        let dirs = std::iter::once(system_dir).chain(user_dir).collect();
        (self.system_containers_dir().join("registries.conf"), dirs)
    }

    /// The machine-written short-name alias file.
    pub fn short_name_aliases_path(&self) -> Option<PathBuf> {
        let cache = match (&self.xdg_cache_home, &self.home) {
            (Some(cache), _) => cache.clone(),
            (None, Some(home)) => home.join(".cache"),
            (None, None) => return None,
        };
        Some(cache.join("containers").join("short-name-aliases.conf"))
    }

    /// The `certs.d` roots, searched in order for a `<host[:port]>`
    /// directory.
    pub fn certs_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self
            .user_containers_dir()
            .map(|dir| dir.join("certs.d"))
            .into_iter()
            .collect();
        dirs.push(self.system_containers_dir().join("certs.d"));
        dirs.push(self.etc.join("docker").join("certs.d"));
        dirs
    }

    /// The auth files read, in order (containers/image
    /// `getAuthFilePaths`): a user-chosen `REGISTRY_AUTH_FILE` alone, else
    /// the runtime auth.json, the config-home auth.json and Docker's
    /// config.
    pub fn auth_files(&self) -> Vec<PathBuf> {
        if let Some(path) = &self.registry_auth_file {
            return vec![path.clone()];
        }
        let mut files = Vec::new();
        if let Some(runtime) = &self.xdg_runtime_dir {
            files.push(runtime.join("containers").join("auth.json"));
        }
        if let Some(user) = self.user_containers_dir() {
            files.push(user.join("auth.json"));
        }
        if let Some(docker) = &self.docker_config {
            files.push(docker.clone());
        } else if let Some(home) = &self.home {
            files.push(home.join(".docker").join("config.json"));
        }
        files
    }

    /// The places policy.json is looked for, in order: the user's, then
    /// the system's.
    pub fn policy_paths(&self) -> Vec<PathBuf> {
        let user = self
            .user_containers_dir()
            .map(|dir| dir.join("policy.json"));
        user.into_iter()
            .chain(std::iter::once(
                self.system_containers_dir().join("policy.json"),
            ))
            .collect()
    }

    /// The policy.json read: the user's when it exists, else the system's.
    pub fn policy_path(&self) -> PathBuf {
        if let Some(user) = self.user_containers_dir() {
            let path = user.join("policy.json");
            if path.exists() {
                return path;
            }
        }
        self.system_containers_dir().join("policy.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_registries_conf_replaces_the_system_one() {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment::rooted(dir.path());
        let (path, dirs) = env.registries_conf_paths();
        assert_eq!(path, dir.path().join("etc/containers/registries.conf"));
        assert_eq!(dirs.len(), 2);
        let user = dir.path().join("home/.config/containers");
        std::fs::create_dir_all(&user).unwrap();
        std::fs::write(user.join("registries.conf"), "").unwrap();
        let (path, dirs) = env.registries_conf_paths();
        assert_eq!(path, user.join("registries.conf"));
        assert_eq!(dirs, vec![user.join("registries.conf.d")]);
        let env = Environment {
            registries_conf: Some("/x.conf".into()),
            ..env
        };
        assert_eq!(env.registries_conf_paths().0, PathBuf::from("/x.conf"));
    }

    #[test]
    fn auth_files_in_order() {
        let env = Environment {
            xdg_runtime_dir: Some("/run/user/1".into()),
            docker_config: Some("/d/config.json".into()),
            ..Environment::rooted(Path::new("/r"))
        };
        assert_eq!(
            env.auth_files(),
            vec![
                PathBuf::from("/run/user/1/containers/auth.json"),
                PathBuf::from("/r/home/.config/containers/auth.json"),
                PathBuf::from("/d/config.json"),
            ]
        );
        let env = Environment {
            registry_auth_file: Some("/a.json".into()),
            ..env
        };
        assert_eq!(env.auth_files(), vec![PathBuf::from("/a.json")]);
    }
}
