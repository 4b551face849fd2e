//! The native API: one method per endpoint of miapos.md §3, typed.
//!
//! Every call goes through core's `HttpExecutor::call` with its [`Effect`] declared, so one
//! classification (DESIGN.md §8) decides what a fault means. What each call does to money,
//! from the protocol notes:
//!
//! | call | effect | why |
//! |---|---|---|
//! | `POST /pay`, `paymentType` `qr` | [`Effect::NoMoney`] | it registers a payment the payer can only reach through the `checkoutPage` in the answer (§3.3); a lost answer leaves a `CREATED` payment nobody can pay, which expires (about 5 min, §1) |
//! | `POST /pay`, `paymentType` `rtp` | [`Effect::MovesMoney`] | "a payment request sent to the payer's phone" (§3.3): the payer can approve it without the answer, so a repeat could be paid twice |
//! | `POST /request-to-pay/direct` | [`Effect::MovesMoney`] | "sent straight to the payer's banking app" (§3.4): as `rtp` |
//! | `GET /payment/{id}`, `GET /public-key`, tokens | [`Effect::Read`] | they change nothing |
//!
//! miaPOS creates a new payment on every call (`orderId` is not unique, §3.3), so no create is
//! ever sent twice by paykit once it may have arrived.

use paykit_core::http::{ApiRequest, Effect, RawResponse};
use paykit_core::{Error, PaymentRef, Result, SecretString};
use serde::de::DeserializeOwned;

use crate::error::api_error;
use crate::status::MiaPosStatus;
use crate::types::{
    DirectRtpCreated, DirectRtpRequest, PayRequest, PaymentCreated, PaymentInfo, PaymentType,
    PublicKey, TokenPair,
};
use crate::webhook::fetch_public_key;
use crate::{MiaPos, PROVIDER, validate, wire};

/// Path of payment registration.
const PAY_PATH: &str = "ecomm/api/v1/pay";
/// Path of the direct request to pay.
const DIRECT_RTP_PATH: &str = "ecomm/api/v1/request-to-pay/direct";
/// Path prefix of the status query.
const PAYMENT_PATH: &str = "ecomm/api/v1/payment";

impl MiaPos {
    /// `POST /ecomm/api/v1/token`: a new token pair for the configured merchant.
    ///
    /// The client manages its own tokens (cached, refreshed ahead of expiry); call this only
    /// when you need the raw endpoint. The pair returned here is not put in the client's cache.
    pub async fn issue_token(&self) -> Result<TokenPair> {
        self.inner.tokens.fetcher().issue().await
    }

    /// `POST /ecomm/api/v1/token/refresh`: a new pair for `refresh_token`. Like
    /// [`MiaPos::issue_token`], outside the client's cache.
    pub async fn refresh_token(&self, refresh_token: &SecretString) -> Result<TokenPair> {
        self.inner.tokens.fetcher().refresh(refresh_token).await
    }

    /// `POST /ecomm/api/v1/pay`: registers a QR or request-to-pay payment and returns the
    /// checkout page to send the payer to.
    ///
    /// The request is validated first ([`Error::InvalidInput`], nothing sent); the payer's
    /// phone is normalised to the 8 national digits miaPOS wants. The terminal and payment type
    /// fall back to the client's configuration. Nothing is retried once it may have arrived:
    /// miaPOS creates a new payment on every call.
    ///
    /// - `qr` moves no money until the payer opens the checkout page of the answer: a fault
    ///   (timeout, 5xx, reset, redirect) is retryable; the lost payment expires unpaid.
    /// - `rtp` pushes the request to the payer's phone at once: a fault is an unknown outcome
    ///   ([`Error::outcome_unknown`], carrying the order id). Do not send it again until the
    ///   first request has expired or a callback for the order has told you its fate.
    pub async fn pay(&self, request: &PayRequest) -> Result<PaymentCreated> {
        let defaults = &self.inner.defaults;
        let terminal_id = self.terminal_id(request.terminal_id.as_deref())?;
        let payment_type = request.payment_type.unwrap_or(defaults.payment_type);
        let client_phone = validate::pay(request, terminal_id, payment_type)?;
        let qr_default = |value: Option<bool>| match payment_type {
            PaymentType::Qr => value,
            PaymentType::Rtp => None,
        };
        let body = wire::PayRequest {
            terminal_id,
            order_id: &request.order_id,
            amount: request.amount.amount(),
            currency: request.amount.currency().code(),
            pay_description: &request.description,
            language: request.language.or(defaults.language).map(|l| l.as_str()),
            payment_type: payment_type.as_str(),
            client_name: request.client_name.as_deref(),
            client_phone: client_phone.as_deref(),
            client_email: request.client_email.as_deref(),
            callback_url: request.callback_url.as_deref(),
            success_url: request.success_url.as_deref(),
            fail_url: request.fail_url.as_deref(),
            direct_redirect: request
                .direct_redirect
                .or(qr_default(defaults.direct_redirect)),
            fast_redirect: request.fast_redirect.or(defaults.fast_redirect),
        };
        let call = ApiRequest::post("pay", PAY_PATH)
            .json(&body)?
            .effect(pay_effect(payment_type))
            .auth(self.inner.credential.clone());
        let ids = PaymentRef::new().merchant_reference(&request.order_id);
        let answer: wire::PayResponse = self
            .call(&call, &ids, |answer: &wire::PayResponse| {
                check_echo("orderId", &request.order_id, &answer.order_id)?;
                non_empty("paymentId", &answer.payment_id)?;
                non_empty("checkoutPage", &answer.checkout_page)
            })
            .await?;
        Ok(PaymentCreated {
            order_id: answer.order_id,
            payment_id: answer.payment_id,
            checkout_page: answer.checkout_page,
        })
    }

