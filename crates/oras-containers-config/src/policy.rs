//! policy.json (containers-policy.json(5)) for the `docker` transport:
//! the requirements of the most specific scope apply, else the
//! transport's `""` scope, else `default`. `insecureAcceptAnything`
//! accepts, `reject` refuses; the signature requirements (`signedBy`,
//! `sigstoreSigned`, `signedBaseLayer`) are not checked by this crate, so
//! an image they govern is refused with a "not supported" error rather
//! than let through.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::toml_file::read_optional;

/// One requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// `insecureAcceptAnything`.
    AcceptAnything,
    /// `reject`.
    Reject,
    /// A signature requirement (`signedBy`, `sigstoreSigned`,
    /// `signedBaseLayer`), kept by its type name.
    Signature(String),
}

/// A parsed policy.json.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The file it came from.
    pub path: PathBuf,
    /// `default`.
    pub default: Vec<Requirement>,
    /// `transports.docker`: scope to requirements.
    pub docker: BTreeMap<String, Vec<Requirement>>,
}

/// The line of the first occurrence of `"needle"` in `text` (1-based; 0
/// when absent), for errors about a JSON key.
fn line_of_key(text: &str, key: &str) -> usize {
    text.find(&format!("\"{key}\""))
        .map_or(0, |at| crate::toml_file::line_of(text, at))
}

fn requirements(path: &Path, text: &str, key: &str, value: &Value) -> Result<Vec<Requirement>> {
    let malformed = |message: String| Error::Malformed {
        path: path.to_path_buf(),
        line: line_of_key(text, key.rsplit('.').next().unwrap_or(key)),
        key: key.to_string(),
        message,
    };
    let list = value
        .as_array()
        .ok_or_else(|| malformed("expected a list of requirements".into()))?;
    if list.is_empty() {
        return Err(malformed("no policy requirements".into()));
    }
    list.iter()
        .map(|entry| match entry.get("type").and_then(Value::as_str) {
            Some("insecureAcceptAnything") => Ok(Requirement::AcceptAnything),
            Some("reject") => Ok(Requirement::Reject),
            Some(kind @ ("signedBy" | "sigstoreSigned" | "signedBaseLayer")) => {
                Ok(Requirement::Signature(kind.to_string()))
            }
            Some(other) => Err(malformed(format!(
                "unknown policy requirement type {other:?}"
            ))),
            None => Err(malformed("a requirement has no \"type\"".into())),
        })
        .collect()
}

impl Policy {
    /// Reads `path`; `None` when it does not exist.
    pub fn load(path: &Path) -> Result<Option<Policy>> {
        match read_optional(path)? {
            Some(text) => Policy::parse(path, &text).map(Some),
            None => Ok(None),
        }
    }

    /// Parses a policy.json text (`path` names it in errors).
    pub fn parse(path: &Path, text: &str) -> Result<Policy> {
        let value: Value = serde_json::from_str(text).map_err(|err| Error::Malformed {
            path: path.to_path_buf(),
            line: err.line(),
            key: String::new(),
            message: err.to_string(),
        })?;
        let default = value.get("default").ok_or_else(|| Error::Malformed {
            path: path.to_path_buf(),
            line: 0,
            key: "default".into(),
            message: "the \"default\" policy is missing".into(),
        })?;
        let default = requirements(path, text, "default", default)?;
        let mut docker = BTreeMap::new();
        if let Some(scopes) = value.pointer("/transports/docker") {
            let scopes = scopes.as_object().ok_or_else(|| Error::Malformed {
                path: path.to_path_buf(),
                line: line_of_key(text, "docker"),
                key: "transports.docker".into(),
                message: "expected an object of scopes".into(),
            })?;
            for (scope, list) in scopes {
                let key = format!("transports.docker.{scope}");
                docker.insert(scope.clone(), requirements(path, text, &key, list)?);
            }
        }
        Ok(Policy {
            path: path.to_path_buf(),
            default,
            docker,
        })
    }

