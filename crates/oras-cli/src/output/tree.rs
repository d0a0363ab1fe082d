//! The `tree` and `table` formats of `oras discover` (Go
//! `display/metadata/tree`, `display/metadata/table`, `internal/tree`).

use std::collections::HashMap;

use oras_spec::{Descriptor, Digest};

use crate::output::escape::escape_controls;

const EDGE_EMPTY: &str = "    ";
const EDGE_PIPE: &str = "│   ";
const EDGE_ITEM: &str = "├── ";
const EDGE_LAST: &str = "└── ";

/// A tree of text lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Node {
    /// The text of this node.
    pub value: String,
    /// Its children, in insertion order.
    pub children: Vec<Node>,
}

impl Node {
    /// A leaf.
    pub fn new(value: impl Into<String>) -> Self {
        Node {
            value: value.into(),
            children: Vec::new(),
        }
    }

    /// Renders the tree with box-drawing edges (Go `tree.Printer`).
    pub fn render(&self) -> String {
        let mut out = String::new();
        render(&mut out, "", self);
        out
    }
}

fn render(out: &mut String, prefix: &str, node: &Node) {
    out.push_str(&node.value);
    out.push('\n');
    let Some((last, rest)) = node.children.split_last() else {
        return;
    };
    for child in rest {
        out.push_str(prefix);
        out.push_str(EDGE_ITEM);
        render(out, &format!("{prefix}{EDGE_PIPE}"), child);
    }
    out.push_str(prefix);
    out.push_str(EDGE_LAST);
    render(out, &format!("{prefix}{EDGE_EMPTY}"), last);
}

/// ANSI colours of the tree on a terminal (Go uses aec).
#[derive(Clone, Copy, Debug, Default)]
pub struct Colors {
    enabled: bool,
}

