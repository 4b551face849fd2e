//! Bank of Georgia Payments API (bog-payments.md), iPay's successor: the Keycloak token
//! endpoint, every route of §2 under `/payments/v1`, the hosted payment page at
//! `/?order_id=...`, and callbacks signed with the simulator's own RSA key in
//! `Callback-Signature`, resent while the merchant does not answer 2xx.
//!
//! Simulator choices where BOG documents nothing (all marked [I] in the notes):
//!
//! - Errors use Spring's `{status, error, message, path, timestamp}`; the message names the
//!   field or the rule (§9.1). An unknown order on `/receipt` is 400 `Invalid order_id`;
//!   on the other routes 404 `Order not found`.
//! - Refund, approve and cancel settle at once: the acknowledgement is answered, the
//!   receipt already shows the outcome and the callback is on its way (the intermediate
//!   `refund_requested` / `auth_requested` are not held).
//! - `callback_url` must be HTTPS, except plain HTTP to a loopback host (local merchants).
//! - Basket totals are not cross-checked against `total_amount` (whether BOG does is
//!   unknown, §4.3).
//! - An `Idempotency-Key` must be a v4 UUID (400 otherwise). A repeat replays the first
//!   answer (status and body) whatever the new body, unless
//!   [`crate::BogPaymentsConfig::reject_idempotency_mismatch`] asks for 422. A repeat while the
//!   first is still processed gets 409. A missing key means no replay (the key is optional).
//! - Settled orders are forgotten after the retention horizon, except parents of a saved
//!   card, which stay until the card is deleted.

mod auth;
mod customer;
mod errors;
mod idempotency;
mod operations;
mod orders;
mod state;
mod validate;
mod wire;

use std::sync::Mutex;

use aws_lc_rs::digest;
use hyper::Method;

use crate::config::BogPaymentsConfig;
use crate::ctx::Ctx;
use crate::json::Object;
use crate::ledger::{LedgerProvider, OpKind};
use crate::lock::lock;
use crate::server::{Provider, SimRequest, SimResponse};
use crate::signing::bog_payments::CallbackSigner;
use crate::tokens::{Check, TokenKind};
use idempotency::{Entry, is_uuid_v4, scope};
use state::State;

/// The Keycloak token path.
pub(crate) const TOKEN_PATH: &str = "/auth/realms/bog/protocol/openid-connect/token";

/// The API's path prefix (the real base is `https://api.bog.ge/payments/v1`).
pub(crate) const API_PREFIX: &str = "/payments/v1";

/// The simulated Payments API.
#[derive(Debug)]
pub(crate) struct BogPayments {
    ctx: Ctx,
    config: BogPaymentsConfig,
    signer: CallbackSigner,
    state: Mutex<State>,
}

/// One authenticated API request.
pub(crate) struct Call<'a> {
    pub(crate) req: &'a SimRequest,
    /// The client the bearer token was issued to.
    pub(crate) client_id: String,
    pub(crate) now: u64,
}

impl Call<'_> {
    /// A Spring error body for this request.
    pub(crate) fn error(&self, status: u16, message: &str) -> SimResponse {
        errors::spring(status, message, &self.req.path, self.now)
    }
}

