//! Mollie-style ids: a prefix and random base62 characters.

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// How many random characters follow the prefix. 62^10 ≈ 8·10^17: collisions are checked
/// anyway by the store, but practically never happen.
const BODY_LEN: usize = 10;

/// A fresh id such as `cst_8wmqcHMN4U`.
pub(crate) fn random_id(prefix: &str) -> String {
    let mut id = String::with_capacity(prefix.len() + BODY_LEN);
    id.push_str(prefix);
    for _ in 0..BODY_LEN {
        id.push(char::from(ALPHABET[fastrand::usize(..ALPHABET.len())]));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_mollie_shape() {
        let id = random_id("cst_");
        assert!(mollie_models::CustomerId::parse(&id).is_ok(), "{id}");
        assert_eq!(id.len(), 14);
        assert_ne!(random_id("tr_"), random_id("tr_"));
    }
}
