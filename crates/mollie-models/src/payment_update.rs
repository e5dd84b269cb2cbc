//! The body of *Update payment* (`PATCH /v2/payments/{paymentId}`).

use serde::{Deserialize, Serialize};

use crate::common::{Date, Locale, metadata_value};
use crate::new_payment::{DESCRIPTION_MAX_CHARS, MethodChoice};
use crate::payment::{Address, PaymentMethod};
use crate::validation::ValidationError;

/// The body of *Update payment*: only the fields that are set are changed, and the `clear_`
/// setters send `null` to remove a value (for the fields Mollie's spec lets be `null`).
///
/// Mollie takes most changes only while the payment is open. `testmode` is not part of the
/// body: the client sets it on the call or on the client, as for
/// [`NewPayment`](crate::NewPayment).
///
/// ```
/// use mollie_models::{Locale, PaymentUpdate};
///
/// let body = PaymentUpdate::new()
///     .description("Order #12346")
///     .locale(Locale::NlNl)
///     .clear_cancel_url();
/// body.validate()?;
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"description":"Order #12346","cancelUrl":null,"locale":"nl_NL"}"#
/// );
/// # Ok::<(), mollie_models::ValidationError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentUpdate {
    // Outer `None`: unchanged (not sent); `Some(None)`: cleared (sent as `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redirect_url: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cancel_url: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    webhook_url: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<MethodChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locale: Option<Option<Locale>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    restrict_payment_methods_to_country: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    billing_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shipping_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    billing_email: Option<String>,
}

