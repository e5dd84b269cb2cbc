//! The Subscriptions API's resource, request bodies and interval.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::common::{Date, Link, Mode, Timestamp, metadata_value};
use crate::id::{CustomerId, MandateId, SubscriptionId};
use crate::money::Money;
use crate::new_payment::{DESCRIPTION_MAX_CHARS, option_setters};
use crate::open_enum::open_enum;
use crate::payment::ApplicationFee;
use crate::validation::ValidationError;

open_enum! {
    /// Where a subscription is in its life.
    pub enum SubscriptionStatus {
        /// Waiting for a valid mandate (e.g. one made by a first payment still pending).
        Pending = "pending",
        /// Charging on its schedule.
        Active = "active",
        /// Canceled: by the merchant, or because its mandate was revoked or its customer
        /// deleted. It charges nothing more.
        Canceled = "canceled",
        /// Active, but its mandate became invalid: it charges nothing until it is valid again.
        Suspended = "suspended",
        /// Every one of its `times` payments was made.
        Completed = "completed",
    }
}

impl SubscriptionStatus {
    /// Whether the subscription can no longer charge or change (canceled, completed).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Canceled | SubscriptionStatus::Completed
        )
    }
}

open_enum! {
    /// The payment method a subscription charges with. Without one, any of the customer's
    /// valid mandates may be charged.
    pub enum SubscriptionMethod {
        /// A card mandate.
        CreditCard = "creditcard",
        /// A SEPA Direct Debit mandate.
        DirectDebit = "directdebit",
        /// A PayPal billing agreement.
        PayPal = "paypal",
    }
}

/// The unit of an [`Interval`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IntervalUnit {
    /// Calendar days.
    Days,
    /// Weeks of seven days.
    Weeks,
    /// Calendar months: the same day of the month, or its last day when the month is shorter.
    Months,
}

impl IntervalUnit {
    /// The longest interval of this unit that Mollie takes: one year.
    pub fn max_count(self) -> u32 {
        match self {
            IntervalUnit::Days => 365,
            IntervalUnit::Weeks => 52,
            IntervalUnit::Months => 12,
        }
    }

    fn word(self, count: u32) -> &'static str {
        match (self, count == 1) {
            (IntervalUnit::Days, true) => "day",
            (IntervalUnit::Days, false) => "days",
            (IntervalUnit::Weeks, true) => "week",
            (IntervalUnit::Weeks, false) => "weeks",
            (IntervalUnit::Months, true) => "month",
            (IntervalUnit::Months, false) => "months",
        }
    }
}

/// The time between a subscription's payments, as Mollie writes it: `1 month`, `14 days`,
/// `2 weeks`, `3 months`.
///
/// Made by [`Interval::days`], [`Interval::weeks`], [`Interval::months`] or
/// [`Interval::parse`], it is one Mollie takes: a count of at least 1 and at most one year
/// (`365 days`, `52 weeks`, `12 months`). Read from a response, it keeps Mollie's text
/// exactly, whatever it is: [`count`](Self::count) and [`unit`](Self::unit) are `None` for a
/// shape this SDK does not know, and [`validate`](Self::validate) says why.
///
/// ```
/// use mollie_models::{Interval, IntervalUnit};
///
/// let monthly = Interval::months(1)?;
/// assert_eq!(monthly.to_string(), "1 month");
/// assert_eq!(Interval::parse("14 days")?, Interval::days(14)?);
/// assert_eq!(Interval::parse("2 week")?.unit(), Some(IntervalUnit::Weeks));
/// let err = Interval::parse("13 months").unwrap_err();
/// assert_eq!(err.field(), "interval");
/// assert!(Interval::parse("monthly").is_err());
/// # Ok::<(), mollie_models::ValidationError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Interval {
    text: String,
    parsed: Option<(u32, IntervalUnit)>,
}

impl Interval {
    /// Every `count` days (1 to 365).
    ///
    /// # Errors
    /// On `interval` for a count outside that range.
    pub fn days(count: u32) -> Result<Self, ValidationError> {
        Self::checked(count, IntervalUnit::Days)
    }

    /// Every `count` weeks (1 to 52).
    ///
    /// # Errors
    /// On `interval` for a count outside that range.
    pub fn weeks(count: u32) -> Result<Self, ValidationError> {
        Self::checked(count, IntervalUnit::Weeks)
    }

