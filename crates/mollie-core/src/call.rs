//! A request bound to its client: what the endpoint crates' operation builders wrap.
//!
//! An operation builder (`GetCustomer`, `ListMandates`, ...) is a [`Call`] plus the setters
//! of its own parameters; [`operation!`](crate::operation) writes the parts every builder
//! shares. Input refused by a setter is kept in the call and returned when it is sent,
//! before any byte leaves the process.

use std::ops::RangeInclusive;

use futures::FutureExt;
use mollie_models::{ListItem, ProfileId, SortOrder, ValidationError};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;
use crate::page::{ListStream, Page, PageStream};
use crate::request::{IdempotencyKey, Request, RequestOptions};
use crate::response::{Response, ResponseMeta};

/// The page sizes Mollie's list endpoints take (`limit`); Mollie's default is 50.
pub const LIST_LIMIT: RangeInclusive<u32> = 1..=250;

/// A [`Request`] with the [`Client`] that will send it, and the first input a setter refused.
#[derive(Debug, Clone)]
pub struct Call {
    client: Client,
    request: Request,
    refused: Option<ValidationError>,
    finish: Option<Finish>,
}

/// A last change to a call's request, made when it is sent, after every setter (so it sees
/// the final idempotency key): see [`Call::finish_with`].
pub type Finish = fn(Request) -> Result<Request, ValidationError>;

impl Call {
    /// Binds `request` to `client`.
    ///
    /// A mutating request gets its `Idempotency-Key` here, once: every clone of the call (a
    /// builder kept and awaited again by hand, say) sends the same key, so a manual retry is
    /// as safe as the client's own. [`idempotency_key`](Self::idempotency_key) replaces it.
    pub fn new(client: Client, request: Request) -> Self {
        let request = if request.method().is_mutating()
            && request.request_options().idempotency_key.is_none()
        {
            request.idempotency_key(IdempotencyKey::new_v4())
        } else {
            request
        };
        Self {
            client,
            request,
            refused: None,
            finish: None,
        }
    }

    /// Runs `finish` on the request when the call is sent, after all setters, e.g. to write
    /// the call's final idempotency key into its body. Its error refuses the call; nothing
    /// is sent.
    pub fn finish_with(mut self, finish: Finish) -> Self {
        self.finish = Some(finish);
        self
    }

    /// Changes the request.
    pub fn map(mut self, f: impl FnOnce(Request) -> Request) -> Self {
        self.request = f(self.request);
        self
    }

    /// Keeps `check`'s error, if any (the first one wins), to be returned when the call is
    /// sent; nothing is sent then.
    pub fn check(mut self, check: Result<(), ValidationError>) -> Self {
        if let (None, Err(error)) = (&self.refused, check) {
            self.refused = Some(error);
        }
        self
    }

    /// The request as it stands.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Sends `key` as the `Idempotency-Key`.
    pub fn idempotency_key(self, key: IdempotencyKey) -> Self {
        self.map(|r| r.idempotency_key(key))
    }

    /// Sets `testmode` (organization and OAuth tokens only).
    pub fn testmode(self, testmode: bool) -> Self {
        self.map(|r| r.testmode(testmode))
    }

    /// Sets `profileId` (organization and OAuth tokens only).
    pub fn profile_id(self, profile_id: ProfileId) -> Self {
        self.map(|r| r.profile_id(profile_id))
    }

    /// Lays `options`' set fields over the call's.
    pub fn customize(self, options: RequestOptions) -> Self {
        self.map(|r| r.options(options))
    }

    /// Sets the JSON body; a body that does not serialize is kept as the call's refusal.
    pub fn json(self, body: &impl serde::Serialize) -> Self {
        match serde_json::to_value(body) {
            Ok(value) => self.map(|r| r.json_value(value)),
            Err(e) => self.check(Err(ValidationError::new(
                "body",
                format!("cannot be serialized: {e}"),
            ))),
        }
    }

    /// Adds a query parameter.
    pub fn query(self, name: &'static str, value: impl Into<String>) -> Self {
        self.map(|r| r.query(name, value))
    }

    /// Sets a list's page size, refusing anything outside [`LIST_LIMIT`].
    pub fn limit(self, limit: u32) -> Self {
        let check = if LIST_LIMIT.contains(&limit) {
            Ok(())
        } else {
            Err(ValidationError::new(
                "limit",
                format!(
                    "{limit} is outside {}..={}",
                    LIST_LIMIT.start(),
                    LIST_LIMIT.end()
                ),
            ))
        };
        self.check(check).query("limit", limit.to_string())
    }

