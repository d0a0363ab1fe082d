//! Predecessor finders and filters for extended copies: oras-go's
//! `FilterArtifactType`, `FilterAnnotation` and `registry.Referrers`.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use oras_content::{MAX_METADATA_BYTES, ReadOnlyGraphStorage, fetch_all};
use oras_spec::{ArtifactManifest, Descriptor, Index, Manifest, media_type};
use regex::Regex;
use serde::Deserialize;

use crate::options::{ExtendedCopyGraphOptions, FindPredecessorsHook};

fn hook<F>(f: F) -> FindPredecessorsHook
where
    F: for<'a> Fn(
            &'a dyn ReadOnlyGraphStorage,
            &'a Descriptor,
        ) -> BoxFuture<'a, oras_content::Result<Vec<Descriptor>>>
        + Send
        + Sync
        + 'static,
{
    Arc::new(f)
}

/// A `find_predecessors` hook listing referrers as the CLI does
/// (`registry.Referrers`): see [`referrers`].
pub fn referrers_finder() -> FindPredecessorsHook {
    hook(|src, desc| Box::pin(referrers(src, desc, None)))
}

/// The referrers of `desc`: the manifests whose `subject` is `desc`, with
/// `artifactType` and annotations filled in, keeping only `artifact_type`
/// when given (referrers without one are kept too, as the distribution
/// spec allows). Uses the store's referrers API when it has one, else its
/// predecessors, reading each (up to 4 MiB) to check the subject.
pub async fn referrers<S: ReadOnlyGraphStorage + ?Sized>(
    src: &S,
    desc: &Descriptor,
    artifact_type: Option<&str>,
) -> oras_content::Result<Vec<Descriptor>> {
    if !desc.is_manifest() {
        return Err(oras_content::Error::Unsupported(format!(
            "the descriptor {} is not a manifest",
            desc.digest
        )));
    }
    if let Some(lister) = src.as_referrer_lister() {
        return lister.referrers(desc, artifact_type).await;
    }
    let mut out = Vec::new();
    for mut node in src.predecessors(desc).await? {
        let (subject, found_type, annotations) = match node.media_type.as_str() {
            media_type::IMAGE_MANIFEST => {
                let m: Manifest = read_json(src, &node, "image manifest").await?;
                let found = if m.artifact_type.is_empty() {
                    m.config.media_type
                } else {
                    m.artifact_type
                };
                (m.subject, found, m.annotations)
            }
            media_type::IMAGE_INDEX => {
                let i: Index = read_json(src, &node, "image index").await?;
                (i.subject, i.artifact_type, i.annotations)
            }
            media_type::ARTIFACT_MANIFEST => {
                let a: ArtifactManifest = read_json(src, &node, "artifact manifest").await?;
                (a.subject, a.artifact_type, a.annotations)
            }
            _ => continue,
        };
        if !subject.is_some_and(|s| s.same_content(desc)) {
            continue;
        }
        node.artifact_type = found_type;
        node.annotations = annotations;
        if artifact_type.is_none_or(|want| want.is_empty() || want == node.artifact_type) {
            out.push(node);
        }
    }
    Ok(out)
}

impl ExtendedCopyGraphOptions {
    /// Keeps only predecessors whose artifact type matches `regex`. A
    /// missing artifact type is read from the manifest: its
    /// `artifactType`, or for an image manifest without one its config
    /// media type, as `registry.Referrers` does. (oras-go's
    /// `fetchArtifactType` reads only the config media type of image
    /// manifests, so image-spec 1.1 artifacts never matched; we do not
    /// copy that quirk.) Without an earlier finder, a store with a
    /// referrers API is asked through it.
    pub fn filter_artifact_type(&mut self, regex: Regex) {
        let previous = self.find_predecessors.take();
        self.find_predecessors = Some(hook(move |src, desc| {
            let previous = previous.clone();
            let regex = regex.clone();
            Box::pin(async move {
                let keep = |d: &Descriptor| regex.is_match(&d.artifact_type);
                let found = match candidates(src, desc, previous.as_ref()).await? {
                    Candidates::FromReferrers(list) => {
                        return Ok(list.into_iter().filter(keep).collect());
                    }
                    Candidates::Predecessors(list) => list,
                };
                let mut kept = Vec::new();
                for mut p in found {
                    if p.artifact_type.is_empty() {
                        p.artifact_type = fetch_artifact_type(src, &p).await?;
                    }
                    if keep(&p) {
                        kept.push(p);
                    }
                }
                Ok(kept)
            })
        }));
    }

