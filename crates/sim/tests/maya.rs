//! Maya Mini App end to end over real HTTP: the client token, a customer session pushed to
//! the merchant's Session URL, create + execute (once), decline, expiry, token refresh.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on unexpected answers"
)]

mod common;

use std::time::Duration;

use common::{Merchant, client, json, reply, sim};
use paykit_sim::Simulator;
use serde_json::{Value, json};

const RRN: &str = "9b2e4c1a-5d6f-4e3b-8a7c-1f2d3e4a5b6c";

async fn client_token(sim: &Simulator) -> String {
    let info = sim.maya();
    let (status, body) = json(
        client()
            .post(&info.token_url)
            .basic_auth(&info.client_id, Some(&info.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["token_type"], "Bearer");
    body["access_token"].as_str().unwrap().to_owned()
}

struct Call<'a> {
    sim: &'a Simulator,
    client_token: &'a str,
    customer: &'a str,
}

impl Call<'_> {
    async fn post(&self, path: &str, body: &str) -> (u16, Value, String) {
        reply(
            client()
                .post(format!("{}{path}", self.sim.maya().base_url))
                .bearer_auth(self.client_token)
                .header("x-authorization", self.customer)
                .header("request-reference-no", RRN)
                .header("content-type", "application/json")
                .body(body.to_owned())
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn create(&self, value: &str) -> String {
        let body = format!(
            r#"{{"p2mId":"{}","amount":{{"currency":"PHP","value":{value}}}}}"#,
            self.sim.maya().p2m_id
        );
        let (status, res, text) = self.post("/merchant/payments", &body).await;
        assert_eq!(status, 200, "{res}");
        assert_eq!(res["requestReferenceNumber"], RRN);
        assert_eq!(res["p2mId"], self.sim.maya().p2m_id.as_str());
        assert!(text.contains(&format!(r#""value":{value}"#)), "{text}");
        res["id"].as_str().unwrap().to_owned()
    }

    async fn execute(&self, id: &str) -> (u16, Value) {
        let (status, res, _) = self
            .post(&format!("/merchant/payments/{id}/execute"), "{}")
            .await;
        (status, res)
    }
}

#[tokio::test]
async fn session_push_create_execute_once() {
    let sim = sim().await;
    let mut merchant = Merchant::start().await;
    let session = sim
        .open_maya_session(Some(&merchant.url("/session")))
        .await
        .unwrap();
    assert_eq!(session.session_id.as_deref(), Some("sess-1"));
    let pushed = merchant.next().await;
    assert_eq!(pushed.method, "POST");
    assert!(
        pushed
            .header("content-type")
            .starts_with("application/json")
    );
    assert_eq!(pushed.header("request-reference-no").len(), 36);
    let body = pushed.json();
    assert_eq!(body["accessToken"], session.access_token.as_str());
    assert_eq!(body["refreshToken"], session.refresh_token.as_str());
    assert_eq!(body["expiresAt"], session.expires_at);
    assert!(session.expires_at > sim.now_unix_ms() / 1000);

    let token = client_token(&sim).await;
    let call = Call {
        sim: &sim,
        client_token: &token,
        customer: &session.access_token,
    };
    let id = call.create("249.50").await;
    let (status, res) = call.execute(&id).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["id"], id.as_str());
    assert_eq!(res["status"], "APPROVED");
    let (status, res) = call.execute(&id).await;
    assert_eq!(status, 400);
    assert_eq!(
        res,
        json!({"code": "PY0010", "message": "The payment has already been processed"})
    );

    // A session without a Session URL just returns the tokens.
    let plain = sim.open_maya_session(None).await.unwrap();
    assert!(plain.session_id.is_none());
    assert_ne!(plain.access_token, session.access_token);
}

#[tokio::test]
async fn decline_at_one_cent_then_execute_once() {
    let sim = sim().await;
    let session = sim.open_maya_session(None).await.unwrap();
    let token = client_token(&sim).await;
    let call = Call {
        sim: &sim,
        client_token: &token,
        customer: &session.access_token,
    };
    let id = call.create("10.01").await;
    let (status, res) = call.execute(&id).await;
    assert_eq!((status, res["status"].as_str()), (200, Some("DECLINED")));
    assert_eq!(call.execute(&id).await.1["code"], "PY0010");
    let (status, res) = call.execute("00000000-0000-4000-8000-000000000000").await;
    assert_eq!((status, res["code"].as_str()), (404, Some("PY0009")));
}

#[tokio::test]
async fn created_payments_expire_and_customer_tokens_refresh() {
    let sim = sim().await;
    let session = sim.open_maya_session(None).await.unwrap();
    let token = client_token(&sim).await;
    let call = Call {
        sim: &sim,
        client_token: &token,
        customer: &session.access_token,
    };
    let id = call.create("100").await;
    sim.advance(Duration::from_secs(16 * 60));

    // The customer token expired too.
    let (status, res) = call.execute(&id).await;
    assert_eq!((status, res["code"].as_str()), (401, Some("K002")));

    let refresh = |refresh_token: String| {
        let sim = &sim;
        let token = token.clone();
        async move {
            json(
                client()
                    .post(format!("{}/tokens", sim.maya().base_url))
                    .bearer_auth(token)
                    .header("request-reference-no", RRN)
                    .json(&json!({"refreshToken": refresh_token}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (status, fresh) = refresh(session.refresh_token.clone()).await;
    assert_eq!(status, 200, "{fresh}");
    assert_ne!(fresh["refreshToken"], session.refresh_token.as_str());
    assert!(fresh["expiresAt"].as_u64().unwrap() > sim.now_unix_ms() / 1000);
    // Refresh tokens rotate.
    let (status, res) = refresh(session.refresh_token.clone()).await;
    assert_eq!(
        (status, res["error"].as_str()),
        (400, Some("invalid_token"))
    );

    let access = fresh["accessToken"].as_str().unwrap().to_owned();
    let call = Call {
        sim: &sim,
        client_token: &token,
        customer: &access,
    };
    let (status, res) = call.execute(&id).await;
    assert_eq!((status, res["code"].as_str()), (400, Some("PY0044")));

    // The client token lives an hour.
    sim.advance(Duration::from_secs(3600));
    let (status, res, _) = call.post("/merchant/payments", "{}").await;
    assert_eq!((status, res["code"].as_str()), (401, Some("K002")));
    assert!(res["reference"].is_string());
}

#[tokio::test]
async fn oauth_errors() {
    let sim = sim().await;
    let info = sim.maya();
    let post = |user: &str, password: &str, form: &[(&str, &str)]| {
        client()
            .post(&info.token_url)
            .basic_auth(user, Some(password))
            .form(form)
            .send()
    };
    let (status, res) = json(
        post(
            &info.client_id,
            "bad",
            &[("grant_type", "client_credentials")],
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        res,
        json!({"error": "invalid_client", "error_description": "Bad client credentials."})
    );
    let (status, res) = json(
        post(&info.client_id, &info.client_secret, &[])
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, res["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, res) = json(
        post(
            &info.client_id,
            &info.client_secret,
            &[("grant_type", "refresh_token")],
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, res["error_description"].as_str()),
        (401, Some("Unauthorized grant type: refresh_token."))
    );
    let (status, res) = json(
        post(
            &info.client_id,
            &info.client_secret,
            &[("grant_type", "password")],
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, res["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn request_validation() {
    let sim = sim().await;
    let session = sim.open_maya_session(None).await.unwrap();
    let token = client_token(&sim).await;
    let call = Call {
        sim: &sim,
        client_token: &token,
        customer: &session.access_token,
    };
    let (status, res, _) = call
        .post(
            "/merchant/payments",
            r#"{"amount":{"currency":"PHP","value":"249.50"}}"#,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(res["code"], "2553");
    let fields: Vec<&str> = res["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["p2mId", "amount.value"]);

    let p2m = &sim.maya().p2m_id;
    let (status, res, _) = call
        .post(
            "/merchant/payments",
            &format!(r#"{{"p2mId":"{p2m}","amount":{{"currency":"USD","value":1}}}}"#),
        )
        .await;
    assert_eq!((status, res["code"].as_str()), (400, Some("PY0037")));
    let (status, res, _) = call
        .post(
            "/merchant/payments",
            r#"{"p2mId":"P2M-OTHER","amount":{"currency":"PHP","value":1}}"#,
        )
        .await;
    assert_eq!((status, res["code"].as_str()), (404, Some("PY0017")));
    let (status, res, _) = call.post("/merchant/payments", "not json").await;
    assert_eq!((status, res["code"].as_str()), (400, Some("PY0064")));

    // Missing headers.
    let url = format!("{}/merchant/payments", sim.maya().base_url);
    let (status, res) = json(client().post(&url).json(&json!({})).send().await.unwrap()).await;
    assert_eq!((status, res["code"].as_str()), (401, Some("K001")));
    let (status, res) = json(
        client()
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, res["parameters"][0]["field"].as_str()),
        (400, Some("Request-Reference-No"))
    );
    let (status, res) = json(
        client()
            .post(&url)
            .bearer_auth(&token)
            .header("request-reference-no", RRN)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, res["code"].as_str()), (401, Some("K001")));

    let (status, res) = json(
        client()
            .get(format!("{}/profile", sim.maya().base_url))
            .bearer_auth(&token)
            .header("x-authorization", &session.access_token)
            .header("request-reference-no", RRN)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(res["data"].is_string());
}
