//! Reading payments back (§3.6): by id, the public-key status, by RRN (an array), and a
//! payment's voids and refunds.

use super::errors;
use super::{J, MayaCheckout, wire};
use crate::lock::lock;
use crate::server::SimResponse;

/// `GET /payments/v1/payments/{id}`.
pub(crate) fn get(mc: &MayaCheckout, id: &str) -> SimResponse {
    let now = mc.now();
    match lock(&mc.state).payments.get(id) {
        Some(p) => SimResponse::json(200, &wire::payment(p, now)),
        None => errors::no_payment(),
    }
}

/// `GET /payments/v1/payments/{id}/status` (public key).
pub(crate) fn status(mc: &MayaCheckout, id: &str) -> SimResponse {
    match lock(&mc.state).payments.get(id) {
        Some(p) => SimResponse::json(200, &wire::status(p)),
        None => errors::no_payment(),
    }
}

/// `GET /payments/v1/payment-rrns/{rrn}`: every payment under the RRN, oldest first.
pub(crate) fn by_rrn(mc: &MayaCheckout, rrn: &str) -> SimResponse {
    let now = mc.now();
    let state = lock(&mc.state);
    let list: Vec<J> = state
        .ids_by_rrn(rrn)
        .iter()
        .filter_map(|id| state.payments.get(id))
        .map(|p| wire::payment(p, now))
        .collect();
    if list.is_empty() {
        return errors::no_payment();
    }
    SimResponse::json(200, &J::Arr(list))
}

/// The one payment an RRN names: `PY0009` for none, `PY0104` for several.
/// `GET /payments/v1/payments/{id}/voids[/{voidId}]`.
pub(crate) fn voids(mc: &MayaCheckout, id: &str, void_id: Option<&str>) -> SimResponse {
    let state = lock(&mc.state);
    let Some(p) = state.payments.get(id) else {
        return errors::no_payment();
    };
    let none = || errors::payment(404, "PY0063", "Void does not exist.");
    match void_id {
        Some(vid) => p
            .voids
            .iter()
            .find(|v| v.id == vid)
            .map_or_else(none, |v| SimResponse::json(200, &wire::void(p, v))),
        None if p.voids.is_empty() => none(),
        None => SimResponse::json(
            200,
            &J::Arr(p.voids.iter().map(|v| wire::void(p, v)).collect()),
        ),
    }
}

/// `GET /payments/v1/payments/{id}/refunds[/{refundId}]`.
pub(crate) fn refunds(mc: &MayaCheckout, id: &str, refund_id: Option<&str>) -> SimResponse {
    let state = lock(&mc.state);
    let Some(p) = state.payments.get(id) else {
        return errors::no_payment();
    };
    match refund_id {
        Some(rid) => p.refunds.iter().find(|r| r.id == rid).map_or_else(
            || errors::payment(404, "PY0046", "Refund does not exist."),
            |r| SimResponse::json(200, &wire::refund(p, r)),
        ),
        None => SimResponse::json(
            200,
            &J::Arr(p.refunds.iter().map(|r| wire::refund(p, r)).collect()),
        ),
    }
}
