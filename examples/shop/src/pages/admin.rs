//! `/admin`: every order, with the buttons that capture a hold and refund a payment.

use crate::orders::Order;

use super::layout::{escape, page};

/// What the admin may do to an order now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Actions {
    /// The order is on hold and its provider captures.
    pub(crate) capture: bool,
    /// The order is paid and its provider refunds.
    pub(crate) refund: bool,
}

/// A POST button for `action` on order `id`.
fn button(action: &str, id: &str, label: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/admin/orders/{id}/{action}\" style=\"display:inline\">\
         <button id=\"{action}-{id}\" type=\"submit\">{label}</button></form> ",
        id = escape(id),
    )
}

/// The admin page over `orders` and what may be done to each.
pub(crate) fn admin(orders: &[(Order, Actions)]) -> String {
    let mut rows = String::new();
    for (order, actions) in orders {
        let mut buttons = String::new();
        if actions.capture {
            buttons.push_str(&button("capture", &order.id, "Capture"));
        }
        if actions.refund {
            buttons.push_str(&button("refund", &order.id, "Refund"));
        }
        let problem = order
            .problem
            .as_deref()
            .map(|p| format!("<div class=\"problem\">{}</div>", escape(p)))
            .unwrap_or_default();
        rows.push_str(&format!(
            "<tr id=\"row-{id}\"><td><a href=\"/orders/{id}\">{id}</a></td><td>{product}</td>\
             <td>{amount}</td><td>{provider}</td><td class=\"state\">{word}</td>\
             <td>{status}</td><td class=\"fulfilments\">{fulfilments}</td>\
             <td class=\"callbacks\">{callbacks}</td><td>{buttons}{problem}</td></tr>",
            id = escape(&order.id),
            product = escape(order.product.name),
            amount = escape(&order.amount.to_string()),
            provider = escape(order.provider.label()),
            word = order.state().word(),
            status = escape(order.status.name()),
            fulfilments = order.fulfilments,
            callbacks = order.callbacks.len(),
        ));
    }
    let body = if rows.is_empty() {
        "<div class=\"card\"><p>No orders yet.</p></div>".to_owned()
    } else {
        format!(
            "<div class=\"card\"><table><tr><th>Order</th><th>Product</th><th>Amount</th>\
             <th>Provider</th><th>State</th><th>Payment</th><th>Fulfilled</th>\
             <th>Callbacks</th><th></th></tr>{rows}</table></div>"
        )
    };
    page("Orders", &body, None)
}
