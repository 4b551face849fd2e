//! Bank of Georgia Payments API: one-step orders and pre-authorizations (captured in part, or
//! released), then up to two partial refunds, every money call under its own
//! `Idempotency-Key`. An unknown outcome is resolved by the receipt (the merchant's status
//! query) and, where the receipt says nothing happened (or cannot be read, or there is no
//! order id yet to read it by), the call is repeated **with the same key**: BOG answers a
//! repeated key with the first answer, so the ledger must show every operation once, however
//! often it was sent.

use std::future::Future;

use paykit_bog_payments::{BogPaymentsClient, IdempotencyKey};
use paykit_core::{
    CaptureMode, Currency, Decimal, Money, PaymentOutcome, PaymentProvider, PaymentRequest, Result,
};
use paykit_sim::OpKind;

use super::{
    FlowLog, MAX_ATTEMPTS, amount, answer, captured, customer_pays_or_declines, part, pause, query,
    retry_worthy, status_check, voided,
};
use crate::Env;
use crate::check::{Belief, Check, Resolution, Target};
use crate::rng::Rng;

/// The sandbox card the simulator (like BOG's sandbox) declines.
const DECLINED_CARD: &str = "4000000000000002";

/// Attempts one keyed money operation until its effect is known. The same `key` goes with
/// every attempt (`call` receives whether this is a repeat). BOG only acknowledges these
/// calls, so even a success is confirmed by `confirm`, the receipt; after an unknown outcome
/// `confirm` decides whether it happened, and anything short of "it did" is repeated under
/// the key, never under a new one.
async fn keyed_op<F, Fut, C, CFut>(mut check: Check, mut call: F, mut confirm: C) -> Check
where
    F: FnMut(bool) -> Fut,
    Fut: Future<Output = Result<()>>,
    C: FnMut() -> CFut,
    CFut: Future<Output = Option<bool>>,
{
    check = check.keyed();
    let mut repeat = false;
    while check.attempts < MAX_ATTEMPTS {
        let result = call(repeat).await;
        let text = answer(&result);
        match result {
            Ok(()) => {
                // Acknowledged: the receipt says what was done.
                let found = confirm().await;
                let belief = match found {
                    Some(true) => Belief::Moved,
                    Some(false) => Belief::NotMoved,
                    None => Belief::Unknown,
                };
                check.known(belief, text);
                break;
            }
            Err(error) if error.outcome_unknown() => {
                check.unknown(text);
                if confirm().await == Some(true) {
                    check.resolve(Some(true), Resolution::Query);
                    break;
                }
                // Not (yet) shown: the same key, so a first attempt that did arrive is
                // answered, not performed again.
                check.replayed = check.replayed.saturating_add(1);
                repeat = true;
            }
            Err(error) => {
                let again = retry_worthy(&error);
                check.known(Belief::NotMoved, text);
                if !again {
                    break;
                }
            }
        }
        pause(check.attempts).await;
    }
    check
}

/// Registers the order under one key, repeated under it after an unknown outcome (there is
/// no order id to read a receipt by until an answer arrives).
async fn register(
    client: &BogPaymentsClient,
    log: &mut FlowLog,
    order: &str,
    req: &PaymentRequest,
) -> Option<PaymentOutcome> {
    let key = IdempotencyKey::generate().ok()?;
    let mut check = Check::new(
        OpKind::Register,
        Target::Order(order.to_owned()),
        "create_payment_with_key",
    )
    .keyed();
    let mut created = None;
    while check.attempts < MAX_ATTEMPTS {
        let result = client.create_payment_with_key(req, &key).await;
        let text = answer(&result);
        match result {
            Ok(outcome) => {
                check.known(Belief::Moved, text);
                created = Some(outcome);
                break;
            }
            Err(error) if error.outcome_unknown() => {
                check.unknown(text);
                check.replayed = check.replayed.saturating_add(1);
            }
            Err(error) => {
                let again = retry_worthy(&error);
                check.known(Belief::NotMoved, text);
                if !again {
                    break;
                }
            }
        }
        pause(check.attempts).await;
    }
    log.push(check);
    created
}

/// The receipt's refunded total (zero when none), `None` when the receipt cannot be read.
async fn refunded_total(client: &BogPaymentsClient, id: &str) -> Option<Decimal> {
    let outcome = query(|| client.get_payment(id)).await?;
    Some(outcome.refunded.map_or(Decimal::ZERO, |m| m.amount()))
}

/// Captures `amount` of the hold under one key.
async fn capture(client: &BogPaymentsClient, log: &mut FlowLog, id: &str, amount: Money) -> bool {
    let Ok(key) = IdempotencyKey::generate() else {
        return false;
    };
    let check = Check::new(
        OpKind::Capture,
        Target::Payment(id.to_owned()),
        "approve_preauth",
    )
    .of_amount(&amount);
    let check = keyed_op(
        check,
        |_| async {
            client
                .approve_preauth(id, Some(amount.amount()), None, &key)
                .await
                .map(|_| ())
        },
        || async {
            query(|| client.get_payment(id))
                .await
                .map(|o| captured(&o.status))
        },
    )
    .await;
    log.push(check) == Belief::Moved
}