    /// Every `count` months (1 to 12).
    ///
    /// # Errors
    /// On `interval` for a count outside that range.
    pub fn months(count: u32) -> Result<Self, ValidationError> {
        Self::checked(count, IntervalUnit::Months)
    }

    /// Parses Mollie's form: a number, one space, and `day(s)`, `week(s)` or `month(s)`.
    ///
    /// # Errors
    /// On `interval` for anything else, or an interval of zero or of more than a year.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let (count, unit) = split(text).ok_or_else(|| {
            ValidationError::new(
                "interval",
                format!("{text:?} is not an interval like \"1 month\", \"14 days\" or \"2 weeks\""),
            )
        })?;
        Self::checked(count, unit)
    }

    fn checked(count: u32, unit: IntervalUnit) -> Result<Self, ValidationError> {
        let interval = Self {
            text: format!("{count} {}", unit.word(count)),
            parsed: Some((count, unit)),
        };
        interval.validate()?;
        Ok(interval)
    }

    /// The number of units, when the text is of Mollie's form.
    pub fn count(&self) -> Option<u32> {
        self.parsed.map(|(count, _)| count)
    }

    /// The unit, when the text is of Mollie's form.
    pub fn unit(&self) -> Option<IntervalUnit> {
        self.parsed.map(|(_, unit)| unit)
    }

    /// The text as Mollie writes it (or as it was received).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether Mollie takes this interval: of its form, at least one unit, at most one year.
    ///
    /// # Errors
    /// On `interval`, saying what is wrong.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let Some((count, unit)) = self.parsed else {
            return Err(ValidationError::new(
                "interval",
                format!(
                    "{:?} is not an interval like \"1 month\", \"14 days\" or \"2 weeks\"",
                    self.text
                ),
            ));
        };
        if count == 0 {
            return Err(ValidationError::new(
                "interval",
                "must be at least one day, week or month",
            ));
        }
        if count > unit.max_count() {
            return Err(ValidationError::new(
                "interval",
                format!(
                    "{} is longer than a year; Mollie takes at most {} {}",
                    self.text,
                    unit.max_count(),
                    unit.word(unit.max_count())
                ),
            ));
        }
        Ok(())
    }
}

/// `"14 days"` to `(14, Days)`: digits, one space, a unit word (singular or plural).
fn split(text: &str) -> Option<(u32, IntervalUnit)> {
    let (number, word) = text.split_once(' ')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let count = number.parse().ok()?;
    let unit = match word {
        "day" | "days" => IntervalUnit::Days,
        "week" | "weeks" => IntervalUnit::Weeks,
        "month" | "months" => IntervalUnit::Months,
        _ => return None,
    };
    Some((count, unit))
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Interval({:?})", self.text)
    }
}

impl std::str::FromStr for Interval {
    type Err = ValidationError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for Interval {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Interval {
    /// Any string: an interval Mollie sends is kept as it is, never refused.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let parsed = split(&text);
        Ok(Self { text, parsed })
    }
}

/// A subscription: Mollie charges the customer's mandate `amount` every `interval`, `times`
/// times or until it is canceled, and calls `webhookUrl` for each payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Always `"subscription"`.
    pub resource: String,
    /// The subscription's id.
    pub id: SubscriptionId,
    /// Live or test mode.
    pub mode: Mode,
    /// Where it is in its life.
    pub status: SubscriptionStatus,
    /// What each payment charges.
    pub amount: Money,
    /// How many payments it makes in all; `None`: until it is canceled.
    #[serde(default)]
    pub times: Option<u32>,
    /// How many payments are still to come; `None` when `times` is.
    #[serde(default)]
    pub times_remaining: Option<u32>,
    /// The time between payments.
    pub interval: Interval,
    /// The day of the first payment.
    pub start_date: Date,
    /// The day of the next payment; absent once completed or canceled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_payment_date: Option<Date>,
    /// The description of each payment, on the customer's bank statement.
    pub description: String,
    /// The method it charges with; `None`: any of the customer's valid mandates.
    #[serde(default)]
    pub method: Option<SubscriptionMethod>,
    /// The fee a platform takes from each payment (Mollie Connect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_fee: Option<ApplicationFee>,
    /// Whatever the application stored with it; passed on to each payment. Mollie always
    /// sends the key.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    /// Where Mollie posts the status changes of its payments.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// The customer charged.
    pub customer_id: CustomerId,
    /// The mandate charged, if one was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandate_id: Option<MandateId>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was canceled; absent while it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canceled_at: Option<Timestamp>,
    /// Links to the subscription, its customer, mandate, profile, payments and the
    /// documentation.
    #[serde(rename = "_links")]
    pub links: SubscriptionLinks,
}

