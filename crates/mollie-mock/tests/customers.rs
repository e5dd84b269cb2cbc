//! Customers over raw HTTP: CRUD, lists, auth, modes and every error path.

mod common;

use common::{ACCESS_TOKEN, Api, LIVE_KEY, Req};
use mollie_mock::MockConfig;
use serde_json::{Value, json};

#[tokio::test]
async fn create_get_update_delete() {
    let api = Api::start().await;
    let created = api
        .send(Req::post(
            "/v2/customers",
            json!({"name": "Jane Doe", "email": "jane@example.org", "locale": "nl_NL", "metadata": {"crmId": 42}}),
        ))
        .await;
    assert_eq!(created.status, 201);
    let id = created.id();
    assert!(id.starts_with("cst_") && id.len() == 14, "{id}");
    assert_eq!(created.body["resource"], "customer");
    assert_eq!(created.body["mode"], "test");
    assert_eq!(created.body["locale"], "nl_NL");
    assert_eq!(created.body["metadata"]["crmId"], 42);
    let base = api.server.url();
    assert_eq!(
        created.str("/_links/self/href"),
        format!("{base}/v2/customers/{id}")
    );
    assert!(created.body["_links"].get("mandates").is_none());
    // The model type reads it.
    let model: mollie_models::Customer =
        serde_json::from_value(created.body.clone()).expect("model");
    assert_eq!(model.id.as_str(), id);

    let got = api.send(Req::get(format!("/v2/customers/{id}"))).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, created.body);

    let updated = api
        .send(Req::patch(
            format!("/v2/customers/{id}"),
            json!({"email": "j@example.org", "locale": null}),
        ))
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(updated.body["email"], "j@example.org");
    assert_eq!(updated.body["name"], "Jane Doe");
    assert_eq!(updated.body["locale"], Value::Null);

    let deleted = api.send(Req::delete(format!("/v2/customers/{id}"))).await;
    assert_eq!(deleted.status, 204);
    api.send(Req::get(format!("/v2/customers/{id}")))
        .await
        .assert_error(404, None);
    api.send(Req::delete(format!("/v2/customers/{id}")))
        .await
        .assert_error(404, None);
    api.send(Req::patch(format!("/v2/customers/{id}"), json!({})))
        .await
        .assert_error(404, None);
}

#[tokio::test]
async fn empty_body_creates_an_empty_customer_and_any_accept_is_fine() {
    let api = Api::start().await;
    let r = api
        .send(Req::new(reqwest::Method::POST, "/v2/customers").header("accept", "application/json"))
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["name"], Value::Null);
    assert_eq!(r.body["metadata"], Value::Null);
}

#[tokio::test]
async fn lists_page_with_cursors() {
    let api = Api::start().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(api.customer().await);
    }
    let first = api.send(Req::get("/v2/customers?limit=2")).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["count"], 2);
    let listed: Vec<&str> = first.body["_embedded"]["customers"]
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(listed, [ids[4].as_str(), ids[3].as_str()], "newest first");
    assert_eq!(first.body["_links"]["previous"], Value::Null);
    let next = first.str("/_links/next/href").to_owned();
    assert_eq!(
        next,
        format!("{}/v2/customers?from={}&limit=2", api.server.url(), ids[2])
    );

    // Follow `next` to the end, collecting everything.
    let mut seen: Vec<String> = listed.iter().map(|s| (*s).to_owned()).collect();
    let mut href = Some(next);
    while let Some(h) = href {
        let path = h
            .strip_prefix(api.server.url())
            .expect("same host")
            .to_owned();
        let page = api.send(Req::get(path)).await;
        for c in page.body["_embedded"]["customers"]
            .as_array()
            .expect("array")
        {
            seen.push(c["id"].as_str().expect("id").to_owned());
        }
        assert!(page.body["_links"]["previous"]["href"].is_string());
        href = page.body["_links"]["next"]["href"]
            .as_str()
            .map(str::to_owned);
    }
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(seen, expected);

    let asc = api
        .send(Req::get(format!(
            "/v2/customers?sort=asc&from={}&limit=250",
            ids[1]
        )))
        .await;
    let listed: Vec<&str> = asc.body["_embedded"]["customers"]
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        listed,
        ids[1..].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(asc.body["_links"]["next"], Value::Null);
    assert!(
        asc.str("/_links/previous/href")
            .contains(&format!("from={}", ids[0]))
    );
}

