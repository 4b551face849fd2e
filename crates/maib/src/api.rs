//! The native endpoints, one method each (protocol notes maib.md §2, §4). Every method validates
//! its input before any I/O, sends one described request through core's
//! [`paykit_core::http::HttpExecutor::call`] with the call's [`Effect`] declared, and checks,
//! inside that call, that the answer echoes what was asked, so core can classify a mismatch.
//!
//! | call | effect | why |
//! |---|---|---|
//! | `generate-token`, `pay-info` | read | change nothing |
//! | `pay`, `hold`, `savecard-*`, `execute-oneclick` | no money | register a page the customer has yet to pay |
//! | `delete-card` | no money | forgets a card |
//! | `complete`, `refund`, `execute-recurring` | moves money | capture, refund, charge at once |

use paykit_core::http::{ApiRequest, Effect, encode_path_segment};
use paykit_core::{Decimal, Error, Flow, Money, PaymentRef, Result, SecretString};
use serde::de::DeserializeOwned;

use crate::error;
use crate::records::Known;
use crate::refund_records::RefundBasis;
use crate::types::{
    CompleteResult, DeletedCard, ExecuteOneClickRequest, ExecuteRecurringRequest, PayInfo,
    PayRequest, PaymentLink, RecurringResult, RefundResult, SaveCardRequest, TokenPair,
    TransactionStatus,
};
use crate::wire::{
    CompleteBody, CompleteWire, DeleteWire, ExecuteOneClickBody, ExecuteRecurringBody, LinkResult,
    PayBody, PayInfoWire, RecurringWire, RefundBody, RefundWire, SaveCardBody, two_decimals,
};
use crate::{MaibClient, PROVIDER, validate};

