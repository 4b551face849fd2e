//! Maya objects as the common [`PaymentOutcome`].

use paykit_core::{Money, NextAction, PaymentOutcome};
use rust_decimal::Decimal;

use crate::checkout::Checkout;
use crate::status::{MayaStatus, StatusContext};
use crate::wire::{Payment, money};

/// The common outcome of a payment object. `refunded` is Σ successful refund records when
/// known (it decides partially refunded vs refunded); `awaiting_customer` marks a fresh create
/// whose page the customer still has to visit.
pub fn payment_outcome(
    payment: &Payment,
    refunded: Option<&Money>,
    awaiting_customer: bool,
) -> PaymentOutcome {
    PaymentFacts::of(payment).outcome(refunded, awaiting_customer)
}

/// The members of a payment object its common outcome is made of, borrowed: from a decoded
/// [`Payment`], or straight from a webhook body's text (`crate::scan`), so both make their
/// outcome by one function.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PaymentFacts<'p> {
    pub(crate) id: &'p str,
    pub(crate) status: &'p MayaStatus,
    pub(crate) amount: Option<Decimal>,
    pub(crate) captured: Option<Decimal>,
    pub(crate) currency: Option<&'p str>,
    pub(crate) reference: Option<&'p str>,
    pub(crate) error_code: Option<&'p str>,
    pub(crate) error_message: Option<&'p str>,
    pub(crate) verification_url: Option<&'p str>,
}

impl<'p> PaymentFacts<'p> {
    pub(crate) fn of(payment: &'p Payment) -> PaymentFacts<'p> {
        PaymentFacts {
            id: &payment.id,
            status: &payment.status,
            amount: payment.amount,
            captured: payment.captured_amount,
            currency: payment.currency.as_deref(),
            reference: payment.request_reference_number.as_deref(),
            error_code: payment.error_code.as_deref(),
            error_message: payment.error_message.as_deref(),
            verification_url: payment.verification_url.as_deref(),
        }
    }

    /// [`payment_outcome`] of these facts.
    pub(crate) fn outcome(
        &self,
        refunded: Option<&Money>,
        awaiting_customer: bool,
    ) -> PaymentOutcome {
        let context = StatusContext {
            awaiting_customer,
            amount: self.amount,
            captured: self.captured,
            refunded: refunded.map(Money::amount),
        };
        let reason = self.error_code.or(self.error_message);
        let next_action = match (self.status, self.verification_url) {
            (MayaStatus::ForAuthentication, Some(url)) => NextAction::Redirect {
                url: url.to_owned(),
            },
            _ => NextAction::None,
        };
        PaymentOutcome::new(
            self.id.to_owned(),
            self.status.to_payment_status(&context, reason),
        )
        .with_next_action(next_action)
        .with_amount(money(self.amount, self.currency))
        .with_refunded(refunded.copied())
        .with_order_id(self.reference.map(str::to_owned))
        .with_raw_status(Some(self.status.as_str().to_owned()))
    }
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
