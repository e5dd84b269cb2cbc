//! What the benches of this crate share: the credential and the customer the server answers.

use serde_json::json;

/// A test API key of the right shape.
pub const KEY: &str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";

/// The customer every bench fetches, as Mollie would send it.
pub fn customer_body() -> String {
    json!({
        "resource": "customer", "id": "cst_8wmqcHMN4U", "mode": "test",
        "name": "Customer A", "email": "customer@example.org", "locale": "nl_NL",
        "metadata": {"crmId": 42}, "createdAt": "2024-03-20T09:13:37+00:00",
        "_links": {
            "self": {"href": "https://api.mollie.com/v2/customers/cst_8wmqcHMN4U", "type": "application/hal+json"},
            "dashboard": {"href": "https://my.mollie.com/dashboard/org_123/customers/cst_8wmqcHMN4U", "type": "text/html"},
            "documentation": {"href": "https://docs.mollie.com/reference/get-customer", "type": "text/html"}
        }
    })
    .to_string()
}
