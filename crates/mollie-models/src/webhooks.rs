//! Receiving Mollie's webhooks, with nothing but this crate.
//!
//! Mollie has two kinds:
//!
//! - **Classic webhooks**: a `POST` with the form body `id=tr_...` to the `webhookUrl` of a
//!   payment (or order, refund ...). The body carries no status and no signature: parse the id
//!   with [`parse_classic`], then fetch the resource from the API and act on what it says.
//! - **Next-gen webhooks**: a `POST` with a JSON [`WebhookEvent`] and the header
//!   `X-Mollie-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. With the `signature`
//!   feature, `verify_signature` checks it in constant time against one or more signing
//!   secrets (so a secret can be rotated), before [`WebhookEvent::parse`] reads the body.
//!
//! ```
//! use mollie_models::webhooks::{parse_classic, WebhookResourceId};
//!
//! match parse_classic(b"id=tr_5B8cwPMGnU6qLbRvo7qEZo")? {
//!     WebhookResourceId::Payment(id) => assert_eq!(id.as_str(), "tr_5B8cwPMGnU6qLbRvo7qEZo"),
//!     other => panic!("not a payment: {other:?}"),
//! }
//! assert!(parse_classic(b"id=../../v2/customers").is_err());
//! # Ok::<(), mollie_models::webhooks::WebhookError>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::common::{Link, Timestamp};
use crate::customer::Customer;
use crate::id::{ChargebackId, OrderId, PaymentId, RefundId, SubscriptionId};
use crate::mandate::Mandate;
use crate::open_enum::open_enum;
use crate::payment::Payment;
use crate::validation::{ValidationError, quoted};

#[cfg(feature = "signature")]
mod signature;
#[cfg(feature = "signature")]
pub use signature::{SIGNATURE_HEADER, SignatureCheck, SigningSecret, sign, verify_signature};

/// Why a webhook request was refused. Nothing in it repeats a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// The form body has no `id` field.
    MissingId,
    /// The form body has more than one `id` field: a classic webhook has exactly one.
    DuplicateId,
    /// The body is not valid `application/x-www-form-urlencoded` UTF-8.
    InvalidEncoding,
    /// The id is not of a resource Mollie sends classic webhooks for, or not of Mollie's shape.
    InvalidId(ValidationError),
    /// The `X-Mollie-Signature` header is not `sha256=` followed by 64 hex digits.
    MalformedSignature,
    /// The signature matches none of the signing secrets: the body was not sent by Mollie, or
    /// was changed on the way.
    SignatureMismatch,
    /// No signing secret was given to verify with.
    NoSigningSecret,
    /// The body is not a next-gen webhook event.
    InvalidEvent(String),
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingId => f.write_str("webhook body has no `id` field"),
            WebhookError::DuplicateId => f.write_str("webhook body has more than one `id` field"),
            WebhookError::InvalidEncoding => {
                f.write_str("webhook body is not valid form-urlencoded UTF-8")
            }
            WebhookError::InvalidId(e) => write!(f, "webhook id refused: {e}"),
            WebhookError::MalformedSignature => {
                f.write_str("X-Mollie-Signature is not `sha256=` followed by 64 hex digits")
            }
            WebhookError::SignatureMismatch => {
                f.write_str("X-Mollie-Signature matches none of the signing secrets")
            }
            WebhookError::NoSigningSecret => f.write_str("no signing secret to verify with"),
            WebhookError::InvalidEvent(why) => write!(f, "not a webhook event: {why}"),
        }
    }
}

impl std::error::Error for WebhookError {}

/// The resource a classic webhook is about, by the prefix of its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookResourceId {
    /// A payment (`tr_`).
    Payment(PaymentId),
    /// An order (`ord_`).
    Order(OrderId),
    /// A refund (`re_`).
    Refund(RefundId),
    /// A chargeback (`chb_`).
    Chargeback(ChargebackId),
    /// A subscription (`sub_`).
    Subscription(SubscriptionId),
}

