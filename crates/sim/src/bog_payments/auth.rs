//! The Keycloak token endpoint (bog-payments.md §3): HTTP Basic `client_id:client_secret`,
//! form `grant_type=client_credentials`, `expires_in` in seconds, Keycloak's error bodies.

use serde::Serialize;

use super::BogPayments;
use super::errors::oauth;
use crate::form;
use crate::lock::lock;
use crate::random;
use crate::server::{SimRequest, SimResponse};
use crate::tokens::TokenKind;

/// Keycloak's token answer.
#[derive(Serialize)]
struct Token {
    access_token: String,
    expires_in: u64,
    refresh_expires_in: u64,
    token_type: &'static str,
    #[serde(rename = "not-before-policy")]
    not_before_policy: u64,
    scope: &'static str,
}

/// Whether the Basic credentials name the configured client. The raw form is what the docs'
/// curl and every SDK send; the RFC 6749 form (each part form-urlencoded first) is accepted
/// too, since for BOG's alphanumeric secrets the two are the same bytes.
fn credentials_match(payments: &BogPayments, user: &str, password: &str) -> bool {
    let config = &payments.config;
    let raw = user == config.client_id && password == config.client_secret;
    let decoded = form::percent_decode(user, true) == config.client_id
        && form::percent_decode(password, true) == config.client_secret;
    raw || decoded
}

pub(super) fn token(payments: &BogPayments, req: &SimRequest) -> SimResponse {
    let invalid_client = || {
        oauth(
            401,
            "invalid_client",
            "Invalid client or Invalid client credentials",
        )
    };
    let Some((user, password)) = req.basic() else {
        return invalid_client();
    };
    if !credentials_match(payments, &user, &password) {
        return invalid_client();
    }
    if !req.content_type_is("application/x-www-form-urlencoded") {
        return oauth(400, "invalid_request", "Missing form parameter: grant_type");
    }
    match form::get(&req.form(), "grant_type") {
        None | Some("") => {
            return oauth(400, "invalid_request", "Missing form parameter: grant_type");
        }
        Some("client_credentials") => {}
        Some(_) => {
            return oauth(400, "unsupported_grant_type", "Unsupported grant_type");
        }
    }
    let now = payments.now();
    let lifetime = payments.config.token_expires_in_secs;
    let client_id = payments.config.client_id.clone();
    let access = random::jwt(
        "RS256",
        &client_id,
        (now / 1000).saturating_add(lifetime),
        r#","kid":"paykit-sim-bog""#,
    );
    lock(&payments.state).tokens.insert(
        &access,
        TokenKind::Access,
        &client_id,
        now,
        lifetime.saturating_mul(1000),
    );
    payments.ctx.ledger.token_issued(
        crate::ledger::LedgerProvider::BogPayments,
        crate::ledger::TokenIssue::Merchant,
    );
    SimResponse::json(
        200,
        &Token {
            access_token: access,
            expires_in: lifetime,
            refresh_expires_in: 0,
            token_type: "Bearer",
            not_before_policy: 0,
            scope: "profile email",
        },
    )
}
