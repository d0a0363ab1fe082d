//! Referrers (oras-go `repository.go`, `referrers.go`).
//!
//! - Listing: with the state Unsupported, the tag schema; otherwise the
//!   API (`GET /referrers/<digest>[?artifactType=]`). A 200 with the
//!   index content type means supported; a 404 without `NAME_UNKNOWN`, or
//!   another content type, means unsupported, and while the state is
//!   unknown the listing falls back to the tag schema and records it.
//!   `artifactType` is filtered client-side unless `OCI-Filters-Applied`
//!   (or the legacy index annotation) says the registry did it.
//! - Tag schema: the index tagged `<alg>-<hex>` lists the referrers; a
//!   missing tag means none.
//! - Push of a manifest with `subject` without `OCI-Subject` in the answer:
//!   the state becomes Unsupported and the subject's index gets the new
//!   referrer (deduplicated; `manifests: []` never null); the old index is
//!   deleted unless `skip_referrers_gc`.
//! - Delete of such a manifest: unless the API is known to work, a ping
//!   (`GET /referrers/<zero digest>`) decides, and without the API the
//!   manifest is removed from the index first.

use std::collections::HashSet;
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use http::{HeaderMap, Method, StatusCode};
use oras_content::ErrorKind;
use oras_spec::{
    Algorithm, ArtifactManifest, Descriptor, DescriptorKey, Digest, Index, Manifest, Parsed,
    ReferenceTarget, media_type,
};

use super::Repository;
use super::manifests::has_subject_type;
use super::response::content_type;
use crate::error::Error;
use crate::pages::{Pager, Pages};

/// The legacy annotation that listed the filters a registry applied.
const FILTERS_APPLIED_ANNOTATION: &str = "org.opencontainers.referrers.filtersApplied";

/// What one step of a referrers listing produced.
enum Step {
    /// A page of the referrers API.
    Api(Vec<Descriptor>),
    /// The registry has no referrers API: the whole list, from the tag
    /// schema.
    TagSchema(Vec<Descriptor>),
    /// No more pages.
    End,
}

/// Where a referrers listing is between pages.
enum Listing {
    /// Nothing requested yet.
    Start,
    /// Reading the API's pages; `may_fall_back` while nothing was handed
    /// out and the capability was unknown at the start.
    Api {
        pager: Box<Pager>,
        may_fall_back: bool,
    },
    /// Done.
    Done,
}

/// The tag of the tag-schema index of `subject`: `<alg>-<hex>`, the hex
/// truncated to 64 characters (distribution spec "Referrers Tag Schema").
pub(crate) fn referrers_tag(subject: &Digest) -> String {
    let hex = subject.encoded();
    let hex = &hex[..hex.len().min(64)];
    format!("{}-{hex}", subject.algorithm())
}

/// Whether the registry says it filtered by `artifactType`.
fn filter_applied(applied: Option<&str>) -> bool {
    applied.is_some_and(|v| v.split(',').any(|f| f.trim() == "artifactType"))
}

fn filter(referrers: Vec<Descriptor>, artifact_type: Option<&str>) -> Vec<Descriptor> {
    match artifact_type.filter(|a| !a.is_empty()) {
        Some(wanted) => referrers
            .into_iter()
            .filter(|d| d.artifact_type == wanted)
            .collect(),
        None => referrers,
    }
}

/// oras-go `applyReferrerChanges`: drops empty and duplicate entries,
/// adds or removes `change`; `None` when nothing changed.
pub(crate) fn apply_change(
    referrers: &[Descriptor],
    change: &Descriptor,
    add: bool,
) -> Option<Vec<Descriptor>> {
    let mut seen: HashSet<DescriptorKey> = HashSet::new();
    let mut cleaned = false;
    let mut out: Vec<Descriptor> = Vec::with_capacity(referrers.len() + 1);
    for r in referrers {
        if r.media_type.is_empty() && r.size == 0 {
            cleaned = true;
            continue;
        }
        if !seen.insert(r.key()) {
            cleaned = true;
            continue;
        }
        out.push(r.clone());
    }
    let key = change.key();
    let changed = if add {
        if seen.contains(&key) {
            false
        } else {
            out.push(change.clone());
            true
        }
    } else {
        let before = out.len();
        out.retain(|d| d.key() != key);
        out.len() != before
    };
    (cleaned || changed).then_some(out)
}

