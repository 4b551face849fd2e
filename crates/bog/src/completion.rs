//! Pre-authorization completion: `POST /checkout/payment/{order_id}/pre-auth/completion`
//! (`FULL_COMPLETE`, `PARTIAL_COMPLETE`, `CANCEL`), and what paykit writes down after it.
//!
//! All three move money (a charge, or the release of a block back to the customer): core makes
//! every fault after sending an unknown outcome carrying the order's ids. The records keep what
//! a completion charged, because iPay's details do not say and later refunds need it: the
//! blocked amount after a full completion, the completed amount after a partial one (the rest
//! was released), and no amount at all when a partial completion's outcome is unknown.
//!
//! iPay answers a completion of an already completed pre-authorization with `success` and
//! `Already completed successful` (bog-ipay.md §5.4): nothing new was charged. For a cancel
//! that means nothing was released either, so the common [`paykit_core::Void`] reports it as
//! a refusal, never as `Cancelled`.

use paykit_core::http::{ApiRequest, Effect};
use paykit_core::{Error, Money, PaymentOutcome, PaymentStatus, Result};

use crate::model::{PaymentState, PreAuthCompletion, PreAuthResult};
use crate::{BogClient, PROVIDER, translate, validate, wire};

impl BogClient {
    /// `POST /checkout/payment/{order_id}/pre-auth/completion`: charges all or part of a
    /// blocked (`MANUAL`) payment, or releases it, exactly as asked. Recorded in the payment
    /// records once iPay answered.
    pub async fn complete_pre_auth(
        &self,
        order_id: &str,
        completion: &PreAuthCompletion,
    ) -> Result<PreAuthResult> {
        let segment = validate::order_id_segment("order_id", order_id)?;
        validate::completion(completion, &self.inner.settings.currencies)?;
        let record = self.record_of(order_id).await?;
        let ids = self.known_ids(order_id, record.as_ref()).await;
        let request = ApiRequest::post(
            "pre-auth-completion",
            format!("checkout/payment/{segment}/pre-auth/completion"),
        )
        .json(&wire::PreAuthBody::from(completion))?
        .auth(self.bearer())
        .effect(Effect::MovesMoney);
        let answer = self
            .inner
            .executor
            .call(&request, &ids, |response| {
                crate::error::ensure_success(response)?;
                wire::pre_auth_answer(response, order_id)
            })
            .await;
        let mut record = record
            .unwrap_or_else(|| paykit_core::PaymentRecord::new(PROVIDER, order_id))
            .with_ids(&ids);
        let result = match answer {
            Ok(result) => result,
            Err(error) => {
                if error.outcome_unknown() && matches!(completion, PreAuthCompletion::Partial(_)) {
                    // The block or part of it may have been charged: the amount is unknown.
                    record.amount = None;
                    if let Err(put) = self.put_record(&record).await {
                        tracing::warn!(error = %put, "unknown completion not recorded");
                    }
                }
                return Err(error);
            }
        };
        if result.status != PaymentState::Success || already_completed(&result) {
            return Ok(result);
        }
        match completion {
            PreAuthCompletion::Full => record.last_status = Some(PaymentStatus::Captured),
            PreAuthCompletion::Partial(amount) => {
                record.amount = Some(*amount);
                record.last_status = Some(PaymentStatus::Captured);
            }
            PreAuthCompletion::Cancel => record.last_status = Some(PaymentStatus::Cancelled),
        }
        if let Err(error) = self.put_record(&record).await {
            let outcome =
                translate::outcome_for_completion(order_id, completion, &result, Some(&record))
                    .unwrap_or_else(|_| PaymentOutcome::new(order_id, PaymentStatus::Pending));
            return Err(Error::NotRecorded {
                provider: PROVIDER,
                outcome: Box::new(outcome),
                payment: Box::new(ids),
                reason: error.to_string(),
            });
        }
        Ok(result)
    }

    /// The common trait's capture: a full completion when no amount is given or it is exactly
    /// the blocked amount, a partial one otherwise.
    pub(crate) async fn capture_payment(
        &self,
        order_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome> {
        let completion = match amount {
            None => PreAuthCompletion::Full,
            Some(amount) => {
                let blocked = self.record_of(order_id).await?.and_then(|r| {
                    (r.flow == Some(paykit_core::Flow::Hold))
                        .then_some(r.amount)
                        .flatten()
                });
                if blocked == Some(amount) {
                    PreAuthCompletion::Full
                } else {
                    PreAuthCompletion::Partial(amount)
                }
            }
        };
        self.settle_pre_auth(order_id, completion).await
    }

    /// A completion through the common traits, as an outcome.
    pub(crate) async fn settle_pre_auth(
        &self,
        order_id: &str,
        completion: PreAuthCompletion,
    ) -> Result<PaymentOutcome> {
        let result = self.complete_pre_auth(order_id, &completion).await?;
        let record = self.record_of(order_id).await.ok().flatten();
        translate::outcome_for_completion(order_id, &completion, &result, record.as_ref())
    }
}

/// True when iPay says the pre-authorization had been completed before this call.
pub(crate) fn already_completed(result: &PreAuthResult) -> bool {
    result
        .description
        .as_deref()
        .is_some_and(|d| d.to_ascii_lowercase().starts_with("already completed"))
}
