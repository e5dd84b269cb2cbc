//! Money: a currency and an exact decimal string, never a float.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::{ValidationError, quoted};

/// An ISO 4217 currency code, three upper-case ASCII letters (`EUR`, `USD`, `JPY`, ...).
///
/// Any well-formed code is accepted, so a currency Mollie adds later still parses;
/// [`Currency::decimals`] knows the number of minor-unit digits of each ISO 4217 currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// ISO 4217 currencies without minor units.
const ZERO_DECIMALS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
/// ISO 4217 currencies with three minor-unit digits.
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

impl Currency {
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Pound sterling.
    pub const GBP: Currency = Currency(*b"GBP");
    /// Swiss franc.
    pub const CHF: Currency = Currency(*b"CHF");
    /// Japanese yen (no decimals).
    pub const JPY: Currency = Currency(*b"JPY");

    /// Parses a currency code.
    ///
    /// # Errors
    /// Unless `code` is exactly three upper-case ASCII letters.
    pub fn new(code: &str) -> Result<Self, ValidationError> {
        match code.as_bytes() {
            [a, b, c] if code.bytes().all(|x| x.is_ascii_uppercase()) => Ok(Self([*a, *b, *c])),
            _ => Err(ValidationError::new(
                "amount.currency",
                format!(
                    "{} is not an ISO 4217 code (three upper-case letters)",
                    quoted(code)
                ),
            )),
        }
    }

