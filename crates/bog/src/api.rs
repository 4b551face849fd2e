//! The native iPay endpoints, one method each. Every method validates before any I/O.

use paykit_core::http::ApiRequest;
use paykit_core::{Error, Money, Result};

use crate::model::{
    CreateOrder, LegacyOrder, LegacyOrderStatus, Order, PaymentDetails, PreAuthCompletion,
    PreAuthResult, SubscriptionCharge, SubscriptionPayment,
};
use crate::store::StoredOrder;
use crate::{BogClient, PROVIDER, error, validate, wire};

impl BogClient {
    /// `POST /checkout/orders`: registers a payment and returns the link to send the customer
    /// to ([`Order::approve_url`], the `rel=approve` link).
    ///
    /// Store [`Order::order_id`] and [`Order::payment_hash`]: callbacks are checked against
    /// them. With [`crate::BogClientBuilder::order_store`] the client stores them itself.
    pub async fn create_order(&self, order: &CreateOrder) -> Result<Order> {
        validate::create_order(order, &self.inner.settings.currencies)?;
        let request = ApiRequest::post("create-order", "checkout/orders")
            .json(&wire::CreateOrderBody::from(order))?
            .auth(self.bearer());
        let response = self.inner.executor.send(&request).await?;
        let parsed: wire::CreateOrderResponse = error::parse(&response)?;
        let created = parsed.into_order(PROVIDER, &response.body)?;
        self.remember(StoredOrder::new(
            created.order_id.clone(),
            created.payment_hash.clone(),
            order.shop_order_id.clone(),
        ))
        .await?;
        Ok(created)
    }

    /// `GET /checkout/payment/{order_id}`: the authoritative state of a payment.
    pub async fn payment_details(&self, order_id: &str) -> Result<PaymentDetails> {
        let segment = validate::order_id_segment("order_id", order_id)?;
        let request = ApiRequest::get("payment-details", format!("checkout/payment/{segment}"))
            .auth(self.bearer());
        let response = self.inner.executor.send(&request).await?;
        let parsed: wire::PaymentDetailsResponse = error::parse(&response)?;
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
    }

    /// `POST /checkout/refund` (form-encoded): refunds `amount`, or everything when `None`.
    /// Partial refunds may be repeated until the paid amount is reached; a refund cannot be
    /// undone. The same call releases a blocked (`MANUAL`) payment. iPay answers success with
    /// an empty body; the "Payment Amount Return" callback follows.
    pub async fn refund_order(&self, order_id: &str, amount: Option<Money>) -> Result<()> {
        validate::required("order_id", order_id)?;
        validate::refund(amount.as_ref(), &self.inner.settings.currencies)?;
        let request = ApiRequest::post("refund", "checkout/refund")
            .form(&wire::refund_form(order_id, amount.as_ref()))
            .auth(self.bearer());
        let response = self.inner.executor.send(&request).await?;
        error::ensure_success(&response)
    }

    /// `POST /checkout/payment/{order_id}/pre-auth/completion`: charges all or part of a
    /// blocked (`MANUAL`) payment, or releases it.
    pub async fn complete_pre_auth(
        &self,
        order_id: &str,
        completion: &PreAuthCompletion,
    ) -> Result<PreAuthResult> {
        let segment = validate::order_id_segment("order_id", order_id)?;
        validate::completion(completion, &self.inner.settings.currencies)?;
        let request = ApiRequest::post(
            "pre-auth-completion",
            format!("checkout/payment/{segment}/pre-auth/completion"),
        )
        .json(&wire::PreAuthBody::from(completion))?
        .auth(self.bearer());
        let response = self.inner.executor.send(&request).await?;
        error::ensure_success(&response)?;
        if response.is_empty() {
            return Ok(wire::PreAuthResponse::default().into_result());
        }
        let parsed: wire::PreAuthResponse = response.json()?;
        Ok(parsed.into_result())
    }

    /// `POST /checkout/payment/subscription`: charges the card of an earlier successful
    /// payment, without the customer. The answer is a new payment, usually `in_progress`:
    /// poll [`BogClient::payment_details`] with its `order_id`.
    pub async fn charge_subscription(
        &self,
        charge: &SubscriptionCharge,
    ) -> Result<SubscriptionPayment> {
        validate::subscription(charge, &self.inner.settings.currencies)?;
        let request = ApiRequest::post("subscription", "checkout/payment/subscription")
            .json(&wire::SubscriptionBody::from(charge))?
            .auth(self.bearer());
        let response = self.inner.executor.send(&request).await?;
        let parsed: wire::SubscriptionResponse = error::parse(&response)?;
        let payment = parsed.into_payment(PROVIDER, &response.body)?;
        self.remember(StoredOrder::new(
            payment.order_id.clone(),
            payment.payment_hash.clone(),
            charge.shop_order_id.clone(),
        ))
        .await?;
        Ok(payment)
    }

    /// `GET /checkout/orders/{order_id}`: the legacy order resource (the `rel=self` link).
    /// No longer in the current docs; prefer [`BogClient::payment_details`].
    pub async fn legacy_order(&self, order_id: &str) -> Result<LegacyOrder> {
        let segment = validate::order_id_segment("order_id", order_id)?;
        let request = ApiRequest::get("legacy-order", format!("checkout/orders/{segment}"))
            .auth(self.bearer());
        let response = self.inner.executor.send(&request).await?;
        let parsed: wire::LegacyOrderResponse = error::parse(&response)?;
        Ok(LegacyOrder::from(parsed))
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
        let response = self.inner.executor.send(&request).await?;
        let parsed: wire::LegacyStatusResponse = error::parse(&response)?;
        Ok(LegacyOrderStatus {
            status: parsed.status,
        })
    }

    /// Records a created order in the configured store, if any.
    async fn remember(&self, order: StoredOrder) -> Result<()> {
        match &self.inner.store {
            Some(store) => store.save(&order).await,
            None => Ok(()),
        }
    }
}
