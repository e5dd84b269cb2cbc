//! The `mollie-mock` binary: prints its URL, serves, and stops cleanly on SIGTERM.

mod program;

use program::{program, start};

#[tokio::test]
async fn prints_its_url_serves_and_stops_on_sigterm() {
    let running = start(program().args(["--addr", "127.0.0.1:0"]));
    let url = running.url.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let response = reqwest::Client::new()
        .get(format!("{url}/v2/customers"))
        .bearer_auth("test_abc")
        .header("accept", "application/json")
        .send()
        .await
        .expect("served");
    assert_eq!(response.status(), 200);

    let (status, rest) = running.terminate().await;
    assert!(status.success(), "{status:?}");
    assert_eq!(rest, ["mollie-mock shutting down"]);
}

#[test]
fn refuses_bad_arguments() {
    let output = program()
        .args(["--addr", "nowhere"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("HOST:PORT"));
}

#[tokio::test]
async fn with_tls_writes_the_certificate_then_prints_an_https_url() {
    let dir = std::env::temp_dir().join(format!("mollie-mock-binary-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let cert_path = dir.join("mock.pem");
    let _ = std::fs::remove_file(&cert_path);
    let mut running = start(
        program()
            .args(["--addr", "127.0.0.1:0", "--tls", "--tls-cert-out"])
            .arg(&cert_path),
    );
    let url = running.url.clone();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    // Written before the URL was printed: usable at once.
    let pem = std::fs::read_to_string(&cert_path).expect("the certificate file");
    let second = running.next_line();
    assert_eq!(
        second,
        format!(
            "mollie-mock certificate (self-signed) written to {}",
            cert_path.display()
        )
    );

    let certificate = reqwest::Certificate::from_pem(pem.as_bytes()).expect("PEM");
    let client = reqwest::Client::builder()
        .add_root_certificate(certificate)
        .build()
        .expect("client");
    let response = client
        .get(format!("{url}/v2/customers"))
        .bearer_auth("test_abc")
        .send()
        .await
        .expect("served over https");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.expect("a body")).expect("json");
    let self_link = body["_links"]["self"]["href"].as_str().expect("a link");
    assert!(
        self_link.starts_with(&format!("{url}/v2/customers")),
        "{self_link}"
    );

    let (status, rest) = running.terminate().await;
    assert!(status.success(), "{status:?}");
    assert_eq!(rest, ["mollie-mock shutting down"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn with_tls_and_no_path_writes_the_certificate_in_the_temp_dir() {
    let mut running = start(program().args(["--addr", "127.0.0.1:0", "--tls"]));
    let port = running.url.rsplit(':').next().expect("a port").to_owned();
    let second = running.next_line();
    let path = second
        .strip_prefix("mollie-mock certificate (self-signed) written to ")
        .unwrap_or_else(|| panic!("unexpected second line {second:?}"))
        .to_owned();
    let expected = std::env::temp_dir().join(format!("mollie-mock-{port}.pem"));
    assert_eq!(std::path::Path::new(&path), expected);
    let pem = std::fs::read_to_string(&path).expect("the certificate file");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    running.kill();
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_certificate_path_needs_tls() {
    let output = program()
        .args(["--addr", "127.0.0.1:0", "--tls-cert-out", "/tmp/x.pem"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--tls-cert-out needs --tls"));
}
