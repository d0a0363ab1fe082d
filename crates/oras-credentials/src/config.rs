//! The Docker CLI configuration file, `config.json`.
//!
//! Only three fields matter here (docker/cli `configfile.ConfigFile`):
//! `auths` (per server: `auth` = base64 `user:pass`, `identitytoken`,
//! `registrytoken`, and legacy `username`/`password`), `credsStore` and
//! `credHelpers`. Everything else in the file is kept as it was and written
//! back untouched. Writes follow oras-go's `saveFile`: the directory is
//! created with mode 0700, the JSON is indented with tabs, an empty
//! `credsStore` is dropped, and the file is replaced atomically (a 0600
//! temporary file in the same directory, synced, then renamed), so a crash
//! never leaves a half-written config under the real name.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Credential;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Error;
use crate::address::to_hostname;

/// The most bytes read from a config file (the metadata cap of the project).
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// One entry of `auths`.
#[derive(Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub(crate) struct AuthConfig {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    auth: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    identitytoken: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    registrytoken: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    username: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    password: String,
}

impl AuthConfig {
    fn from_credential(credential: &Credential) -> Self {
        let auth = if credential.username.is_empty() && credential.password.is_empty() {
            String::new()
        } else {
            base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", credential.username, credential.password))
        };
        AuthConfig {
            auth,
            identitytoken: credential.refresh_token.clone(),
            registrytoken: credential.access_token.clone(),
            ..AuthConfig::default()
        }
    }

    fn credential(&self) -> Result<Credential, String> {
        let mut credential = Credential {
            username: self.username.clone(),
            password: self.password.clone(),
            refresh_token: self.identitytoken.clone(),
            access_token: self.registrytoken.clone(),
        };
        if !self.auth.is_empty() {
            // `auth` overrides the legacy fields.
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(self.auth.trim())
                .map_err(|e| format!("auth field is not base64: {e}"))?;
            let decoded =
                String::from_utf8(decoded).map_err(|_| "auth field is not UTF-8".to_string())?;
            let (username, password) = decoded
                .split_once(':')
                .ok_or_else(|| "auth field is not base64(username:password)".to_string())?;
            credential.username = username.to_string();
            credential.password = password.to_string();
        }
        Ok(credential)
    }
}

/// A loaded Docker config file.
#[derive(Clone)]
pub struct Config {
    path: PathBuf,
    /// Every top-level field, `auths` and `credsStore` included, as read.
    content: Map<String, Value>,
    auths: BTreeMap<String, Value>,
    creds_store: String,
    cred_helpers: BTreeMap<String, String>,
}

impl Config {
    /// Loads the config at `path`; a missing or empty file is an empty
    /// config.
    pub fn load(path: impl Into<PathBuf>) -> Result<Config, Error> {
        let path = path.into();
        let mut config = Config {
            path,
            content: Map::new(),
            auths: BTreeMap::new(),
            creds_store: String::new(),
            cred_helpers: BTreeMap::new(),
        };
        let bytes = match read_capped(&config.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(config),
            Err(e) => return Err(Error::io("reading config file", &config.path, e)),
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(config);
        }
        let invalid = |context: String, detail: String| Error::InvalidConfig {
            path: config.path.clone(),
            context,
            detail,
        };
        // oras-go config.Load: "failed to decode config file %s: %w: %v",
        // the cause in encoding/json's words.
        config.content = serde_json::from_slice(&bytes).map_err(|e| {
            invalid(
                format!("failed to decode config file {}", config.path.display()),
                oras_spec::json::go_error_text(&e, &bytes),
            )
        })?;
        if let Some(value) = config.content.get("credsStore") {
            config.creds_store = serde_json::from_value(value.clone()).map_err(|e| {
                invalid(
                    "failed to unmarshal creds store field".to_owned(),
                    e.to_string(),
                )
            })?;
        }
        if let Some(value) = config.content.get("credHelpers") {
            config.cred_helpers = serde_json::from_value(value.clone()).map_err(|e| {
                invalid(
                    "failed to unmarshal cred helpers field".to_owned(),
                    e.to_string(),
                )
            })?;
        }
        if let Some(value) = config.content.get("auths") {
            config.auths = serde_json::from_value(value.clone()).map_err(|e| {
                invalid("failed to unmarshal auths field".to_owned(), e.to_string())
            })?;
        }
        Ok(config)
    }

    /// The file this config is read from and written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `credsStore`, or empty.
    pub fn credentials_store(&self) -> &str {
        &self.creds_store
    }

    /// `credHelpers[server]`, if set and not empty.
    pub fn credential_helper(&self, server: &str) -> Option<&str> {
        self.cred_helpers
            .get(server)
            .map(String::as_str)
            .filter(|h| !h.is_empty())
    }

    /// Whether any credential source is configured (oras-go
    /// `IsAuthConfigured`).
    pub fn is_auth_configured(&self) -> bool {
        !self.creds_store.is_empty() || !self.cred_helpers.is_empty() || !self.auths.is_empty()
    }

