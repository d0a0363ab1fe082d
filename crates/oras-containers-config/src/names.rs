//! Image names as docker/reference and containers/image read them: short
//! names, the tag or digest after a name, Docker Hub's `library/`
//! namespace, and the checks of an alias.

/// True when `name`'s first component is not a registry: there is no
/// `/`, or the part before the first `/` has no `.` or `:` and is not
/// `localhost` (docker/reference `splitDockerDomain`).
pub fn is_short_name(name: &str) -> bool {
    match name.split_once('/') {
        None => true,
        Some((first, _)) => {
            !(first.contains('.')
                || first.contains(':')
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()))
        }
    }
}

/// Splits `name[:tag][@digest]` into the name and the rest (`:tag`,
/// `@digest` or empty): the digest after the first `@`, the tag after the
/// last `:` of the last path component.
pub(crate) fn split_target(reference: &str) -> (&str, &str) {
    if let Some(at) = reference.find('@') {
        return (&reference[..at], &reference[at..]);
    }
    let last_slash = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[last_slash..].rfind(':') {
        Some(colon) => reference.split_at(last_slash + colon),
        None => (reference, ""),
    }
}

/// Checks an alias (containers/image `validateShortName` and
/// `parseShortNameValue`): the key is a short name without tag or digest,
/// the value a fully qualified name without tag or digest.
pub(crate) fn check_alias(name: &str, value: &str) -> std::result::Result<(), String> {
    if !is_short_name(name) {
        return Err(format!(
            "invalid short name {name:?}: must not contain a registry"
        ));
    }
    let (short, target) = split_target(name);
    if short.is_empty() || !target.is_empty() {
        return Err(format!(
            "invalid short name {name:?}: must be a name without tag or digest"
        ));
    }
    let (full, target) = split_target(value);
    if !target.is_empty() {
        return Err(format!(
            "invalid alias {value:?}: must not contain a tag or digest"
        ));
    }
    if is_short_name(full) || !full.contains('/') {
        return Err(format!(
            "invalid alias {value:?}: must contain registry and repository"
        ));
    }
    Ok(())
}

/// Docker Hub's official images live under `library/` (docker/reference
/// normalisation): `docker.io/alpine` is `docker.io/library/alpine`.
pub(crate) fn normalise_docker_hub(name: &str) -> String {
    match name.strip_prefix("docker.io/") {
        Some(rest) if !rest.contains('/') => format!("docker.io/library/{rest}"),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_recognised() {
        for name in ["alpine", "alpine:3", "team/app", "team/app@sha256:ab"] {
            assert!(is_short_name(name), "{name}");
        }
        for name in [
            "docker.io/alpine",
            "localhost/a",
            "127.0.0.1:5000/a",
            "host:5000/a",
        ] {
            assert!(!is_short_name(name), "{name}");
        }
    }

    #[test]
    fn targets_split_off() {
        assert_eq!(split_target("a/b:v1"), ("a/b", ":v1"));
        assert_eq!(split_target("h:5000/b"), ("h:5000/b", ""));
        assert_eq!(split_target("h:5000/b@sha256:x"), ("h:5000/b", "@sha256:x"));
    }

    #[test]
    fn alias_checks() {
        assert!(check_alias("app", "example.com/app").is_ok());
        assert!(check_alias("app:v1", "example.com/app").is_err());
        assert!(check_alias("example.com/app", "example.com/app").is_err());
        assert!(check_alias("app", "example.com/app:v1").is_err());
        assert!(check_alias("app", "app").is_err());
    }
}