impl Repository {
    /// The referrers of `subject` (filtered by `artifact_type`), one page
    /// at a time: the referrers API's pages, or, when the registry has no
    /// referrers API, one page with the tag schema's whole list (oras-go
    /// `Repository.Referrers`). A page is requested only when the stream
    /// is polled for it, so dropping the stream stops the listing; a
    /// registry found to lack the API on a later page than the first is
    /// an error, since earlier pages were handed out. The
    /// `ReferrerLister` trait's `referrers` collects these pages.
    ///
    /// ```
    /// use futures::TryStreamExt;
    /// use oras_spec::Descriptor;
    ///
    /// # async fn example(repository: oras_remote::Repository, subject: Descriptor) -> oras_content::Result<()> {
    /// let signatures: Vec<Descriptor> = repository
    ///     .referrer_pages(&subject, Some("application/vnd.cncf.notary.signature"))
    ///     .try_concat()
    ///     .await?;
    /// # drop(signatures);
    /// # Ok(())
    /// # }
    /// ```
    pub fn referrer_pages(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
    ) -> Pages<Descriptor> {
        let repository = self.clone();
        let subject = subject.clone();
        let artifact_type = artifact_type.filter(|a| !a.is_empty()).map(str::to_owned);
        stream::try_unfold(Listing::Start, move |listing| {
            let repository = repository.clone();
            let subject = subject.clone();
            let artifact_type = artifact_type.clone();
            async move {
                let artifact_type = artifact_type.as_deref();
                let (mut pager, may_fall_back) = match listing {
                    Listing::Done => return Ok::<_, oras_content::Error>(None),
                    Listing::Api {
                        pager,
                        may_fall_back,
                    } => (pager, may_fall_back),
                    Listing::Start => {
                        let state = repository.referrers_capability();
                        if state == Some(false) {
                            let list = repository
                                .referrers_by_tag_schema(&subject, artifact_type)
                                .await?;
                            return Ok(Some((list, Listing::Done)));
                        }
                        (
                            Box::new(repository.referrers_pager(&subject, artifact_type)?),
                            state.is_none(),
                        )
                    }
                };
                let step = repository
                    .referrers_step(&mut pager, &subject, artifact_type, may_fall_back)
                    .await?;
                Ok(match step {
                    Step::Api(page) => Some((
                        page,
                        Listing::Api {
                            pager,
                            may_fall_back: false,
                        },
                    )),
                    Step::TagSchema(list) => Some((list, Listing::Done)),
                    Step::End => None,
                })
            }
        })
        .boxed()
    }

    /// The referrers of `subject`, filtered by `artifact_type`.
    pub(crate) async fn list_referrers(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
    ) -> oras_content::Result<Vec<Descriptor>> {
        self.referrer_pages(subject, artifact_type)
            .try_concat()
            .await
    }

    /// The listing of `GET /referrers/<digest>[?artifactType=&n=]`.
    fn referrers_pager(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
    ) -> Result<Pager, Error> {
        let options = &self.inner.options;
        let mut url = self.url(&format!("referrers/{}", subject.digest))?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(kind) = artifact_type {
                query.append_pair("artifactType", kind);
            }
            if let Some(n) = options.referrers_page_size {
                query.append_pair("n", &n.to_string());
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        Ok(Pager::new(
            self.remote().clone(),
            url,
            self.pull_scopes(),
            format!("referrers of {}", subject.digest),
            options,
        ))
    }

    /// The next page of the referrers API. A 200 with the index content
    /// type means supported; a 404 without `NAME_UNKNOWN`, or another
    /// content type, means unsupported: the tag schema's list when
    /// `may_fall_back`, else oras-go's `referrersPageByAPI` error
    /// (`failed to query referrers API: unsupported`).
    async fn referrers_step(
        &self,
        pager: &mut Pager,
        subject: &Descriptor,
        artifact_type: Option<&str>,
        may_fall_back: bool,
    ) -> oras_content::Result<Step> {
        let Some(answer) = pager.request().await? else {
            return Ok(Step::End);
        };
        match answer.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => {
                let err = answer.into_error().await;
                if err.has_code(crate::errcode::NAME_UNKNOWN) {
                    return Err(err.into());
                }
                return self
                    .referrers_unsupported(subject, artifact_type, may_fall_back)
                    .await;
            }
            _ => return Err(answer.into_error().await.into()),
        }
        if content_type(&answer).as_deref() != Some(media_type::IMAGE_INDEX) {
            return self
                .referrers_unsupported(subject, artifact_type, may_fall_back)
                .await;
        }
        let header_filtered = filter_applied(answer.header("oci-filters-applied"));
        let page = pager.read(answer).await?;
        let index: Index = serde_json::from_slice(&page.body).map_err(|e| {
            page.answer.protocol(
                ErrorKind::InvalidContent,
                format!("invalid referrers index: {e}"),
            )
        })?;
        let filtered = header_filtered
            || filter_applied(
                index
                    .annotations
                    .get(FILTERS_APPLIED_ANNOTATION)
                    .map(String::as_str),
            );
        self.detect_referrers_capability(true);
        Ok(Step::Api(if filtered {
            index.manifests
        } else {
            filter(index.manifests, artifact_type)
        }))
    }

