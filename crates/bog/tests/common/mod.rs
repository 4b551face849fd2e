//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use paykit_bog::{BogClient, BogClientBuilder};
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_core::{Currency, Money, SecretString};
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// BOG's public demo merchant (spec §1, TV-1).
pub const CLIENT_ID: &str = "1006";
pub const SECRET: &str = "581ba5eeadd657c8ccddc74c839bd3ad";
pub const TV1_HEADER: &str = "Basic MTAwNjo1ODFiYTVlZWFkZDY1N2M4Y2NkZGM3NGM4MzliZDNhZA==";

/// The spec's TV-3 order.
pub const ORDER_ID: &str = "899318b1ce0d5885cb7405fe86e3930178ff90be";
pub const PAYMENT_HASH: &str = "d7936f718c2b0ec2517a28c9de76966bcbecfe29";

/// The path prefix of the API below the host.
pub const API: &str = "/opay/api/v1";
pub const TOKEN_PATH: &str = "/opay/api/v1/oauth2/token";

pub const TOKEN: &str = "test-access-token";

pub fn gel(text: &str) -> Money {
    Money::parse(text, Currency::GEL).expect("a GEL amount")
}

pub fn now_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970");
    i64::try_from(since_epoch.as_millis()).expect("milliseconds fit i64")
}

/// A builder pointed at `server`, with fast retries.
pub fn builder(server: &MockServer) -> BogClientBuilder {
    BogClient::builder(CLIENT_ID, SecretString::from(SECRET))
        .base_url(format!("{}{API}", server.uri()))
        .executor_config(
            ExecutorConfig::default()
                .timeout(Duration::from_secs(5))
                .retry(
                    RetryPolicy::default()
                        .delays(Duration::from_millis(1), Duration::from_millis(5)),
                ),
        )
}

pub fn client(server: &MockServer) -> BogClient {
    builder(server).build().expect("a client")
}

/// The token answer iPay gives: `expires_in` is an epoch-millisecond instant.
pub fn token_body(token: &str, expires_in: i64) -> serde_json::Value {
    json!({"access_token": token, "token_type": "Bearer", "app_id": "1A2019", "expires_in": expires_in})
}

/// Mounts the token endpoint answering `token`, expecting exactly `times` calls.
pub async fn mount_token(server: &MockServer, token: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("authorization", TV1_HEADER))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(token, now_ms())))
        .expect(times)
        .mount(server)
        .await;
}

/// Payment details as iPay answers them for a paid card payment.
pub fn details_body(order_id: &str, hash: &str, status: &str) -> serde_json::Value {
    json!({
        "status": status,
        "order_id": order_id,
        "payment_hash": hash,
        "ipay_payment_id": "18625",
        "status_description": if status == "error" { "REJECTED" } else { "PERFORMED" },
        "shop_order_id": "shop-10042",
        "payment_method": "GC_CARD",
        "card_type": "VISA",
        "pan": "411111******1111",
        "transaction_id": "6F1A2B3C4D5E6F70819",
        "pre_auth_status": null
    })
}

/// The field of an `InvalidInput`, or a panic.
pub fn invalid_field<T: std::fmt::Debug>(result: paykit_core::Result<T>) -> String {
    match result {
        Err(paykit_core::Error::InvalidInput { field, .. }) => field.into_owned(),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}
