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
        let country = &iban[..2];
        let Some(length) = registered_length(country) else {
            return Err(refuse(&format!(
                "is not an IBAN: `{country}` is not a country of the IBAN registry"
            )));
        };
        if bytes.len() != length {
            return Err(refuse(&format!(
                "is not an IBAN of {country}: it has {} characters, {country} has {length}",
                bytes.len()
            )));
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

/// The IBAN length of each country in SWIFT's IBAN registry (ISO 13616). Territories that
/// use another country's IBAN (Åland, the French overseas departments, Jersey ...) write
/// that country's code, so they need no row of their own.
const REGISTRY: [(&str, usize); 89] = [
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HN", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

fn registered_length(country: &str) -> Option<usize> {
    REGISTRY
        .binary_search_by(|(code, _)| (*code).cmp(country))
        .ok()
        .map(|at| REGISTRY[at].1)
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
    fn the_registry_is_sorted_and_each_length_fits_an_iban() {
        assert!(REGISTRY.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(REGISTRY.iter().all(|(_, len)| (15..=34).contains(len)));
    }

    #[test]
    fn country_length_and_code_are_checked_besides_the_check_digits() {
        // Valid mod-97, but 22 characters where NL has 18, and a country that has none.
        for bad in ["NL28INGB00000000000000", "XX900000000000000000"] {
            let mod97 = |s: &str| {
                s.bytes()
                    .skip(4)
                    .chain(s.bytes().take(4))
                    .fold(0u32, |acc, b| {
                        if b.is_ascii_digit() {
                            (acc * 10 + u32::from(b - b'0')) % 97
                        } else {
                            (acc * 100 + u32::from(b - b'A' + 10)) % 97
                        }
                    })
            };
            assert_eq!(mod97(bad), 1, "{bad} passes the checksum alone");
            assert!(Iban::parse(bad).is_err(), "{bad}");
        }
        for good in [
            "NL55INGB0000000000",
            "DE89370400440532013000",
            "BE68539007547034",
            "NO9386011117947",
            "GB29NWBK60161331926819",
            "FR1420041010050500013M02606",
        ] {
            assert!(Iban::parse(good).is_ok(), "{good}");
        }
    }

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
