//! Mandates: create, get, list, revoke.

use std::time::SystemTime;

use axum::http::StatusCode;
use mollie_models::{
    CardDetails, CardLabel, Date, DirectDebitDetails, Iban, Mandate, MandateDetails, MandateId,
    MandateLinks, MandateMethod, MandateScope, MandateStatus, PayPalDetails, PaymentMethod,
    Timestamp,
};

use super::{Ctx, cursor, list_reply, no_such, to_json};
use crate::app::{App, lock};
use crate::clock;
use crate::errors::{ApiError, Reply, quoted};
use crate::ids::random_id;
use crate::links::{self, DOC_MANDATES};
use crate::lists;
use crate::store::{MandateRec, PaymentRec, Store, page};
use crate::validate::{self, Body};

/// The mandate as the API shows it; list items do not link the documentation.
pub(crate) fn render(m: &MandateRec, base: &str, single: bool) -> Mandate {
    let customer = format!("/v2/customers/{}", m.customer_id);
    Mandate {
        resource: "mandate".into(),
        id: m.id.clone(),
        mode: m.env.mode(),
        status: m.status.clone(),
        method: m.method.clone(),
        details: m.details.clone(),
        mandate_reference: m.mandate_reference.clone(),
        signature_date: m.signature_date.clone(),
        customer_id: m.customer_id.clone(),
        scopes: Some(m.scopes.clone()),
        created_at: m.created_at.clone(),
        links: MandateLinks {
            self_: links::api(base, &format!("{customer}/mandates/{}", m.id)),
            customer: links::api(base, &customer),
            documentation: single.then(|| links::doc(DOC_MANDATES)),
        },
    }
}

/// A BIC: 8 or 11 letters and digits, the first six letters.
fn bic(value: &str) -> Result<String, ApiError> {
    let bytes = value.as_bytes();
    let valid = (bytes.len() == 8 || bytes.len() == 11)
        && bytes[..6].iter().all(u8::is_ascii_alphabetic)
        && bytes.iter().all(u8::is_ascii_alphanumeric);
    if valid {
        Ok(value.to_ascii_uppercase())
    } else {
        Err(ApiError::unprocessable(
            "consumerBic",
            format!("The BIC '{}' is invalid", quoted(value)),
        ))
    }
}

/// What a create request asks for, checked.
struct NewMandate {
    method: MandateMethod,
    details: MandateDetails,
    mandate_reference: Option<String>,
    signature_date: Option<Date>,
}

fn parse_new(body: &Body, today: &str) -> Result<NewMandate, ApiError> {
    let method = match validate::opt_str(body, "method")? {
        None => {
            return Err(ApiError::unprocessable(
                "method",
                "The 'method' field is missing",
            ));
        }
        Some(m) => MandateMethod::from(m),
    };
    let consumer_name = validate::req_str(body, "consumerName")?.to_owned();
    validate::max_chars("consumerName", &consumer_name, 255)?;
    let details = match &method {
        MandateMethod::DirectDebit => {
            let account = validate::req_str(body, "consumerAccount")?;
            let iban = Iban::parse(account).map_err(|_| {
                ApiError::unprocessable(
                    "consumerAccount",
                    format!("The IBAN '{}' is invalid", quoted(account)),
                )
            })?;
            let consumer_bic = validate::opt_str(body, "consumerBic")?
                .map(bic)
                .transpose()?;
            MandateDetails::DirectDebit(DirectDebitDetails {
                consumer_name: Some(consumer_name),
                consumer_account: Some(iban.as_str().to_owned()),
                consumer_bic,
            })
        }
        MandateMethod::PayPal => {
            let email = validate::req_str(body, "consumerEmail")?;
            validate::email("consumerEmail", email)?;
            let agreement = validate::opt_str(body, "paypalBillingAgreementId")?;
            let vault = validate::opt_str(body, "payPalVaultId")?;
            match (agreement, vault) {
                (Some(_), Some(_)) => {
                    return Err(ApiError::unprocessable(
                        "paypalBillingAgreementId",
                        "Provide either 'paypalBillingAgreementId' or 'payPalVaultId', not both",
                    ));
                }
                (None, None) => {
                    return Err(ApiError::unprocessable(
                        "paypalBillingAgreementId",
                        "The 'paypalBillingAgreementId' field is missing",
                    ));
                }
                (Some(id), None) if !id.starts_with("B-") => {
                    return Err(ApiError::unprocessable(
                        "paypalBillingAgreementId",
                        format!("The billing agreement id '{}' is invalid", quoted(id)),
                    ));
                }
                _ => {}
            }
            MandateDetails::PayPal(PayPalDetails {
                consumer_name: Some(consumer_name),
                consumer_account: Some(email.to_owned()),
            })
        }
        MandateMethod::CreditCard => {
            return Err(ApiError::unprocessable(
                "method",
                "Card mandates cannot be created through this endpoint; create a first payment instead",
            ));
        }
        other => {
            return Err(ApiError::unprocessable(
                "method",
                format!("The mandate method '{}' is invalid", quoted(other.as_str())),
            ));
        }
    };
    let signature_date = validate::opt_date(body, "signatureDate")?;
    if signature_date.as_ref().is_some_and(|d| d.as_str() > today) {
        return Err(ApiError::unprocessable(
            "signatureDate",
            "The signature date cannot be in the future",
        ));
    }
    let mandate_reference = validate::opt_str(body, "mandateReference")?;
    if let Some(reference) = mandate_reference {
        validate::max_chars("mandateReference", reference, 35)?;
    }
    Ok(NewMandate {
        method,
        details,
        mandate_reference: mandate_reference.map(str::to_owned),
        signature_date,
    })
}