/// A setter that sets a nullable field to a value, and one that clears it (sends `null`).
macro_rules! nullable_setters {
    ($( $(#[$meta:meta])* $field:ident, $clear:ident : $ty:ty, $what:literal; )+) => {
        $(
            $(#[$meta])*
            pub fn $field(mut self, value: impl Into<$ty>) -> Self {
                self.$field = Some(Some(value.into()));
                self
            }

            #[doc = concat!("Removes the payment's ", $what, " (sends `null`).")]
            pub fn $clear(mut self) -> Self {
                self.$field = Some(None);
                self
            }
        )+
    };
}

impl PaymentUpdate {
    /// An empty body: it changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// The description shown to the customer and on the bank statement (at most
    /// [`DESCRIPTION_MAX_CHARS`](crate::DESCRIPTION_MAX_CHARS) characters).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    nullable_setters! {
        /// Where the customer goes after the checkout.
        redirect_url, clear_redirect_url: String, "redirect URL";
        /// Where the customer goes when they cancel at the checkout.
        cancel_url, clear_cancel_url: String, "cancel URL (the customer then goes to the redirect URL)";
        /// Where Mollie posts status changes (`id=tr_...`).
        webhook_url, clear_webhook_url: String, "webhook URL: Mollie then calls none";
        /// The language of the hosted pages.
        locale, clear_locale: Locale, "locale: the browser's language is used again";
        /// Show only the methods available in this country (ISO 3166-1 alpha-2).
        restrict_payment_methods_to_country, clear_restrict_payment_methods_to_country: String, "country restriction";
        /// The issuer to preselect (KBC/CBC, gift cards, vouchers; ignored for iDEAL 2).
        issuer, clear_issuer: String, "preselected issuer";
    }

    /// Any JSON-serializable data to store with the payment, replacing what is stored.
    ///
    /// # Errors
    /// When it does not serialize, or its JSON is over
    /// [`METADATA_MAX_BYTES`](crate::METADATA_MAX_BYTES).
    pub fn metadata(mut self, metadata: impl Serialize) -> Result<Self, ValidationError> {
        self.metadata = Some(metadata_value(metadata)?);
        Ok(self)
    }

    /// Removes the payment's metadata (sends `null`).
    pub fn clear_metadata(mut self) -> Self {
        self.metadata = Some(serde_json::Value::Null);
        self
    }

    /// Send the customer straight to `method`, skipping the method selection.
    pub fn method(mut self, method: PaymentMethod) -> Self {
        self.method = Some(MethodChoice::One(method));
        self
    }

    /// Show only these methods at the checkout.
    pub fn methods(mut self, methods: impl IntoIterator<Item = PaymentMethod>) -> Self {
        self.method = Some(MethodChoice::Any(methods.into_iter().collect()));
        self
    }

    /// The day by which the payment should be completed (bank transfer). Mollie's spec gives
    /// `null` no meaning beyond leaving the field out, so there is no `clear_due_date`.
    pub fn due_date(mut self, due_date: Date) -> Self {
        self.due_date = Some(due_date);
        self
    }

    /// The billing address.
    pub fn billing_address(mut self, address: Address) -> Self {
        self.billing_address = Some(address);
        self
    }

    /// The shipping address.
    pub fn shipping_address(mut self, address: Address) -> Self {
        self.shipping_address = Some(address);
        self
    }

    /// The email address to send the bank transfer instructions to.
    pub fn billing_email(mut self, email: impl Into<String>) -> Self {
        self.billing_email = Some(email.into());
        self
    }

    /// Checks what the setters cannot: a description, when set, that is not blank and has at
    /// most [`DESCRIPTION_MAX_CHARS`] characters. The SDK client calls it before sending.
    ///
    /// # Errors
    /// The first field that Mollie would refuse.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(description) = &self.description {
            if description.trim().is_empty() {
                return Err(ValidationError::new("description", "must not be empty"));
            }
            let chars = description.chars().count();
            if chars > DESCRIPTION_MAX_CHARS {
                return Err(ValidationError::new(
                    "description",
                    format!("has {chars} characters; Mollie takes at most {DESCRIPTION_MAX_CHARS}"),
                ));
            }
        }
        Ok(())
    }

    /// Whether the body changes nothing (no field set or cleared).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The description, if set.
    pub fn get_description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The redirect URL, if set (not if cleared).
    pub fn get_redirect_url(&self) -> Option<&str> {
        self.redirect_url.as_ref().and_then(Option::as_deref)
    }

    /// The cancel URL, if set (not if cleared).
    pub fn get_cancel_url(&self) -> Option<&str> {
        self.cancel_url.as_ref().and_then(Option::as_deref)
    }

    /// The webhook URL, if set (not if cleared).
    pub fn get_webhook_url(&self) -> Option<&str> {
        self.webhook_url.as_ref().and_then(Option::as_deref)
    }

    /// The metadata, if set (`Value::Null` if cleared).
    pub fn get_metadata(&self) -> Option<&serde_json::Value> {
        self.metadata.as_ref()
    }

    /// The method or methods, if set.
    pub fn get_method(&self) -> Option<&MethodChoice> {
        self.method.as_ref()
    }

    /// The locale, if set (not if cleared).
    pub fn get_locale(&self) -> Option<&Locale> {
        self.locale.as_ref().and_then(Option::as_ref)
    }

    /// The due date, if set.
    pub fn get_due_date(&self) -> Option<&Date> {
        self.due_date.as_ref()
    }

    /// The country restriction, if set (not if cleared).
    pub fn get_restrict_payment_methods_to_country(&self) -> Option<&str> {
        self.restrict_payment_methods_to_country
            .as_ref()
            .and_then(Option::as_deref)
    }

    /// The issuer, if set (not if cleared).
    pub fn get_issuer(&self) -> Option<&str> {
        self.issuer.as_ref().and_then(Option::as_deref)
    }

    /// The billing address, if set.
    pub fn get_billing_address(&self) -> Option<&Address> {
        self.billing_address.as_ref()
    }

    /// The shipping address, if set.
    pub fn get_shipping_address(&self) -> Option<&Address> {
        self.shipping_address.as_ref()
    }

    /// The billing email address, if set.
    pub fn get_billing_email(&self) -> Option<&str> {
        self.billing_email.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_clear_and_leave_out() {
        let body = PaymentUpdate::new()
            .webhook_url("https://shop.example/hook")
            .clear_issuer();
        assert_eq!(
            serde_json::to_value(&body).expect("serializes"),
            serde_json::json!({"webhookUrl": "https://shop.example/hook", "issuer": null})
        );
        assert_eq!(body.get_webhook_url(), Some("https://shop.example/hook"));
        assert_eq!(body.get_issuer(), None);
        assert!(!body.is_empty());
        assert!(PaymentUpdate::new().is_empty());
    }

    #[test]
    fn a_blank_or_long_description_is_refused() {
        for bad in ["  ".to_owned(), "x".repeat(DESCRIPTION_MAX_CHARS + 1)] {
            let err = PaymentUpdate::new()
                .description(bad)
                .validate()
                .expect_err("refused");
            assert_eq!(err.field(), "description");
        }
        assert_eq!(PaymentUpdate::new().validate(), Ok(()));
    }
}
