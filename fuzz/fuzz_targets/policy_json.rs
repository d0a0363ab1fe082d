//! policy.json (containers-policy.json(5)): parsing any text never
//! panics; a malformed one fails naming the file and a line in it; a
//! policy that parses answers for any reference with a non-empty list of
//! requirements, and a reference written exactly as a `transports.docker`
//! scope is governed by that scope; a check passes exactly when every
//! requirement that applies is `insecureAcceptAnything`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use oras_containers_config::{Policy, Requirement};
use oras_fuzz::containers::{REFERENCES, check_names_file};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("/etc/containers/policy.json");
    let policy = match Policy::parse(path, text) {
        Ok(policy) => policy,
        Err(err) => return check_names_file(&err, path, data),
    };
    let scopes: Vec<String> = policy.docker.keys().take(32).cloned().collect();
    for reference in REFERENCES
        .iter()
        .map(|r| r.to_string())
        .chain(scopes.clone())
    {
        let (label, requirements) = policy.requirements_for(&reference);
        assert!(!requirements.is_empty(), "{reference:?}: {label}");
        let accepts = requirements
            .iter()
            .all(|r| *r == Requirement::AcceptAnything);
        assert_eq!(policy.check(&reference).is_ok(), accepts, "{reference:?}");
    }
    for scope in scopes.iter().filter(|s| !s.is_empty()) {
        let (label, requirements) = policy.requirements_for(scope);
        assert_eq!(label, format!("transports.docker.{scope}"));
        assert_eq!(
            Some(requirements),
            policy.docker.get(scope).map(Vec::as_slice)
        );
    }
});
