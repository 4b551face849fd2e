//! miaPOS: QR payments registered, paid on the checkout page and read back. The protocol has
//! no capture and no refund.

use paykit_core::{Currency, PaymentProvider, PaymentRequest};
use paykit_miapos::MiaPos;
use paykit_sim::{LedgerProvider, OpKind};

use super::{FlowLog, amount, customer_opens, money_op, query, status_check};
use crate::Env;
use crate::check::{Check, Resolution, Target};
use crate::rng::Rng;

/// One payment's flow.
pub(crate) async fn flow(env: &Env, client: &MiaPos, index: u64, mut rng: Rng) -> FlowLog {
    let mut log = FlowLog::default();
    let Some(total) = amount(&mut rng, Currency::MDL) else {
        return log;
    };
    let order = format!("soak-miapos-{}-{index}", env.seed);
    let req = PaymentRequest::new(total)
        .order_id(order.clone())
        .description("paykit soak")
        .language("en")
        .return_url("https://shop.example/paid")
        .callback_url(env.callback_sink.clone());
    let check = Check::new(
        OpKind::Register,
        Target::Order(order.clone()),
        "create_payment",
    );
    let (check, created) = money_op(
        check,
        || client.create_payment(&req),
        |_| true,
        || async {
            Some(
                env.sim
                    .ledger()
                    .by_order_id(LedgerProvider::Miapos, &order)
                    .next()
                    .is_some(),
            )
        },
        Resolution::Ledger,
    )
    .await;
    log.push(check);
    let Some(created) = created else {
        return log;
    };
    if !customer_opens(&env.http, &created.next_action).await {
        log.abandoned = log.abandoned.saturating_add(1);
        return log;
    }
    let id = created.provider_payment_id.clone();
    let status = query(|| client.get_payment(&id)).await;
    log.push(status_check(OpKind::Charge, &id, status.as_ref()));
    log
}
