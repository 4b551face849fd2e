//! Every endpoint of §2, typed. Each method validates before any I/O, sends its
//! `Idempotency-Key` on every attempt of the one operation (core retries these calls like reads:
//! [`Idempotency::MutatingRetrySafe`], because BOG replays the first answer for a repeated
//! key), and declares its effect so core alone decides what a fault means (DESIGN.md §8):
//!
//! | call | effect | why |
//! |---|---|---|
//! | create order, pay with a saved card | [`Effect::NoMoney`] | registers a page the customer has yet to pay |
//! | create order with a Google Pay token | [`Effect::MovesMoney`] | the token may be charged at once |
//! | receipt | [`Effect::Read`] | |
//! | refund, approve, cancel, `/subscribe`, Apple Pay accept | [`Effect::MovesMoney`] | |
//! | save card, delete card | [`Effect::NoMoney`] | no charge |
//!
//! A fault of a money-moving call is [`paykit_core::Error::OutcomeUnknown`] carrying the order
//! id and the key: repeat the call **with the same key** and BOG answers what it did the first
//! time.

use http::{HeaderName, HeaderValue};
use paykit_core::http::{ApiRequest, Effect, Idempotency, Method};
use paykit_core::{Decimal, Error, Flow, PaymentRecord, PaymentRef, Result};

use crate::idempotency::IdempotencyKey;
use crate::receipt::Receipt;
use crate::types::{
    Accepted, ApplePayResult, CaptureMethod, ChargeAccepted, ChargeSaved, CreateOrder,
    CreatedOrder, RequestReceived,
};
use crate::wire::{self, Amount};
use crate::{BogPaymentsClient, PROVIDER, answers, validate};

const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const THEME: HeaderName = HeaderName::from_static("theme");

impl BogPaymentsClient {
    /// A mutating request carrying `key`.
    fn mutating(
        &self,
        name: &'static str,
        method: Method,
        path: String,
        key: &IdempotencyKey,
        effect: Effect,
    ) -> Result<ApiRequest> {
        let value = HeaderValue::from_str(key.as_str())
            .map_err(|_| Error::invalid_input("idempotency_key", "cannot be sent in a header"))?;
        Ok(ApiRequest::new(name, method, path)
            .header(IDEMPOTENCY_KEY, value)
            .auth(self.bearer())
            .idempotency(Idempotency::MutatingRetrySafe)
            .effect(effect))
    }

    /// `POST /ecommerce/orders` (§4): registers an order and returns the page to send the
    /// customer to ([`CreatedOrder::redirect_url`]). The order is recorded in the payment
    /// records (amount, currency, reference) so that callbacks can be checked against it.
    pub async fn create_order(
        &self,
        order: &CreateOrder,
        key: &IdempotencyKey,
    ) -> Result<CreatedOrder> {
        self.post_order("create-order", "ecommerce/orders".to_owned(), order, key)
            .await
    }

    /// `POST /ecommerce/orders/{parent_order_id}` (§5.4): a customer-present payment with the
    /// card saved on `parent_order_id` by [`Self::save_card_recurrent`]: a full order body, the
    /// customer confirms on BOG's page without entering the card.
    pub async fn pay_with_saved_card(
        &self,
        parent_order_id: &str,
        order: &CreateOrder,
        key: &IdempotencyKey,
    ) -> Result<CreatedOrder> {
        let parent = validate::id("parent_order_id", parent_order_id)?;
        self.post_order(
            "pay-with-saved-card",
            format!("ecommerce/orders/{parent}"),
            order,
            key,
        )
        .await
    }

    async fn post_order(
        &self,
        name: &'static str,
        path: String,
        order: &CreateOrder,
        key: &IdempotencyKey,
    ) -> Result<CreatedOrder> {
        validate::create_order(order, self.inner.settings.callback_urls)?;
        let effect = if order.config.google_pay_token.is_some() {
            Effect::MovesMoney
        } else {
            Effect::NoMoney
        };
        let mut request = self
            .mutating(name, Method::POST, path, key, effect)?
            .json(&wire::CreateOrderBody::from(order))?;
        if let Some(language) = order.language.or(self.inner.settings.language) {
            request = request.header(
                http::header::ACCEPT_LANGUAGE,
                HeaderValue::from_static(language.as_str()),
            );
        }
        if let Some(theme) = order.theme.or(self.inner.settings.theme) {
            request = request.header(THEME, HeaderValue::from_static(theme.as_str()));
        }
        let ids = PaymentRef::new()
            .maybe_merchant_reference(order.external_order_id.as_deref())
            .idempotency_key(key.as_str());
        let created = self
            .inner
            .executor
            .call(&request, &ids, |response| {
                answers::created_order(response, key)
            })
            .await?;
        let money = paykit_core::Money::new(order.total_amount, order.currency)?;
        let flow = match order.capture {
            CaptureMethod::Automatic => Flow::Pay,
            CaptureMethod::Manual => Flow::Hold,
        };
        // The key belongs to this one call, not to the payment: the record keeps the payment's ids.
        let record = PaymentRecord::new(PROVIDER, &created.id)
            .with_ids(
                &PaymentRef::new().maybe_merchant_reference(order.external_order_id.as_deref()),
            )
            .with_flow(flow)
            .with_amount(Some(money));
        // The customer has not paid yet (or, with a Google Pay token, BOG has answered): a
        // failure to record is reported as it is, carrying the new order's id.
        self.inner
            .records
            .put(&record)
            .await
            .map_err(|error| Error::NotRecorded {
                provider: PROVIDER,
                outcome: Box::new(crate::translate::outcome_for_created(&created, money)),
                payment: Box::new(ids.clone().provider_payment_id(&created.id)),
                reason: error.to_string(),
            })?;
        Ok(created)
    }

