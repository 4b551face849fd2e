//! The native iPay endpoints that create payments or read them. Every method validates before
//! any I/O and goes through core's `HttpExecutor::call` with the call's [`Effect`], so core
//! alone decides what a fault means (DESIGN.md §8). Refunds live in `refund.rs`,
//! pre-authorization completion in `completion.rs`.
//!
//! | call | effect | why |
//! |---|---|---|
//! | create order | [`Effect::NoMoney`] | it registers a page the customer has yet to pay: nothing is charged until the customer approves on iPay's page, which they reach only through the approve link this call returns. An order whose answer was lost is never shown to anyone; iPay turns it to `error` after an hour (bog-ipay.md §4.2) |
//! | payment details, legacy reads | [`Effect::Read`] | |
//! | recurring charge | [`Effect::MovesMoney`] | the card is charged without the customer |

use paykit_core::http::{ApiRequest, Effect};
use paykit_core::{Error, Flow, PaymentRef, PaymentStatus, Result};

use crate::model::{
    CreateOrder, LegacyOrder, LegacyOrderStatus, Order, PaymentDetails, SubscriptionCharge,
    SubscriptionPayment,
};
use crate::store::StoredOrder;
use crate::{BogClient, PROVIDER, error, records, translate, validate, wire};

impl BogClient {
    /// `POST /checkout/orders`: registers a payment and returns the link to send the customer
    /// to ([`Order::approve_url`], the `rel=approve` link).
    ///
    /// The client records [`Order::order_id`], [`Order::payment_hash`], the amount and the flow
    /// in its payment records (and in the [`crate::OrderStore`], when configured): callbacks
    /// are checked against them. Moves no money, so every fault is an ordinary error: nothing
    /// was charged, and creating the order again is safe.
    pub async fn create_order(&self, order: &CreateOrder) -> Result<Order> {
        self.create_order_as(order, records::flow_of(order.capture_method))
            .await
    }

    /// [`BogClient::create_order`], recording the payment under `flow`.
    pub(crate) async fn create_order_as(&self, order: &CreateOrder, flow: Flow) -> Result<Order> {
        validate::create_order(order, &self.inner.settings.currencies)?;
        let request = ApiRequest::post("create-order", "checkout/orders")
            .json(&wire::CreateOrderBody::from(order))?
            .auth(self.bearer())
            .effect(Effect::NoMoney);
        let ids = PaymentRef::new().maybe_merchant_reference(order.shop_order_id.as_deref());
        let created = self
            .inner
            .executor
            .call(&request, &ids, |response| {
                let parsed: wire::CreateOrderResponse = error::parse(response)?;
                parsed.into_order(PROVIDER, &response.body)
            })
            .await?;
        let ids = PaymentRef::new()
            .provider_payment_id(&created.order_id)
            .payment_hash(created.payment_hash.expose_secret())
            .maybe_merchant_reference(order.shop_order_id.as_deref());
        // Nothing was paid yet: a failure to record is returned as it is. The customer is never
        // sent to this order, and iPay turns an unpaid order to `error` after an hour.
        self.remember_store(
            &created.order_id,
            &created.payment_hash,
            order.shop_order_id.as_deref(),
        )
        .await?;
        self.put_record(&records::new_payment(
            &ids,
            flow,
            order.total,
            PaymentStatus::RequiresAction,
        ))
        .await?;
        Ok(created)
    }

    /// `GET /checkout/payment/{order_id}`: the authoritative state of a payment, as iPay
    /// reports it. It shows no refunds and no amount; [`paykit_core::PaymentProvider::get_payment`]
    /// adds both from the payment records.
    pub async fn payment_details(&self, order_id: &str) -> Result<PaymentDetails> {
        let segment = validate::order_id_segment("order_id", order_id)?;
        let request = ApiRequest::get("payment-details", format!("checkout/payment/{segment}"))
            .auth(self.bearer());
        let ids = PaymentRef::new().provider_payment_id(order_id);
        self.inner
            .executor
            .call(&request, &ids, |response| {
                let parsed: wire::PaymentDetailsResponse = error::parse(response)?;
                let details = PaymentDetails::from(parsed);
                if details.order_id != order_id {
                    return Err(Error::Integrity {
                        provider: PROVIDER,
                        field: "order_id".into(),
                        expected: order_id.to_owned(),
                        actual: details.order_id,
                    });
                }
                Ok(details)
            })
            .await
    }