impl WebhookResourceId {
    /// Reads an id by its prefix.
    ///
    /// # Errors
    /// [`WebhookError::InvalidId`] for an unknown prefix or a malformed id.
    pub fn parse(id: &str) -> Result<Self, WebhookError> {
        let prefix = id.split_once('_').map_or("", |(p, _)| p);
        let parsed = match prefix {
            "tr" => PaymentId::parse(id).map(Self::Payment),
            "ord" => OrderId::parse(id).map(Self::Order),
            "re" => RefundId::parse(id).map(Self::Refund),
            "chb" => ChargebackId::parse(id).map(Self::Chargeback),
            "sub" => SubscriptionId::parse(id).map(Self::Subscription),
            _ => Err(ValidationError::new(
                "id",
                format!(
                    "{} is not the id of a payment, order, refund, chargeback or subscription",
                    quoted(id)
                ),
            )),
        };
        parsed.map_err(WebhookError::InvalidId)
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Payment(id) => id.as_str(),
            Self::Order(id) => id.as_str(),
            Self::Refund(id) => id.as_str(),
            Self::Chargeback(id) => id.as_str(),
            Self::Subscription(id) => id.as_str(),
        }
    }
}

/// Parses the form body of a classic webhook (`id=tr_...`) into the id of its resource.
///
/// Other form fields are ignored; the `id` must appear exactly once.
///
/// # Errors
/// A [`WebhookError`] for a body without exactly one well-formed `id` of a known resource.
pub fn parse_classic(body: &[u8]) -> Result<WebhookResourceId, WebhookError> {
    let body = std::str::from_utf8(body).map_err(|_| WebhookError::InvalidEncoding)?;
    let mut found = None;
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if form_decode(key)? != "id" {
            continue;
        }
        if found.is_some() {
            return Err(WebhookError::DuplicateId);
        }
        found = Some(form_decode(value)?);
    }
    let id = found.ok_or(WebhookError::MissingId)?;
    WebhookResourceId::parse(&id)
}

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space, `%XX` a byte.
fn form_decode(input: &str) -> Result<String, WebhookError> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .ok_or(WebhookError::InvalidEncoding)?;
                let hex = std::str::from_utf8(hex).map_err(|_| WebhookError::InvalidEncoding)?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| WebhookError::InvalidEncoding)?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| WebhookError::InvalidEncoding)
}

open_enum! {
    /// The type of a next-gen webhook event, `<resource>.<what happened>`.
    pub enum EventType {
        /// A payment link was paid.
        PaymentLinkPaid = "payment-link.paid",
        /// A balance transaction was created.
        BalanceTransactionCreated = "balance-transaction.created",
        /// A sales invoice was created.
        SalesInvoiceCreated = "sales-invoice.created",
        /// A sales invoice was issued.
        SalesInvoiceIssued = "sales-invoice.issued",
        /// A sales invoice was canceled.
        SalesInvoiceCanceled = "sales-invoice.canceled",
        /// A sales invoice was paid.
        SalesInvoicePaid = "sales-invoice.paid",
        /// A payment was created.
        PaymentCreated = "payment.created",
        /// A payment was paid.
        PaymentPaid = "payment.paid",
        /// A payment was authorized.
        PaymentAuthorized = "payment.authorized",
        /// A payment failed.
        PaymentFailed = "payment.failed",
        /// A payment was canceled.
        PaymentCanceled = "payment.canceled",
        /// A payment expired.
        PaymentExpired = "payment.expired",
    }
}

/// A next-gen webhook event.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// Always `"event"`.
    pub resource: String,
    /// The event's id (`event_...`): use it to ignore a delivery you already processed.
    pub id: String,
    /// What happened.
    pub event_type: EventType,
    /// The id of the resource it happened to.
    pub entity_id: String,
    /// When it happened.
    pub created_at: Timestamp,
    /// A snapshot of the resource, when the webhook is set to send full payloads.
    pub entity: Option<EventEntity>,
    /// Links to the event, its entity and the documentation.
    pub links: EventLinks,
}

