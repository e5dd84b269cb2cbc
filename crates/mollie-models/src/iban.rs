//! IBAN: the account number of a SEPA Direct Debit mandate, checked before it is sent.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::{ValidationError, quoted};

/// An International Bank Account Number whose length and ISO 13616 check digits are valid.
///
/// Spaces are removed and letters upper-cased, so `"nl55 ingb 0000 0000 00"` and
/// `"NL55INGB0000000000"` are the same IBAN. Whether the bank can be debited is for Mollie
/// to say.
///
/// ```
/// use mollie_models::Iban;
///
/// let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
/// assert_eq!(iban.as_str(), "NL55INGB0000000000");
/// assert!(Iban::parse("NL56INGB0000000000").is_err()); // wrong check digits
/// # Ok::<(), mollie_models::ValidationError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Iban(String);

impl Iban {
    /// Parses and checks an IBAN.
    ///
    /// # Errors
    /// A [`ValidationError`] on `consumerAccount` when the IBAN has the wrong shape or fails
    /// its mod-97 checksum.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let iban: String = input
            .chars()
            .filter(|c| *c != ' ')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let refuse =
            |why: &str| ValidationError::new("consumerAccount", format!("{} {why}", quoted(input)));
        let bytes = iban.as_bytes();
        if !(15..=34).contains(&bytes.len()) {
            return Err(refuse("is not an IBAN: it must have 15 to 34 characters"));
        }
        if !bytes[..2].iter().all(u8::is_ascii_uppercase)
            || !bytes[2..4].iter().all(u8::is_ascii_digit)
            || !bytes[4..].iter().all(u8::is_ascii_alphanumeric)
        {
            return Err(refuse(
                "is not an IBAN: it must be a country code, two check digits and letters or digits",
            ));
        }
        // ISO 13616: move the first four characters to the end, read letters as 10..=35, and
        // the number must be 1 modulo 97. Folding digit by digit keeps it in a u32.
        let remainder = bytes[4..].iter().chain(&bytes[..4]).fold(0u32, |acc, b| {
            if b.is_ascii_digit() {
                (acc * 10 + u32::from(b - b'0')) % 97
            } else {
                (acc * 100 + u32::from(b - b'A' + 10)) % 97
            }
        });
        if remainder != 1 {
            return Err(refuse("has wrong check digits"));
        }
        Ok(Self(iban))
    }

    /// The IBAN without spaces, upper-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-letter country code it starts with.
    pub fn country(&self) -> &str {
        &self.0[..2]
    }
}

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iban({})", self.0)
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Iban {
    type Err = ValidationError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

impl<'de> Deserialize<'de> for Iban {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Iban::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_good_ibans() {
        for good in [
            "NL55INGB0000000000",
            "NL91ABNA0417164300",
            "DE89370400440532013000",
            "BE68539007547034",
            "GB82WEST12345698765432",
            "FR1420041010050500013M02606",
        ] {
            assert_eq!(Iban::parse(good).map(|i| i.0), Ok(good.to_owned()));
        }
    }

    #[test]
    fn refuses_bad_ones() {
        for bad in [
            "NL55INGB0000000001",
            "NL55",
            "5555INGB0000000000",
            "NL5XINGB0000000000",
            "NL55INGB00000000-0",
            "",
        ] {
            assert_eq!(Iban::parse(bad).expect_err(bad).field(), "consumerAccount");
        }
    }
}
