//! Maya's payment gateway: Checkouts paid on the hosted page, as sales or as holds (`NORMAL`
//! authorizations). A hold is released or captured in part; a sale may be voided. Maya voids
//! only on the payment's Manila day and refunds only from the next, so the refunds (zero to
//! two, partial) of every sale and capture are planned here and made by [`refund_flow`] once
//! the simulator's clock has moved to the next Manila day.
//!
//! Maya documents no idempotency: nothing that may have moved money is sent again until the
//! merchant's own lookups say it did not happen: the payments under a reference
//! (`payments_by_reference`, what Maya advises), the payment itself, its refunds list.

use std::sync::Mutex;

use paykit_core::{CaptureMode, Currency, Decimal, Money, PaymentRequest, Result};
use paykit_maya_checkout::{
    CaptureRequest, MayaCheckoutClient, MayaStatus, Payment, RecordStatus, RefundAnswer,
};
use paykit_sim::OpKind;

use super::{FlowLog, amount, customer_pays_or_declines, money_op, part, pause};
use crate::Env;
use crate::check::{Belief, Check, Resolution, Target};
use crate::rng::Rng;

/// Attempts of one lookup (a read, so repeating it is safe).
const MAX_LOOKUPS: u32 = 12;
/// The reason sent with voids and refunds.
const REASON: &str = "paykit soak";

/// Money taken that the next Manila day may refund: a sale, or a capture's own record.
#[derive(Debug)]
pub(crate) struct RefundPlan {
    payment_id: String,
    taken: Money,
    rng: Rng,
}

/// The client, and the refunds its flows planned.
#[derive(Debug)]
pub(crate) struct MayaCheckoutSoak {
    pub(crate) client: MayaCheckoutClient,
    plans: Mutex<Vec<RefundPlan>>,
}

impl MayaCheckoutSoak {
    pub(crate) fn new(client: MayaCheckoutClient) -> Self {
        Self {
            client,
            plans: Mutex::new(Vec::new()),
        }
    }

    fn plan(&self, plan: RefundPlan) {
        if let Ok(mut plans) = self.plans.lock() {
            plans.push(plan);
        }
    }

    /// The planned refunds, taken out.
    pub(crate) fn take_plans(&self) -> Vec<RefundPlan> {
        self.plans
            .lock()
            .map(|mut plans| std::mem::take(&mut *plans))
            .unwrap_or_default()
    }
}

/// Runs a lookup until it answers.
async fn lookup<T, F, Fut>(mut call: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    for attempt in 0..MAX_LOOKUPS {
        match call().await {
            Ok(value) => return Some(value),
            Err(_) => pause(attempt).await,
        }
    }
    None
}

/// Whether a payment has taken or reserved the customer's money.
fn paid(payment: &Payment) -> bool {
    payment.is_paid == Some(true)
        || matches!(
            payment.status,
            MayaStatus::PaymentSuccess
                | MayaStatus::Authorized
                | MayaStatus::Captured
                | MayaStatus::Done
        )
}

/// Creates the Checkout; a lost answer is resolved by the payments under its reference.
async fn register(
    client: &MayaCheckoutClient,
    log: &mut FlowLog,
    order: &str,
    req: &PaymentRequest,
) -> Option<paykit_core::PaymentOutcome> {
    use paykit_core::PaymentProvider;
    let check = Check::new(
        OpKind::Register,
        Target::Order(order.to_owned()),
        "create_payment",
    );
    let (check, created) = money_op(
        check,
        || client.create_payment(req),
        |_| true,
        || async {
            lookup(|| client.payments_by_reference(order))
                .await
                .map(|found| !found.is_empty())
        },
        Resolution::Query,
    )
    .await;
    log.push(check);
    created
}

/// Releases a hold or voids a sale (the whole amount, on the payment's Manila day).
async fn void(client: &MayaCheckoutClient, log: &mut FlowLog, id: &str) {
    let check = Check::new(OpKind::Void, Target::Payment(id.to_owned()), "void_payment");
    let (check, _) = money_op(
        check,
        || client.void_payment(id, REASON),
        |_| true,
        || async {
            lookup(|| client.payment(id))
                .await
                .map(|p| p.status == MayaStatus::Voided)
        },
        Resolution::Query,
    )
    .await;
    log.push(check);
}

/// Captures `amount` of the hold `id` under the reference `reference` (its own, so the lookup
/// by reference finds exactly the capture record); the record's id when it happened.
async fn capture(
    client: &MayaCheckoutClient,
    log: &mut FlowLog,
    id: &str,
    amount: Money,
    reference: &str,
) -> Option<String> {
    let request = CaptureRequest::new(&amount, reference);
    let check = Check::new(
        OpKind::Capture,
        Target::Payment(id.to_owned()),
        "capture_payment",
    )
    .of_amount(&amount);
    let (check, record) = money_op(
        check,
        || client.capture_payment(id, &request),
        |_| true,
        || async {
            lookup(|| client.payments_by_reference(reference))
                .await
                .map(|found| !found.is_empty())
        },
        Resolution::Query,
    )
    .await;
    if log.push(check) != Belief::Moved {
        return None;
    }
    if let Some(record) = record {
        return Some(record.id);
    }
    // The answer was lost: the lookup names the record.
    lookup(|| client.payments_by_reference(reference))
        .await
        .and_then(|found| found.into_iter().next())
        .map(|record| record.id)
}

