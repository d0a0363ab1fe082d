//! What a store knows about a layout besides its files: the references of
//! `index.json` and the graph of edges between manifests and what they
//! point at, built when the layout is opened (oras-go `loadIndex` and
//! `graph.Memory.IndexAll`).

use std::collections::HashSet;

use oras_content::{Graph, successors_from_bytes};
use oras_spec::{Descriptor, DescriptorKey};

use crate::error::{Error, Result};
use crate::layout::{ref_name, without_ref_name};
use crate::source::Source;
use crate::tags::TagMap;

/// References and graph of one layout.
#[derive(Debug, Default, Clone)]
pub(crate) struct Catalog {
    pub(crate) tags: TagMap,
    pub(crate) graph: Graph,
}

impl Catalog {
    /// Builds the catalog of the `manifests` listed in `index.json`: each
    /// is known by its digest and, if it has `ref.name`, by that tag; each
    /// is indexed with everything reachable from it.
    pub(crate) async fn load(source: &Source, manifests: &[Descriptor]) -> Result<Catalog> {
        let mut catalog = Catalog::default();
        let mut visited = HashSet::new();
        for desc in manifests {
            catalog
                .tags
                .tag(&without_ref_name(desc), &desc.digest.to_string());
            if let Some(name) = ref_name(desc) {
                catalog.tags.tag(desc, name);
            }
            index_all(source, &mut catalog.graph, &desc.plain(), &mut visited).await?;
        }
        Ok(catalog)
    }

    /// The descriptor a reference names in the index: the full descriptor
    /// for a tag, the plain one for a digest (oras-go `Store.Resolve`).
    pub(crate) fn resolve(&self, reference: &str) -> Option<Descriptor> {
        let desc = self.tags.get(reference)?;
        if desc.digest.to_string() == reference {
            Some(desc.plain())
        } else {
            Some(desc.clone())
        }
    }
}

/// Indexes `root` and every node reachable from it into `graph`, reading
/// manifests (at most 4 MiB each, verified) from `source`. A node that is
/// not in the layout is skipped, as oras-go's `IndexAll` does. `visited`
/// collects every node met, so shared nodes are read once and the walk
/// ends even on a crafted graph (GHSA-298f-872v-2rcx).
pub(crate) async fn index_all(
    source: &Source,
    graph: &mut Graph,
    root: &Descriptor,
    visited: &mut HashSet<DescriptorKey>,
) -> Result<()> {
    let mut pending = vec![root.clone()];
    while let Some(node) = pending.pop() {
        if !visited.insert(node.key()) || !node.is_manifest() {
            continue;
        }
        let Some(bytes) = source.manifest(&node).await? else {
            continue;
        };
        let successors = successors_from_bytes(&node, &bytes).map_err(Error::from)?;
        graph.index(&node, successors.clone());
        pending.extend(successors);
    }
    Ok(())
}