/// The resource snapshot in a [`WebhookEvent`], typed when the SDK knows its kind.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventEntity {
    /// A payment.
    Payment(Box<Payment>),
    /// A customer.
    Customer(Box<Customer>),
    /// A mandate.
    Mandate(Box<Mandate>),
    /// A resource this SDK has no type for, as Mollie sent it.
    Other(serde_json::Value),
    /// A payment, customer or mandate that did not decode into its type (a field this SDK
    /// does not expect yet): the event is kept, since the entity is only a hint; fetch the
    /// resource by [`WebhookEvent::entity_id`] and act on what the API says.
    Unreadable {
        /// The entity's `resource` (`payment`, `customer`, `mandate`).
        resource: String,
        /// Why it did not decode.
        reason: String,
        /// The entity as Mollie sent it.
        raw: serde_json::Value,
    },
}

/// The `_links` of a [`WebhookEvent`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLinks {
    /// The event in the API.
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    /// The resource in the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<Link>,
    /// The documentation of webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Link>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventWire {
    resource: String,
    id: String,
    #[serde(rename = "type")]
    event_type: EventType,
    entity_id: String,
    created_at: Timestamp,
    #[serde(rename = "_embedded", default, skip_serializing_if = "Option::is_none")]
    embedded: Option<EmbeddedWire>,
    #[serde(rename = "_links", default)]
    links: EventLinks,
}

#[derive(Serialize, Deserialize)]
struct EmbeddedWire {
    #[serde(default)]
    entity: Option<serde_json::Value>,
}

impl WebhookEvent {
    /// Parses the raw body of a next-gen webhook. Verify its signature first.
    ///
    /// # Errors
    /// [`WebhookError::InvalidEvent`] when the body is not an event (no envelope: `id`,
    /// `type`, `entityId`, `createdAt`). An embedded entity that does not decode is kept as
    /// [`EventEntity::Unreadable`]: the event is sound, only its snapshot is not.
    pub fn parse(body: &[u8]) -> Result<Self, WebhookError> {
        let wire: EventWire =
            serde_json::from_slice(body).map_err(|e| WebhookError::InvalidEvent(e.to_string()))?;
        let entity = wire.embedded.and_then(|e| e.entity).map(typed_entity);
        Ok(Self {
            resource: wire.resource,
            id: wire.id,
            event_type: wire.event_type,
            entity_id: wire.entity_id,
            created_at: wire.created_at,
            entity,
            links: wire.links,
        })
    }

    /// The event as JSON, the way Mollie sends it (for a server that emits events).
    pub fn to_json(&self) -> serde_json::Value {
        let entity = self.entity.as_ref().map(|entity| match entity {
            EventEntity::Payment(p) => serde_json::to_value(p),
            EventEntity::Customer(c) => serde_json::to_value(c),
            EventEntity::Mandate(m) => serde_json::to_value(m),
            EventEntity::Other(v) | EventEntity::Unreadable { raw: v, .. } => Ok(v.clone()),
        });
        let wire = EventWire {
            resource: self.resource.clone(),
            id: self.id.clone(),
            event_type: self.event_type.clone(),
            entity_id: self.entity_id.clone(),
            created_at: self.created_at.clone(),
            embedded: entity.map(|e| EmbeddedWire {
                entity: Some(e.unwrap_or(serde_json::Value::Null)),
            }),
            links: self.links.clone(),
        };
        serde_json::to_value(wire).unwrap_or(serde_json::Value::Null)
    }
}