    /// `GET /receipt/{order_id}` (§5.1): the authoritative state. An unknown id (BOG answers
    /// 400 naming `order_id`) is [`Error::Api`] with code `not_found`.
    pub async fn receipt(&self, order_id: &str) -> Result<Receipt> {
        let segment = validate::id("order_id", order_id)?;
        let request = ApiRequest::get("receipt", format!("receipt/{segment}")).auth(self.bearer());
        let ids = PaymentRef::new().provider_payment_id(order_id);
        self.inner
            .executor
            .call(&request, &ids, |response| {
                answers::receipt(response, order_id)
            })
            .await
    }

    /// `POST /payment/refund/{order_id}` (§5.2): `None` refunds everything. Acknowledged only;
    /// the outcome arrives in the receipt and the callback.
    pub async fn refund_order(
        &self,
        order_id: &str,
        amount: Option<Decimal>,
        key: &IdempotencyKey,
    ) -> Result<RequestReceived> {
        let segment = validate::id("order_id", order_id)?;
        if let Some(amount) = amount {
            validate::positive_amount("amount", amount)?;
        }
        let request = self
            .mutating(
                "refund",
                Method::POST,
                format!("payment/refund/{segment}"),
                key,
                Effect::MovesMoney,
            )?
            .json(&wire::RefundBody {
                amount: amount.map(Amount),
            })?;
        self.acknowledged(&request, order_id, key).await
    }

    /// `POST /payment/authorization/approve/{order_id}` (§5.3): confirms a held amount, all
    /// of it (`None`) or part (the rest is released).
    pub async fn approve_preauth(
        &self,
        order_id: &str,
        amount: Option<Decimal>,
        description: Option<&str>,
        key: &IdempotencyKey,
    ) -> Result<RequestReceived> {
        let segment = validate::id("order_id", order_id)?;
        if let Some(amount) = amount {
            validate::positive_amount("amount", amount)?;
        }
        validate::description(description)?;
        let request = self
            .mutating(
                "approve-preauth",
                Method::POST,
                format!("payment/authorization/approve/{segment}"),
                key,
                Effect::MovesMoney,
            )?
            .json(&wire::PreAuthBody {
                amount: amount.map(Amount),
                description,
            })?;
        self.acknowledged(&request, order_id, key).await
    }

    /// `POST /payment/authorization/cancel/{order_id}` (§5.3): releases the whole held amount.
    pub async fn cancel_preauth(
        &self,
        order_id: &str,
        description: Option<&str>,
        key: &IdempotencyKey,
    ) -> Result<RequestReceived> {
        let segment = validate::id("order_id", order_id)?;
        validate::description(description)?;
        let request = self
            .mutating(
                "cancel-preauth",
                Method::POST,
                format!("payment/authorization/cancel/{segment}"),
                key,
                Effect::MovesMoney,
            )?
            .json(&wire::PreAuthBody {
                amount: None,
                description,
            })?;
        self.acknowledged(&request, order_id, key).await
    }

    async fn acknowledged(
        &self,
        request: &ApiRequest,
        order_id: &str,
        key: &IdempotencyKey,
    ) -> Result<RequestReceived> {
        let ids = PaymentRef::new()
            .provider_payment_id(order_id)
            .idempotency_key(key.as_str());
        self.inner
            .executor
            .call(request, &ids, |response| {
                answers::acknowledgement(response, key)
            })
            .await
    }

    /// `PUT /orders/{order_id}/cards` (§5.4): saves the card of this (not yet paid) order for
    /// later customer-present payments. Call it **before** redirecting the customer.
    pub async fn save_card_recurrent(
        &self,
        order_id: &str,
        key: &IdempotencyKey,
    ) -> Result<Accepted> {
        let segment = validate::id("order_id", order_id)?;
        self.accepted(
            "save-card-recurrent",
            Method::PUT,
            format!("orders/{segment}/cards"),
            order_id,
            key,
        )
        .await
    }

