//! The native endpoints, one method each (spec digest maib.md §2, §4). Every method validates
//! its input before any I/O, sends one described request through the shared executor and
//! checks that the answer echoes what was asked.

use paykit_core::http::{ApiRequest, RawResponse, encode_path_segment};
use paykit_core::{Decimal, Error, Result, SecretString};
use serde::de::DeserializeOwned;

use crate::error::{self, CallKind};
use crate::types::{
    CompleteResult, DeletedCard, ExecuteOneClickRequest, ExecuteRecurringRequest, PayInfo,
    PayRequest, PaymentLink, RecurringResult, RefundResult, SaveCardRequest, TokenPair,
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

impl MaibClient {
    /// Sends an authenticated call and reads its `result`.
    async fn call<T: DeserializeOwned>(&self, request: ApiRequest, kind: CallKind) -> Result<T> {
        let request = request.auth(self.credential.clone());
        let response: RawResponse = self.executor.send(&request).await?;
        error::parse(&response, kind)
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
    async fn link(&self, call: ApiRequest, order_id: Option<&str>) -> Result<PaymentLink> {
        let link: LinkResult = self.call(call, CallKind::Harmless).await?;
        let link = PaymentLink::from(link);
        echo("orderId", order_id, link.order_id.as_deref())?;
        Ok(link)
    }

    /// `POST /v1/pay`: registers a direct payment; send the customer to
    /// [`PaymentLink::pay_url`]. The result arrives on the callback (or via
    /// [`MaibClient::pay_info`]).
    pub async fn pay(&self, request: &PayRequest) -> Result<PaymentLink> {
        validate::pay(request)?;
        let body = PayBody::new(request, self.default_language);
        let call = ApiRequest::post("pay", "/v1/pay").json(&body)?;
        self.link(call, request.checkout.order_id.as_deref()).await
    }

    /// `POST /v1/hold`: registers a two-step payment; the funds are held once the customer
    /// pays, and taken with [`MaibClient::complete`].
    pub async fn hold(&self, request: &PayRequest) -> Result<PaymentLink> {
        validate::pay(request)?;
        let body = PayBody::new(request, self.default_language);
        let call = ApiRequest::post("hold", "/v1/hold").json(&body)?;
        self.link(call, request.checkout.order_id.as_deref()).await
    }

    /// `POST /v1/complete`: captures a held payment, all of it (`None`) or `confirm_amount`
    /// (more than 0, at most the held amount, at most 2 decimals).
    pub async fn complete(
        &self,
        pay_id: &str,
        confirm_amount: Option<Decimal>,
    ) -> Result<CompleteResult> {
        validate::id("pay_id", pay_id)?;
        if let Some(amount) = confirm_amount {
            validate::positive("confirm_amount", amount)?;
        }
        let body = CompleteBody {
            pay_id,
            confirm_amount: confirm_amount.map(two_decimals),
        };
        let call = ApiRequest::post("complete", "/v1/complete").json(&body)?;
        let wire: CompleteWire = self.call(call, CallKind::MovesMoney).await?;
        let result = wire.into_result(pay_id);
        echo("payId", Some(pay_id), Some(&result.pay_id))?;
        echo_amount("confirmAmount", confirm_amount, result.confirm_amount)?;
        Ok(result)
    }

    /// `POST /v1/refund`: refunds a payment once, all of it (`None`) or `refund_amount`. A
    /// full refund of a held payment releases the hold. A repeated refund answers `REVERSED`
    /// or error `13116`.
    pub async fn refund_payment(
        &self,
        pay_id: &str,
        refund_amount: Option<Decimal>,
    ) -> Result<RefundResult> {
        validate::id("pay_id", pay_id)?;
        if let Some(amount) = refund_amount {
            validate::positive("refund_amount", amount)?;
        }
        let body = RefundBody {
            pay_id,
            refund_amount: refund_amount.map(two_decimals),
        };
        let call = ApiRequest::post("refund", "/v1/refund").json(&body)?;
        let wire: RefundWire = self.call(call, CallKind::MovesMoney).await?;
        let result = wire.into_result(pay_id);
        echo("payId", Some(pay_id), Some(&result.pay_id))?;
        echo_amount("refundAmount", refund_amount, result.refund_amount)?;
        Ok(result)
    }

    /// `GET /v1/pay-info/{payId}`, sent with no body and no `Content-Type`.
    pub async fn pay_info(&self, pay_id: &str) -> Result<PayInfo> {
        validate::id("pay_id", pay_id)?;
        let path = format!("/v1/pay-info/{}", encode_path_segment("pay_id", pay_id)?);
        let wire: PayInfoWire = self
            .call(ApiRequest::get("pay-info", path), CallKind::Harmless)
            .await?;
        let info = wire.into_result(pay_id);
        echo("payId", Some(pay_id), Some(&info.pay_id))?;
        Ok(info)
    }

    /// `POST /v1/savecard-recurring`: the customer stores a card for merchant-initiated
    /// charges (and pays [`SaveCardRequest::amount`] if set). The `billerId` arrives on the
    /// callback; `PENDING` there means "stored without a payment".
    pub async fn savecard_recurring(&self, request: &SaveCardRequest) -> Result<PaymentLink> {
        validate::save_card(request, true, validate::current_year_month())?;
        let body = SaveCardBody::new(request, self.default_language);
        let call = ApiRequest::post("savecard-recurring", "/v1/savecard-recurring").json(&body)?;
        self.link(call, request.checkout.order_id.as_deref()).await
    }

    /// `POST /v1/execute-recurring`: charges a stored card without the customer. The answer
    /// is final (no redirect, no 3-D Secure).
    pub async fn execute_recurring(
        &self,
        request: &ExecuteRecurringRequest,
    ) -> Result<RecurringResult> {
        validate::execute_recurring(request)?;
        let body = ExecuteRecurringBody::new(request);
        let call = ApiRequest::post("execute-recurring", "/v1/execute-recurring").json(&body)?;
        let wire: RecurringWire = self.call(call, CallKind::MovesMoney).await?;
        let result = RecurringResult::from(wire);
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
        Ok(result)
    }

    /// `POST /v1/savecard-oneclick`: the customer stores a card for one-click payments (and
    /// pays [`SaveCardRequest::amount`] if set).
    pub async fn savecard_oneclick(&self, request: &SaveCardRequest) -> Result<PaymentLink> {
        validate::save_card(request, false, validate::current_year_month())?;
        let body = SaveCardBody::new(request, self.default_language);
        let call = ApiRequest::post("savecard-oneclick", "/v1/savecard-oneclick").json(&body)?;
        self.link(call, request.checkout.order_id.as_deref()).await
    }

    /// `POST /v1/execute-oneclick`: the customer confirms a charge on a stored card at
    /// [`PaymentLink::pay_url`]; the result arrives on the callback.
    pub async fn execute_oneclick(&self, request: &ExecuteOneClickRequest) -> Result<PaymentLink> {
        validate::execute_oneclick(request)?;
        let body = ExecuteOneClickBody::new(request, self.default_language);
        let call = ApiRequest::post("execute-oneclick", "/v1/execute-oneclick").json(&body)?;
        self.link(call, request.checkout.order_id.as_deref()).await
    }

    /// `DELETE /v1/delete-card/{billerId}`, sent with no body and no `Content-Type`. Works for
    /// recurring and one-click cards.
    pub async fn delete_card(&self, biller_id: &str) -> Result<DeletedCard> {
        validate::id("biller_id", biller_id)?;
        let path = format!(
            "/v1/delete-card/{}",
            encode_path_segment("biller_id", biller_id)?
        );
        let wire: DeleteWire = self
            .call(ApiRequest::delete("delete-card", path), CallKind::Harmless)
            .await?;
        let deleted = wire.into_result(biller_id);
        echo("billerId", Some(biller_id), Some(&deleted.biller_id))?;
        Ok(deleted)
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