/// Fails with [`Error::Integrity`] when maib echoes another value than the one sent.
fn echo(field: &'static str, sent: Option<&str>, answered: Option<&str>) -> Result<()> {
    match (sent, answered) {
        (Some(sent), Some(answered)) if sent != answered => Err(Error::Integrity {
            provider: PROVIDER,
            field: field.into(),
            expected: sent.to_owned(),
            actual: answered.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Like [`echo`], for amounts (compared by value: `10.5` equals `10.50`).
fn echo_amount(
    field: &'static str,
    sent: Option<Decimal>,
    answered: Option<Decimal>,
) -> Result<()> {
    match (sent, answered) {
        (Some(sent), Some(answered)) if sent.normalize() != answered.normalize() => {
            Err(Error::Integrity {
                provider: PROVIDER,
                field: field.into(),
                expected: sent.to_string(),
                actual: answered.to_string(),
            })
        }
        _ => Ok(()),
    }
}

/// A refusal maib answers with HTTP 200 and a transaction status instead of an error code
/// (`REVERSED` on a repeated refund, `FAILED` on a refused capture): nothing moved.
fn refused(
    call: &str,
    pay_id: &str,
    status: &TransactionStatus,
    why: &str,
    code: Option<&str>,
    message: Option<&str>,
) -> Error {
    Error::Api {
        provider: PROVIDER,
        http_status: Some(200),
        code: status.as_str().to_owned(),
        message: format!(
            "{call} of payment {pay_id} answered {status}: {why} (statusCode {}, statusMessage {:?})",
            code.unwrap_or("-"),
            message.unwrap_or(""),
        ),
        retryable: false,
    }
}

/// A success whose status maib does not document for this call: the outcome cannot be read.
fn unreadable_status(status: Option<&TransactionStatus>) -> Error {
    let shown = status.map_or("no status", TransactionStatus::as_str);
    Error::decode(
        PROVIDER,
        format!("a success answer with {shown:?}, not a documented status of this call"),
        shown.as_bytes(),
        false,
    )
}

impl MaibClient {
    /// Sends an authenticated call through core's money-truth classification (the request
    /// declares its [`Effect`]) and reads its `result` with `check`, which verifies the echo.
    /// Decode and echo errors of a money-moving call become unknown outcomes carrying `ids`.
    async fn call<T: DeserializeOwned, U>(
        &self,
        request: ApiRequest,
        ids: &PaymentRef,
        check: impl FnOnce(T) -> Result<U>,
    ) -> Result<U> {
        let request = request.auth(self.credential.clone());
        self.executor
            .call(&request, ids, |response| {
                error::parse::<T>(response).and_then(check)
            })
            .await
    }

    /// `POST /v1/generate-token` with the Project's credentials. The client manages tokens
    /// itself; this is for callers who want them.
    pub async fn generate_token(&self) -> Result<TokenPair> {
        self.fetcher.generate_with_credentials().await
    }

    /// `POST /v1/generate-token` with a refresh token.
    pub async fn generate_token_with_refresh(
        &self,
        refresh_token: &SecretString,
    ) -> Result<TokenPair> {
        self.fetcher.generate_with_refresh(refresh_token).await
    }

    /// Sends a call answered by an intermediate `{payId, orderId, payUrl}`.
    ///
    /// These calls (`pay`, `hold`, `savecard-*`, `execute-oneclick`) move no money
    /// ([`Effect::NoMoney`]): maib registers a checkout page and answers its `payUrl`; money
    /// moves only when the customer pays on that page (spec §4.1 steps 2-5, §4.9), and a page
    /// nobody opens lapses after 10 minutes (`TIMEOUT`, §9). A lost answer leaves an unpaid
    /// page the customer never saw, so every fault of these calls is safe to repeat.
    async fn link(&self, call: ApiRequest, order_id: Option<&str>) -> Result<PaymentLink> {
        let ids = PaymentRef::new().maybe_merchant_reference(order_id);
        self.call(call.effect(Effect::NoMoney), &ids, |link: LinkResult| {
            let link = PaymentLink::from(link);
            echo("orderId", order_id, link.order_id.as_deref())?;
            Ok(link)
        })
        .await
    }

    /// `POST /v1/pay`: registers a direct payment; send the customer to
    /// [`PaymentLink::pay_url`]. The result arrives on the callback (or via
    /// [`MaibClient::pay_info`]). The payment is recorded as a direct one.
    pub async fn pay(&self, request: &PayRequest) -> Result<PaymentLink> {
        validate::pay(request)?;
        let body = PayBody::new(request, self.default_language);
        let call = ApiRequest::post("pay", "/v1/pay").json(&body)?;
        let link = self
            .link(call, request.checkout.order_id.as_deref())
            .await?;
        self.remember_created(
            Flow::Pay,
            Some(request.amount),
            link.outcome(Some(request.amount)),
        )
        .await?;
        Ok(link)
    }

    /// `POST /v1/hold`: registers a two-step payment; the funds are held once the customer
    /// pays, and taken with [`MaibClient::complete`]. The payment is recorded as a hold, which
    /// is how `get_payment` and callbacks know its `OK` means authorized.
    pub async fn hold(&self, request: &PayRequest) -> Result<PaymentLink> {
        validate::pay(request)?;
        let body = PayBody::new(request, self.default_language);
        let call = ApiRequest::post("hold", "/v1/hold").json(&body)?;
        let link = self
            .link(call, request.checkout.order_id.as_deref())
            .await?;
        self.remember_created(
            Flow::Hold,
            Some(request.amount),
            link.outcome(Some(request.amount)),
        )
        .await?;
        Ok(link)
    }

    /// `POST /v1/complete`: captures a held payment, all of it (`None`) or `confirm_amount`
    /// (more than 0, at most the held amount, at most 2 decimals).
    ///
    /// Moves money: a fault after sending is [`Error::OutcomeUnknown`] (reconcile with
    /// [`MaibClient::pay_info`]: `confirmAmount` shows a capture). A status other than `OK` is
    /// a refusal ([`Error::Api`] with the status as its code).
    ///
    /// The payment record is written from maib's answer: the hold `captured`, at the amount
    /// taken. An unknown outcome leaves it at the hold's state, which is not final, so the
    /// [`paykit_core::reconcile::Reconciler`] asks `get_payment`, and `pay-info`'s
    /// `confirmAmount` settles it. A store that fails after maib captured is
    /// [`Error::NotRecorded`].
    pub async fn complete(
        &self,
        pay_id: &str,
        confirm_amount: Option<Decimal>,
    ) -> Result<CompleteResult> {
        validate::id("pay_id", pay_id)?;
        if let Some(amount) = confirm_amount {
            validate::positive("confirm_amount", amount)?;
        }
        let known = self.known(pay_id).await?;
        let result = self.complete_known(pay_id, confirm_amount, &known).await?;
        let currency = known.currency();
        self.remember_captured(&known, result.outcome(currency))
            .await?;
        Ok(result)
    }

    /// `complete` for a payment whose records were read.
    pub(crate) async fn complete_known(
        &self,
        pay_id: &str,
        confirm_amount: Option<Decimal>,
        known: &Known,
    ) -> Result<CompleteResult> {
        let body = CompleteBody {
            pay_id,
            confirm_amount: confirm_amount.map(two_decimals),
        };
        let call = ApiRequest::post("complete", "/v1/complete")
            .json(&body)?
            .effect(Effect::MovesMoney);
        self.call(call, &known.ids, |wire: CompleteWire| {
            let result = wire.into_result(pay_id);
            echo("payId", Some(pay_id), Some(&result.pay_id))?;
            match &result.status {
                Some(TransactionStatus::Ok) => {}
                Some(
                    status @ (TransactionStatus::Failed
                    | TransactionStatus::Declined
                    | TransactionStatus::Reversed),
                ) => {
                    return Err(refused(
                        "complete",
                        pay_id,
                        status,
                        "nothing was captured",
                        result.status_code.as_deref(),
                        result.status_message.as_deref(),
                    ));
                }
                other => return Err(unreadable_status(other.as_ref())),
            }
            echo_amount("confirmAmount", confirm_amount, result.confirm_amount)?;
            Ok(result)
        })
        .await
    }

    /// `POST /v1/refund`: refunds a payment once, all of it (`None`) or `refund_amount`. A
    /// full refund of a held payment releases the hold.
    ///
    /// Moves money: a fault after sending is [`Error::OutcomeUnknown`] (reconcile with
    /// [`MaibClient::pay_info`]: `refundAmount` shows a refund). A repeated refund is refused:
    /// error `13116`, or `REVERSED` (returned as [`Error::Api`] with code `REVERSED`, never as
    /// a refund).
    ///
    /// The refund is written to the payment record as requested **before** it is sent (a
    /// store that fails then is its [`Error::Store`], and nothing is sent), then accepted or
    /// refused from maib's answer; an unknown outcome leaves it requested, for the
    /// [`paykit_core::reconcile::Reconciler`]. A store that fails after maib refunded is
    /// [`Error::NotRecorded`]: do not repeat the refund. This call reads nothing first, so a
    /// refund of a payment whose amount the records do not hold cannot be entered (see
    /// [`paykit_core::Refund::refund`], which reads `pay-info`).
    pub async fn refund_payment(
        &self,
        pay_id: &str,
        refund_amount: Option<Decimal>,
    ) -> Result<RefundResult> {
        validate::id("pay_id", pay_id)?;
        if let Some(amount) = refund_amount {
            validate::positive("refund_amount", amount)?;
        }
        let known = self.known(pay_id).await?;
        let basis = RefundBasis::from_records(&known, pay_id);
        self.refund_known(pay_id, refund_amount, &known, &basis)
            .await
    }

    /// `refund` for a payment whose records were read, measured against `basis`: recorded
    /// before it is sent and from its answer (`refund_records.rs`).
    pub(crate) async fn refund_known(
        &self,
        pay_id: &str,
        refund_amount: Option<Decimal>,
        known: &Known,
        basis: &RefundBasis,
    ) -> Result<RefundResult> {
        let body = RefundBody {
            pay_id,
            refund_amount: refund_amount.map(two_decimals),
        };
        // Built before anything is written: a body that cannot be encoded sends nothing.
        let call = ApiRequest::post("refund", "/v1/refund")
            .json(&body)?
            .effect(Effect::MovesMoney);
        let written = self
            .record_refund_requested(pay_id, refund_amount, known, basis)
            .await?;
        let answer = self.send_refund(call, pay_id, refund_amount, known).await;
        self.record_refund_answer(pay_id, written, basis, &answer)
            .await?;
        answer
    }

    /// Sends the refund `call` and reads maib's answer.
    async fn send_refund(
        &self,
        call: ApiRequest,
        pay_id: &str,
        refund_amount: Option<Decimal>,
        known: &Known,
    ) -> Result<RefundResult> {
        self.call(call, &known.ids, |wire: RefundWire| {
            let result = wire.into_result(pay_id);
            echo("payId", Some(pay_id), Some(&result.pay_id))?;
            match &result.status {
                Some(TransactionStatus::Ok) => {}
                // The amount a REVERSED answer carries is the earlier refund's, not this one's:
                // it is a refusal whatever it says.
                Some(status @ TransactionStatus::Reversed) => {
                    return Err(refused(
                        "refund",
                        pay_id,
                        status,
                        "it was already refunded; nothing was refunded now",
                        result.status_code.as_deref(),
                        result.status_message.as_deref(),
                    ));
                }
                Some(status @ (TransactionStatus::Failed | TransactionStatus::Declined)) => {
                    return Err(refused(
                        "refund",
                        pay_id,
                        status,
                        "nothing was refunded",
                        result.status_code.as_deref(),
                        result.status_message.as_deref(),
                    ));
                }
                other => return Err(unreadable_status(other.as_ref())),
            }
            echo_amount("refundAmount", refund_amount, result.refund_amount)?;
            Ok(result)
        })
        .await
    }

    /// `GET /v1/pay-info/{payId}`, sent with no body and no `Content-Type`.
    pub async fn pay_info(&self, pay_id: &str) -> Result<PayInfo> {
        validate::id("pay_id", pay_id)?;
        let path = format!("/v1/pay-info/{}", encode_path_segment("pay_id", pay_id)?);
        let ids = PaymentRef::new().provider_payment_id(pay_id);
        self.call(
            ApiRequest::get("pay-info", path).effect(Effect::Read),
            &ids,
            |wire: PayInfoWire| {
                let info = wire.into_result(pay_id);
                echo("payId", Some(pay_id), Some(&info.pay_id))?;
                Ok(info)
            },
        )
        .await
    }

    /// `POST /v1/savecard-recurring`: the customer stores a card for merchant-initiated
    /// charges (and pays [`SaveCardRequest::amount`] if set). The `billerId` arrives on the
    /// callback; `PENDING` there means "stored without a payment".
    pub async fn savecard_recurring(&self, request: &SaveCardRequest) -> Result<PaymentLink> {
        validate::save_card(request, true, validate::current_year_month())?;
        let body = SaveCardBody::new(request, self.default_language);
        let call = ApiRequest::post("savecard-recurring", "/v1/savecard-recurring").json(&body)?;
        self.save_card_link(call, request).await
    }

    /// `POST /v1/savecard-oneclick`: the customer stores a card for one-click payments (and
    /// pays [`SaveCardRequest::amount`] if set).
    pub async fn savecard_oneclick(&self, request: &SaveCardRequest) -> Result<PaymentLink> {
        validate::save_card(request, false, validate::current_year_month())?;
        let body = SaveCardBody::new(request, self.default_language);
        let call = ApiRequest::post("savecard-oneclick", "/v1/savecard-oneclick").json(&body)?;
        self.save_card_link(call, request).await
    }

    async fn save_card_link(
        &self,
        call: ApiRequest,
        request: &SaveCardRequest,
    ) -> Result<PaymentLink> {
        let link = self
            .link(call, request.checkout.order_id.as_deref())
            .await?;
        let amount = request
            .amount
            .and_then(|amount| Money::new(amount, request.currency).ok());
        self.remember_created(Flow::SaveCard, amount, link.outcome(amount))
            .await?;
        Ok(link)
    }

    /// `POST /v1/execute-recurring`: charges a stored card without the customer. The answer
    /// is final (no redirect, no 3-D Secure); a decline is `Ok` with status `FAILED`.
    ///
    /// Moves money: a fault after sending is [`Error::OutcomeUnknown`] carrying the order id
    /// (and maib's `payId` when an answer named one). maib has no look-up by order id, so
    /// reconcile in the maibmerchants portal, never by charging again.
    pub async fn execute_recurring(
        &self,
        request: &ExecuteRecurringRequest,
    ) -> Result<RecurringResult> {
        validate::execute_recurring(request)?;
        let body = ExecuteRecurringBody::new(request);
        let call = ApiRequest::post("execute-recurring", "/v1/execute-recurring")
            .json(&body)?
            .effect(Effect::MovesMoney);
        let ids = PaymentRef::new().maybe_merchant_reference(request.order_id.as_deref());
        let mut answered: Option<String> = None;
        let result = self
            .call(call, &ids, |wire: RecurringWire| {
                let result = RecurringResult::from(wire);
                answered = Some(result.pay_id.clone());
                check_recurring(request, &result)?;
                Ok(result)
            })
            .await;
        let result = match (result, answered) {
            (Err(error), Some(pay_id)) => {
                // The answer named the new payment: the id to ask pay-info about.
                let more = PaymentRef::new().provider_payment_id(pay_id);
                return Err(error.with_payment_ref("execute-recurring", &more));
            }
            (result, _) => result?,
        };
        let outcome = result.outcome();
        self.remember_created(Flow::SavedCardCharge, Some(request.amount), outcome)
            .await?;
        Ok(result)
    }

    /// `POST /v1/execute-oneclick`: the customer confirms a charge on a stored card at
    /// [`PaymentLink::pay_url`]; the result arrives on the callback.
    pub async fn execute_oneclick(&self, request: &ExecuteOneClickRequest) -> Result<PaymentLink> {
        validate::execute_oneclick(request)?;
        let body = ExecuteOneClickBody::new(request, self.default_language);
        let call = ApiRequest::post("execute-oneclick", "/v1/execute-oneclick").json(&body)?;
        let link = self
            .link(call, request.checkout.order_id.as_deref())
            .await?;
        self.remember_created(
            Flow::SavedCardCharge,
            Some(request.amount),
            link.outcome(Some(request.amount)),
        )
        .await?;
        Ok(link)
    }

    /// `DELETE /v1/delete-card/{billerId}`, sent with no body and no `Content-Type`. Works for
    /// recurring and one-click cards. Moves no money, so its faults are safe to repeat.
    pub async fn delete_card(&self, biller_id: &str) -> Result<DeletedCard> {
        validate::id("biller_id", biller_id)?;
        let path = format!(
            "/v1/delete-card/{}",
            encode_path_segment("biller_id", biller_id)?
        );
        let call = ApiRequest::delete("delete-card", path).effect(Effect::NoMoney);
        self.call(call, &PaymentRef::new(), |wire: DeleteWire| {
            let deleted = wire.into_result(biller_id);
            echo("billerId", Some(biller_id), Some(&deleted.biller_id))?;
            Ok(deleted)
        })
        .await
    }
}

/// The echo and status checks of an `execute-recurring` answer.
fn check_recurring(request: &ExecuteRecurringRequest, result: &RecurringResult) -> Result<()> {
    echo(
        "billerId",
        Some(&request.biller_id),
        result.biller_id.as_deref(),
    )?;
    echo(
        "orderId",
        request.order_id.as_deref(),
        result.order_id.as_deref(),
    )?;
    echo_amount("amount", Some(request.amount.amount()), result.amount)?;
    echo(
        "currency",
        Some(request.amount.currency().code()),
        result.currency.as_deref(),
    )?;
    match &result.status {
        // A charge taken, declined, or still in progress: each a state maib documents.
        Some(
            TransactionStatus::Ok
            | TransactionStatus::Failed
            | TransactionStatus::Declined
            | TransactionStatus::Pending,
        ) => Ok(()),
        other => Err(unreadable_status(other.as_ref())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn echoes_must_match() {
        echo("orderId", Some("1"), Some("1")).unwrap();
        echo("orderId", Some("1"), None).unwrap();
        echo("orderId", None, Some("2")).unwrap();
        let err = echo("orderId", Some("1"), Some("2")).unwrap_err();
        assert!(matches!(err, Error::Integrity { ref field, .. } if field == "orderId"));
        echo_amount("amount", Some(dec("10.5")), Some(dec("10.50"))).unwrap();
        assert!(echo_amount("amount", Some(dec("10.5")), Some(dec("10.49"))).is_err());
    }
}
