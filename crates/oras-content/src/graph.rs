//! An in-memory index of the edges between nodes, kept by stores that
//! answer [`crate::PredecessorFinder`] (oras-go `internal/graph.Memory`).

use std::collections::HashMap;

use oras_spec::{Descriptor, DescriptorKey};

/// Edges in both directions between descriptors, keyed by identity.
#[derive(Debug, Default, Clone)]
pub struct Graph {
    predecessors: HashMap<DescriptorKey, Vec<Descriptor>>,
    successors: HashMap<DescriptorKey, Vec<Descriptor>>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Graph::default()
    }

    /// Records that `node` points at each of `successors`. Indexing the
    /// same node again replaces nothing and adds no duplicate edge.
    pub fn index(&mut self, node: &Descriptor, successors: Vec<Descriptor>) {
        let key = node.key();
        for successor in &successors {
            let preds = self.predecessors.entry(successor.key()).or_default();
            if !preds.iter().any(|p| p.same_content(node)) {
                preds.push(node.clone());
            }
        }
        self.successors.entry(key).or_insert(successors);
    }

    /// The nodes that point at `node`, in the order they were indexed.
    pub fn predecessors(&self, node: &Descriptor) -> Vec<Descriptor> {
        self.predecessors
            .get(&node.key())
            .cloned()
            .unwrap_or_default()
    }

    /// The nodes `node` points at, if it was indexed.
    pub fn successors(&self, node: &Descriptor) -> Option<&[Descriptor]> {
        self.successors.get(&node.key()).map(Vec::as_slice)
    }

    /// Whether `node` was indexed as a parent.
    pub fn contains(&self, node: &Descriptor) -> bool {
        self.successors.contains_key(&node.key())
    }

    /// Removes `node` and its outgoing edges; returns the successors that
    /// no longer have any predecessor (candidates for garbage collection).
    pub fn remove(&mut self, node: &Descriptor) -> Vec<Descriptor> {
        let key = node.key();
        let mut dangling = Vec::new();
        if let Some(successors) = self.successors.remove(&key) {
            for successor in successors {
                let skey = successor.key();
                if let Some(preds) = self.predecessors.get_mut(&skey) {
                    preds.retain(|p| !p.same_content(node));
                    if preds.is_empty() {
                        self.predecessors.remove(&skey);
                        if !dangling
                            .iter()
                            .any(|d: &Descriptor| d.same_content(&successor))
                        {
                            dangling.push(successor);
                        }
                    }
                }
            }
        }
        dangling
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str) -> Descriptor {
        Descriptor::from_bytes("a/b", name.as_bytes())
    }

    #[test]
    fn indexes_and_removes_edges() {
        let mut g = Graph::new();
        g.index(&d("m1"), vec![d("c"), d("l1")]);
        g.index(&d("m2"), vec![d("c"), d("l2")]);
        g.index(&d("m2"), vec![d("c"), d("l2")]);
        assert_eq!(g.predecessors(&d("c")), vec![d("m1"), d("m2")]);
        assert!(g.contains(&d("m1")));
        let dangling = g.remove(&d("m1"));
        assert_eq!(dangling, vec![d("l1")]);
        assert_eq!(g.predecessors(&d("c")), vec![d("m2")]);
        assert!(g.predecessors(&d("l1")).is_empty());
        assert_eq!(g.remove(&d("m2")), vec![d("c"), d("l2")]);
    }
}