    /// The registry has no referrers API: the tag schema's list when a
    /// listing may still fall back to it, else oras-go's error.
    async fn referrers_unsupported(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
        may_fall_back: bool,
    ) -> oras_content::Result<Step> {
        if !may_fall_back {
            return Err(oras_content::Error::external(
                ErrorKind::Unsupported,
                "failed to query referrers API: unsupported",
            ));
        }
        self.detect_referrers_capability(false);
        let list = self.referrers_by_tag_schema(subject, artifact_type).await?;
        Ok(Step::TagSchema(list))
    }

    async fn referrers_by_tag_schema(
        &self,
        subject: &Descriptor,
        artifact_type: Option<&str>,
    ) -> oras_content::Result<Vec<Descriptor>> {
        let (_, referrers) = self.referrers_index(&subject.digest).await?;
        Ok(filter(referrers, artifact_type))
    }

    /// The tag-schema index of `subject`: its descriptor (`None` when the
    /// tag does not exist) and its entries.
    async fn referrers_index(
        &self,
        subject: &Digest,
    ) -> oras_content::Result<(Option<Descriptor>, Vec<Descriptor>)> {
        let tag = ReferenceTarget::Tag(referrers_tag(subject));
        match self.fetch_manifest_reference(&tag).await {
            Ok((desc, bytes)) => {
                let index: Parsed<Index> = Parsed::from_bytes(bytes.to_vec(), "referrers index")
                    .map_err(oras_content::Error::from)?;
                let (_, index) = index.into_parts();
                Ok((Some(desc), index.manifests))
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok((None, Vec::new())),
            Err(e) => Err(e),
        }
    }

    /// `GET /referrers/<zero digest>`: does the registry have the API?
    async fn ping_referrers(&self) -> oras_content::Result<bool> {
        if let Some(known) = self.referrers_capability() {
            return Ok(known);
        }
        let zero = Digest::new(Algorithm::Sha256, &"0".repeat(64))?;
        let url = self.url(&format!("referrers/{zero}"))?;
        let answer = self
            .remote()
            .send_empty(Method::GET, &url, HeaderMap::new(), &self.pull_scopes())
            .await?;
        match answer.status() {
            StatusCode::OK => {
                let supported = content_type(&answer).as_deref() == Some(media_type::IMAGE_INDEX);
                self.detect_referrers_capability(supported);
                Ok(supported)
            }
            StatusCode::NOT_FOUND => {
                let err = answer.into_error().await;
                if err
                    .response()
                    .is_some_and(|r| r.has_code(crate::errcode::NAME_UNKNOWN))
                {
                    return Err(err.into());
                }
                self.detect_referrers_capability(false);
                Ok(false)
            }
            _ => Err(answer.into_error().await.into()),
        }
    }

    /// After a manifest PUT: index it under its subject when the registry
    /// did not answer `OCI-Subject`.
    pub(crate) async fn index_referrers_for_push(
        &self,
        desc: &Descriptor,
        content: &[u8],
    ) -> oras_content::Result<()> {
        if self.referrers_capability() == Some(true) || !has_subject_type(&desc.media_type) {
            return Ok(());
        }
        let Some((subject, referrer)) = referrer_entry(desc, content)? else {
            return Ok(());
        };
        // A subject without OCI-Subject in the answer: no referrers API.
        self.detect_referrers_capability(false);
        if self.referrers_capability() == Some(true) {
            return Ok(());
        }
        self.update_referrers_index(&subject, &referrer, true).await
    }

    /// Before a manifest DELETE: remove it from its subject's index when
    /// the registry has no referrers API.
    pub(crate) async fn index_referrers_for_delete(
        &self,
        desc: &Descriptor,
        content: &[u8],
    ) -> oras_content::Result<()> {
        let Some((subject, _)) = referrer_entry(desc, content)? else {
            return Ok(());
        };
        if self.ping_referrers().await? {
            return Ok(());
        }
        self.update_referrers_index(&subject, desc, false).await
    }

    async fn update_referrers_index(
        &self,
        subject: &Descriptor,
        change: &Descriptor,
        add: bool,
    ) -> oras_content::Result<()> {
        let tag = referrers_tag(&subject.digest);
        let lock = {
            let mut locks = self
                .inner
                .referrer_locks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            locks
                .entry(tag.clone())
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(())))
                .clone()
        };
        let _serialised = lock.lock().await;
        let (old, referrers) = self.referrers_index(&subject.digest).await?;
        let Some(updated) = apply_change(&referrers, change, add) else {
            return Ok(());
        };
        // oras-go `updateReferrersIndex`: an emptied list is pushed only
        // when the old index is kept (SkipReferrersGC), so the tag never
        // keeps naming referrers that are gone; otherwise the tag goes
        // with the old index.
        if !updated.is_empty() || self.inner.options.skip_referrers_gc {
            let index = Parsed::from_value(Index::new(updated));
            let desc = index.descriptor(media_type::IMAGE_INDEX);
            let (bytes, _) = index.into_parts();
            self.put_manifest(&desc, Bytes::from(bytes), &tag).await?;
        }
        let Some(old) = old else {
            return Ok(());
        };
        if self.inner.options.skip_referrers_gc {
            return Ok(());
        }
        self.delete_raw(&old, true).await.map_err(|source| {
            Error::ReferrersIndexDelete {
                digest: old.digest.to_string(),
                subject: subject.digest.to_string(),
                source: Box::new(source),
            }
            .into()
        })
    }
}

