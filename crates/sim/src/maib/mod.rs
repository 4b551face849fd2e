//! maib e-commerce API v1 (maib.md): `/v1/...` endpoints, the hosted payment page at
//! `/ecomm01/ClientHandler?trans_id=...`, and signed JSON callbacks.
//!
//! Simulator choices where maib documents nothing: an invalid or expired access token gets
//! HTTP 401 with code `11003`; amounts above 1 000 000 get 12014; `pay-info` and
//! `delete-card` reject a body or a `Content-Type` header (the docs forbid both) with 12002;
//! a second refund gets 13116; the Project's callback URL defaults to the simulator's own
//! sink (so 13109 never occurs); a declined card yields status `FAILED`, code `116`; callbacks
//! are delivered once (maib's retry schedule is not simulated), only after the payment page,
//! never for complete/refund/execute-recurring. Unpaid payments become `TIMEOUT` after 10
//! minutes of simulator time.

mod auth;
mod cards;
mod customer;
mod errors;
mod fields;
mod payments;
mod state;
mod twostep;
mod validate;
mod wire;

use std::sync::Mutex;

use hyper::Method;

use crate::config::MaibConfig;
use crate::ctx::Ctx;
use crate::json::Object;
use crate::lock::lock;
use crate::server::{Provider, SimRequest, SimResponse};
use errors::MaibError;
use state::{PayKind, State};

/// The simulated maib.
#[derive(Debug)]
pub(crate) struct Maib {
    ctx: Ctx,
    config: MaibConfig,
    state: Mutex<State>,
}

impl Maib {
    pub(crate) fn new(ctx: Ctx, config: MaibConfig) -> Self {
        let state = Mutex::new(State::with_horizon(ctx.horizon_ms));
        Self { ctx, config, state }
    }

    fn now(&self) -> u64 {
        self.ctx.clock.now_ms()
    }

    /// Checks the bearer token.
    fn authorize(&self, req: &SimRequest) -> Result<(), SimResponse> {
        let now = self.now();
        let valid = req.bearer().is_some_and(|token| {
            matches!(
                lock(&self.state)
                    .tokens
                    .check(token, crate::tokens::TokenKind::Access, now),
                crate::tokens::Check::Valid(_)
            )
        });
        if valid {
            Ok(())
        } else {
            Err(errors::one(MaibError::bad_access_token()))
        }
    }

    /// The JSON object body of a POST.
    fn body<'a>(req: &'a SimRequest) -> Result<Object<'a>, SimResponse> {
        if !req.content_type_is("application/json") {
            return Err(errors::one(MaibError::bad_request(
                "Content-Type must be application/json",
            ))
            .with_status(415));
        }
        Object::parse(&req.body)
            .ok_or_else(|| errors::one(MaibError::bad_request("body is not a JSON object")))
    }

    /// GET/DELETE must carry neither a body nor a Content-Type (maib.md §1).
    fn bodyless(req: &SimRequest) -> Result<(), SimResponse> {
        if req.body.is_empty() && !req.has_content_type() {
            Ok(())
        } else {
            Err(errors::one(MaibError::bad_request(
                "GET and DELETE requests must not have a body or Content-Type",
            )))
        }
    }

    fn route(&self, req: &SimRequest) -> SimResponse {
        let segments = req.segments();
        let path: Vec<&str> = segments.iter().map(String::as_str).collect();
        let post = req.method == Method::POST;
        let register = |kind| self.guarded(req, |body| payments::register(self, body, kind));
        match path.as_slice() {
            ["v1", "generate-token"] if post => match Self::body(req) {
                Ok(body) => auth::generate_token(self, &body),
                Err(res) => res,
            },
            ["v1", "pay"] if post => register(PayKind::Direct),
            ["v1", "hold"] if post => register(PayKind::Hold),
            ["v1", "savecard-recurring"] if post => register(PayKind::SaveRecurring),
            ["v1", "savecard-oneclick"] if post => register(PayKind::SaveOneClick),
            ["v1", "execute-oneclick"] if post => register(PayKind::ExecuteOneClick),
            ["v1", "execute-recurring"] if post => {
                self.guarded(req, |body| cards::execute_recurring(self, body))
            }
            ["v1", "complete"] if post => self.guarded(req, |body| twostep::complete(self, body)),
            ["v1", "refund"] if post => self.guarded(req, |body| twostep::refund(self, body)),
            ["v1", "pay-info", id] if req.method == Method::GET => self
                .authorize(req)
                .and_then(|()| Self::bodyless(req))
                .map_or_else(|res| res, |()| payments::pay_info(self, id)),
            ["v1", "delete-card", id] if req.method == Method::DELETE => self
                .authorize(req)
                .and_then(|()| Self::bodyless(req))
                .map_or_else(|res| res, |()| cards::delete(self, id)),
            ["ecomm01", "ClientHandler"] if req.method == Method::GET => {
                customer::payment_page(self, req)
            }
            ["_sim", "return"] => crate::page::landing("maib", req),
            ["_sim", "callbacks"] if post => SimResponse::empty(200),
            _ => errors::one(MaibError::bad_request("unknown endpoint")).with_status(404),
        }
    }

    /// Authorizes, reads the JSON body, then runs `f`.
    fn guarded(&self, req: &SimRequest, f: impl FnOnce(&Object<'_>) -> SimResponse) -> SimResponse {
        if let Err(res) = self.authorize(req) {
            return res;
        }
        match Self::body(req) {
            Ok(body) => f(&body),
            Err(res) => res,
        }
    }
}

impl Provider for Maib {
    fn handle(&self, req: &SimRequest) -> SimResponse {
        self.route(req)
    }

    fn is_page(&self, req: &SimRequest) -> bool {
        req.path == "/ecomm01/ClientHandler"
    }

    fn name(&self) -> &'static str {
        "maib"
    }

    fn is_token(&self, req: &SimRequest) -> bool {
        matches!(
            req.segments()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            ["v1", "generate-token"]
        )
    }

    fn fault_response(&self) -> SimResponse {
        errors::one(MaibError::internal())
    }

    fn sweep(&self, budget: usize) {
        let evicted = lock(&self.state).expire(self.now(), budget);
        self.ctx
            .evicted(crate::ledger::LedgerProvider::Maib, &evicted);
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
