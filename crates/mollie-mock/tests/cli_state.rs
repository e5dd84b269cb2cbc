//! The program's command line (`--help`, `--version`, flags and their environment
//! variables, `--log`, `--seed`, `--state`) and the state documents of the control API
//! (`GET`/`PUT /__mock/state`).

mod program;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;

use mollie_mock::{MockConfig, MockServer};
use program::{program, start};
use serde_json::{Value, json};

const TEST_KEY: &str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";
const LIVE_KEY: &str = "live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";

/// A directory of its own for a test's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "mollie-mock-cli-state-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

async fn call(method: &str, url: &str, key: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a body");
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON")
    };
    (status, value)
}

async fn api(method: &str, base: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    call(method, &format!("{base}{path}"), Some(TEST_KEY), body).await
}

async fn control(method: &str, base: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    call(method, &format!("{base}{path}"), None, body).await
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

// --- The command line ------------------------------------------------------------------

#[test]
fn help_documents_the_options_the_control_api_and_the_fault_syntax() {
    let output = program().arg("--help").output().expect("runs");
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).expect("utf-8");
    for expected in [
        // Options and their variables.
        "--addr <HOST:PORT>",
        "MOLLIE_MOCK_ADDR",
        "--rate-limit <N>",
        "MOLLIE_MOCK_RATE_LIMIT",
        "--log",
        "--seed <FILE>",
        "--state <FILE>",
        "MOLLIE_MOCK_WEBHOOK_SIGNING_SECRET",
        // The fault syntax.
        "X-Mock-Fault",
        "status=CODE",
        "retry-after=SECONDS",
        "delay-ms=MS",
        "fail-after-commit[=CODE]",
        "fail-after-commit=drop",
        // The control API.
        "POST /__mock/faults",
        "POST /__mock/payments/ID/status",
        "POST /__mock/clock",
        "GET /__mock/state",
        "PUT /__mock/state",
        "POST /__mock/reset",
        // The state format.
        "\"version\": 1",
        "clockOffsetSeconds",
    ] {
        assert!(
            help.contains(expected),
            "--help lacks {expected:?}:\n{help}"
        );
    }
    // `-h` is the summary, and says where the rest is.
    let short = program().arg("-h").output().expect("runs");
    let short = String::from_utf8(short.stdout).expect("utf-8");
    assert!(short.contains("--help also lists"), "{short}");
    assert!(!short.contains("fail-after-commit=drop"), "{short}");
}

#[test]
fn version_prints_the_package_version() {
    let output = program().arg("--version").output().expect("runs");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).expect("utf-8"),
        format!("mollie-mock {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let output = program().arg("--frobnicate").output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unexpected argument '--frobnicate'"),
        "{stderr}"
    );
    assert!(stderr.contains("Usage: mollie-mock"), "{stderr}");
}