/// One payment's flow on its day: pay (or be declined), then void, capture or nothing; what
/// was taken is planned for refunds the next day.
pub(crate) async fn flow(env: &Env, soak: &MayaCheckoutSoak, index: u64, mut rng: Rng) -> FlowLog {
    let client = &soak.client;
    let mut log = FlowLog::default();
    let Some(total) = amount(&mut rng, Currency::PHP) else {
        return log;
    };
    // Maya's references are at most 36 characters.
    let order = format!("soak-mc-{}-{index}", env.seed % 1_000_000_000);
    let manual = rng.below(2) == 0;
    let declined = rng.below(10) == 0;
    let req = PaymentRequest::new(total)
        .order_id(order.clone())
        .description("paykit soak")
        .capture(if manual {
            CaptureMode::Manual
        } else {
            CaptureMode::Automatic
        })
        .return_url("https://shop.example/paid");
    let Some(created) = register(client, &mut log, &order, &req).await else {
        return log;
    };
    let decline = declined.then_some("&action=decline");
    if !customer_pays_or_declines(env, &mut log, &created.next_action, decline).await {
        return log;
    }
    // The payment behind the Checkout, by its reference.
    let op = if manual { OpKind::Hold } else { OpKind::Charge };
    let mut check = Check::new(op, Target::Order(order.clone()), "payments_by_reference");
    let found = lookup(|| client.payments_by_reference(&order)).await;
    let payment = match found {
        Some(all) => {
            let payment = all.into_iter().find(paid);
            let belief = if payment.is_some() {
                Belief::Moved
            } else {
                Belief::NotMoved
            };
            check.known(belief, format!("{:?}", payment.as_ref().map(|p| &p.status)));
            payment
        }
        None => {
            check.unknown("the lookup kept failing".to_owned());
            None
        }
    };
    log.push(check);
    let Some(payment) = payment else {
        return log;
    };
    if rng.below(4) == 0 {
        void(client, &mut log, &payment.id).await;
        return log;
    }
    let (refundable, taken) = if manual {
        let Some(amount) = part(&mut rng, &total) else {
            return log;
        };
        let reference = format!("{order}-c");
        match capture(client, &mut log, &payment.id, amount, &reference).await {
            Some(record) => (record, amount),
            None => return log,
        }
    } else {
        (payment.id, total)
    };
    soak.plan(RefundPlan {
        payment_id: refundable,
        taken,
        rng: rng.fork(),
    });
    log
}

/// Whether the refunds list of `id` shows a successful refund of `amount`.
fn shows_refund(refunds: &[paykit_maya_checkout::RefundRecord], amount: &Money) -> bool {
    refunds
        .iter()
        .any(|r| r.status == Some(RecordStatus::Success) && r.amount == Some(amount.amount()))
}

/// A planned payment's refunds, on a later Manila day: zero to two, partial, with distinct
/// amounts (the check reads the ledger by amount). A lost answer is resolved by the refunds
/// list.
pub(crate) async fn refund_flow(soak: &MayaCheckoutSoak, plan: RefundPlan) -> FlowLog {
    let client = &soak.client;
    let RefundPlan {
        payment_id: id,
        taken,
        mut rng,
    } = plan;
    let mut log = FlowLog::default();
    let mut returned = Decimal::ZERO;
    let mut last: Option<Decimal> = None;
    for _ in 0..rng.below(3) {
        let Ok(left) = Money::new(taken.amount().saturating_sub(returned), taken.currency()) else {
            break;
        };
        if left.amount() < Decimal::new(200, 2) {
            break;
        }
        let Some(mut back) = part(&mut rng, &left) else {
            break;
        };
        if last == Some(back.amount()) {
            let Ok(other) = Money::new(
                back.amount().saturating_sub(Decimal::new(1, 2)),
                back.currency(),
            ) else {
                break;
            };
            back = other;
        }
        let check = Check::new(
            OpKind::Refund,
            Target::Payment(id.clone()),
            "refund_payment",
        )
        .of_amount(&back);
        let (check, _) = money_op(
            check,
            || client.refund_payment(&id, &back, REASON),
            |answer: &RefundAnswer| answer.is_success(),
            || async {
                lookup(|| client.refunds(&id))
                    .await
                    .map(|refunds| shows_refund(&refunds, &back))
            },
            Resolution::Query,
        )
        .await;
        if log.push(check) != Belief::Moved {
            break;
        }
        returned = returned.saturating_add(back.amount());
        last = Some(back.amount());
    }
    log
}
