//! Pagination: pages, and a lazy stream that holds one page at a time and follows
//! `_links.next` only under the base URL.

mod support;

use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt};
use mollie_core::{Error, Request};
use mollie_models::Customer;
use serde_json::{Value, json};
use support::{Reply, TestServer, customer};

const PAGES: usize = 5;
const PER_PAGE: usize = 3;

fn id(n: usize) -> String {
    format!("cst_{n:04}")
}

/// Serves `PAGES` pages of `PER_PAGE` customers under `/v2/customers`, with `from` cursors
/// and absolute `next`/`previous` links like Mollie's.
fn page_of(origin: &str, uri: &str, next_origin: Option<&str>) -> Reply {
    let query: HashMap<String, String> = uri
        .split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let start = query
        .get("from")
        .map_or(0, |from| from["cst_".len()..].parse::<usize>().unwrap());
    let end = (start + PER_PAGE).min(PAGES * PER_PAGE);
    let base = format!("{origin}/v2");
    let items: Vec<Value> = (start..end).map(|n| customer(&id(n), &base)).collect();
    let link = |from: usize, origin: &str| json!({"href": format!("{origin}/v2/customers?from={}&limit={PER_PAGE}", id(from)), "type": "application/hal+json"});
    let next = (end < PAGES * PER_PAGE).then(|| link(end, next_origin.unwrap_or(origin)));
    let previous = (start > 0).then(|| link(start.saturating_sub(PER_PAGE), origin));
    Reply::json(
        200,
        json!({
            "count": items.len(),
            "_embedded": {"customers": items},
            "_links": {
                "self": {"href": format!("{base}{uri}"), "type": "application/hal+json"},
                "previous": previous, "next": next,
                "documentation": {"href": "https://docs.mollie.com/reference/list-customers", "type": "text/html"}
            }
        }),
    )
}

async fn paged_server() -> TestServer {
    // The origin is known only once bound; the responder reads it from the Host header.
    TestServer::start(|request, _| {
        let origin = format!("http://{}", request.header("host").unwrap());
        page_of(&origin, &request.uri, None)
    })
    .await
}

fn list() -> Request {
    Request::get()
        .segment("customers")
        .query("limit", PER_PAGE.to_string())
}

#[tokio::test]
async fn the_stream_follows_next_links_lazily_one_page_at_a_time() {
    let server = paged_server().await;
    let client = server.client().build().unwrap();
    let mut stream = client.stream::<Customer>(list());
    assert_eq!(
        server.request_count(),
        0,
        "nothing is fetched before polling"
    );

    let mut seen = Vec::new();
    while let Some(customer) = stream.next().await {
        let customer = customer.unwrap();
        seen.push(customer.id.to_string());
        // When item n arrives, exactly the pages up to n's have been fetched: never ahead.
        let pages_needed = (seen.len() - 1) / PER_PAGE + 1;
        assert_eq!(
            server.request_count(),
            pages_needed,
            "after {} items",
            seen.len()
        );
    }
    let expected: Vec<String> = (0..PAGES * PER_PAGE).map(id).collect();
    assert_eq!(seen, expected);
    assert_eq!(server.request_count(), PAGES);
    let uris: Vec<String> = server.requests().into_iter().map(|r| r.uri).collect();
    assert_eq!(uris[0], "/v2/customers?limit=3");
    assert_eq!(uris[1], "/v2/customers?from=cst_0003&limit=3");
    assert!(
        stream.next().await.is_none(),
        "a finished stream stays finished"
    );
}

