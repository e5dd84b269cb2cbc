//! List parameters (`from`, `limit`, `sort`, ...) and the `_links` of a list page.

use mollie_models::{ListLinks, SortOrder};

use crate::errors::{ApiError, quoted};
use crate::links;
use crate::store::Page;

/// Mollie's default page size.
pub(crate) const DEFAULT_LIMIT: usize = 50;
/// Mollie's largest page size.
pub(crate) const MAX_LIMIT: usize = 250;

/// The parameters of a list request.
#[derive(Debug, Clone)]
pub(crate) struct ListParams {
    pub from: Option<String>,
    pub limit: usize,
    /// As given; `None` means Mollie's default, newest first.
    pub sort: Option<SortOrder>,
    /// Parameters carried into the `next`/`previous` links (`testmode`, `profileId`,
    /// `scopes`).
    pub carried: Vec<(String, String)>,
}

impl ListParams {
    pub fn desc(&self) -> bool {
        self.sort != Some(SortOrder::Asc)
    }
}

/// Reads the list parameters from the query. `carry` names the extra parameters that this
/// list takes and that its page links repeat.
pub(crate) fn params(query: &[(String, String)], carry: &[&str]) -> Result<ListParams, ApiError> {
    let mut params = ListParams {
        from: None,
        limit: DEFAULT_LIMIT,
        sort: None,
        carried: Vec::new(),
    };
    for (key, value) in query {
        match key.as_str() {
            "from" => params.from = Some(value.clone()),
            "limit" => {
                params.limit = match value.parse::<usize>() {
                    Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "Invalid limit '{}': it must be a number from 1 to {MAX_LIMIT}",
                            quoted(value)
                        ))
                        .with_field("limit"));
                    }
                }
            }
            "sort" => {
                params.sort = Some(match value.as_str() {
                    "asc" => SortOrder::Asc,
                    "desc" => SortOrder::Desc,
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "Invalid sort '{}': it must be 'asc' or 'desc'",
                            quoted(value)
                        ))
                        .with_field("sort"));
                    }
                })
            }
            other if carry.contains(&other) => params.carried.push((key.clone(), value.clone())),
            _ => {}
        }
    }
    Ok(params)
}

/// The 400 for a `from` that is not an item of this list.
pub(crate) fn invalid_cursor(from: &str) -> ApiError {
    ApiError::bad_request(format!("Invalid cursor value '{}'", quoted(from))).with_field("from")
}

fn href(base: &str, path: &str, from: Option<&str>, params: &ListParams) -> String {
    let mut query = Vec::new();
    if let Some(from) = from {
        query.push(format!("from={from}"));
    }
    query.push(format!("limit={}", params.limit));
    if let Some(sort) = params.sort {
        query.push(format!("sort={}", sort.as_str()));
    }
    for (key, value) in &params.carried {
        query.push(format!("{}={}", encode(key), encode(value)));
    }
    format!("{base}{path}?{}", query.join("&"))
}

/// Percent-encodes a query component (everything but unreserved characters).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `_links` of a page of the list at `path`.
pub(crate) fn links(
    base: &str,
    path: &str,
    params: &ListParams,
    page: &Page,
    doc: &str,
) -> ListLinks {
    ListLinks {
        self_: mollie_models::Link::api(href(base, path, params.from.as_deref(), params)),
        previous: page
            .previous
            .as_deref()
            .map(|from| mollie_models::Link::api(href(base, path, Some(from), params))),
        next: page
            .next
            .as_deref()
            .map(|from| mollie_models::Link::api(href(base, path, Some(from), params))),
        documentation: Some(links::doc(doc)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn limits_and_sorts() {
        assert_eq!(params(&q(&[]), &[]).expect("ok").limit, 50);
        assert_eq!(params(&q(&[("limit", "250")]), &[]).expect("ok").limit, 250);
        for bad in ["0", "251", "-1", "x", ""] {
            let err = params(&q(&[("limit", bad)]), &[]).expect_err(bad);
            assert_eq!(err.field.as_deref(), Some("limit"));
        }
        let err = params(&q(&[("sort", "up")]), &[]).expect_err("sort");
        assert_eq!(err.field.as_deref(), Some("sort"));
    }

    #[test]
    fn next_link_carries_cursor_and_limit() {
        let p = params(
            &q(&[("limit", "5"), ("sort", "asc"), ("testmode", "true")]),
            &["testmode"],
        )
        .expect("ok");
        let page = Page {
            ids: vec![],
            next: Some("cst_b".into()),
            previous: None,
        };
        let l = links("http://h", "/v2/customers", &p, &page, "https://docs");
        assert_eq!(
            l.next.expect("next").href,
            "http://h/v2/customers?from=cst_b&limit=5&sort=asc&testmode=true"
        );
        assert!(l.previous.is_none());
    }
}
