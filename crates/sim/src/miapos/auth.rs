//! `POST /token` and `POST /token/refresh` (miapos.md §3.1-3.2).

use super::Miapos;
use super::errors;
use super::wire::AuthTokens;
use crate::json::Object;
use crate::lock::lock;
use crate::random;
use crate::server::SimResponse;
use crate::tokens::{Check, TokenKind};

/// Access-token lifetime (observed on the sandbox).
const ACCESS_SECS: u64 = 300;
/// Refresh-token lifetime (observed on the sandbox: 5 days).
const REFRESH_SECS: u64 = 432_000;

fn required(body: &Object<'_>, name: &str) -> Result<String, SimResponse> {
    match body.str(name) {
        Ok(Some(v)) if !v.is_empty() => Ok(v),
        _ => Err(errors::required(name)),
    }
}

pub(super) fn token(miapos: &Miapos, body: &Object<'_>) -> SimResponse {
    let merchant_id = match required(body, "merchantId") {
        Ok(v) => v,
        Err(res) => return res,
    };
    let secret = match required(body, "secretKey") {
        Ok(v) => v,
        Err(res) => return res,
    };
    if merchant_id != miapos.config.merchant_id || secret != miapos.config.secret_key {
        return errors::error(401, "Incorrect merchant id or secret key");
    }
    issue(miapos, &merchant_id)
}

pub(super) fn refresh(miapos: &Miapos, body: &Object<'_>) -> SimResponse {
    let refresh = match required(body, "refreshToken") {
        Ok(v) => v,
        Err(res) => return res,
    };
    let check = lock(&miapos.state)
        .tokens
        .check(&refresh, TokenKind::Refresh, miapos.now());
    match check {
        Check::Valid(subject) => issue(miapos, &subject),
        Check::Expired | Check::Unknown => errors::error(401, "Invalid or expired refresh token"),
    }
}

fn issue(miapos: &Miapos, subject: &str) -> SimResponse {
    let now = miapos.now();
    let exp = now / 1000;
    let access = random::jwt("RS256", subject, exp + ACCESS_SECS, "");
    let refresh = random::jwt("RS256", subject, exp + REFRESH_SECS, "");
    miapos.ctx.ledger.token_issued(
        crate::ledger::LedgerProvider::Miapos,
        crate::ledger::TokenIssue::Merchant,
    );
    let mut state = lock(&miapos.state);
    state
        .tokens
        .insert(&access, TokenKind::Access, subject, now, ACCESS_SECS * 1000);
    state.tokens.insert(
        &refresh,
        TokenKind::Refresh,
        subject,
        now,
        REFRESH_SECS * 1000,
    );
    SimResponse::json(
        200,
        &AuthTokens {
            access_token: access,
            access_token_expires_in: ACCESS_SECS,
            refresh_token: refresh,
            refresh_token_expires_in: REFRESH_SECS,
            token_type: "Bearer",
        },
    )
}
