//! `POST /v1/generate-token` (maib.md §2): project credentials or a refresh token.

use super::Maib;
use super::errors::{self, MaibError};
use super::wire::TokenResult;
use crate::json::Object;
use crate::lock::lock;
use crate::random;
use crate::server::SimResponse;
use crate::tokens::{Check, TokenKind};

/// Access-token lifetime (the docs' example value).
const ACCESS_SECS: u64 = 300;
/// Refresh-token lifetime (the docs' example value).
const REFRESH_SECS: u64 = 1800;

pub(super) fn generate_token(maib: &Maib, body: &Object<'_>) -> SimResponse {
    let now = maib.now();
    let text = |key| body.str(key).ok().flatten();
    let (project_id, secret, refresh) = (
        text("projectId"),
        text("projectSecret"),
        text("refreshToken"),
    );
    let mut state = lock(&maib.state);
    let subject = if project_id.is_some() || secret.is_some() {
        let (Some(id), Some(secret)) = (project_id, secret) else {
            return errors::one(MaibError::no_credentials());
        };
        if id != maib.config.project_id || secret != maib.config.project_secret {
            return errors::one(MaibError::bad_credentials());
        }
        id
    } else if let Some(refresh) = refresh {
        match state.tokens.check(&refresh, TokenKind::Refresh, now) {
            Check::Valid(subject) => subject,
            Check::Expired | Check::Unknown => return errors::one(MaibError::bad_refresh_token()),
        }
    } else {
        return errors::one(MaibError::no_credentials());
    };
    let exp = now / 1000;
    let access = random::jwt("RS256", &subject, exp + ACCESS_SECS, "");
    let refresh = random::jwt("RS256", &subject, exp + REFRESH_SECS, "");
    state.tokens.insert(
        &access,
        TokenKind::Access,
        &subject,
        now,
        ACCESS_SECS * 1000,
    );
    state.tokens.insert(
        &refresh,
        TokenKind::Refresh,
        &subject,
        now,
        REFRESH_SECS * 1000,
    );
    maib.ctx.ledger.token_issued(
        crate::ledger::LedgerProvider::Maib,
        crate::ledger::TokenIssue::Merchant,
    );
    errors::ok(&TokenResult {
        access_token: access,
        expires_in: ACCESS_SECS,
        refresh_token: refresh,
        refresh_expires_in: REFRESH_SECS,
        token_type: "Bearer",
    })
}
