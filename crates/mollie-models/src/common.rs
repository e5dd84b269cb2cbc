//! Small types every resource uses: links, timestamps, dates, mode, locale, metadata.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::open_enum::open_enum;
use crate::validation::{ValidationError, quoted};

/// A HAL link: `{"href": "...", "type": "application/hal+json"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Link {
    /// The URL.
    pub href: String,
    /// The media type of what the URL serves, e.g. `application/hal+json` or `text/html`.
    #[serde(rename = "type")]
    pub content_type: String,
}

impl Link {
    /// A link with the given URL and media type.
    pub fn new(href: impl Into<String>, content_type: impl Into<String>) -> Self {
        Self {
            href: href.into(),
            content_type: content_type.into(),
        }
    }

    /// A link to an API resource (`application/hal+json`).
    pub fn api(href: impl Into<String>) -> Self {
        Self::new(href, "application/hal+json")
    }

    /// A link to a web page (`text/html`).
    pub fn html(href: impl Into<String>) -> Self {
        Self::new(href, "text/html")
    }
}

/// A point in time exactly as Mollie wrote it, in ISO 8601 (`2024-03-20T09:13:37+00:00`).
///
/// The string is kept unchanged so that it round-trips byte for byte. With the `time` feature,
/// `Timestamp::to_offset_date_time` parses it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(String);

impl Timestamp {
    /// Wraps a timestamp string as received or produced (e.g. by `mollie-mock`).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The timestamp as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the timestamp (RFC 3339, which is what Mollie sends).
    ///
    /// # Errors
    /// When the string is not RFC 3339.
    #[cfg(feature = "time")]
    pub fn to_offset_date_time(&self) -> Result<time::OffsetDateTime, time::error::Parse> {
        time::OffsetDateTime::parse(&self.0, &time::format_description::well_known::Rfc3339)
    }
}

#[cfg(feature = "time")]
impl From<time::OffsetDateTime> for Timestamp {
    /// Formats as Mollie does: seconds precision with a numeric offset (`+00:00`).
    fn from(value: time::OffsetDateTime) -> Self {
        let format = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
        );
        Self(value.format(&format).unwrap_or_default())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A calendar date, `YYYY-MM-DD` (a mandate's `signatureDate`, a payment's `dueDate`).
///
/// [`Date::parse`] and [`Date::new`] check the format and that the day exists; a date received
/// from Mollie is kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Date(String);

impl Date {
    /// The date `year`-`month`-`day`.
    ///
    /// # Errors
    /// When the day does not exist (`2023-02-29`) or the year is not four digits.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, ValidationError> {
        Self::parse(&format!("{year:04}-{month:02}-{day:02}"))
    }

    /// Parses `YYYY-MM-DD`.
    ///
    /// # Errors
    /// When the string is not a real date in that format.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        let invalid = || {
            ValidationError::new(
                "date",
                format!("{} is not a date in the form YYYY-MM-DD", quoted(value)),
            )
        };
        let bytes = value.as_bytes();
        if bytes.len() != 10
            || bytes[4] != b'-'
            || bytes[7] != b'-'
            || !bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
        {
            return Err(invalid());
        }
        let number = |range: std::ops::Range<usize>| value[range].parse::<u16>().ok();
        let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10))
        else {
            return Err(invalid());
        };
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(invalid()),
        };
        if day == 0 || day > days_in_month || year == 0 {
            return Err(invalid());
        }
        Ok(Self(value.to_owned()))
    }

    /// The date as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the date into a [`time::Date`].
    ///
    /// # Errors
    /// When the string is not `YYYY-MM-DD`.
    #[cfg(feature = "time")]
    pub fn to_date(&self) -> Result<time::Date, time::error::Parse> {
        time::Date::parse(
            &self.0,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
    }
}

#[cfg(feature = "time")]
impl From<time::Date> for Date {
    /// `YYYY-MM-DD`; a year outside 0000 to 9999, which Mollie's format cannot hold, is
    /// clamped to that range.
    fn from(value: time::Date) -> Self {
        Self(format!(
            "{:04}-{:02}-{:02}",
            value.year().clamp(0, 9999),
            u8::from(value.month()),
            value.day()
        ))
    }
}

