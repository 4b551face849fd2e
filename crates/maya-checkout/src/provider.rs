//! The common traits: [`PaymentProvider`] (Checkout), [`Capture`], [`Refund`] (void or refund
//! by the Manila calendar), [`Void`], [`Recurring`] (wallet link, and vaulted cards charged
//! by reference).

use async_trait::async_trait;
use paykit_core::{
    CallbackAuthenticity, Capabilities, Capture, CaptureMode, CardUsage, Error, Flow, Money,
    NextAction, PaymentOutcome, PaymentProvider, PaymentRequest, PaymentStatus, ProviderId,
    Recurring, Refund, RefundSupport, Result, SavedCard, SavedCardCharge, Void,
};
use rust_decimal::Decimal;

use crate::checkout::{CheckoutItem, CreateCheckout};
use crate::operations::{CaptureRequest, Reversed, reversal_outcome};
use crate::outcome::{checkout_outcome, payment_outcome};
use crate::status::MayaStatus;
use crate::vault::SavedCardPayment;
use crate::wallet::{WalletCharge, WalletLinkRequest};
use crate::wire::{AuthorizationType, Contact, Payment, Person, RedirectUrls};
use crate::{MayaCheckoutClient, PROVIDER, validate};

/// Prefix of a saved-card id naming a Pay with Maya wallet link.
pub const WALLET_PREFIX: &str = "wallet:";
/// Prefix of a saved-card id naming a vaulted card: `card:<customerId>/<cardTokenId>`.
pub const CARD_PREFIX: &str = "card:";

/// PHP, 0.01 to 9,999,999,999.99, automatic and manual capture (partial captures), void,
/// full and partial refunds, merchant-initiated charges, signed callbacks.
pub(crate) fn capabilities() -> Capabilities {
    Capabilities::new([validate::CURRENCY])
        .amount_range(Some(Decimal::new(1, 2)), Some(validate::max_amount()))
        .manual_capture(true)
        .void(true)
        .refunds(RefundSupport::FullAndPartial)
        .saved_cards([CardUsage::Recurring])
        .callbacks(CallbackAuthenticity::Signed)
}

fn redirects(request: &PaymentRequest) -> Result<RedirectUrls> {
    let success = request.return_url.clone().ok_or_else(|| {
        Error::invalid_input(
            "return_url",
            "is required: Maya sends the customer back to it",
        )
    })?;
    let failure = request.fail_url.clone().unwrap_or_else(|| success.clone());
    Ok(RedirectUrls::new(success, failure.clone(), failure))
}

fn reference(request: &PaymentRequest) -> Result<&str> {
    let reference = request.order_id.as_deref().ok_or_else(|| {
        Error::invalid_input(
            "order_id",
            "is required: it is Maya's requestReferenceNumber (1 to 36 characters)",
        )
    })?;
    validate::reference("order_id", reference)?;
    Ok(reference)
}

fn buyer(request: &PaymentRequest) -> Option<Person> {
    let customer = &request.customer;
    if customer.name.is_none()
        && customer.email.is_none()
        && customer.phone.is_none()
        && customer.ip.is_none()
    {
        return None;
    }
    let (first, last) = match customer.name.as_deref().map(str::trim) {
        Some(name) => match name.rsplit_once(' ') {
            Some((first, last)) => (Some(first.to_owned()), Some(last.to_owned())),
            None => (Some(name.to_owned()), None),
        },
        None => (None, None),
    };
    let contact = (customer.email.is_some() || customer.phone.is_some()).then(|| Contact {
        phone: customer.phone.clone(),
        email: customer.email.clone(),
    });
    Some(Person {
        first_name: first,
        last_name: last,
        contact,
        ip_address: customer.ip.map(|ip| ip.to_string()),
        ..Person::default()
    })
}

impl MayaCheckoutClient {
    pub(crate) async fn outcome_with_refunds(&self, payment: &Payment) -> Result<PaymentOutcome> {
        if payment.status != MayaStatus::Refunded {
            return Ok(payment_outcome(payment, None, false));
        }
        let refunded = self.refunded_total(&payment.id).await?;
        let refunded = payment
            .money()
            .and_then(|total| Money::new(refunded, total.currency()).ok());
        Ok(payment_outcome(payment, refunded.as_ref(), false))
    }
}

