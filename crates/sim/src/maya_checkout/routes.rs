//! The gateway's paths (maya-checkout.md §2) and the key each one takes.

use hyper::Method;

use super::auth::{self, Key};
use super::{
    MayaCheckout, capture, checkout, customers, errors, pages, retrieve, reversals, vault, wallet,
    webhooks,
};
use crate::server::{SimRequest, SimResponse};

/// Whether `req` is one of the customer's pages (never faulted).
pub(crate) fn is_page(req: &SimRequest) -> bool {
    let segments = req.segments();
    let path: Vec<&str> = segments.iter().map(String::as_str).collect();
    matches!(
        path.as_slice(),
        ["v2", "checkout"] | ["paymaya", "payment" | "link"] | ["3ds", "payment" | "card"]
    )
}

/// Answers one request.
pub(crate) fn route(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let segments = req.segments();
    let path: Vec<&str> = segments.iter().map(String::as_str).collect();
    let m = &req.method;
    let (get, post, put, delete) = (
        m == Method::GET,
        m == Method::POST,
        m == Method::PUT,
        m == Method::DELETE,
    );
    let with = |key: Key, f: &dyn Fn() -> SimResponse| match auth::check(mc, req, key) {
        Ok(()) => f(),
        Err(denied) => denied,
    };
    use Key::{Public, Secret};
    match path.as_slice() {
        // Customer pages and the simulator's own.
        ["v2", "checkout"] if get => pages::checkout(mc, req),
        ["paymaya", "payment"] if get => pages::wallet_payment(mc, req),
        ["paymaya", "link"] if get => pages::wallet_link(mc, req),
        ["3ds", "payment"] if get => pages::payment_3ds(mc, req),
        ["3ds", "card"] if get => pages::card_3ds(mc, req),
        ["_sim", "return"] if get => crate::page::landing("Maya", req),
        ["_sim", "webhooks"] if post => SimResponse::json(200, &serde_json::json!({})),
        // Checkout.
        ["checkout", "v1", "checkouts"] if post => with(Public, &|| checkout::create(mc, req)),
        ["checkout", "v1", "checkouts", id] if get => with(Secret, &|| checkout::get(mc, id)),
        ["checkout", "v1", "customizations"] if post => {
            with(Secret, &|| checkout::customize(mc, req))
        }
        ["checkout", "v1", "customizations"] if get => {
            with(Secret, &|| checkout::customization(mc))
        }
        ["checkout", "v1", "customizations"] if delete => {
            with(Secret, &|| checkout::uncustomize(mc))
        }
        // Webhook registry.
        ["checkout", "v1", "webhooks"] if post => with(Secret, &|| webhooks::create(mc, req)),
        ["checkout", "v1", "webhooks"] if get => with(Secret, &|| webhooks::list(mc)),
        ["checkout", "v1", "webhooks", id] if get => with(Secret, &|| webhooks::get(mc, id)),
        ["checkout", "v1", "webhooks", id] if put => {
            with(Secret, &|| webhooks::update(mc, req, id))
        }
        ["checkout", "v1", "webhooks", id] if delete => with(Secret, &|| webhooks::delete(mc, id)),
        // Vault.
        ["payments", "v1", "payment-tokens"] if post => with(Public, &|| vault::token(mc, req)),
        ["payments", "v1", "payments"] if post => with(Secret, &|| vault::pay(mc, req)),
        ["payments", "v1", "customers"] if post => with(Secret, &|| customers::create(mc, req)),
        ["payments", "v1", "customers", c] if get => with(Secret, &|| customers::get(mc, c)),
        ["payments", "v1", "customers", c] if put => {
            with(Secret, &|| customers::update(mc, req, c))
        }
        ["payments", "v1", "customers", c] if delete => with(Secret, &|| customers::delete(mc, c)),
        ["payments", "v1", "customers", c, "cards"] if post => {
            with(Secret, &|| customers::add_card(mc, req, c))
        }
        ["payments", "v1", "customers", c, "cards"] if get => {
            with(Secret, &|| customers::cards(mc, c))
        }
        ["payments", "v1", "customers", c, "cards", card] if get => {
            with(Secret, &|| customers::card(mc, c, card))
        }
        ["payments", "v1", "customers", c, "cards", card] if put => {
            with(Secret, &|| customers::set_default(mc, req, c, card))
        }
        ["payments", "v1", "customers", c, "cards", card] if delete => {
            with(Secret, &|| customers::delete_card(mc, c, card))
        }
        ["payments", "v1", "customers", c, "cards", card, "payments"] if post => {
            with(Secret, &|| customers::pay(mc, req, c, card))
        }
        // Pay with Maya.
        ["payby", "v2", "paymaya", "payments"] if post => with(Public, &|| wallet::single(mc, req)),
        ["payby", "v2", "paymaya", "link"] if post => with(Public, &|| wallet::link(mc, req)),
        ["payby", "v2", "paymaya", "link", id] if get => with(Secret, &|| wallet::get(mc, id)),
        ["payby", "v2", "paymaya", "link", id] if delete => {
            with(Secret, &|| wallet::deactivate(mc, id))
        }
        ["payby", "v2", "paymaya", "link", id, "execute"] if post => {
            with(Secret, &|| wallet::execute(mc, req, id))
        }
        // Payment operations.
        ["payments", "v1", "payments", id] if get => with(Secret, &|| retrieve::get(mc, id)),
        ["payments", "v1", "payments", id, "status"] if get => {
            with(Public, &|| retrieve::status(mc, id))
        }
        ["payments", "v1", "payment-rrns", rrn] if get => {
            with(Secret, &|| retrieve::by_rrn(mc, rrn))
        }
        ["payments", "v1", "payments", id, "voids"] if post => {
            with(Secret, &|| reversals::void_by_id(mc, req, id))
        }
        ["payments", "v1", "payment-rrns", rrn, "voids"] if post => {
            with(Secret, &|| reversals::void_by_rrn(mc, req, rrn))
        }
        ["payments", "v1", "payments", id, "voids"] if get => {
            with(Secret, &|| retrieve::voids(mc, id, None))
        }
        ["payments", "v1", "payments", id, "voids", v] if get => {
            with(Secret, &|| retrieve::voids(mc, id, Some(v)))
        }
        ["payments", "v1", "payments", id, "refunds"] if post => {
            with(Secret, &|| reversals::refund_by_id(mc, req, id))
        }
        ["payments", "v1", "payment-rrns", rrn, "refunds"] if post => {
            with(Secret, &|| reversals::refund_by_rrn(mc, req, rrn))
        }
        ["payments", "v1", "payments", id, "refunds"] if get => {
            with(Secret, &|| retrieve::refunds(mc, id, None))
        }
        ["payments", "v1", "payments", id, "refunds", r] if get => {
            with(Secret, &|| retrieve::refunds(mc, id, Some(r)))
        }
        ["payments", "v1", "payments", id, "capture" | "captures"] if post => {
            with(Secret, &|| capture::capture(mc, req, id))
        }
        ["payments", "v1", "payments", id, "cancel"] if post => {
            with(Secret, &|| reversals::cancel(mc, req, id))
        }
        _ => errors::payment(404, "PY0009", "Resource not found."),
    }
}
