//! The exact JSON of every request body the SDK sends, pinned as snapshots.

use mollie_models::{
    Address, ApplicationFee, CaptureMode, Company, CustomerUpdate, Date, Iban, LineType, Locale,
    MandateId, Money, NewCustomer, NewMandate, NewPayment, NewRefund, NewRoute, NewRoutingReversal,
    OrganizationId, PaymentLine, PaymentMethod, PaymentUpdate, RefundExternalReference,
    RefundExternalReferenceType, RouteDestination, RouteDestinationType, ValidationError,
};

fn wire(body: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(body).expect("request bodies always serialize")
}

#[test]
fn new_customer() -> Result<(), ValidationError> {
    let body = NewCustomer::new()
        .name("Jane Doe")
        .email("jane@example.org")
        .locale(Locale::NlNl)
        .metadata(serde_json::json!({"crmId": 42, "tier": "gold"}))?;
    insta::assert_snapshot!(wire(&body));
    insta::assert_snapshot!("new_customer_empty", wire(&NewCustomer::new()));
    Ok(())
}

#[test]
fn customer_update() -> Result<(), ValidationError> {
    let body = CustomerUpdate::new()
        .email("j@example.org")
        .locale(Locale::Unknown("xx_XX".into()))
        .metadata(["a", "b"])?;
    insta::assert_snapshot!(wire(&body));
    Ok(())
}

#[test]
fn customer_update_clearing_fields() {
    let body = CustomerUpdate::new()
        .name("Jane")
        .clear_email()
        .clear_locale()
        .clear_metadata();
    insta::assert_snapshot!(wire(&body));
}

#[test]
fn new_mandate_sepa_direct_debit() -> Result<(), ValidationError> {
    let body = NewMandate::sepa_direct_debit("Jane Doe", Iban::parse("nl55 ingb 0000 0000 00")?)
        .consumer_bic("INGBNL2A")
        .signature_date(Date::parse("2024-05-07")?)
        .mandate_reference("ACME-MD-0001");
    insta::assert_snapshot!(wire(&body));
    Ok(())
}

#[test]
fn new_mandate_paypal() {
    let body = NewMandate::paypal("Jane Doe", "jane@example.org", "B-12A34567B8901234CD");
    insta::assert_snapshot!(wire(&body));
    let vault = NewMandate::paypal_vault("Jane Doe", "jane@example.org", "8GT9XN4Y2E5PJ");
    insta::assert_snapshot!("new_mandate_paypal_vault", wire(&vault));
}

#[test]
fn new_payment_first() -> Result<(), ValidationError> {
    let body = NewPayment::first(
        Money::eur("0.01")?,
        "Set up your subscription",
        "https://shop.example/return",
    )
    .method(PaymentMethod::CreditCard)
    .webhook_url("https://shop.example/webhooks/mollie")
    .locale(Locale::EnUs)
    .metadata(serde_json::json!({"orderId": "1234"}))?;
    body.validate()?;
    insta::assert_snapshot!(wire(&body));
    Ok(())
}

#[test]
fn new_payment_recurring() -> Result<(), ValidationError> {
    let mandate = MandateId::parse("mdt_h3gAaD5zP")?;
    let body = NewPayment::recurring(Money::eur("10.00")?, "March", &mandate)
        .webhook_url("https://shop.example/webhooks/mollie");
    body.validate()?;
    insta::assert_snapshot!(wire(&body));
    Ok(())
}

#[test]
fn new_payment_oneoff_with_everything() -> Result<(), ValidationError> {
    let mut line = PaymentLine::new(
        "LEGO 4440 Forest Police Station",
        2,
        Money::eur("89.00")?,
        Money::eur("178.00")?,
    );
    line.line_type = Some(LineType::Physical);
    line.vat_rate = Some("21.00".into());
    line.vat_amount = Some(Money::eur("30.89")?);
    line.sku = Some("5702016116977".into());
    let address = Address {
        given_name: Some("Jane".into()),
        family_name: Some("Doe".into()),
        street_and_number: Some("Keizersgracht 126".into()),
        postal_code: Some("1015 CW".into()),
        city: Some("Amsterdam".into()),
        country: Some("NL".into()),
        email: Some("jane@example.org".into()),
        ..Address::default()
    };
    let body = NewPayment::oneoff(
        Money::eur("178.00")?,
        "Order #12345",
        "https://shop.example/order/12345",
    )
    .cancel_url("https://shop.example/cart")
    .methods([PaymentMethod::Ideal, PaymentMethod::CreditCard])
    .lines(vec![line])
    .billing_address(address.clone())
    .shipping_address(address)
    .restrict_payment_methods_to_country("NL")
    .capture_mode(CaptureMode::Manual)
    .capture_delay("8 hours")?
    .application_fee(ApplicationFee {
        amount: Money::eur("1.50")?,
        description: "Platform fee".into(),
    })
    .routing(vec![NewRoute {
        amount: Money::eur("7.50")?,
        destination: RouteDestination {
            destination_type: RouteDestinationType::Organization,
            organization_id: OrganizationId::parse("org_7049691")?,
        },
        release_date: Some(Date::parse("2024-12-31")?),
    }])
    .company(Company {
        registration_number: Some("12345678".into()),
        ..Company::default()
    })
    .consumer_date_of_birth(Date::parse("1990-01-31")?)
    .due_date(Date::parse("2024-12-01")?);
    body.validate()?;
    insta::assert_snapshot!(wire(&body));
    Ok(())
}

