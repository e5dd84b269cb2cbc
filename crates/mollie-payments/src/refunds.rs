//! The Refunds API: a payment's refunds (`/v2/payments/{id}/refunds`) and every refund of the
//! account (`/v2/refunds`).

use mollie_core::{Call, Placement, Request, operation};
use mollie_models::{NewRefund, Refund, RefundEmbed, RefundId};

use crate::sub_resource::payment_sub_resource;

payment_sub_resource! {
    /// The Refunds API of one payment; made by `Payments::refunds` (or `mollie.refunds(&id)`).
    pub struct Refunds => "refunds" {
        one: refund,
        item: Refund,
        id: RefundId,
        embed: RefundEmbed,
        get: GetRefund,
        list: ListRefunds,
        list_all: ListAllRefunds,
    }
}

// What only refunds have: they are created, and canceled while queued or pending.
impl Refunds {
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
    /// *Cancel refund*; `.await` it to cancel (Mollie answers 204).
    pub struct CancelRefund => no_content;
}