    /// The scope that applies to `reference` (`host[:port]/repo[:tag|@digest]`)
    /// and its requirements: the reference itself, the repository, each
    /// enclosing namespace, the host, `*.domain` wildcards from the
    /// narrowest, then `""`, then `default`.
    pub fn requirements_for(&self, reference: &str) -> (String, &[Requirement]) {
        let (name, _) = crate::names::split_target(reference);
        let mut scopes = vec![reference.to_string(), name.to_string()];
        let mut namespace = name;
        while let Some((parent, _)) = namespace.rsplit_once('/') {
            scopes.push(parent.to_string());
            namespace = parent;
        }
        let host = namespace.split(':').next().unwrap_or(namespace);
        let mut domain = host;
        while let Some((_, parent)) = domain.split_once('.') {
            scopes.push(format!("*.{parent}"));
            domain = parent;
        }
        scopes.push(String::new());
        for scope in scopes {
            if let Some(list) = self.docker.get(&scope) {
                let label = if scope.is_empty() {
                    "transports.docker.\"\"".to_string()
                } else {
                    format!("transports.docker.{scope}")
                };
                return (label, list);
            }
        }
        ("default".to_string(), &self.default)
    }

    /// Checks `reference` before any content is touched.
    pub fn check(&self, reference: &str) -> Result<()> {
        let (scope, list) = self.requirements_for(reference);
        for requirement in list {
            match requirement {
                Requirement::AcceptAnything => {}
                Requirement::Reject => {
                    return Err(Error::PolicyRejected {
                        reference: reference.to_string(),
                        scope,
                    });
                }
                Requirement::Signature(kind) => {
                    return Err(Error::PolicyNotSupported {
                        reference: reference.to_string(),
                        scope,
                        requirement: kind.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"{
  "default": [{"type": "insecureAcceptAnything"}],
  "transports": {
    "docker": {
      "example.com": [{"type": "reject"}],
      "example.com/team/ok": [{"type": "insecureAcceptAnything"}],
      "*.signed.io": [{"type": "sigstoreSigned", "keyPath": "/k.pub"}],
      "other.com/app:v1": [{"type": "reject"}]
    }
  }
}"#;

    #[test]
    fn the_most_specific_scope_applies() {
        let p = Policy::parse(Path::new("/p.json"), POLICY).unwrap();
        assert!(p.check("example.com/team/ok:v1").is_ok());
        let err = p.check("example.com/team/app:v1").unwrap_err();
        assert!(
            matches!(err, Error::PolicyRejected { ref scope, .. } if scope == "transports.docker.example.com")
        );
        assert!(p.check("other.com/app:v2").is_ok());
        assert!(p.check("other.com/app:v1").is_err());
        let err = p.check("r.signed.io/a@sha256:00").unwrap_err();
        assert!(err.to_string().contains("\"sigstoreSigned\""), "{err}");
        assert!(err.to_string().contains("not supported"), "{err}");
        assert!(p.check("example.org/a:v1").is_ok());
    }

    #[test]
    fn reject_by_default() {
        let p = Policy::parse(Path::new("/p.json"), r#"{"default":[{"type":"reject"}]}"#).unwrap();
        assert!(p.check("a.com/b:c").is_err());
    }

    #[test]
    fn malformed_policies_are_named() {
        for (text, key, message) in [
            (r#"{"transports":{}}"#, "default", "missing"),
            (r#"{"default":[]}"#, "default", "no policy requirements"),
            (
                r#"{"default":[{"type":"maybe"}]}"#,
                "default",
                "unknown policy requirement",
            ),
            (
                "{\"default\":[{\"type\":\"reject\"}],\n\"transports\":{\"docker\":{\"a.com\":[{}]}}}",
                "transports.docker.a.com",
                "no \"type\"",
            ),
        ] {
            match Policy::parse(Path::new("/p.json"), text) {
                Err(Error::Malformed {
                    key: k, message: m, ..
                }) => {
                    assert_eq!(k, key, "{text}");
                    assert!(m.contains(message), "{text}: {m}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        let err = Policy::parse(Path::new("/p.json"), "{\n\"default\": [,]}").unwrap_err();
        assert!(matches!(err, Error::Malformed { line: 2, .. }), "{err}");
    }
}