/// The subject of a manifest and the descriptor to list under it: with
/// `artifactType` (falling back to the config's media type) and the
/// manifest's annotations.
fn referrer_entry(
    desc: &Descriptor,
    content: &[u8],
) -> oras_content::Result<Option<(Descriptor, Descriptor)>> {
    let mut entry = desc.plain();
    let subject = match desc.media_type.as_str() {
        media_type::IMAGE_MANIFEST => {
            let m: Manifest = parse(content, "image manifest")?;
            entry.artifact_type = if m.artifact_type.is_empty() {
                m.config.media_type.clone()
            } else {
                m.artifact_type
            };
            entry.annotations = m.annotations;
            m.subject
        }
        media_type::IMAGE_INDEX => {
            let i: Index = parse(content, "image index")?;
            entry.artifact_type = i.artifact_type;
            entry.annotations = i.annotations;
            i.subject
        }
        media_type::ARTIFACT_MANIFEST => {
            let a: ArtifactManifest = parse(content, "artifact manifest")?;
            entry.artifact_type = a.artifact_type;
            entry.annotations = a.annotations;
            a.subject
        }
        _ => None,
    };
    Ok(subject.map(|s| (s, entry)))
}

fn parse<T: serde::de::DeserializeOwned>(
    content: &[u8],
    what: &'static str,
) -> oras_content::Result<T> {
    serde_json::from_slice(content)
        .map_err(|source| oras_content::Error::from(oras_spec::Error::Json { what, source }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str) -> Descriptor {
        Descriptor::from_bytes(media_type::IMAGE_MANIFEST, name.as_bytes())
    }

    #[test]
    fn tag_schema_name() {
        let digest = Digest::sha256(b"x");
        assert_eq!(
            referrers_tag(&digest),
            format!("sha256-{}", digest.encoded())
        );
        let long = Digest::compute(Algorithm::Sha512, b"x");
        let tag = referrers_tag(&long);
        assert_eq!(tag.len(), "sha512-".len() + 64);
        assert!(oras_spec::Reference::validate_tag(&tag).is_ok());
    }

    #[test]
    fn changes_are_deduplicated_and_cleaned() {
        let (a, b) = (d("a"), d("b"));
        assert_eq!(
            apply_change(std::slice::from_ref(&a), &b, true),
            Some(vec![a.clone(), b.clone()])
        );
        assert_eq!(apply_change(&[a.clone(), b.clone()], &b, true), None);
        assert_eq!(
            apply_change(&[a.clone(), a.clone()], &b, true),
            Some(vec![a.clone(), b.clone()])
        );
        assert_eq!(
            apply_change(&[a.clone(), b.clone()], &a, false),
            Some(vec![b.clone()])
        );
        assert_eq!(apply_change(std::slice::from_ref(&b), &a, false), None);
        assert_eq!(
            apply_change(std::slice::from_ref(&a), &a, false),
            Some(vec![])
        );
        let mut annotated = a.clone();
        annotated.annotations.insert("k".into(), "v".into());
        assert_eq!(apply_change(&[annotated], &a, true), None, "same key");
        let empty = Descriptor::new("", Digest::sha256(b""), 0);
        assert_eq!(apply_change(&[empty, a.clone()], &a, true), Some(vec![a]));
    }

    #[test]
    fn filters() {
        let mut a = d("a");
        a.artifact_type = "x/y".into();
        let b = d("b");
        assert_eq!(
            filter(vec![a.clone(), b.clone()], Some("x/y")),
            vec![a.clone()]
        );
        assert_eq!(filter(vec![a.clone(), b.clone()], None).len(), 2);
        assert!(filter_applied(Some("foo, artifactType")));
        assert!(!filter_applied(Some("foo")));
        assert!(!filter_applied(None));
    }
}
