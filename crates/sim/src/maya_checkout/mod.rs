//! Maya's payment gateway (maya-checkout.md) on its own listener: Maya Checkout (hosted
//! page, page customization), Maya Vault (payment tokens, customers, cards with 3-D
//! Secure, card payments), Pay with Maya (single payment, wallet link and its charges),
//! payment retrieval by id and by RRN, capture of holds, void, refund and cancel, the
//! webhook registry, and webhooks signed with "Webhook Signature Version 1" by the
//! simulator's own RSA key.
//!
//! Simulator choices where Maya publishes nothing:
//! - The customer's pages live on this listener at the real redirect shapes
//!   (`/v2/checkout?id=`, `/paymaya/payment?id=`, `/paymaya/link?id=`) and at
//!   `/3ds/payment?id=` and `/3ds/card?customer=&id=` for 3-D Secure. A plain `GET`
//!   approves (the amount rule still declines cents of `.01`); `&action=decline` or
//!   `&action=cancel` chooses another outcome.
//! - Void and refund follow the Manila calendar of §5 by the simulator clock: void on the
//!   transaction's day (`PY0073` after it, `PY0045` for a state that cannot be voided),
//!   refund from the next day through day 180 (`PY0047`, HTTP 401, outside it), partial
//!   refunds up to the amount (`PY0048` above it).
//! - A saved-card payment sent with a `redirectUrl` asks for 3-D Secure
//!   (`FOR_AUTHENTICATION`); without one it is charged at once.
//! - A capture creates a new `PAYMENT_SUCCESS` record with `authorizationPayment`, and the
//!   answer is that record. The ledger books the capture on the authorization.
//! - P2 answers `{id, status}`; P11 cancel answers the payment object; M5 answers the link
//!   with state `DEACTIVATED`; an execute on a linked wallet declined by the amount rule
//!   answers `PY0105` (HTTP 400) and leaves a `PAYMENT_FAILED` record.
//! - Server faults answer HTTP 400 `PY9999`.
//! - Retention: a paid sale stays until its refund window closes (180 Manila days), so a
//!   refund can always find it.

mod auth;
mod capture;
mod checkout;
mod customers;
mod errors;
mod pages;
mod payment;
mod records;
mod retrieve;
mod reversals;
mod routes;
mod rules;
mod settle;
mod state;
mod tree;
mod validate;
mod vault;
mod wallet;
mod webhooks;
mod wire;

use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;

use crate::config::MayaCheckoutConfig;
use crate::ctx::Ctx;
use crate::ledger::{LedgerProvider, OpKind};
use crate::lock::lock;
use crate::server::{Provider, SimRequest, SimResponse};
use crate::signing::miapos::RsaSigner;
use state::{Payment, State};

pub(crate) use tree::J;

/// The simulated gateway.
#[derive(Debug)]
pub(crate) struct MayaCheckout {
    ctx: Ctx,
    config: MayaCheckoutConfig,
    signer: Arc<RsaSigner>,
    state: Mutex<State>,
}

impl MayaCheckout {
    pub(crate) fn new(ctx: Ctx, config: MayaCheckoutConfig, signer: RsaSigner) -> Self {
        let state = Mutex::new(State::with_horizon(ctx.horizon_ms));
        Self {
            ctx,
            config,
            signer: Arc::new(signer),
            state,
        }
    }

    fn now(&self) -> u64 {
        self.ctx.clock.now_ms()
    }

    /// An absolute URL on this listener.
    fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.ctx.base_url)
    }

    /// Stores a new payment and registers it in the ledger.
    fn register(&self, state: &mut State, payment: Payment, now: u64) {
        self.ctx.ledger.register(
            LedgerProvider::MayaCheckout,
            &payment.id,
            Some(&payment.rrn),
            &payment.currency,
            payment.amount,
        );
        state.insert(payment, now);
    }

    /// Records one money operation on `payment_id`.
    fn record(&self, payment_id: &str, kind: OpKind, amount: Decimal) {
        self.ctx
            .ledger
            .record(LedgerProvider::MayaCheckout, payment_id, kind, amount);
    }
}

impl Provider for MayaCheckout {
    fn handle(&self, req: &SimRequest) -> SimResponse {
        routes::route(self, req)
    }

    fn is_page(&self, req: &SimRequest) -> bool {
        routes::is_page(req)
    }

    fn name(&self) -> &'static str {
        LedgerProvider::MayaCheckout.name()
    }

    fn is_token(&self, _req: &SimRequest) -> bool {
        false
    }

    fn fault_response(&self) -> SimResponse {
        errors::fault()
    }

    fn sweep(&self, budget: usize) {
        let now = self.now();
        let mut state = lock(&self.state);
        let (changed, evicted) = state.sweep(now, budget);
        let events: Vec<_> = changed
            .iter()
            .flat_map(|p| settle::events(&state, p, now))
            .collect();
        drop(state);
        webhooks::fire(self, events);
        self.ctx.evicted(LedgerProvider::MayaCheckout, &evicted);
    }

    fn live_payments(&self) -> usize {
        lock(&self.state).payments.len()
    }

    fn prepare_callback(
        &self,
        payment_id: &str,
        url: Option<String>,
    ) -> Result<crate::callback::Prepared, crate::trigger::TriggerError> {
        webhooks::prepare(self, payment_id, url)
    }
}