    /// The code, e.g. `"EUR"`.
    pub fn as_str(&self) -> &str {
        // Always three ASCII letters: `new` is the only constructor.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// How many digits follow the decimal point in an amount of this currency: 0 for JPY and
    /// ISK, 3 for BHD/KWD/..., 2 for every other currency.
    pub fn decimals(&self) -> u8 {
        let code = self.as_str();
        if ZERO_DECIMALS.contains(&code) {
            0
        } else if THREE_DECIMALS.contains(&code) {
            3
        } else {
            2
        }
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Currency {
    type Err = ValidationError;
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::new(code)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Currency::new(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount of money as Mollie writes it: `{"currency": "EUR", "value": "10.00"}`.
///
/// The value is kept as the exact decimal string that was parsed or built, so it is written
/// back byte for byte; arithmetic goes through [`Money::minor_units`], an integer.
///
/// ```
/// use mollie_models::{Currency, Money};
///
/// let price = Money::eur("10.00")?;
/// assert_eq!(price.value(), "10.00");
/// assert_eq!(price.minor_units(), Some(1000));
/// assert_eq!(Money::from_minor_units(Currency::JPY, 1500)?.value(), "1500");
/// assert!(Money::from_minor_units(Currency::EUR, i64::MAX).is_err()); // 17 integer digits
/// assert!(Money::eur("10.0").is_err()); // EUR takes exactly two decimals
/// assert!(Money::new("EUR", "ten").is_err());
/// # Ok::<(), mollie_models::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Money {
    currency: Currency,
    value: String,
}

/// Longest integer part accepted: far above any amount Mollie takes, far below `i64`'s range.
const MAX_INTEGER_DIGITS: usize = 15;

/// Splits `value` into (negative, integer digits, fraction digits) when it is a plain decimal.
fn decimal_parts(value: &str) -> Option<(bool, &str, Option<&str>)> {
    let (negative, unsigned) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || int.len() > MAX_INTEGER_DIGITS || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    Some((negative, int, frac))
}

impl Money {
    /// An amount in `currency`, checked against Mollie's format: a plain decimal string with
    /// exactly as many decimals as the currency has (`"10.00"` for EUR, `"1500"` for JPY).
    ///
    /// # Errors
    /// A [`ValidationError`] on `amount.currency` or `amount.value` that says what is wrong.
    pub fn new(currency: impl AsCurrency, value: &str) -> Result<Self, ValidationError> {
        let currency = currency.as_currency()?;
        let decimals = usize::from(currency.decimals());
        let Some((_, int, frac)) = decimal_parts(value) else {
            return Err(ValidationError::new(
                "amount.value",
                format!("{} is not a decimal amount like \"10.00\"", quoted(value)),
            ));
        };
        if int.len() > 1 && int.starts_with('0') {
            return Err(ValidationError::new(
                "amount.value",
                format!("{} has a leading zero", quoted(value)),
            ));
        }
        if frac.map_or(0, str::len) != decimals || (decimals == 0 && frac.is_some()) {
            return Err(ValidationError::new(
                "amount.value",
                format!(
                    "{} must have exactly {decimals} decimals for {currency}",
                    quoted(value)
                ),
            ));
        }
        Ok(Self {
            currency,
            value: value.to_owned(),
        })
    }

    /// An amount in euro, e.g. `Money::eur("10.00")`.
    ///
    /// # Errors
    /// Unless `value` has exactly two decimals.
    pub fn eur(value: &str) -> Result<Self, ValidationError> {
        Self::new(Currency::EUR, value)
    }

    /// An amount from its integer count of minor units (cents for EUR), which is how amounts
    /// are best stored and added up.
    ///
    /// # Errors
    /// When the amount has more than 15 integer digits, which [`Money::new`] refuses too
    /// (an `i64` of cents reaches 17): what this builds, `new` and
    /// [`minor_units`](Self::minor_units) accept back, and the other way round.
    pub fn from_minor_units(currency: Currency, minor_units: i64) -> Result<Self, ValidationError> {
        let decimals = u32::from(currency.decimals());
        let sign = if minor_units < 0 { "-" } else { "" };
        let abs = minor_units.unsigned_abs();
        let value = if decimals == 0 {
            format!("{sign}{abs}")
        } else {
            let scale = 10u64.pow(decimals);
            format!(
                "{sign}{}.{:0width$}",
                abs / scale,
                abs % scale,
                width = decimals as usize
            )
        };
        let integer_digits = value
            .trim_start_matches('-')
            .split('.')
            .next()
            .map_or(0, str::len);
        if integer_digits > MAX_INTEGER_DIGITS {
            return Err(ValidationError::new(
                "amount.value",
                format!(
                    "{minor_units} minor units of {currency} have more than {MAX_INTEGER_DIGITS} integer digits"
                ),
            ));
        }
        Ok(Self { currency, value })
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The exact decimal string, e.g. `"10.00"`.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The amount as an integer count of minor units (1000 for EUR 10.00), or `None` when the
    /// value has more decimals than its currency (possible only in a received amount).
    pub fn minor_units(&self) -> Option<i64> {
        let (negative, int, frac) = decimal_parts(&self.value)?;
        let decimals = usize::from(self.currency.decimals());
        let frac = frac.unwrap_or("");
        if frac.len() > decimals {
            return None;
        }
        let mut units: i64 = int.parse().ok()?;
        for i in 0..decimals {
            let digit = frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
            units = units.checked_mul(10)?.checked_add(digit)?;
        }
        Some(if negative { -units } else { units })
    }

    /// Whether the amount is above zero: `"0.01"` is, `"0.00"`, `"-0.00"` and `"-5.00"` are
    /// not. Works on the decimal text, so it answers for a received amount with more decimals
    /// than its currency too.
    pub fn is_positive(&self) -> bool {
        decimal_parts(&self.value)
            .is_some_and(|(negative, int, frac)| !negative && !all_zeros(int, frac))
    }

    /// Whether the amount is zero (`"0.00"`, `"-0.00"`, `"0"` for JPY).
    pub fn is_zero(&self) -> bool {
        decimal_parts(&self.value).is_some_and(|(_, int, frac)| all_zeros(int, frac))
    }
}

/// Whether every digit of a decimal's parts is `0`.
fn all_zeros(int: &str, frac: Option<&str>) -> bool {
    int.bytes()
        .chain(frac.unwrap_or("").bytes())
        .all(|b| b == b'0')
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency, self.value)
    }
}

/// What [`Money::new`] takes as a currency: a [`Currency`] or its code.
pub trait AsCurrency {
    /// The currency, or why the code is not one.
    ///
    /// # Errors
    /// When a code is not three upper-case letters.
    fn as_currency(&self) -> Result<Currency, ValidationError>;
}

impl AsCurrency for Currency {
    fn as_currency(&self) -> Result<Currency, ValidationError> {
        Ok(*self)
    }
}

impl AsCurrency for &str {
    fn as_currency(&self) -> Result<Currency, ValidationError> {
        Currency::new(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            currency: Currency,
            value: String,
        }
        let wire = Wire::deserialize(deserializer)?;
        // A received amount is kept as sent (even with unusual decimals), but it must be a
        // decimal number: anything else is not money.
        if decimal_parts(&wire.value).is_none() {
            return Err(serde::de::Error::custom(format!(
                "amount value {} is not a decimal number",
                quoted(&wire.value)
            )));
        }
        Ok(Money {
            currency: wire.currency,
            value: wire.value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_follow_the_currency() {
        assert!(Money::eur("10.00").is_ok());
        assert!(Money::eur("0.00").is_ok());
        assert!(Money::eur("-5.10").is_ok());
        assert!(Money::new("JPY", "1500").is_ok());
        assert!(Money::new("KWD", "1.250").is_ok());
        for bad in [
            "10", "10.0", "10.000", "1e3", "10,00", " 10.00", "+1.00", "01.00", ".50", "", "-",
            "NaN",
        ] {
            let err = Money::eur(bad).expect_err(bad);
            assert_eq!(err.field(), "amount.value", "{bad}");
        }
        assert!(Money::new("JPY", "1500.00").is_err());
        assert_eq!(
            Money::new("eur", "1.00").expect_err("lower case").field(),
            "amount.currency"
        );
    }

    #[test]
    fn minor_units_round_trip() {
        for (units, text) in [(0, "0.00"), (1, "0.01"), (1000, "10.00"), (-250, "-2.50")] {
            let money = Money::from_minor_units(Currency::EUR, units).expect("in range");
            assert_eq!(money.value(), text);
            assert_eq!(money.minor_units(), Some(units));
        }
        assert_eq!(
            Money::from_minor_units(Currency::JPY, 42)
                .expect("in range")
                .value(),
            "42"
        );
        assert_eq!(
            Money::from_minor_units(Currency::new("BHD").expect("valid"), 1005)
                .expect("in range")
                .value(),
            "1.005"
        );
    }

    #[test]
    fn sign_of_an_amount() {
        for (value, positive, zero) in [
            ("0.01", true, false),
            ("10.00", true, false),
            ("0.00", false, true),
            ("-0.00", false, true),
            ("-5.00", false, false),
        ] {
            let money = Money::eur(value).expect("valid");
            assert_eq!(
                (money.is_positive(), money.is_zero()),
                (positive, zero),
                "{value}"
            );
        }
        let yen = Money::new("JPY", "0").expect("valid");
        assert!(yen.is_zero() && !yen.is_positive());
        // A received amount with extra decimals is judged by its text.
        let odd: Money =
            serde_json::from_str(r#"{"currency":"EUR","value":"0.001"}"#).expect("parses");
        assert!(odd.is_positive());
    }

    #[test]
    fn wire_format_is_exact() {
        let json = r#"{"currency":"EUR","value":"10.00"}"#;
        let money: Money = serde_json::from_str(json).expect("parses");
        assert_eq!(serde_json::to_string(&money).expect("serializes"), json);
        assert!(serde_json::from_str::<Money>(r#"{"currency":"EUR","value":10.0}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"currency":"EUR","value":"ten"}"#).is_err());
    }
}