/// The `_links` of a [`Subscription`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionLinks {
    /// The subscription in the API.
    #[serde(rename = "self")]
    pub self_: Link,
    /// The customer charged.
    pub customer: Link,
    /// The mandate charged, if one was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandate: Option<Link>,
    /// The profile it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Link>,
    /// Its payments; absent while it has made none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<Link>,
    /// The API documentation of subscriptions (absent on list items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Link>,
}

/// The body of *Create subscription*: what to charge, how often, and what else applies.
///
/// `testmode` and `profileId` are not part of the body: the client sets them on the call or
/// on the client, as for [`NewPayment`](crate::NewPayment).
///
/// ```
/// use mollie_models::{Date, Interval, Money, NewSubscription};
///
/// let body = NewSubscription::new(Money::eur("25.00")?, Interval::months(3)?, "Quarterly payment")
///     .times(4)
///     .start_date(Date::parse("2023-06-01")?)
///     .webhook_url("https://webshop.example.org/payments/webhook");
/// body.validate()?;
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"amount":{"currency":"EUR","value":"25.00"},"interval":"3 months","description":"Quarterly payment","times":4,"startDate":"2023-06-01","webhookUrl":"https://webshop.example.org/payments/webhook"}"#
/// );
/// # Ok::<(), mollie_models::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSubscription {
    amount: Money,
    interval: Interval,
    description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    times: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<SubscriptionMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    application_fee: Option<ApplicationFee>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    webhook_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mandate_id: Option<MandateId>,
}

impl NewSubscription {
    /// Charge `amount` every `interval`, with `description` on each payment (unique among
    /// the customer's active subscriptions, Mollie asks). Without [`times`](Self::times) it
    /// runs until canceled; without [`start_date`](Self::start_date) it starts today.
    pub fn new(amount: Money, interval: Interval, description: impl Into<String>) -> Self {
        Self {
            amount,
            interval,
            description: description.into(),
            times: None,
            start_date: None,
            method: None,
            application_fee: None,
            metadata: None,
            webhook_url: None,
            mandate_id: None,
        }
    }

    /// How many payments in all; then the subscription is completed (Mollie cancels a
    /// test-mode subscription after 10).
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    option_setters! {
        /// The day of the first payment (the last day of a month means the last day of
        /// every month).
        start_date: Date,
        /// Charge only a mandate of this method.
        method: SubscriptionMethod,
        /// The fee a platform takes from each payment (Mollie Connect).
        application_fee: ApplicationFee,
        /// Where Mollie posts the status changes of the subscription's payments.
        webhook_url: String,
        /// Charge this mandate (else any valid mandate of the customer).
        mandate_id: MandateId,
    }

    /// Any JSON-serializable data to store with the subscription; each payment gets it too.
    ///
    /// # Errors
    /// When it does not serialize, or its JSON is over
    /// [`METADATA_MAX_BYTES`](crate::METADATA_MAX_BYTES).
    pub fn metadata(mut self, metadata: impl Serialize) -> Result<Self, ValidationError> {
        self.metadata = Some(metadata_value(metadata)?);
        Ok(self)
    }

    /// Checks what the constructor cannot: an amount above zero, an interval Mollie takes, a
    /// description that is not empty and of at most
    /// [`DESCRIPTION_MAX_CHARS`](crate::DESCRIPTION_MAX_CHARS) characters, `times` of at
    /// least 1, and a fee below the amount. The SDK client calls it before sending.
    ///
    /// # Errors
    /// The first field that Mollie would refuse.
    pub fn validate(&self) -> Result<(), ValidationError> {
        positive_amount(&self.amount)?;
        self.interval.validate()?;
        valid_description(&self.description)?;
        valid_times(self.times)?;
        if let Some(fee) = &self.application_fee {
            valid_fee(fee, &self.amount)?;
        }
        Ok(())
    }

    /// The amount of each payment.
    pub fn amount(&self) -> &Money {
        &self.amount
    }

