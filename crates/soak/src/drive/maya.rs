//! Maya Mini App: one customer session per payment, the payment created and executed through
//! the common `create_payment`. Mini App payments have no status query, so every unknown
//! outcome is reconciled against the simulator's ledger only (a merchant would use Maya
//! Manager), by the customer the payment is bound to.

use paykit_core::{
    Currency, PaymentOutcome, PaymentProvider, PaymentRequest, PaymentStatus, SecretString,
};
use paykit_maya::{MayaClient, SessionTokens};
use paykit_sim::{LedgerProvider, OpKind};

use super::{FlowLog, amount, money_op};
use crate::Env;
use crate::check::{Check, Resolution, Target};
use crate::rng::Rng;

/// One payment's flow.
pub(crate) async fn flow(env: &Env, client: &MayaClient, index: u64, mut rng: Rng) -> FlowLog {
    let mut log = FlowLog::default();
    let Some(total) = amount(&mut rng, Currency::PHP) else {
        return log;
    };
    let Ok(pushed) = env.sim.open_maya_session(None).await else {
        log.abandoned = log.abandoned.saturating_add(1);
        return log;
    };
    let session = i64::try_from(pushed.expires_at)
        .map_err(|_| paykit_core::Error::invalid_input("expires_at", "out of range"))
        .and_then(|expires_at| {
            SessionTokens::new(
                SecretString::from(pushed.access_token.clone()),
                SecretString::from(pushed.refresh_token.clone()),
                expires_at,
            )
        })
        .and_then(|tokens| client.session(tokens));
    let Ok(session) = session else {
        log.abandoned = log.abandoned.saturating_add(1);
        return log;
    };
    let payments = client.payments(session);
    let req = PaymentRequest::new(total).order_id(format!("soak-maya-{}-{index}", env.seed));
    let customer = pushed.customer_id.clone();
    let check = Check::new(
        OpKind::Execute,
        Target::Order(customer.clone()),
        "create_payment",
    );
    let (check, _) = money_op(
        check,
        || payments.create_payment(&req),
        |o: &PaymentOutcome| o.status == PaymentStatus::Captured,
        || async {
            // Executed, declined, or never executed: the ledger knows; a created payment
            // that was never executed expires and moves nothing.
            Some(
                env.sim
                    .ledger()
                    .by_order_id(LedgerProvider::Maya, &customer)
                    .any(|p| p.count(OpKind::Execute) > 0),
            )
        },
        Resolution::Ledger,
    )
    .await;
    log.push(check);
    log
}
