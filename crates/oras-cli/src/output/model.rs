//! The JSON models of `--format json` and `--format go-template` (Go
//! `cmd/oras/internal/display/metadata/model`). Field order and omission
//! rules follow the Go structs, so the JSON is byte-identical.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use oras_spec::{Descriptor, Digest, annotation};
use serde::Serialize;
use serde_json::Value;

/// A descriptor with its `reference` (`<repo>@<digest>`); only media type,
/// digest, size, annotations and artifact type are kept.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescriptorModel {
    /// `<path>@<digest>`.
    pub reference: String,
    /// Media type.
    pub media_type: String,
    /// Digest.
    pub digest: Digest,
    /// Size.
    pub size: u64,
    /// Annotations (omitted when empty).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Artifact type (omitted when empty).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub artifact_type: String,
}

impl DescriptorModel {
    /// The model of `desc` in the repository or layout `path`.
    pub fn new(path: &str, desc: &Descriptor) -> Self {
        DescriptorModel {
            reference: format!("{path}@{}", desc.digest),
            media_type: desc.media_type.clone(),
            digest: desc.digest.clone(),
            size: desc.size,
            annotations: desc.annotations.clone(),
            artifact_type: desc.artifact_type.clone(),
        }
    }
}

/// `oras push` and `oras attach` output (attach has no tags: use
/// [`DescriptorModel`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushModel {
    /// The pushed manifest.
    #[serde(flatten)]
    pub descriptor: DescriptorModel,
    /// `<path>:<tag>` for every tag, sorted; `null` without tags.
    pub reference_as_tags: Option<Vec<String>>,
}

impl PushModel {
    /// The model of a push of `desc` to `path` with `tags`.
    pub fn new(path: &str, desc: &Descriptor, tags: &[String]) -> Self {
        let mut tags = tags.to_vec();
        tags.sort();
        let refs: Vec<String> = tags.iter().map(|t| format!("{path}:{t}")).collect();
        PushModel {
            descriptor: DescriptorModel::new(path, desc),
            reference_as_tags: if refs.is_empty() { None } else { Some(refs) },
        }
    }
}

/// One pulled file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileModel {
    /// Absolute path; directories that were unpacked end in a separator.
    pub path: String,
    /// The layer.
    #[serde(flatten)]
    pub descriptor: DescriptorModel,
}

impl FileModel {
    /// The model of the layer `desc` written as `name` under `output_dir`
    /// (Go `model.newFile`); `desc_path` is the source repository.
    pub fn new(
        name: &str,
        output_dir: &Path,
        desc: &Descriptor,
        desc_path: &str,
    ) -> std::io::Result<Self> {
        let mut path = if Path::new(name).is_absolute() {
            clean(Path::new(name))
        } else {
            std::path::absolute(output_dir.join(name)).map(|p| clean(&p))?
        }
        .to_string_lossy()
        .into_owned();
        if desc
            .annotations
            .get(annotation::CONTENT_UNPACK)
            .map(String::as_str)
            == Some("true")
        {
            path.push(std::path::MAIN_SEPARATOR);
        }
        Ok(FileModel {
            path,
            descriptor: DescriptorModel::new(desc_path, desc),
        })
    }
}

/// Lexical clean of `.` and `..` components (Go `filepath.Clean`).
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `oras pull` output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PullModel {
    /// `<path>@<digest>` of the pulled root.
    pub reference: String,
    /// The files written, in completion order; `null` when none.
    pub files: Option<Vec<FileModel>>,
}

impl PullModel {
    /// The model of a pull of `root` from `path`.
    pub fn new(path: &str, root: &Digest, files: Vec<FileModel>) -> Self {
        PullModel {
            reference: format!("{path}@{root}"),
            files: if files.is_empty() { None } else { Some(files) },
        }
    }
}

/// A node of `oras discover --format json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiscoverNode {
    /// The manifest.
    #[serde(flatten)]
    pub descriptor: DescriptorModel,
    /// Its referrers, recursively (always an array).
    pub referrers: Vec<DiscoverNode>,
}

/// Builds the discover tree from `(referrer, subject)` pairs as they are
/// found (Go `model.Discover`).
#[derive(Clone, Debug)]
pub struct DiscoverTree {
    path: String,
    root: DiscoverNode,
    /// Child-index path from the root to each known node.
    index: HashMap<Digest, Vec<usize>>,
}

impl DiscoverTree {
    /// A tree rooted at `subject` in `path`.
    pub fn new(path: &str, subject: &Descriptor) -> Self {
        let mut index = HashMap::new();
        index.insert(subject.digest.clone(), Vec::new());
        DiscoverTree {
            path: path.to_owned(),
            root: DiscoverNode {
                descriptor: DescriptorModel::new(path, subject),
                referrers: Vec::new(),
            },
            index,
        }
    }

    /// Adds `referrer` under `subject`; an unknown subject is an error.
    pub fn add(&mut self, referrer: &Descriptor, subject: &Descriptor) -> Result<(), String> {
        let Some(route) = self.index.get(&subject.digest).cloned() else {
            return Err(format!("unexpected subject descriptor: {}", subject.digest));
        };
        let mut node = &mut self.root;
        for &i in &route {
            node = &mut node.referrers[i];
        }
        node.referrers.push(DiscoverNode {
            descriptor: DescriptorModel::new(&self.path, referrer),
            referrers: Vec::new(),
        });
        let mut child_route = route;
        child_route.push(node.referrers.len() - 1);
        self.index.insert(referrer.digest.clone(), child_route);
        Ok(())
    }

    /// The root node.
    pub fn root(&self) -> &DiscoverNode {
        &self.root
    }
}

