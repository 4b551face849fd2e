//! The exact wire format: one private serde struct per request and response body.
//!
//! Amounts are written from [`Decimal`] as JSON number literals (`249.50`) and read from the
//! number's literal text (core's `wire` helpers), never through `f64`. Responses are read
//! leniently: every field the spec marks as unconfirmed is optional, and fields this version
//! does not know are kept by [`extra_fields`].

use std::collections::BTreeMap;

use paykit_core::Decimal;
use paykit_core::wire::{decimal_number, opt_decimal_number};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

/// `grant_type` of the client credentials request (spec §3.1).
pub(crate) const GRANT_TYPE: &str = "client_credentials";

/// JSON form of the client credentials request, for providers that answer 415 to a form body
/// (spec §3.2 makes the encoding a knob).
#[derive(Debug, Serialize)]
pub(crate) struct TokenRequestJson<'a> {
    pub(crate) grant_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scope: Option<&'a str>,
}

/// Maya Connect's OAuth 2.0 token response (spec §3.3). Only `access_token` is confirmed.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) token_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub(crate) expires_in: Option<u64>,
}

/// The customer token pair: Maya's Session URL push (spec §4.1) and the `POST /tokens`
/// response (spec §4.2) have this same shape.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomerTokens {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    #[serde(deserialize_with = "lenient_unix_seconds")]
    pub(crate) expires_at: i64,
}

/// `POST /tokens` request body (spec §4.2).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefreshRequest<'a> {
    pub(crate) refresh_token: &'a str,
}

/// The Session URL's reply (spec §4.1).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionReply<'a> {
    pub(crate) session_id: &'a str,
}

/// `POST /merchant/payments` request body (spec §5.2): nothing but `p2mId` and `amount`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatePaymentRequest<'a> {
    pub(crate) p2m_id: &'a str,
    pub(crate) amount: AmountRequest<'a>,
}

/// `amount` of a create request: `value` is a JSON number in major units (`249.50`).
#[derive(Serialize)]
pub(crate) struct AmountRequest<'a> {
    pub(crate) currency: &'a str,
    #[serde(with = "decimal_number")]
    pub(crate) value: Decimal,
}

/// `POST /merchant/payments/{id}/execute` request body: `{}` (no body is documented, but
/// `Content-Type: application/json` is mandatory, spec §6.1).
#[derive(Serialize)]
pub(crate) struct ExecuteRequest {}

/// The payment object answered by create and execute (spec §5.3, §6.2). The documented table
/// is truncated after `amount`, so everything is optional and the outcome field is looked for
/// under `status` and `paymentStatus`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentResponse {
    #[serde(default)]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) p2m_id: Option<String>,
    #[serde(default)]
    pub(crate) request_reference_number: Option<String>,
    #[serde(default)]
    pub(crate) amount: Option<AmountResponse>,
    #[serde(default)]
    pub(crate) status: Option<Box<RawValue>>,
    #[serde(default)]
    pub(crate) payment_status: Option<Box<RawValue>>,
}

/// Field names [`PaymentResponse`] reads; everything else lands in the payment's `extra`.
pub(crate) const PAYMENT_FIELDS: &[&str] = &[
    "id",
    "p2mId",
    "requestReferenceNumber",
    "amount",
    "status",
    "paymentStatus",
];

/// `amount` of a payment response; `value` read exactly from a number or numeric string.
#[derive(Deserialize)]
pub(crate) struct AmountResponse {
    #[serde(default)]
    pub(crate) currency: Option<String>,
    #[serde(default, with = "opt_decimal_number")]
    pub(crate) value: Option<Decimal>,
}

/// `GET /profile` response (spec §4.3): a JWE wrapping a JWS.
#[derive(Deserialize)]
pub(crate) struct ProfileResponse {
    pub(crate) data: String,
}

