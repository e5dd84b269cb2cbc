//! Finds Mollie's OpenAPI spec, which stays outside the repository (its licence is not ours).

use std::path::PathBuf;

/// The spec as JSON, or `None` (after saying so) when it is not on this machine.
///
/// Looked up at `$MOLLIE_OPENAPI_SPEC`, then at `../shared/mollie-openapi/recurring-billing.yaml`
/// beside the workspace. With `MOLLIE_REQUIRE_SPEC=1` (as CI sets it) a missing spec fails.
pub fn load_spec() -> Option<serde_json::Value> {
    let path = std::env::var_os("MOLLIE_OPENAPI_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/mollie-openapi/recurring-billing.yaml")
        });
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_norway::from_str(&text).expect("the spec is valid YAML")),
        Err(err) => {
            assert!(
                std::env::var("MOLLIE_REQUIRE_SPEC").as_deref() != Ok("1"),
                "MOLLIE_REQUIRE_SPEC=1 but the spec cannot be read at {}: {err}",
                path.display()
            );
            eprintln!(
                "skipped: Mollie's OpenAPI spec not found at {} ({err}); set MOLLIE_OPENAPI_SPEC",
                path.display()
            );
            None
        }
    }
}