impl BogPayments {
    pub(crate) fn new(ctx: Ctx, config: BogPaymentsConfig, signer: CallbackSigner) -> Self {
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

    /// `{listener}/payments/v1`.
    fn api_base(&self) -> String {
        format!("{}{API_PREFIX}", self.ctx.base_url)
    }

    fn error(&self, req: &SimRequest, status: u16, message: &str) -> SimResponse {
        errors::spring(status, message, &req.path, self.now())
    }

    /// The client of a valid bearer token, or the 401.
    fn authorize<'a>(&self, req: &'a SimRequest) -> Result<Call<'a>, SimResponse> {
        let now = self.now();
        let Some(token) = req.bearer() else {
            return Err(self.error(req, 401, "Full authentication is required"));
        };
        match lock(&self.state)
            .tokens
            .check(token, TokenKind::Access, now)
        {
            Check::Valid(client_id) => Ok(Call {
                req,
                client_id,
                now,
            }),
            Check::Expired => Err(self.error(req, 401, "Access token expired")),
            Check::Unknown => Err(self.error(req, 401, "Invalid access token")),
        }
    }

    /// A read: authenticated, never replayed.
    fn read(&self, req: &SimRequest, f: impl FnOnce(&Call<'_>) -> SimResponse) -> SimResponse {
        match self.authorize(req) {
            Ok(call) => f(&call),
            Err(res) => res,
        }
    }

    /// A mutating call: authenticated, then answered from the idempotency store when its
    /// key was seen, else processed and its answer stored (unless a 5xx).
    fn mutate(&self, req: &SimRequest, f: impl FnOnce(&Call<'_>) -> SimResponse) -> SimResponse {
        let call = match self.authorize(req) {
            Ok(call) => call,
            Err(res) => return res,
        };
        if !req.headers.contains_key("idempotency-key") {
            return f(&call);
        }
        let key = req.header("idempotency-key").unwrap_or_default().trim();
        if !is_uuid_v4(key) {
            return call.error(400, "Idempotency-Key must be a UUID v4");
        }
        let scope = scope(&call.client_id, req.method.as_str(), &req.path, key);
        let body_digest = sha256(&req.body);
        let ttl_ms = u64::try_from(self.config.idempotency_ttl.as_millis()).unwrap_or(u64::MAX);
        {
            let mut state = lock(&self.state);
            match state.idempotency.get(&scope, call.now) {
                Some(Entry::InFlight) => {
                    return call.error(
                        409,
                        "A request with this Idempotency-Key is still being processed",
                    );
                }
                Some(Entry::Done {
                    body_digest: first,
                    response,
                }) => {
                    if *first != body_digest && self.config.reject_idempotency_mismatch {
                        return call.error(
                            422,
                            "Idempotency-Key was already used with a different request body",
                        );
                    }
                    return response.clone();
                }
                None => state
                    .idempotency
                    .put(&scope, Entry::InFlight, call.now, ttl_ms),
            }
        }
        let response = f(&call);
        let mut state = lock(&self.state);
        if response.status.is_server_error() {
            state.idempotency.remove(&scope);
        } else {
            state.idempotency.put(
                &scope,
                Entry::Done {
                    body_digest,
                    response: response.clone(),
                },
                call.now,
                ttl_ms,
            );
        }
        response
    }

    /// A required JSON object body.
    fn json<'a>(call: &Call<'a>) -> Result<Object<'a>, SimResponse> {
        if !call.req.content_type_is("application/json") {
            return Err(call.error(415, "Content-Type must be application/json"));
        }
        Object::parse(&call.req.body).ok_or_else(|| call.error(400, "Malformed JSON request body"))
    }

    /// A JSON object body that may be absent (an empty body reads as `{}`).
    fn optional_json<'a>(call: &Call<'a>) -> Result<Object<'a>, SimResponse> {
        if call.req.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Object::default());
        }
        Self::json(call)
    }

    fn with_json(call: &Call<'_>, f: impl FnOnce(&Object<'_>) -> SimResponse) -> SimResponse {
        match Self::json(call) {
            Ok(body) => f(&body),
            Err(res) => res,
        }
    }

    fn with_optional_json(
        call: &Call<'_>,
        f: impl FnOnce(&Object<'_>) -> SimResponse,
    ) -> SimResponse {
        match Self::optional_json(call) {
            Ok(body) => f(&body),
            Err(res) => res,
        }
    }

    fn ledger(&self, order_id: &str, kind: OpKind, amount: rust_decimal::Decimal) {
        self.ctx
            .ledger
            .record(LedgerProvider::BogPayments, order_id, kind, amount);
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0_u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, bytes).as_ref());
    out
}

/// Whether `path` is one of the API's routes (with another method it answers 405).
fn is_route(path: &[&str]) -> bool {
    matches!(
        path,
        ["payments", "v1", "ecommerce", "orders"]
            | ["payments", "v1", "ecommerce", "orders", _]
            | [
                "payments",
                "v1",
                "ecommerce",
                "orders",
                _,
                "subscribe" | "payment"
            ]
            | ["payments", "v1", "receipt", _]
            | ["payments", "v1", "payment", "refund", _]
            | [
                "payments",
                "v1",
                "payment",
                "authorization",
                "approve" | "cancel",
                _
            ]
            | ["payments", "v1", "orders", _, "cards" | "subscriptions"]
            | ["payments", "v1", "charges", "card", _]
            | [
                "auth",
                "realms",
                "bog",
                "protocol",
                "openid-connect",
                "token"
            ]
    )
}