    /// `POST /ecomm/api/v1/request-to-pay/direct`: sends a request to pay straight to the
    /// payer's banking app (no checkout page). Needs an RTP terminal. The request reaches the
    /// payer at once, so a fault is an unknown outcome, as for `rtp` in [`MiaPos::pay`].
    pub async fn request_to_pay_direct(
        &self,
        request: &DirectRtpRequest,
    ) -> Result<DirectRtpCreated> {
        let terminal_id = self.terminal_id(request.terminal_id.as_deref())?;
        let client_phone = validate::direct_rtp(request, terminal_id)?;
        let body = wire::DirectRtpRequest {
            terminal_id,
            order_id: &request.order_id,
            amount: request.amount.amount(),
            currency: request.amount.currency().code(),
            pay_description: &request.description,
            client_name: &request.client_name,
            client_phone: &client_phone,
            client_email: request.client_email.as_deref(),
            callback_url: request.callback_url.as_deref(),
        };
        let call = ApiRequest::post("request-to-pay-direct", DIRECT_RTP_PATH)
            .json(&body)?
            .effect(Effect::MovesMoney)
            .auth(self.inner.credential.clone());
        let ids = PaymentRef::new().merchant_reference(&request.order_id);
        let answer: wire::DirectRtpResponse = self
            .call(&call, &ids, |answer: &wire::DirectRtpResponse| {
                check_echo("orderId", &request.order_id, &answer.order_id)?;
                non_empty("paymentId", &answer.payment_id)
            })
            .await?;
        Ok(DirectRtpCreated {
            order_id: answer.order_id,
            payment_id: answer.payment_id,
        })
    }

    /// `GET /ecomm/api/v1/payment/{paymentId}`: the payment's current state. An unknown id is
    /// an [`Error::Api`] with HTTP 400 (miaPOS does not answer 404).
    pub async fn payment(&self, payment_id: &str) -> Result<PaymentInfo> {
        let segment = validate::payment_id(payment_id)?;
        let call = ApiRequest::get("payment", format!("{PAYMENT_PATH}/{segment}"))
            .effect(Effect::Read)
            .auth(self.inner.credential.clone());
        let ids = PaymentRef::new().provider_payment_id(payment_id);
        let answer: wire::PaymentResult = self
            .call(&call, &ids, |answer: &wire::PaymentResult| {
                if answer.payment_id.eq_ignore_ascii_case(payment_id) {
                    return Ok(());
                }
                Err(Error::Integrity {
                    provider: PROVIDER,
                    field: "paymentId".into(),
                    expected: payment_id.to_owned(),
                    actual: answer.payment_id.clone(),
                })
            })
            .await?;
        Ok(payment_info(answer))
    }

    /// `GET /ecomm/api/v1/public-key`: the callback verification key of this base URL, fetched
    /// now (the webhook keeps its own cache; see [`MiaPos::webhook`]).
    pub async fn public_key(&self) -> Result<PublicKey> {
        fetch_public_key(&self.inner.executor, &self.inner.credential).await
    }

    fn terminal_id<'a>(&'a self, requested: Option<&'a str>) -> Result<&'a str> {
        requested
            .or(self.inner.defaults.terminal_id.as_deref())
            .ok_or_else(|| {
                Error::invalid_input(
                    "terminal_id",
                    "is required: set it on the request or on the client",
                )
            })
    }

    /// Sends `request` through core's classification: the answer is decoded, then `check`ed
    /// (echoes), and core decides what a failure of either means for this call's effect.
    async fn call<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        ids: &PaymentRef,
        check: impl FnOnce(&T) -> Result<()>,
    ) -> Result<T> {
        self.inner
            .executor
            .call(request, ids, |response| {
                let answer = parse(response)?;
                check(&answer)?;
                Ok(answer)
            })
            .await
    }
}

/// What `/pay` does to money: `qr` nothing until the payer opens the checkout page only the
/// answer names; `rtp` reaches the payer's phone at once (see the module table).
pub(crate) fn pay_effect(payment_type: PaymentType) -> Effect {
    match payment_type {
        PaymentType::Qr => Effect::NoMoney,
        PaymentType::Rtp => Effect::MovesMoney,
    }
}

pub(crate) fn parse<T: DeserializeOwned>(response: &RawResponse) -> Result<T> {
    if !response.is_success() {
        return Err(api_error(response));
    }
    response.json()
}

fn check_echo(field: &'static str, expected: &str, actual: &str) -> Result<()> {
    if expected == actual {
        return Ok(());
    }
    Err(Error::Integrity {
        provider: PROVIDER,
        field: field.into(),
        expected: expected.to_owned(),
        actual: actual.to_owned(),
    })
}

fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::decode(
            PROVIDER,
            format!("`{field}` is empty"),
            b"",
            false,
        ));
    }
    Ok(())
}

/// The typed payment of a status answer or callback `result`.
pub(crate) fn payment_info(result: wire::PaymentResult) -> PaymentInfo {
    PaymentInfo {
        terminal_id: result.terminal_id,
        order_id: result.order_id,
        payment_id: result.payment_id,
        status: MiaPosStatus::parse(&result.status),
        amount: result.amount,
        currency: result.currency,
        payment_type: result.payment_type,
        payment_date: result.payment_date,
        swift_message_id: result.swift_message_id,
        swift_payer_bank: result.swift_payer_bank,
        checkout_page: result.checkout_page,
    }
}
