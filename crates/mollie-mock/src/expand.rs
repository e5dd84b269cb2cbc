//! The `include` and `embed` query parameters: comma-separated values (or the parameter
//! repeated), each one the endpoint takes; anything else is Mollie's 400 on the parameter.

use crate::errors::{ApiError, quoted};

/// The values of `name` in `query`, each checked against `allowed`.
///
/// # Errors
/// 400 with `field` = `name` for a value the endpoint does not take.
pub(crate) fn values<'q>(
    query: &'q [(String, String)],
    name: &str,
    allowed: &[&str],
) -> Result<Vec<&'q str>, ApiError> {
    let mut out = Vec::new();
    for (key, value) in query.iter().filter(|(k, _)| k == name) {
        for item in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
            if !allowed.contains(&item) {
                return Err(ApiError::bad_request(format!(
                    "Invalid {key} value '{}': this endpoint takes {}",
                    quoted(item),
                    allowed.join(", ")
                ))
                .with_field(name));
            }
            if !out.contains(&item) {
                out.push(item);
            }
        }
    }
    Ok(out)
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
    fn comma_separated_or_repeated() {
        let query = q(&[("embed", "refunds,chargebacks"), ("embed", "refunds")]);
        let got = values(&query, "embed", &["refunds", "chargebacks", "captures"]).expect("ok");
        assert_eq!(got, ["refunds", "chargebacks"]);
        let err = values(&q(&[("embed", "payment")]), "embed", &["refunds"]).expect_err("bad");
        assert_eq!(err.field.as_deref(), Some("embed"));
        assert_eq!(err.status.as_u16(), 400);
    }
}
