//! Driving each provider's client: one flow per payment, every money operation attempted
//! until its effect is known, unknowns reconciled before any new attempt.

pub(crate) mod bog;
pub(crate) mod bog_payments;
pub(crate) mod maib;
pub(crate) mod maya;
pub(crate) mod maya_checkout;
pub(crate) mod miapos;

use std::future::Future;
use std::time::Duration;

use paykit_core::{
    Currency, Error, Money, NextAction, PaymentOutcome, PaymentProvider, PaymentStatus, Result,
};
use paykit_sim::OpKind;

use crate::check::{Belief, Check, Resolution, Target};
use crate::rng::Rng;

/// Registers `req` (order `order`; a lost answer is resolved by the ledger) and has the customer
/// open the payment page: the outcome when the customer is on it, `None` when the payment was
/// not registered or the customer abandoned it (both logged).
pub(crate) async fn register_and_open<P: PaymentProvider>(
    env: &crate::Env,
    client: &P,
    log: &mut FlowLog,
    provider: paykit_sim::LedgerProvider,
    order: &str,
    req: &paykit_core::PaymentRequest,
) -> Option<PaymentOutcome> {
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
            Some(
                env.sim
                    .ledger()
                    .by_order_id(provider, order)
                    .next()
                    .is_some(),
            )
        },
        Resolution::Ledger,
    )
    .await;
    log.push(check);
    let created = created?;
    if !customer_opens(&env.http, &created.next_action).await {
        log.abandoned = log.abandoned.saturating_add(1);
        return None;
    }
    Some(created)
}

/// Attempts of one money operation before the soak gives up on it.
pub(crate) const MAX_ATTEMPTS: u32 = 6;
/// Attempts of one status query.
const MAX_QUERIES: u32 = 12;

/// What one flow did: its checks, and whether it had to stop early.
#[derive(Debug, Default)]
pub(crate) struct FlowLog {
    pub(crate) checks: Vec<Check>,
    pub(crate) abandoned: u64,
}

impl FlowLog {
    pub(crate) fn push(&mut self, check: Check) -> Belief {
        let belief = check.belief;
        if belief == Belief::Unknown {
            self.abandoned = self.abandoned.saturating_add(1);
        }
        self.checks.push(check);
        belief
    }
}

/// A short, secret-free description of an answer, for findings.
pub(crate) fn answer<T: std::fmt::Debug>(result: &Result<T>) -> String {
    match result {
        Ok(value) => {
            let text = format!("{value:?}");
            text.chars().take(160).collect()
        }
        Err(error) => format!("error: {error}"),
    }
}

/// Whether a definite error is worth another attempt (nothing happened, and it may pass).
pub(crate) fn retry_worthy(error: &Error) -> bool {
    error.is_retryable() || matches!(error, Error::Auth { .. })
}

