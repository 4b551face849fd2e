//! The exact wire shapes, one serde struct per request and response. Private: the public types
//! live in `model.rs`, and conversions happen here.
//!
//! Amounts go out as 2-decimal strings written from the `Decimal` (`Money::to_fixed_string`),
//! and are read from strings or numbers alike; nothing passes through a float.

use paykit_core::http::RawResponse;
use paykit_core::{Error, Money, ProviderId, Result};
use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use crate::model::{
    CardType, CreateOrder, LegacyAmount, LegacyCapture, LegacyError, LegacyOrder, LegacyPayer,
    Link, Order, PaymentDetails, PaymentHash, PaymentMethod, PaymentState, PreAuthCompletion,
    PreAuthResult, PreAuthStatus, SubscriptionCharge, SubscriptionPayment,
};

// ---------------------------------------------------------------------------------------------
// Token (`POST /oauth2/token`)
// ---------------------------------------------------------------------------------------------

/// The token answer. No `Debug`: it holds the access token.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) token_type: Option<String>,
    /// An absolute instant in epoch milliseconds, whatever the docs say.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub(crate) expires_in: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// Create order (`POST /checkout/orders`)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub(crate) struct CreateOrderBody<'a> {
    intent: &'static str,
    items: Vec<ItemBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locale: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shop_order_id: Option<&'a str>,
    redirect_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    show_shop_order_id_on_extract: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    capture_method: Option<&'static str>,
    purchase_units: [PurchaseUnitBody; 1],
}

#[derive(Debug, Serialize)]
struct ItemBody<'a> {
    amount: String,
    description: &'a str,
    quantity: u32,
    product_id: &'a str,
}

#[derive(Debug, Serialize)]
struct PurchaseUnitBody {
    amount: AmountBody,
}

#[derive(Debug, Serialize)]
pub(crate) struct AmountBody {
    currency_code: &'static str,
    value: String,
}

impl AmountBody {
    fn of(money: &Money) -> Self {
        AmountBody {
            currency_code: money.currency().code(),
            value: money.to_fixed_string(),
        }
    }
}

