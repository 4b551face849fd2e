//! The checks of §4.6 and §5, before any I/O: a failure is [`Error::InvalidInput`] naming the
//! field, and nothing is sent.

use paykit_core::{Currency, Decimal, Error, Result};

use crate::types::{CaptureMethod, CreateOrder, PaymentMethod, SplitShare};

/// The currencies the Payments API takes.
pub(crate) const CURRENCIES: [Currency; 4] =
    [Currency::GEL, Currency::USD, Currency::EUR, Currency::GBP];

fn invalid(field: impl Into<std::borrow::Cow<'static, str>>, reason: &str) -> Error {
    Error::invalid_input(field, reason.to_owned())
}

/// Which callback URLs a client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallbackUrls {
    /// `https://` only, as BOG requires (§4.6).
    HttpsOnly,
    /// Also plain `http://` to a loopback host: a merchant running locally against the
    /// simulator ([`crate::BogPaymentsClientBuilder::allow_loopback_http_callbacks`]).
    AlsoLoopbackHttp,
}

/// An `https://` URL with a host, or, when `allowed` says so, an `http://` URL to a loopback
/// host (`localhost`, `127.0.0.0/8`, `::1`).
pub(crate) fn callback_url(field: &'static str, text: &str, allowed: CallbackUrls) -> Result<()> {
    let Ok(url) = url::Url::parse(text.trim()) else {
        return Err(invalid(field, "must be an absolute https:// URL"));
    };
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match (url.scheme(), url.host_str()) {
        ("https", Some(host)) if !host.is_empty() => Ok(()),
        ("http", Some(_)) if loopback && allowed == CallbackUrls::AlsoLoopbackHttp => Ok(()),
        ("http", Some(_)) if loopback => Err(invalid(
            field,
            "must be an absolute https:// URL (plain http to a loopback host only after \
             allow_loopback_http_callbacks)",
        )),
        _ => Err(invalid(field, "must be an absolute https:// URL")),
    }
}

/// An absolute http(s) URL (return URLs are UX only, §4.2).
fn web_url(field: &'static str, text: &str) -> Result<()> {
    match url::Url::parse(text.trim()) {
        Ok(url) if matches!(url.scheme(), "https" | "http") && url.host_str().is_some() => Ok(()),
        _ => Err(invalid(field, "must be an absolute http(s) URL")),
    }
}

/// At most two decimals and not negative.
pub(crate) fn amount(
    field: impl Into<std::borrow::Cow<'static, str>>,
    value: Decimal,
) -> Result<()> {
    let field = field.into();
    if value.is_sign_negative() && !value.is_zero() {
        return Err(invalid(field, "must not be negative"));
    }
    if value.normalize().scale() > 2 {
        return Err(invalid(field, "must have at most 2 decimal places"));
    }
    Ok(())
}

/// More than zero, at most two decimals.
pub(crate) fn positive_amount(field: &'static str, value: Decimal) -> Result<()> {
    amount(field, value)?;
    if value <= Decimal::ZERO {
        return Err(invalid(field, "must be more than zero"));
    }
    Ok(())
}

/// An id that goes into a path: non-empty, printable, no whitespace.
pub(crate) fn id(field: &'static str, text: &str) -> Result<String> {
    if text.trim().is_empty()
        || text.len() > 128
        || text.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(invalid(
            field,
            "must be a non-empty id without spaces (at most 128 characters)",
        ));
    }
    paykit_core::http::encode_path_segment(field, text)
}

