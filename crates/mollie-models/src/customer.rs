//! The Customers API's resource and request bodies.

use serde::{Deserialize, Serialize};

use crate::common::{Link, Locale, Mode, Timestamp, metadata_value};
use crate::id::CustomerId;
use crate::validation::ValidationError;

/// A customer, as the Customers API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// Always `"customer"`.
    pub resource: String,
    /// The customer's id.
    pub id: CustomerId,
    /// Live or test mode.
    pub mode: Mode,
    /// The customer's full name.
    pub name: Option<String>,
    /// The customer's email address.
    pub email: Option<String>,
    /// The language of the hosted payment pages shown to this customer.
    pub locale: Option<Locale>,
    /// Whatever the application stored with the customer.
    pub metadata: Option<serde_json::Value>,
    /// When the customer was created.
    pub created_at: Timestamp,
    /// Links to the customer itself, its dashboard page and its related resources.
    #[serde(rename = "_links")]
    pub links: CustomerLinks,
}

/// The `_links` of a [`Customer`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerLinks {
    /// The customer in the API.
    #[serde(rename = "self")]
    pub self_: Link,
    /// The customer in Mollie's dashboard.
    pub dashboard: Link,
    /// The customer's payments; absent while there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<Link>,
    /// The customer's mandates; absent while there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandates: Option<Link>,
    /// The customer's subscriptions; absent while there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<Link>,
    /// The API documentation of customers (absent on list items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Link>,
}

/// The body of *Create customer*. Every field is optional.
///
/// ```
/// use mollie_models::{Locale, NewCustomer};
///
/// let body = NewCustomer::new()
///     .name("Jane Doe")
///     .email("jane@example.org")
///     .locale(Locale::NlNl)
///     .metadata(serde_json::json!({"crmId": 42}))?;
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"name":"Jane Doe","email":"jane@example.org","locale":"nl_NL","metadata":{"crmId":42}}"#
/// );
/// # Ok::<(), mollie_models::ValidationError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCustomer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locale: Option<Locale>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<serde_json::Value>,
}

/// The body of *Update customer*: only the fields that are set are changed, and the `clear_`
/// setters send `null` to remove a value.
///
/// ```
/// use mollie_models::CustomerUpdate;
///
/// let body = CustomerUpdate::new().email("j@example.org").clear_locale();
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"email":"j@example.org","locale":null}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerUpdate {
    // Outer `None`: unchanged (not sent); `Some(None)`: cleared (sent as `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locale: Option<Option<Locale>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<serde_json::Value>,
}

/// A field of a customer body: `Option<T>` in [`NewCustomer`], `Option<Option<T>>` in
/// [`CustomerUpdate`] (where the inner `None` clears the value).
trait Slot<T> {
    fn fill(value: T) -> Self;
    fn peek(&self) -> Option<&T>;
}

impl<T> Slot<T> for Option<T> {
    fn fill(value: T) -> Self {
        Some(value)
    }
    fn peek(&self) -> Option<&T> {
        self.as_ref()
    }
}

impl<T> Slot<T> for Option<Option<T>> {
    fn fill(value: T) -> Self {
        Some(Some(value))
    }
    fn peek(&self) -> Option<&T> {
        self.as_ref().and_then(Option::as_ref)
    }
}

impl CustomerUpdate {
    /// Removes the customer's name (sends `"name": null`).
    pub fn clear_name(mut self) -> Self {
        self.name = Some(None);
        self
    }

    /// Removes the customer's email address.
    pub fn clear_email(mut self) -> Self {
        self.email = Some(None);
        self
    }

    /// Removes the customer's locale: the browser's language is used again.
    pub fn clear_locale(mut self) -> Self {
        self.locale = Some(None);
        self
    }

    /// Removes the customer's metadata.
    pub fn clear_metadata(mut self) -> Self {
        self.metadata = Some(serde_json::Value::Null);
        self
    }
}

macro_rules! customer_fields {
    ($ty:ident) => {
        impl $ty {
            /// An empty body.
            pub fn new() -> Self {
                Self::default()
            }

            /// The customer's full name.
            pub fn name(mut self, name: impl Into<String>) -> Self {
                self.name = Slot::fill(name.into());
                self
            }

            /// The customer's email address (a domain with non-ASCII characters in Punycode).
            pub fn email(mut self, email: impl Into<String>) -> Self {
                self.email = Slot::fill(email.into());
                self
            }

            /// The language of Mollie's hosted pages for this customer.
            pub fn locale(mut self, locale: Locale) -> Self {
                self.locale = Slot::fill(locale);
                self
            }

            /// Any JSON-serializable data to store with the customer.
            ///
            /// # Errors
            /// When it does not serialize, or its JSON is over
            /// [`METADATA_MAX_BYTES`](crate::METADATA_MAX_BYTES).
            pub fn metadata(mut self, metadata: impl Serialize) -> Result<Self, ValidationError> {
                self.metadata = Some(metadata_value(metadata)?);
                Ok(self)
            }

            /// The name, if set.
            pub fn get_name(&self) -> Option<&str> {
                Slot::<String>::peek(&self.name).map(String::as_str)
            }

            /// The email address, if set.
            pub fn get_email(&self) -> Option<&str> {
                Slot::<String>::peek(&self.email).map(String::as_str)
            }

            /// The locale, if set.
            pub fn get_locale(&self) -> Option<&Locale> {
                Slot::<Locale>::peek(&self.locale)
            }

            /// The metadata, if set.
            pub fn get_metadata(&self) -> Option<&serde_json::Value> {
                self.metadata.as_ref()
            }
        }
    };
}

customer_fields!(NewCustomer);
customer_fields!(CustomerUpdate);