/// The pause before attempt `n + 1`, doubling from 100 ms to 1.6 s: long enough for the
/// token cache's failure back-off (500 ms, doubling) to let a fetch through again.
pub(crate) async fn pause(attempt: u32) {
    let millis = 100_u64.checked_shl(attempt.min(4)).unwrap_or(1600);
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

/// Runs a status query until it answers (non-mutating, so repeating it is safe).
pub(crate) async fn query<F, Fut>(mut call: F) -> Option<PaymentOutcome>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<PaymentOutcome>>,
{
    for attempt in 0..MAX_QUERIES {
        match call().await {
            Ok(outcome) => return Some(outcome),
            Err(_) => pause(attempt).await,
        }
    }
    None
}

/// Attempts a money operation until its effect is known. `moved` reads a success answer;
/// `reconcile` finds out after an unknown one (`None`: it could not).
pub(crate) async fn money_op<T, F, Fut, R, RFut>(
    mut check: Check,
    mut call: F,
    moved: impl Fn(&T) -> bool,
    mut reconcile: R,
    how: Resolution,
) -> (Check, Option<T>)
where
    T: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
    R: FnMut() -> RFut,
    RFut: Future<Output = Option<bool>>,
{
    let mut last = None;
    while check.attempts < MAX_ATTEMPTS {
        let result = call().await;
        let text = answer(&result);
        match result {
            Ok(value) => {
                let belief = if moved(&value) {
                    Belief::Moved
                } else {
                    Belief::NotMoved
                };
                check.known(belief, text);
                last = Some(value);
                break;
            }
            Err(error) if error.outcome_unknown() => {
                check.unknown(text);
                let found = reconcile().await;
                check.resolve(found, how);
                // Unresolved, or it happened: never try again blindly.
                if found != Some(false) {
                    break;
                }
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
    (check, last)
}

/// The customer's browser opening the payment page (never faulted by the simulator).
pub(crate) async fn customer_opens(http: &reqwest::Client, action: &NextAction) -> bool {
    let url = match action {
        NextAction::Redirect { url } | NextAction::Checkout { url: Some(url), .. } => url,
        _ => return false,
    };
    for _ in 0..3 {
        if let Ok(response) = http.get(url.as_str()).send().await {
            return response.status().is_success();
        }
    }
    false
}

/// The customer opening the payment page, with `decline` (the simulator's query parameter
/// for a declined card, `&card=…` or `&action=decline`) added to a redirect when given; a
/// page that does not open is logged as an abandoned flow.
pub(crate) async fn customer_pays_or_declines(
    env: &crate::Env,
    log: &mut FlowLog,
    action: &NextAction,
    decline: Option<&str>,
) -> bool {
    let page = match (action, decline) {
        (NextAction::Redirect { url }, Some(decline)) => NextAction::Redirect {
            url: format!("{url}{decline}"),
        },
        (other, _) => other.clone(),
    };
    let opened = customer_opens(&env.http, &page).await;
    if !opened {
        log.abandoned = log.abandoned.saturating_add(1);
    }
    opened
}

/// Whether a status says the customer's money is taken or reserved.
pub(crate) fn paid(status: &PaymentStatus) -> bool {
    matches!(
        status,
        PaymentStatus::Authorized
            | PaymentStatus::Captured
            | PaymentStatus::PartiallyRefunded
            | PaymentStatus::Refunded
    )
}

/// Whether a status says a capture happened.
pub(crate) fn captured(status: &PaymentStatus) -> bool {
    matches!(
        status,
        PaymentStatus::Captured | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
    )
}

/// Whether a status says an authorization was released.
pub(crate) fn voided(status: &PaymentStatus) -> bool {
    matches!(status, PaymentStatus::Cancelled)
}

/// Releases an authorization; reconciled by the status query.
pub(crate) async fn void<P: PaymentProvider>(client: &P, log: &mut FlowLog, id: &str) {
    let Some(voids) = client.void() else {
        return;
    };
    let check = Check::new(OpKind::Void, Target::Payment(id.to_owned()), "void");
    let (check, _) = money_op(
        check,
        || voids.void(id),
        |o: &PaymentOutcome| voided(&o.status),
        || async {
            query(|| client.get_payment(id))
                .await
                .map(|o| voided(&o.status))
        },
        Resolution::Query,
    )
    .await;
    log.push(check);
}

/// Whether an outcome says a refund happened.
pub(crate) fn refunded(outcome: &PaymentOutcome) -> bool {
    matches!(
        outcome.status,
        PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
    ) || outcome.refunded.is_some_and(|m| !m.is_zero())
}

/// The customer step as a check: did paykit's status query say the money was taken?
pub(crate) fn status_check(op: OpKind, id: &str, outcome: Option<&PaymentOutcome>) -> Check {
    let mut check = Check::new(op, Target::Payment(id.to_owned()), "get_payment");
    if let Some(outcome) = outcome {
        let belief = if paid(&outcome.status) {
            Belief::Moved
        } else {
            Belief::NotMoved
        };
        check.known(belief, format!("status {}", outcome.status));
    } else {
        check.unknown("the status query kept failing".to_owned());
    }
    check
}

/// A random amount between 5.00 and 504.99; about one in ten ends in `.01`, which the
/// simulator declines.
pub(crate) fn amount(rng: &mut Rng, currency: Currency) -> Option<Money> {
    let units = 5_u64.saturating_add(rng.below(500));
    let cents = if rng.below(10) == 0 {
        1
    } else {
        match rng.below(100) {
            1 => 2,
            c => c,
        }
    };
    let minor = i64::try_from(units.saturating_mul(100).saturating_add(cents)).ok()?;
    Money::from_minor(minor, currency).ok()
}

/// A part of `of`: between a quarter and three quarters, at least 1.00 (in minor units).
pub(crate) fn part(rng: &mut Rng, of: &Money) -> Option<Money> {
    let minor = of.to_minor_units().ok()?;
    let quarter = minor.checked_div(4)?;
    let extra =
        i64::try_from(rng.below(u64::try_from(quarter.max(1)).ok()?.saturating_mul(2))).ok()?;
    let part = quarter
        .saturating_add(extra)
        .max(100)
        .min(minor.saturating_sub(1));
    Money::from_minor(part, of.currency()).ok()
}
