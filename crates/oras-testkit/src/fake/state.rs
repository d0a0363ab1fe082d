//! The in-memory store behind both origins: repositories (blobs,
//! manifests, tags), upload sessions, issued tokens, the request log and
//! the fault counters. One mutex guards it all; no lock is ever held
//! across an await.

use std::collections::{BTreeMap, HashMap, HashSet};

use bytes::Bytes;
use oras_spec::{ArtifactManifest, Digest, Index, Manifest, media_type};

use super::log::{RequestRecord, TokenRequest};
use super::scope::Scope;

/// A manifest as stored: its exact bytes, the media type it was pushed
/// with, and what the referrers API needs from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredManifest {
    /// Its digest (the algorithm of the reference it was pushed by; sha256
    /// when pushed by tag).
    pub digest: Digest,
    /// The media type (pushed `Content-Type`, else the body's `mediaType`).
    pub media_type: String,
    /// The exact bytes pushed.
    pub bytes: Bytes,
    /// The `subject` digest, if the manifest has one.
    pub subject: Option<Digest>,
    /// The artifact type a referrers list shows: `artifactType`, else the
    /// config media type of an image manifest.
    pub artifact_type: Option<String>,
    /// The manifest's annotations.
    pub annotations: BTreeMap<String, String>,
    /// Push order, for a stable referrers order.
    pub(crate) seq: u64,
}

impl StoredManifest {
    /// Describes `bytes` as a manifest of `media_type` with `digest`,
    /// reading subject, artifact type and annotations when it parses.
    pub(crate) fn new(digest: Digest, media_type: &str, bytes: Bytes, seq: u64) -> Self {
        let info = ReferrerInfo::parse(media_type, &bytes);
        StoredManifest {
            digest,
            media_type: media_type.to_owned(),
            bytes,
            subject: info.subject,
            artifact_type: info.artifact_type,
            annotations: info.annotations,
            seq,
        }
    }
}

/// What the referrers API shows of a manifest.
#[derive(Default)]
struct ReferrerInfo {
    subject: Option<Digest>,
    artifact_type: Option<String>,
    annotations: BTreeMap<String, String>,
}

impl ReferrerInfo {
    /// Spec "Listing Referrers": `artifactType` from the manifest, else
    /// the config `mediaType`; omitted for an index without one.
    fn parse(media_type: &str, bytes: &[u8]) -> Self {
        let some = |s: String| (!s.is_empty()).then_some(s);
        match media_type {
            media_type::IMAGE_INDEX | media_type::DOCKER_MANIFEST_LIST => {
                serde_json::from_slice::<Index>(bytes).map_or_else(
                    |_| ReferrerInfo::default(),
                    |index| ReferrerInfo {
                        subject: index.subject.map(|s| s.digest),
                        artifact_type: some(index.artifact_type),
                        annotations: index.annotations,
                    },
                )
            }
            media_type::ARTIFACT_MANIFEST => serde_json::from_slice::<ArtifactManifest>(bytes)
                .map_or_else(
                    |_| ReferrerInfo::default(),
                    |artifact| ReferrerInfo {
                        subject: artifact.subject.map(|s| s.digest),
                        artifact_type: some(artifact.artifact_type),
                        annotations: artifact.annotations,
                    },
                ),
            _ => serde_json::from_slice::<Manifest>(bytes).map_or_else(
                |_| ReferrerInfo::default(),
                |manifest| ReferrerInfo {
                    subject: manifest.subject.map(|s| s.digest),
                    artifact_type: some(manifest.artifact_type)
                        .or_else(|| some(manifest.config.media_type)),
                    annotations: manifest.annotations,
                },
            ),
        }
    }
}

/// One repository.
#[derive(Default)]
pub(crate) struct Repo {
    pub(crate) blobs: HashMap<Digest, Bytes>,
    pub(crate) manifests: HashMap<Digest, StoredManifest>,
    pub(crate) tags: BTreeMap<String, Digest>,
}

impl Repo {
    /// Whether nothing is left in it.
    pub(crate) fn is_empty(&self) -> bool {
        self.blobs.is_empty() && self.manifests.is_empty() && self.tags.is_empty()
    }
}

