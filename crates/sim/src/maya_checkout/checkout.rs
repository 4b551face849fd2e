//! Maya Checkout (§3.2): `C1` creates a checkout and its payment (`PENDING_TOKEN`, an hour
//! to live), `C2` reads the checkout object back, `C4` keeps the page customization.

use super::errors::{self, Product};
use super::state::{Checkout, Payment, Source};
use super::validate::{self, Reader};
use super::{J, MayaCheckout, wire};
use crate::lock::lock;
use crate::random;
use crate::server::{SimRequest, SimResponse};

/// `POST /checkout/v1/checkouts` (public key).
pub(crate) fn create(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let obj = match validate::body(req, false) {
        Ok(obj) => obj,
        Err(res) => return res,
    };
    let mut r = Reader::default();
    let amount = r.amount(&obj, "totalAmount", "value");
    let rrn = r.rrn(&obj, true);
    let redirect = r.redirect(&obj, false);
    let items = r.tree(&obj, "items", true);
    let buyer = r.tree(&obj, "buyer", false);
    let metadata = r.tree(&obj, "metadata", false);
    let auth_type = r.auth_type(&obj);
    let details = obj
        .object("totalAmount")
        .ok()
        .flatten()
        .map_or(J::Null, |total| r.tree(&total, "details", false));
    if let Err(res) = r.finish(Product::Gateway) {
        return res;
    }
    let (Some(amount), Some(rrn)) = (amount, rrn) else {
        return errors::invalid(Product::Gateway, &[]);
    };
    if amount.currency != "PHP" {
        return errors::currency(Product::Gateway);
    }
    if auth_type.is_some() && !mc.config.auth_and_capture {
        return errors::payment(401, "PY0019", "Forbidden.");
    }
    let now = mc.now();
    let checkout_id = random::uuid_v4();
    let mut payment = Payment::new(
        random::uuid_v4(),
        rrn,
        amount.value,
        Source::Checkout(checkout_id.clone()),
        now,
    );
    payment.redirect = redirect;
    payment.metadata = metadata;
    payment.auth_type = auth_type;
    let checkout = Checkout {
        id: checkout_id.clone(),
        payment_id: payment.id.clone(),
        items,
        buyer,
        details,
        created_ms: now,
    };
    let mut state = lock(&mc.state);
    state.checkouts.insert(checkout_id.clone(), checkout);
    mc.register(&mut state, payment, now);
    drop(state);
    let body = J::obj().with("checkoutId", &checkout_id).with(
        "redirectUrl",
        mc.url(&format!("/v2/checkout?id={checkout_id}")),
    );
    SimResponse::json(200, &body)
}

/// `GET /checkout/v1/checkouts/{checkoutId}` (secret key).
pub(crate) fn get(mc: &MayaCheckout, id: &str) -> SimResponse {
    let state = lock(&mc.state);
    let found = state
        .checkouts
        .get(id)
        .and_then(|c| state.payments.get(&c.payment_id).map(|p| (c, p)));
    match found {
        Some((c, p)) => SimResponse::json(200, &wire::checkout(c, p)),
        None => errors::payment(404, "PY0009", "Checkout does not exist."),
    }
}

fn no_customization() -> SimResponse {
    errors::payment(404, "PY0065", "No customizations found.")
}

/// `POST /checkout/v1/customizations`: stores the customization object as sent.
pub(crate) fn customize(mc: &MayaCheckout, req: &SimRequest) -> SimResponse {
    let Some(tree) = serde_json::from_slice::<&serde_json::value::RawValue>(&req.body)
        .ok()
        .and_then(|raw| J::from_raw(raw, 16))
    else {
        return errors::bad_json();
    };
    if !matches!(tree, J::Obj(_)) {
        return errors::invalid(
            Product::Gateway,
            &[errors::Parameter::new(
                "body",
                "customization must be an object",
            )],
        );
    }
    lock(&mc.state).customization = Some(tree.clone());
    SimResponse::json(200, &tree)
}

/// `GET /checkout/v1/customizations`.
pub(crate) fn customization(mc: &MayaCheckout) -> SimResponse {
    match &lock(&mc.state).customization {
        Some(tree) => SimResponse::json(200, tree),
        None => no_customization(),
    }
}

/// `DELETE /checkout/v1/customizations`: answers what was removed.
pub(crate) fn uncustomize(mc: &MayaCheckout) -> SimResponse {
    match lock(&mc.state).customization.take() {
        Some(tree) => SimResponse::json(200, &tree),
        None => no_customization(),
    }
}