    /// The interval.
    pub fn interval(&self) -> &Interval {
        &self.interval
    }

    /// The description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The number of payments, if set.
    pub fn get_times(&self) -> Option<u32> {
        self.times
    }

    /// The start date, if set.
    pub fn get_start_date(&self) -> Option<&Date> {
        self.start_date.as_ref()
    }

    /// The method, if set.
    pub fn get_method(&self) -> Option<&SubscriptionMethod> {
        self.method.as_ref()
    }

    /// The mandate, if set.
    pub fn get_mandate_id(&self) -> Option<&MandateId> {
        self.mandate_id.as_ref()
    }

    /// The webhook URL, if set.
    pub fn get_webhook_url(&self) -> Option<&str> {
        self.webhook_url.as_deref()
    }

    /// The metadata, if set.
    pub fn get_metadata(&self) -> Option<&serde_json::Value> {
        self.metadata.as_ref()
    }

    /// The application fee, if set.
    pub fn get_application_fee(&self) -> Option<&ApplicationFee> {
        self.application_fee.as_ref()
    }
}

/// The body of *Update subscription*: only the fields that are set change, from the next
/// payment on. Mollie refuses to update a canceled subscription.
///
/// ```
/// use mollie_models::{Money, SubscriptionUpdate};
///
/// let body = SubscriptionUpdate::new().amount(Money::eur("12.00")?).times(12);
/// body.validate()?;
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"amount":{"currency":"EUR","value":"12.00"},"times":12}"#
/// );
/// # Ok::<(), mollie_models::ValidationError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    interval: Option<Interval>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    times: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    webhook_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mandate_id: Option<MandateId>,
}

impl SubscriptionUpdate {
    /// An empty body: it changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    option_setters! {
        /// The amount of the next payments.
        amount: Money,
        /// The description of the next payments.
        description: String,
        /// The time between payments.
        interval: Interval,
        /// A new start date (moves the schedule).
        start_date: Date,
        /// Where Mollie posts the status changes of the subscription's payments.
        webhook_url: String,
        /// Charge this mandate from now on.
        mandate_id: MandateId,
    }

    /// How many payments in all (those already made count).
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// Any JSON-serializable data, replacing what is stored.
    ///
    /// # Errors
    /// When it does not serialize, or its JSON is over
    /// [`METADATA_MAX_BYTES`](crate::METADATA_MAX_BYTES).
    pub fn metadata(mut self, metadata: impl Serialize) -> Result<Self, ValidationError> {
        self.metadata = Some(metadata_value(metadata)?);
        Ok(self)
    }

    /// Checks each field that is set as [`NewSubscription::validate`] does.
    ///
    /// # Errors
    /// The first field that Mollie would refuse.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(amount) = &self.amount {
            positive_amount(amount)?;
        }
        if let Some(interval) = &self.interval {
            interval.validate()?;
        }
        if let Some(description) = &self.description {
            valid_description(description)?;
        }
        valid_times(self.times)
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// The new amount, if set.
    pub fn get_amount(&self) -> Option<&Money> {
        self.amount.as_ref()
    }

    /// The new interval, if set.
    pub fn get_interval(&self) -> Option<&Interval> {
        self.interval.as_ref()
    }

    /// The new number of payments, if set.
    pub fn get_times(&self) -> Option<u32> {
        self.times
    }
}

fn positive_amount(amount: &Money) -> Result<(), ValidationError> {
    if amount.is_positive() {
        Ok(())
    } else {
        Err(ValidationError::new(
            "amount.value",
            format!("{} must be above zero to charge", amount.value()),
        ))
    }
}

fn valid_description(description: &str) -> Result<(), ValidationError> {
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
    Ok(())
}

fn valid_times(times: Option<u32>) -> Result<(), ValidationError> {
    if times == Some(0) {
        return Err(ValidationError::new(
            "times",
            "must be at least 1 (leave it out to charge until canceled)",
        ));
    }
    Ok(())
}