    /// Keeps only predecessors with annotation `key`, whose value matches
    /// `regex` when given. Missing annotations are read from the manifest.
    /// Call [`Self::filter_artifact_type`] first when using both: it is
    /// cheaper.
    pub fn filter_annotation(&mut self, key: impl Into<String>, regex: Option<Regex>) {
        let key: Arc<str> = key.into().into();
        let previous = self.find_predecessors.take();
        self.find_predecessors = Some(hook(move |src, desc| {
            let previous = previous.clone();
            let regex = regex.clone();
            let key = key.clone();
            Box::pin(async move {
                let keep = |d: &Descriptor| {
                    d.annotations
                        .get(&*key)
                        .is_some_and(|v| regex.as_ref().is_none_or(|r| r.is_match(v)))
                };
                let found = match candidates(src, desc, previous.as_ref()).await? {
                    Candidates::FromReferrers(list) => {
                        return Ok(list.into_iter().filter(keep).collect());
                    }
                    Candidates::Predecessors(list) => list,
                };
                let mut kept = Vec::new();
                for mut p in found {
                    if p.annotations.is_empty() && p.is_manifest() {
                        p.annotations = fetch_annotations(src, &p).await?;
                    }
                    if keep(&p) {
                        kept.push(p);
                    }
                }
                Ok(kept)
            })
        }));
    }
}

enum Candidates {
    /// From a referrers API: descriptors already carry type and annotations.
    FromReferrers(Vec<Descriptor>),
    /// From a finder or `predecessors`: may lack them.
    Predecessors(Vec<Descriptor>),
}

async fn candidates(
    src: &dyn ReadOnlyGraphStorage,
    desc: &Descriptor,
    previous: Option<&FindPredecessorsHook>,
) -> oras_content::Result<Candidates> {
    if let Some(find) = previous {
        return Ok(Candidates::Predecessors(find(src, desc).await?));
    }
    if let Some(lister) = src.as_referrer_lister() {
        return Ok(Candidates::FromReferrers(
            lister.referrers(desc, None).await?,
        ));
    }
    Ok(Candidates::Predecessors(src.predecessors(desc).await?))
}

async fn fetch_artifact_type(
    src: &dyn ReadOnlyGraphStorage,
    desc: &Descriptor,
) -> oras_content::Result<String> {
    Ok(match desc.media_type.as_str() {
        media_type::ARTIFACT_MANIFEST => {
            read_json::<ArtifactManifest, _>(src, desc, "artifact manifest")
                .await?
                .artifact_type
        }
        media_type::IMAGE_MANIFEST => {
            let manifest: Manifest = read_json(src, desc, "image manifest").await?;
            if manifest.artifact_type.is_empty() {
                manifest.config.media_type
            } else {
                manifest.artifact_type
            }
        }
        _ => String::new(),
    })
}

async fn fetch_annotations(
    src: &dyn ReadOnlyGraphStorage,
    desc: &Descriptor,
) -> oras_content::Result<BTreeMap<String, String>> {
    #[derive(Deserialize)]
    struct Annotated {
        #[serde(default)]
        annotations: Option<BTreeMap<String, String>>,
    }
    let doc: Annotated = read_json(src, desc, "manifest").await?;
    Ok(doc.annotations.unwrap_or_default())
}

async fn read_json<T, S>(src: &S, desc: &Descriptor, what: &'static str) -> oras_content::Result<T>
where
    T: serde::de::DeserializeOwned,
    S: ReadOnlyGraphStorage + ?Sized,
{
    let content = fetch_all(src, desc, MAX_METADATA_BYTES).await?;
    serde_json::from_slice(&content)
        .map_err(|source| oras_spec::Error::Json { what, source }.into())
}
