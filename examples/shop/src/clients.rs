//! The six paykit clients, configured against the embedded simulator with the test
//! credentials it generated. A real shop builds the same clients from its own credentials
//! and the providers' hosts; nothing else in the shop changes.

use std::sync::Arc;

use paykit_bog::{BogClient, BogWebhook, InMemoryOrderStore, OrderStore};
use paykit_bog_payments::BogPaymentsClient;
use paykit_core::{Error, PaymentProvider, SecretString};
use paykit_maib::MaibClient;
use paykit_maya::MayaClient;
use paykit_maya_checkout::{
    Environment, KeyPair, MayaCheckoutClient, MayaCheckoutWebhook, WebhookConfig, WebhookKeys,
};
use paykit_miapos::MiaPos;
use paykit_sim::Simulator;

use crate::provider::Provider;

/// One client per provider.
#[derive(Clone)]
pub(crate) struct Clients {
    pub(crate) maib: MaibClient,
    pub(crate) miapos: MiaPos,
    pub(crate) bog: BogClient,
    pub(crate) bog_webhook: BogWebhook,
    pub(crate) maya: MayaClient,
    pub(crate) bog_payments: BogPaymentsClient,
    pub(crate) maya_checkout: MayaCheckoutClient,
    pub(crate) maya_checkout_webhook: MayaCheckoutWebhook,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The clients keep their secrets out of Debug; the list of names is enough here.
        f.write_str("Clients { maib, miapos, bog, maya, bog_payments, maya_checkout }")
    }
}

impl Clients {
    /// The clients for `sim`'s providers.
    pub(crate) fn for_simulator(sim: &Simulator) -> Result<Clients, Error> {
        let maib = sim.maib();
        let maib = MaibClient::builder(
            maib.project_id.clone(),
            SecretString::from(maib.project_secret.clone()),
        )
        .base_url(maib.base_url.clone())
        .signature_key(SecretString::from(maib.signature_key.clone()))
        .build()?;

        let miapos = sim.miapos();
        let miapos = MiaPos::builder(
            miapos.base_url.clone(),
            miapos.merchant_id.clone(),
            SecretString::from(miapos.secret_key.clone()),
        )
        .terminal_id(miapos.terminal_id.clone())
        .build()?;

        // iPay callbacks carry no signature: its webhook matches them against the orders this
        // store remembers, then asks iPay.
        let orders: Arc<dyn OrderStore> = Arc::new(InMemoryOrderStore::new());
        let bog = sim.bog();
        let bog = BogClient::builder(
            bog.client_id.clone(),
            SecretString::from(bog.secret_key.clone()),
        )
        .base_url(format!("{}/opay/api/v1", bog.base_url))
        .order_store(orders)
        .build()?;
        let bog_webhook = bog
            .webhook()
            .ok_or_else(|| Error::invalid_input("bog", "the iPay client has no webhook"))?;

        let maya = sim.maya();
        let maya = MayaClient::builder(
            maya.client_id.clone(),
            SecretString::from(maya.client_secret.clone()),
        )
        .api_base_url(maya.base_url.clone())
        .token_url(maya.token_url.clone())
        .p2m_id(maya.p2m_id.clone())
        .build()?;

        // The Payments API takes a callback URL per order. BOG wants https; the shop listens on
        // loopback next to the simulator, so plain http to loopback is allowed here.
        let bog_payments = sim.bog_payments();
        let bog_payments = BogPaymentsClient::builder(
            bog_payments.client_id.clone(),
            SecretString::from(bog_payments.client_secret.clone()),
        )
        .api_base(bog_payments.api_base.clone())
        .token_url(bog_payments.token_url.clone())
        .callback_key(bog_payments.callback_public_key_pem.clone())
        .only_configured_callback_keys()
        .allow_loopback_http_callbacks()
        .build()?;

        // Maya's gateway signs webhooks with one key per environment; the simulator's stands
        // in for Maya's published one.
        let gateway = sim.maya_checkout();
        let keys = KeyPair::new(
            SecretString::from(gateway.public_key.clone()),
            SecretString::from(gateway.secret_key.clone()),
        )?;
        let maya_checkout = MayaCheckoutClient::builder(Environment::Sandbox, keys)
            .api_base_url(gateway.base_url.clone())
            .build()?;
        let webhook_keys =
            WebhookKeys::new().with_pem("simulator", &gateway.webhook_public_key_pem)?;
        let maya_checkout_webhook = MayaCheckoutWebhook::new(WebhookConfig::new(webhook_keys));

        Ok(Clients {
            maib,
            miapos,
            bog,
            bog_webhook,
            maya,
            bog_payments,
            maya_checkout,
            maya_checkout_webhook,
        })
    }

    /// The client that creates, queries, captures and refunds `provider`'s payments; `None`
    /// for Maya, whose payments belong to a customer session ([`MayaClient::payments`]).
    pub(crate) fn payments(&self, provider: Provider) -> Option<&dyn PaymentProvider> {
        match provider {
            Provider::Maib => Some(&self.maib),
            Provider::Miapos => Some(&self.miapos),
            Provider::Bog => Some(&self.bog),
            Provider::BogPayments => Some(&self.bog_payments),
            Provider::MayaCheckout => Some(&self.maya_checkout),
            Provider::Maya => None,
        }
    }
}