    /// Sets a list's order (`sort=asc|desc`).
    pub fn sort(self, order: SortOrder) -> Self {
        self.query("sort", order.as_str())
    }

    fn ready(self) -> Result<(Client, Request), Error> {
        match (self.refused, self.finish) {
            (Some(error), _) => Err(Error::InvalidInput(error)),
            (None, Some(finish)) => Ok((self.client, finish(self.request)?)),
            (None, None) => Ok((self.client, self.request)),
        }
    }

    /// Sends the call and decodes its body as `T`.
    ///
    /// # Errors
    /// Refused input as [`Error::InvalidInput`] (nothing sent), or any error of
    /// [`Client::send`].
    pub fn send<T: DeserializeOwned>(self) -> impl Future<Output = Result<T, Error>> + Send {
        self.send_with_meta::<T>()
            .map(|result| result.map(|response| response.value))
    }

    /// As [`send`](Self::send), with the response's facts (status, idempotency key,
    /// `Idempotent-Replayed`, attempts).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn send_with_meta<T: DeserializeOwned>(
        self,
    ) -> impl Future<Output = Result<Response<T>, Error>> + Send {
        // The request stays where the block holds it and is lent to the client: no copy
        // of it from future to future.
        let ready = self.ready();
        async move {
            let (client, request) = ready?;
            client.call(&request).await
        }
    }

    /// Sends a call whose success has no body (204).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn send_no_content(self) -> impl Future<Output = Result<ResponseMeta, Error>> + Send {
        let ready = self.ready();
        async move {
            let (client, request) = ready?;
            client.call_no_content(&request).await
        }
    }

    /// Sends a list call and returns its first page.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub async fn page<T: ListItem + DeserializeOwned>(self) -> Result<Page<T>, Error> {
        let (client, request) = self.ready()?;
        client.page(request).await
    }

    /// Every item of a list, fetched lazily page by page (see [`Client::stream`]). Refused
    /// input is the stream's one and only item.
    pub fn stream<T>(self) -> ListStream<T>
    where
        T: ListItem + DeserializeOwned + Send + 'static,
    {
        match self.ready() {
            Ok((client, request)) => client.stream(request),
            Err(error) => ListStream::failed(error),
        }
    }

    /// Every page of a list, fetched lazily (see [`Client::pages`]). Refused input is the
    /// stream's one and only item.
    pub fn pages<T>(self) -> PageStream<T>
    where
        T: ListItem + DeserializeOwned + Send + 'static,
    {
        match self.ready() {
            Ok((client, request)) => client.pages(request),
            Err(error) => PageStream::failed(error),
        }
    }
}

