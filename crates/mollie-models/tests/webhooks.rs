//! Webhook receiving: known-answer signatures, tampering, rotation, and no panics on any input.

use mollie_models::webhooks::{
    SignatureCheck, SigningSecret, WebhookError, WebhookEvent, parse_classic, sign,
    verify_signature,
};
use proptest::prelude::*;

const BODY: &[u8] = br#"{"resource":"event","id":"event_GvJ8WHrp5isUdRub9CJyH"}"#;
/// HMAC-SHA256 of `BODY` under `whsec_test_4b1d6f`, computed independently (Python's hmac).
const BODY_SIGNATURE: &str =
    "sha256=dfee7c04a17078407788f13a36bac30cd0f7fe4cda39c077251ca5e059ee61f2";

#[test]
fn known_answers() {
    let secret = SigningSecret::new("whsec_test_4b1d6f");
    assert_eq!(sign(BODY, &secret), BODY_SIGNATURE);
    assert_eq!(
        verify_signature(BODY, Some(BODY_SIGNATURE), &[secret]),
        Ok(SignatureCheck::Verified { secret_index: 0 })
    );
    // RFC-style vector: HMAC_SHA256("key", "The quick brown fox jumps over the lazy dog").
    assert_eq!(
        sign(
            b"The quick brown fox jumps over the lazy dog",
            &SigningSecret::new("key")
        ),
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    );
}

#[test]
fn one_changed_byte_fails() {
    let secret = SigningSecret::new("whsec_test_4b1d6f");
    let mut tampered = BODY.to_vec();
    tampered[3] ^= 0x01;
    assert_eq!(
        verify_signature(
            &tampered,
            Some(BODY_SIGNATURE),
            std::slice::from_ref(&secret)
        ),
        Err(WebhookError::SignatureMismatch)
    );
    let mut header = BODY_SIGNATURE.to_owned();
    header.replace_range(header.len() - 1.., "3");
    assert_eq!(
        verify_signature(BODY, Some(&header), &[secret]),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn malformed_headers_are_refused() {
    let secret = SigningSecret::new("whsec_test_4b1d6f");
    let hex = &BODY_SIGNATURE["sha256=".len()..];
    for header in [
        format!("sha1={hex}"),
        format!("SHA256={hex}"),
        hex.to_owned(),
        "sha256=".to_owned(),
        format!("sha256={}", &hex[..63]),
        format!("sha256={}zz", &hex[..62]),
        format!("sha256={hex}00"),
    ] {
        assert_eq!(
            verify_signature(BODY, Some(&header), std::slice::from_ref(&secret)),
            Err(WebhookError::MalformedSignature),
            "{header}"
        );
    }
}

#[test]
fn rotation_accepts_any_listed_secret() {
    let old = SigningSecret::new("old");
    let new = SigningSecret::new("whsec_test_4b1d6f");
    assert_eq!(
        verify_signature(BODY, Some(BODY_SIGNATURE), &[old.clone(), new]),
        Ok(SignatureCheck::Verified { secret_index: 1 })
    );
    assert_eq!(
        verify_signature(BODY, Some(BODY_SIGNATURE), &[old]),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verify_signature(BODY, Some(BODY_SIGNATURE), &[]),
        Err(WebhookError::NoSigningSecret)
    );
}

#[test]
fn a_missing_header_means_a_classic_unsigned_webhook() {
    assert_eq!(
        verify_signature(b"id=tr_abc", None, &[SigningSecret::new("s")]),
        Ok(SignatureCheck::Unsigned)
    );
}

#[test]
fn secrets_never_show_in_debug() {
    let secret = SigningSecret::new("whsec_live_DO_NOT_LEAK");
    let debug = format!("{secret:?} {:?}", std::slice::from_ref(&secret));
    assert!(!debug.contains("DO_NOT_LEAK"), "{debug}");
    let err = verify_signature(BODY, Some("sha256=00"), &[secret]).expect_err("malformed");
    assert!(!format!("{err} {err:?}").contains("DO_NOT_LEAK"));
}

proptest! {
    #[test]
    fn no_input_panics_the_parsers(body in prop::collection::vec(any::<u8>(), 0..200), header in "\\PC{0,80}") {
        let _ = parse_classic(&body);
        let _ = WebhookEvent::parse(&body);
        let _ = verify_signature(&body, Some(&header), &[SigningSecret::new("s")]);
    }

    #[test]
    fn any_signed_body_verifies_and_any_flip_does_not(body in prop::collection::vec(any::<u8>(), 1..200), flip in any::<prop::sample::Index>()) {
        let secret = SigningSecret::new("whsec_prop");
        let header = sign(&body, &secret);
        prop_assert_eq!(verify_signature(&body, Some(&header), std::slice::from_ref(&secret)), Ok(SignatureCheck::Verified { secret_index: 0 }));
        let mut changed = body.clone();
        let i = flip.index(changed.len());
        changed[i] ^= 0x80;
        prop_assert_eq!(verify_signature(&changed, Some(&header), &[secret]), Err(WebhookError::SignatureMismatch));
    }

    #[test]
    fn classic_ids_round_trip_through_form_encoding(body in "[A-Za-z0-9]{1,30}") {
        let id = format!("tr_{body}");
        let parsed = parse_classic(format!("id={id}").as_bytes()).expect("valid id");
        prop_assert_eq!(parsed.as_str(), id.as_str());
    }
}
