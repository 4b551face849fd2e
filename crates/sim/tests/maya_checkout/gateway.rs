//! The client side of the tests: calls to the simulated gateway with either key, and the
//! flows the tests build on (checkout, token, Vault payment through 3-D Secure).

use std::time::Duration;

use paykit_sim::{LedgerProvider, OpKind, SimConfig, Simulator};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::common::{client, reply};

#[derive(Clone, Copy)]
pub(crate) enum Key {
    Public,
    Secret,
    None,
    Raw(&'static str),
}

pub(crate) struct Gw {
    pub(crate) sim: Simulator,
}

impl Gw {
    pub(crate) async fn start() -> Self {
        Self::with(SimConfig::default()).await
    }

    pub(crate) async fn with(config: SimConfig) -> Self {
        let sim = paykit_sim::start(config).await.unwrap();
        // Start just after a Manila midnight, so "the same day" lasts the whole test.
        let day = 24 * 3600 * 1000;
        let eight = 8 * 3600 * 1000;
        let now = sim.now_unix_ms();
        let next_midnight = ((now + eight) / day + 1) * day - eight;
        sim.advance(Duration::from_millis(next_midnight - now + 3600 * 1000));
        Self { sim }
    }

    pub(crate) fn pem(&self) -> String {
        self.sim.maya_checkout().webhook_public_key_pem.clone()
    }

    pub(crate) async fn call(
        &self,
        method: &str,
        path: &str,
        key: Key,
        body: Option<&str>,
    ) -> (u16, Value, String) {
        let info = self.sim.maya_checkout();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = client().request(method, format!("{}{path}", info.base_url));
        match key {
            Key::Public => req = req.basic_auth(&info.public_key, Some("")),
            Key::Secret => req = req.basic_auth(&info.secret_key, Some("")),
            Key::Raw(header) => req = req.header("authorization", header),
            Key::None => {}
        }
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        reply(req.send().await.unwrap()).await
    }

    pub(crate) async fn post(&self, path: &str, key: Key, body: Value) -> (u16, Value, String) {
        self.call("POST", path, key, Some(&body.to_string())).await
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        let (status, body, _) = self.call("GET", path, Key::Secret, None).await;
        (status, body)
    }

    pub(crate) async fn page(&self, url: &str) -> (u16, String) {
        let res = client().get(url).send().await.unwrap();
        let status = res.status().as_u16();
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        (status, res.text().await.unwrap())
    }

    pub(crate) async fn register(&self, name: &str, url: &str) {
        let (status, body, _) = self
            .post(
                "/checkout/v1/webhooks",
                Key::Secret,
                json!({"name": name, "callbackUrl": url}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// A checkout for `value` pesos; returns `(checkoutId, redirectUrl)`.
    pub(crate) async fn checkout(&self, value: &str, rrn: &str, extra: Value) -> (String, String) {
        let mut body = json!({
            "totalAmount": {"value": "__AMOUNT__", "currency": "PHP"},
            "items": [{"name": "Tumbler", "code": "TMB-01", "quantity": 1,
                       "amount": {"value": 1}, "totalAmount": {"value": 1}}],
            "redirectUrl": {"success": "https://shop.example.ph/ok",
                            "failure": "https://shop.example.ph/fail",
                            "cancel": "https://shop.example.ph/cancel"},
            "requestReferenceNumber": rrn,
        });
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        // Amounts go as exact number literals (never through f64).
        let text = body.to_string().replacen("\"__AMOUNT__\"", value, 1);
        let (status, res, _) = self
            .call("POST", "/checkout/v1/checkouts", Key::Public, Some(&text))
            .await;
        assert_eq!(status, 200, "{res}");
        (
            res["checkoutId"].as_str().unwrap().to_owned(),
            res["redirectUrl"].as_str().unwrap().to_owned(),
        )
    }

    pub(crate) async fn token(&self) -> String {
        let (status, res, _) = self
            .post(
                "/payments/v1/payment-tokens",
                Key::Public,
                json!({"card": {"number": "5123456789012346", "expMonth": "12",
                                "expYear": "2035", "cvc": "111"}}),
            )
            .await;
        assert_eq!(status, 200, "{res}");
        assert_eq!(res["state"], "AVAILABLE");
        res["paymentTokenId"].as_str().unwrap().to_owned()
    }

    /// A Vault payment through 3-D Secure; returns the payment after the page.
    pub(crate) async fn vault_payment(&self, amount: &str, rrn: &str, auth: Option<&str>) -> Value {
        let token = self.token().await;
        let mut body = format!(
            r#"{{"paymentTokenId":"{token}","totalAmount":{{"amount":{amount},"currency":"PHP"}},"requestReferenceNumber":"{rrn}","redirectUrl":{{"success":"https://shop.example.ph/ok","failure":"https://shop.example.ph/fail","cancel":"https://shop.example.ph/cancel"}}"#
        );
        if let Some(kind) = auth {
            body.push_str(&format!(r#","authorizationType":"{kind}""#));
        }
        body.push('}');
        let (status, res, _) = self
            .call("POST", "/payments/v1/payments", Key::Secret, Some(&body))
            .await;
        assert_eq!(status, 200, "{res}");
        assert_eq!(res["status"], "FOR_AUTHENTICATION");
        let (page, html) = self.page(res["verificationUrl"].as_str().unwrap()).await;
        assert_eq!(page, 200, "{html}");
        let (status, paid) = self
            .get(&format!(
                "/payments/v1/payments/{}",
                res["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(status, 200);
        paid
    }

    pub(crate) fn ledger_ops(&self, id: &str) -> Vec<(OpKind, Decimal)> {
        self.sim
            .ledger()
            .payment(LedgerProvider::MayaCheckout, id)
            .map(|p| p.ops.iter().map(|op| (op.kind, op.amount)).collect())
            .unwrap_or_default()
    }

    /// Moves the clock to 01:00 Manila time of the next day.
    pub(crate) fn next_manila_day(&self) {
        let day = 24 * 3600 * 1000;
        let eight = 8 * 3600 * 1000;
        let now = self.sim.now_unix_ms();
        let next_midnight = ((now + eight) / day + 1) * day - eight;
        self.sim
            .advance(Duration::from_millis(next_midnight - now + 3600 * 1000));
    }
}

pub(crate) fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

pub(crate) fn code(body: &Value) -> &str {
    body["code"].as_str().unwrap_or_default()
}