#[tokio::test]
async fn list_parameter_errors_are_400_with_field() {
    let api = Api::start().await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=251", "limit"),
        ("limit=ten", "limit"),
        ("sort=sideways", "sort"),
        ("from=cst_doesnotexist", "from"),
        ("from=tr_wrongkind", "from"),
        ("testmode=maybe", "testmode"),
    ] {
        api.send(Req::get(format!("/v2/customers?{query}")))
            .await
            .assert_error(400, Some(field));
    }
    // Unknown parameters and `include` are ignored.
    assert_eq!(
        api.send(Req::get("/v2/customers?include=whatever&foo=bar"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn links_follow_the_host_header() {
    let api = Api::start().await;
    let r = api
        .send(Req::post("/v2/customers", json!({})).header("host", "mollie.test:1234"))
        .await;
    let id = r.id();
    assert_eq!(
        r.str("/_links/self/href"),
        format!("http://mollie.test:1234/v2/customers/{id}")
    );
}

#[tokio::test]
async fn test_and_live_keys_see_only_their_own_data() {
    let api = Api::start().await;
    let test_customer = api.customer().await;
    let live = api
        .send(Req::post("/v2/customers", json!({"name": "Live"})).key(LIVE_KEY))
        .await;
    assert_eq!(live.body["mode"], "live");
    let live_customer = live.id();

    api.send(Req::get(format!("/v2/customers/{test_customer}")).key(LIVE_KEY))
        .await
        .assert_error(404, None);
    api.send(Req::get(format!("/v2/customers/{live_customer}")))
        .await
        .assert_error(404, None);
    let list = api.send(Req::get("/v2/customers").key(LIVE_KEY)).await;
    assert_eq!(list.body["count"], 1);
    assert_eq!(
        list.body["_embedded"]["customers"][0]["id"],
        live_customer.as_str()
    );
    // An API key ignores testmode.
    assert_eq!(
        api.send(Req::get(format!("/v2/customers/{live_customer}?testmode=true")).key(LIVE_KEY))
            .await
            .status,
        200
    );

    // An access token chooses with testmode: query for GET, body for POST; default live.
    let t = api
        .send(Req::get(format!("/v2/customers/{test_customer}?testmode=true")).key(ACCESS_TOKEN))
        .await;
    assert_eq!(t.status, 200);
    api.send(Req::get(format!("/v2/customers/{test_customer}")).key(ACCESS_TOKEN))
        .await
        .assert_error(404, None);
    let created = api
        .send(Req::post("/v2/customers", json!({"testmode": true})).key(ACCESS_TOKEN))
        .await;
    assert_eq!(created.body["mode"], "test");
    let deleted = api
        .send(
            Req::delete(format!("/v2/customers/{}", created.id()))
                .key(ACCESS_TOKEN)
                .json(json!({"testmode": true})),
        )
        .await;
    assert_eq!(deleted.status, 204);
}

#[tokio::test]
async fn unauthorized_is_mollies_401() {
    let api = Api::start().await;
    for req in [
        Req::get("/v2/customers").no_auth(),
        Req::get("/v2/customers").key("nope_abc"),
        Req::get("/v2/customers")
            .no_auth()
            .header("authorization", "Basic dGVzdDo="),
        Req::post("/v2/customers", json!({})).key("test_"),
        Req::get("/v2/unknown").no_auth(),
    ] {
        let r = api.send(req).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.body,
            json!({"status":401,"title":"Unauthorized Request","detail":"Missing authentication, or failed to authenticate","_links":{"documentation":{"href":"https://docs.mollie.com/overview/authentication","type":"text/html"}}})
        );
    }
}

#[tokio::test]
async fn validation_errors_are_422_with_field() {
    let api = Api::start().await;
    for (body, field) in [
        (json!({"email": "not-an-email"}), "email"),
        (json!({"email": "jane@exämple.org"}), "email"),
        (json!({"email": 12}), "email"),
        (json!({"locale": "xx_XX"}), "locale"),
        (json!({"name": ["a"]}), "name"),
        (json!({"name": "x".repeat(300)}), "name"),
        (json!({"metadata": "x".repeat(1100)}), "metadata"),
        (json!({"metadata": true}), "metadata"),
        (json!({"testmode": "yes"}), "testmode"),
    ] {
        api.send(Req::post("/v2/customers", body.clone()))
            .await
            .assert_error(422, Some(field));
    }
    let id = api.customer().await;
    api.send(Req::patch(
        format!("/v2/customers/{id}"),
        json!({"email": "@"}),
    ))
    .await
    .assert_error(422, Some("email"));
}

#[tokio::test]
async fn malformed_input_is_a_4xx_never_a_500() {
    let api = Api::with(MockConfig::new().max_body_bytes(1024)).await;
    for body in [
        &b"{"[..],
        b"not json",
        b"[1,2]",
        b"\"string\"",
        b"{\"name\": \"\xff\xfe\"}",
        b"{\"name\": \"\\ud800\"}",
        b"null",
    ] {
        let r = api
            .send(Req::new(reqwest::Method::POST, "/v2/customers").raw(body.to_vec()))
            .await;
        r.assert_error(400, None);
    }
    // Odd but valid unicode is stored as sent.
    let odd = "Zoë \u{202e}\u{0000}😀 O'Brien <script>";
    let r = api
        .send(Req::post("/v2/customers", json!({"name": odd})))
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["name"], odd);
    // A body over the cap: 413 with Mollie's body.
    let big = json!({"name": "x".repeat(5000)});
    api.send(Req::post("/v2/customers", big))
        .await
        .assert_error(413, None);
    // Invalid path ids: 404 like Mollie, whatever they contain.
    for path in [
        "/v2/customers/abc",
        "/v2/customers/cst_%2F..",
        "/v2/customers/cst_a%00b",
        "/v2/customers/tr_abc",
        "/v2/customers/cst_abc/mandates/cst_abc",
        "/v2/customers/cst_%F0%9F%98%80",
    ] {
        let r = api.send(Req::get(path)).await;
        r.assert_error(404, None);
    }
    assert!(
        api.send(Req::get("/v2/customers/abc"))
            .await
            .str("/detail")
            .contains("No customer exists with token abc")
    );
    // Unknown endpoints and methods.
    api.send(Req::get("/v2/nothing"))
        .await
        .assert_error(404, None);
    let r = api
        .send(Req::new(reqwest::Method::PUT, "/v2/customers"))
        .await;
    r.assert_error(405, None);
    assert_eq!(r.header("allow"), Some("GET, HEAD, POST"));
    // Bad query encoding.
    api.send(Req::get("/v2/customers?limit=%FF"))
        .await
        .assert_error(400, Some("limit"));
}

#[tokio::test]
async fn the_object_cap_answers_422_not_an_abort() {
    let api = Api::with(MockConfig::new().max_objects(3)).await;
    for _ in 0..3 {
        api.customer().await;
    }
    let r = api.send(Req::post("/v2/customers", json!({}))).await;
    r.assert_error(422, None);
    assert!(r.str("/detail").contains("at most 3 objects"));
    // Deleting makes room again.
    let list = api.send(Req::get("/v2/customers")).await;
    let id = list.str("/_embedded/customers/0/id").to_owned();
    assert_eq!(
        api.send(Req::delete(format!("/v2/customers/{id}")))
            .await
            .status,
        204
    );
    assert_eq!(
        api.send(Req::post("/v2/customers", json!({}))).await.status,
        201
    );
}
