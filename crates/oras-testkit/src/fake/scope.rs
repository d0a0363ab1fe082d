//! Token grants of the fake registry's Bearer auth: `type:name:actions`,
//! as distribution's token protocol writes them.

/// One granted (or needed) access: `type:name:action,action`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Scope {
    pub(crate) resource_type: String,
    pub(crate) name: String,
    pub(crate) actions: Vec<String>,
}

impl Scope {
    /// Parses `repository:name:pull,push`; the name may hold `:` (a
    /// registry host with port), the actions never do.
    pub(crate) fn parse(text: &str) -> Option<Scope> {
        let (head, actions) = text.rsplit_once(':')?;
        let (resource_type, name) = head.split_once(':')?;
        if resource_type.is_empty() || name.is_empty() {
            return None;
        }
        Some(Scope {
            resource_type: resource_type.to_owned(),
            name: name.to_owned(),
            actions: actions
                .split(',')
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }

    /// Whether this grant covers `action` on `resource_type:name`.
    pub(crate) fn allows(&self, resource_type: &str, name: &str, action: &str) -> bool {
        self.resource_type == resource_type
            && self.name == name
            && self.actions.iter().any(|a| a == action || a == "*")
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            self.resource_type,
            self.name,
            self.actions.join(",")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        let s = Scope::parse("repository:a/b:pull,push").unwrap();
        assert!(s.allows("repository", "a/b", "push"));
        assert!(!s.allows("repository", "a/b", "delete"));
        assert_eq!(s.to_string(), "repository:a/b:pull,push");
        let all = Scope::parse("registry:catalog:*").unwrap();
        assert!(all.allows("registry", "catalog", "*"));
        assert!(Scope::parse("nonsense").is_none());
    }
}
