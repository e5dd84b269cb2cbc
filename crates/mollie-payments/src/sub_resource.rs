//! What refunds and chargebacks share as sub-resources of a payment: the handle of one
//! payment's `/payments/{id}/<resource>` with *get* (`embed=payment`) and *list*, and the
//! account-wide list with its paging options. One macro, so that the two APIs cannot drift
//! apart on the wire; each file keeps only what is its own (refunds are created and
//! canceled, chargebacks are read-only).

/// Generates, for one resource: the handle `$api` (`new`, `payment`, `get`, `list` and the
/// private `call` that prefixes `/payments/{id}/$many`), and the builders `$get`, `$list`
/// and `$list_all` with their `embed`, `from` and (account-wide) `profile_id` setters. The
/// docs are spelled from `$one` ("refund") and `$many` ("refunds", also the path segment).
macro_rules! payment_sub_resource {
    (
        $(#[$meta:meta])*
        pub struct $api:ident => $many:literal {
            one: $one:ident,
            item: $item:ident,
            id: $id:ty,
            embed: $embed:ty,
            get: $get:ident,
            list: $list:ident,
            list_all: $list_all:ident $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $api {
            client: ::mollie_core::Client,
            payment: ::mollie_models::PaymentId,
        }

        impl $api {
            #[doc = concat!("The ", $many, " of `payment`, over `client`.")]
            pub fn new(client: ::mollie_core::Client, payment: ::mollie_models::PaymentId) -> Self {
                Self { client, payment }
            }

            #[doc = concat!("The payment whose ", $many, " these are.")]
            pub fn payment(&self) -> &::mollie_models::PaymentId {
                &self.payment
            }

            #[doc = concat!("`/payments/{id}/", $many, "`; no ", stringify!($one), " endpoint takes `profileId`.")]
            fn call(&self, request: ::mollie_core::Request) -> ::mollie_core::Call {
                let request = request
                    .segment("payments")
                    .id(&self.payment)
                    .segment($many)
                    .profile_id_in(::mollie_core::Placement::Omit);
                ::mollie_core::Call::new(self.client.clone(), request)
            }

            #[doc = concat!("*Get ", stringify!($one), "*: `GET /v2/payments/{id}/", $many, "/{", stringify!($one), "Id}`.")]
            pub fn get(&self, id: &$id) -> $get {
                $get::from_call(self.call(::mollie_core::Request::get()).map(|r| r.id(id)))
            }

            #[doc = concat!("*List ", $many, "* of the payment: `GET /v2/payments/{id}/", $many, "`.")]
            pub fn list(&self) -> $list {
                $list::from_call(self.call(::mollie_core::Request::get()))
            }
        }

        ::mollie_core::operation! {
            #[doc = concat!("*Get ", stringify!($one), "*; `.await` it for the [`", stringify!($item), "`].")]
            pub struct $get => single $item;
        }

        impl $get {
            #[doc = concat!("Embeds the ", stringify!($one), "'s payment in `_embedded` (`embed=payment`).")]
            pub fn embed(mut self, embed: $embed) -> Self {
                self.call = self.call.query("embed", embed.as_str().to_owned());
                self
            }
        }

        ::mollie_core::operation! {
            #[doc = concat!("*List ", $many, "* of a payment; `.await` it for one page, `.stream()` every ", stringify!($one), ", or `.pages()`.")]
            pub struct $list => list $item;
        }

        $crate::sub_resource::payment_sub_resource!(@list_options $list, $one, $id, $embed {});

        ::mollie_core::operation! {
            #[doc = concat!("*List all ", $many, "* of the account; `.await` it for one page, `.stream()` every ", stringify!($one), ", or `.pages()`.")]
            pub struct $list_all => list $item, sorted;
        }

        $crate::sub_resource::payment_sub_resource!(@list_options $list_all, $one, $id, $embed {
            #[doc = concat!("Only the ", $many, " of this website profile (organization access tokens and OAuth).")]
            pub fn profile_id(mut self, profile_id: ::mollie_models::ProfileId) -> Self {
                self.call = self.call.profile_id(profile_id);
                self
            }
        });
    };
    // `from` and `embed`, which a payment's list and the account-wide list take alike, then
    // `$extra` in the same impl block.
    (@list_options $list:ident, $one:ident, $id:ty, $embed:ty { $($extra:tt)* }) => {
        impl $list {
            #[doc = concat!("Starts the list at this ", stringify!($one), " (Mollie's `from` cursor).")]
            pub fn from(mut self, $one: &$id) -> Self {
                self.call = self.call.query("from", $one.as_str());
                self
            }

            #[doc = concat!("Embeds each ", stringify!($one), "'s payment (`embed=payment`).")]
            pub fn embed(mut self, embed: $embed) -> Self {
                self.call = self.call.query("embed", embed.as_str().to_owned());
                self
            }

            $($extra)*
        }
    };
}

pub(crate) use payment_sub_resource;