impl<'a> From<&'a CreateOrder> for CreateOrderBody<'a> {
    fn from(order: &'a CreateOrder) -> Self {
        CreateOrderBody {
            intent: order.intent.as_str(),
            items: order
                .items
                .iter()
                .map(|item| ItemBody {
                    amount: item.unit_price.to_fixed_string(),
                    description: &item.description,
                    quantity: item.quantity,
                    product_id: &item.product_id,
                })
                .collect(),
            locale: order.locale.map(|l| l.as_str()),
            shop_order_id: order.shop_order_id.as_deref(),
            redirect_url: &order.redirect_url,
            show_shop_order_id_on_extract: order.show_shop_order_id_on_extract,
            capture_method: order.capture_method.map(|m| m.as_str()),
            purchase_units: [PurchaseUnitBody {
                amount: AmountBody::of(&order.total),
            }],
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateOrderResponse {
    #[serde(default)]
    status: Option<String>,
    payment_hash: String,
    #[serde(default)]
    links: Vec<LinkBody>,
    order_id: String,
}

#[derive(Debug, Deserialize)]
struct LinkBody {
    #[serde(default)]
    href: Option<String>,
    #[serde(default)]
    rel: Option<String>,
    #[serde(default)]
    method: Option<String>,
}

impl CreateOrderResponse {
    /// The public [`Order`]; the approve link is chosen by `rel`, then by `method=REDIRECT`,
    /// never by position.
    pub(crate) fn into_order(self, provider: ProviderId, body: &[u8]) -> Result<Order> {
        let links: Vec<Link> = self
            .links
            .into_iter()
            .filter_map(|link| {
                Some(Link {
                    href: link.href.filter(|h| !h.is_empty())?,
                    rel: link.rel.unwrap_or_default(),
                    method: link.method.unwrap_or_default(),
                })
            })
            .collect();
        let approve = links
            .iter()
            .find(|l| l.rel.eq_ignore_ascii_case("approve"))
            .or_else(|| {
                links
                    .iter()
                    .find(|l| l.method.eq_ignore_ascii_case("REDIRECT"))
            })
            .map(|l| l.href.clone())
            .ok_or_else(|| Error::decode(provider, "the order has no approve link", body, false))?;
        let self_url = links
            .iter()
            .find(|l| l.rel.eq_ignore_ascii_case("self"))
            .map(|l| l.href.clone());
        if self.order_id.is_empty() {
            return Err(Error::decode(provider, "empty order_id", body, false));
        }
        if self.payment_hash.is_empty() {
            return Err(Error::decode(provider, "empty payment_hash", body, false));
        }
        // The approve link names the order it pays: a link to another order would have the
        // customer pay something else.
        if let Some(linked) = query_order_id(&approve).filter(|id| *id != self.order_id) {
            return Err(Error::Integrity {
                provider,
                field: "links[rel=approve].order_id".into(),
                expected: self.order_id,
                actual: linked,
            });
        }
        Ok(Order {
            order_id: self.order_id,
            payment_hash: PaymentHash::new(self.payment_hash),
            status: self.status.unwrap_or_default(),
            approve_url: approve,
            self_url,
            links,
        })
    }
}

/// The `order_id` query parameter of a link, when it has one (older links use `paymentId`).
fn query_order_id(href: &str) -> Option<String> {
    let url = url::Url::parse(href).ok()?;
    url.query_pairs()
        .find(|(key, _)| key == "order_id")
        .map(|(_, value)| value.into_owned())
}

// ---------------------------------------------------------------------------------------------
// Payment details (`GET /checkout/payment/{order_id}`)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub(crate) struct PaymentDetailsResponse {
    status: String,
    order_id: String,
    payment_hash: String,
    #[serde(default, deserialize_with = "lenient_string")]
    ipay_payment_id: Option<String>,
    #[serde(default)]
    status_description: Option<String>,
    #[serde(default)]
    shop_order_id: Option<String>,
    #[serde(default)]
    payment_method: Option<String>,
    #[serde(default)]
    card_type: Option<String>,
    #[serde(default)]
    pan: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    transaction_id: Option<String>,
    #[serde(default)]
    pre_auth_status: Option<String>,
    #[serde(default)]
    capture_method: Option<String>,
}

impl From<PaymentDetailsResponse> for PaymentDetails {
    fn from(wire: PaymentDetailsResponse) -> Self {
        PaymentDetails {
            status: PaymentState::from(wire.status.as_str()),
            order_id: wire.order_id,
            payment_hash: PaymentHash::new(wire.payment_hash),
            ipay_payment_id: wire.ipay_payment_id,
            status_description: non_empty(wire.status_description),
            shop_order_id: non_empty(wire.shop_order_id),
            payment_method: non_empty(wire.payment_method).map(|m| PaymentMethod::from(m.as_str())),
            card_type: non_empty(wire.card_type).map(|c| CardType::from(c.as_str())),
            pan: non_empty(wire.pan),
            transaction_id: non_empty(wire.transaction_id),
            pre_auth_status: non_empty(wire.pre_auth_status)
                .map(|s| PreAuthStatus::from(s.as_str())),
            capture_method: non_empty(wire.capture_method),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Refund (`POST /checkout/refund`, form-encoded)
// ---------------------------------------------------------------------------------------------

/// The form fields, in order: `order_id`, then `amount` for a partial refund.
pub(crate) fn refund_form(order_id: &str, amount: Option<&Money>) -> Vec<(&'static str, String)> {
    let mut fields = vec![("order_id", order_id.to_owned())];
    if let Some(amount) = amount {
        fields.push(("amount", amount.to_fixed_string()));
    }
    fields
}

/// What a refund answer may say beside the documented empty body.
#[derive(Debug, Deserialize)]
struct RefundAnswer {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    order_id: Option<String>,
}

/// Reads a 2xx refund answer. iPay documents an empty body (bog-ipay.md §5.3). A body is read
/// only to be checked: one that is not a JSON object, names another order, or says anything
/// but `success` does not tell whether the refund happened ([`Error::Decode`] or
/// [`Error::Integrity`], which core makes an unknown outcome).
pub(crate) fn refund_answer(response: &RawResponse, order_id: &str) -> Result<()> {
    if response.is_empty() {
        return Ok(());
    }
    let answer: RefundAnswer = response.json()?;
    if let Some(echoed) = answer.order_id.filter(|echoed| echoed != order_id) {
        return Err(Error::Integrity {
            provider: response.provider,
            field: "order_id".into(),
            expected: order_id.to_owned(),
            actual: echoed,
        });
    }
    match answer.status.as_deref() {
        None | Some("success") => Ok(()),
        Some(other) => Err(Error::decode(
            response.provider,
            format!("a refund answered with status {other:?}"),
            &response.body,
            false,
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Pre-authorization completion (`POST /checkout/payment/{order_id}/pre-auth/completion`)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub(crate) struct PreAuthBody {
    auth_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<String>,
}

impl From<&PreAuthCompletion> for PreAuthBody {
    fn from(completion: &PreAuthCompletion) -> Self {
        let amount = match completion {
            PreAuthCompletion::Partial(amount) => Some(amount.to_fixed_string()),
            PreAuthCompletion::Full | PreAuthCompletion::Cancel => None,
        };
        PreAuthBody {
            auth_type: completion.auth_type(),
            amount,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PreAuthResponse {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    description: Option<String>,
    /// Not documented; checked when present.
    #[serde(default)]
    order_id: Option<String>,
}

/// Reads a 2xx completion answer for `order_id`. An empty body counts as success (the call was
/// accepted with a 2xx; some iPay answers come without a body, bog-ipay.md §9.2). A body that
/// is not the documented JSON is [`Error::Decode`], one naming another order
/// [`Error::Integrity`]: core makes both an unknown outcome.
pub(crate) fn pre_auth_answer(response: &RawResponse, order_id: &str) -> Result<PreAuthResult> {
    if response.is_empty() {
        return Ok(PreAuthResponse::default().into_result());
    }
    let answer: PreAuthResponse = response.json()?;
    if let Some(echoed) = answer.order_id.clone().filter(|echoed| echoed != order_id) {
        return Err(Error::Integrity {
            provider: response.provider,
            field: "order_id".into(),
            expected: order_id.to_owned(),
            actual: echoed,
        });
    }
    Ok(answer.into_result())
}

impl PreAuthResponse {
    /// An answer without `status` counts as success: the call was accepted with a 2xx.
    fn into_result(self) -> PreAuthResult {
        PreAuthResult {
            status: PaymentState::from(self.status.as_deref().unwrap_or("success")),
            description: non_empty(self.description),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Recurring charge (`POST /checkout/payment/subscription`)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub(crate) struct SubscriptionBody<'a> {
    order_id: &'a str,
    amount: AmountBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    shop_order_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purchase_description: Option<&'a str>,
}

impl<'a> From<&'a SubscriptionCharge> for SubscriptionBody<'a> {
    fn from(charge: &'a SubscriptionCharge) -> Self {
        SubscriptionBody {
            order_id: &charge.order_id,
            amount: AmountBody::of(&charge.amount),
            shop_order_id: charge.shop_order_id.as_deref(),
            purchase_description: charge.purchase_description.as_deref(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct SubscriptionResponse {
    status: String,
    payment_hash: String,
    order_id: String,
}

impl SubscriptionResponse {
    /// The new payment charged on the card of `card_order_id`. Its `order_id` must be a new
    /// one: an answer naming the original order says nothing about this charge.
    pub(crate) fn into_payment(
        self,
        provider: ProviderId,
        body: &[u8],
        card_order_id: &str,
    ) -> Result<SubscriptionPayment> {
        if self.order_id.is_empty() {
            return Err(Error::decode(provider, "empty order_id", body, false));
        }
        if self.payment_hash.is_empty() {
            return Err(Error::decode(provider, "empty payment_hash", body, false));
        }
        if self.order_id == card_order_id {
            return Err(Error::Integrity {
                provider,
                field: "order_id".into(),
                expected: "a new order_id".into(),
                actual: self.order_id,
            });
        }
        Ok(SubscriptionPayment {
            order_id: self.order_id,
            payment_hash: PaymentHash::new(self.payment_hash),
            status: PaymentState::from(self.status.as_str()),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Legacy reads (`GET /checkout/orders/{id}`, `GET /checkout/orders/status/{id}`)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub(crate) struct LegacyStatusResponse {
    pub(crate) status: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LegacyOrderResponse {
    #[serde(deserialize_with = "string_or_number")]
    id: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    intent: Option<String>,
    #[serde(default)]
    payer: Option<LegacyPayerBody>,
    #[serde(default, rename = "purchaseUnit", alias = "purchase_unit")]
    purchase_unit: Option<LegacyPurchaseUnitBody>,
    #[serde(default, rename = "createTime", alias = "create_time")]
    create_time: Option<String>,
    #[serde(default, rename = "updateTime", alias = "update_time")]
    update_time: Option<String>,
    #[serde(default, rename = "errorHistory", alias = "error_history")]
    error_history: Option<Vec<LegacyErrorBody>>,
}

#[derive(Debug, Deserialize)]
struct LegacyPayerBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email_address: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    payer_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LegacyPurchaseUnitBody {
    #[serde(default)]
    amount: Option<LegacyAmountBody>,
    #[serde(default)]
    shop_order_id: Option<String>,
    #[serde(default)]
    payments: Option<Vec<LegacyPaymentBody>>,
}

#[derive(Debug, Deserialize)]
struct LegacyAmountBody {
    #[serde(with = "paykit_core::wire::decimal_string")]
    value: Decimal,
    #[serde(default)]
    currency_code: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LegacyPaymentBody {
    #[serde(default)]
    captures: Option<Vec<LegacyCaptureBody>>,
}

#[derive(Debug, Deserialize)]
struct LegacyCaptureBody {
    #[serde(default, deserialize_with = "lenient_string")]
    id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    amount: Option<LegacyAmountBody>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    final_capture: Option<bool>,
    #[serde(default)]
    create_time: Option<String>,
    #[serde(default)]
    update_time: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LegacyErrorBody {
    #[serde(
        default,
        rename = "errorCode",
        alias = "error_code",
        deserialize_with = "lenient_string"
    )]
    error_code: Option<String>,
    #[serde(default, rename = "actionTime", alias = "action_time")]
    action_time: Option<String>,
}

impl From<LegacyAmountBody> for LegacyAmount {
    fn from(body: LegacyAmountBody) -> Self {
        LegacyAmount {
            value: body.value,
            currency_code: body.currency_code.unwrap_or_default(),
        }
    }
}

impl From<LegacyOrderResponse> for LegacyOrder {
    fn from(wire: LegacyOrderResponse) -> Self {
        let (amount, shop_order_id, payments) = match wire.purchase_unit {
            Some(unit) => (
                unit.amount.map(LegacyAmount::from),
                non_empty(unit.shop_order_id),
                unit.payments.unwrap_or_default(),
            ),
            None => (None, None, Vec::new()),
        };
        let captures = payments
            .into_iter()
            .flat_map(|p| p.captures.unwrap_or_default())
            .map(|c| LegacyCapture {
                id: c.id,
                status: c.status,
                amount: c.amount.map(LegacyAmount::from),
                final_capture: c.final_capture,
                create_time: c.create_time,
                update_time: c.update_time,
            })
            .collect();
        LegacyOrder {
            id: wire.id,
            status: wire.status,
            intent: wire.intent,
            payer: wire.payer.map(|p| LegacyPayer {
                name: p.name,
                email_address: p.email_address,
                payer_id: p.payer_id,
            }),
            amount,
            shop_order_id,
            captures,
            create_time: wire.create_time,
            update_time: wire.update_time,
            error_history: wire
                .error_history
                .unwrap_or_default()
                .into_iter()
                .map(|e| LegacyError {
                    error_code: e.error_code,
                    action_time: e.action_time,
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lenient field readers
// ---------------------------------------------------------------------------------------------

/// `None` for absent, `null` and empty strings.
pub(crate) fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// A string or a JSON number, as text; `null` is `None`.
fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(deserializer)?;
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get().trim();
    if text == "null" {
        return Ok(None);
    }
    if text.starts_with('"') {
        return serde_json::from_str::<String>(text)
            .map(Some)
            .map_err(D::Error::custom);
    }
    if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Ok(Some(text.to_owned()));
    }
    Err(D::Error::custom(format!(
        "expected a string or a number, got {text}"
    )))
}

/// A required string or JSON number, as text.
fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    lenient_string(deserializer)?.ok_or_else(|| D::Error::custom("missing value"))
}

/// An integer sent as a number or a numeric string; `null` is `None`.
fn lenient_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match lenient_string(deserializer)? {
        None => Ok(None),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("not an integer: {text:?}"))),
    }
}

/// A boolean sent as `true` or `"true"`; `null` is `None`.
fn lenient_opt_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(deserializer)?;
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get().trim().trim_matches('"');
    if text == "null" {
        Ok(None)
    } else if text.eq_ignore_ascii_case("true") {
        Ok(Some(true))
    } else if text.eq_ignore_ascii_case("false") {
        Ok(Some(false))
    } else {
        Err(D::Error::custom(format!("not a boolean: {}", raw.get())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Intent, Locale, OrderItem};
    use paykit_core::Currency;

    fn gel(text: &str) -> Money {
        Money::parse(text, Currency::GEL).unwrap()
    }

    #[test]
    fn create_order_body_has_the_documented_shape() {
        let order = CreateOrder::new(
            Intent::Authorize,
            gel("30"),
            "https://shop.example.ge/checkout/return?ref=A-20250314-0007",
        )
        .item(OrderItem::new("SKU-1001", "Blue mug", gel("12.5"), 2))
        .item(OrderItem::new("SHIP", "Delivery", gel("5"), 1))
        .locale(Locale::EnUs)
        .shop_order_id("A-20250314-0007")
        .show_shop_order_id_on_extract(true)
        .capture_method(crate::CaptureMethod::Automatic);
        let json = serde_json::to_value(CreateOrderBody::from(&order)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "intent": "AUTHORIZE",
                "items": [
                    {"amount": "12.50", "description": "Blue mug", "quantity": 2, "product_id": "SKU-1001"},
                    {"amount": "5.00", "description": "Delivery", "quantity": 1, "product_id": "SHIP"}
                ],
                "locale": "en-US",
                "shop_order_id": "A-20250314-0007",
                "redirect_url": "https://shop.example.ge/checkout/return?ref=A-20250314-0007",
                "show_shop_order_id_on_extract": true,
                "capture_method": "AUTOMATIC",
                "purchase_units": [{"amount": {"currency_code": "GEL", "value": "30.00"}}]
            })
        );
    }

    #[test]
    fn optional_fields_are_left_out() {
        let order = CreateOrder::new(Intent::Capture, gel("1"), "https://x.ge/r")
            .item(OrderItem::new("p", "d", gel("1"), 1));
        let text = serde_json::to_string(&CreateOrderBody::from(&order)).unwrap();
        for absent in [
            "locale",
            "shop_order_id",
            "capture_method",
            "show_shop_order_id",
        ] {
            assert!(!text.contains(absent), "{text}");
        }
    }

    #[test]
    fn amount_strings_follow_the_vectors() {
        for (input, wire) in [
            ("0.5", "0.50"),
            ("10", "10.00"),
            ("1234.5", "1234.50"),
            ("0.1", "0.10"),
        ] {
            assert_eq!(AmountBody::of(&gel(input)).value, wire);
        }
    }

    #[test]
    fn the_approve_link_is_chosen_by_rel_not_position() {
        let body = br#"{"status":"CREATED","payment_hash":"h","order_id":"o","links":[
            {"href":"https://ipay.ge/?order_id=o&locale=ka","rel":"approve","method":"REDIRECT"},
            {"href":"https://ipay.ge/opay/api/v1/checkout/orders/o","rel":"self","method":"GET"}]}"#;
        let wire: CreateOrderResponse = serde_json::from_slice(body).unwrap();
        let order = wire.into_order(ProviderId("bog"), body).unwrap();
        assert_eq!(order.approve_url, "https://ipay.ge/?order_id=o&locale=ka");
        assert_eq!(
            order.self_url.as_deref(),
            Some("https://ipay.ge/opay/api/v1/checkout/orders/o")
        );
    }

    #[test]
    fn a_redirect_link_without_rel_is_the_fallback() {
        let body = br#"{"payment_hash":"h","order_id":"o","links":[
            {"href":"https://ipay.ge/opay/api/v1/checkout/orders/o","rel":"self","method":"GET"},
            {"href":"https://dev.ipay.ge/?paymentId=o","method":"REDIRECT"}]}"#;
        let wire: CreateOrderResponse = serde_json::from_slice(body).unwrap();
        let order = wire.into_order(ProviderId("bog"), body).unwrap();
        assert_eq!(order.approve_url, "https://dev.ipay.ge/?paymentId=o");
    }

    #[test]
    fn no_approve_link_is_a_decode_error() {
        let body = br#"{"payment_hash":"h","order_id":"o","links":[{"href":"x","rel":"self","method":"GET"}]}"#;
        let wire: CreateOrderResponse = serde_json::from_slice(body).unwrap();
        let err = wire.into_order(ProviderId("bog"), body).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err}");
    }

    #[test]
    fn details_accept_numbers_and_nulls() {
        let body = br#"{"status":"error","pan":null,"order_id":"o","pre_auth_status":null,
            "payment_hash":"h","ipay_payment_id":402118,"status_description":"REJECTED",
            "shop_order_id":"","payment_method":"UNKNOWN","card_type":"UNKNOWN","transaction_id":null}"#;
        let details =
            PaymentDetails::from(serde_json::from_slice::<PaymentDetailsResponse>(body).unwrap());
        assert_eq!(details.status, PaymentState::Error);
        assert_eq!(details.ipay_payment_id.as_deref(), Some("402118"));
        assert_eq!(details.shop_order_id, None);
        assert_eq!(details.payment_method, Some(PaymentMethod::Unknown));
        assert_eq!(details.pre_auth_status, None);
    }

    #[test]
    fn token_expiry_reads_numbers_and_strings() {
        let t: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a","token_type":"Bearer","app_id":"1A2019","expires_in":1596573893918}"#)
                .unwrap();
        assert_eq!(t.expires_in, Some(1_596_573_893_918));
        let t: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a","expires_in":"1596573893918"}"#).unwrap();
        assert_eq!(t.expires_in, Some(1_596_573_893_918));
        assert!(
            serde_json::from_str::<TokenResponse>(r#"{"access_token":"a","expires_in":1.5e3}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<TokenResponse>(r#"{"access_token":"a","expires_in":true}"#)
                .is_err()
        );
    }

    #[test]
    fn pre_auth_body_carries_amount_only_when_partial() {
        let full = serde_json::to_value(PreAuthBody::from(&PreAuthCompletion::Full)).unwrap();
        assert_eq!(full, serde_json::json!({"auth_type": "FULL_COMPLETE"}));
        let partial =
            serde_json::to_value(PreAuthBody::from(&PreAuthCompletion::Partial(gel("7.5"))))
                .unwrap();
        assert_eq!(
            partial,
            serde_json::json!({"auth_type": "PARTIAL_COMPLETE", "amount": "7.50"})
        );
        let cancel = serde_json::to_value(PreAuthBody::from(&PreAuthCompletion::Cancel)).unwrap();
        assert_eq!(cancel, serde_json::json!({"auth_type": "CANCEL"}));
    }

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            provider: ProviderId("bog"),
            status: paykit_core::http::StatusCode::from_u16(status).unwrap(),
            headers: Default::default(),
            body: body.to_owned().into_bytes().into(),
            mutating: true,
            sensitive: false,
        }
    }

    #[test]
    fn a_refund_answer_is_believed_only_when_it_says_nothing_else() {
        assert!(refund_answer(&raw(200, ""), "o1").is_ok());
        assert!(refund_answer(&raw(200, r#"{"status":"success","order_id":"o1"}"#), "o1").is_ok());
        let other = refund_answer(&raw(200, r#"{"order_id":"o2"}"#), "o1").unwrap_err();
        assert!(matches!(other, Error::Integrity { .. }), "{other:?}");
        let failed = refund_answer(&raw(200, r#"{"status":"error"}"#), "o1").unwrap_err();
        assert!(matches!(failed, Error::Decode { .. }), "{failed:?}");
        let cut = refund_answer(&raw(200, r#"{"status":"succ"#), "o1").unwrap_err();
        assert!(matches!(cut, Error::Decode { .. }), "{cut:?}");
    }

    #[test]
    fn a_completion_answer_naming_another_order_is_an_integrity_error() {
        let done = pre_auth_answer(&raw(200, ""), "o1").unwrap();
        assert_eq!(done.status, PaymentState::Success);
        let err = pre_auth_answer(&raw(200, r#"{"status":"success","order_id":"o2"}"#), "o1")
            .unwrap_err();
        assert!(matches!(err, Error::Integrity { .. }), "{err:?}");
    }

    #[test]
    fn a_recurring_charge_must_be_a_new_order() {
        let body = br#"{"status":"in_progress","payment_hash":"h","order_id":"card"}"#;
        let wire: SubscriptionResponse = serde_json::from_slice(body).unwrap();
        let err = wire
            .into_payment(ProviderId("bog"), body, "card")
            .unwrap_err();
        assert!(matches!(err, Error::Integrity { .. }), "{err:?}");
        let body = br#"{"status":"in_progress","payment_hash":"","order_id":"new"}"#;
        let wire: SubscriptionResponse = serde_json::from_slice(body).unwrap();
        assert!(wire.into_payment(ProviderId("bog"), body, "card").is_err());
    }

    #[test]
    fn an_approve_link_to_another_order_is_an_integrity_error() {
        let body = br#"{"payment_hash":"h","order_id":"o","links":[
            {"href":"https://ipay.ge/?order_id=other&locale=ka","rel":"approve","method":"REDIRECT"}]}"#;
        let wire: CreateOrderResponse = serde_json::from_slice(body).unwrap();
        let err = wire.into_order(ProviderId("bog"), body).unwrap_err();
        assert!(matches!(err, Error::Integrity { .. }), "{err:?}");
    }

    #[test]
    fn refund_form_follows_the_vectors() {
        let id = "899318b1ce0d5885cb7405fe86e3930178ff90be";
        let full = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(refund_form(id, None))
            .finish();
        assert_eq!(full, "order_id=899318b1ce0d5885cb7405fe86e3930178ff90be");
        let partial = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(refund_form(id, Some(&gel("5.25"))))
            .finish();
        assert_eq!(
            partial,
            "order_id=899318b1ce0d5885cb7405fe86e3930178ff90be&amount=5.25"
        );
    }

    #[test]
    fn legacy_order_reads_the_mixed_shape() {
        let body = r#"{"id":"o1","status":"PERFORMED","intent":"CAPTURE",
            "payer":{"name":"N","email_address":"e@x.ge","payer_id":"p"},
            "purchaseUnit":{"amount":{"value":"0.10","currency_code":"GEL"},
              "payee":{"addres":"a","contact":"c","email_address":"m"},
              "payments":[{"captures":[{"id":"c1","status":"PERFORMED","amount":{"value":0.10,"currency_code":"GEL"},
                "final_capture":"true","create_time":"Tue Nov 17 19:04:29 GET 2020","update_time":"Tue Nov 17 19:04:29 GET 2020"}]}],
              "shop_order_id":"s1"},
            "createTime":"Tue Nov 17 19:04:29 GET 2020","updateTime":"Tue Nov 17 19:04:29 GET 2020",
            "errorHistory":[{"errorCode":"E1","actionTime":"t"}]}"#;
        let order = LegacyOrder::from(serde_json::from_str::<LegacyOrderResponse>(body).unwrap());
        assert_eq!(order.amount.as_ref().unwrap().value.to_string(), "0.10");
        assert_eq!(order.captures.len(), 1);
        assert_eq!(order.captures[0].final_capture, Some(true));
        assert_eq!(
            order.captures[0].amount.as_ref().unwrap().value.to_string(),
            "0.10"
        );
        assert_eq!(order.shop_order_id.as_deref(), Some("s1"));
        assert_eq!(order.error_history[0].error_code.as_deref(), Some("E1"));
    }
}
