//! The exact JSON of each request and response (miapos.md §3), one private struct each.
//!
//! Amounts go through `paykit_core::wire::decimal_number`: written from the `Decimal`'s text
//! and read from the number's literal, never through `f64`. Unknown response fields are
//! ignored; optional request fields are left out when `None`.

use paykit_core::Decimal;
use serde::{Deserialize, Serialize};

/// `POST /ecomm/api/v1/token` (`GenerateTokenRequest`). No `terminalId`: only the unverified
/// web page shows one, no SDK sends it (§9).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenRequest<'a> {
    pub(crate) merchant_id: &'a str,
    pub(crate) secret_key: &'a str,
}

/// `POST /ecomm/api/v1/token/refresh`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefreshRequest<'a> {
    pub(crate) refresh_token: &'a str,
}

/// The answer of both token endpoints (`AuthTokens`). Lifetimes are seconds.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) access_token_expires_in: Option<u64>,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    #[serde(default)]
    pub(crate) refresh_token_expires_in: Option<u64>,
    #[serde(default)]
    pub(crate) token_type: Option<String>,
}

/// `POST /ecomm/api/v1/pay` (`CreatePaymentRequest`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PayRequest<'a> {
    pub(crate) terminal_id: &'a str,
    pub(crate) order_id: &'a str,
    #[serde(with = "paykit_core::wire::decimal_number")]
    pub(crate) amount: Decimal,
    pub(crate) currency: &'static str,
    pub(crate) pay_description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) language: Option<&'static str>,
    pub(crate) payment_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) callback_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) success_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fail_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) direct_redirect: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fast_redirect: Option<bool>,
}

/// The answer to `/pay` (`CreatePaymentResponse`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PayResponse {
    pub(crate) order_id: String,
    pub(crate) payment_id: String,
    pub(crate) checkout_page: String,
}

/// `POST /ecomm/api/v1/request-to-pay/direct`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DirectRtpRequest<'a> {
    pub(crate) terminal_id: &'a str,
    pub(crate) order_id: &'a str,
    #[serde(with = "paykit_core::wire::decimal_number")]
    pub(crate) amount: Decimal,
    pub(crate) currency: &'static str,
    pub(crate) pay_description: &'a str,
    pub(crate) client_name: &'a str,
    pub(crate) client_phone: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) client_email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) callback_url: Option<&'a str>,
}

/// The answer to `/request-to-pay/direct`: no checkout page.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DirectRtpResponse {
    pub(crate) order_id: String,
    pub(crate) payment_id: String,
}

/// `OrderPaymentResult`: the answer of `GET /payment/{id}`. (A callback's `result` is read
/// from its signed literals instead, field by field: `webhook/shape.rs`.)
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentResult {
    pub(crate) terminal_id: String,
    pub(crate) order_id: String,
    pub(crate) payment_id: String,
    pub(crate) status: String,
    #[serde(with = "paykit_core::wire::decimal_number")]
    pub(crate) amount: Decimal,
    pub(crate) currency: String,
    #[serde(default)]
    pub(crate) payment_type: Option<String>,
    #[serde(default)]
    pub(crate) payment_date: Option<String>,
    #[serde(default)]
    pub(crate) swift_message_id: Option<String>,
    #[serde(default)]
    pub(crate) swift_payer_bank: Option<String>,
    #[serde(default)]
    pub(crate) checkout_page: Option<String>,
}

/// The answer to `GET /public-key` (`PublicKeyResponse`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PublicKeyResponse {
    pub(crate) public_key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn pay_request_matches_the_documented_example() {
        let body = PayRequest {
            terminal_id: "TE0001",
            order_id: "WEB-2026-000451",
            amount: dec("249.90"),
            currency: "MDL",
            pay_description: "Comanda #451, shop.example.md",
            language: Some("ro"),
            payment_type: "qr",
            client_name: Some("Ion Popescu"),
            client_phone: None,
            client_email: Some("ion@example.md"),
            callback_url: Some("https://shop.example.md/miapos/callback"),
            success_url: None,
            fail_url: None,
            direct_redirect: Some(true),
            fast_redirect: None,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"terminalId":"TE0001","orderId":"WEB-2026-000451","amount":249.90,"currency":"MDL","payDescription":"Comanda #451, shop.example.md","language":"ro","paymentType":"qr","clientName":"Ion Popescu","clientEmail":"ion@example.md","callbackUrl":"https://shop.example.md/miapos/callback","directRedirect":true}"#
        );
    }

    #[test]
    fn token_requests_carry_exactly_the_documented_fields() {
        let body = TokenRequest {
            merchant_id: "128",
            secret_key: "k",
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"merchantId":"128","secretKey":"k"}"#
        );
        let body = RefreshRequest { refresh_token: "r" };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"refreshToken":"r"}"#
        );
    }

    #[test]
    fn payment_result_reads_amounts_exactly_and_tolerates_extras() {
        let text = r#"{"terminalId":"TE0001","orderId":"o","paymentId":"p","status":"SUCCESS",
            "amount":249.9,"currency":"MDL","paymentType":"qr","swiftMessageId":null,
            "futureField":{"x":1}}"#;
        let result: PaymentResult = serde_json::from_str(text).unwrap();
        assert_eq!(result.amount, dec("249.9"));
        assert_eq!(result.swift_message_id, None);
        assert_eq!(result.payment_type.as_deref(), Some("qr"));
        let missing =
            r#"{"terminalId":"TE0001","orderId":"o","paymentId":"p","amount":1,"currency":"MDL"}"#;
        assert!(serde_json::from_str::<PaymentResult>(missing).is_err());
    }
}
