//! Bearer authentication: which mode a request sees, and whose idempotency keys it uses.

use std::hash::BuildHasher;

use axum::http::{HeaderMap, header};

use crate::errors::ApiError;

/// Live or test data. Every stored object has one, and a request only ever sees its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Env {
    Live,
    Test,
}

impl Env {
    /// The mode as the models spell it.
    pub fn mode(self) -> mollie_models::Mode {
        match self {
            Env::Live => mollie_models::Mode::Live,
            Env::Test => mollie_models::Mode::Test,
        }
    }

    /// `0` for live, `1` for test: an index into per-mode tables.
    pub fn index(self) -> usize {
        match self {
            Env::Live => 0,
            Env::Test => 1,
        }
    }
}

/// What kind of credential authenticated the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credential {
    /// A `test_` or `live_` API key: the mode is fixed by the key.
    ApiKey(Env),
    /// An `access_` token (organization access token or OAuth): mode from `testmode`.
    AccessToken,
}

/// An authenticated caller.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller {
    pub credential: Credential,
    /// A keyed hash of the token: the scope of idempotency keys. The token itself is never
    /// kept.
    pub scope: u64,
}

impl Caller {
    /// The mode of this request, given the `testmode` it sent (if any). API keys ignore
    /// `testmode`; access tokens default to live, as Mollie does.
    pub fn env(&self, testmode: Option<bool>) -> Env {
        match self.credential {
            Credential::ApiKey(env) => env,
            Credential::AccessToken if testmode == Some(true) => Env::Test,
            Credential::AccessToken => Env::Live,
        }
    }

    /// Whether this is an organization-level token (which must name a `profileId`).
    pub fn is_access_token(&self) -> bool {
        self.credential == Credential::AccessToken
    }
}

/// Checks the `Authorization: Bearer ...` header.
///
/// # Errors
/// Mollie's 401 when the header is missing, not Bearer, or not a `test_`/`live_`/`access_`
/// token followed by letters and digits.
pub(crate) fn authenticate(
    headers: &HeaderMap,
    hasher: &impl BuildHasher,
) -> Result<Caller, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(ApiError::unauthorized)?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(ApiError::unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::unauthorized());
    }
    let token = token.trim();
    let credential = if let Some(rest) = token.strip_prefix("test_") {
        (rest, Credential::ApiKey(Env::Test))
    } else if let Some(rest) = token.strip_prefix("live_") {
        (rest, Credential::ApiKey(Env::Live))
    } else if let Some(rest) = token.strip_prefix("access_") {
        (rest, Credential::AccessToken)
    } else {
        return Err(ApiError::unauthorized());
    };
    let (rest, credential) = credential;
    if rest.is_empty()
        || rest.len() > 256
        || !rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
    {
        return Err(ApiError::unauthorized());
    }
    Ok(Caller {
        credential,
        scope: hasher.hash_one(token),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::hash::RandomState;

    fn auth(value: &str) -> Result<Caller, ApiError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(value).expect("header"),
        );
        authenticate(&headers, &RandomState::new())
    }

    #[test]
    fn keys_choose_the_mode() {
        let test = auth("Bearer test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM").expect("ok");
        assert_eq!(test.env(Some(false)), Env::Test);
        let live = auth("bearer live_abc").expect("ok");
        assert_eq!(live.env(Some(true)), Env::Live);
        let access = auth("Bearer access_abc").expect("ok");
        assert_eq!(access.env(None), Env::Live);
        assert_eq!(access.env(Some(true)), Env::Test);
    }

    #[test]
    fn refuses_anything_else() {
        for bad in [
            "Bearer",
            "Bearer ",
            "Bearer test_",
            "Basic dGVzdF9hYmM6",
            "Bearer foo_abc",
            "Bearer test_a b",
            "test_abc",
        ] {
            let err = auth(bad).expect_err(bad);
            assert_eq!(err.status.as_u16(), 401, "{bad}");
        }
    }
}
