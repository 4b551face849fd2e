//! maib: holds captured in part and refunded in part, direct payments refunded, and cards
//! saved then charged without the customer (`execute-recurring`, the one maib call that
//! takes money with no customer step, so the sharpest test of "never twice").

use std::net::Ipv4Addr;

use paykit_core::{
    CaptureMode, CardUsage, Currency, Customer, PaymentOutcome, PaymentProvider, PaymentRequest,
    SavedCardCharge,
};
use paykit_maib::MaibClient;
use paykit_sim::{LedgerProvider, OpKind};

use super::{
    FlowLog, amount, captured, customer_opens, money_op, part, query, refunded, status_check,
};
use crate::Env;
use crate::check::{Belief, Check, Resolution, Target};
use crate::rng::Rng;

fn request(amount: paykit_core::Money, order: &str, capture: CaptureMode) -> PaymentRequest {
    PaymentRequest::new(amount)
        .order_id(order)
        .description("paykit soak")
        .language("en")
        .capture(capture)
        .customer(
            Customer::default()
                .ip(Ipv4Addr::LOCALHOST)
                .email("soak@example.com"),
        )
}

/// Whether the ledger holds a registration for `order`.
fn registered(env: &Env, order: &str) -> Option<bool> {
    Some(
        env.sim
            .ledger()
            .by_order_id(LedgerProvider::Maib, order)
            .next()
            .is_some(),
    )
}

/// Registers a payment (`pay`, `hold` or `savecard-recurring`); the outcome when its
/// answer came back.
async fn register(
    env: &Env,
    client: &MaibClient,
    log: &mut FlowLog,
    req: &PaymentRequest,
    save_card: bool,
) -> Option<PaymentOutcome> {
    let order = req.order_id.clone().unwrap_or_default();
    let check = Check::new(
        OpKind::Register,
        Target::Order(order.clone()),
        "create_payment",
    );
    let (check, outcome) = money_op(
        check,
        || async {
            match (save_card, client.recurring()) {
                (true, Some(r)) => r.save_card(req, CardUsage::Recurring).await,
                _ => client.create_payment(req).await,
            }
        },
        |_| true,
        || async { registered(env, &order) },
        Resolution::Ledger,
    )
    .await;
    log.push(check);
    outcome
}

/// The customer pays; paykit's status query says whether the money was taken.
async fn pay(
    env: &Env,
    client: &MaibClient,
    log: &mut FlowLog,
    created: &PaymentOutcome,
    op: OpKind,
) -> Option<PaymentOutcome> {
    let id = created.provider_payment_id.clone();
    if !customer_opens(&env.http, &created.next_action).await {
        log.abandoned = log.abandoned.saturating_add(1);
        return None;
    }
    let status = query(|| client.get_payment(&id)).await;
    let check = status_check(op, &id, status.as_ref());
    (log.push(check) == Belief::Moved)
        .then_some(status)
        .flatten()
}

async fn capture(
    client: &MaibClient,
    log: &mut FlowLog,
    id: &str,
    amount: paykit_core::Money,
) -> bool {
    let Some(capture) = client.capture() else {
        return false;
    };
    let check = Check::new(OpKind::Capture, Target::Payment(id.to_owned()), "capture");
    let (check, _) = money_op(
        check,
        || capture.capture(id, Some(amount)),
        |o: &PaymentOutcome| captured(&o.status),
        || async {
            query(|| client.get_payment(id))
                .await
                .map(|o| captured(&o.status))
        },
        Resolution::Query,
    )
    .await;
    log.push(check) == Belief::Moved
}

async fn refund(client: &MaibClient, log: &mut FlowLog, id: &str, amount: paykit_core::Money) {
    let Some(refunds) = client.refund() else {
        return;
    };
    let check = Check::new(OpKind::Refund, Target::Payment(id.to_owned()), "refund");
    let (check, _) = money_op(
        check,
        || refunds.refund(id, Some(amount)),
        refunded,
        || async { query(|| client.get_payment(id)).await.map(|o| refunded(&o)) },
        Resolution::Query,
    )
    .await;
    log.push(check);
}