#[tokio::test]
async fn pages_link_both_ways() {
    let server = paged_server().await;
    let client = server.client().build().unwrap();
    let first = client.page::<Customer>(list()).await.unwrap();
    assert_eq!(first.len(), PER_PAGE);
    assert!(first.previous_url().is_none());
    let second = client.next_page(&first).await.unwrap().unwrap();
    assert_eq!(second.items()[0].id, id(3).as_str());
    let back = client.previous_page(&second).await.unwrap().unwrap();
    assert_eq!(back.items()[0].id, id(0).as_str());

    let mut page = second;
    let mut pages = 2;
    while let Some(next) = client.next_page(&page).await.unwrap() {
        page = next;
        pages += 1;
    }
    assert_eq!(pages, PAGES);
    assert!(!page.has_next());
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_not_followed() {
    let server = TestServer::start(|request, _| {
        let origin = format!("http://{}", request.header("host").unwrap());
        page_of(&origin, &request.uri, Some("http://evil.example"))
    })
    .await;
    let client = server.client().build().unwrap();
    let results: Vec<_> = client.stream::<Customer>(list()).collect().await;
    assert_eq!(results.len(), PER_PAGE + 1);
    assert!(results[..PER_PAGE].iter().all(Result::is_ok));
    let error = results[PER_PAGE].as_ref().unwrap_err();
    // Nothing was sent for it: no status, outcome "not sent" (it once said HTTP 200 and
    // "committed").
    assert!(matches!(error, Error::Pagination { .. }), "{error:?}");
    assert_eq!(error.status(), None);
    assert_eq!(error.outcome(), mollie_core::Outcome::NotSent);
    assert!(!error.is_committed());
    assert!(
        error
            .to_string()
            .contains("outside the configured base URL")
    );
    assert_eq!(server.request_count(), 1, "the credential never left");
}

#[tokio::test]
async fn an_error_is_yielded_once_and_ends_the_stream() {
    let server = TestServer::start(|request, n| {
        if n == 1 {
            return Reply::mollie_error(400, "Bad Request", "Invalid cursor value", Some("from"));
        }
        let origin = format!("http://{}", request.header("host").unwrap());
        page_of(&origin, &request.uri, None)
    })
    .await;
    let client = server.client().build().unwrap();
    let results: Vec<_> = client.stream::<Customer>(list()).collect().await;
    assert_eq!(results.len(), PER_PAGE + 1);
    let error = results.last().unwrap().as_ref().unwrap_err();
    assert_eq!(error.field(), Some("from"));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_page_linking_to_itself_ends_the_stream() {
    let server = TestServer::start(|request, _| {
        let origin = format!("http://{}", request.header("host").unwrap());
        let own = format!("{origin}/v2/customers?from=cst_0000&limit=3");
        Reply::json(
            200,
            json!({
                "count": 1,
                "_embedded": {"customers": [customer("cst_0000", "http://x/v2")]},
                "_links": {"self": {"href": own, "type": "application/hal+json"}, "previous": null,
                            "next": {"href": own, "type": "application/hal+json"}}
            }),
        )
    })
    .await;
    let client = server.client().build().unwrap();
    let results: Vec<_> = client.stream::<Customer>(list()).collect().await;
    assert!(results.len() <= 3, "{} results", results.len());
    assert!(results.last().unwrap().is_err());
}

#[tokio::test]
async fn pages_linking_in_a_circle_end_the_stream() {
    // Page A links to B, and B back to A: without a guard, A and B forever.
    let server = TestServer::start(|request, _| {
        let origin = format!("http://{}", request.header("host").unwrap());
        let on_b = request.uri.contains("page=b");
        let (id, next) = if on_b {
            ("cst_b", format!("{origin}/v2/customers?page=a"))
        } else {
            ("cst_a", format!("{origin}/v2/customers?page=b"))
        };
        Reply::json(
            200,
            json!({
                "count": 1,
                "_embedded": {"customers": [customer(id, "http://x/v2")]},
                "_links": {"self": {"href": "x", "type": "application/hal+json"}, "previous": null,
                            "next": {"href": next, "type": "application/hal+json"}}
            }),
        )
    })
    .await;
    let client = server.client().build().unwrap();
    let results: Vec<_> = client.stream::<Customer>(list()).collect().await;
    // A, B, A again (the first page came from the request, not from a link), then the
    // error when B's link to A is met a second time.
    let ids: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|c| c.id.to_string()))
        .collect();
    assert_eq!(ids, ["cst_a", "cst_b", "cst_a"]);
    assert!(results.last().unwrap().is_err());
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn the_stream_is_send() {
    fn assert_send<T: Send + 'static>(_: &T) {}
    let server = paged_server().await;
    let client = server.client().build().unwrap();
    let stream = client.stream::<Customer>(list());
    assert_send(&stream);
    // And usable from a spawned task.
    let count = tokio::spawn(async move { stream.count().await })
        .await
        .unwrap();
    assert_eq!(count, PAGES * PER_PAGE);
}

#[tokio::test]
async fn mollies_absolute_next_links_are_followed_behind_another_base_url() {
    // Mollie writes its own origin into `_links.next`, also when the client talks to it
    // through a gateway or a mock: those links are re-based onto the configured base URL.
    let server = TestServer::start(|request, _| {
        let origin = format!("http://{}", request.header("host").unwrap());
        page_of(&origin, &request.uri, Some("https://api.mollie.com"))
    })
    .await;
    let client = server.client().build().unwrap();
    let all: Vec<Customer> = client.stream(list()).try_collect().await.unwrap();
    assert_eq!(all.len(), PAGES * PER_PAGE);
    assert_eq!(server.request_count(), PAGES);
}

#[tokio::test]
async fn an_endless_list_stops_at_the_page_guard_and_the_guard_can_be_lifted() {
    // Every page links to a new one: no cycle to see, the list never ends.
    let server = TestServer::start(|request, n| {
        let origin = format!("http://{}", request.header("host").unwrap());
        let base = format!("{origin}/v2");
        Reply::json(
            200,
            json!({
                "count": 1,
                "_embedded": {"customers": [customer(&id(n), &base)]},
                "_links": {
                    "self": {"href": format!("{base}/customers"), "type": "application/hal+json"},
                    "previous": null,
                    "next": {"href": format!("{base}/customers?from={}", id(n + 1)), "type": "application/hal+json"},
                    "documentation": {"href": "https://docs.mollie.com", "type": "text/html"}
                }
            }),
        )
    })
    .await;
    let client = server.client().build().unwrap();
    let guarded = list().options(mollie_core::RequestOptions::new().max_pages(4));
    let results: Vec<_> = client.stream::<Customer>(guarded).collect().await;
    assert_eq!(results.len(), 5, "four pages of one item, then the error");
    let error = results[4].as_ref().unwrap_err();
    assert!(matches!(error, Error::Pagination { .. }), "{error:?}");
    assert!(error.to_string().contains("limit of 4 pages"), "{error}");
    assert_eq!(server.request_count(), 4);

    // Lifted further, the same list goes on (taken lazily: 10 items, 10 pages).
    let lifted = list().options(mollie_core::RequestOptions::new().max_pages(u64::MAX));
    let taken: Vec<Customer> = client.stream(lifted).take(10).try_collect().await.unwrap();
    assert_eq!(taken.len(), 10);
    assert_eq!(mollie_core::DEFAULT_MAX_PAGES, 10_000);
}
