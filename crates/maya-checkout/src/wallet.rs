//! Pay with Maya (spec §3.5): M1 single wallet payment and M2 wallet link (public key, no
//! money moves), M3 read the link, M4 charge it (secret key, moves money, synchronous) and M5
//! deactivate it (DELETE, not the GET one SDK uses).

use paykit_core::http::{Effect, Method};
use paykit_core::{Money, PaymentRef, Result};
use serde::{Deserialize, Serialize};

use crate::auth::{KeyKind, Product};
use crate::call::Endpoint;
use crate::checkout::amount_money;
use crate::status::CardState;
use crate::vault::{charged, ok_any};
use crate::wire::{Metadata, Payment, Person, RedirectUrls, ValueAmount};
use crate::{MayaCheckoutClient, validate};

const fn wallet(name: &'static str, method: Method, key: KeyKind, effect: Effect) -> Endpoint {
    Endpoint::new(name, method, Product::PayWithMaya, key, effect)
}

const SINGLE: Endpoint = wallet(
    "maya-create-wallet-payment",
    Method::POST,
    KeyKind::Public,
    Effect::NoMoney,
);
const LINK: Endpoint = wallet(
    "maya-create-wallet-link",
    Method::POST,
    KeyKind::Public,
    Effect::NoMoney,
);
const LINK_GET: Endpoint = wallet(
    "maya-get-wallet-link",
    Method::GET,
    KeyKind::Secret,
    Effect::Read,
);
const EXECUTE: Endpoint = wallet(
    "maya-execute-wallet-link",
    Method::POST,
    KeyKind::Secret,
    Effect::MovesMoney,
);
const LINK_DELETE: Endpoint = wallet(
    "maya-delete-wallet-link",
    Method::DELETE,
    KeyKind::Secret,
    Effect::NoMoney,
);

/// M1's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WalletPayment {
    /// Shape A.
    pub total_amount: ValueAmount,
    /// Return pages.
    pub redirect_url: RedirectUrls,
    /// 1–36 characters.
    pub request_reference_number: String,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Buyer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Person>,
}

impl WalletPayment {
    /// A wallet payment of `amount`.
    pub fn new(amount: &Money, reference: impl Into<String>, redirect_url: RedirectUrls) -> Self {
        WalletPayment {
            total_amount: ValueAmount::of(amount),
            redirect_url,
            request_reference_number: reference.into(),
            metadata: None,
            buyer: None,
        }
    }
}

/// M1's answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WalletPaymentCreated {
    /// The payment id (P1 reads it).
    pub payment_id: String,
    /// The Maya page, verbatim.
    pub redirect_url: String,
}

/// M2's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WalletLinkRequest {
    /// Return pages.
    pub redirect_url: RedirectUrls,
    /// Optional reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_reference_number: Option<String>,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl WalletLinkRequest {
    /// A link request returning to `redirect_url`.
    pub fn new(redirect_url: RedirectUrls) -> Self {
        WalletLinkRequest {
            redirect_url,
            request_reference_number: None,
            metadata: None,
        }
    }

    /// Sets the reference.
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.request_reference_number = Some(reference.into());
        self
    }
}

/// M2's answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WalletLinkCreated {
    /// The link id.
    pub link_id: String,
    /// The Maya page, verbatim.
    pub redirect_url: String,
}

/// `card` of a wallet link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct WalletLinkCard {
    /// `VERIFIED` when linked.
    #[serde(default)]
    pub state: Option<CardState>,
}

/// M3's answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WalletLink {
    /// The Maya profile.
    #[serde(default)]
    pub profile_id: Option<String>,
    /// The link's state.
    #[serde(default)]
    pub card: Option<WalletLinkCard>,
    /// The customer.
    #[serde(default)]
    pub customer: Option<Person>,
}

impl WalletLink {
    /// True when the link can be charged (`card.state == VERIFIED`).
    pub fn is_usable(&self) -> bool {
        self.card
            .as_ref()
            .and_then(|card| card.state.as_ref())
            .is_some_and(CardState::is_usable)
    }
}

/// M4's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WalletCharge {
    /// Shape A.
    pub total_amount: ValueAmount,
    /// 1–36 characters.
    pub request_reference_number: String,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl WalletCharge {
    /// A charge of `amount` under `reference`.
    pub fn new(amount: &Money, reference: impl Into<String>) -> Self {
        WalletCharge {
            total_amount: ValueAmount::of(amount),
            request_reference_number: reference.into(),
            metadata: None,
        }
    }
}

impl MayaCheckoutClient {
    /// M1 `POST /payby/v2/paymaya/payments` (public key). No money moves until the customer
    /// approves on Maya's page; the payment expires after 30 minutes.
    pub async fn create_wallet_payment(
        &self,
        payment: &WalletPayment,
    ) -> Result<WalletPaymentCreated> {
        validate::amount("total_amount", &amount_money(&payment.total_amount)?)?;
        validate::reference(
            "request_reference_number",
            &payment.request_reference_number,
        )?;
        payment.redirect_url.validate()?;
        let request = self
            .request(&SINGLE, "/payby/v2/paymaya/payments".to_owned())?
            .json(payment)?;
        let ids = PaymentRef::new().merchant_reference(&payment.request_reference_number);
        self.send(&request, &ids).await
    }

    /// M2 `POST /payby/v2/paymaya/link` (public key): asks the customer to link their wallet.
    /// No test charge is made.
    pub async fn create_wallet_link(&self, link: &WalletLinkRequest) -> Result<WalletLinkCreated> {
        link.redirect_url.validate()?;
        if let Some(reference) = &link.request_reference_number {
            validate::reference("request_reference_number", reference)?;
        }
        let request = self
            .request(&LINK, "/payby/v2/paymaya/link".to_owned())?
            .json(link)?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// M3 `GET /payby/v2/paymaya/link/{linkId}`.
    pub async fn get_wallet_link(&self, link_id: &str) -> Result<WalletLink> {
        let request = self.request(&LINK_GET, link_path(link_id)?)?;
        self.send(&request, &PaymentRef::new()).await
    }

    /// M4 `POST /payby/v2/paymaya/link/{linkId}/execute`: charges the linked wallet,
    /// synchronously. Moves money: never re-sent, echo checked.
    pub async fn execute_wallet_link(
        &self,
        link_id: &str,
        charge: &WalletCharge,
    ) -> Result<Payment> {
        let money = amount_money(&charge.total_amount)?;
        validate::amount("total_amount", &money)?;
        validate::reference("request_reference_number", &charge.request_reference_number)?;
        let path = format!("{}/execute", link_path(link_id)?);
        let request = self.request(&EXECUTE, path)?.json(charge)?;
        let ids = PaymentRef::new().merchant_reference(&charge.request_reference_number);
        let reference = charge.request_reference_number.clone();
        self.send_with(&request, &ids, |r| charged(r, &money, &reference))
            .await
    }

    /// M5 `DELETE /payby/v2/paymaya/link/{linkId}`: deactivates the link.
    pub async fn delete_wallet_link(&self, link_id: &str) -> Result<()> {
        let request = self.request(&LINK_DELETE, link_path(link_id)?)?;
        self.send_with(&request, &PaymentRef::new(), ok_any).await
    }
}

fn link_path(link_id: &str) -> Result<String> {
    Ok(format!(
        "/payby/v2/paymaya/link/{}",
        validate::segment("link_id", link_id)?
    ))
}
