//! Tag listing: `GET /tags/list?n=&last=`, page by page (see `pages.rs`
//! for the rules every listing follows).

use futures::{StreamExt, TryStreamExt, stream};
use oras_content::ErrorKind;
use serde::Deserialize;

use super::Repository;
use crate::pages::{Pager, Pages, first_page_url};

#[derive(Deserialize)]
struct TagPage {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

impl Repository {
    /// The tags after `last` (all when `None`), in the registry's order,
    /// one page at a time (`n` is [`RepositoryOptions::page_size`]): a
    /// page is requested only when the stream is polled for it, so
    /// dropping the stream stops the listing. The `TagLister` trait's
    /// `tags` collects these pages.
    ///
    /// [`RepositoryOptions::page_size`]: crate::RepositoryOptions::page_size
    ///
    /// ```
    /// use futures::TryStreamExt;
    ///
    /// # async fn example(repository: oras_remote::Repository) -> oras_content::Result<()> {
    /// let mut pages = repository.tag_pages(None);
    /// while let Some(tags) = pages.try_next().await? {
    ///     if tags.iter().any(|t| t == "v1") {
    ///         break; // no more pages are requested
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn tag_pages(&self, last: Option<&str>) -> Pages<String> {
        let pager = match self.url("tags/list") {
            Ok(url) => Pager::new(
                self.remote().clone(),
                first_page_url(url, self.inner.options.page_size, last),
                self.pull_scopes(),
                format!("tags of {}", self.name()),
                &self.inner.options,
            ),
            Err(e) => return stream::once(async move { Err(e.into()) }).boxed(),
        };
        stream::try_unfold(pager, |mut pager| async move {
            let Some(page) = pager.next_ok().await? else {
                return Ok::<_, oras_content::Error>(None);
            };
            let tags: TagPage = serde_json::from_slice(&page.body).map_err(|e| {
                page.answer
                    .protocol(ErrorKind::InvalidContent, format!("invalid tag list: {e}"))
            })?;
            Ok(Some((tags.tags.unwrap_or_default(), pager)))
        })
        .boxed()
    }

    /// Every tag after `last` (all when `None`), in the registry's order.
    pub(crate) async fn list_tags(&self, last: Option<&str>) -> oras_content::Result<Vec<String>> {
        self.tag_pages(last).try_concat().await
    }
}
