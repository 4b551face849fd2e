//! Bank of Georgia iPay (bog-ipay.md): `/opay/api/v1/...`, the approve page at
//! `/?order_id=...&locale=...`, and unsigned form callbacks to the merchant's configured URLs.
//!
//! Simulator choices where iPay documents nothing: errors use the three shapes of
//! [`errors`]; after a refund `status_description` reads `REFUNDED` or
//! `PARTIALLY_REFUNDED` (the status stays `success`); a recurring charge answers
//! `in_progress` and settles immediately after (poll to see it); legacy order resources
//! report an unpaid order as `IN_PROGRESS`. Callbacks are sent once (iPay's 5 x 15 s retries
//! are not simulated). Tokens live 60 s of simulator time and carry `expires_in` = the
//! issue instant in epoch milliseconds, as the real service does.

mod auth;
mod customer;
mod errors;
mod legacy;
mod operations;
mod orders;
mod state;
mod validate;
mod wire;

use std::sync::Mutex;

use hyper::Method;

use crate::config::BogConfig;
use crate::ctx::Ctx;
use crate::json::Object;
use crate::lock::lock;
use crate::server::{Provider, SimRequest, SimResponse};
use crate::tokens::{Check, TokenKind};
use state::State;

/// The merchant's callback URLs (changeable at runtime).
#[derive(Debug, Clone, Default)]
pub(crate) struct CallbackUrls {
    pub(crate) status: Option<String>,
    pub(crate) refund: Option<String>,
}

/// The simulated iPay.
#[derive(Debug)]
pub(crate) struct Bog {
    ctx: Ctx,
    config: BogConfig,
    urls: Mutex<CallbackUrls>,
    state: Mutex<State>,
}

impl Bog {
    pub(crate) fn new(ctx: Ctx, config: BogConfig) -> Self {
        let urls = CallbackUrls {
            status: config.callback_url.clone(),
            refund: config.refund_callback_url.clone(),
        };
        let state = Mutex::new(State::with_horizon(ctx.horizon_ms));
        Self {
            ctx,
            config,
            urls: Mutex::new(urls),
            state,
        }
    }

    /// Replaces the merchant's callback URLs.
    pub(crate) fn set_callback_urls(&self, urls: CallbackUrls) {
        *lock(&self.urls) = urls;
    }

    fn now(&self) -> u64 {
        self.ctx.clock.now_ms()
    }

    fn authorize(&self, req: &SimRequest) -> Result<(), SimResponse> {
        let Some(token) = req.bearer() else {
            return Err(errors::oauth(
                401,
                "unauthorized",
                "Full authentication is required to access this resource",
            ));
        };
        match lock(&self.state)
            .tokens
            .check(token, TokenKind::Access, self.now())
        {
            Check::Valid(_) => Ok(()),
            Check::Expired => Err(errors::invalid_token(true)),
            Check::Unknown => Err(errors::invalid_token(false)),
        }
    }

    /// A JSON body, or Spring's 415/400 answers.
    fn json<'a>(&self, req: &'a SimRequest) -> Result<Object<'a>, SimResponse> {
        if !req.content_type_is("application/json") {
            return Err(self.spring(
                req,
                415,
                "Unsupported Media Type",
                "Content type not supported",
            ));
        }
        Object::parse(&req.body)
            .ok_or_else(|| self.spring(req, 400, "Bad Request", "Failed to read HTTP message"))
    }

    fn spring(&self, req: &SimRequest, status: u16, error: &str, message: &str) -> SimResponse {
        errors::spring(status, error, message, &req.path, self.now())
    }

    fn authed(&self, req: &SimRequest, f: impl FnOnce() -> SimResponse) -> SimResponse {
        match self.authorize(req) {
            Ok(()) => f(),
            Err(res) => res,
        }
    }

    fn authed_json(
        &self,
        req: &SimRequest,
        f: impl FnOnce(&Object<'_>) -> SimResponse,
    ) -> SimResponse {
        self.authed(req, || match self.json(req) {
            Ok(body) => f(&body),
            Err(res) => res,
        })
    }
}

impl Provider for Bog {
    fn handle(&self, req: &SimRequest) -> SimResponse {
        let segments = req.segments();
        let path: Vec<&str> = segments.iter().map(String::as_str).collect();
        let (get, post) = (req.method == Method::GET, req.method == Method::POST);
        match path.as_slice() {
            ["opay", "api", "v1", "oauth2", "token"] if post => auth::token(self, req),
            ["opay", "api", "v1", "checkout", "orders"] if post => {
                self.authed_json(req, |b| orders::create(self, b))
            }
            ["opay", "api", "v1", "checkout", "orders", "status", id] if get => {
                self.authed(req, || orders::legacy_status(self, id))
            }
            ["opay", "api", "v1", "checkout", "orders", id] if get => {
                self.authed(req, || orders::legacy_order(self, id))
            }
            ["opay", "api", "v1", "checkout", "payment", "subscription"] if post => {
                self.authed_json(req, |b| operations::subscription(self, b))
            }
            ["opay", "api", "v1", "checkout", "payment", id] if get => {
                self.authed(req, || orders::details(self, id))
            }
            [
                "opay",
                "api",
                "v1",
                "checkout",
                "payment",
                id,
                "pre-auth",
                "completion",
            ] if post => self.authed_json(req, |b| operations::complete_preauth(self, id, b)),
            ["opay", "api", "v1", "checkout", "refund"] if post => {
                self.authed(req, || operations::refund(self, req))
            }
            [] if get => customer::approve_page(self, req),
            ["_sim", "return"] => crate::page::landing("iPay", req),
            _ => self.spring(req, 404, "Not Found", "No message available"),
        }
    }

    fn is_page(&self, req: &SimRequest) -> bool {
        req.path == "/" || req.path.is_empty()
    }

    fn name(&self) -> &'static str {
        "bog"
    }

    fn is_token(&self, req: &SimRequest) -> bool {
        matches!(
            req.segments()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            ["opay", "api", "v1", "oauth2", "token"]
        )
    }

    fn fault_response(&self) -> SimResponse {
        errors::business(500, "INTERNAL_ERROR", "Internal server error")
    }

    fn sweep(&self, budget: usize) {
        let (expired, evicted) = lock(&self.state).expire(self.now(), budget);
        for order in &expired {
            customer::send_status(self, order);
        }
        self.ctx
            .evicted(crate::ledger::LedgerProvider::Bog, &evicted);
    }

    fn live_payments(&self) -> usize {
        lock(&self.state).orders.len()
    }

    fn prepare_callback(
        &self,
        payment_id: &str,
        url: Option<String>,
    ) -> Result<crate::callback::Prepared, crate::trigger::TriggerError> {
        customer::prepare(self, payment_id, url)
    }
}