impl std::str::FromStr for Date {
    type Err = ValidationError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

open_enum! {
    /// Whether an object lives in live mode or in test mode.
    pub enum Mode {
        /// Real money.
        Live = "live",
        /// Test mode: nothing is charged.
        Test = "test",
    }
}

open_enum! {
    /// The language of Mollie's hosted pages and of messages to the customer.
    pub enum Locale {
        /// Catalan (Spain).
        CaEs = "ca_ES",
        /// Czech.
        CsCz = "cs_CZ",
        /// Danish.
        DaDk = "da_DK",
        /// German (Austria).
        DeAt = "de_AT",
        /// German (Switzerland).
        DeCh = "de_CH",
        /// German (Germany).
        DeDe = "de_DE",
        /// German (Luxembourg).
        DeLu = "de_LU",
        /// English (Belgium).
        EnBe = "en_BE",
        /// English (United Kingdom).
        EnGb = "en_GB",
        /// English (Netherlands).
        EnNl = "en_NL",
        /// English (United States).
        EnUs = "en_US",
        /// Spanish.
        EsEs = "es_ES",
        /// Finnish.
        FiFi = "fi_FI",
        /// French (Belgium).
        FrBe = "fr_BE",
        /// French (France).
        FrFr = "fr_FR",
        /// French (Luxembourg).
        FrLu = "fr_LU",
        /// Hungarian.
        HuHu = "hu_HU",
        /// Icelandic.
        IsIs = "is_IS",
        /// Italian.
        ItIt = "it_IT",
        /// Lithuanian.
        LtLt = "lt_LT",
        /// Latvian.
        LvLv = "lv_LV",
        /// Norwegian Bokmål.
        NbNo = "nb_NO",
        /// Dutch (Belgium).
        NlBe = "nl_BE",
        /// Dutch (Netherlands).
        NlNl = "nl_NL",
        /// Polish.
        PlPl = "pl_PL",
        /// Portuguese.
        PtPt = "pt_PT",
        /// Slovak.
        SkSk = "sk_SK",
        /// Swedish.
        SvSe = "sv_SE",
    }
}

/// The direction of a list: Mollie's default is [`SortOrder::Desc`], newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Oldest first.
    Asc,
    /// Newest first (Mollie's default).
    Desc,
}

impl SortOrder {
    /// `"asc"` or `"desc"`, as the `sort` query parameter takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }
}

/// The most metadata Mollie stores with an object: "approximately 1 kB". The SDK holds the
/// serialized JSON to 1024 bytes so that a request is never refused for it by the API.
pub const METADATA_MAX_BYTES: usize = 1024;

/// Serializes `value` as metadata, refusing anything over [`METADATA_MAX_BYTES`] of JSON.
///
/// # Errors
/// When `value` does not serialize to JSON, or its JSON is too large.
pub fn metadata_value(value: impl Serialize) -> Result<serde_json::Value, ValidationError> {
    let json = serde_json::to_string(&value).map_err(|e| {
        ValidationError::new("metadata", format!("does not serialize to JSON: {e}"))
    })?;
    if json.len() > METADATA_MAX_BYTES {
        return Err(ValidationError::new(
            "metadata",
            format!(
                "is {} bytes of JSON; Mollie stores at most {METADATA_MAX_BYTES}",
                json.len()
            ),
        ));
    }
    serde_json::from_str(&json)
        .map_err(|e| ValidationError::new("metadata", format!("is not valid JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::new(2023, 12, 31).is_ok());
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-00-10",
            "2023-1-01",
            "20230101",
            "2023-01-32",
            "abcd-ef-gh",
            "0000-01-01",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[cfg(feature = "time")]
    #[test]
    fn time_conversions_read_mollies_format() {
        let ts = Timestamp::new("2024-03-20T09:13:37+00:00");
        let parsed = ts.to_offset_date_time().expect("RFC 3339");
        assert_eq!(parsed.unix_timestamp(), 1_710_926_017);
        assert_eq!(Timestamp::from(parsed), ts);
        let date = Date::parse("2024-02-29").expect("leap day");
        assert_eq!(date.to_date().expect("parses").ordinal(), 60);
        assert_eq!(Date::from(date.to_date().expect("parses")), date);
    }

    #[test]
    fn metadata_is_capped() {
        assert!(metadata_value(serde_json::json!({"order": 12345})).is_ok());
        let big = "x".repeat(METADATA_MAX_BYTES);
        let err = metadata_value(big).expect_err("too big");
        assert_eq!(err.field(), "metadata");
        assert!(err.reason().contains("1026 bytes"), "{err}");
    }

    #[test]
    fn unknown_enum_values_survive() {
        let mode: Mode = serde_json::from_str("\"sandbox\"").expect("parses");
        assert_eq!(mode, Mode::Unknown("sandbox".into()));
        assert_eq!(
            serde_json::to_string(&mode).expect("serializes"),
            "\"sandbox\""
        );
        assert_eq!("nl_NL".parse::<Locale>(), Ok(Locale::NlNl));
    }
}
