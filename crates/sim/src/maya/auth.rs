//! Maya's tokens: the Maya Connect client-credentials grant and the customer token refresh
//! (`POST /tokens`, maya.md §3, §4.2).

use super::Maya;
use super::errors::{self, Parameter};
use super::state::{CLIENT_TOKEN_SECS, CUSTOMER_ACCESS_SECS, CUSTOMER_REFRESH_SECS};
use super::wire::{ClientToken, CustomerTokens};
use crate::form;
use crate::json::Object;
use crate::lock::lock;
use crate::random;
use crate::server::{SimRequest, SimResponse};
use crate::tokens::{Check, TokenKind};

pub(super) fn client_token(maya: &Maya, req: &SimRequest) -> SimResponse {
    let Some((id, secret)) = req.basic() else {
        return errors::oauth(401, "invalid_client", "Bad client credentials.");
    };
    if id != maya.config.client_id || secret != maya.config.client_secret {
        return errors::oauth(401, "invalid_client", "Bad client credentials.");
    }
    let grant = if req.content_type_is("application/json") {
        Object::parse(&req.body).and_then(|o| o.str("grant_type").ok().flatten())
    } else {
        form::get(&req.form(), "grant_type").map(str::to_owned)
    };
    match grant.as_deref() {
        None | Some("") => return errors::oauth(400, "invalid_request", "Missing grant type."),
        Some("client_credentials") => {}
        Some("refresh_token") => {
            return errors::oauth(
                401,
                "invalid_client",
                "Unauthorized grant type: refresh_token.",
            );
        }
        Some(other) => {
            return errors::oauth(
                400,
                "unsupported_grant_type",
                &format!("Unsupported grant type: {other}"),
            );
        }
    }
    let now = maya.now();
    let token = random::jwt("RS256", &id, now / 1000 + CLIENT_TOKEN_SECS, "");
    lock(&maya.state).clients.insert(
        &token,
        TokenKind::Access,
        &id,
        now,
        CLIENT_TOKEN_SECS * 1000,
    );
    maya.ctx.ledger.token_issued(
        crate::ledger::LedgerProvider::Maya,
        crate::ledger::TokenIssue::Merchant,
    );
    SimResponse::json(
        200,
        &ClientToken {
            access_token: token,
            token_type: "Bearer",
            expires_in: CLIENT_TOKEN_SECS,
        },
    )
}

/// Issues a customer token pair.
pub(super) fn issue_customer(maya: &Maya, customer: &str) -> CustomerTokens {
    let now = maya.now();
    let expires_at = now / 1000 + CUSTOMER_ACCESS_SECS;
    let access = random::jwt("RSA-OAEP-256", customer, expires_at, r#","enc":"A256GCM""#);
    let refresh = random::jwt("HS256", customer, now / 1000 + CUSTOMER_REFRESH_SECS, "");
    let mut state = lock(&maya.state);
    state.customers.insert(
        &access,
        TokenKind::Access,
        customer,
        now,
        CUSTOMER_ACCESS_SECS * 1000,
    );
    state.customers.insert(
        &refresh,
        TokenKind::Refresh,
        customer,
        now,
        CUSTOMER_REFRESH_SECS * 1000,
    );
    CustomerTokens {
        access_token: access,
        refresh_token: refresh,
        expires_at,
    }
}

pub(super) fn refresh(maya: &Maya, req: &SimRequest) -> SimResponse {
    if let Err(res) = maya.client(req) {
        return res;
    }
    if let Err(res) = Maya::reference(req) {
        return res;
    }
    let body = match Maya::body(req, false) {
        Ok(b) => b,
        Err(res) => return res,
    };
    let Ok(Some(refresh)) = body.str("refreshToken") else {
        return errors::invalid(&[Parameter::new("refreshToken", "refreshToken is required.")]);
    };
    let customer = {
        let mut state = lock(&maya.state);
        match state
            .customers
            .check(&refresh, TokenKind::Refresh, maya.now())
        {
            Check::Valid(customer) => {
                // Refresh tokens rotate: the old one stops working.
                state.customers.revoke(&refresh);
                customer
            }
            Check::Expired | Check::Unknown => {
                return errors::oauth(400, "invalid_token", "Invalid refresh token.");
            }
        }
    };
    maya.ctx.ledger.token_issued(
        crate::ledger::LedgerProvider::Maya,
        crate::ledger::TokenIssue::CustomerRefresh,
    );
    SimResponse::json(200, &issue_customer(maya, &customer))
}