fn typed_entity(value: serde_json::Value) -> EventEntity {
    fn typed<T: serde::de::DeserializeOwned>(
        value: serde_json::Value,
        wrap: impl FnOnce(T) -> EventEntity,
    ) -> EventEntity {
        match T::deserialize(&value) {
            Ok(entity) => wrap(entity),
            Err(e) => EventEntity::Unreadable {
                resource: value
                    .get("resource")
                    .and_then(|r| r.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                reason: e.to_string(),
                raw: value,
            },
        }
    }
    let resource = value.get("resource").and_then(|r| r.as_str()).unwrap_or("");
    match resource {
        "payment" => typed(value, |p| EventEntity::Payment(Box::new(p))),
        "customer" => typed(value, |c| EventEntity::Customer(Box::new(c))),
        "mandate" => typed(value, |m| EventEntity::Mandate(Box::new(m))),
        _ => EventEntity::Other(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_bodies() {
        assert_eq!(
            parse_classic(b"id=tr_d0b0E3EA3v").map(|id| id.as_str().to_owned()),
            Ok("tr_d0b0E3EA3v".to_owned())
        );
        assert!(matches!(
            parse_classic(b"id=ord_abc"),
            Ok(WebhookResourceId::Order(_))
        ));
        assert!(matches!(
            parse_classic(b"foo=1&id=tr%5Fabc"),
            Ok(WebhookResourceId::Payment(_))
        ));
        assert_eq!(parse_classic(b""), Err(WebhookError::MissingId));
        assert_eq!(
            parse_classic(b"id=tr_a&id=tr_b"),
            Err(WebhookError::DuplicateId)
        );
        assert_eq!(
            parse_classic(b"id=tr_%zz"),
            Err(WebhookError::InvalidEncoding)
        );
        assert_eq!(
            parse_classic(b"id=tr_%"),
            Err(WebhookError::InvalidEncoding)
        );
        assert_eq!(
            parse_classic(&[b'i', b'd', b'=', 0xff]),
            Err(WebhookError::InvalidEncoding)
        );
        for bad in ["id=cst_abc", "id=tr_a%2Fb", "id=tr_a+b", "id=", "id=tr_"] {
            assert!(
                matches!(
                    parse_classic(bad.as_bytes()),
                    Err(WebhookError::InvalidId(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn events_type_their_entity() {
        let body =
            br#"{"resource":"event","id":"event_GvJ8WHrp5isUdRub9CJyH","type":"payment-link.paid",
            "entityId":"pl_qng5gbbv8NAZ5gpM5ZYgx","createdAt":"2024-12-16T15:57:04.0Z",
            "_embedded":{"entity":{"resource":"payment-link","id":"pl_qng5gbbv8NAZ5gpM5ZYgx"}},
            "_links":{"documentation":{"href":"https://docs.mollie.com/","type":"text/html"}}}"#;
        let event = WebhookEvent::parse(body).expect("parses");
        assert_eq!(event.event_type, EventType::PaymentLinkPaid);
        assert!(matches!(event.entity, Some(EventEntity::Other(_))));
        assert_eq!(
            WebhookEvent::parse(&serde_json::to_vec(&event.to_json()).expect("json")),
            Ok(event)
        );

        let bad_payment = br#"{"resource":"event","id":"event_1","type":"payment.paid","entityId":"tr_1",
            "createdAt":"2024-12-16T15:57:04.0Z","_embedded":{"entity":{"resource":"payment","id":"tr_1"}}}"#;
        // The envelope is sound: the event is kept with its type and entity id, and the
        // snapshot that does not decode is marked so (it once dropped the whole event).
        let kept = WebhookEvent::parse(bad_payment).expect("a sound envelope");
        assert_eq!(kept.entity_id, "tr_1");
        assert_eq!(kept.event_type.to_string(), "payment.paid");
        let Some(EventEntity::Unreadable { resource, raw, .. }) = &kept.entity else {
            panic!("{kept:?}")
        };
        assert_eq!(resource, "payment");
        assert_eq!(raw["id"], "tr_1");
        assert_eq!(
            WebhookEvent::parse(&serde_json::to_vec(&kept.to_json()).expect("json")),
            Ok(kept)
        );
        assert!(matches!(
            WebhookEvent::parse(b"id=tr_1"),
            Err(WebhookError::InvalidEvent(_))
        ));
    }
}
