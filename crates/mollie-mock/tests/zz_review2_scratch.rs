//! Throwaway review transcript: same requests against the mock, written to $ZZ_OUT.
#![allow(clippy::all)]

use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use mollie_mock::MockConfig;
use serde_json::{Value, json};

const TEST: &str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";
const LIVE: &str = "live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";
const ORG: &str = "access_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";
const HOOK: &str = "http://127.0.0.1:9/hook";

struct T {
    server: mollie_mock::MockServer,
    http: reqwest::Client,
    out: String,
}

impl T {
    async fn raw(&mut self, method: &str, path: &str, key: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut b = self.http.request(m, format!("{}{path}", self.server.url()));
        if let Some(k) = key {
            b = b.bearer_auth(k);
        }
        if let Some(body) = &body {
            b = b.header("content-type", "application/json").body(body.to_string());
        }
        let r = b.send().await.unwrap();
        let status = r.status().as_u16();
        let bytes = r.bytes().await.unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, v)
    }
    async fn req(&mut self, method: &str, path: &str, key: Option<&str>, body: Option<Value>) -> Value {
        let (s, v) = self.raw(method, path, key, body).await;
        let k = match key {
            Some(TEST) => "test",
            Some(LIVE) => "live",
            Some(ORG) => "org",
            None => "none",
            _ => "?",
        };
        writeln!(self.out, "{method} {path} [{k}] -> {s} {v}").unwrap();
        self.hooks().await;
        v
    }
    async fn hooks(&mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.server.webhooks_settled()).await;
        for d in self.server.webhook_deliveries() {
            let mut v = serde_json::to_value(&d).unwrap();
            v.as_object_mut().unwrap().remove("attempts");
            v.as_object_mut().unwrap().remove("id");
            writeln!(self.out, "   HOOK {v}").unwrap();
        }
        self.server.clear_webhook_deliveries();
    }
}