    /// `POST /checkout/payment/subscription`: charges the card of an earlier successful
    /// payment, without the customer. The answer is a new payment, usually `in_progress`:
    /// poll [`BogClient::payment_details`] with its `order_id`.
    ///
    /// Money moves: a fault after sending is [`Error::OutcomeUnknown`] carrying your
    /// `shop_order_id` (the new payment's ids are not known until iPay answers; its
    /// status-change callback carries them, see [`crate::BogWebhook::confirm_unknown_orders`]).
    /// When iPay accepted the charge but the order store or the payment records could not
    /// record it, the error is [`Error::NotRecorded`] carrying the new `order_id` and
    /// `payment_hash` ([`Error::payment_ref`]): record them yourself, and never repeat the
    /// charge.
    pub async fn charge_subscription(
        &self,
        charge: &SubscriptionCharge,
    ) -> Result<SubscriptionPayment> {
        validate::subscription(charge, &self.inner.settings.currencies)?;
        let request = ApiRequest::post("subscription", "checkout/payment/subscription")
            .json(&wire::SubscriptionBody::from(charge))?
            .auth(self.bearer())
            .effect(Effect::MovesMoney);
        let ids = PaymentRef::new().maybe_merchant_reference(charge.shop_order_id.as_deref());
        let payment = self
            .inner
            .executor
            .call(&request, &ids, |response| {
                let parsed: wire::SubscriptionResponse = error::parse(response)?;
                parsed.into_payment(PROVIDER, &response.body, &charge.order_id)
            })
            .await?;
        let ids = PaymentRef::new()
            .provider_payment_id(&payment.order_id)
            .payment_hash(payment.payment_hash.expose_secret())
            .maybe_merchant_reference(charge.shop_order_id.as_deref());
        let outcome = translate::outcome_for_subscription(
            &payment,
            charge.amount,
            charge.shop_order_id.clone(),
        );
        let not_recorded = |error: Error| Error::NotRecorded {
            provider: PROVIDER,
            outcome: Box::new(outcome.clone()),
            payment: Box::new(ids.clone()),
            reason: error.to_string(),
        };
        self.remember_store(
            &payment.order_id,
            &payment.payment_hash,
            charge.shop_order_id.as_deref(),
        )
        .await
        .map_err(not_recorded)?;
        self.put_record(&records::new_payment(
            &ids,
            Flow::SavedCardCharge,
            charge.amount,
            outcome.status.clone(),
        ))
        .await
        .map_err(not_recorded)?;
        Ok(payment)
    }

    /// `GET /checkout/orders/{order_id}`: the legacy order resource (the `rel=self` link).
    /// No longer in the current docs; prefer [`BogClient::payment_details`].
    pub async fn legacy_order(&self, order_id: &str) -> Result<LegacyOrder> {
        let segment = validate::order_id_segment("order_id", order_id)?;
        let request = ApiRequest::get("legacy-order", format!("checkout/orders/{segment}"))
            .auth(self.bearer());
        let ids = PaymentRef::new().provider_payment_id(order_id);
        self.inner
            .executor
            .call(&request, &ids, |response| {
                let parsed: wire::LegacyOrderResponse = error::parse(response)?;
                Ok(LegacyOrder::from(parsed))
            })
            .await
    }

    /// `GET /checkout/orders/status/{order_id}`: the legacy status resource. No longer in the
    /// current docs; prefer [`BogClient::payment_details`].
    pub async fn legacy_order_status(&self, order_id: &str) -> Result<LegacyOrderStatus> {
        let segment = validate::order_id_segment("order_id", order_id)?;
        let request = ApiRequest::get(
            "legacy-order-status",
            format!("checkout/orders/status/{segment}"),
        )
        .auth(self.bearer());
        let ids = PaymentRef::new().provider_payment_id(order_id);
        self.inner
            .executor
            .call(&request, &ids, |response| {
                let parsed: wire::LegacyStatusResponse = error::parse(response)?;
                Ok(LegacyOrderStatus {
                    status: parsed.status,
                })
            })
            .await
    }

    /// Records a created order in the configured order store, if any.
    async fn remember_store(
        &self,
        order_id: &str,
        payment_hash: &crate::PaymentHash,
        shop_order_id: Option<&str>,
    ) -> Result<()> {
        match &self.inner.store {
            Some(store) => {
                store
                    .save(&StoredOrder::new(
                        order_id,
                        payment_hash.clone(),
                        shop_order_id.map(str::to_owned),
                    ))
                    .await
            }
            None => Ok(()),
        }
    }
}
