//! Paginated listings (tags, catalog, referrers) read one page at a time:
//! `GET` the first URL, then each same-origin `Link: <…>; rel="next"`
//! (GHSA-h7vf-4x9w-h99v), at most `max_pages` pages (GHSA-298f-872v-2rcx),
//! each page under the metadata cap and all of them under
//! `max_listing_bytes`. The listings hand pages out as streams, so a
//! caller that stops reading stops the requests.

use bytes::Bytes;
use futures::stream::BoxStream;
use http::{HeaderMap, Method};
use oras_auth::Scopes;
use url::Url;

use crate::error::Error;
use crate::remote::{Answer, Remote};
use crate::repository::{ListingBudget, RepositoryOptions};

/// A listing's pages as an async stream: each item is one page's entries
/// (or the error that ended the listing). Dropping the stream stops
/// requesting pages.
pub type Pages<T> = BoxStream<'static, oras_content::Result<Vec<T>>>;

/// One page: the registry's answer (headers, URL) and its body.
pub(crate) struct Page {
    pub(crate) answer: Answer,
    pub(crate) body: Bytes,
}

/// The state of one listing between pages.
pub(crate) struct Pager {
    remote: Remote,
    scopes: Scopes,
    what: String,
    next: Option<Url>,
    pages: usize,
    max_pages: usize,
    max_page_bytes: u64,
    budget: ListingBudget,
}

impl Pager {
    /// A listing of `what` starting at `first`.
    pub(crate) fn new(
        remote: Remote,
        first: Url,
        scopes: Scopes,
        what: String,
        options: &RepositoryOptions,
    ) -> Pager {
        Pager {
            remote,
            scopes,
            budget: ListingBudget::new(what.clone(), options.max_listing_bytes),
            what,
            next: Some(first),
            pages: 0,
            max_pages: options.max_pages,
            max_page_bytes: options.max_metadata_bytes,
        }
    }

    /// Sends the request for the next page and returns the answer whatever
    /// its status, the caller deciding; `None` after the last page.
    pub(crate) async fn request(&mut self) -> Result<Option<Answer>, Error> {
        let Some(url) = self.next.take() else {
            return Ok(None);
        };
        self.pages += 1;
        if self.pages > self.max_pages {
            return Err(Error::TooManyPages {
                what: self.what.clone(),
                limit: self.max_pages,
            });
        }
        let answer = self
            .remote
            .send_empty(Method::GET, &url, HeaderMap::new(), &self.scopes)
            .await?;
        Ok(Some(answer))
    }

    /// Reads the body of a successful page answer and remembers its next
    /// link.
    pub(crate) async fn read(&mut self, mut answer: Answer) -> Result<Page, Error> {
        let body = answer.read_body(self.max_page_bytes).await?;
        self.budget.take(body.len())?;
        self.next = answer.next_link()?;
        Ok(Page { answer, body })
    }

    /// The next page, which must answer 200; `None` after the last page.
    pub(crate) async fn next_ok(&mut self) -> Result<Option<Page>, Error> {
        let Some(answer) = self.request().await? else {
            return Ok(None);
        };
        let answer = answer.expect(http::StatusCode::OK).await?;
        Ok(Some(self.read(answer).await?))
    }
}

/// `url` with `n` and `last` set (a listing's first page).
pub(crate) fn first_page_url(mut url: Url, page_size: Option<u32>, last: Option<&str>) -> Url {
    {
        let mut query = url.query_pairs_mut();
        if let Some(n) = page_size {
            query.append_pair("n", &n.to_string());
        }
        if let Some(last) = last.filter(|l| !l.is_empty()) {
            query.append_pair("last", last);
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    url
}