/// `POST /v2/customers/{customerId}/mandates`: a SEPA or PayPal mandate, valid at once.
pub(crate) fn create(
    app: &App,
    ctx: &Ctx<'_>,
    customer_id: &str,
    body: &Body,
) -> Result<Reply, ApiError> {
    // Like Mollie, an unknown customer is a 404 before the body is looked at.
    if lock(&app.store).customer(ctx.env, customer_id).is_none() {
        return Err(no_such("customer", customer_id));
    }
    let today = clock::date(ctx.now);
    let new = parse_new(body, &today)?;
    let mut store = lock(&app.store);
    let customer = store
        .customer(ctx.env, customer_id)
        .ok_or_else(|| no_such("customer", customer_id))?
        .id
        .clone();
    store.check_capacity()?;
    let id = store.fresh_id("mdt_", |s| mollie_models::MandateId::parse(s).ok());
    let seq = store.seq();
    let mandate = MandateRec {
        seq,
        id: id.clone(),
        env: ctx.env,
        customer_id: customer,
        method: new.method,
        status: MandateStatus::Valid,
        details: new.details,
        mandate_reference: new.mandate_reference,
        // Mollie takes the day of the request when no signature date is given.
        signature_date: Some(
            new.signature_date
                .unwrap_or(Date::parse(&today).map_err(|_| {
                    ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "The mock's clock is out of range",
                    )
                })?),
        ),
        scopes: vec![MandateScope::CustomerNotPresent],
        created_at: Timestamp::new(clock::timestamp(ctx.now)),
    };
    let json = to_json(&render(&mandate, ctx.base, true))?;
    let valid = (mandate.status == MandateStatus::Valid).then(|| mandate.clone());
    store.insert_mandate(mandate);
    if let Some(mandate) = valid {
        crate::schedule::mandate_valid(&mut store, &mandate, ctx.now);
    }
    Ok(Reply::json(StatusCode::CREATED, json))
}

fn find<'a>(
    store: &'a crate::store::Store,
    ctx: &Ctx<'_>,
    customer_id: &str,
    mandate_id: &str,
) -> Result<&'a MandateRec, ApiError> {
    store
        .customer(ctx.env, customer_id)
        .ok_or_else(|| no_such("customer", customer_id))?;
    store
        .mandates
        .get(mandate_id)
        .filter(|m| m.env == ctx.env && m.customer_id.as_str() == customer_id)
        .ok_or_else(|| no_such("mandate", mandate_id))
}

/// `GET /v2/customers/{customerId}/mandates/{mandateId}`. A revoked mandate is a 410, as
/// Mollie's *Get mandate* says: "Trying to retrieve a revoked mandate will result in a 410
/// exception" (it stays in the customer's list, `invalid`).
pub(crate) fn get(
    app: &App,
    ctx: &Ctx<'_>,
    customer_id: &str,
    mandate_id: &str,
) -> Result<Reply, ApiError> {
    let store = lock(&app.store);
    let mandate = find(&store, ctx, customer_id, mandate_id)?;
    // Only revoking makes a mandate `invalid` in the mock.
    if mandate.status == MandateStatus::Invalid {
        return Err(revoked(mandate_id));
    }
    Ok(Reply::json(
        StatusCode::OK,
        to_json(&render(mandate, ctx.base, true))?,
    ))
}

/// The 410 of a revoked mandate.
fn revoked(mandate_id: &str) -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        format!("The mandate {} has been revoked", quoted(mandate_id)),
    )
}

/// `DELETE /v2/customers/{customerId}/mandates/{mandateId}`: the mandate becomes `invalid`
/// (listed still, but *Get mandate* answers 410). Revoking it again is a 204 too.
pub(crate) fn revoke(
    app: &App,
    ctx: &Ctx<'_>,
    customer_id: &str,
    mandate_id: &str,
) -> Result<Reply, ApiError> {
    let mut store = lock(&app.store);
    find(&store, ctx, customer_id, mandate_id)?;
    let Some(m) = store.mandates.get_mut(mandate_id) else {
        return Err(no_such("mandate", mandate_id));
    };
    m.status = MandateStatus::Invalid;
    let revoked = m.clone();
    crate::schedule::mandate_revoked(&mut store, &revoked, ctx.now);
    Ok(Reply::no_content())
}

