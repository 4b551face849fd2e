//! The buyer's pages: the shelf, a product's order form, the order, and the error page.

use crate::catalog::{CATALOG, Product};
use crate::error::ShopError;
use crate::orders::{Order, OrderState};
use crate::provider::Provider;

use super::layout::{Reload, escape, page};

/// How often a pending order's page reloads itself, in seconds.
const PENDING_REFRESH_SECS: u32 = 2;

/// `/`: the products, with their prices through each provider.
pub(crate) fn home() -> String {
    let mut body = String::new();
    for product in &CATALOG {
        let prices: Vec<String> = [Provider::Maib, Provider::Bog, Provider::Maya]
            .into_iter()
            .filter_map(|p| product.price(p.currency()))
            .map(|price| escape(&price.to_string()))
            .collect();
        body.push_str(&format!(
            "<div class=\"card\"><h2><a id=\"product-{id}\" href=\"/products/{id}\">{name}</a></h2>\
             <p>{blurb}</p><p class=\"price\">{prices}</p></div>",
            id = escape(product.id),
            name = escape(product.name),
            blurb = escape(product.blurb),
            prices = prices.join(" · "),
        ));
    }
    page("Coffee, gear and a test card", &body, None)
}

/// `/products/{id}`: the order form.
pub(crate) fn product(product: &Product) -> String {
    let mut choices = String::new();
    for (index, provider) in Provider::ALL.into_iter().enumerate() {
        let price = product
            .price(provider.currency())
            .map(|p| p.to_string())
            .unwrap_or_default();
        choices.push_str(&format!(
            "<label><input type=\"radio\" name=\"provider\" id=\"provider-{slug}\" \
             value=\"{slug}\"{checked}> {label}: <span class=\"price\">{price}</span></label>",
            slug = provider.slug(),
            label = escape(provider.label()),
            price = escape(&price),
            checked = if index == 0 { " checked" } else { "" },
        ));
    }
    let body = format!(
        "<div class=\"card\"><p>{blurb}</p><form method=\"post\" action=\"/orders\">\
         <input type=\"hidden\" name=\"product\" value=\"{id}\"><h3>Pay with</h3>{choices}\
         <label><input type=\"checkbox\" name=\"hold\" id=\"hold\" value=\"on\"> Hold the \
         amount, capture it when the order ships (maib, iPay, Payments API)</label>\
         <p><button id=\"place-order\" type=\"submit\">Place order and pay</button></p>\
         </form></div>",
        blurb = escape(product.blurb),
        id = escape(product.id),
    );
    page(product.name, &body, None)
}

/// `/orders/{id}`: where the order stands.
pub(crate) fn order(order: &Order) -> String {
    let state = order.state();
    let word = state.word();
    let note = match state {
        OrderState::Pending => {
            "Waiting for the payment provider to confirm the payment. This \
                                page asks again by itself."
        }
        OrderState::Paid { held: true } => {
            "The amount is on hold; the shop captures it when \
                                            the order ships."
        }
        OrderState::Paid { held: false } => "Thank you! Your order is on its way.",
        OrderState::Declined => "The payment was declined. Nothing was charged.",
        OrderState::PartiallyRefunded => "Part of the amount was refunded.",
        OrderState::Refunded => "The whole amount was refunded.",
        OrderState::Cancelled => "The payment was cancelled or not completed in time.",
    };
    let problem = order
        .problem
        .as_deref()
        .map(|p| format!("<p class=\"problem\" id=\"problem\">{}</p>", escape(p)))
        .unwrap_or_default();
    let history: String = order
        .history
        .iter()
        .map(|line| format!("<li>{}</li>", escape(line)))
        .collect();
    let body = format!(
        "<div class=\"card\"><p><span id=\"status\" class=\"status status-{class}\">{word}</span>\
         </p><p id=\"note\">{note}</p>{problem}<table>\
         <tr><th>Product</th><td>{product}</td></tr>\
         <tr><th>Amount</th><td id=\"amount\">{amount}</td></tr>\
         <tr><th>Paid with</th><td>{provider}</td></tr>\
         <tr><th>Payment</th><td id=\"payment-id\">{payment}</td></tr>\
         <tr><th>Provider status</th><td id=\"provider-status\">{status}</td></tr>\
         </table></div><div class=\"card\"><h3>History</h3><ol class=\"history\">{history}</ol>\
         </div>",
        class = word.replace(' ', "-"),
        product = escape(order.product.name),
        amount = escape(&order.amount.to_string()),
        provider = escape(order.provider.label()),
        payment = escape(order.payment_id.as_deref().unwrap_or("not created yet")),
        status = escape(&order.status.to_string()),
    );
    // While pending, the reload goes through the return route, which asks the provider.
    let again = format!("/orders/{}/return", order.id);
    let reload = state.is_undecided().then_some(Reload {
        secs: PENDING_REFRESH_SECS,
        url: &again,
    });
    page(&format!("Order {}", order.id), &body, reload)
}

/// A form the buyer submits to a provider's page (for providers that want a POST).
pub(crate) fn form_post(url: &str, fields: &[(String, String)]) -> String {
    let inputs: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let body = format!(
        "<div class=\"card\"><form method=\"post\" action=\"{}\">{inputs}<button id=\"continue\" \
         type=\"submit\">Continue to the payment page</button></form></div>",
        escape(url)
    );
    page("Continue to payment", &body, None)
}

/// The page shown for a request the shop could not serve.
pub(crate) fn error(error: &ShopError) -> String {
    let body = format!(
        "<div class=\"card\"><p id=\"error\" class=\"problem\">{}</p><p><a href=\"/\">Back to \
         the shop</a></p></div>",
        escape(&error.to_string())
    );
    page("Something went wrong", &body, None)
}

#[cfg(test)]
mod tests {
    use paykit_core::{CaptureMode, PaymentStatus};

    use super::*;
    use crate::orders::OrderBook;

    #[test]
    fn the_order_page_shows_the_state_word_and_reloads_only_while_pending() {
        let book = OrderBook::default();
        let product = &CATALOG[1];
        let amount = product.price(Provider::Bog.currency()).unwrap();
        let placed = book.create(product, Provider::Bog, amount, CaptureMode::Automatic);
        let html = order(&book.get(&placed.id).unwrap());
        assert!(
            html.contains("<span id=\"status\" class=\"status status-pending\">pending</span>")
        );
        assert!(html.contains(&format!("content=\"2;url=/orders/{}/return\"", placed.id)));
        book.update(&placed.id, &PaymentStatus::Captured, "callback");
        let html = order(&book.get(&placed.id).unwrap());
        assert!(html.contains(">paid</span>"), "{html}");
        assert!(html.contains("129.90 GEL"));
        assert!(!html.contains("http-equiv=\"refresh\""));
    }

    #[test]
    fn the_order_form_offers_every_provider_in_its_currency() {
        let html = product(&CATALOG[0]);
        for provider in Provider::ALL {
            assert!(html.contains(&format!("id=\"provider-{}\"", provider.slug())));
        }
        for price in ["349.00 MDL", "54.00 GEL", "1150.00 PHP"] {
            assert!(html.contains(price), "{price}");
        }
    }
}
