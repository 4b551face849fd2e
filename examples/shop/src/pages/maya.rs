//! The Maya flow's pages: the Maya app's stand-in (the shop's tile) and the Mini App landing
//! page where the buyer approves.

use crate::orders::Order;

use super::layout::{escape, page};

/// `/maya/app/{id}`: what the Maya app shows; tapping the tile opens the shop's Mini App.
pub(crate) fn app(order: &Order) -> String {
    let body = format!(
        "<div class=\"card\"><p class=\"muted\">Maya app (played by the paykit simulator)</p>\
         <p>Your Maya wallet. Tap the shop's tile to continue to its Mini App.</p>\
         <form method=\"post\" action=\"/maya/app/{id}/open\"><button id=\"maya-open\" \
         type=\"submit\">Open the paykit coffee Mini App</button></form></div>",
        id = escape(&order.id),
    );
    page("Maya", &body, None)
}

/// `/maya/landing`: the Mini App's landing page, in the buyer's Maya session.
pub(crate) fn landing(order: &Order) -> String {
    let body = format!(
        "<div class=\"card\"><p>Order {id}: {product}</p><p class=\"price\">{amount}</p>\
         <form method=\"post\" action=\"/maya/orders/{id}/pay\"><button id=\"maya-pay\" \
         type=\"submit\">Pay {amount} with Maya</button></form></div>",
        id = escape(&order.id),
        product = escape(order.product.name),
        amount = escape(&order.amount.to_string()),
    );
    page("Pay with Maya", &body, None)
}
