//! Maya response bodies (maya.md §3-6).

use serde::Serialize;

use super::state::Payment;
use crate::json::Money;

/// Maya Connect's token response.
#[derive(Serialize)]
pub(crate) struct ClientToken {
    pub(crate) access_token: String,
    pub(crate) token_type: &'static str,
    pub(crate) expires_in: u64,
}

/// A customer token pair (session push and `POST /tokens`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomerTokens {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    pub(crate) expires_at: u64,
}

#[derive(Serialize)]
struct Amount<'a> {
    currency: &'a str,
    value: Money,
}

/// A Mini App payment, as create returns it (the documented fields) and execute returns it
/// (plus `status`, the outcome).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentView<'a> {
    id: &'a str,
    p2m_id: &'a str,
    request_reference_number: &'a str,
    amount: Amount<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
}

impl<'a> PaymentView<'a> {
    /// `p` as create returns it, for the request with reference `rrn`.
    pub(crate) fn created(p: &'a Payment, rrn: &'a str) -> Self {
        Self {
            status: None,
            ..Self::executed(p, rrn)
        }
    }

    /// `p` as execute returns it, for the request with reference `rrn`.
    pub(crate) fn executed(p: &'a Payment, rrn: &'a str) -> Self {
        Self {
            id: &p.id,
            p2m_id: &p.p2m_id,
            request_reference_number: rrn,
            amount: Amount {
                currency: &p.currency,
                value: Money(p.value),
            },
            status: Some(p.status.as_str()),
        }
    }
}

/// `GET /profile`.
#[derive(Serialize)]
pub(crate) struct Profile {
    pub(crate) data: String,
}