fn valid_fee(fee: &ApplicationFee, amount: &Money) -> Result<(), ValidationError> {
    if fee.amount.currency() != amount.currency() {
        return Err(ValidationError::new(
            "applicationFee.amount.currency",
            format!(
                "{} differs from the subscription's currency {}",
                fee.amount.currency(),
                amount.currency()
            ),
        ));
    }
    match (fee.amount.minor_units(), amount.minor_units()) {
        (Some(f), Some(a)) if f >= 0 && f < a => Ok(()),
        _ => Err(ValidationError::new(
            "applicationFee.amount.value",
            format!(
                "{} must be zero or more and below the amount {}",
                fee.amount.value(),
                amount.value()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(value: &str) -> Money {
        Money::eur(value).expect("valid amount")
    }

    #[test]
    fn intervals_of_mollies_form_within_a_year() {
        for (text, count, unit) in [
            ("1 day", 1, IntervalUnit::Days),
            ("14 days", 14, IntervalUnit::Days),
            ("365 days", 365, IntervalUnit::Days),
            ("1 weeks", 1, IntervalUnit::Weeks),
            ("52 weeks", 52, IntervalUnit::Weeks),
            ("1 months", 1, IntervalUnit::Months),
            ("12 months", 12, IntervalUnit::Months),
        ] {
            let interval = Interval::parse(text).expect(text);
            assert_eq!(interval.count(), Some(count), "{text}");
            assert_eq!(interval.unit(), Some(unit), "{text}");
        }
        for bad in [
            "0 days",
            "366 days",
            "53 weeks",
            "13 months",
            "1 year",
            "monthly",
            "1  month",
            " 1 month",
            "1 month ",
            "-1 month",
            "+1 month",
            "1 Month",
            "",
            "99999999999999999999 days",
        ] {
            let err = Interval::parse(bad).expect_err(bad);
            assert_eq!(err.field(), "interval", "{bad}");
        }
    }

    #[test]
    fn an_interval_from_mollie_is_kept_as_sent() {
        let odd: Interval = serde_json::from_str(r#""1 fortnight""#).expect("any string");
        assert_eq!(odd.as_str(), "1 fortnight");
        assert_eq!(odd.count(), None);
        assert!(odd.validate().is_err());
        assert_eq!(
            serde_json::to_string(&odd).expect("json"),
            r#""1 fortnight""#
        );
        let plural: Interval = serde_json::from_str(r#""1 months""#).expect("string");
        assert_eq!(plural.to_string(), "1 months");
        assert_eq!(plural.unit(), Some(IntervalUnit::Months));
    }

    #[test]
    fn a_new_subscription_is_checked_field_by_field() {
        let ok = || NewSubscription::new(eur("10.00"), Interval::months(1).expect("ok"), "Plan");
        assert_eq!(ok().validate(), Ok(()));
        let field = |s: NewSubscription| s.validate().expect_err("refused").field().to_owned();
        assert_eq!(
            field(NewSubscription::new(
                eur("0.00"),
                Interval::months(1).expect("ok"),
                "x"
            )),
            "amount.value"
        );
        assert_eq!(
            field(NewSubscription::new(
                eur("1.00"),
                serde_json::from_str("\"13 months\"").expect("string"),
                "x"
            )),
            "interval"
        );
        assert_eq!(
            field(NewSubscription::new(
                eur("1.00"),
                Interval::days(1).expect("ok"),
                " "
            )),
            "description"
        );
        assert_eq!(field(ok().times(0)), "times");
        let fee = |value: &str| ApplicationFee {
            amount: eur(value),
            description: "Platform fee".into(),
        };
        assert_eq!(ok().application_fee(fee("1.00")).validate(), Ok(()));
        assert_eq!(
            field(ok().application_fee(fee("10.00"))),
            "applicationFee.amount.value"
        );
    }

    #[test]
    fn an_update_checks_only_what_it_sets() {
        assert!(SubscriptionUpdate::new().is_empty());
        assert_eq!(SubscriptionUpdate::new().validate(), Ok(()));
        let err = SubscriptionUpdate::new()
            .amount(eur("-1.00"))
            .validate()
            .expect_err("negative");
        assert_eq!(err.field(), "amount.value");
        let err = SubscriptionUpdate::new()
            .times(0)
            .validate()
            .expect_err("zero");
        assert_eq!(err.field(), "times");
    }

    #[test]
    fn final_statuses() {
        assert!(SubscriptionStatus::Canceled.is_final());
        assert!(SubscriptionStatus::Completed.is_final());
        assert!(!SubscriptionStatus::Suspended.is_final());
        assert!(!SubscriptionStatus::Unknown("paused".into()).is_final());
    }
}
