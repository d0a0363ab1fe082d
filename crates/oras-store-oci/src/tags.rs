//! The references of a layout: tags and digests, each pointing at a
//! descriptor, as oras-go's `internal/resolver.Memory` keeps them. A
//! manifest is always "tagged" by its own digest string too; that entry is
//! what lists an untagged manifest in `index.json`.

use std::collections::{BTreeSet, HashMap};

use oras_spec::{Descriptor, Digest, annotation};

use crate::layout::without_ref_name;

#[derive(Debug, Clone)]
struct Entry {
    desc: Descriptor,
    /// Insertion order, so `index.json` lists untagged manifests stably.
    seq: u64,
}

/// References (tags and digest strings) and the descriptors they name.
#[derive(Debug, Default, Clone)]
pub(crate) struct TagMap {
    refs: HashMap<String, Entry>,
    /// The references naming each digest, whatever the media type they
    /// were tagged with: oras-go's resolver keys its tag sets by digest
    /// alone, so `isTagged` and `saveIndex` see content tagged under
    /// another media type as tagged.
    by_digest: HashMap<Digest, BTreeSet<String>>,
    next_seq: u64,
}

impl TagMap {
    /// Points `reference` at `desc`, moving it if it named something else.
    pub(crate) fn tag(&mut self, desc: &Descriptor, reference: &str) {
        self.remove(reference);
        self.next_seq += 1;
        self.refs.insert(
            reference.to_owned(),
            Entry {
                desc: desc.clone(),
                seq: self.next_seq,
            },
        );
        self.by_digest
            .entry(desc.digest.clone())
            .or_default()
            .insert(reference.to_owned());
    }

    /// Removes `reference`, returning what it named.
    pub(crate) fn remove(&mut self, reference: &str) -> Option<Descriptor> {
        let entry = self.refs.remove(reference)?;
        let digest = &entry.desc.digest;
        if let Some(set) = self.by_digest.get_mut(digest) {
            set.remove(reference);
            if set.is_empty() {
                self.by_digest.remove(digest);
            }
        }
        Some(entry.desc)
    }

    /// The descriptor `reference` names.
    pub(crate) fn get(&self, reference: &str) -> Option<&Descriptor> {
        self.refs.get(reference).map(|e| &e.desc)
    }

    /// Every reference (digest string included) naming content with
    /// `digest`, whatever media type it was tagged with: once the file is
    /// gone, all of them dangle.
    pub(crate) fn references_to(&self, digest: &Digest) -> Vec<String> {
        let mut out: Vec<String> = self
            .refs
            .iter()
            .filter(|(_, e)| e.desc.digest == *digest)
            .map(|(name, _)| name.clone())
            .collect();
        out.sort();
        out
    }

    /// Whether `desc`'s digest has a tag other than the digest itself,
    /// under any media type (oras-go `isTagged`).
    pub(crate) fn is_tagged(&self, desc: &Descriptor) -> bool {
        let digest = desc.digest.to_string();
        self.by_digest
            .get(&desc.digest)
            .is_some_and(|set| set.iter().any(|r| *r != digest))
    }

    /// The tags (digest references excluded), sorted, after `last` if given.
    pub(crate) fn tags(&self, last: Option<&str>) -> Vec<String> {
        let mut tags: Vec<String> = self
            .refs
            .iter()
            .filter(|(name, e)| !is_digest_ref(name, &e.desc))
            .filter(|(name, _)| last.is_none_or(|l| name.as_str() > l))
            .map(|(name, _)| name.clone())
            .collect();
        tags.sort();
        tags
    }

