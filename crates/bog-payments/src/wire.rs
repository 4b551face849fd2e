//! The JSON that goes over the wire: request bodies (amounts as JSON numbers with at most two
//! decimals, never through a float, §9.2, TV-P5) and the lenient reading of BOG's amounts,
//! which arrive as strings (`"30.0"`), numbers, `null` or `""`.

use paykit_core::Decimal;
use rust_decimal::RoundingStrategy;
use serde::{Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::types::{
    BasketItem, Buyer, CaptureMethod, ChargeSaved, CreateOrder, OrderConfig, SplitShare,
};

/// An amount rounded half-up to 2 decimals and written as a JSON number (`25.505` → `25.51`,
/// `30` → `30`, `0.3` → `0.3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Amount(pub(crate) Decimal);

impl Amount {
    /// The number token sent.
    pub(crate) fn token(self) -> String {
        self.0
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
            .to_string()
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let raw = RawValue::from_string(self.token()).map_err(S::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// Reads a response amount: a numeric string or number is a value, `null` and `""` are
/// `None`, anything else an error (TV-P5 parse table).
pub(crate) fn parse_amount(value: &Value) -> Result<Option<Decimal>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) if text.trim().is_empty() => Ok(None),
        Value::String(text) => paykit_core::wire::parse_decimal_literal(text)
            .map(Some)
            .ok_or_else(|| format!("{text:?} is not an amount")),
        Value::Number(number) => paykit_core::wire::parse_decimal_literal(&number.to_string())
            .map(Some)
            .ok_or_else(|| format!("{number} is not an amount")),
        other => Err(format!("{other} is not an amount")),
    }
}

#[derive(Serialize)]
pub(crate) struct CreateOrderBody<'a> {
    callback_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_order_id: Option<&'a str>,
    capture: &'static str,
    purchase_units: PurchaseUnits<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_urls: Option<RedirectUrls<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    payment_method: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    buyer: Option<BuyerBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<ConfigBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    application_type: Option<&'static str>,
}

#[derive(Serialize)]
struct PurchaseUnits<'a> {
    currency: &'static str,
    total_amount: Amount,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_discount_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery: Option<Delivery>,
    basket: Vec<BasketBody<'a>>,
}

#[derive(Serialize)]
struct Delivery {
    amount: Amount,
}

#[derive(Serialize)]
struct BasketBody<'a> {
    product_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    quantity: u32,
    unit_price: Amount,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit_discount_price: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vat: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vat_percent: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_price: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    package_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tin: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinfl: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    product_discount_id: Option<&'a str>,
}

#[derive(Serialize)]
struct RedirectUrls<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    success: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fail: Option<&'a str>,
}

#[derive(Serialize)]
struct BuyerBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    full_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    masked_email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    masked_phone: Option<&'a str>,
}

#[derive(Serialize)]
struct ConfigBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    loan: Option<LoanBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<CampaignBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    google_pay: Option<GooglePayBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    apple_pay: Option<ApplePayBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<AccountBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    split: Option<SplitBody<'a>>,
}

#[derive(Serialize)]
struct LoanBody<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    month: u32,
}

#[derive(Serialize)]
struct CampaignBody<'a> {
    card: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
struct GooglePayBody<'a> {
    external: bool,
    google_pay_token: &'a str,
}

#[derive(Serialize)]
struct ApplePayBody {
    external: bool,
}

#[derive(Serialize)]
struct AccountBody<'a> {
    tag: &'a str,
}

#[derive(Serialize)]
struct SplitBody<'a> {
    split_payments: Vec<SplitEntry<'a>>,
}

#[derive(Serialize)]
struct SplitEntry<'a> {
    iban: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    percent: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

fn basket(item: &BasketItem) -> BasketBody<'_> {
    BasketBody {
        product_id: &item.product_id,
        description: item.description.as_deref(),
        quantity: item.quantity,
        unit_price: Amount(item.unit_price),
        unit_discount_price: item.unit_discount_price.map(Amount),
        vat: item.vat.map(Amount),
        vat_percent: item.vat_percent.map(Amount),
        total_price: item.total_price.map(Amount),
        image: item.image.as_deref(),
        package_code: item.package_code.as_deref(),
        tin: item.tin.as_deref(),
        pinfl: item.pinfl.as_deref(),
        product_discount_id: item.product_discount_id.as_deref(),
    }
}

fn buyer(buyer: &Buyer) -> BuyerBody<'_> {
    BuyerBody {
        full_name: buyer.full_name.as_deref(),
        masked_email: buyer.masked_email.as_deref(),
        masked_phone: buyer.masked_phone.as_deref(),
    }
}

