//! Typed resource ids.
//!
//! An id is only ever built from a string of Mollie's shape: its prefix (`cst_`, `mdt_`, `tr_`
//! ...) followed by 1 to 100 ASCII letters, digits, `_` or `-`. None of those characters means
//! anything in a URL path, so an id put in a path can never reach another endpoint:
//! `CustomerId::parse("../payments")` and `CustomerId::parse("cst_x?y")` are errors.

use crate::validation::{ValidationError, quoted};

/// Longest id body accepted after the prefix. Mollie's ids are far shorter; the cap only keeps
/// hostile input out of memory and logs.
const MAX_BODY_LEN: usize = 100;

fn check(kind: &'static str, prefix: &'static str, value: &str) -> Result<(), ValidationError> {
    let Some(body) = value.strip_prefix(prefix) else {
        return Err(ValidationError::new(
            kind,
            format!("{} does not start with `{prefix}`", quoted(value)),
        ));
    };
    if body.is_empty() || body.len() > MAX_BODY_LEN {
        return Err(ValidationError::new(
            kind,
            format!(
                "{} must have 1 to {MAX_BODY_LEN} characters after `{prefix}`",
                quoted(value)
            ),
        ));
    }
    if let Some(bad) = body
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(ValidationError::new(
            kind,
            format!(
                "{} contains {:?}; only letters, digits, `_` and `-` may follow `{prefix}`",
                quoted(value),
                bad
            ),
        ));
    }
    Ok(())
}

mod sealed {
    pub trait Sealed {}
}

/// An id that may be a segment of a request path: only the id types of this module.
///
/// Sealed: a free-form string can never become a path segment. (The client also
/// percent-encodes segments and refuses `.`/`..`, as a second wall.)
pub trait PathId: sealed::Sealed {
    /// The id as it goes into the path.
    fn path_segment(&self) -> &str;
}

impl<T: PathId + ?Sized> sealed::Sealed for &T {}
impl<T: PathId + ?Sized> PathId for &T {
    fn path_segment(&self) -> &str {
        (**self).path_segment()
    }
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, $field:literal) => {
        $(#[$meta])*
        ///
        #[doc = concat!("Always `", $prefix, "` followed by letters, digits, `_` or `-`; see [the module docs](crate::id).")]
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// Checks `value` against Mollie's id shape.
            ///
            /// # Errors
            /// A [`ValidationError`] naming the field when the prefix is wrong, the id is empty
            /// or too long, or it holds a character outside `[A-Za-z0-9_-]`.
            pub fn parse(value: &str) -> Result<Self, ValidationError> {
                check($field, $prefix, value)?;
                Ok(Self(value.to_owned()))
            }

            /// The id as a string, e.g. for a log line or a database column.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }

        impl sealed::Sealed for $name {}
        impl PathId for $name {
            fn path_segment(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ValidationError;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::parse(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ValidationError;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                check($field, $prefix, &value)?;
                Ok(Self(value))
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a Mollie id starting with `", $prefix, "`"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> Result<$name, E> {
                        $name::parse(value).map_err(E::custom)
                    }
                    fn visit_string<E: ::serde::de::Error>(self, value: String) -> Result<$name, E> {
                        $name::try_from(value).map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

id_type!(
    /// The id of a customer, e.g. `cst_8wmqcHMN4U`.
    CustomerId, "cst_", "customerId"
);
id_type!(
    /// The id of a mandate, e.g. `mdt_h3gAaD5zP`.
    MandateId, "mdt_", "mandateId"
);
id_type!(
    /// The id of a payment, e.g. `tr_5B8cwPMGnU6qLbRvo7qEZo`.
    PaymentId, "tr_", "paymentId"
);
id_type!(
    /// The id of a website profile, e.g. `pfl_QkEhN94Ba`.
    ProfileId, "pfl_", "profileId"
);
id_type!(
    /// The id of a subscription, e.g. `sub_rVKGtNd6s3`.
    SubscriptionId, "sub_", "subscriptionId"
);
id_type!(
    /// The id of a settlement, e.g. `stl_jDk30akdN`.
    SettlementId, "stl_", "settlementId"
);
id_type!(
    /// The id of an order (Orders API), e.g. `ord_kEn1PlbGa`.
    OrderId, "ord_", "orderId"
);
id_type!(
    /// The id of an organization, e.g. `org_12345678`.
    OrganizationId, "org_", "organizationId"
);
id_type!(
    /// The id of a payment route (split payments), e.g. `rt_p70g7o9kj239d49rj4`.
    RouteId, "rt_", "routeId"
);
id_type!(
    /// The id of a refund, e.g. `re_4qqhO89gsT`.
    RefundId, "re_", "refundId"
);
id_type!(
    /// The id of a chargeback, e.g. `chb_n9z0tp`.
    ChargebackId, "chb_", "chargebackId"
);
id_type!(
    /// The id of a point-of-sale terminal, e.g. `term_7MgL4wea46qkRcoTZjWEH`.
    TerminalId, "term_", "terminalId"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_mollie_shapes() {
        for id in ["cst_8wmqcHMN4U", "cst_a", "cst_A-b_9"] {
            assert_eq!(
                CustomerId::parse(id).map(|c| c.into_string()).as_deref(),
                Ok(id)
            );
        }
        assert!(RouteId::parse("rt_p70g7o9kj239d49rj4").is_ok());
    }

    #[test]
    fn refuses_anything_that_could_leave_its_path_segment() {
        for bad in [
            "../payments",
            "cst_x?y",
            "cst_x/y",
            "cst_x#y",
            "cst_x%2F",
            "cst_ x",
            "cst_",
            "cst",
            "",
            "mdt_abc",
            "cst_é",
            "cst_x\n",
        ] {
            let err = CustomerId::parse(bad).expect_err(bad);
            assert_eq!(err.field(), "customerId");
        }
        let long = format!("cst_{}", "a".repeat(101));
        assert!(CustomerId::parse(&long).is_err());
    }

    #[test]
    fn error_message_names_the_value_and_rule() {
        let err = CustomerId::parse("cst_x?y").expect_err("must fail");
        assert_eq!(
            err.to_string(),
            "invalid `customerId`: \"cst_x?y\" contains '?'; only letters, digits, `_` and `-` may follow `cst_`"
        );
    }

    #[test]
    fn deserializing_checks_the_shape() {
        let ok: CustomerId = serde_json::from_str("\"cst_abc\"").expect("valid");
        assert_eq!(ok, "cst_abc");
        assert!(serde_json::from_str::<CustomerId>("\"tr_abc\"").is_err());
    }
}
