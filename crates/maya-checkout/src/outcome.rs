//! Maya objects as the common [`PaymentOutcome`].

use paykit_core::{Money, NextAction, PaymentOutcome};

use crate::checkout::Checkout;
use crate::status::{MayaStatus, StatusContext};
use crate::wire::Payment;

/// The common outcome of a payment object. `refunded` is Σ successful refund records when
/// known (it decides partially refunded vs refunded); `awaiting_customer` marks a fresh create
/// whose page the customer still has to visit.
pub fn payment_outcome(
    payment: &Payment,
    refunded: Option<&Money>,
    awaiting_customer: bool,
) -> PaymentOutcome {
    let context = StatusContext {
        awaiting_customer,
        amount: payment.amount,
        captured: payment.captured_amount,
        refunded: refunded.map(Money::amount),
    };
    let reason = payment
        .error_code
        .as_deref()
        .or(payment.error_message.as_deref());
    let next_action = match (&payment.status, &payment.verification_url) {
        (MayaStatus::ForAuthentication, Some(url)) => NextAction::Redirect { url: url.clone() },
        _ => NextAction::None,
    };
    PaymentOutcome::new(
        payment.id.clone(),
        payment.status.to_payment_status(&context, reason),
    )
    .with_next_action(next_action)
    .with_amount(payment.money())
    .with_refunded(refunded.copied())
    .with_order_id(payment.request_reference_number.clone())
    .with_raw_status(Some(payment.status.as_str().to_owned()))
}

/// The common outcome of a checkout object (C2 or a legacy `CHECKOUT_*` body): its
/// `paymentStatus`, keyed by the checkout id.
pub(crate) fn checkout_outcome(checkout: &Checkout) -> PaymentOutcome {
    let status = checkout
        .payment_status
        .clone()
        .unwrap_or(MayaStatus::PendingToken);
    let money = checkout.money();
    let context = StatusContext {
        amount: money.map(|m| m.amount()),
        refunded: checkout.refunded_amount,
        ..StatusContext::default()
    };
    let refunded = checkout
        .refunded_amount
        .filter(|r| !r.is_zero())
        .and_then(|r| money.and_then(|m| Money::new(r, m.currency()).ok()));
    PaymentOutcome::new(
        checkout.id.clone(),
        status.to_payment_status(&context, None),
    )
    .with_amount(money)
    .with_refunded(refunded)
    .with_order_id(checkout.request_reference_number.clone())
    .with_raw_status(Some(status.as_str().to_owned()))
}
