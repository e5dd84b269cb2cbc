//! The Refunds API: a payment's refunds (`/v2/payments/{id}/refunds`) and every refund of the
//! account (`/v2/refunds`).

use mollie_core::{Call, Client, Placement, Request, operation};
use mollie_models::{NewRefund, PaymentId, ProfileId, Refund, RefundEmbed, RefundId};

/// The Refunds API of one payment; made by `Payments::refunds` (or `mollie.refunds(&id)`).
#[derive(Debug, Clone)]
pub struct Refunds {
    client: Client,
    payment: PaymentId,
}

impl Refunds {
    /// The refunds of `payment`, over `client`.
    pub fn new(client: Client, payment: PaymentId) -> Self {
        Self { client, payment }
    }

    /// The payment whose refunds these are.
    pub fn payment(&self) -> &PaymentId {
        &self.payment
    }

    /// `/payments/{id}/refunds`; no refund endpoint takes `profileId`.
    fn call(&self, request: Request) -> Call {
        let request = request
            .segment("payments")
            .id(&self.payment)
            .segment("refunds")
            .profile_id_in(Placement::Omit);
        Call::new(self.client.clone(), request)
    }

    /// The call of *Create refund*, before its checks.
    pub(crate) fn create_call(&self, refund: &NewRefund) -> Call {
        self.call(Request::post()).json(refund)
    }

    /// *Create refund*: `POST /v2/payments/{id}/refunds`. The amount must be positive
    /// ([`NewRefund::validate`]); with the payment at hand, `Payments::refund` also checks its
    /// currency and what is left to refund.
    pub fn create(&self, refund: NewRefund) -> CreateRefund {
        let check = refund.validate();
        CreateRefund::from_call(self.create_call(&refund).check(check))
    }

    /// *Get refund*: `GET /v2/payments/{id}/refunds/{refundId}`.
    pub fn get(&self, id: &RefundId) -> GetRefund {
        GetRefund::from_call(self.call(Request::get()).map(|r| r.id(id)))
    }

    /// *List refunds* of the payment: `GET /v2/payments/{id}/refunds`.
    pub fn list(&self) -> ListRefunds {
        ListRefunds::from_call(self.call(Request::get()))
    }

    /// *Cancel refund*: `DELETE /v2/payments/{id}/refunds/{refundId}`, only while it is
    /// queued or pending (Mollie answers 204).
    pub fn cancel(&self, id: &RefundId) -> CancelRefund {
        // The spec takes this DELETE's `testmode` as a query parameter.
        let call = self
            .call(Request::delete())
            .map(|r| r.id(id).testmode_in(Placement::Query));
        CancelRefund::from_call(call)
    }
}

operation! {
    /// *Create refund*; `.await` it for the new [`Refund`].
    pub struct CreateRefund => single Refund;
}

operation! {
    /// *Get refund*; `.await` it for the [`Refund`].
    pub struct GetRefund => single Refund;
}

impl GetRefund {
    /// Embeds the refund's payment in `_embedded` (`embed=payment`).
    pub fn embed(mut self, embed: RefundEmbed) -> Self {
        self.call = self.call.query("embed", embed.as_str().to_owned());
        self
    }
}

operation! {
    /// *Cancel refund*; `.await` it to cancel (Mollie answers 204).
    pub struct CancelRefund => no_content;
}

operation! {
    /// *List refunds* of a payment; `.await` it for one page, `.stream()` every refund, or
    /// `.pages()`.
    pub struct ListRefunds => list Refund;
}

impl ListRefunds {
    /// Starts the list at this refund (Mollie's `from` cursor).
    pub fn from(mut self, refund: &RefundId) -> Self {
        self.call = self.call.query("from", refund.as_str());
        self
    }

    /// Embeds each refund's payment (`embed=payment`).
    pub fn embed(mut self, embed: RefundEmbed) -> Self {
        self.call = self.call.query("embed", embed.as_str().to_owned());
        self
    }
}

operation! {
    /// *List all refunds* of the account; `.await` it for one page, `.stream()` every
    /// refund, or `.pages()`.
    pub struct ListAllRefunds => list Refund, sorted;
}

impl ListAllRefunds {
    /// Starts the list at this refund (Mollie's `from` cursor).
    pub fn from(mut self, refund: &RefundId) -> Self {
        self.call = self.call.query("from", refund.as_str());
        self
    }

    /// Embeds each refund's payment (`embed=payment`).
    pub fn embed(mut self, embed: RefundEmbed) -> Self {
        self.call = self.call.query("embed", embed.as_str().to_owned());
        self
    }

    /// Only the refunds of this website profile (organization access tokens and OAuth).
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.call = self.call.profile_id(profile_id);
        self
    }
}
