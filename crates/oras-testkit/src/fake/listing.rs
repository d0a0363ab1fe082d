//! Listings: the catalog, tags (end-8) and referrers (end-12), each with
//! `n`/`last` pagination and a `Link: <…>; rel="next"` header when more
//! remain (spec "Listing Tags", "Listing Referrers").
//!
//! Tags and repositories are in byte (ASCII) order, which the spec allows
//! on `main` and Go's `sort.Strings` produces; `last` is exclusive and
//! works without `n`; `n=0` gives an empty list and no `Link`.

use http::StatusCode;
use oras_spec::{Descriptor, Index, media_type};

use super::blobs::parse_digest;
use super::body::{self, Resp};
use super::errors::ErrorCode;
use super::exchange::{Exchange, set_header};
use super::log::Origin;
use super::route::encode;
use super::state::StoredManifest;

/// One page of a listing.
struct Page<T> {
    items: Vec<T>,
    /// The query of the next page (`n=…&last=…`), if any remain.
    next: Option<String>,
}

/// Cuts a page from sorted `items` keyed by `key`: after `last`, at most
/// `n` (from the query) and at most `cap` (from the configuration).
fn paginate<T>(
    ex: &Exchange,
    items: Vec<T>,
    cap: Option<usize>,
    key: impl Fn(&T) -> String,
) -> Result<Page<T>, Resp> {
    let n = match ex.query.get("n") {
        None => None,
        Some(text) => match text.parse::<usize>() {
            Ok(n) => Some(n),
            Err(_) => {
                return Err(body::error(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::PaginationNumberInvalid,
                    &format!("invalid n {text:?}"),
                ));
            }
        },
    };
    let mut rest: Vec<T> = match ex.query.get("last") {
        Some(last) => {
            let mut seen = false;
            items
                .into_iter()
                .filter(|item| {
                    if seen {
                        return true;
                    }
                    if key(item) == last {
                        seen = true;
                    }
                    false
                })
                .collect()
        }
        None => items,
    };
    if n == Some(0) {
        return Ok(Page {
            items: Vec::new(),
            next: None,
        });
    }
    let limit = match (n, cap) {
        (Some(n), Some(cap)) => n.min(cap),
        (Some(n), None) => n,
        (None, Some(cap)) => cap,
        (None, None) => usize::MAX,
    };
    if rest.len() <= limit {
        return Ok(Page {
            items: rest,
            next: None,
        });
    }
    rest.truncate(limit);
    let next = rest
        .last()
        .map(|last| format!("n={limit}&last={}", encode(&key(last))));
    Ok(Page { items: rest, next })
}

/// Sets `Link: <path?query>; rel="next"` (on the other origin when
/// [`FakeConfig::cross_origin_link`](super::FakeConfig) is on).
fn link(ex: &Exchange, resp: &mut Resp, path: &str, next: Option<String>) {
    let Some(query) = next else { return };
    let target = if ex.config().cross_origin_link {
        Origin::Other
    } else {
        ex.origin
    };
    let url = ex
        .shared
        .url_for(ex.origin, target, &format!("{path}?{query}"));
    set_header(resp, "link", &format!("<{url}>; rel=\"next\""));
}

/// `GET /v2/_catalog`.
pub(crate) fn catalog(ex: &Exchange) -> Resp {
    let names: Vec<String> = ex.shared.lock().repos.keys().cloned().collect();
    let page = match paginate(ex, names, ex.config().page_size, Clone::clone) {
        Ok(page) => page,
        Err(resp) => return resp,
    };
    let mut resp = body::json(
        StatusCode::OK,
        &serde_json::json!({ "repositories": page.items }),
    );
    link(ex, &mut resp, "/v2/_catalog", page.next);
    resp
}

/// `GET /v2/<name>/tags/list`: 404 `NAME_UNKNOWN` for an unknown repository.
pub(crate) fn tags(ex: &Exchange, name: &str) -> Resp {
    let tags: Option<Vec<String>> = ex
        .shared
        .lock()
        .repos
        .get(name)
        .map(|repo| repo.tags.keys().cloned().collect());
    let Some(tags) = tags else {
        return body::error(
            StatusCode::NOT_FOUND,
            ErrorCode::NameUnknown,
            &format!("repository {name} not known to registry"),
        );
    };
    let page = match paginate(ex, tags, ex.config().page_size, Clone::clone) {
        Ok(page) => page,
        Err(resp) => return resp,
    };
    let mut resp = body::json(
        StatusCode::OK,
        &serde_json::json!({ "name": name, "tags": page.items }),
    );
    link(ex, &mut resp, &format!("/v2/{name}/tags/list"), page.next);
    resp
}

/// `GET /v2/<name>/referrers/<digest>[?artifactType=]`: an image index
/// of the manifests whose `subject` is `digest`, in push order. An
/// unknown subject (or repository) gives an empty list, never 404.
pub(crate) fn referrers(ex: &Exchange, name: &str, digest: &str) -> Resp {
    let subject = match parse_digest(digest) {
        Ok(digest) => digest,
        Err(resp) => return resp,
    };
    let mut found: Vec<StoredManifest> = ex
        .shared
        .lock()
        .repos
        .get(name)
        .map(|repo| {
            repo.manifests
                .values()
                .filter(|m| m.subject.as_ref() == Some(&subject))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    found.sort_by_key(|m| m.seq);

    let filter = ex
        .query
        .get("artifactType")
        .filter(|wanted| !wanted.is_empty() && ex.config().referrers_filtering)
        .map(str::to_owned);
    if let Some(wanted) = &filter {
        found.retain(|m| m.artifact_type.as_deref() == Some(wanted.as_str()));
    }
    let page = match paginate(ex, found, ex.config().referrers_page_size, |m| {
        m.digest.to_string()
    }) {
        Ok(page) => page,
        Err(resp) => return resp,
    };
    let index = Index::new(page.items.iter().map(descriptor).collect());
    let mut resp = body::with_body(
        StatusCode::OK,
        media_type::IMAGE_INDEX,
        serde_json::to_vec(&index).unwrap_or_default(),
    );
    if filter.is_some() && ex.config().filters_applied_header {
        set_header(&mut resp, "oci-filters-applied", "artifactType");
    }
    let next = page.next.map(|query| match &filter {
        Some(wanted) => format!("{query}&artifactType={}", encode(wanted)),
        None => query,
    });
    link(
        ex,
        &mut resp,
        &format!("/v2/{name}/referrers/{subject}"),
        next,
    );
    resp
}

/// The descriptor of a referrer: type, digest, size, artifact type and
/// the manifest's annotations (spec "Listing Referrers").
fn descriptor(manifest: &StoredManifest) -> Descriptor {
    let mut desc = Descriptor::new(
        manifest.media_type.clone(),
        manifest.digest.clone(),
        manifest.bytes.len() as u64,
    );
    desc.artifact_type = manifest.artifact_type.clone().unwrap_or_default();
    desc.annotations = manifest.annotations.clone();
    desc
}