/// An upload session: the chunks received so far, kept as the frames
/// hyper delivered (no copy until the upload completes).
pub(crate) struct Upload {
    pub(crate) repo: String,
    pub(crate) chunks: Vec<Bytes>,
    pub(crate) len: u64,
    /// The `_state` query value required when
    /// [`FakeConfig::upload_state_param`](super::FakeConfig) is on.
    pub(crate) state_token: String,
}

impl Upload {
    /// Drops everything after the first `len` bytes (rolls back a chunk
    /// whose length did not match its `Content-Range`).
    pub(crate) fn truncate(&mut self, len: u64) {
        let mut kept = 0u64;
        let mut out = Vec::new();
        for chunk in std::mem::take(&mut self.chunks) {
            if kept >= len {
                break;
            }
            let room = usize::try_from(len - kept).map_or(chunk.len(), |r| r.min(chunk.len()));
            kept += room as u64;
            out.push(chunk.slice(..room));
        }
        self.chunks = out;
        self.len = kept;
    }
}

/// Everything the fake holds.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) repos: BTreeMap<String, Repo>,
    pub(crate) uploads: HashMap<String, Upload>,
    pub(crate) log: Vec<RequestRecord>,
    /// Issued access tokens and the scopes bound to each.
    pub(crate) tokens: HashMap<String, Vec<Scope>>,
    /// Issued refresh tokens, by the user they authenticate.
    pub(crate) refresh_tokens: HashSet<String>,
    pub(crate) token_log: Vec<TokenRequest>,
    /// How many requests each configured fault has matched.
    pub(crate) fault_matches: Vec<u32>,
    next_id: u64,
    next_seq: u64,
}

impl State {
    /// The repository `name`, created when missing.
    pub(crate) fn repo_mut(&mut self, name: &str) -> &mut Repo {
        self.repos.entry(name.to_owned()).or_default()
    }

    /// A blob of repository `name`.
    pub(crate) fn blob(&self, name: &str, digest: &Digest) -> Option<Bytes> {
        self.repos.get(name)?.blobs.get(digest).cloned()
    }

    /// Stores a blob (sharing the bytes, never copying them).
    pub(crate) fn put_blob(&mut self, name: &str, digest: Digest, data: Bytes) {
        self.repo_mut(name).blobs.insert(digest, data);
    }

    /// Stores a manifest and, with `tag`, points the tag at it.
    pub(crate) fn put_manifest(
        &mut self,
        name: &str,
        digest: Digest,
        media_type: &str,
        bytes: Bytes,
        tags: &[String],
    ) {
        self.next_seq += 1;
        let stored = StoredManifest::new(digest.clone(), media_type, bytes, self.next_seq);
        let repo = self.repo_mut(name);
        repo.manifests.insert(digest.clone(), stored);
        for tag in tags {
            repo.tags.insert(tag.clone(), digest.clone());
        }
    }

    /// Resolves a tag or digest string in repository `name`.
    pub(crate) fn manifest(&self, name: &str, reference: &str) -> Option<StoredManifest> {
        let repo = self.repos.get(name)?;
        let digest = match reference.parse::<Digest>() {
            Ok(digest) => digest,
            Err(_) => repo.tags.get(reference)?.clone(),
        };
        repo.manifests.get(&digest).cloned()
    }

    /// Removes repository `name` when nothing is left in it.
    pub(crate) fn forget_if_empty(&mut self, name: &str) {
        if self.repos.get(name).is_some_and(Repo::is_empty) {
            self.repos.remove(name);
        }
    }

    /// A fresh identifier, unique for this server: 32 hex digits in UUID
    /// form, derived from a counter and the clock (unguessable enough for
    /// a test server, unique for sure).
    pub(crate) fn new_id(&mut self) -> String {
        self.next_id += 1;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let seed = format!("{}-{nanos}-{:p}", self.next_id, self as *const State);
        let hex = Digest::sha256(seed.as_bytes()).encoded().to_owned();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }
}
