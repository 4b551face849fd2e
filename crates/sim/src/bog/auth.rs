//! `POST /oauth2/token` (bog-ipay.md §3): Basic client credentials, form body,
//! `expires_in` as epoch milliseconds, and a real lifetime of about a minute.

use super::Bog;
use super::errors;
use super::wire::Token;
use crate::form;
use crate::lock::lock;
use crate::random;
use crate::server::{SimRequest, SimResponse};
use crate::tokens::TokenKind;

/// How long a token really works (helix's measurement: about 60 s after issue).
const LIFETIME_MS: u64 = 60_000;

pub(super) fn token(bog: &Bog, req: &SimRequest) -> SimResponse {
    let Some((client_id, secret)) = req.basic() else {
        return errors::oauth(401, "invalid_client", "Bad client credentials");
    };
    if client_id != bog.config.client_id || secret != bog.config.secret_key {
        return errors::oauth(401, "invalid_client", "Bad client credentials");
    }
    if !req.content_type_is("application/x-www-form-urlencoded") {
        return errors::oauth(
            400,
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        );
    }
    let body = req.form();
    match form::get(&body, "grant_type") {
        None | Some("") => return errors::oauth(400, "invalid_request", "Missing grant type"),
        Some("client_credentials") => {}
        Some(other) => {
            return errors::oauth(
                400,
                "unsupported_grant_type",
                &format!("Unsupported grant type: {other}"),
            );
        }
    }
    let now = bog.now();
    let header = format!(
        r#","kid":"{}","cty":"application/json""#,
        client_id.replace(['"', '\\'], "")
    );
    let access = random::jwt("HS256", "Public payment API V1", now / 1000, &header);
    lock(&bog.state)
        .tokens
        .insert(&access, TokenKind::Access, &client_id, now, LIFETIME_MS);
    bog.ctx.ledger.token_issued(
        crate::ledger::LedgerProvider::Bog,
        crate::ledger::TokenIssue::Merchant,
    );
    SimResponse::json(
        200,
        &Token {
            access_token: access,
            token_type: "Bearer",
            app_id: "1A2019",
            expires_in: now,
        },
    )
}
