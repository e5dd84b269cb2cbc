//! Pages of list endpoints, and a stream over all their items.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt};
use mollie_models::{List, ListItem};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;
use crate::request::{Request, Target};
use crate::response::ResponseMeta;

/// One page of a list: its items and the links to the pages around it.
///
/// Get the next with [`Client::next_page`], or all items with [`Client::stream`].
#[derive(Debug, Clone)]
pub struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
    previous: Option<String>,
    meta: ResponseMeta,
    request: Request,
}

impl<T> Page<T> {
    pub(crate) fn new(list: List<T>, meta: ResponseMeta, request: Request) -> Self {
        Self {
            items: list.items,
            next: list.links.next.map(|link| link.href),
            previous: list.links.previous.map(|link| link.href),
            meta,
            request,
        }
    }

    /// The items, in the order Mollie listed them.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The items, owned.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// How many items this page holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether this page holds no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether there is a next page.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }

    /// The URL of the next page (`_links.next.href`), if there is one.
    pub fn next_url(&self) -> Option<&str> {
        self.next.as_deref()
    }

    /// The URL of the previous page (`_links.previous.href`), if there is one.
    pub fn previous_url(&self) -> Option<&str> {
        self.previous.as_deref()
    }

    /// Facts about the response this page came in.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The request this page answered; its options carry over to the next page.
    pub(crate) fn request(&self) -> &Request {
        &self.request
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Every item of a list, fetched one page at a time as it is consumed.
///
/// Made by [`Client::stream`]. Holds one page in memory; the next page is requested only
/// when the current one is used up. The first error is yielded once and ends the stream.
/// To watch progress (pages and items so far), stream [pages](PageStream) instead, or
/// enable DEBUG logs of this crate: each page read logs its running counts.
#[must_use = "a stream does nothing until polled"]
pub struct ListStream<T> {
    inner: BoxStream<'static, Result<T, Error>>,
}

impl<T> fmt::Debug for ListStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListStream").finish_non_exhaustive()
    }
}

impl<T: Send + 'static> ListStream<T> {
    /// A stream whose one item is `error`: a list call refused before sending.
    pub(crate) fn failed(error: Error) -> Self {
        Self {
            inner: Box::pin(futures::stream::once(async move { Err(error) })),
        }
    }
}

impl<T: ListItem + DeserializeOwned + Send + 'static> ListStream<T> {
    pub(crate) fn new(client: Client, request: Request) -> Self {
        let items = PageStream::<T>::new(client, request)
            .map_ok(|page| futures::stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten();
        Self {
            inner: Box::pin(items.fuse()),
        }
    }
}

/// Every page of a list, fetched one at a time as it is consumed: for progress reports
/// (each [`Page`] has its items and [`ResponseMeta`]) and for work done a page at a time.
///
/// Made by [`Client::pages`] or `.pages()` on a list builder. Follows `_links.next.href`
/// until the last page; the first error is yielded once and ends the stream, and so does a
/// `next` link that leads back to a page already read (pages in a circle), and a list longer
/// than [`DEFAULT_MAX_PAGES`] pages (or the call's
/// [`max_pages`](crate::RequestOptions::max_pages)): an endless list is not read forever.
#[must_use = "a stream does nothing until polled"]
pub struct PageStream<T> {
    inner: BoxStream<'static, Result<Page<T>, Error>>,
}

impl<T> fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream").finish_non_exhaustive()
    }
}

/// How many pages a stream reads before it stops with [`Error::Pagination`], unless the
/// call says otherwise ([`RequestOptions::max_pages`](crate::RequestOptions::max_pages)):
/// 10,000 pages is 2.5 million items at the largest page size, far beyond any real list, and
/// it stops a server whose `next` links never end (each new, so no cycle is seen).
pub const DEFAULT_MAX_PAGES: u64 = 10_000;

/// Where a [`PageStream`] is.
struct Cursor {
    client: Client,
    next: Next,
    followed: Followed,
    pages: u64,
    items: u64,
    max_pages: u64,
}

enum Next {
    Fetch(Request),
    Fail(Error),
    Done,
}

/// The `next` links a stream has followed, as hashes (8 bytes a page): a link followed twice
/// means the pages form a cycle, which would otherwise be streamed forever.
type Followed = std::collections::HashSet<u64>;

fn link_hash(url: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(url)
}

impl<T: Send + 'static> PageStream<T> {
    /// A stream whose one item is `error`: a list call refused before sending.
    pub(crate) fn failed(error: Error) -> Self {
        Self {
            inner: Box::pin(futures::stream::once(async move { Err(error) })),
        }
    }
}

impl<T: ListItem + DeserializeOwned + Send + 'static> PageStream<T> {
    pub(crate) fn new(client: Client, request: Request) -> Self {
        let cursor = Cursor {
            client,
            max_pages: request
                .request_options()
                .max_pages
                .unwrap_or(DEFAULT_MAX_PAGES),
            next: Next::Fetch(request),
            followed: Followed::new(),
            pages: 0,
            items: 0,
        };
        Self {
            // Fused: a finished stream keeps answering `None` instead of panicking.
            inner: Box::pin(futures::stream::unfold(cursor, step::<T>).fuse()),
        }
    }
}

/// Fetches the next page, and decides what comes after it.
async fn step<T: ListItem + DeserializeOwned>(
    mut cursor: Cursor,
) -> Option<(Result<Page<T>, Error>, Cursor)> {
    let request = match std::mem::replace(&mut cursor.next, Next::Done) {
        Next::Done => return None,
        Next::Fail(error) => return Some((Err(error), cursor)),
        Next::Fetch(request) => request,
    };
    let page = match cursor.client.page::<T>(request.clone()).await {
        Ok(page) => page,
        Err(error) => return Some((Err(error), cursor)),
    };
    cursor.pages += 1;
    cursor.items += page.items.len() as u64;
    tracing::debug!(
        path = %request.path_template(),
        pages = cursor.pages,
        items = cursor.items,
        last = page.next.is_none(),
        "mollie list page read"
    );
    if let Some(next) = &page.next {
        let to_itself = matches!(&request.target, Target::Url { url, .. } if url == next);
        cursor.next = if cursor.pages >= cursor.max_pages {
            Next::Fail(Error::Pagination {
                reason: format!(
                    "the stream read its limit of {} pages and the list goes on; \
                     RequestOptions::max_pages lifts it",
                    cursor.max_pages
                ),
                link: cursor.client.redact_excerpt(next.as_bytes()),
            })
        } else if to_itself || !cursor.followed.insert(link_hash(next)) {
            Next::Fail(Error::Pagination {
                reason: "a list page links back to a page already read".into(),
                link: cursor.client.redact_excerpt(next.as_bytes()),
            })
        } else {
            Next::Fetch(request.follow(next.clone()))
        };
    }
    Some((Ok(page), cursor))
}

impl<T> Stream for PageStream<T> {
    type Item = Result<Page<T>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> Stream for ListStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}