/// Releases the hold under one key.
async fn release(client: &BogPaymentsClient, log: &mut FlowLog, id: &str) {
    let Ok(key) = IdempotencyKey::generate() else {
        return;
    };
    let check = Check::new(
        OpKind::Void,
        Target::Payment(id.to_owned()),
        "cancel_preauth",
    );
    let check = keyed_op(
        check,
        |_| async { client.cancel_preauth(id, None, &key).await.map(|_| ()) },
        || async {
            query(|| client.get_payment(id))
                .await
                .map(|o| voided(&o.status))
        },
    )
    .await;
    log.push(check);
}

/// Refunds `amount` under one key: the first attempt through `refund_with_key` (which reads
/// the receipt and refuses what BOG would), a repeat through `refund_order` with the same key
/// (the first may have refunded already, so the receipt can no longer judge it). Done when
/// the receipt's refunded total reaches `before + amount`.
async fn refund(
    client: &BogPaymentsClient,
    log: &mut FlowLog,
    id: &str,
    amount: Money,
    before: Decimal,
) -> bool {
    let Ok(key) = IdempotencyKey::generate() else {
        return false;
    };
    let key = &key;
    let target = before.saturating_add(amount.amount());
    let check = Check::new(
        OpKind::Refund,
        Target::Payment(id.to_owned()),
        "refund_order",
    )
    .of_amount(&amount);
    let check = keyed_op(
        check,
        |repeat| async move {
            if repeat {
                client
                    .refund_order(id, Some(amount.amount()), key)
                    .await
                    .map(|_| ())
            } else {
                client
                    .refund_with_key(id, Some(amount), key)
                    .await
                    .map(|_| ())
            }
        },
        || async {
            refunded_total(client, id)
                .await
                .map(|total| total >= target)
        },
    )
    .await;
    log.push(check) == Belief::Moved
}

/// Zero to two partial refunds of `taken`, with distinct amounts (the check reads the ledger
/// by amount).
async fn refunds(
    client: &BogPaymentsClient,
    log: &mut FlowLog,
    rng: &mut Rng,
    id: &str,
    taken: Money,
) {
    let mut returned = Decimal::ZERO;
    let mut last: Option<Money> = None;
    for _ in 0..rng.below(3) {
        let Ok(left) = Money::new(taken.amount().saturating_sub(returned), taken.currency()) else {
            return;
        };
        if left.amount() < Decimal::new(200, 2) {
            return;
        }
        let Some(mut back) = part(rng, &left) else {
            return;
        };
        if last.is_some_and(|l| l.amount() == back.amount()) {
            let Ok(other) = Money::new(
                back.amount().saturating_sub(Decimal::new(1, 2)),
                back.currency(),
            ) else {
                return;
            };
            back = other;
        }
        if !refund(client, log, id, back, returned).await {
            return;
        }
        returned = returned.saturating_add(back.amount());
        last = Some(back);
    }
}

/// One payment's flow.
pub(crate) async fn flow(
    env: &Env,
    client: &BogPaymentsClient,
    index: u64,
    mut rng: Rng,
) -> FlowLog {
    let mut log = FlowLog::default();
    let Some(total) = amount(&mut rng, Currency::GEL) else {
        return log;
    };
    let order = format!("soak-bogp-{}-{index}", env.seed);
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
        // BOG requires https callbacks; the simulator's sink is plain HTTP, so these
        // deliveries fail (and some are dropped by the fault first). The soak reads receipts.
        .callback_url(env.callback_sink.replacen("http:", "https:", 1))
        .return_url("https://shop.example/paid");
    let Some(created) = register(client, &mut log, &order, &req).await else {
        return log;
    };
    let decline = declined.then(|| format!("&card={DECLINED_CARD}"));
    if !customer_pays_or_declines(env, &mut log, &created.next_action, decline.as_deref()).await {
        return log;
    }
    let id = created.provider_payment_id.clone();
    let status = query(|| client.get_payment(&id)).await;
    let op = if manual { OpKind::Hold } else { OpKind::Charge };
    if log.push(status_check(op, &id, status.as_ref())) != Belief::Moved {
        return log;
    }
    let mut taken = total;
    if manual {
        if rng.below(4) == 0 {
            release(client, &mut log, &id).await;
            return log;
        }
        let Some(amount) = part(&mut rng, &total) else {
            return log;
        };
        if !capture(client, &mut log, &id, amount).await {
            return log;
        }
        taken = amount;
    }
    refunds(client, &mut log, &mut rng, &id, taken).await;
    log
}
