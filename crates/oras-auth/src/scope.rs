//! Token scopes (<https://distribution.github.io/distribution/spec/auth/scope/>).
//!
//! A scope is `type:name:actions`, e.g. `repository:library/alpine:pull,push`.
//! [`clean_scopes`] is oras-go's `CleanScopes`: actions are merged per
//! resource, sorted and deduplicated, `*` absorbs the others, scopes
//! without actions are dropped, and the result is sorted. Its output joined
//! by spaces is the token-cache key.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A repository action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// `pull`: read access.
    Pull,
    /// `push`: write access.
    Push,
    /// `delete`: delete access.
    Delete,
    /// `*`: every action.
    All,
}

impl Action {
    /// The action as it appears in a scope.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Pull => "pull",
            Action::Push => "push",
            Action::Delete => "delete",
            Action::All => "*",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Builders of scope strings.
#[derive(Clone, Copy, Debug)]
pub struct Scope;

impl Scope {
    /// `repository:<name>:<actions>` with the actions cleaned; an empty
    /// string when the name or the actions are empty (as oras-go
    /// `ScopeRepository`), which [`clean_scopes`] drops.
    pub fn repository(name: &str, actions: &[Action]) -> String {
        if name.is_empty() || actions.is_empty() {
            return String::new();
        }
        let actions: BTreeSet<&str> = if actions.contains(&Action::All) {
            BTreeSet::from(["*"])
        } else {
            actions.iter().map(|a| a.as_str()).collect()
        };
        let actions: Vec<&str> = actions.into_iter().collect();
        format!("repository:{name}:{}", actions.join(","))
    }

    /// `registry:catalog:*`, the scope of the catalog API.
    pub fn registry_catalog() -> String {
        "registry:catalog:*".to_string()
    }
}

/// Scope hints for one request, carried as a request extension: the
/// scopes the caller is about to need (oras-go's context scopes). They are
/// merged with the challenge's scope, so one token serves, say, the HEAD,
/// POST and PUT of a blob upload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes(pub Vec<String>);

/// Merges, sorts and deduplicates scopes like oras-go's `CleanScopes`;
/// empty strings are dropped.
pub fn clean_scopes(scopes: &[String]) -> Vec<String> {
    let mut opaque: BTreeSet<String> = BTreeSet::new();
    // (type, name) → actions
    let mut resources: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for scope in scopes.iter().filter(|s| !s.is_empty()) {
        let Some((kind, rest)) = scope.split_once(':') else {
            opaque.insert(scope.clone());
            continue;
        };
        let Some((name, actions)) = rest.rsplit_once(':') else {
            opaque.insert(scope.clone());
            continue;
        };
        let set = resources.entry((kind, name)).or_default();
        set.extend(actions.split(',').filter(|a| !a.is_empty()));
    }
    let mut out = opaque;
    for ((kind, name), actions) in resources {
        if actions.is_empty() {
            continue;
        }
        let actions: Vec<&str> = if actions.contains("*") {
            vec!["*"]
        } else {
            actions.into_iter().collect()
        };
        out.insert(format!("{kind}:{name}:{}", actions.join(",")));
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn repository_scope() {
        assert_eq!(
            Scope::repository("a/b", &[Action::Push, Action::Pull, Action::Push]),
            "repository:a/b:pull,push"
        );
        assert_eq!(
            Scope::repository("a", &[Action::Pull, Action::All]),
            "repository:a:*"
        );
        assert_eq!(Scope::repository("", &[Action::Pull]), "");
        assert_eq!(Scope::repository("a", &[]), "");
        assert!(clean_scopes(&[Scope::repository("", &[Action::Pull])]).is_empty());
        assert_eq!(Scope::registry_catalog(), "registry:catalog:*");
    }

    #[test]
    fn merges_sorts_and_dedupes() {
        let got = clean_scopes(&strings(&[
            "repository:b:push",
            "repository:a:pull",
            "repository:b:pull,push",
            "repository:a:delete,,pull",
            "registry:catalog:*",
        ]));
        assert_eq!(
            got,
            strings(&[
                "registry:catalog:*",
                "repository:a:delete,pull",
                "repository:b:pull,push"
            ])
        );
    }

    #[test]
    fn wildcard_absorbs_and_empty_actions_drop() {
        let got = clean_scopes(&strings(&[
            "repository:a:pull",
            "repository:a:*",
            "repository:a:push",
            "repository:c:",
        ]));
        assert_eq!(got, strings(&["repository:a:*"]));
        assert_eq!(
            clean_scopes(&strings(&["repository:c:"])),
            Vec::<String>::new()
        );
        assert!(clean_scopes(&[]).is_empty());
    }

    #[test]
    fn names_with_colons_and_opaque_scopes() {
        // The name is everything between the first and the last colon.
        let got = clean_scopes(&strings(&[
            "repository:host:5000/a:pull",
            "opaque",
            "x:y",
            "opaque",
            "repository:host:5000/a:push",
        ]));
        assert_eq!(
            got,
            strings(&["opaque", "repository:host:5000/a:pull,push", "x:y"])
        );
    }
}
