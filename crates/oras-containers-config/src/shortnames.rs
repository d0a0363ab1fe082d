//! Short names (containers-registries.conf(5) "SHORT-NAME ALIASING"): a
//! name without a registry, such as `alpine:3` or `team/app@sha256:…`,
//! resolves through `[aliases]` first, else through
//! `unqualified-search-registries`.

use crate::error::{Error, Result};
use crate::names::{is_short_name, normalise_docker_hub, split_target};
use crate::registries::{RegistriesConf, ShortNameMode};

/// The fully qualified candidates for `reference`, in the order to try:
/// the reference itself when it names a registry; the alias when one
/// matches; else each search registry (in `enforcing` mode only when
/// there is exactly one, since we never prompt).
pub fn candidates(conf: &RegistriesConf, reference: &str) -> Result<Vec<String>> {
    if !is_short_name(reference) {
        return Ok(vec![normalise_docker_hub(reference)]);
    }
    let (name, target) = split_target(reference);
    if let Some(alias) = conf.aliases.get(name) {
        return Ok(vec![format!(
            "{}{target}",
            normalise_docker_hub(&alias.value)
        )]);
    }
    let search = &conf.unqualified_search_registries;
    let fail = |message: String| Error::ShortName {
        name: reference.to_string(),
        message,
    };
    match (search.len(), conf.short_name_mode) {
        (0, _) => Err(fail(
            "no alias in [aliases] and no unqualified-search-registries are configured".into(),
        )),
        (1, _) | (_, ShortNameMode::Permissive | ShortNameMode::Disabled) => Ok(search
            .iter()
            .map(|registry| normalise_docker_hub(&format!("{registry}/{name}")) + target)
            .collect()),
        (_, ShortNameMode::Enforcing) => Err(fail(format!(
            "ambiguous in short-name-mode \"enforcing\" (it could be on {}): add an alias or use a fully qualified reference",
            search.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn aliases_then_search_registries() {
        let conf = RegistriesConf::parse(
            Path::new("/r.conf"),
            "unqualified-search-registries = [\"docker.io\", \"quay.io\"]\n[aliases]\n\"app\" = \"example.com/team/app\"\n",
        )
        .unwrap();
        assert_eq!(
            candidates(&conf, "app:v1").unwrap(),
            vec!["example.com/team/app:v1"]
        );
        assert_eq!(
            candidates(&conf, "example.com/x:v1").unwrap(),
            vec!["example.com/x:v1"]
        );
        let err = candidates(&conf, "alpine").unwrap_err();
        assert!(err.to_string().contains("ambiguous"), "{err}");
        let permissive = RegistriesConf {
            short_name_mode: ShortNameMode::Permissive,
            ..conf
        };
        assert_eq!(
            candidates(&permissive, "alpine:3").unwrap(),
            vec!["docker.io/library/alpine:3", "quay.io/alpine:3"]
        );
        let empty = RegistriesConf::default();
        assert!(candidates(&empty, "alpine").is_err());
    }
}