/// `oras manifest fetch --format json`: the descriptor plus the parsed
/// manifest (`null` when it is not JSON), with its keys sorted as Go's map.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FetchedModel {
    /// The manifest descriptor.
    #[serde(flatten)]
    pub descriptor: DescriptorModel,
    /// The manifest content.
    pub content: Value,
}

impl FetchedModel {
    /// The model of the manifest `bytes` described by `desc` in `path`.
    pub fn new(path: &str, desc: &Descriptor, bytes: &[u8]) -> Self {
        let content = match serde_json::from_slice::<Value>(bytes) {
            Ok(v @ Value::Object(_)) => crate::output::json::sort_keys(v),
            _ => Value::Null,
        };
        FetchedModel {
            descriptor: DescriptorModel::new(path, desc),
            content,
        }
    }
}

/// `oras repo ls` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RepositoriesModel {
    /// The registry.
    pub registry: String,
    /// Repository names (with the namespace prefix removed).
    pub repositories: Vec<String>,
}

/// `oras repo tags` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TagsModel {
    /// Tags.
    pub tags: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::json::to_pretty_json;

    fn desc() -> Descriptor {
        let mut d = Descriptor::from_bytes(oras_spec::media_type::IMAGE_MANIFEST, b"{}");
        d.artifact_type = "application/vnd.unknown.artifact.v1".into();
        d
    }

    const DIGEST: &str = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    #[test]
    fn push_model_json() {
        let m = PushModel::new("localhost:5000/hello", &desc(), &["v2".into(), "v1".into()]);
        assert_eq!(
            to_pretty_json(&m).unwrap(),
            format!(
                "{{\n  \"reference\": \"localhost:5000/hello@{DIGEST}\",\n  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n  \"digest\": \"{DIGEST}\",\n  \"size\": 2,\n  \"artifactType\": \"application/vnd.unknown.artifact.v1\",\n  \"referenceAsTags\": [\n    \"localhost:5000/hello:v1\",\n    \"localhost:5000/hello:v2\"\n  ]\n}}\n"
            )
        );
        let untagged = PushModel::new("r/x", &desc(), &[]);
        assert!(
            to_pretty_json(&untagged)
                .unwrap()
                .contains("\"referenceAsTags\": null")
        );
    }

    #[test]
    fn pull_model_paths_are_absolute() {
        let mut layer = Descriptor::from_bytes("text/plain", b"hi");
        layer
            .annotations
            .insert(annotation::TITLE.into(), "hi.txt".into());
        let f = FileModel::new("hi.txt", Path::new("out/./x/.."), &layer, "r/x").unwrap();
        assert!(Path::new(&f.path).is_absolute());
        assert!(
            f.path
                .ends_with(&format!("out{}hi.txt", std::path::MAIN_SEPARATOR))
        );
        let mut dir = layer.clone();
        dir.annotations
            .insert(annotation::CONTENT_UNPACK.into(), "true".into());
        let f = FileModel::new("/tmp/../tmp/dir", Path::new("."), &dir, "r/x").unwrap();
        assert_eq!(f.path, format!("/tmp/dir{}", std::path::MAIN_SEPARATOR));
        let m = PullModel::new("r/x", &desc().digest, vec![]);
        assert_eq!(
            to_pretty_json(&m).unwrap(),
            format!("{{\n  \"reference\": \"r/x@{DIGEST}\",\n  \"files\": null\n}}\n")
        );
        let m = PullModel::new("r/x", &desc().digest, vec![f]);
        let v: Value = serde_json::from_str(&to_pretty_json(&m).unwrap()).unwrap();
        assert_eq!(
            v["files"][0]["annotations"]["org.opencontainers.image.title"],
            "hi.txt"
        );
        assert_eq!(v["files"][0]["reference"], format!("r/x@{}", layer.digest));
    }

    #[test]
    fn discover_tree() {
        let subject = desc();
        let a = Descriptor::from_bytes("a/b", b"a");
        let b = Descriptor::from_bytes("a/b", b"b");
        let mut tree = DiscoverTree::new("r/x", &subject);
        tree.add(&a, &subject).unwrap();
        tree.add(&b, &a).unwrap();
        assert!(
            tree.add(&subject, &Descriptor::from_bytes("a/b", b"zzz"))
                .is_err()
        );
        let v = serde_json::to_value(tree.root()).unwrap();
        assert_eq!(v["referrers"][0]["digest"], a.digest.to_string());
        assert_eq!(
            v["referrers"][0]["referrers"][0]["digest"],
            b.digest.to_string()
        );
        assert_eq!(
            v["referrers"][0]["referrers"][0]["referrers"],
            serde_json::json!([])
        );
    }

    #[test]
    fn fetched_and_lists() {
        let m = FetchedModel::new(
            "r/x",
            &desc(),
            br#"{"schemaVersion":2,"config":{"size":2}}"#,
        );
        let text = to_pretty_json(&m).unwrap();
        assert!(text.contains("\"content\": {\n    \"config\": {\n      \"size\": 2\n    },\n    \"schemaVersion\": 2\n  }"));
        assert!(
            to_pretty_json(&FetchedModel::new("r/x", &desc(), b"nope"))
                .unwrap()
                .contains("\"content\": null")
        );
        let r = RepositoriesModel {
            registry: "localhost:5000".into(),
            repositories: vec![],
        };
        assert_eq!(
            to_pretty_json(&r).unwrap(),
            "{\n  \"registry\": \"localhost:5000\",\n  \"repositories\": []\n}\n"
        );
        assert_eq!(
            to_pretty_json(&TagsModel::default()).unwrap(),
            "{\n  \"tags\": []\n}\n"
        );
    }
}