    /// `PUT /orders/{order_id}/subscriptions` (§5.4): saves the card of this (not yet paid)
    /// order for merchant-initiated charges of the same amount. Call it before the redirect.
    pub async fn save_card_automatic(
        &self,
        order_id: &str,
        key: &IdempotencyKey,
    ) -> Result<Accepted> {
        let segment = validate::id("order_id", order_id)?;
        self.accepted(
            "save-card-automatic",
            Method::PUT,
            format!("orders/{segment}/subscriptions"),
            order_id,
            key,
        )
        .await
    }

    /// `DELETE /charges/card/{order_id}` (§5.4): forgets the card saved on a parent order.
    pub async fn delete_card(
        &self,
        parent_order_id: &str,
        key: &IdempotencyKey,
    ) -> Result<Accepted> {
        let segment = validate::id("parent_order_id", parent_order_id)?;
        self.accepted(
            "delete-saved-card",
            Method::DELETE,
            format!("charges/card/{segment}"),
            parent_order_id,
            key,
        )
        .await
    }

    async fn accepted(
        &self,
        name: &'static str,
        method: Method,
        path: String,
        order_id: &str,
        key: &IdempotencyKey,
    ) -> Result<Accepted> {
        let request = self.mutating(name, method, path, key, Effect::NoMoney)?;
        let ids = PaymentRef::new()
            .provider_payment_id(order_id)
            .idempotency_key(key.as_str());
        self.inner
            .executor
            .call(&request, &ids, |response| answers::accepted(response, key))
            .await
    }

    /// `POST /ecommerce/orders/{parent_order_id}/subscribe` (§5.4): charges the card saved by
    /// [`Self::save_card_automatic`], without the customer. The amount, currency and buyer are
    /// the parent's. The answer is a new order: poll [`Self::receipt`] or wait for its callback.
    pub async fn charge_subscription(
        &self,
        parent_order_id: &str,
        charge: &ChargeSaved,
        key: &IdempotencyKey,
    ) -> Result<ChargeAccepted> {
        let parent = validate::id("parent_order_id", parent_order_id)?;
        if let Some(url) = &charge.callback_url {
            validate::callback_url("callback_url", url, self.inner.settings.callback_urls)?;
        }
        let request = self
            .mutating(
                "subscribe",
                Method::POST,
                format!("ecommerce/orders/{parent}/subscribe"),
                key,
                Effect::MovesMoney,
            )?
            .json(&wire::SubscribeBody::from(charge))?;
        let ids = PaymentRef::new()
            .provider_order_id(parent_order_id)
            .maybe_merchant_reference(charge.external_order_id.as_deref())
            .idempotency_key(key.as_str());
        let accepted = self
            .inner
            .executor
            .call(&request, &ids, |response| {
                answers::charge_accepted(response, parent_order_id, key)
            })
            .await?;
        // The charge copies the parent's amount: record it under the new id when known.
        let parent_record = self.record_of(parent_order_id).await.ok().flatten();
        let record = PaymentRecord::new(PROVIDER, &accepted.id)
            .with_ids(
                &PaymentRef::new()
                    .provider_order_id(parent_order_id)
                    .maybe_merchant_reference(charge.external_order_id.as_deref()),
            )
            .with_flow(Flow::SavedCardCharge)
            .with_amount(parent_record.and_then(|r| r.amount));
        if let Err(error) = self.inner.records.put(&record).await {
            return Err(Error::NotRecorded {
                provider: PROVIDER,
                outcome: Box::new(paykit_core::PaymentOutcome::new(
                    &accepted.id,
                    paykit_core::PaymentStatus::Pending,
                )),
                payment: Box::new(ids.provider_payment_id(&accepted.id)),
                reason: error.to_string(),
            });
        }
        Ok(accepted)
    }

    /// `POST /ecommerce/orders/{order_id}/payment` (§5.6): completes a merchant-page Apple Pay
    /// order with the whole payment object from Apple's JS SDK, unmodified. A token is not a
    /// payment: confirm with [`Self::receipt`] or the callback.
    pub async fn apple_pay_accept(
        &self,
        order_id: &str,
        apple_pay_token: &str,
        key: &IdempotencyKey,
    ) -> Result<ApplePayResult> {
        let segment = validate::id("order_id", order_id)?;
        if apple_pay_token.trim().is_empty() {
            return Err(Error::invalid_input("apple_pay_token", "is required"));
        }
        let request = self
            .mutating(
                "apple-pay-accept",
                Method::POST,
                format!("ecommerce/orders/{segment}/payment"),
                key,
                Effect::MovesMoney,
            )?
            .json(&wire::ApplePayAcceptBody { apple_pay_token })?;
        let ids = PaymentRef::new()
            .provider_payment_id(order_id)
            .idempotency_key(key.as_str());
        self.inner
            .executor
            .call(&request, &ids, |response| {
                answers::apple_pay_result(response, order_id, key)
            })
            .await
    }

    /// The record this client keeps of `order_id`.
    pub(crate) async fn record_of(&self, order_id: &str) -> Result<Option<PaymentRecord>> {
        self.inner.records.get(PROVIDER, order_id).await
    }
}