#[test]
fn bad_values_are_usage_errors_from_flags_and_variables_alike() {
    let output = program()
        .args(["--rate-limit", "0"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--rate-limit"));

    let output = program()
        .env("MOLLIE_MOCK_RATE_LIMIT", "lots")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("'lots'"));

    let output = program()
        .env("MOLLIE_MOCK_RATE_BURST", "5")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--rate-burst"));
}

#[tokio::test]
async fn environment_variables_configure_it_and_log_prints_each_request() {
    // No flags at all: the address, the rate limit and the log come from the environment
    // (an empty variable counts as unset).
    let mut command = program();
    command
        .env("MOLLIE_MOCK_ADDR", "127.0.0.1:0")
        .env("MOLLIE_MOCK_RATE_LIMIT", "1")
        .env("MOLLIE_MOCK_RATE_BURST", "1")
        .env("MOLLIE_MOCK_LOG", "true")
        .env("MOLLIE_MOCK_SEED", "")
        .stderr(Stdio::piped());
    let mut running = start(&mut command);
    assert!(
        running.url.starts_with("http://127.0.0.1:"),
        "{}",
        running.url
    );
    assert!(!running.url.ends_with(":8080"), "{}", running.url);
    let stderr = running.child.stderr.take().expect("stderr");

    let client = reqwest::Client::new();
    let created = client
        .post(format!("{}/v2/customers", running.url))
        .bearer_auth(TEST_KEY)
        .header("Idempotency-Key", "key-1")
        .body(json!({"name": "Jane Doe"}).to_string())
        .send()
        .await
        .expect("served");
    assert_eq!(created.status(), 201);
    // The bucket of one request per second is empty now.
    let limited = client
        .get(format!("{}/v2/customers", running.url))
        .bearer_auth(TEST_KEY)
        .send()
        .await
        .expect("served");
    assert_eq!(limited.status(), 429);
    let faulted = client
        .get(format!("{}/v2/customers", running.url))
        .bearer_auth(LIVE_KEY)
        .header("X-Mock-Fault", "status=503")
        .send()
        .await
        .expect("served");
    assert_eq!(faulted.status(), 503);

    // The log prints within 100 ms of a request's end; a few polls are plenty.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let (status, rest) = running.terminate().await;
    assert!(status.success(), "{status:?}");
    assert_eq!(rest, ["mollie-mock shutting down"]);
    let log: Vec<String> = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .collect();
    assert_eq!(
        log,
        [
            "POST /v2/customers 201 idempotency-key=\"key-1\"",
            "GET /v2/customers 429",
            "GET /v2/customers 503 fault=\"status=503\"",
        ]
    );
}

// --- --seed and --state ----------------------------------------------------------------

/// A seed as a team would write it: only what matters, ids to refer to.
fn seed() -> Value {
    json!({
        "version": 1,
        "customers": [
            {"id": "cst_seededJane", "name": "Jane Doe", "email": "jane@example.org"},
            {"id": "cst_seededLive", "name": "Live Larry", "mode": "live"}
        ],
        "mandates": [{
            "id": "mdt_seededSepa",
            "customerId": "cst_seededJane",
            "method": "directdebit",
            "details": {"consumerName": "Jane Doe", "consumerAccount": "NL55 INGB 0000 0000 00"}
        }],
        "payments": [{
            "customerId": "cst_seededJane",
            "amount": {"currency": "EUR", "value": "12.50"},
            "description": "Seeded order",
            "status": "paid"
        }]
    })
}

#[tokio::test]
async fn seed_starts_it_with_the_objects_of_a_file() {
    let dir = temp_dir("seed");
    let seed_path = dir.join("seed.json");
    std::fs::write(&seed_path, seed().to_string()).expect("written");
    let mut command = program();
    command
        .args(["--addr", "127.0.0.1:0", "--seed"])
        .arg(&seed_path);
    let mut running = start(&mut command);
    let loaded = running.next_line();
    assert_eq!(
        loaded,
        format!("mollie-mock loaded {}", seed_path.display())
    );

    let (status, jane) = api("GET", &running.url, "/v2/customers/cst_seededJane", None).await;
    assert_eq!(status, 200, "{jane}");
    assert_eq!(jane["name"], "Jane Doe");
    assert_eq!(jane["mode"], "test");
    let self_link = format!("{}/v2/customers/cst_seededJane", running.url);
    assert_eq!(jane["_links"]["self"]["href"], self_link.as_str());
    assert!(jane["_links"]["mandates"].is_object(), "{jane}");
    let (_, mandates) = api(
        "GET",
        &running.url,
        "/v2/customers/cst_seededJane/mandates",
        None,
    )
    .await;
    assert_eq!(mandates["count"], 1);
    let mandate = &mandates["_embedded"]["mandates"][0];
    assert_eq!(mandate["status"], "valid");
    // The IBAN as the API writes it.
    assert_eq!(
        mandate["details"]["consumerAccount"], "NL55INGB0000000000",
        "{mandate}"
    );
    let (_, payments) = api(
        "GET",
        &running.url,
        "/v2/customers/cst_seededJane/payments",
        None,
    )
    .await;
    let payment = &payments["_embedded"]["payments"][0];
    assert_eq!(payment["status"], "paid");
    assert_eq!(payment["amountRemaining"]["value"], "12.50");
    // A test key sees only the test-mode customer.
    let (status, _) = api("GET", &running.url, "/v2/customers/cst_seededLive", None).await;
    assert_eq!(status, 404);
    let (status, _) = call(
        "GET",
        &format!("{}/v2/customers/cst_seededLive", running.url),
        Some(LIVE_KEY),
        None,
    )
    .await;
    assert_eq!(status, 200);

    let (status, rest) = running.terminate().await;
    assert!(status.success());
    assert_eq!(rest, ["mollie-mock shutting down"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_seed_stops_it_before_it_listens_and_names_the_field() {
    let dir = temp_dir("bad-seed");
    let seed_path = dir.join("seed.json");
    let mut bad = seed();
    bad["payments"][0]["amount"]["value"] = json!("12.5");
    std::fs::write(&seed_path, bad.to_string()).expect("written");
    let output = program()
        .args(["--addr", "127.0.0.1:0", "--seed"])
        .arg(&seed_path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "it never listened");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("(field payments[0].amount.value)"),
        "{stderr}"
    );

    std::fs::write(&seed_path, "{not json").expect("written");
    let output = program()
        .args(["--addr", "127.0.0.1:0", "--seed"])
        .arg(&seed_path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not JSON"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn state_is_saved_on_sigterm_and_loaded_on_the_next_start() {
    let dir = temp_dir("state");
    let state_path = dir.join("mock-state.json");
    let seed_path = dir.join("seed.json");
    std::fs::write(&seed_path, seed().to_string()).expect("written");

    // First run: no state file yet, so the seed is loaded.
    let mut command = program();
    command
        .args(["--addr", "127.0.0.1:0", "--state"])
        .arg(&state_path)
        .arg("--seed")
        .arg(&seed_path);
    let mut running = start(&mut command);
    assert_eq!(
        running.next_line(),
        format!("mollie-mock loaded {}", seed_path.display())
    );
    let (status, created) = api(
        "POST",
        &running.url,
        "/v2/customers",
        Some(json!({"name": "Made at runtime", "metadata": {"plan": "gold"}})),
    )
    .await;
    assert_eq!(status, 201);
    let customer = id(&created);
    let (status, moved) = control(
        "POST",
        &running.url,
        "/__mock/clock",
        Some(json!({"advance": "2 days"})),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    let (status, rest) = running.terminate().await;
    assert!(status.success(), "{status:?}");
    assert_eq!(
        rest,
        [
            "mollie-mock shutting down".to_owned(),
            format!("mollie-mock state saved to {}", state_path.display()),
        ]
    );
    let saved: Value =
        serde_json::from_slice(&std::fs::read(&state_path).expect("the state file")).expect("JSON");
    assert_eq!(saved["version"], 1);
    // Two days, less the moment between the request reading the clock and moving it.
    assert!(saved["clockOffsetSeconds"].as_u64() >= Some(2 * 86_400 - 1));
    let names: Vec<&str> = saved["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["Jane Doe", "Live Larry", "Made at runtime"]);

    // Second run: the state file exists, so it is loaded (and the seed is not).
    let mut command = program();
    command
        .args(["--addr", "127.0.0.1:0", "--state"])
        .arg(&state_path)
        .arg("--seed")
        .arg(&seed_path);
    let mut running = start(&mut command);
    assert_eq!(
        running.next_line(),
        format!("mollie-mock loaded {}", state_path.display())
    );
    let (status, found) = api(
        "GET",
        &running.url,
        &format!("/v2/customers/{customer}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["metadata"], json!({"plan": "gold"}));
    assert_eq!(found["createdAt"], created["createdAt"]);
    let (_, list) = api("GET", &running.url, "/v2/customers", None).await;
    assert_eq!(list["count"], 2, "the seed is not loaded twice: {list}");
    // The clock kept its offset.
    let (_, clock) = control("GET", &running.url, "/__mock/clock", None).await;
    assert!(
        clock["offsetSeconds"].as_u64() >= Some(2 * 86_400 - 1),
        "{clock}"
    );
    let (status, _) = running.terminate().await;
    assert!(status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_state_file_is_refused_and_left_alone() {
    let dir = temp_dir("bad-state");
    let state_path = dir.join("state.json");
    let text = r#"{"version": 1, "mandates": [{"customerId": "cst_nobody", "method": "directdebit", "details": {}}]}"#;
    std::fs::write(&state_path, text).expect("written");
    let output = program()
        .args(["--addr", "127.0.0.1:0", "--state"])
        .arg(&state_path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("(field mandates[0].customerId)"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&state_path).expect("kept"), text);

    let output = program()
        .args(["--addr", "127.0.0.1:0", "--state"])
        .arg(dir.join("no-such-dir").join("state.json"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not exist"));
    let _ = std::fs::remove_dir_all(&dir);
}

// --- GET and PUT /__mock/state -----------------------------------------------------------

/// Customers of both modes, a mandate, a subscription that charged and is told to fail,
/// payments paid, open and pending, a refund and a chargeback, and a clock moved forward.
async fn busy_mock(server: &MockServer) {
    let url = server.url();
    let (_, jane) = api(
        "POST",
        url,
        "/v2/customers",
        Some(json!({"name": "Jane Doe", "email": "jane@example.org", "locale": "nl_NL"})),
    )
    .await;
    let jane = id(&jane);
    let (status, _) = call(
        "POST",
        &format!("{url}/v2/customers"),
        Some(LIVE_KEY),
        Some(json!({"name": "Live Larry"})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, mandate) = api(
        "POST",
        url,
        &format!("/v2/customers/{jane}/mandates"),
        Some(json!({
            "method": "directdebit",
            "consumerName": "Jane Doe",
            "consumerAccount": "NL55INGB0000000000",
            "mandateReference": "JANE-1"
        })),
    )
    .await;
    assert_eq!(status, 201, "{mandate}");
    let (status, subscription) = api(
        "POST",
        url,
        &format!("/v2/customers/{jane}/subscriptions"),
        Some(json!({
            "amount": {"currency": "EUR", "value": "25.00"},
            "interval": "1 month",
            "times": 6,
            "description": "Gold plan",
            "metadata": {"plan": "gold"}
        })),
    )
    .await;
    assert_eq!(status, 201, "{subscription}");
    let (status, paid) = api(
        "POST",
        url,
        "/v2/payments",
        Some(json!({
            "amount": {"currency": "EUR", "value": "30.00"},
            "description": "Order 1",
            "redirectUrl": "https://shop.example/return",
            "method": "ideal",
            "lines": [{
                "description": "T-shirt",
                "quantity": 1,
                "unitPrice": {"currency": "EUR", "value": "30.00"},
                "totalAmount": {"currency": "EUR", "value": "30.00"}
            }]
        })),
    )
    .await;
    assert_eq!(status, 201, "{paid}");
    let paid = id(&paid);
    let (status, _) = control(
        "POST",
        url,
        &format!("/__mock/payments/{paid}/status"),
        Some(json!({"status": "paid"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, refund) = api(
        "POST",
        url,
        &format!("/v2/payments/{paid}/refunds"),
        Some(json!({"amount": {"currency": "EUR", "value": "5.00"}, "description": "Sorry"})),
    )
    .await;
    assert_eq!(status, 201, "{refund}");
    let (status, _) = control(
        "POST",
        url,
        &format!("/__mock/payments/{paid}/chargebacks"),
        Some(json!({
            "amount": {"currency": "EUR", "value": "2.00"},
            "reason": {"code": "MD06", "description": "Refund request by end customer"}
        })),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = control(
        "POST",
        url,
        "/__mock/clock",
        Some(json!({"advance": "1 month"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = control(
        "POST",
        url,
        &format!("/__mock/subscriptions/{}/fail-next", id(&subscription)),
        Some(json!({"reason": "AC04"})),
    )
    .await;
    assert_eq!(status, 204);
    // Left open (it expires in 15 minutes of the mock's time).
    let (status, _) = api(
        "POST",
        url,
        &format!("/v2/customers/{jane}/payments"),
        Some(json!({
            "amount": {"currency": "EUR", "value": "0.00"},
            "description": "First payment",
            "sequenceType": "first",
            "redirectUrl": "https://shop.example/return"
        })),
    )
    .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn the_state_round_trips_through_the_control_api() {
    let server = MockConfig::new().start().await.expect("starts");
    busy_mock(&server).await;
    let url = server.url();
    let (status, exported) = control("GET", url, "/__mock/state", None).await;
    assert_eq!(status, 200);
    assert_eq!(exported["version"], 1);
    for (list, count) in [
        ("customers", 2),
        ("mandates", 1),
        ("subscriptions", 1),
        ("refunds", 1),
        ("chargebacks", 1),
    ] {
        assert_eq!(
            exported[list].as_array().map(Vec::len),
            Some(count),
            "{list}"
        );
    }
    // The paid one, the first payment, and the subscription's (pending, then paid).
    assert!(exported["payments"].as_array().map(Vec::len) >= Some(3));
    assert!(exported["clockOffsetSeconds"].as_u64() >= Some(28 * 86_400 - 1));
    assert_eq!(exported["subscriptions"][0]["_mock"]["failNext"], "AC04");
    assert!(exported["customers"][0].get("_links").is_none());

    let (status, _) = control("POST", url, "/__mock/reset", None).await;
    assert_eq!(status, 204);
    let (_, health) = control("GET", url, "/__mock/health", None).await;
    assert_eq!(health["objects"], 0);
    let (status, imported) = control("PUT", url, "/__mock/state", Some(exported.clone())).await;
    assert_eq!(status, 200, "{imported}");
    assert_eq!(imported["customers"], 2);
    let (_, again) = control("GET", url, "/__mock/state", None).await;
    assert_eq!(
        again, exported,
        "export, reset, import, export: the same JSON"
    );

    // And the objects are whole again behind the API: links, amounts, lists.
    let paid = exported["refunds"][0]["paymentId"].as_str().expect("an id");
    let (status, payment) = api("GET", url, &format!("/v2/payments/{paid}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(payment["amountRefunded"]["value"], "5.00");
    assert_eq!(payment["amountChargedBack"]["value"], "2.00");
    assert_eq!(payment["amountRemaining"]["value"], "23.00");
    assert!(payment["_links"]["refunds"].is_object(), "{payment}");
    let (_, refunds) = api("GET", url, "/v2/refunds", None).await;
    assert_eq!(refunds["count"], 1);
    server.shutdown().await;
}

#[tokio::test]
async fn an_import_restores_what_is_due_later() {
    let server = MockConfig::new().start().await.expect("starts");
    let url = server.url();
    // A seed with a running subscription that starts today, a direct debit still to
    // settle, and an open payment made an hour ago.
    let now = serde_json::from_value::<String>(
        control("GET", url, "/__mock/clock", None).await.1["now"].clone(),
    )
    .expect("a time");
    let today = &now[..10];
    let (status, imported) = control(
        "PUT",
        url,
        "/__mock/state",
        Some(json!({
            "customers": [{"id": "cst_due", "name": "Due Diligence"}],
            "mandates": [{
                "id": "mdt_due",
                "customerId": "cst_due",
                "method": "directdebit",
                "details": {"consumerName": "D. Diligence", "consumerAccount": "NL55INGB0000000000"}
            }],
            "payments": [
                {
                    "id": "tr_debit",
                    "customerId": "cst_due",
                    "sequenceType": "recurring",
                    "mandateId": "mdt_due",
                    "method": "directdebit",
                    "status": "pending",
                    "amount": {"currency": "EUR", "value": "9.99"},
                    "description": "Settles later"
                },
                {
                    "id": "tr_stale",
                    "amount": {"currency": "EUR", "value": "1.00"},
                    "description": "Nobody paid",
                    "redirectUrl": "https://shop.example/return",
                    "createdAt": "2020-01-01T10:00:00Z"
                }
            ],
            "subscriptions": [{
                "id": "sub_due",
                "customerId": "cst_due",
                "amount": {"currency": "EUR", "value": "5.00"},
                "interval": "1 month",
                "times": 2,
                "description": "Monthly",
                "startDate": today
            }]
        })),
    )
    .await;
    assert_eq!(status, 200, "{imported}");
    // The open payment from 2020 expired at once, the subscription charged today.
    let (_, stale) = api("GET", url, "/v2/payments/tr_stale", None).await;
    assert_eq!(stale["status"], "expired", "{stale}");
    assert_eq!(stale["expiredAt"], "2020-01-01T10:15:00+00:00");
    let (_, debit) = api("GET", url, "/v2/payments/tr_debit", None).await;
    assert_eq!(debit["status"], "pending");
    // Its collection details came from the mandate.
    assert_eq!(debit["details"]["consumerName"], "D. Diligence", "{debit}");
    let (_, made) = api(
        "GET",
        url,
        "/v2/customers/cst_due/subscriptions/sub_due/payments",
        None,
    )
    .await;
    assert_eq!(made["count"], 1, "{made}");

    let (status, report) = control(
        "POST",
        url,
        "/__mock/clock",
        Some(json!({"advance": "40 days"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(report["charged"], 1, "{report}");
    assert_eq!(report["ended"], 1, "{report}");
    let (_, debit) = api("GET", url, "/v2/payments/tr_debit", None).await;
    assert_eq!(debit["status"], "paid");
    let (_, subscription) = api(
        "GET",
        url,
        "/v2/customers/cst_due/subscriptions/sub_due",
        None,
    )
    .await;
    assert_eq!(subscription["status"], "completed");
    server.shutdown().await;
}

#[tokio::test]
async fn a_bad_import_is_a_422_naming_the_field_and_changes_nothing() {
    let server = MockConfig::new()
        .max_body_bytes(4096)
        .start()
        .await
        .expect("starts");
    let url = server.url();
    let (status, _) = control(
        "PUT",
        url,
        "/__mock/state",
        Some(json!({"customers": [{"id": "cst_kept", "name": "Kept"}]})),
    )
    .await;
    assert_eq!(status, 200);
    let before = server.export_state();
    let cases = [
        (json!({"version": 2}), "version"),
        (json!({"customer": []}), "customer"),
        (json!({"customers": {}}), "customers"),
        (json!({"customers": [7]}), "customers[0]"),
        (
            json!({"customers": [{"email": "not an email"}]}),
            "customers[0].email",
        ),
        (
            json!({"customers": [{"id": "tr_wrongkind"}]}),
            "customers[0].id",
        ),
        (
            json!({"customers": [{"id": "cst_twice"}, {"id": "cst_twice"}]}),
            "customers[1].id",
        ),
        (
            json!({"customers": [{"mode": "sandbox"}]}),
            "customers[0].mode",
        ),
        (
            json!({"mandates": [{"customerId": "cst_ghost", "method": "directdebit", "details": {}}]}),
            "mandates[0].customerId",
        ),
        (
            json!({
                "customers": [{"id": "cst_a"}],
                "mandates": [{"customerId": "cst_a", "method": "directdebit",
                              "details": {"consumerAccount": "NL00BANK0123456789"}}]
            }),
            "mandates[0].details.consumerAccount",
        ),
        (
            json!({"payments": [{"amount": {"currency": "EUR", "value": "1.00"}}]}),
            "payments[0].description",
        ),
        (
            json!({"payments": [{"amount": {"currency": "EUR", "value": "1.00"},
                                 "description": "x", "status": "exploded"}]}),
            "payments[0].status",
        ),
        (
            json!({"payments": [{"amount": {"currency": "EUR", "value": "1.00"},
                                 "description": "x", "createdAt": "yesterday"}]}),
            "payments[0].createdAt",
        ),
        (
            json!({"refunds": [{"paymentId": "tr_ghost",
                                "amount": {"currency": "EUR", "value": "1.00"}}]}),
            "refunds[0].paymentId",
        ),
        (
            json!({"customers": [{"id": "cst_s"}],
                   "subscriptions": [{"customerId": "cst_s", "description": "d",
                                      "amount": {"currency": "EUR", "value": "1.00"},
                                      "interval": "fortnightly"}]}),
            "subscriptions[0].interval",
        ),
        (json!({"clockOffsetSeconds": -5}), "clockOffsetSeconds"),
    ];
    for (doc, field) in cases {
        let (status, error) = control("PUT", url, "/__mock/state", Some(doc.clone())).await;
        assert_eq!(status, 422, "{doc}: {error}");
        assert_eq!(error["field"], field, "{doc}: {error}");
        assert_eq!(error["status"], 422);
        assert!(error["detail"].is_string());
    }
    // Not JSON: a 400, like a body the API cannot read.
    let response = reqwest::Client::new()
        .put(format!("{url}/__mock/state"))
        .body("{\"customers\": [")
        .send()
        .await
        .expect("served");
    assert_eq!(response.status(), 400);
    // Larger than the mock takes: a 413, as for any request.
    let big = json!({"customers": (0..300).map(|i| json!({"name": format!("Customer {i}")})).collect::<Vec<_>>()});
    let (status, error) = control("PUT", url, "/__mock/state", Some(big)).await;
    assert_eq!(status, 413, "{error}");
    assert_eq!(server.export_state(), before, "nothing changed");
    server.shutdown().await;
}

#[tokio::test]
async fn an_import_fits_the_store_or_is_refused() {
    let server = MockConfig::new()
        .max_objects(2)
        .start()
        .await
        .expect("starts");
    let doc = json!({"customers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]});
    let error = server.import_state(&doc).expect_err("too many");
    assert_eq!(error.status, 422);
    assert_eq!(error.field.as_deref(), Some("customers[2]"));
    server
        .import_state(&json!({"customers": [{"name": "a"}, {"name": "b"}]}))
        .expect("fits");
    server.shutdown().await;
}

#[tokio::test]
async fn an_offset_behind_the_clock_leaves_it_where_it_is() {
    let server = MockServer::start().await.expect("starts");
    server
        .advance_clock(std::time::Duration::from_secs(3600))
        .await;
    server
        .import_state(&json!({"clockOffsetSeconds": 60}))
        .expect("valid");
    assert_eq!(server.export_state()["clockOffsetSeconds"], 3600);
    server
        .import_state(&json!({"clockOffsetSeconds": 7200}))
        .expect("valid");
    assert_eq!(server.export_state()["clockOffsetSeconds"], 7200);
    server.shutdown().await;
}

#[tokio::test]
async fn the_seed_of_the_crate_docs_imports() {
    let server = MockServer::start().await.expect("starts");
    // As in the crate docs' State section.
    let seed = json!({
      "customers": [{"id": "cst_jane", "name": "Jane Doe", "email": "jane@example.org"}],
      "mandates": [{"customerId": "cst_jane", "method": "directdebit",
                    "details": {"consumerName": "Jane Doe", "consumerAccount": "NL55INGB0000000000"}}],
      "subscriptions": [{"customerId": "cst_jane", "amount": {"currency": "EUR", "value": "25.00"},
                         "interval": "1 month", "description": "Gold plan"}],
      "payments": [{"customerId": "cst_jane", "amount": {"currency": "EUR", "value": "10.00"},
                    "description": "Order 1", "status": "paid"}]
    });
    server.import_state(&seed).expect("the documented seed");
    let state = server.export_state();
    assert_eq!(state["subscriptions"][0]["status"], "active");
    // The subscription starts today: its first payment is made at once.
    assert_eq!(state["payments"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        state["payments"][1]["subscriptionId"],
        state["subscriptions"][0]["id"]
    );
    server.shutdown().await;
}

#[tokio::test]
async fn the_stores_bounds_are_flags_and_variables_too() {
    let mut command = program();
    command
        .args(["--addr", "127.0.0.1:0", "--max-objects", "1"])
        .env("MOLLIE_MOCK_IDLE_TIMEOUT", "5")
        .env("MOLLIE_MOCK_MAX_CONNECTIONS", "50");
    let running = start(&mut command);
    let base = running.url.clone();
    let (first, _) = api("POST", &base, "/v2/customers", Some(json!({"name": "A"}))).await;
    assert_eq!(first, 201);
    let (second, body) = api("POST", &base, "/v2/customers", Some(json!({"name": "B"}))).await;
    assert_eq!(second, 422, "{body}");
    let (status, _) = running.terminate().await;
    assert!(status.success());
    let out = program()
        .args(["--max-connections", "0"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}