/// `GET /v2/customers/{customerId}/mandates`, optionally only mandates with all the given
/// `scopes` (repeated, `scopes[]=`, or comma-separated).
pub(crate) fn list(app: &App, ctx: &Ctx<'_>, customer_id: &str) -> Result<Reply, ApiError> {
    let params = lists::params(ctx.query, &["testmode", "scopes", "scopes[]"])?;
    let mut scopes = Vec::new();
    for (key, value) in ctx.query {
        if key == "scopes" || key == "scopes[]" {
            for scope in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let scope = MandateScope::from(scope);
                if scope.is_unknown() {
                    return Err(ApiError::bad_request(format!(
                        "Invalid scope '{}'",
                        quoted(scope.as_str())
                    ))
                    .with_field("scopes"));
                }
                scopes.push(scope);
            }
        }
    }
    let store = lock(&app.store);
    let customer = store
        .customer(ctx.env, customer_id)
        .ok_or_else(|| no_such("customer", customer_id))?;
    let wanted = |m: &MandateRec| scopes.iter().all(|s| m.scopes.contains(s));
    let from = cursor(
        &store.mandates,
        params.from.as_deref(),
        |m| m.customer_id.as_str() == customer_id && wanted(m),
        |m| m.seq,
    )?;
    let keep = |id: &str| store.mandates.get(id).is_some_and(wanted);
    let page = page(&customer.mandates, from, params.limit, params.desc(), keep);
    let path = format!("/v2/customers/{customer_id}/mandates");
    list_reply(
        ctx,
        &page,
        &store.mandates,
        |m| render(m, ctx.base, false),
        (&path, &params, DOC_MANDATES),
    )
}

/// The mandate a paid `first` payment gives its customer, as Mollie creates it: a card
/// mandate for a card payment (or when no method was chosen), a PayPal mandate for PayPal,
/// and a SEPA Direct Debit mandate for the bank methods (iDEAL, Bancontact, ...). Its details
/// are plausible test-mode values. `None` when the payment has no customer, or the customer
/// no longer exists.
///
/// # Errors
/// 422 when the store is full.
pub(crate) fn create_for_first_payment(
    store: &mut Store,
    payment: &PaymentRec,
    now: SystemTime,
) -> Result<Option<MandateId>, ApiError> {
    let Some(customer) = payment
        .customer_id
        .as_ref()
        .and_then(|c| store.customer(payment.env, c.as_str()))
    else {
        return Ok(None);
    };
    let customer_id = customer.id.clone();
    // Mollie's test-mode checkout names the holder "T. TEST"; the customer's name is nicer.
    let holder = customer
        .name
        .clone()
        .unwrap_or_else(|| "T. TEST".to_owned());
    let email = customer.email.clone();
    let method = match &payment.method {
        None | Some(PaymentMethod::CreditCard) => MandateMethod::CreditCard,
        Some(PaymentMethod::PayPal) => MandateMethod::PayPal,
        Some(_) => MandateMethod::DirectDebit,
    };
    let details = match &method {
        MandateMethod::CreditCard => MandateDetails::CreditCard(CardDetails {
            card_holder: Some(holder),
            card_number: Some("6787".to_owned()),
            // A card that stays valid for about three years.
            card_expiry_date: Some(clock::date(clock::plus_minutes(now, 3 * 365 * 24 * 60))),
            card_label: Some(CardLabel::Mastercard),
            card_fingerprint: Some(format!("{}{}", random_id(""), random_id(""))),
        }),
        MandateMethod::PayPal => MandateDetails::PayPal(PayPalDetails {
            consumer_name: Some(holder),
            consumer_account: Some(email.unwrap_or_else(|| "paypal@example.org".to_owned())),
        }),
        _ => MandateDetails::DirectDebit(DirectDebitDetails {
            consumer_name: Some(holder),
            // Mollie's documented test account (its checksum is valid).
            consumer_account: Some("NL55INGB0000000000".to_owned()),
            consumer_bic: Some("INGBNL2A".to_owned()),
        }),
    };
    store.check_capacity()?;
    let id = store.fresh_id("mdt_", |s| MandateId::parse(s).ok());
    let seq = store.seq();
    let mandate = MandateRec {
        seq,
        id: id.clone(),
        env: payment.env,
        customer_id: customer_id.clone(),
        method,
        status: MandateStatus::Valid,
        details,
        mandate_reference: None,
        signature_date: Date::parse(&clock::date(now)).ok(),
        scopes: vec![MandateScope::CustomerNotPresent],
        created_at: Timestamp::new(clock::timestamp(now)),
    };
    store.insert_mandate(mandate.clone());
    crate::schedule::mandate_valid(store, &mandate, now);
    Ok(Some(id))
}
