//! Capture of holds (§3.7 P10, §5.3): each capture creates a new `PAYMENT_SUCCESS` record
//! linked by `authorizationPayment`; `NORMAL` holds capture in parts, `FINAL` once in full.

use rust_decimal::Decimal;

use super::errors::{self, Product};
use super::rules;
use super::settle;
use super::state::{AuthType, Payment, Source, Status};
use super::validate::{self, Reader};
use super::{MayaCheckout, webhooks, wire};
use crate::ledger::OpKind;
use crate::lock::lock;
use crate::random;
use crate::server::{SimRequest, SimResponse};

/// `POST /payments/v1/payments/{id}/capture` (`/captures` and `totalAmount` accepted as
/// aliases, an extra `final` ignored): a new `PAYMENT_SUCCESS` record.
pub(crate) fn capture(mc: &MayaCheckout, req: &SimRequest, id: &str) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    let mut r = Reader::default();
    let key = if obj.has("captureAmount") || !obj.has("totalAmount") {
        "captureAmount"
    } else {
        "totalAmount"
    };
    let amount = r.amount(&obj, key, "amount");
    let rrn = r.rrn(&obj, true);
    if let Err(res) = r.finish(Product::Gateway) {
        return res;
    }
    let (Some(amount), Some(rrn)) = (amount, rrn) else {
        return errors::invalid(Product::Gateway, &[]);
    };
    let now = mc.now();
    let mut state = lock(&mc.state);
    let Some(parent) = state.payments.get_mut(id, now) else {
        return errors::no_payment();
    };
    if amount.currency != parent.currency {
        return errors::currency(Product::Gateway);
    }
    let Some(left) = rules::capturable(parent, now) else {
        return errors::payment(400, "PY0094", "Payment is not available for capture.");
    };
    if amount.value > left {
        return errors::payment(
            400,
            "PY0095",
            "Capture amount is greater than the authorized amount.",
        );
    }
    let is_final = parent.auth_type == Some(AuthType::Final);
    if is_final && amount.value != parent.amount {
        return errors::payment(
            400,
            "PY0096",
            "Capture amount must be equal to the authorized amount.",
        );
    }
    parent.captured = parent.captured.saturating_add(amount.value);
    parent.status = if is_final || parent.captured >= parent.amount {
        Status::Done
    } else {
        Status::Captured
    };
    parent.updated_ms = now;
    mc.record(&parent.id, OpKind::Capture, amount.value);
    let child = capture_record(parent, rrn, amount.value, now);
    let child_id = child.id.clone();
    mc.register(&mut state, child, now);
    let Some(child) = state.payments.get(&child_id).cloned() else {
        return errors::no_payment();
    };
    let events = settle::events(&state, &child, now);
    drop(state);
    webhooks::fire(mc, events);
    SimResponse::json(200, &wire::payment(&child, now))
}

/// The record a capture of `parent` creates.
fn capture_record(parent: &Payment, rrn: String, amount: Decimal, now: u64) -> Payment {
    let mut child = Payment::new(
        random::uuid_v4(),
        rrn,
        amount,
        Source::Capture(parent.id.clone()),
        now,
    );
    child.status = Status::PaymentSuccess;
    child.auth_type = parent.auth_type;
    child.paid_ms = Some(now);
    child.card = parent.card.clone();
    child.wallet = parent.wallet;
    child.metadata = parent.metadata.clone();
    child.receipt_no = Some(random::hex_id(6));
    child.approval_code = parent.approval_code.clone();
    child.transaction_id = Some(random::uuid_v4());
    child
}