/// The members of a JSON object other than `known`, as their exact JSON text. An object that
/// cannot be re-read this way (it was already parsed once, so this does not happen) gives none.
pub(crate) fn extra_fields(body: &[u8], known: &[&str]) -> BTreeMap<String, Box<RawValue>> {
    serde_json::from_slice::<BTreeMap<String, Box<RawValue>>>(body)
        .map(|mut members| {
            members.retain(|key, _| !known.contains(&key.as_str()));
            members
        })
        .unwrap_or_default()
}

/// A JSON string's text, or the raw JSON of any other value (a status that is not a string is
/// kept verbatim rather than failing the whole answer).
pub(crate) fn text_of(raw: &RawValue) -> String {
    serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().to_owned())
}

/// A whole number of seconds from a JSON number or numeric string (`3600`, `"3600"`).
fn lenient_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(deserializer)?;
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get().trim().trim_matches('"').trim();
    if text == "null" {
        return Ok(None);
    }
    text.parse::<u64>()
        .map(Some)
        .map_err(|_| D::Error::custom(format!("expires_in is not a whole number: {text}")))
}

/// Unix seconds from a JSON integer or numeric string.
fn lenient_unix_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    let text = raw.get().trim().trim_matches('"').trim();
    text.parse::<i64>()
        .map_err(|_| D::Error::custom(format!("expiresAt is not whole Unix seconds: {text}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_body_has_the_documented_shape_and_number_literal() {
        let body = CreatePaymentRequest {
            p2m_id: "P2M-000123456",
            amount: AmountRequest {
                currency: "PHP",
                value: Decimal::new(24950, 2),
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"p2mId":"P2M-000123456","amount":{"currency":"PHP","value":249.50}}"#
        );
    }

    #[test]
    fn execute_body_is_an_empty_object() {
        assert_eq!(serde_json::to_string(&ExecuteRequest {}).unwrap(), "{}");
    }

    #[test]
    fn refresh_and_reply_bodies_are_camel_case() {
        let refresh = RefreshRequest {
            refresh_token: "test-refresh-token",
        };
        assert_eq!(
            serde_json::to_string(&refresh).unwrap(),
            r#"{"refreshToken":"test-refresh-token"}"#
        );
        let reply = SessionReply { session_id: "abc" };
        assert_eq!(
            serde_json::to_string(&reply).unwrap(),
            r#"{"sessionId":"abc"}"#
        );
    }

    #[test]
    fn token_response_reads_expires_in_leniently() {
        let t: TokenResponse =
            serde_json::from_str(r#"{"access_token":"t","expires_in":"3600"}"#).unwrap();
        assert_eq!(t.expires_in, Some(3600));
        let t: TokenResponse = serde_json::from_str(r#"{"access_token":"t"}"#).unwrap();
        assert_eq!(t.expires_in, None);
        assert!(
            serde_json::from_str::<TokenResponse>(r#"{"access_token":"t","expires_in":1.5}"#)
                .is_err()
        );
    }

    #[test]
    fn payment_response_keeps_exact_amounts_and_unknown_fields() {
        let body = br#"{"id":"p-1","amount":{"currency":"PHP","value":249.50},"status":"APPROVED","receiptNumber":"r-9","fee":0.10}"#;
        let payment: PaymentResponse = serde_json::from_slice(body).unwrap();
        let amount = payment.amount.unwrap();
        assert_eq!(amount.value.unwrap().to_string(), "249.50");
        assert_eq!(text_of(&payment.status.unwrap()), "APPROVED");
        let extra = extra_fields(body, PAYMENT_FIELDS);
        assert_eq!(extra.keys().collect::<Vec<_>>(), ["fee", "receiptNumber"]);
        assert_eq!(extra["fee"].get(), "0.10");
    }

    #[test]
    fn customer_tokens_accept_string_seconds() {
        let t: CustomerTokens = serde_json::from_str(
            r#"{"accessToken":"a","refreshToken":"r","expiresAt":"1767225600"}"#,
        )
        .unwrap();
        assert_eq!(t.expires_at, 1_767_225_600);
    }
}