#[tokio::test]
async fn transcript() {
    let server = MockConfig::new()
        .webhook_retry_delays([])
        .webhook_timeout(Duration::from_millis(300))
        .webhook_signing_secret("s3cret")
        .clock(|| UNIX_EPOCH + Duration::from_secs(1_800_000_000))
        .start()
        .await
        .unwrap();
    let mut t = T { server, http: reqwest::Client::new(), out: String::new() };
    let pay = |hook: bool| {
        let mut b = json!({"amount": {"currency": "EUR", "value": "10.00"}, "description": "x", "redirectUrl": "https://shop.example/r"});
        if hook {
            b["webhookUrl"] = json!(HOOK);
        }
        b
    };
    let p1 = t.req("POST", "/v2/payments", Some(TEST), Some(pay(true))).await["id"].as_str().unwrap().to_owned();
    let p2 = t.req("POST", "/v2/payments", Some(TEST), Some(pay(false))).await["id"].as_str().unwrap().to_owned();
    let pl = t.req("POST", "/v2/payments", Some(LIVE), Some(pay(true))).await["id"].as_str().unwrap().to_owned();
    let po = t.req("POST", "/v2/payments", Some(TEST), Some(pay(true))).await["id"].as_str().unwrap().to_owned();
    for p in [&p1, &p2, &pl] {
        t.req("POST", &format!("/__mock/payments/{p}/status"), None, Some(json!({"status":"paid"}))).await;
    }
    let mut refunds = vec![];
    for (p, key) in [(&p1, TEST), (&p1, TEST), (&p1, TEST), (&p2, TEST), (&pl, LIVE)] {
        let v = t.req("POST", &format!("/v2/payments/{p}/refunds"), Some(key), Some(json!({"amount":{"currency":"EUR","value":"1.00"}}))).await;
        refunds.push(v["id"].as_str().unwrap().to_owned());
    }
    let mut cbs = vec![];
    for p in [&p1, &p1, &p2, &pl] {
        let v = t.req("POST", &format!("/__mock/payments/{p}/chargebacks"), None, Some(json!({"amount":{"currency":"EUR","value":"0.50"}}))).await;
        cbs.push(v["id"].as_str().unwrap().to_owned());
    }
    // control API errors
    t.req("POST", &format!("/__mock/payments/{po}/chargebacks"), None, Some(json!({}))).await;
    t.req("POST", "/__mock/payments/tr_unknown1/chargebacks", None, Some(json!({}))).await;
    t.req("POST", &format!("/__mock/payments/{p1}/chargebacks"), None, Some(json!({"amount":{"currency":"USD","value":"0.50"}}))).await;
    t.req("POST", &format!("/__mock/payments/{p1}/chargebacks"), None, Some(json!({"amount":{"currency":"EUR","value":"50.00"}}))).await;
    t.req("POST", &format!("/__mock/chargebacks/{}/reverse", cbs[1]), None, None).await;
    t.req("POST", &format!("/__mock/chargebacks/{}/reverse", cbs[1]), None, None).await;
    t.req("POST", "/__mock/chargebacks/chb_unknown1/reverse", None, None).await;
    t.req("POST", &format!("/__mock/chargebacks/{}/reverse", cbs[3]), None, None).await;
    t.req("POST", &format!("/__mock/chargebacks/{}/reverse", cbs[2]), None, None).await;
    for st in ["queued", "pending", "processing", "refunded", "failed", "bogus"] {
        t.req("POST", &format!("/__mock/refunds/{}/status", refunds[0]), None, Some(json!({"status": st}))).await;
    }
    t.req("POST", &format!("/__mock/refunds/{}/status", refunds[3]), None, Some(json!({"status": "processing"}))).await;
    t.req("POST", &format!("/__mock/refunds/{}/status", refunds[4]), None, Some(json!({"status": "queued"}))).await;
    t.req("POST", "/__mock/refunds/re_unknown1/status", None, Some(json!({"status": "queued"}))).await;

    for (seg, ids, other_id, live_id) in [("refunds", &refunds, refunds[3].clone(), refunds[4].clone()), ("chargebacks", &cbs, cbs[2].clone(), cbs[3].clone())] {
        let a = ids[0].clone();
        let b = ids[1].clone();
        let one = |p: &str, x: &str, q: &str| format!("/v2/payments/{p}/{seg}/{x}{q}");
        let mut gets = vec![];
        for q in ["", "?embed=payment", "?embed=", "?embed=foo", "?embed=payment,payment", "?embed=payment,foo", "?embed=PAYMENT", "?testmode=true", "?testmode=false", "?limit=abc", "?profileId=x", "?from=x", "?embed=foo&limit=abc"] {
            gets.push((one(&p1, &a, q), TEST));
            gets.push((one(&p1, &b, q), TEST));
        }
        for q in ["?embed=foo", ""] {
            gets.push((one("tr_unknown1", &a, q), TEST));
            gets.push((one("tr_unknown1", "re_unknown1", q), TEST));
            gets.push((one(&p1, "chb_unknown1", q), TEST));
            gets.push((one(&p1, "re_unknown1", q), TEST));
            gets.push((one(&p2, &a, q), TEST));
            gets.push((one(&p1, &other_id, q), TEST));
            gets.push((one(&p1, &live_id, q), TEST));
            gets.push((one(&pl, &live_id, q), TEST));
            gets.push((one(&pl, &live_id, q), LIVE));
            gets.push((one(&p1, &a, q), LIVE));
            gets.push((one(&pl, &a, q), LIVE));
            gets.push((one("abc", &a, q), TEST));
            gets.push((one(&p1, "abc", q), TEST));
        }
        for q in ["?testmode=true", "?testmode=false", "", "?testmode=true&embed=payment", "?testmode=maybe"] {
            gets.push((one(&p1, &a, q), ORG));
            gets.push((one(&pl, &live_id, q), ORG));
        }
        for (path, key) in gets {
            t.req("GET", &path, Some(key), None).await;
        }
        let list = |p: &str, q: &str| format!("/v2/payments/{p}/{seg}{q}");
        let mut lists = vec![];
        let qs: Vec<String> = vec![
            "".into(), "?limit=1".into(), "?limit=2".into(), "?limit=0".into(), "?limit=250".into(), "?limit=251".into(), "?limit=abc".into(), "?limit=-1".into(),
            format!("?from={a}"), format!("?from={b}&limit=1"), format!("?from={other_id}"), format!("?from={live_id}"), "?from=re_unknown1".into(), "?from=".into(), format!("?from={p1}"),
            "?sort=asc".into(), "?sort=desc".into(), "?sort=asc&limit=1".into(), "?sort=bad".into(), format!("?sort=asc&from={b}&limit=1&embed=payment"),
            "?embed=payment".into(), "?embed=payment&limit=1".into(), "?embed=foo".into(), "?embed=foo&limit=abc".into(), "?limit=abc&embed=foo".into(), "?from=re_unknown1&embed=foo".into(), "?from=re_unknown1&limit=abc".into(), "?limit=abc&sort=bad".into(), "?sort=bad&limit=abc".into(),
            "?profileId=x".into(), "?profileId=pfl_Other1234".into(), "?testmode=true".into(), "?foo=bar&limit=1".into(), "?limit=1&limit=2".into(), "?embed=payment&embed=foo".into(),
        ];
        for q in &qs {
            lists.push((list(&p1, q), TEST));
            lists.push((list("tr_unknown1", q), TEST));
            lists.push((list(&pl, q), TEST));
            lists.push((list(&pl, q), LIVE));
            lists.push((format!("/v2/{seg}{q}"), TEST));
            lists.push((format!("/v2/{seg}{q}"), LIVE));
        }
        for q in ["?testmode=true", "?testmode=false", "", "?testmode=true&profileId=pfl_MockProfile1", "?testmode=true&profileId=pfl_Other1234", "?profileId=pfl_MockProfile1", "?testmode=true&profileId=x", "?testmode=true&limit=1&profileId=pfl_MockProfile1&embed=payment"] {
            lists.push((list(&p1, q), ORG));
            lists.push((format!("/v2/{seg}{q}"), ORG));
        }
        lists.push((format!("/v2/{seg}?profileId=pfl_MockProfile1&from={b}&limit=1"), TEST));
        lists.push((format!("/v2/{seg}?profileId=pfl_Other1234&from={b}"), TEST));
        lists.push((format!("/v2/{seg}?from={live_id}"), TEST));
        lists.push((format!("/v2/{seg}?from={p1}"), TEST));
        lists.push((list(&p2, ""), TEST));
        lists.push((list(&po, ""), TEST));
        for (path, key) in lists {
            let v = t.req("GET", &path, Some(key), None).await;
            // follow next
            if let Some(next) = v.pointer("/_links/next/href").and_then(Value::as_str) {
                let next = next.strip_prefix(t.server.url()).unwrap_or(next).to_owned();
                t.req("GET", &next, Some(key), None).await;
            }
        }
        for m in ["POST", "DELETE", "PATCH", "PUT"] {
            t.req(m, &one(&p1, &a, ""), Some(TEST), Some(json!({}))).await;
            t.req(m, &list(&p1, ""), Some(TEST), None).await;
            t.req(m, &format!("/v2/{seg}"), Some(TEST), None).await;
        }
    }
    // cancel
    for (p, r, key) in [
        ("tr_unknown1".to_owned(), refunds[1].clone(), TEST),
        (p2.clone(), refunds[1].clone(), TEST),
        (p1.clone(), refunds[0].clone(), TEST),
        (p1.clone(), refunds[1].clone(), LIVE),
        (p1.clone(), "re_unknown1".to_owned(), TEST),
        (pl.clone(), refunds[4].clone(), LIVE),
        (p1.clone(), refunds[1].clone(), TEST),
        (p1.clone(), refunds[1].clone(), TEST),
        (p1.clone(), refunds[2].clone(), ORG),
    ] {
        t.req("DELETE", &format!("/v2/payments/{p}/refunds/{r}"), Some(key), None).await;
        t.req("DELETE", &format!("/v2/payments/{p}/refunds/{r}?testmode=true"), Some(key), None).await;
    }
    t.req("GET", &format!("/v2/payments/{p1}?embed=refunds,chargebacks"), Some(TEST), None).await;
    t.req("GET", "/__mock/state", None, None).await;
    // payment gone: reset? control refund status after changes
    t.req("POST", &format!("/__mock/refunds/{}/status", refunds[2]), None, Some(json!({"status": "queued"}))).await;
    let out = std::env::var("ZZ_OUT").unwrap_or_else(|_| "/tmp/zz_out.txt".into());
    std::fs::write(out, t.out).unwrap();
}