impl Colors {
    /// Colours on or off.
    pub fn new(enabled: bool) -> Self {
        Colors { enabled }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Builds the discover tree: the root `<path>@<digest>`, then per referrer
/// its artifact type (`<unknown>` when empty) and digest, and an
/// `[annotations]` node with one `key: value` YAML line each.
#[derive(Clone, Debug)]
pub struct DiscoverTreeView {
    root: Node,
    index: HashMap<Digest, Vec<usize>>,
    colors: Colors,
}

impl DiscoverTreeView {
    /// A tree rooted at `subject` in `path`.
    pub fn new(path: &str, subject: &Descriptor, colors: Colors) -> Self {
        let mut index = HashMap::new();
        index.insert(subject.digest.clone(), Vec::new());
        DiscoverTreeView {
            root: Node::new(colors.paint("32", &format!("{path}@{}", subject.digest))),
            index,
            colors,
        }
    }

    /// Adds `referrer` under `subject`; an unknown subject is an error.
    pub fn add(&mut self, referrer: &Descriptor, subject: &Descriptor) -> Result<(), String> {
        let Some(route) = self.index.get(&subject.digest).cloned() else {
            return Err(format!("unexpected subject descriptor: {}", subject.digest));
        };
        let mut node = &mut self.root;
        for &i in &route {
            node = &mut node.children[i];
        }
        // The artifact type comes from the registry: escaped for the terminal.
        let artifact_type = if referrer.artifact_type.is_empty() {
            "<unknown>".into()
        } else {
            escape_controls(&referrer.artifact_type)
        };
        // Go's AddPath(artifactType, digest) reuses a child with the same
        // value (`internal/tree.Node.AddPath`): referrers of one artifact
        // type are grouped under one type node.
        let type_value = self.colors.paint("93", &artifact_type);
        let type_index = match node.children.iter().position(|c| c.value == type_value) {
            Some(i) => i,
            None => {
                node.children.push(Node::new(type_value));
                node.children.len() - 1
            }
        };
        let mut digest_node = Node::new(self.colors.paint("32", &referrer.digest.to_string()));
        if !referrer.annotations.is_empty() {
            let mut annotations = Node::new(self.colors.paint("90", "[annotations]"));
            for (key, value) in &referrer.annotations {
                annotations.children.push(Node::new(format!(
                    "{}: {}",
                    yaml_scalar(key),
                    yaml_scalar(value)
                )));
            }
            digest_node.children.push(annotations);
        }
        let type_node = &mut node.children[type_index];
        type_node.children.push(digest_node);
        let mut child_route = route;
        child_route.push(type_index);
        child_route.push(type_node.children.len() - 1);
        self.index.insert(referrer.digest.clone(), child_route);
        Ok(())
    }

    /// The rendered tree.
    pub fn render(&self) -> String {
        self.root.render()
    }
}

/// A string as a YAML scalar: plain when unambiguous, else double-quoted.
fn yaml_scalar(text: &str) -> String {
    let special_start = text
        .chars()
        .next()
        .is_none_or(|c| "-?:,[]{}#&*!|>'\"%@` ".contains(c));
    let lower = text.to_ascii_lowercase();
    let reserved = matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
    );
    let numeric = text.parse::<f64>().is_ok();
    let b = text.as_bytes();
    let timestamp = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    let needs_quotes = special_start
        || reserved
        || numeric
        || timestamp
        || text.ends_with(' ')
        || text.contains(": ")
        || text.contains(" #")
        || text.chars().any(|c| c.is_control());
    if needs_quotes {
        crate::error::quote(text)
    } else {
        text.to_owned()
    }
}

/// The deprecated `table` format: a count line, `Digest:`, and a table of
/// artifact types and digests (Go `table.discoverHandler`); when
/// `verbose` (the default), each row is followed by the referrer's
/// descriptor as indented JSON (Go `output.PrintPrettyJSON`).
pub fn discover_table(
    raw_reference: &str,
    root: &Digest,
    referrers: &[Descriptor],
    verbose: bool,
) -> serde_json::Result<String> {
    let n = referrers.len();
    let noun = if n == 1 { "artifact" } else { "artifacts" };
    let mut out = format!("Discovered {n} {noun} referencing {raw_reference}\nDigest: {root}\n");
    if referrers.is_empty() {
        return Ok(out);
    }
    out.push('\n');
    let title = "Artifact Type";
    // Artifact types come from the registry: escaped for the terminal.
    let types: Vec<_> = referrers
        .iter()
        .map(|r| escape_controls(&r.artifact_type))
        .collect();
    let width = types
        .iter()
        .map(|t| t.len())
        .chain(std::iter::once(title.len()))
        .max()
        .unwrap_or(title.len());
    let row =
        |key: &str, value: &str| format!("{key} {} {value}\n", " ".repeat(width - key.len() + 1));
    out.push_str(&row(title, "Digest"));
    for (r, artifact_type) in referrers.iter().zip(&types) {
        out.push_str(&row(artifact_type, &r.digest.to_string()));
        if verbose {
            out.push_str(&crate::output::json::to_pretty_json(r)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_edges() {
        let mut root = Node::new("root");
        let mut a = Node::new("a");
        a.children.push(Node::new("a1"));
        root.children.push(a);
        root.children.push(Node::new("b"));
        assert_eq!(root.render(), "root\n├── a\n│   └── a1\n└── b\n");
    }

    #[test]
    fn discover_tree_text() {
        let subject = Descriptor::from_bytes("application/vnd.oci.image.manifest.v1+json", b"s");
        let mut sig = Descriptor::from_bytes("application/vnd.oci.image.manifest.v1+json", b"sig");
        sig.artifact_type = "application/vnd.cncf.notary.signature".into();
        sig.annotations.insert(
            "io.cncf.notary.x509chain.thumbprint#S256".into(),
            "[\"abc\"]".into(),
        );
        sig.annotations.insert(
            "org.opencontainers.image.created".into(),
            "2024-01-01T00:00:00Z".into(),
        );
        let sbom = Descriptor::from_bytes("application/vnd.oci.image.manifest.v1+json", b"sbom");
        let mut tree = DiscoverTreeView::new("localhost:5000/hello", &subject, Colors::new(false));
        tree.add(&sig, &subject).unwrap();
        tree.add(&sbom, &sig).unwrap();
        let expected = format!(
            "localhost:5000/hello@{}\n└── application/vnd.cncf.notary.signature\n    └── {}\n        ├── [annotations]\n        │   ├── io.cncf.notary.x509chain.thumbprint#S256: \"[\\\"abc\\\"]\"\n        │   └── org.opencontainers.image.created: \"2024-01-01T00:00:00Z\"\n        └── <unknown>\n            └── {}\n",
            subject.digest, sig.digest, sbom.digest
        );
        assert_eq!(tree.render(), expected);
        assert!(
            tree.add(&sbom, &Descriptor::from_bytes("a/b", b"?"))
                .is_err()
        );
    }

    #[test]
    fn referrers_of_one_type_share_a_type_node() {
        let subject = Descriptor::from_bytes("application/vnd.oci.image.manifest.v1+json", b"s");
        let mut first = Descriptor::from_bytes("application/vnd.oci.image.manifest.v1+json", b"1");
        first.artifact_type = "application/vnd.example.sig".into();
        let mut second = first.clone();
        second.digest = Digest::sha256(b"2");
        let mut child = Descriptor::from_bytes("application/vnd.oci.image.manifest.v1+json", b"c");
        child.artifact_type = "application/vnd.example.sig".into();
        let mut tree = DiscoverTreeView::new("r/x", &subject, Colors::new(false));
        tree.add(&first, &subject).unwrap();
        tree.add(&second, &subject).unwrap();
        tree.add(&child, &second).unwrap();
        let expected = format!(
            "r/x@{}\n└── application/vnd.example.sig\n    ├── {}\n    └── {}\n        └── application/vnd.example.sig\n            └── {}\n",
            subject.digest, first.digest, second.digest, child.digest
        );
        assert_eq!(tree.render(), expected);
    }

    #[test]
    fn yaml_scalars() {
        assert_eq!(yaml_scalar("plain"), "plain");
        assert_eq!(yaml_scalar("true"), "\"true\"");
        assert_eq!(yaml_scalar("123"), "\"123\"");
        assert_eq!(yaml_scalar(""), "\"\"");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
    }

    #[test]
    fn table() {
        let root = Descriptor::from_bytes("a/b", b"r");
        assert_eq!(
            discover_table("r/x:v1", &root.digest, &[], true).unwrap(),
            format!(
                "Discovered 0 artifacts referencing r/x:v1\nDigest: {}\n",
                root.digest
            )
        );
        let mut one = Descriptor::from_bytes("a/b", b"1");
        one.artifact_type = "sbom/example".into();
        let text = discover_table("r/x:v1", &root.digest, &[one.clone()], false).unwrap();
        assert!(text.starts_with("Discovered 1 artifact referencing r/x:v1\n"));
        assert!(text.ends_with(&format!(
            "Artifact Type   Digest\nsbom/example    {}\n",
            one.digest
        )));
        let verbose = discover_table("r/x:v1", &root.digest, &[one.clone()], true).unwrap();
        assert!(verbose.ends_with(&format!(
            "sbom/example    {}\n{{\n  \"mediaType\": \"a/b\",\n  \"digest\": \"{}\",\n  \"size\": 1,\n  \"artifactType\": \"sbom/example\"\n}}\n",
            one.digest, one.digest
        )));
    }
}
