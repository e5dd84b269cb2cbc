//! A page of a list endpoint: `count`, `_embedded.<collection>` and `_links`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::chargeback::Chargeback;
use crate::common::Link;
use crate::customer::Customer;
use crate::mandate::Mandate;
use crate::payment::Payment;
use crate::refund::Refund;
use crate::subscription::Subscription;

/// A resource that list endpoints return, with the key its items have under `_embedded`.
pub trait ListItem {
    /// The key under `_embedded`: `customers`, `mandates`, `payments`, `refunds`, ...
    const COLLECTION: &'static str;
}

impl ListItem for Customer {
    const COLLECTION: &'static str = "customers";
}
impl ListItem for Mandate {
    const COLLECTION: &'static str = "mandates";
}
impl ListItem for Payment {
    const COLLECTION: &'static str = "payments";
}
impl ListItem for Refund {
    const COLLECTION: &'static str = "refunds";
}
impl ListItem for Chargeback {
    const COLLECTION: &'static str = "chargebacks";
}
impl ListItem for Subscription {
    const COLLECTION: &'static str = "subscriptions";
}

/// One page of a list, as Mollie returns it.
///
/// `count` is the number of items on this page; the next page is at `links.next`.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T> {
    /// How many items this page holds.
    pub count: u32,
    /// The items, in the order Mollie listed them.
    pub items: Vec<T>,
    /// Links to this page, the previous and next pages and the documentation.
    pub links: ListLinks,
}

/// The `_links` of a [`List`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListLinks {
    /// This page.
    #[serde(rename = "self")]
    pub self_: Link,
    /// The previous page, or `None` on the first.
    #[serde(default)]
    pub previous: Option<Link>,
    /// The next page, or `None` on the last.
    #[serde(default)]
    pub next: Option<Link>,
    /// The API documentation of this list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Link>,
}

impl<T: ListItem + Serialize> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Embedded<'a, T>(&'a [T]);
        impl<T: ListItem + Serialize> Serialize for Embedded<'_, T> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(T::COLLECTION, self.0)?;
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("count", &self.count)?;
        map.serialize_entry("_embedded", &Embedded(&self.items))?;
        map.serialize_entry("_links", &self.links)?;
        map.end()
    }
}

impl<'de, T: ListItem + Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ListVisitor(PhantomData))
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: ListItem + Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of {}", T::COLLECTION)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
        let mut count = None;
        let mut items = None;
        let mut links = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "count" => count = Some(map.next_value()?),
                "_embedded" => items = Some(map.next_value_seed(EmbeddedSeed::<T>(PhantomData))?),
                "_links" => links = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let items: Vec<T> = items.ok_or_else(|| de::Error::missing_field("_embedded"))?;
        Ok(List {
            count: count.ok_or_else(|| de::Error::missing_field("count"))?,
            items,
            links: links.ok_or_else(|| de::Error::missing_field("_links"))?,
        })
    }
}

/// Reads `_embedded`, keeping the collection of `T` and skipping anything else in it.
struct EmbeddedSeed<T>(PhantomData<T>);

impl<'de, T: ListItem + Deserialize<'de>> DeserializeSeed<'de> for EmbeddedSeed<T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: ListItem + Deserialize<'de>> Visitor<'de> for EmbeddedSeed<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with `{}`", T::COLLECTION)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
        // An empty page may come without the collection key at all.
        let mut items = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == T::COLLECTION {
                items = map.next_value()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(items)
    }
}