#[async_trait]
impl PaymentProvider for MayaCheckoutClient {
    fn id(&self) -> ProviderId {
        PROVIDER
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    /// A Maya Checkout (C1). `order_id` is the reference (1–36 characters) and `return_url`
    /// is required. The outcome's id is the **checkout id**; [`PaymentProvider::get_payment`]
    /// accepts it. Manual capture asks for a `NORMAL` authorization.
    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentOutcome> {
        self.inner.capabilities.check_payment(PROVIDER, request)?;
        let reference = reference(request)?;
        let mut checkout = CreateCheckout::new(&request.amount, reference, redirects(request)?);
        if let Some(buyer) = buyer(request) {
            checkout = checkout.buyer(buyer);
        }
        for (index, item) in request.items.iter().enumerate() {
            let code = item
                .id
                .clone()
                .unwrap_or_else(|| format!("{:03}", index + 1));
            checkout = checkout.item(
                CheckoutItem::new(&item.name, item.quantity, item.unit_price.amount()).code(code),
            );
        }
        if request.capture == CaptureMode::Manual {
            checkout = checkout.authorization(AuthorizationType::Normal);
        }
        let created = self.create_checkout(&checkout).await?;
        let outcome = PaymentOutcome::new(created.checkout_id, PaymentStatus::RequiresAction)
            .with_next_action(NextAction::Redirect {
                url: created.redirect_url,
            })
            .with_amount(Some(request.amount))
            .with_order_id(Some(reference.to_owned()));
        let flow = match request.capture {
            CaptureMode::Manual => Flow::Hold,
            _ => Flow::Pay,
        };
        self.remember_created(flow, Some(request.amount), outcome)
            .await
    }

    /// The payment (P1); a refunded one also reads its refunds (P9) to tell partial from full.
    /// An id Maya knows no payment by (`PY0009`) is read as a checkout id (C2).
    async fn get_payment(&self, provider_payment_id: &str) -> Result<PaymentOutcome> {
        match self.payment(provider_payment_id).await {
            Ok(payment) => self.outcome_with_refunds(&payment).await,
            Err(error) if error.api_code() == Some("PY0009") => {
                match self.get_checkout(provider_payment_id).await {
                    Ok(checkout) => Ok(checkout_outcome(&checkout)),
                    Err(_) => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }

    fn capture(&self) -> Option<&dyn Capture> {
        Some(self)
    }

    fn refund(&self) -> Option<&dyn Refund> {
        Some(self)
    }

    fn void(&self) -> Option<&dyn Void> {
        Some(self)
    }

    fn recurring(&self) -> Option<&dyn Recurring> {
        Some(self)
    }
}

#[async_trait]
impl Capture for MayaCheckoutClient {
    /// Reads the authorization (P1), then captures `amount` or all that is uncaptured (P10)
    /// under its reference. The outcome is the new **capture record** (its own id: void or
    /// refund that one).
    async fn capture(
        &self,
        provider_payment_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome> {
        let authorization = self.payment(provider_payment_id).await?;
        if authorization.can_capture == Some(false) {
            return Err(Error::invalid_input(
                "provider_payment_id",
                format!(
                    "Maya reports canCapture = false for this payment ({})",
                    authorization.status
                ),
            ));
        }
        let total = authorization.money().ok_or_else(|| {
            Error::decode(PROVIDER, "the authorization has no amount", b"", false)
        })?;
        let amount = match amount {
            Some(amount) => amount,
            None => {
                let captured = authorization.captured_amount.unwrap_or(Decimal::ZERO);
                Money::new(
                    total
                        .amount()
                        .checked_sub(captured)
                        .unwrap_or(Decimal::ZERO),
                    total.currency(),
                )?
            }
        };
        let reference = authorization
            .request_reference_number
            .clone()
            .ok_or_else(|| {
                Error::decode(PROVIDER, "the authorization has no reference", b"", false)
            })?;
        let record = self
            .capture_with(
                provider_payment_id,
                &CaptureRequest::new(&amount, reference),
            )
            .await?;
        Ok(payment_outcome(&record, None, false))
    }
}

impl MayaCheckoutClient {
    async fn capture_with(&self, id: &str, request: &CaptureRequest) -> Result<Payment> {
        self.capture_payment(id, request).await
    }
}

#[async_trait]
impl Refund for MayaCheckoutClient {
    /// Void or refund as configured ([`crate::MayaCheckoutClientBuilder::reversal`], by the
    /// Manila calendar by default).
    async fn refund(
        &self,
        provider_payment_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentOutcome> {
        self.inner
            .capabilities
            .check_refund(PROVIDER, amount.as_ref())?;
        let reversed = self
            .reverse(
                provider_payment_id,
                amount.as_ref(),
                self.inner.reversal,
                &self.inner.reason,
            )
            .await?;
        Ok(reversal_outcome(provider_payment_id, &reversed))
    }
}

#[async_trait]
impl Void for MayaCheckoutClient {
    /// P4, the whole amount (an authorization's hold is released).
    async fn void(&self, provider_payment_id: &str) -> Result<PaymentOutcome> {
        let record = self
            .void_payment(provider_payment_id, &self.inner.reason)
            .await?;
        let outcome = reversal_outcome(provider_payment_id, &Reversed::Voided(record));
        self.remember_state(&outcome).await?;
        Ok(outcome)
    }
}

enum Stored<'a> {
    Wallet(&'a str),
    Card { customer: &'a str, card: &'a str },
}

fn stored(card_id: &str) -> Result<Stored<'_>> {
    if let Some(link) = card_id.strip_prefix(WALLET_PREFIX) {
        return Ok(Stored::Wallet(link));
    }
    if let Some((customer, card)) = card_id
        .strip_prefix(CARD_PREFIX)
        .and_then(|rest| rest.split_once('/'))
    {
        return Ok(Stored::Card { customer, card });
    }
    Err(Error::invalid_input(
        "card_id",
        "must be `wallet:<linkId>` or `card:<customerId>/<cardTokenId>`",
    ))
}

#[async_trait]
impl Recurring for MayaCheckoutClient {
    /// Links the customer's Maya wallet (M2): the outcome asks to redirect the customer, and
    /// its `saved_card` is `wallet:<linkId>`. Maya charges nothing while linking, so
    /// `request.amount` is **not** charged; charge it with
    /// [`Recurring::charge_saved_card`] once [`MayaCheckoutClient::get_wallet_link`] reports the
    /// link verified. Vaulted cards (V5) need raw card data and a customer, so they are linked
    /// through the native API; charge them here as `card:<customerId>/<cardTokenId>`.
    async fn save_card(
        &self,
        request: &PaymentRequest,
        usage: CardUsage,
    ) -> Result<PaymentOutcome> {
        if usage != CardUsage::Recurring {
            return Err(Error::unsupported(PROVIDER, "one-click saved cards"));
        }
        let mut link = WalletLinkRequest::new(redirects(request)?);
        if let Some(order) = &request.order_id {
            validate::reference("order_id", order)?;
            link = link.reference(order.clone());
        }
        let created = self.create_wallet_link(&link).await?;
        let id = format!("{WALLET_PREFIX}{}", created.link_id);
        Ok(
            PaymentOutcome::new(created.link_id, PaymentStatus::RequiresAction)
                .with_next_action(NextAction::Redirect {
                    url: created.redirect_url,
                })
                .with_order_id(request.order_id.clone())
                .with_saved_card(Some(SavedCard {
                    id,
                    masked_pan: None,
                })),
        )
    }

    /// M4 for `wallet:<linkId>`, V8 for `card:<customerId>/<cardTokenId>`. Moves money:
    /// never re-sent; `payment.order_id` is the reference to look up when the outcome is
    /// unknown.
    async fn charge_saved_card(&self, charge: &SavedCardCharge) -> Result<PaymentOutcome> {
        let request = &charge.payment;
        self.inner.capabilities.check_payment(PROVIDER, request)?;
        let reference = reference(request)?;
        let payment = match stored(&charge.card_id)? {
            Stored::Wallet(link) => {
                self.execute_wallet_link(link, &WalletCharge::new(&request.amount, reference))
                    .await?
            }
            Stored::Card { customer, card } => {
                let mut body = SavedCardPayment::new(&request.amount, reference);
                if request.return_url.is_some() {
                    body = body.redirect_url(redirects(request)?);
                }
                if request.capture == CaptureMode::Manual {
                    body = body.authorization(AuthorizationType::Normal);
                }
                self.pay_with_saved_card(customer, card, &body).await?
            }
        };
        let outcome = payment_outcome(&payment, None, false);
        self.remember_created(Flow::SavedCardCharge, Some(request.amount), outcome)
            .await
    }

    /// M5 or V7 `DELETE`.
    async fn delete_saved_card(&self, card_id: &str) -> Result<()> {
        match stored(card_id)? {
            Stored::Wallet(link) => self.delete_wallet_link(link).await,
            Stored::Card { customer, card } => self.delete_card(customer, card).await,
        }
    }
}
