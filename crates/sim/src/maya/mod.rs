//! Maya Mini App payments (maya.md) on the "op" host: the client-credentials token, customer
//! token refresh (`POST /tokens`), `GET /profile`, `POST /merchant/payments` and
//! `POST /merchant/payments/{id}/execute`. Maya sends no callbacks; the outcome is the
//! execute response.
//!
//! Simulator choices where Maya publishes nothing: the OAuth token endpoint is
//! `POST /oauth/token` (Maya Connect's error texts are Spring Security OAuth2's, whose token
//! endpoint lives there) and takes a form or JSON body; customer access tokens live 15
//! minutes and refresh tokens a day, and refreshing rotates the refresh token; a bad or
//! missing customer token gets the gateway's `K001`/`K002`/`K003` 401; create answers with
//! the documented fields only, and execute adds `status: "APPROVED"` or `"DECLINED"` (200;
//! `.01` cents decline); executing an expired payment, or another customer's, gets `PY0044`; a
//! second execute gets `PY0010` (HTTP 400). Customer sessions are opened by
//! [`crate::Simulator::open_maya_session`] or `POST /_sim/sessions`.

mod auth;
mod errors;
mod payments;
mod state;
mod wire;

use std::sync::Mutex;

use hyper::Method;

use crate::config::MayaConfig;
use crate::ctx::Ctx;
use crate::info::MayaSession;
use crate::json::Object;
use crate::lock::lock;
use crate::server::{Provider, SimRequest, SimResponse};
use crate::tokens::{Check, TokenKind};
use errors::Parameter;
use state::State;

/// Where the client-credentials token endpoint is served.
pub(crate) const TOKEN_PATH: &str = "/oauth/token";

/// The simulated Maya.
#[derive(Debug)]
pub(crate) struct Maya {
    ctx: Ctx,
    config: MayaConfig,
    state: Mutex<State>,
}

impl Maya {
    pub(crate) fn new(ctx: Ctx, config: MayaConfig) -> Self {
        let state = Mutex::new(State::with_horizon(ctx.horizon_ms));
        Self { ctx, config, state }
    }

    fn now(&self) -> u64 {
        self.ctx.clock.now_ms()
    }

    /// Starts a customer session: a fresh customer and token pair.
    pub(crate) fn new_session(&self) -> MayaSession {
        let customer = {
            let mut state = lock(&self.state);
            state.last_customer = state.last_customer.saturating_add(1);
            format!("cust-{}", state.last_customer)
        };
        let tokens = auth::issue_customer(self, &customer);
        MayaSession {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            expires_at: tokens.expires_at,
            session_id: None,
            customer_id: customer,
        }
    }

    /// Checks `Authorization: Bearer <client token>`.
    fn client(&self, req: &SimRequest) -> Result<(), SimResponse> {
        let Some(token) = req.bearer() else {
            return Err(errors::key("K001", "Missing authentication credentials."));
        };
        match lock(&self.state)
            .clients
            .check(token, TokenKind::Access, self.now())
        {
            Check::Valid(_) => Ok(()),
            Check::Expired => Err(errors::key("K002", "Key has expired.")),
            Check::Unknown => Err(errors::key(
                "K003",
                "Invalid authentication credentials. Kindly verify if the key you are using is \
                 correct.",
            )),
        }
    }

    /// Checks `X-Authorization: <customer access token>`; returns the customer.
    fn customer(&self, req: &SimRequest) -> Result<String, SimResponse> {
        let Some(token) = req
            .header("x-authorization")
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return Err(errors::key("K001", "Missing customer access token."));
        };
        match lock(&self.state)
            .customers
            .check(token, TokenKind::Access, self.now())
        {
            Check::Valid(customer) => Ok(customer),
            Check::Expired => Err(errors::key("K002", "Customer access token has expired.")),
            Check::Unknown => Err(errors::key("K003", "Invalid customer access token.")),
        }
    }

    /// The `Request-Reference-No` header (a UUID, at most 36 characters).
    fn reference(req: &SimRequest) -> Result<String, SimResponse> {
        let Some(rrn) = req.header("request-reference-no") else {
            return Err(errors::invalid(&[Parameter::new(
                "Request-Reference-No",
                "Request-Reference-No header is required.",
            )]));
        };
        if is_uuid(rrn) {
            Ok(rrn.to_owned())
        } else {
            Err(errors::invalid(&[Parameter::new(
                "Request-Reference-No",
                "Request-Reference-No must be a UUID.",
            )]))
        }
    }

    /// A JSON object body; an empty body reads as `{}` when `allow_empty`.
    fn body<'a>(req: &'a SimRequest, allow_empty: bool) -> Result<Object<'a>, SimResponse> {
        if allow_empty && req.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Object::default());
        }
        if !req.content_type_is("application/json") {
            return Err(errors::payment(
                415,
                "PY0064",
                "Content-Type must be application/json.",
            ));
        }
        Object::parse(&req.body)
            .ok_or_else(|| errors::payment(400, "PY0064", "Request body is not a valid JSON."))
    }
}

/// Whether `text` is a hyphenated UUID (8-4-4-4-12 hex digits).
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Provider for Maya {
    fn handle(&self, req: &SimRequest) -> SimResponse {
        let segments = req.segments();
        let path: Vec<&str> = segments.iter().map(String::as_str).collect();
        let (get, post) = (req.method == Method::GET, req.method == Method::POST);
        match path.as_slice() {
            ["oauth", "token"] if post => auth::client_token(self, req),
            ["tokens"] if post => auth::refresh(self, req),
            ["profile"] if get => payments::profile(self, req),
            ["merchant", "payments"] if post => payments::create(self, req),
            ["merchant", "payments", id, "execute"] if post => payments::execute(self, req, id),
            ["_sim", "sessions"] if post => {
                let s = self.new_session();
                SimResponse::json(
                    200,
                    &wire::CustomerTokens {
                        access_token: s.access_token,
                        refresh_token: s.refresh_token,
                        expires_at: s.expires_at,
                    },
                )
            }
            _ => errors::payment(404, "PY0009", "Resource not found."),
        }
    }

    fn is_page(&self, _req: &SimRequest) -> bool {
        false
    }

    fn name(&self) -> &'static str {
        "maya"
    }

    fn is_token(&self, req: &SimRequest) -> bool {
        matches!(
            req.segments()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            ["oauth", "token"]
        )
    }

    fn fault_response(&self) -> SimResponse {
        errors::payment(500, "PY9999", "System error. Please try again.")
    }

    fn sweep(&self, budget: usize) {
        let evicted = lock(&self.state).expire(self.now(), budget);
        self.ctx
            .evicted(crate::ledger::LedgerProvider::Maya, &evicted);
    }

    fn live_payments(&self) -> usize {
        lock(&self.state).payments.len()
    }
}

#[cfg(test)]
mod tests {
    use super::is_uuid;

    #[test]
    fn uuid_shape() {
        assert!(is_uuid("9b2e4c1a-5d6f-4e3b-8a7c-1f2d3e4a5b6c"));
        assert!(!is_uuid("9b2e4c1a5d6f4e3b8a7c1f2d3e4a5b6c"));
        assert!(!is_uuid("9b2e4c1a-5d6f-4e3b-8a7c-1f2d3e4a5b6z"));
        assert!(!is_uuid(""));
    }
}