fn config(config: &OrderConfig) -> Option<ConfigBody<'_>> {
    if config.is_empty() {
        return None;
    }
    Some(ConfigBody {
        loan: config.loan.as_ref().map(|l| LoanBody {
            kind: &l.kind,
            month: l.month,
        }),
        campaign: config.campaign.as_ref().map(|c| CampaignBody {
            card: c.card.as_str(),
            kind: c.kind.as_str(),
        }),
        google_pay: config
            .google_pay_token
            .as_deref()
            .map(|token| GooglePayBody {
                external: true,
                google_pay_token: token,
            }),
        apple_pay: config
            .apple_pay_external
            .then_some(ApplePayBody { external: true }),
        account: config.account_tag.as_deref().map(|tag| AccountBody { tag }),
        split: (!config.split.is_empty()).then(|| SplitBody {
            split_payments: config
                .split
                .iter()
                .map(|s| SplitEntry {
                    iban: &s.iban,
                    amount: match s.share {
                        SplitShare::Amount(a) => Some(Amount(a)),
                        SplitShare::Percent(_) => None,
                    },
                    percent: match s.share {
                        SplitShare::Percent(p) => Some(Amount(p)),
                        SplitShare::Amount(_) => None,
                    },
                    description: s.description.as_deref(),
                })
                .collect(),
        }),
    })
}

impl<'a> From<&'a CreateOrder> for CreateOrderBody<'a> {
    fn from(order: &'a CreateOrder) -> Self {
        let redirect =
            (order.success_url.is_some() || order.fail_url.is_some()).then_some(RedirectUrls {
                success: order.success_url.as_deref(),
                fail: order.fail_url.as_deref(),
            });
        CreateOrderBody {
            callback_url: &order.callback_url,
            external_order_id: order.external_order_id.as_deref(),
            capture: match order.capture {
                CaptureMethod::Automatic => "automatic",
                CaptureMethod::Manual => "manual",
            },
            purchase_units: PurchaseUnits {
                currency: order.currency.code(),
                total_amount: Amount(order.total_amount),
                total_discount_amount: order.total_discount_amount.map(Amount),
                delivery: order
                    .delivery_amount
                    .map(|a| Delivery { amount: Amount(a) }),
                basket: order.basket.iter().map(basket).collect(),
            },
            redirect_urls: redirect,
            ttl: order.ttl_minutes,
            payment_method: order.payment_methods.iter().map(|m| m.as_str()).collect(),
            buyer: order.buyer.as_ref().map(buyer),
            config: config(&order.config),
            application_type: order.application_type.map(|a| a.as_str()),
        }
    }
}

/// `{"amount"?}` of a refund.
#[derive(Serialize)]
pub(crate) struct RefundBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) amount: Option<Amount>,
}

/// `{"amount"?, "description"?}` of a pre-auth approval; `{"description"?}` of a cancel.
#[derive(Serialize)]
pub(crate) struct PreAuthBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<&'a str>,
}

/// `{"callback_url"?, "external_order_id"?}` of an automatic charge.
#[derive(Serialize)]
pub(crate) struct SubscribeBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_order_id: Option<&'a str>,
}

impl<'a> From<&'a ChargeSaved> for SubscribeBody<'a> {
    fn from(charge: &'a ChargeSaved) -> Self {
        SubscribeBody {
            callback_url: charge.callback_url.as_deref(),
            external_order_id: charge.external_order_id.as_deref(),
        }
    }
}

/// `{"apple_pay_token": "..."}`.
#[derive(Serialize)]
pub(crate) struct ApplePayAcceptBody<'a> {
    pub(crate) apple_pay_token: &'a str,
}

/// `_links.<name>.href`.
pub(crate) fn link(value: &Value, name: &str) -> Option<String> {
    value
        .get("_links")?
        .get(name)?
        .get("href")?
        .as_str()
        .filter(|href| !href.trim().is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// TV-P5 serialize table.
    #[test]
    fn amounts_are_two_decimal_json_numbers() {
        for (input, token) in [
            ("30", "30"),
            ("12.5", "12.5"),
            ("0.3", "0.3"),
            ("1234.5", "1234.5"),
            ("25.505", "25.51"),
            ("0.005", "0.01"),
            ("25.50", "25.5"),
        ] {
            assert_eq!(Amount(dec(input)).token(), token, "{input}");
            assert_eq!(serde_json::to_string(&Amount(dec(input))).unwrap(), token);
        }
    }

    /// TV-P5 parse table.
    #[test]
    fn response_amounts_are_read_leniently() {
        let cases: [(&str, Option<&str>); 7] = [
            ("\"100.5\"", Some("100.50")),
            ("\"0.0\"", Some("0")),
            ("\"0\"", Some("0")),
            ("\"25.35\"", Some("25.35")),
            ("12.5", Some("12.50")),
            ("null", None),
            ("\"\"", None),
        ];
        for (json, expected) in cases {
            let value: Value = serde_json::from_str(json).unwrap();
            let got = parse_amount(&value).unwrap();
            assert_eq!(
                got.map(|d| d.normalize()),
                expected.map(|e| dec(e).normalize())
            );
        }
        for bad in ["\"abc\"", "true", "[1]", "{}"] {
            let value: Value = serde_json::from_str(bad).unwrap();
            assert!(parse_amount(&value).is_err(), "{bad}");
        }
    }
}
