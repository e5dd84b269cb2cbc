//! Property tests: no input panics a parser, money round-trips byte for byte, and enum values
//! the SDK does not know survive a round trip unchanged.

use mollie_models::{
    Chargeback, Currency, Customer, CustomerId, Date, ErrorResponse, Iban, List, Locale, Mandate,
    MandateStatus, Money, NewPayment, NewRefund, Payment, PaymentMethod, PaymentStatus,
    PaymentUpdate, Refund, RefundStatus, SequenceType,
};
use proptest::prelude::*;
use serde_json::Value;

/// Any JSON value, with the keys and strings a Mollie body uses mixed in so that the
/// deserializers get past their first field.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("resource".to_owned()),
        Just("id".to_owned()),
        Just("mode".to_owned()),
        Just("amount".to_owned()),
        Just("currency".to_owned()),
        Just("value".to_owned()),
        Just("status".to_owned()),
        Just("method".to_owned()),
        Just("details".to_owned()),
        Just("_links".to_owned()),
        Just("_embedded".to_owned()),
        Just("payments".to_owned()),
        Just("refunds".to_owned()),
        Just("chargebacks".to_owned()),
        Just("payment".to_owned()),
        Just("paymentId".to_owned()),
        Just("createdAt".to_owned()),
        Just("count".to_owned()),
        "[a-zA-Z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::String),
        prop_oneof![
            Just("cst_abc"),
            Just("tr_x"),
            Just("re_x"),
            Just("chb_x"),
            Just("EUR"),
            Just("10.00"),
            Just("live")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn parse_all(json: &str) {
    // Only the absence of a panic is asserted: any of these may be an error.
    let _ = serde_json::from_str::<Customer>(json);
    let _ = serde_json::from_str::<Mandate>(json);
    let _ = serde_json::from_str::<Payment>(json);
    let _ = serde_json::from_str::<List<Payment>>(json);
    let _ = serde_json::from_str::<List<Mandate>>(json);
    let _ = serde_json::from_str::<Refund>(json);
    let _ = serde_json::from_str::<List<Refund>>(json);
    let _ = serde_json::from_str::<Chargeback>(json);
    let _ = serde_json::from_str::<List<Chargeback>>(json);
    let _ = serde_json::from_str::<ErrorResponse>(json);
    let _ = serde_json::from_str::<NewPayment>(json);
    let _ = serde_json::from_str::<NewRefund>(json);
    let _ = serde_json::from_str::<PaymentUpdate>(json);
    let _ = serde_json::from_str::<Money>(json);
    let _ = serde_json::from_str::<Iban>(json);
    let _ = serde_json::from_str::<CustomerId>(json);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_never_panics_a_deserializer(value in arbitrary_json()) {
        parse_all(&value.to_string());
    }

    #[test]
    fn arbitrary_bytes_never_panic_a_deserializer(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        parse_all(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn metadata_floats_round_trip_exactly(bits in any::<u64>()) {
        let float = f64::from_bits(bits);
        prop_assume!(float.is_finite());
        let written = serde_json::to_string(&serde_json::json!({"rate": float})).expect("json");
        let metadata = mollie_models::metadata_value(serde_json::from_str::<Value>(&written).expect("parses"))
            .expect("small");
        prop_assert_eq!(metadata["rate"].as_f64(), Some(float));
        prop_assert_eq!(serde_json::to_string(&metadata).expect("json"), written);
    }

    #[test]
    fn from_minor_units_new_and_minor_units_agree_on_every_i64(
        units in any::<i64>(),
        code in prop_oneof![Just("EUR"), Just("JPY"), Just("KWD")],
    ) {
        // Whatever from_minor_units builds, new and minor_units take back; whatever it
        // refuses is out of their range too.
        let currency = Currency::new(code).expect("valid code");
        match Money::from_minor_units(currency, units) {
            Ok(money) => {
                prop_assert_eq!(money.minor_units(), Some(units));
                prop_assert!(Money::new(currency, money.value()).is_ok());
            }
            Err(error) => prop_assert_eq!(error.field(), "amount.value"),
        }
    }

    #[test]
    fn money_round_trips_byte_exact(
        units in -1_000_000_000_000i64..1_000_000_000_000,
        code in prop_oneof![Just("EUR"), Just("JPY"), Just("KWD"), Just("USD"), Just("ISK")],
    ) {
        let currency = Currency::new(code).expect("valid code");
        let money = Money::from_minor_units(currency, units).expect("in range");
        prop_assert_eq!(money.minor_units(), Some(units));
        let rebuilt = Money::new(currency, money.value()).expect("own output is valid");
        prop_assert_eq!(&rebuilt, &money);
        let json = serde_json::to_string(&money).expect("serializes");
        let parsed: Money = serde_json::from_str(&json).expect("parses");
        prop_assert_eq!(parsed.value(), money.value());
        prop_assert_eq!(serde_json::to_string(&parsed).expect("serializes"), json);
    }

    #[test]
    fn received_amounts_keep_their_exact_text(value in "-?(0|[1-9][0-9]{0,14})(\\.[0-9]{1,6})?") {
        let json = format!(r#"{{"currency":"EUR","value":"{value}"}}"#);
        let money: Money = serde_json::from_str(&json).expect("a decimal parses");
        prop_assert_eq!(serde_json::to_string(&money).expect("serializes"), json);
    }

    #[test]
    fn unknown_enum_values_round_trip(value in "[a-z_\\- ]{1,24}") {
        fn round_trip<T>(value: &str) -> Result<(), TestCaseError>
        where
            T: serde::Serialize + serde::de::DeserializeOwned + std::fmt::Display,
        {
            let json = serde_json::to_string(value).expect("a string");
            let parsed: T = serde_json::from_str(&json).expect("open enums accept any string");
            prop_assert_eq!(parsed.to_string(), value);
            prop_assert_eq!(serde_json::to_string(&parsed).expect("serializes"), json);
            Ok(())
        }
        round_trip::<PaymentStatus>(&value)?;
        round_trip::<PaymentMethod>(&value)?;
        round_trip::<MandateStatus>(&value)?;
        round_trip::<SequenceType>(&value)?;
        round_trip::<RefundStatus>(&value)?;
        round_trip::<Locale>(&value)?;
        let status: PaymentStatus = serde_json::from_value(Value::String(value.clone())).expect("parses");
        prop_assert_eq!(status.is_unknown(), !PaymentStatus::KNOWN.iter().any(|k| k.as_str() == value));
    }

    #[test]
    fn ids_accept_exactly_mollie_shapes(body in "\\PC{0,12}") {
        let id = format!("cst_{body}");
        let valid = !body.is_empty() && body.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        prop_assert_eq!(CustomerId::parse(&id).is_ok(), valid);
    }

    #[test]
    fn dates_and_ibans_never_panic(input in "\\PC{0,40}") {
        let _ = Date::parse(&input);
        let _ = Iban::parse(&input);
    }
}