    /// Tagged entries as `(tag, descriptor)`, sorted by tag.
    pub(crate) fn tagged(&self) -> Vec<(String, Descriptor)> {
        let mut out: Vec<(String, Descriptor)> = self
            .refs
            .iter()
            .filter(|(name, e)| !is_digest_ref(name, &e.desc))
            .map(|(name, e)| (name.clone(), e.desc.clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Entries named only by their digest, in insertion order.
    pub(crate) fn digest_only(&self) -> Vec<Descriptor> {
        let mut out: Vec<&Entry> = self
            .refs
            .iter()
            .filter(|(name, e)| is_digest_ref(name, &e.desc) && !self.is_tagged(&e.desc))
            .map(|(_, e)| e)
            .collect();
        out.sort_by_key(|e| e.seq);
        out.into_iter().map(|e| e.desc.clone()).collect()
    }

    /// The `manifests` of `index.json` (oras-go `saveIndex`): one entry
    /// per tag, with `ref.name` set to it; then each manifest known only by
    /// digest, without `ref.name`. Tags are sorted and untagged entries
    /// keep push order, so the file is stable across saves (Go's map order
    /// is random; readers must not depend on order either way).
    pub(crate) fn index_manifests(&self) -> Vec<Descriptor> {
        let mut out = Vec::new();
        let mut tagged_digests = BTreeSet::new();
        for (name, mut desc) in self.tagged() {
            tagged_digests.insert(desc.digest.clone());
            desc.annotations
                .insert(annotation::REF_NAME.to_owned(), name);
            out.push(desc);
        }
        for desc in self.digest_only() {
            if !tagged_digests.contains(&desc.digest) {
                out.push(without_ref_name(&desc));
            }
        }
        out
    }
}

fn is_digest_ref(name: &str, desc: &Descriptor) -> bool {
    desc.digest.to_string() == name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(data: &[u8]) -> Descriptor {
        Descriptor::from_bytes(oras_spec::media_type::IMAGE_MANIFEST, data)
    }

    #[test]
    fn tags_move_and_sets_follow() {
        let (a, b) = (d(b"a"), d(b"b"));
        let mut map = TagMap::default();
        map.tag(&a, &a.digest.to_string());
        map.tag(&a, "v1");
        assert!(map.is_tagged(&a));
        map.tag(&b, "v1");
        assert!(!map.is_tagged(&a), "retag moves the tag away from a");
        assert_eq!(map.references_to(&a.digest), vec![a.digest.to_string()]);
        assert_eq!(map.get("v1"), Some(&b));
        assert_eq!(map.tags(None), vec!["v1".to_owned()]);
        assert_eq!(map.remove("v1"), Some(b.clone()));
        assert!(map.references_to(&b.digest).is_empty());
        // References are found by digest, whatever media type they carry.
        let mut other_type = a.clone();
        other_type.media_type = "application/octet-stream".into();
        map.tag(&other_type, "as-blob");
        assert_eq!(
            map.references_to(&a.digest),
            vec!["as-blob".to_owned(), a.digest.to_string()]
        );
        // Tagged is by digest too, as oras-go's resolver keeps tag sets.
        assert!(map.is_tagged(&a), "tagged under another media type");
        assert!(
            map.index_manifests()
                .iter()
                .all(|x| x.media_type != a.media_type)
        );
    }

    #[test]
    fn index_lists_tags_then_untagged_without_duplicates() {
        let (a, b, c) = (d(b"a"), d(b"b"), d(b"c"));
        let mut map = TagMap::default();
        for x in [&c, &a, &b] {
            map.tag(x, &x.digest.to_string());
        }
        map.tag(&a, "z");
        map.tag(&a, "m");
        let listed = map.index_manifests();
        let names: Vec<Option<&str>> = listed
            .iter()
            .map(|x| x.annotations.get(annotation::REF_NAME).map(String::as_str))
            .collect();
        assert_eq!(names, vec![Some("m"), Some("z"), None, None]);
        assert_eq!(listed[2].digest, c.digest, "untagged keep push order");
        assert_eq!(listed[3].digest, b.digest);
        assert_eq!(map.tags(Some("m")), vec!["z".to_owned()]);
    }
}