#[test]
fn new_refund_with_everything() -> Result<(), ValidationError> {
    let body = NewRefund::new(Money::eur("10.00")?)
        .description("Refund of order #12345")
        .metadata(serde_json::json!({"bookkeepingId": 12345}))?
        .external_reference(RefundExternalReference {
            reference_type: Some(RefundExternalReferenceType::AcquirerReference),
            id: Some("123456789012345".into()),
        })
        .reverse_routing(false)
        .routing_reversals(vec![NewRoutingReversal::organization(
            Money::eur("7.50")?,
            OrganizationId::parse("org_7049691")?,
        )]);
    body.validate_against(&Money::eur("25.00")?)?;
    insta::assert_snapshot!(wire(&body));
    insta::assert_snapshot!(
        "new_refund_amount_only",
        wire(&NewRefund::new(Money::eur("2.50")?))
    );
    Ok(())
}

#[test]
fn payment_update_with_everything() -> Result<(), ValidationError> {
    let address = Address {
        street_and_number: Some("Keizersgracht 126".into()),
        postal_code: Some("1015 CW".into()),
        city: Some("Amsterdam".into()),
        country: Some("NL".into()),
        ..Address::default()
    };
    let body = PaymentUpdate::new()
        .description("Order #12346")
        .redirect_url("https://shop.example/order/12346")
        .cancel_url("https://shop.example/cart")
        .webhook_url("https://shop.example/webhooks/mollie")
        .metadata(serde_json::json!({"orderId": "12346"}))?
        .methods([PaymentMethod::Ideal, PaymentMethod::BankTransfer])
        .locale(Locale::NlNl)
        .due_date(Date::parse("2025-01-01")?)
        .restrict_payment_methods_to_country("NL")
        .issuer("ideal_INGBNL2A")
        .billing_address(address.clone())
        .shipping_address(address)
        .billing_email("jane@example.org");
    body.validate()?;
    insta::assert_snapshot!(wire(&body));
    Ok(())
}

#[test]
fn payment_update_clearing_fields() {
    let body = PaymentUpdate::new()
        .method(PaymentMethod::CreditCard)
        .clear_redirect_url()
        .clear_cancel_url()
        .clear_webhook_url()
        .clear_metadata()
        .clear_locale()
        .clear_restrict_payment_methods_to_country()
        .clear_issuer();
    insta::assert_snapshot!(wire(&body));
}

#[test]
fn request_builders_refuse_bad_input() -> Result<(), ValidationError> {
    let too_big = "x".repeat(2000);
    let err = NewCustomer::new()
        .metadata(&too_big)
        .expect_err("over 1 kB");
    assert_eq!(err.field(), "metadata");

    let mandate = MandateId::parse("mdt_h3gAaD5zP")?;
    let err = NewPayment::recurring(Money::eur("1.00")?, "   ", &mandate)
        .validate()
        .expect_err("blank description");
    assert_eq!(err.field(), "description");
    let err = NewPayment::recurring(Money::eur("1.00")?, "x".repeat(256), &mandate)
        .validate()
        .expect_err("long description");
    assert_eq!(err.field(), "description");

    let err = NewPayment::oneoff(Money::eur("1.00")?, "x", "https://x.example")
        .capture_delay("soon")
        .expect_err("bad delay");
    assert_eq!(err.field(), "captureDelay");

    let payment = Money::eur("10.00")?;
    for (amount, field) in [
        (Money::eur("0.00")?, "amount.value"),
        (Money::eur("-1.00")?, "amount.value"),
        (Money::new("GBP", "1.00")?, "amount.currency"),
    ] {
        let err = NewRefund::new(amount.clone())
            .validate_against(&payment)
            .expect_err("refused refund");
        assert_eq!(err.field(), field, "{amount}");
    }
    let err = NewRefund::new(Money::eur("1.00")?)
        .metadata(&too_big)
        .expect_err("over 1 kB");
    assert_eq!(err.field(), "metadata");
    let err = PaymentUpdate::new()
        .description(" ")
        .validate()
        .expect_err("blank description");
    assert_eq!(err.field(), "description");
    Ok(())
}

#[test]
fn payment_secrets_never_show_in_debug() -> Result<(), ValidationError> {
    let body = NewPayment::oneoff(Money::eur("5.00")?, "Gift", "https://shop.example/r")
        .voucher_pin("PIN-4242")
        .card_token("tkn_CARD4242")
        .apple_pay_payment_token("{\"paymentData\":\"APPLE4242\"}")
        .google_pay_payment_token("GOOGLE4242");
    let debug = format!("{body:?}");
    assert!(!debug.contains("4242"), "no secret may show: {debug}");
    // They are sent all the same.
    let json = serde_json::to_value(&body).expect("serializes");
    assert_eq!(json["voucherPin"], "PIN-4242");
    assert_eq!(json["cardToken"], "tkn_CARD4242");
    Ok(())
}