/// Every rule of §4.6 for an order.
pub(crate) fn create_order(order: &CreateOrder, callbacks: CallbackUrls) -> Result<()> {
    callback_url("callback_url", &order.callback_url, callbacks)?;
    if !CURRENCIES.contains(&order.currency) {
        return Err(invalid("currency", "must be GEL, USD, EUR or GBP"));
    }
    positive_amount("total_amount", order.total_amount)?;
    if let Some(discount) = order.total_discount_amount {
        amount("total_discount_amount", discount)?;
    }
    if let Some(delivery) = order.delivery_amount {
        amount("delivery_amount", delivery)?;
    }
    if order.basket.is_empty() {
        return Err(invalid("basket", "must hold at least one item"));
    }
    let mut sum = Decimal::ZERO;
    for (index, item) in order.basket.iter().enumerate() {
        if item.product_id.trim().is_empty() {
            return Err(invalid(
                format!("basket[{index}].product_id"),
                "is required",
            ));
        }
        if item.quantity == 0 {
            return Err(invalid(
                format!("basket[{index}].quantity"),
                "must be at least 1",
            ));
        }
        amount(format!("basket[{index}].unit_price"), item.unit_price)?;
        for (name, value) in [
            ("unit_discount_price", item.unit_discount_price),
            ("vat", item.vat),
            ("vat_percent", item.vat_percent),
            ("total_price", item.total_price),
        ] {
            if let Some(value) = value {
                amount(format!("basket[{index}].{name}"), value)?;
            }
        }
        let line = item
            .unit_price
            .checked_mul(Decimal::from(item.quantity))
            .ok_or_else(|| invalid(format!("basket[{index}]"), "line total is too large"))?;
        sum = sum
            .checked_add(line)
            .ok_or_else(|| invalid("basket", "total is too large"))?;
    }
    if order.check_totals {
        let expected = sum
            .checked_add(order.delivery_amount.unwrap_or(Decimal::ZERO))
            .and_then(|t| t.checked_sub(order.total_discount_amount.unwrap_or(Decimal::ZERO)))
            .ok_or_else(|| invalid("total_amount", "is too large"))?;
        if expected.normalize() != order.total_amount.normalize() {
            return Err(invalid(
                "total_amount",
                &format!(
                    "is {} but the basket and delivery add up to {expected} (turn the check off with skip_totals_check)",
                    order.total_amount
                ),
            ));
        }
    }
    if let Some(ttl) = order.ttl_minutes {
        if !(2..=1440).contains(&ttl) {
            return Err(invalid("ttl", "must be 2 to 1440 minutes"));
        }
    }
    if let Some(url) = &order.success_url {
        web_url("redirect_urls.success", url)?;
    }
    if let Some(url) = &order.fail_url {
        web_url("redirect_urls.fail", url)?;
    }
    if let Some(id) = &order.external_order_id {
        if id.trim().is_empty() {
            return Err(invalid("external_order_id", "must not be blank"));
        }
    }
    if let Some(PaymentMethod::Other(other)) = order
        .payment_methods
        .iter()
        .find(|m| matches!(m, PaymentMethod::Other(_)))
    {
        return Err(invalid(
            "payment_method",
            &format!("{other:?} is not a Payments API method"),
        ));
    }
    if order.capture == CaptureMethod::Manual
        && !order
            .payment_methods
            .iter()
            .all(PaymentMethod::is_card_like)
    {
        return Err(invalid(
            "capture",
            "manual capture works only with card, google_pay and apple_pay",
        ));
    }
    let only_loan = matches!(
        order.payment_methods.as_slice(),
        [PaymentMethod::BogLoan] | [PaymentMethod::Bnpl]
    );
    if only_loan && order.config.loan.is_none() {
        return Err(invalid(
            "config.loan",
            "is required when payment_method is only bog_loan or bnpl",
        ));
    }
    if let Some(loan) = &order.config.loan {
        if loan.kind.trim().is_empty() || loan.month == 0 {
            return Err(invalid(
                "config.loan",
                "needs the calculator's type and a month count",
            ));
        }
    }
    if let Some(token) = &order.config.google_pay_token {
        if token.trim().is_empty() {
            return Err(invalid(
                "config.google_pay.google_pay_token",
                "must not be empty",
            ));
        }
    }
    split(order)?;
    Ok(())
}

fn split(order: &CreateOrder) -> Result<()> {
    let split = &order.config.split;
    if split.is_empty() {
        return Ok(());
    }
    if order.currency != Currency::GEL {
        return Err(invalid("config.split", "split payments are GEL only"));
    }
    if split.len() > 10 {
        return Err(invalid("config.split", "at most 10 recipients"));
    }
    for (index, entry) in split.iter().enumerate() {
        if entry.iban.trim().is_empty() {
            return Err(invalid(
                format!("config.split[{index}].iban"),
                "is required",
            ));
        }
        if entry
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 25)
        {
            return Err(invalid(
                format!("config.split[{index}].description"),
                "must be at most 25 characters",
            ));
        }
        match entry.share {
            SplitShare::Amount(value) => {
                amount(format!("config.split[{index}].amount"), value)?;
            }
            SplitShare::Percent(value) => {
                if value <= Decimal::ZERO || value > Decimal::ONE_HUNDRED {
                    return Err(invalid(
                        format!("config.split[{index}].percent"),
                        "must be more than 0 and at most 100",
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Free text sent with a pre-auth approval or cancel.
pub(crate) fn description(text: Option<&str>) -> Result<()> {
    match text {
        Some(text) if text.chars().count() > 255 => {
            Err(invalid("description", "must be at most 255 characters"))
        }
        _ => Ok(()),
    }
}
