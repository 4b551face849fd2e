//! Bank of Georgia iPay: pre-authorized orders captured in part then refunded in part, and
//! one-step orders refunded in part (iPay allows several partial refunds, so a repeated
//! refund would take money twice).

use paykit_bog::BogClient;
use paykit_core::{CaptureMode, Currency, PaymentOutcome, PaymentProvider, PaymentRequest};
use paykit_sim::{LedgerProvider, OpKind};

use super::{
    FlowLog, amount, captured, money_op, part, query, refunded, register_and_open, status_check,
};
use crate::Env;
use crate::check::{Belief, Check, Resolution, Target};
use crate::rng::Rng;

/// One payment's flow.
pub(crate) async fn flow(env: &Env, client: &BogClient, index: u64, mut rng: Rng) -> FlowLog {
    let mut log = FlowLog::default();
    let Some(total) = amount(&mut rng, Currency::GEL) else {
        return log;
    };
    let order = format!("soak-bog-{}-{index}", env.seed);
    let manual = rng.below(2) == 0;
    let req = PaymentRequest::new(total)
        .order_id(order.clone())
        .description("paykit soak")
        .language("en-US")
        .capture(if manual {
            CaptureMode::Manual
        } else {
            CaptureMode::Automatic
        })
        .return_url("https://shop.example/paid");
    let Some(created) =
        register_and_open(env, client, &mut log, LedgerProvider::Bog, &order, &req).await
    else {
        return log;
    };
    let id = created.provider_payment_id.clone();
    let status = query(|| client.get_payment(&id)).await;
    let op = if manual { OpKind::Hold } else { OpKind::Charge };
    if log.push(status_check(op, &id, status.as_ref())) != Belief::Moved {
        return log;
    }
    let mut taken = total;
    if manual && rng.below(4) == 0 {
        super::void(client, &mut log, &id).await;
        return log;
    }
    if manual {
        let Some(capture) = client.capture() else {
            return log;
        };
        let Some(amount) = part(&mut rng, &total) else {
            return log;
        };
        let check = Check::new(OpKind::Capture, Target::Payment(id.clone()), "capture");
        let (check, _) = money_op(
            check,
            || capture.capture(&id, Some(amount)),
            |o: &PaymentOutcome| captured(&o.status),
            || async {
                query(|| client.get_payment(&id))
                    .await
                    .map(|o| captured(&o.status))
            },
            Resolution::Query,
        )
        .await;
        if log.push(check) != Belief::Moved {
            return log;
        }
        taken = amount;
    }
    let (Some(refunds), Some(back)) = (client.refund(), part(&mut rng, &taken)) else {
        return log;
    };
    let check = Check::new(OpKind::Refund, Target::Payment(id.clone()), "refund");
    let (check, _) = money_op(
        check,
        || refunds.refund(&id, Some(back)),
        refunded,
        // iPay's details carry no refund state: the Amount Return callback does (and the
        // soak drops some of those), or BOG's back office, which the ledger stands in for.
        || async {
            env.sim
                .ledger()
                .payment(LedgerProvider::Bog, &id)
                .map(|p| p.count(OpKind::Refund) > 0)
        },
        Resolution::Ledger,
    )
    .await;
    log.push(check);
    log
}