    /// The plaintext credential for `server`: the entry under that exact
    /// key, else the first legacy key (`https://host/`) whose hostname is
    /// `server`; empty when there is none.
    pub fn credential(&self, server: &str) -> Result<Credential, Error> {
        let entry = self.auths.get(server).or_else(|| {
            self.auths
                .iter()
                .find(|(key, _)| to_hostname(key) == server)
                .map(|(_, value)| value)
        });
        let Some(entry) = entry else {
            return Ok(Credential::EMPTY);
        };
        // oras-go config.GetCredential: "failed to unmarshal auth field",
        // and "failed to decode auth field" for its base64 `auth`.
        let invalid = |context: &str, detail: String| Error::InvalidConfig {
            path: self.path.clone(),
            context: context.to_owned(),
            detail,
        };
        let auth: AuthConfig = serde_json::from_value(entry.clone())
            .map_err(|e| invalid("failed to unmarshal auth field", e.to_string()))?;
        auth.credential()
            .map_err(|detail| invalid("failed to decode auth field", detail))
    }

    /// Stores `credential` for `server` in `auths` and saves the file.
    pub fn put_credential(&mut self, server: &str, credential: &Credential) -> Result<(), Error> {
        let entry = serde_json::to_value(AuthConfig::from_credential(credential)).map_err(|e| {
            Error::InvalidConfig {
                path: self.path.clone(),
                context: "failed to marshal auth field".to_owned(),
                detail: e.to_string(),
            }
        })?;
        self.auths.insert(server.to_string(), entry);
        self.save()
    }

    /// Removes the credential of `server` (its exact key and any legacy
    /// key of the same hostname, as docker/cli's file store erases) and
    /// saves the file if anything changed.
    pub fn delete_credential(&mut self, server: &str) -> Result<(), Error> {
        let before = self.auths.len();
        self.auths
            .retain(|key, _| key != server && to_hostname(key) != server);
        if self.auths.len() == before {
            return Ok(());
        }
        self.save()
    }

    /// Sets `credsStore` and saves the file.
    pub fn set_credentials_store(&mut self, store: &str) -> Result<(), Error> {
        self.creds_store = store.to_string();
        self.save()
    }

    /// Writes the config atomically.
    fn save(&mut self) -> Result<(), Error> {
        if self.creds_store.is_empty() {
            self.content.remove("credsStore");
        } else {
            self.content
                .insert("credsStore".into(), Value::String(self.creds_store.clone()));
        }
        let auths: Map<String, Value> = self
            .auths
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.content.insert("auths".into(), Value::Object(auths));

        let mut json = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
        let mut serializer = serde_json::Serializer::with_formatter(&mut json, formatter);
        self.content
            .serialize(&mut serializer)
            .map_err(|e| Error::InvalidConfig {
                path: self.path.clone(),
                context: "failed to marshal config".to_owned(),
                detail: e.to_string(),
            })?;
        write_atomically(&self.path, &json)
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The servers are listed, their secrets are not.
        f.debug_struct("Config")
            .field("path", &self.path)
            .field("auths", &self.auths.keys().collect::<Vec<_>>())
            .field("credsStore", &self.creds_store)
            .field("credHelpers", &self.cred_helpers)
            .finish()
    }
}

fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("config file larger than {MAX_CONFIG_BYTES} bytes"),
        ));
    }
    Ok(bytes)
}

/// Replaces `path` with `bytes`: a 0600 temporary file next to the target,
/// synced, then renamed over it. A symlinked config is written through to
/// its target, as docker/cli does.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let target = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_private_dir(&dir)?;
    // tempfile creates the file with mode 0600 on Unix.
    let mut temp = tempfile::Builder::new()
        .prefix(".config.json.")
        .tempfile_in(&dir)
        .map_err(|e| Error::io("creating a temporary file in", &dir, e))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io("writing", temp.path().to_path_buf(), e))?;
    temp.persist(&target)
        .map_err(|e| Error::io("replacing config file", &target, e.error))?;
    Ok(())
}

fn create_private_dir(dir: &Path) -> Result<(), Error> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| Error::io("creating directory", dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_field_overrides_legacy_fields() {
        let entry = AuthConfig {
            auth: base64::engine::general_purpose::STANDARD.encode("user:pa:ss"),
            username: "legacy".into(),
            password: "legacy".into(),
            identitytoken: "idt".into(),
            ..AuthConfig::default()
        };
        let credential = entry.credential().unwrap();
        assert_eq!(credential.username, "user");
        assert_eq!(credential.password, "pa:ss");
        assert_eq!(credential.refresh_token, "idt");
        let bad = AuthConfig {
            auth: base64::engine::general_purpose::STANDARD.encode("nocolon"),
            ..AuthConfig::default()
        };
        assert!(bad.credential().is_err());
    }

    #[test]
    fn round_trip_of_a_credential() {
        let credential = Credential {
            username: "u".into(),
            password: "p".into(),
            refresh_token: "r".into(),
            access_token: "a".into(),
        };
        let entry = AuthConfig::from_credential(&credential);
        assert_eq!(entry.credential().unwrap(), credential);
        let empty = AuthConfig::from_credential(&Credential::refresh_token("r"));
        assert_eq!(
            serde_json::to_string(&empty).unwrap(),
            r#"{"identitytoken":"r"}"#
        );
    }
}
