//! miaPOS: QR payments registered, paid on the checkout page and read back. The protocol has
//! no capture and no refund.

use paykit_core::{Currency, PaymentProvider, PaymentRequest};
use paykit_miapos::MiaPos;
use paykit_sim::{LedgerProvider, OpKind};

use super::{FlowLog, amount, query, register_and_open, status_check};
use crate::Env;
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
    let Some(created) =
        register_and_open(env, client, &mut log, LedgerProvider::Miapos, &order, &req).await
    else {
        return log;
    };
    let id = created.provider_payment_id.clone();
    let status = query(|| client.get_payment(&id)).await;
    log.push(status_check(OpKind::Charge, &id, status.as_ref()));
    log
}