/// Writes the parts every operation builder of an endpoint crate shares: the struct around a
/// [`Call`], the common setters (`idempotency_key`, `testmode`, `customize`), and
/// [`IntoFuture`](std::future::IntoFuture), so that `.await` sends.
///
/// Three kinds: `single T` (a body decoded as `T`), `no_content` (a 204, `()`), and
/// `list T` (a [`Page<T>`] when awaited, a [`ListStream<T>`] from `.stream()` and a
/// [`PageStream<T>`] from `.pages()`, with `limit`; `list T, sorted` adds `sort` for the
/// lists whose endpoint takes it).
///
/// ```
/// use mollie_core::{operation, Call, Client, Request};
/// use mollie_models::{Customer, CustomerId};
///
/// operation! {
///     /// Gets a customer.
///     pub struct GetCustomer => single Customer;
/// }
///
/// fn get(client: &Client, id: &CustomerId) -> GetCustomer {
///     GetCustomer::from_call(Call::new(client.clone(), Request::get().segment("customers").id(id)))
/// }
/// ```
#[macro_export]
macro_rules! operation {
    ($(#[$meta:meta])* pub struct $name:ident => single $output:ty;) => {
        $crate::operation!(@common $(#[$meta])* $name);

        impl $name {
            /// Sends the request; the result comes with the response's facts: status, the
            /// idempotency key used, whether Mollie replayed an earlier response, attempts.
            ///
            /// # Errors
            /// A [`mollie_core::Error`]: refused input (nothing sent), the API's refusal,
            /// rate limiting, transport failure, timeout, or an unexpected response.
    pub fn send_with_meta(self) -> impl ::std::future::Future<Output = ::std::result::Result<$crate::Response<$output>, $crate::Error>> + Send {
                self.call.send_with_meta::<$output>()
            }
        }

        impl ::std::future::IntoFuture for $name {
            type Output = ::std::result::Result<$output, $crate::Error>;
            type IntoFuture = ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = Self::Output> + Send>>;
            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.call.send::<$output>())
            }
        }
    };
    ($(#[$meta:meta])* pub struct $name:ident => no_content;) => {
        $crate::operation!(@common $(#[$meta])* $name);

        impl $name {
            /// Sends the request; the result is the response's facts: status, the idempotency
            /// key used, whether Mollie replayed an earlier response, attempts.
            ///
            /// # Errors
            /// A [`mollie_core::Error`]: refused input (nothing sent), the API's refusal,
            /// rate limiting, transport failure, timeout, or an unexpected response.
    pub fn send_with_meta(self) -> impl ::std::future::Future<Output = ::std::result::Result<$crate::ResponseMeta, $crate::Error>> + Send {
                self.call.send_no_content()
            }
        }

        impl ::std::future::IntoFuture for $name {
            type Output = ::std::result::Result<(), $crate::Error>;
            type IntoFuture = ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = Self::Output> + Send>>;
            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(async move { self.call.send_no_content().await.map(|_| ()) })
            }
        }
    };
    ($(#[$meta:meta])* pub struct $name:ident => list $item:ty, sorted;) => {
        $crate::operation!($(#[$meta])* pub struct $name => list $item;);

        impl $name {
            /// Oldest first (`SortOrder::Asc`) or newest first (`SortOrder::Desc`, Mollie's
            /// default).
            pub fn sort(mut self, order: $crate::__models::SortOrder) -> Self {
                self.call = self.call.sort(order);
                self
            }
        }
    };
    ($(#[$meta:meta])* pub struct $name:ident => list $item:ty;) => {
        $crate::operation!(@common $(#[$meta])* $name);

        impl $name {
            /// How many items a page holds: 1 to 250 (Mollie's default is 50). Anything else
            /// is refused before sending.
            pub fn limit(mut self, limit: u32) -> Self {
                self.call = self.call.limit(limit);
                self
            }

            /// Every item, fetched lazily one page at a time by following `_links.next`:
            /// memory holds one page, whatever the total. An error is yielded once and ends
            /// the stream.
            pub fn stream(self) -> $crate::ListStream<$item> {
                self.call.stream::<$item>()
            }

            /// Every page, fetched lazily one at a time, each with its items and response
            /// facts: to report progress through a long list, or to work a page at a time.
            pub fn pages(self) -> $crate::PageStream<$item> {
                self.call.pages::<$item>()
            }
        }

        impl ::std::future::IntoFuture for $name {
            type Output = ::std::result::Result<$crate::Page<$item>, $crate::Error>;
            type IntoFuture = ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = Self::Output> + Send>>;
            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.call.page::<$item>())
            }
        }
    };
    (@common $(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        #[must_use = "a request is sent only when it is awaited"]
        pub struct $name {
            call: $crate::Call,
        }

        impl $name {
            /// The builder of a prepared call (for endpoint crates).
            pub fn from_call(call: $crate::Call) -> Self {
                Self { call }
            }

            /// The request as it stands, e.g. to log or test it.
            pub fn request(&self) -> &$crate::Request {
                self.call.request()
            }

            /// Sends `key` as the `Idempotency-Key`; reuse it to retry the call later
            /// without doing it twice. Without one, a mutating call gets a fresh UUID v4,
            /// reused by every automatic retry.
            pub fn idempotency_key(mut self, key: $crate::IdempotencyKey) -> Self {
                self.call = self.call.idempotency_key(key);
                self
            }

            /// `testmode`, for organization access tokens and OAuth only (an API key is
            /// test or live by itself, and the client refuses the parameter with one).
            pub fn testmode(mut self, testmode: bool) -> Self {
                self.call = self.call.testmode(testmode);
                self
            }

            /// Per-call overrides: timeout, deadline, retry policy, idempotency key ...
            pub fn customize(mut self, options: $crate::RequestOptions) -> Self {
                self.call = self.call.customize(options);
                self
            }
        }
    };
}