impl Provider for BogPayments {
    fn handle(&self, req: &SimRequest) -> SimResponse {
        let segments = req.segments();
        let path: Vec<&str> = segments.iter().map(String::as_str).collect();
        let m = &req.method;
        let (get, post, put) = (m == Method::GET, m == Method::POST, m == Method::PUT);
        match path.as_slice() {
            [
                "auth",
                "realms",
                "bog",
                "protocol",
                "openid-connect",
                "token",
            ] if post => auth::token(self, req),
            ["payments", "v1", "ecommerce", "orders"] if post => self.mutate(req, |c| {
                Self::with_json(c, |b| orders::create(self, c, b, None))
            }),
            ["payments", "v1", "ecommerce", "orders", parent] if post => self.mutate(req, |c| {
                Self::with_json(c, |b| orders::create(self, c, b, Some(parent)))
            }),
            ["payments", "v1", "ecommerce", "orders", parent, "subscribe"] if post => self
                .mutate(req, |c| {
                    Self::with_optional_json(c, |b| orders::subscribe(self, c, parent, b))
                }),
            ["payments", "v1", "ecommerce", "orders", id, "payment"] if post => self
                .mutate(req, |c| {
                    Self::with_json(c, |b| orders::apple_pay_accept(self, c, id, b))
                }),
            ["payments", "v1", "receipt", id] if get => {
                self.read(req, |c| orders::receipt(self, c, id))
            }
            ["payments", "v1", "payment", "refund", id] if post => self.mutate(req, |c| {
                Self::with_optional_json(c, |b| operations::refund(self, c, id, b))
            }),
            ["payments", "v1", "payment", "authorization", "approve", id] if post => self
                .mutate(req, |c| {
                    Self::with_optional_json(c, |b| operations::approve(self, c, id, b))
                }),
            ["payments", "v1", "payment", "authorization", "cancel", id] if post => self
                .mutate(req, |c| {
                    Self::with_optional_json(c, |b| operations::cancel(self, c, id, b))
                }),
            ["payments", "v1", "orders", id, "cards"] if put => self.mutate(req, |c| {
                operations::save_card(self, c, id, state::SavedKind::Recurrent)
            }),
            ["payments", "v1", "orders", id, "subscriptions"] if put => self.mutate(req, |c| {
                operations::save_card(self, c, id, state::SavedKind::Subscription)
            }),
            ["payments", "v1", "charges", "card", id] if m == Method::DELETE => {
                self.mutate(req, |c| operations::delete_card(self, c, id))
            }
            [] if get => customer::page(self, req),
            ["_sim", "return"] => crate::page::landing("Bank of Georgia Payments", req),
            known if is_route(known) => self.error(
                req,
                405,
                &format!("Request method '{}' is not supported", req.method),
            ),
            _ => self.error(req, 404, "No static resource"),
        }
    }

    fn is_page(&self, req: &SimRequest) -> bool {
        req.path == "/" || req.path.is_empty()
    }

    fn name(&self) -> &'static str {
        LedgerProvider::BogPayments.name()
    }

    fn is_token(&self, req: &SimRequest) -> bool {
        req.path == TOKEN_PATH
    }

    fn fault_response(&self) -> SimResponse {
        errors::spring(500, "Internal server error", "", self.now())
    }

    fn rate_limited_response(&self) -> Option<SimResponse> {
        Some(errors::spring(429, "Rate limit exceeded", "", self.now()))
    }

    fn sweep(&self, budget: usize) {
        let now = self.now();
        let settled = {
            let mut state = lock(&self.state);
            let mut settled = Vec::new();
            for id in state.take_due(now, budget) {
                let Some(order) = state.orders.get_mut(&id, now) else {
                    continue;
                };
                let Some(pending) = order.pending.take() else {
                    continue;
                };
                if operations::settle(self, order, pending, now) {
                    settled.push(order.clone());
                }
            }
            settled
        };
        for order in &settled {
            customer::send_callback(self, order);
        }
        let (expired, evicted) = lock(&self.state).expire(now, budget);
        for order in &expired {
            // A blocked amount that lapsed is released.
            if order.payment.is_some() {
                let held = order.transfer_amount.unwrap_or(order.request_amount);
                self.ledger(&order.order_id, OpKind::Void, held);
            }
            customer::send_callback(self, order);
        }
        self.ctx.evicted(LedgerProvider::BogPayments, &evicted);
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
