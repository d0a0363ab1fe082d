//! Tag listing: `GET /tags/list?n=&last=`, following `Link: <…>;
//! rel="next"` on the same origin only (GHSA-h7vf-4x9w-h99v) and at most
//! `max_pages` pages (GHSA-298f-872v-2rcx); each page is read under the
//! metadata cap, and all of them under `max_listing_bytes`.

use http::{HeaderMap, Method, StatusCode};
use oras_content::ErrorKind;
use serde::Deserialize;

use super::{ListingBudget, Repository};
use crate::error::Error;

#[derive(Deserialize)]
struct TagPage {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

impl Repository {
    /// Every tag after `last` (all when `None`), in the registry's order.
    pub(crate) async fn list_tags(&self, last: Option<&str>) -> oras_content::Result<Vec<String>> {
        let mut url = self.url("tags/list")?;
        let options = &self.inner.options;
        {
            let mut query = url.query_pairs_mut();
            if let Some(n) = options.page_size {
                query.append_pair("n", &n.to_string());
            }
            if let Some(last) = last.filter(|l| !l.is_empty()) {
                query.append_pair("last", last);
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let mut tags = Vec::new();
        let mut budget = ListingBudget::new(
            format!("tags of {}", self.name()),
            options.max_listing_bytes,
        );
        let mut next = Some(url);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > options.max_pages {
                return Err(Error::TooManyPages {
                    what: format!("tags of {}", self.name()),
                    limit: options.max_pages,
                }
                .into());
            }
            let answer = self
                .remote()
                .send_empty(Method::GET, &url, HeaderMap::new(), &self.pull_scopes())
                .await?;
            let mut answer = answer.expect(StatusCode::OK).await?;
            let body = answer.read_body(options.max_metadata_bytes).await?;
            budget.take(body.len())?;
            let page: TagPage = serde_json::from_slice(&body).map_err(|e| {
                answer.protocol(ErrorKind::InvalidContent, format!("invalid tag list: {e}"))
            })?;
            tags.extend(page.tags.unwrap_or_default());
            next = answer.next_link()?;
        }
        Ok(tags)
    }
}