/// Releases a hold: maib has no void; a full refund of a hold releases it.
async fn release(client: &MaibClient, log: &mut FlowLog, id: &str) {
    let Some(refunds) = client.refund() else {
        return;
    };
    let released = |o: &PaymentOutcome| refunded(o) || super::voided(&o.status);
    let check = Check::new(
        OpKind::Void,
        Target::Payment(id.to_owned()),
        "refund (release)",
    );
    let (check, _) = money_op(
        check,
        || refunds.refund(id, None),
        released,
        || async { query(|| client.get_payment(id)).await.map(|o| released(&o)) },
        Resolution::Query,
    )
    .await;
    log.push(check);
}

/// Charges a saved card; reconciled by the lost answer's payment id when paykit has one,
/// otherwise against the ledger by order id (maib has no lookup by order id).
async fn charge(
    env: &Env,
    client: &MaibClient,
    log: &mut FlowLog,
    card_id: &str,
    req: PaymentRequest,
) -> Option<PaymentOutcome> {
    let recurring = client.recurring()?;
    let order = req.order_id.clone().unwrap_or_default();
    let charge = SavedCardCharge::new(card_id, CardUsage::Recurring, req);
    let check = Check::new(
        OpKind::Charge,
        Target::Order(order.clone()),
        "charge_saved_card",
    );
    let (check, outcome) = money_op(
        check,
        || recurring.charge_saved_card(&charge),
        |o: &PaymentOutcome| super::paid(&o.status),
        || async {
            let ledger = env.sim.ledger();
            Some(
                ledger
                    .by_order_id(LedgerProvider::Maib, &order)
                    .any(|p| p.count(OpKind::Charge) > 0),
            )
        },
        Resolution::Ledger,
    )
    .await;
    log.push(check);
    outcome.filter(|o| super::paid(&o.status))
}

/// One payment's flow.
pub(crate) async fn flow(env: &Env, client: &MaibClient, index: u64, mut rng: Rng) -> FlowLog {
    let mut log = FlowLog::default();
    let Some(total) = amount(&mut rng, Currency::MDL) else {
        return log;
    };
    let order = format!("soak-maib-{}-{index}", env.seed);
    match rng.below(4) {
        0 | 1 => {
            let req = request(total, &order, CaptureMode::Manual);
            let Some(created) = register(env, client, &mut log, &req, false).await else {
                return log;
            };
            let id = created.provider_payment_id.clone();
            if pay(env, client, &mut log, &created, OpKind::Hold)
                .await
                .is_none()
            {
                return log;
            }
            if rng.below(4) == 0 {
                release(client, &mut log, &id).await;
                return log;
            }
            let Some(taken) = part(&mut rng, &total) else {
                return log;
            };
            if capture(client, &mut log, &id, taken).await {
                if let Some(back) = part(&mut rng, &taken) {
                    refund(client, &mut log, &id, back).await;
                }
            }
        }
        2 => {
            let req = request(total, &order, CaptureMode::Automatic);
            let Some(created) = register(env, client, &mut log, &req, false).await else {
                return log;
            };
            let id = created.provider_payment_id.clone();
            if pay(env, client, &mut log, &created, OpKind::Charge)
                .await
                .is_some()
            {
                if let Some(back) = part(&mut rng, &total) {
                    refund(client, &mut log, &id, back).await;
                }
            }
        }
        _ => {
            let req = request(total, &order, CaptureMode::Automatic);
            let Some(created) = register(env, client, &mut log, &req, true).await else {
                return log;
            };
            let Some(status) = pay(env, client, &mut log, &created, OpKind::Charge).await else {
                return log;
            };
            let Some(card) = status.saved_card else {
                log.abandoned = log.abandoned.saturating_add(1);
                return log;
            };
            let Some(again) = amount(&mut rng, Currency::MDL) else {
                return log;
            };
            let req = request(again, &format!("{order}-r"), CaptureMode::Automatic);
            if let Some(charged) = charge(env, client, &mut log, &card.id, req).await {
                if let Some(back) = part(&mut rng, &again) {
                    refund(client, &mut log, &charged.provider_payment_id, back).await;
                }
            }
        }
    }
    log
}
