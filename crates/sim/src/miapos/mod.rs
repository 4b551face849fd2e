//! miaPOS e-commerce protocol (miapos.md): `/ecomm/api/v1/...`, the checkout page at
//! `/checkout?paymentId=...`, and RSA-signed JSON callbacks.
//!
//! Simulator choices: opening the checkout page settles the payment at once (the sandbox
//! takes about 10 s): `SUCCESS`, `DECLINED` when the amount's cents are `.01`, `FAILED` for a
//! currency other than MDL (as the sandbox does). The checkout page also settles payments made
//! with `request-to-pay/direct` (standing in for the payer's banking app). Unpaid payments
//! expire after 5 minutes of simulator time, with an `EXPIRED` callback. Callbacks are sent
//! once, as miaPOS does. Amounts with more than two decimals are rejected.

mod auth;
mod customer;
mod errors;
mod payments;
mod state;
mod validate;
mod wire;

use std::sync::Mutex;

use hyper::Method;

use crate::config::MiaposConfig;
use crate::ctx::Ctx;
use crate::json::Object;
use crate::lock::lock;
use crate::server::{Provider, SimRequest, SimResponse};
use crate::signing::miapos::RsaSigner;
use crate::tokens::{Check, TokenKind};
use state::State;

/// The simulated miaPOS.
#[derive(Debug)]
pub(crate) struct Miapos {
    ctx: Ctx,
    config: MiaposConfig,
    signer: RsaSigner,
    state: Mutex<State>,
}

impl Miapos {
    pub(crate) fn new(ctx: Ctx, config: MiaposConfig, signer: RsaSigner) -> Self {
        let state = Mutex::new(State::with_horizon(ctx.horizon_ms));
        Self {
            ctx,
            config,
            signer,
            state,
        }
    }

    fn now(&self) -> u64 {
        self.ctx.clock.now_ms()
    }

    fn authorize(&self, req: &SimRequest) -> Result<(), SimResponse> {
        let now = self.now();
        let valid = req.bearer().is_some_and(|token| {
            matches!(
                lock(&self.state)
                    .tokens
                    .check(token, TokenKind::Access, now),
                Check::Valid(_)
            )
        });
        if valid {
            Ok(())
        } else {
            Err(errors::unauthorized())
        }
    }

    fn body<'a>(req: &'a SimRequest) -> Result<Object<'a>, SimResponse> {
        if !req.content_type_is("application/json") {
            return Err(errors::error(415, "Content-Type must be application/json"));
        }
        Object::parse(&req.body).ok_or_else(|| errors::error(400, "Malformed JSON request"))
    }

    fn with_body(req: &SimRequest, f: impl FnOnce(&Object<'_>) -> SimResponse) -> SimResponse {
        match Self::body(req) {
            Ok(body) => f(&body),
            Err(res) => res,
        }
    }

    fn authed(&self, req: &SimRequest, f: impl FnOnce() -> SimResponse) -> SimResponse {
        match self.authorize(req) {
            Ok(()) => f(),
            Err(res) => res,
        }
    }
}

impl Provider for Miapos {
    fn handle(&self, req: &SimRequest) -> SimResponse {
        let segments = req.segments();
        let path: Vec<&str> = segments.iter().map(String::as_str).collect();
        let post = req.method == Method::POST;
        let get = req.method == Method::GET;
        match path.as_slice() {
            ["ecomm", "api", "v1", "token"] if post => {
                Self::with_body(req, |b| auth::token(self, b))
            }
            ["ecomm", "api", "v1", "token", "refresh"] if post => {
                Self::with_body(req, |b| auth::refresh(self, b))
            }
            ["ecomm", "api", "v1", "pay"] if post => self.authed(req, || {
                Self::with_body(req, |b| payments::create(self, b, false))
            }),
            ["ecomm", "api", "v1", "request-to-pay", "direct"] if post => self.authed(req, || {
                Self::with_body(req, |b| payments::create(self, b, true))
            }),
            ["ecomm", "api", "v1", "payment", id] if get => {
                self.authed(req, || payments::status(self, id))
            }
            ["ecomm", "api", "v1", "public-key"] if get => {
                self.authed(req, || payments::public_key(self))
            }
            ["checkout"] if get => customer::checkout(self, req),
            ["_sim", "return"] => crate::page::landing("miaPOS", req),
            _ => errors::error(404, "Not found"),
        }
    }

    fn is_page(&self, req: &SimRequest) -> bool {
        req.path == "/checkout"
    }

    fn name(&self) -> &'static str {
        "miapos"
    }

    fn is_token(&self, req: &SimRequest) -> bool {
        matches!(
            req.segments()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            ["ecomm", "api", "v1", "token", ..]
        )
    }

    fn fault_response(&self) -> SimResponse {
        errors::error(500, "Internal server error")
    }

    fn sweep(&self, budget: usize) {
        let (expired, evicted) = lock(&self.state).expire(self.now(), budget);
        for payment in &expired {
            customer::send_callback(self, payment);
        }
        self.ctx
            .evicted(crate::ledger::LedgerProvider::Miapos, &evicted);
    }

    fn live_payments(&self) -> usize {
        lock(&self.state).payments.len()
    }

    fn prepare_callback(
        &self,
        payment_id: &str,
        url: Option<String>,
    ) -> Result<crate::callback::Prepared, crate::trigger::TriggerError> {
        customer::prepare(self, payment_id, url)
    }
}
