//! Maya's payment gateway end to end over real HTTP: the key kinds, Checkout with its hosted
//! page, Vault tokens, customers and cards behind 3-D Secure, Pay with Maya, void and refund
//! by the Manila calendar, capture of holds, the webhook registry, v1-signed webhooks
//! (verified here by an independent receiver written from maya-checkout.md §6.4.2), their
//! retries on the simulator clock, and the faults.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on unexpected answers"
)]

mod common;
#[path = "maya_checkout/gateway.rs"]
mod gateway;
#[path = "maya_checkout/receiver.rs"]
mod receiver;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gateway::{Gw, Key, code, dec};
use paykit_sim::{CallbackOutcome, Faults, LedgerProvider, OpKind, RefundAnswer, SimConfig};
use receiver::{Receiver, verify};
use serde_json::{Value, json};

const DAY: Duration = Duration::from_secs(24 * 3600);

// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn each_endpoint_takes_its_own_kind_of_key() {
    let mut config = SimConfig::default();
    config.maya_checkout.expired_keys = vec!["sk-sim-test-expired".into()];
    let gw = Gw::with(config).await;
    let body =
        json!({"totalAmount": {"value": 1, "currency": "PHP"}, "requestReferenceNumber": "k"});
    let cases: [(Key, u16, &str); 6] = [
        (Key::None, 401, "K001"),
        (Key::Raw("Basic !!!not-base64"), 401, "K006"),
        (Key::Raw("Basic c2stdW5rbm93bjo="), 401, "K003"), // sk-unknown:
        (Key::Raw("Basic c2stc2ltLXRlc3QtZXhwaXJlZDo="), 401, "K002"),
        (Key::Secret, 401, "K004"),
        (Key::Public, 200, ""),
    ];
    for (key, status, want) in cases {
        let (got, res, _) = gw.post("/checkout/v1/checkouts", key, body.clone()).await;
        assert_eq!(got, status, "{res}");
        if !want.is_empty() {
            assert_eq!(code(&res), want, "{res}");
            assert!(
                res["error"].is_string() && res["reference"].is_string(),
                "{res}"
            );
        }
    }
    // The public key cannot read a payment; the secret key can, the public key can poll status.
    let (_, created, _) = gw.post("/checkout/v1/checkouts", Key::Public, body).await;
    let (status, res, _) = gw
        .call(
            "GET",
            &format!(
                "/checkout/v1/checkouts/{}",
                created["checkoutId"].as_str().unwrap()
            ),
            Key::Public,
            None,
        )
        .await;
    assert_eq!((status, code(&res)), (401, "K004"));
    let (status, checkout) = gw
        .get(&format!(
            "/checkout/v1/checkouts/{}",
            created["checkoutId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(checkout["paymentStatus"], "PENDING_TOKEN");
    assert_eq!(checkout["status"], "CREATED");
    assert_eq!(checkout["totalAmount"]["value"], 1);
}

#[tokio::test]
async fn a_checkout_paid_on_the_hosted_page_sends_signed_webhooks() {
    let gw = Gw::start().await;
    let mut hooks = Receiver::start().await;
    gw.register("PAYMENT_SUCCESS", &hooks.url("/maya/payment-success"))
        .await;
    gw.register("CHECKOUT_SUCCESS", &hooks.url("/maya/checkout-success"))
        .await;
    let (checkout_id, redirect) = gw
        .checkout(
            "249.50",
            "order-10042-a1",
            json!({"metadata": {"pf": {"smi": "shop-1"}}}),
        )
        .await;
    assert!(redirect.contains("/v2/checkout?id="), "{redirect}");
    let (status, html) = gw.page(&redirect).await;
    assert_eq!(status, 200);
    assert!(html.contains("Payment successful"), "{html}");
    assert!(html.contains("https://shop.example.ph/ok"), "{html}");

    let announced: String = gw.sim.announcement()["maya-checkout"]["webhook_public_key_pem"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(announced, gw.pem());
    assert!(announced.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    let mut seen = Vec::new();
    for _ in 0..2 {
        let d = hooks.next().await;
        assert_eq!(d.header("content-type"), "application/json");
        let nonce = verify(&announced, &d.headers, &d.body, gw.sim.now_unix_ms()).unwrap();
        assert_eq!(nonce.len(), 32);
        // Any change to the body breaks the signature.
        let tampered = d.body.replacen("order-10042-a1", "order-10042-a2", 1);
        assert_eq!(
            verify(&announced, &d.headers, &tampered, gw.sim.now_unix_ms()),
            Err("invalid signature")
        );
        seen.push((d.path.clone(), d.json()));
    }
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    let (checkout_path, checkout_body) = &seen[0];
    let (payment_path, payment) = &seen[1];
    assert_eq!(checkout_path, "/maya/checkout-success");
    assert_eq!(checkout_body["id"], checkout_id.as_str());
    assert_eq!(checkout_body["status"], "COMPLETED");
    assert_eq!(checkout_body["paymentStatus"], "PAYMENT_SUCCESS");
    assert_eq!(payment_path, "/maya/payment-success");
    assert_eq!(payment["status"], "PAYMENT_SUCCESS");
    assert_eq!(payment["amount"], "249.50");
    assert_eq!(payment["isPaid"], true);
    assert_eq!(payment["canVoid"], true);
    assert_eq!(payment["canRefund"], false);
    assert_eq!(payment["metadata"]["pf"]["smi"], "shop-1");
    assert_eq!(payment["fundSource"]["details"]["last4"], "1522");

    // The merchant confirms by RRN (an array) and by id.
    let (status, by_rrn) = gw.get("/payments/v1/payment-rrns/order-10042-a1").await;
    assert_eq!(status, 200);
    assert_eq!(by_rrn.as_array().unwrap().len(), 1);
    let id = payment["id"].as_str().unwrap();
    assert_eq!(by_rrn[0]["id"], id);
    let (status, status_only, _) = gw
        .call(
            "GET",
            &format!("/payments/v1/payments/{id}/status"),
            Key::Public,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(status_only, json!({"id": id, "status": "PAYMENT_SUCCESS"}));
    assert_eq!(
        gw.ledger_ops(id),
        [
            (OpKind::Register, dec("249.50")),
            (OpKind::Charge, dec("249.50"))
        ]
    );
    // A second visit changes nothing and sends nothing.
    gw.page(&redirect).await;
    assert!(hooks.quiet_for(Duration::from_millis(300)).await);
    let records: Vec<_> = gw.sim.callbacks();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| {
        r.provider == "maya-checkout"
            && r.attempt == 1
            && r.headers
                .iter()
                .any(|(k, _)| k == "x-maya-webhook-signature")
    }));
}

#[tokio::test]
async fn declines_cancels_and_expiry_on_the_hosted_page() {
    let gw = Gw::start().await;
    let mut hooks = Receiver::start().await;
    for name in [
        "PAYMENT_FAILED",
        "PAYMENT_CANCELLED",
        "PAYMENT_EXPIRED",
        "CHECKOUT_DROPOUT",
    ] {
        gw.register(name, &hooks.url(&format!("/{name}"))).await;
    }
    // Cents of .01 decline.
    let (_, redirect) = gw.checkout("10.01", "decline-1", json!({})).await;
    let (_, html) = gw.page(&redirect).await;
    assert!(html.contains("Payment failed") && html.contains("https://shop.example.ph/fail"));
    let d = hooks.next().await;
    assert_eq!(d.path, "/PAYMENT_FAILED");
    assert_eq!(d.json()["errorCode"], "PY0119");
    let id = d.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(gw.ledger_ops(&id)[1].0, OpKind::Decline);

    // The customer presses "Back to Merchant".
    let (_, redirect) = gw.checkout("100.00", "cancel-1", json!({})).await;
    let (_, html) = gw.page(&format!("{redirect}&action=cancel")).await;
    assert!(html.contains("https://shop.example.ph/cancel"), "{html}");
    assert_eq!(hooks.next().await.path, "/PAYMENT_CANCELLED");

    // Left alone for an hour, a checkout expires (and fires both the new and legacy events).
    let (checkout_id, redirect) = gw.checkout("100.00", "expire-1", json!({})).await;
    gw.sim.advance(Duration::from_secs(3601));
    let mut paths = vec![hooks.next().await.path, hooks.next().await.path];
    paths.sort();
    assert_eq!(paths, ["/CHECKOUT_DROPOUT", "/PAYMENT_EXPIRED"]);
    let (_, checkout) = gw
        .get(&format!("/checkout/v1/checkouts/{checkout_id}"))
        .await;
    assert_eq!(checkout["status"], "EXPIRED");
    assert_eq!(checkout["paymentStatus"], "PAYMENT_EXPIRED");
    let (_, html) = gw.page(&redirect).await;
    assert!(html.contains("Payment expired"), "{html}");
}

#[tokio::test]
async fn void_on_the_manila_day_refund_from_the_next_for_180_days() {
    let gw = Gw::start().await;
    let a = gw.vault_payment("100.00", "void-me", None).await;
    let b = gw.vault_payment("100.00", "refund-me", None).await;
    let c = gw.vault_payment("100.00", "too-late", None).await;
    assert_eq!(a["status"], "PAYMENT_SUCCESS");
    let (a, b, c) = (
        a["id"].as_str().unwrap().to_owned(),
        b["id"].as_str().unwrap().to_owned(),
        c["id"].as_str().unwrap().to_owned(),
    );
    let refund = |amount: &str| {
        format!(r#"{{"totalAmount":{{"amount":{amount},"currency":"PHP"}},"reason":"returned"}}"#)
    };
    // Day D: refund refused with PY0047 (HTTP 401), void allowed once.
    let (status, res, _) = gw
        .call(
            "POST",
            &format!("/payments/v1/payments/{b}/refunds"),
            Key::Secret,
            Some(&refund("10.00")),
        )
        .await;
    assert_eq!((status, code(&res)), (401, "PY0047"));
    let (status, void, _) = gw
        .post(
            &format!("/payments/v1/payments/{a}/voids"),
            Key::Secret,
            json!({"reason": "mistake"}),
        )
        .await;
    assert_eq!(status, 200, "{void}");
    assert_eq!(void["payment"], a.as_str());
    assert_eq!(void["status"], "SUCCESS");
    let (_, voided) = gw.get(&format!("/payments/v1/payments/{a}")).await;
    assert_eq!(voided["status"], "VOIDED");
    assert_eq!(voided["canVoid"], false);
    let (status, res, _) = gw
        .post(
            &format!("/payments/v1/payments/{a}/voids"),
            Key::Secret,
            json!({"reason": "again"}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0045"));
    let (status, voids) = gw.get(&format!("/payments/v1/payments/{a}/voids")).await;
    assert_eq!((status, voids.as_array().unwrap().len()), (200, 1));
    let (status, res, _) = gw
        .post(
            "/payments/v1/payments/nope/voids",
            Key::Secret,
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!((status, code(&res)), (404, "PY0009"));
    let (status, res, _) = gw
        .post(
            &format!("/payments/v1/payments/{b}/voids"),
            Key::Secret,
            json!({}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "2553"));

    // Day D+1: void refused, partial refunds up to the amount.
    gw.next_manila_day();
    let (_, before) = gw.get(&format!("/payments/v1/payments/{b}")).await;
    assert_eq!(
        (before["canVoid"].clone(), before["canRefund"].clone()),
        (json!(false), json!(true))
    );
    let (status, res, _) = gw
        .post(
            &format!("/payments/v1/payments/{b}/voids"),
            Key::Secret,
            json!({"reason": "late"}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0073"));
    let (status, first, text) = gw
        .call(
            "POST",
            &format!("/payments/v1/payments/{b}/refunds"),
            Key::Secret,
            Some(&refund("30.00")),
        )
        .await;
    assert_eq!(status, 200, "{first}");
    assert!(text.contains(r#""amount":"30.00""#), "{text}");
    assert_eq!(first["status"], "SUCCESS");
    let (status, res, _) = gw
        .call(
            "POST",
            &format!("/payments/v1/payments/{b}/refunds"),
            Key::Secret,
            Some(&refund("70.01")),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0048"));
    let (status, _, _) = gw
        .call(
            "POST",
            "/payments/v1/payment-rrns/refund-me/refunds",
            Key::Secret,
            Some(&refund("70.00")),
        )
        .await;
    assert_eq!(status, 200);
    let (_, after) = gw.get(&format!("/payments/v1/payments/{b}")).await;
    assert_eq!(after["status"], "REFUNDED");
    assert_eq!(after["canRefund"], false);
    let (_, refunds) = gw.get(&format!("/payments/v1/payments/{b}/refunds")).await;
    assert_eq!(refunds.as_array().unwrap().len(), 2);
    let rid = refunds[0]["id"].as_str().unwrap();
    let (status, one) = gw
        .get(&format!("/payments/v1/payments/{b}/refunds/{rid}"))
        .await;
    assert_eq!((status, one["amount"].clone()), (200, json!("30.00")));
    let (status, res) = gw
        .get(&format!("/payments/v1/payments/{b}/refunds/nope"))
        .await;
    assert_eq!((status, code(&res)), (404, "PY0046"));
    assert_eq!(
        gw.ledger_ops(&b)[2..],
        [
            (OpKind::Refund, dec("30.00")),
            (OpKind::Refund, dec("70.00"))
        ]
    );
    assert_eq!(gw.ledger_ops(&a)[2..], [(OpKind::Void, dec("100.00"))]);

    // After day D+180: refunds refused again (PY0047); the payment is still there.
    gw.sim.advance(DAY * 180);
    let (status, res, _) = gw
        .call(
            "POST",
            &format!("/payments/v1/payments/{c}/refunds"),
            Key::Secret,
            Some(&refund("1.00")),
        )
        .await;
    assert_eq!((status, code(&res)), (401, "PY0047"), "{res}");
}

#[tokio::test]
async fn holds_are_captured_in_parts_into_new_records() {
    let gw = Gw::start().await;
    let mut hooks = Receiver::start().await;
    gw.register("AUTHORIZED", &hooks.url("/authorized")).await;
    gw.register("PAYMENT_SUCCESS", &hooks.url("/success")).await;
    let auth = gw.vault_payment("100.00", "hold-1", Some("NORMAL")).await;
    assert_eq!(auth["status"], "AUTHORIZED");
    assert_eq!(auth["canCapture"], true);
    assert_eq!(auth["capturedAmount"], "0.00");
    assert_eq!(auth["authorizationType"], "NORMAL");
    let d = hooks.next().await;
    assert_eq!(d.path, "/authorized");
    verify(&gw.pem(), &d.headers, &d.body, gw.sim.now_unix_ms()).unwrap();
    let id = auth["id"].as_str().unwrap();
    let capture = |amount: &str| {
        format!(
            r#"{{"requestReferenceNumber":"hold-1","captureAmount":{{"amount":{amount},"currency":"PHP"}}}}"#
        )
    };
    let path = format!("/payments/v1/payments/{id}/capture");
    let (status, first, _) = gw
        .call("POST", &path, Key::Secret, Some(&capture("40.00")))
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["status"], "PAYMENT_SUCCESS");
    assert_eq!(first["authorizationPayment"], id);
    assert_ne!(first["id"], id);
    assert_eq!(hooks.next().await.json()["authorizationPayment"], id);
    let (_, parent) = gw.get(&format!("/payments/v1/payments/{id}")).await;
    assert_eq!(
        (parent["status"].clone(), parent["capturedAmount"].clone()),
        (json!("CAPTURED"), json!("40.00"))
    );
    let (status, res, _) = gw
        .call("POST", &path, Key::Secret, Some(&capture("60.01")))
        .await;
    assert_eq!((status, code(&res)), (400, "PY0095"));
    // The plural path and `totalAmount` are accepted as aliases.
    let alias = r#"{"requestReferenceNumber":"hold-1","totalAmount":{"amount":60.00,"currency":"PHP"},"final":true}"#;
    let (status, _, _) = gw
        .call(
            "POST",
            &format!("/payments/v1/payments/{id}/captures"),
            Key::Secret,
            Some(alias),
        )
        .await;
    assert_eq!(status, 200);
    let (_, parent) = gw.get(&format!("/payments/v1/payments/{id}")).await;
    assert_eq!(parent["status"], "DONE");
    assert_eq!(parent["canCapture"], false);
    let (status, res, _) = gw
        .call("POST", &path, Key::Secret, Some(&capture("1.00")))
        .await;
    assert_eq!((status, code(&res)), (400, "PY0094"));
    assert_eq!(
        gw.ledger_ops(id),
        [
            (OpKind::Register, dec("100.00")),
            (OpKind::Hold, dec("100.00")),
            (OpKind::Capture, dec("40.00")),
            (OpKind::Capture, dec("60.00")),
        ]
    );
    // One RRN, three records: by-RRN operations refuse to guess.
    let (_, records) = gw.get("/payments/v1/payment-rrns/hold-1").await;
    assert_eq!(records.as_array().unwrap().len(), 3);
    let (status, res, _) = gw
        .post(
            "/payments/v1/payment-rrns/hold-1/voids",
            Key::Secret,
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0104"));
    // A capture record is voided on its own, the same day.
    let first_id = first["id"].as_str().unwrap();
    let (status, _, _) = gw
        .post(
            &format!("/payments/v1/payments/{first_id}/voids"),
            Key::Secret,
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(status, 200);

    // FINAL needs one capture of the whole amount; an uncaptured hold lapses after 6 days.
    let fin = gw.vault_payment("50.00", "hold-2", Some("FINAL")).await;
    let fid = fin["id"].as_str().unwrap();
    let body =
        r#"{"requestReferenceNumber":"hold-2","captureAmount":{"amount":20,"currency":"PHP"}}"#;
    let (status, res, _) = gw
        .call(
            "POST",
            &format!("/payments/v1/payments/{fid}/capture"),
            Key::Secret,
            Some(body),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0096"));
    gw.sim.advance(DAY * 6);
    let (_, lapsed) = gw.get(&format!("/payments/v1/payments/{fid}")).await;
    assert_eq!(lapsed["status"], "AUTHORIZATION_HOLD_EXPIRED");
    // An authorization is released by a void (while the merchant has it enabled).
    let mut config = SimConfig::default();
    config.maya_checkout.auth_and_capture = false;
    let off = Gw::with(config).await;
    let token = off.token().await;
    let body = format!(
        r#"{{"paymentTokenId":"{token}","totalAmount":{{"amount":5,"currency":"PHP"}},"requestReferenceNumber":"x","authorizationType":"NORMAL"}}"#
    );
    let (status, res, _) = off
        .call("POST", "/payments/v1/payments", Key::Secret, Some(&body))
        .await;
    assert_eq!((status, code(&res)), (401, "PY0019"));
}

#[tokio::test]
async fn customers_vault_cards_behind_3ds_and_pay_with_them() {
    let gw = Gw::start().await;
    let mut hooks = Receiver::start().await;
    gw.register("PAYMENT_SUCCESS", &hooks.url("/success")).await;
    gw.register("RECURRING_PAYMENT_SUCCESS", &hooks.url("/recurring"))
        .await;
    gw.register("3DS_PAYMENT_FAILURE", &hooks.url("/3ds-failure"))
        .await;
    let (status, customer, _) = gw
        .post(
            "/payments/v1/customers",
            Key::Secret,
            json!({"firstName": "Juan", "lastName": "Dela Cruz", "sex": "M",
                   "contact": {"email": "juan@example.ph"}}),
        )
        .await;
    assert_eq!(status, 200, "{customer}");
    assert_eq!(customer["contact"]["email"], "juan@example.ph");
    let cid = customer["id"].as_str().unwrap();
    let (status, res) = gw.get(&format!("/payments/v1/customers/{cid}/cards")).await;
    assert_eq!((status, code(&res)), (400, "PY0029"));
    let token = gw.token().await;
    let (status, card, _) = gw
        .post(
            &format!("/payments/v1/customers/{cid}/cards"),
            Key::Secret,
            json!({"paymentTokenId": token, "isDefault": true,
                   "redirectUrl": {"success": "https://shop.example.ph/card-ok"}}),
        )
        .await;
    assert_eq!(status, 200, "{card}");
    assert_eq!(card["state"], "PREVERIFICATION");
    assert_eq!(card["maskedPan"], "512345******2346");
    assert_eq!(card["cardType"], "master-card");
    let card_id = card["cardTokenId"].as_str().unwrap();
    // A token is single use; an unknown one is invalid.
    let (status, res, _) = gw
        .post(
            &format!("/payments/v1/customers/{cid}/cards"),
            Key::Secret,
            json!({"paymentTokenId": token}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0007"));
    let (status, res, _) = gw
        .post(
            &format!("/payments/v1/customers/{cid}/cards"),
            Key::Secret,
            json!({"paymentTokenId": "nope"}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0008"));
    // Not usable before 3-D Secure.
    let pay_path = format!("/payments/v1/customers/{cid}/cards/{card_id}/payments");
    let pay =
        r#"{"totalAmount":{"amount":75.25,"currency":"PHP"},"requestReferenceNumber":"saved-1"}"#;
    let (status, res, _) = gw.call("POST", &pay_path, Key::Secret, Some(pay)).await;
    assert_eq!((status, code(&res)), (404, "PY0027"));
    let (_, html) = gw.page(card["verificationUrl"].as_str().unwrap()).await;
    assert!(html.contains("Card verified") && html.contains("https://shop.example.ph/card-ok"));
    let (_, listed) = gw.get(&format!("/payments/v1/customers/{cid}/cards")).await;
    assert_eq!(listed[0]["state"], "VERIFIED");
    assert_eq!(listed[0]["default"], true);
    let (status, res, _) = gw
        .post(
            &format!("/payments/v1/customers/{cid}/cards/{card_id}"),
            Key::Secret,
            json!({}),
        )
        .await;
    assert_eq!(status, 404, "{res}"); // POST is not a card operation
    let (status, res, _) = gw
        .call(
            "PUT",
            &format!("/payments/v1/customers/{cid}/cards/{card_id}"),
            Key::Secret,
            Some(r#"{"isDefault":false}"#),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0026"));
    // A verified card pays at once.
    let (status, paid, text) = gw.call("POST", &pay_path, Key::Secret, Some(pay)).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "PAYMENT_SUCCESS");
    assert!(text.contains(r#""amount":"75.25""#), "{text}");
    let mut got = [hooks.next().await, hooks.next().await];
    got.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(got[0].path, "/recurring");
    for d in &got {
        verify(&gw.pem(), &d.headers, &d.body, gw.sim.now_unix_ms()).unwrap();
        assert_eq!(d.json()["id"], paid["id"]);
    }
    // Deleting the card and the customer.
    let (status, _, _) = gw
        .call(
            "DELETE",
            &format!("/payments/v1/customers/{cid}/cards/{card_id}"),
            Key::Secret,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, res) = gw
        .get(&format!("/payments/v1/customers/{cid}/cards/{card_id}"))
        .await;
    assert_eq!((status, code(&res)), (404, "PY0027"));
    let (status, _, _) = gw
        .call(
            "DELETE",
            &format!("/payments/v1/customers/{cid}"),
            Key::Secret,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, res) = gw.get(&format!("/payments/v1/customers/{cid}")).await;
    assert_eq!((status, code(&res)), (404, "PY0023"));
    // A failed 3-D Secure fails the payment.
    let token = gw.token().await;
    let body = format!(
        r#"{{"paymentTokenId":"{token}","totalAmount":{{"amount":5,"currency":"PHP"}},"requestReferenceNumber":"3ds-fail"}}"#
    );
    let (_, created, _) = gw
        .call("POST", "/payments/v1/payments", Key::Secret, Some(&body))
        .await;
    let url = format!(
        "{}&action=decline",
        created["verificationUrl"].as_str().unwrap()
    );
    gw.page(&url).await;
    let (_, failed) = gw
        .get(&format!(
            "/payments/v1/payments/{}",
            created["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (failed["status"].clone(), failed["errorCode"].clone()),
        (json!("AUTH_FAILED"), json!("PY0100"))
    );
    let d = hooks.next().await;
    assert_eq!(d.path, "/3ds-failure");
    assert_eq!(d.json()["status"], "AUTH_FAILED");
}

#[tokio::test]
async fn pay_with_maya_single_payments_and_wallet_links() {
    let gw = Gw::start().await;
    let redirect = json!({"success": "https://shop.example.ph/ok", "failure": "https://shop.example.ph/fail",
                          "cancel": "https://shop.example.ph/cancel"});
    let (status, single, _) = gw
        .post(
            "/payby/v2/paymaya/payments",
            Key::Public,
            json!({"totalAmount": {"value": 120, "currency": "PHP"}, "requestReferenceNumber": "pwm-1",
                   "redirectUrl": redirect}),
        )
        .await;
    assert_eq!(status, 200, "{single}");
    let id = single["paymentId"].as_str().unwrap();
    let (_, pending) = gw.get(&format!("/payments/v1/payments/{id}")).await;
    assert_eq!(
        (pending["status"].clone(), pending["isPaid"].clone()),
        (json!("PENDING_TOKEN"), json!(false))
    );
    gw.page(single["redirectUrl"].as_str().unwrap()).await;
    let (_, paid) = gw.get(&format!("/payments/v1/payments/{id}")).await;
    assert_eq!(paid["status"], "PAYMENT_SUCCESS");
    assert_eq!(paid["fundSource"]["details"]["scheme"], "maya-wallet");
    // Pay with Maya expires after 30 minutes; its validation code is PYBY0001.
    let (_, late, _) = gw
        .post(
            "/payby/v2/paymaya/payments",
            Key::Public,
            json!({"totalAmount": {"value": 1, "currency": "PHP"}, "requestReferenceNumber": "pwm-2",
                   "redirectUrl": redirect}),
        )
        .await;
    gw.sim.advance(Duration::from_secs(30 * 60 + 1));
    let (_, expired) = gw
        .get(&format!(
            "/payments/v1/payments/{}",
            late["paymentId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(expired["status"], "PAYMENT_EXPIRED");
    let (status, res, _) = gw
        .post("/payby/v2/paymaya/payments", Key::Public, json!({"totalAmount": {"value": 1, "currency": "USD"}, "requestReferenceNumber": "x", "redirectUrl": redirect}))
        .await;
    assert_eq!((status, code(&res)), (400, "PYBY0014"));
    let (status, res, _) = gw
        .post(
            "/payby/v2/paymaya/payments",
            Key::Public,
            json!({"requestReferenceNumber": "x"}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PYBY0001"));

    // Wallet link: pending until the customer authorizes it.
    let (status, link, _) = gw
        .post(
            "/payby/v2/paymaya/link",
            Key::Public,
            json!({"redirectUrl": redirect, "requestReferenceNumber": "link-1"}),
        )
        .await;
    assert_eq!(status, 200, "{link}");
    let link_id = link["linkId"].as_str().unwrap();
    let execute = format!("/payby/v2/paymaya/link/{link_id}/execute");
    let charge = |value: &str, rrn: &str| {
        format!(
            r#"{{"totalAmount":{{"value":{value},"currency":"PHP"}},"requestReferenceNumber":"{rrn}"}}"#
        )
    };
    let (status, res, _) = gw
        .call("POST", &execute, Key::Secret, Some(&charge("10", "c0")))
        .await;
    assert_eq!((status, code(&res)), (400, "PYBY0010"));
    gw.page(link["redirectUrl"].as_str().unwrap()).await;
    let (_, details) = gw.get(&format!("/payby/v2/paymaya/link/{link_id}")).await;
    assert_eq!(details["card"]["state"], "VERIFIED");
    assert!(details["profileId"].is_string());
    let (status, charged, _) = gw
        .call("POST", &execute, Key::Secret, Some(&charge("150.00", "c1")))
        .await;
    assert_eq!(status, 200, "{charged}");
    assert_eq!(
        (charged["status"].clone(), charged["canVoid"].clone()),
        (json!("PAYMENT_SUCCESS"), json!(true))
    );
    let (status, res, _) = gw
        .call("POST", &execute, Key::Secret, Some(&charge("10.01", "c2")))
        .await;
    assert_eq!((status, code(&res)), (400, "PY0105"));
    let (_, failed) = gw.get("/payments/v1/payment-rrns/c2").await;
    assert_eq!(failed[0]["status"], "PAYMENT_FAILED");
    let (status, gone, _) = gw
        .call(
            "DELETE",
            &format!("/payby/v2/paymaya/link/{link_id}"),
            Key::Secret,
            None,
        )
        .await;
    assert_eq!(
        (status, gone["card"]["state"].clone()),
        (200, json!("DEACTIVATED"))
    );
    let (status, res, _) = gw
        .call("POST", &execute, Key::Secret, Some(&charge("10", "c3")))
        .await;
    assert_eq!((status, code(&res)), (400, "PYBY0010"));
    let (status, res) = gw.get("/payby/v2/paymaya/link/nope").await;
    assert_eq!((status, code(&res)), (404, "PYBY0009"));
}

#[tokio::test]
async fn the_webhook_registry_has_one_registration_per_event() {
    let gw = Gw::start().await;
    let (status, hook, _) = gw
        .post(
            "/checkout/v1/webhooks",
            Key::Secret,
            json!({"name": "PAYMENT_SUCCESS", "callbackUrl": "https://shop.example.ph/h"}),
        )
        .await;
    assert_eq!(status, 200);
    let id = hook["id"].as_str().unwrap();
    let (status, res, _) = gw
        .post(
            "/checkout/v1/webhooks",
            Key::Secret,
            json!({"name": "PAYMENT_SUCCESS", "callbackUrl": "https://shop.example.ph/2"}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0039"));
    let (status, res, _) = gw
        .post(
            "/checkout/v1/webhooks",
            Key::Secret,
            json!({"name": "NOT_AN_EVENT", "callbackUrl": "https://x.ph/"}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "2553"));
    assert_eq!(res["parameters"][0]["field"], "name");
    let (status, res, _) = gw
        .post(
            "/checkout/v1/webhooks",
            Key::Public,
            json!({"name": "PAYMENT_FAILED", "callbackUrl": "https://x.ph/"}),
        )
        .await;
    assert_eq!((status, code(&res)), (401, "K004"));
    let (_, list) = gw.get("/checkout/v1/webhooks").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, updated, _) = gw
        .call(
            "PUT",
            &format!("/checkout/v1/webhooks/{id}"),
            Key::Secret,
            Some(r#"{"name":"PAYMENT_SUCCESS","callbackUrl":"https://shop.example.ph/new"}"#),
        )
        .await;
    assert_eq!(
        (status, updated["callbackUrl"].clone()),
        (200, json!("https://shop.example.ph/new"))
    );
    let (status, one) = gw.get(&format!("/checkout/v1/webhooks/{id}")).await;
    assert_eq!(
        (status, one["name"].clone()),
        (200, json!("PAYMENT_SUCCESS"))
    );
    let (status, deleted, _) = gw
        .call(
            "DELETE",
            &format!("/checkout/v1/webhooks/{id}"),
            Key::Secret,
            None,
        )
        .await;
    assert_eq!((status, deleted["id"].clone()), (200, json!(id)));
    let (status, res) = gw.get(&format!("/checkout/v1/webhooks/{id}")).await;
    assert_eq!((status, code(&res)), (404, "PY0038"));
}

#[tokio::test]
async fn failed_webhooks_are_retried_on_the_schedule_with_fresh_signatures() {
    let gw = Gw::start().await;
    let mut hooks = Receiver::start().await;
    gw.register("PAYMENT_SUCCESS", &hooks.url("/h")).await;
    hooks.answer_next(&[500, 503]);
    let (_, redirect) = gw.checkout("100.00", "retry-1", json!({})).await;
    gw.page(&redirect).await;
    // Each attempt is signed when it is sent: it verifies at its own arrival time.
    let pem = gw.pem();
    let first = hooks.next().await;
    verify(&pem, &first.headers, &first.body, gw.sim.now_unix_ms()).unwrap();
    // Nothing more until five minutes have passed on the simulator clock.
    assert!(hooks.quiet_for(Duration::from_millis(300)).await);
    gw.sim.advance(Duration::from_secs(5 * 60));
    let second = hooks.next().await;
    verify(&pem, &second.headers, &second.body, gw.sim.now_unix_ms()).unwrap();
    assert!(hooks.quiet_for(Duration::from_millis(300)).await);
    gw.sim.advance(Duration::from_secs(15 * 60));
    let third = hooks.next().await;
    verify(&pem, &third.headers, &third.body, gw.sim.now_unix_ms()).unwrap();
    assert!(hooks.quiet_for(Duration::from_millis(300)).await);
    // The first attempt's timestamp is stale by now: a receiver cannot replay it late.
    assert_eq!(
        verify(&pem, &first.headers, &first.body, gw.sim.now_unix_ms()),
        Err("stale timestamp")
    );
    let nonces = [first.nonce(), second.nonce(), third.nonce()];
    assert!(
        nonces[0] != nonces[1] && nonces[1] != nonces[2],
        "{nonces:?}"
    );
    assert!(second.body == first.body && third.body == first.body);
    let records = gw.sim.callbacks();
    let outcomes: Vec<_> = records
        .iter()
        .map(|r| (r.attempt, r.outcome.clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (1, CallbackOutcome::Delivered { status: 500 }),
            (2, CallbackOutcome::Delivered { status: 503 }),
            (3, CallbackOutcome::Delivered { status: 200 }),
        ]
    );

    // Four attempts at most: 0, 5, 15 and 45 minutes.
    hooks.answer_next(&[500, 500, 500, 500, 500]);
    let (_, redirect) = gw.checkout("100.00", "retry-2", json!({})).await;
    gw.page(&redirect).await;
    hooks.next().await;
    for minutes in [5, 15, 45] {
        gw.sim.advance(Duration::from_secs(minutes * 60));
        hooks.next().await;
    }
    gw.sim.advance(Duration::from_secs(3 * 3600));
    assert!(hooks.quiet_for(Duration::from_millis(400)).await);
}

#[tokio::test]
async fn webhook_faults_break_signatures_timestamps_and_order() {
    let gw = Gw::start().await;
    let mut hooks = Receiver::start().await;
    gw.register("PAYMENT_SUCCESS", &hooks.url("/h")).await;
    let pay = async |gw: &Gw, rrn: &str| {
        let (_, redirect) = gw.checkout("100.00", rrn, json!({})).await;
        gw.page(&redirect).await;
    };

    gw.sim
        .set_faults(Faults::none().with_bad_callback_signatures(100));
    pay(&gw, "f-1").await;
    let d = hooks.next().await;
    assert_eq!(
        verify(&gw.pem(), &d.headers, &d.body, gw.sim.now_unix_ms()),
        Err("invalid signature")
    );

    gw.sim.set_faults(Faults::none().with_stale_timestamps(100));
    pay(&gw, "f-2").await;
    let d = hooks.next().await;
    assert_eq!(
        verify(&gw.pem(), &d.headers, &d.body, gw.sim.now_unix_ms()),
        Err("stale timestamp")
    );

    gw.sim
        .set_faults(Faults::none().with_unsigned_callbacks(100));
    pay(&gw, "f-2b").await;
    let d = hooks.next().await;
    assert_eq!(
        verify(&gw.pem(), &d.headers, &d.body, gw.sim.now_unix_ms()),
        Err("missing signature")
    );
    assert!(d.headers.get("x-maya-webhook-timestamp").is_none());

    gw.sim
        .set_faults(Faults::none().with_duplicate_callbacks(100));
    pay(&gw, "f-3").await;
    let (a, b) = (hooks.next().await, hooks.next().await);
    assert_eq!(a.nonce(), b.nonce());
    assert_eq!(a.body, b.body);
    verify(&gw.pem(), &b.headers, &b.body, gw.sim.now_unix_ms()).unwrap();

    gw.sim
        .set_faults(Faults::none().with_reordered_callbacks(100));
    pay(&gw, "f-4").await;
    gw.sim.set_faults(Faults::none());
    pay(&gw, "f-5").await;
    let (a, b) = (hooks.next().await, hooks.next().await);
    assert_eq!(a.json()["requestReferenceNumber"], "f-5");
    assert_eq!(b.json()["requestReferenceNumber"], "f-4");

    gw.sim
        .set_faults(Faults::none().with_dropped_callbacks(100));
    pay(&gw, "f-6").await;
    assert!(hooks.quiet_for(Duration::from_millis(300)).await);

    let counts = gw.sim.fault_counts(LedgerProvider::MayaCheckout);
    assert_eq!(
        (
            counts.bad_signatures,
            counts.stale_timestamps,
            counts.duplicated_callbacks,
            counts.reordered_callbacks,
            counts.dropped_callbacks,
            counts.unsigned_callbacks
        ),
        (1, 1, 1, 1, 1, 1)
    );
}

#[tokio::test]
async fn server_faults_answer_400_py9999_and_may_have_committed() {
    let gw = Gw::start().await;
    gw.sim
        .set_faults(Faults::none().with_error_after_processing_rate(100));
    let (status, res, _) = gw
        .post(
            "/checkout/v1/checkouts",
            Key::Public,
            json!({"totalAmount": {"value": 5, "currency": "PHP"}, "requestReferenceNumber": "maybe-1"}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY9999"));
    gw.sim.set_faults(Faults::none().with_error_rate(100));
    let (status, res, _) = gw
        .post(
            "/checkout/v1/checkouts",
            Key::Public,
            json!({"totalAmount": {"value": 5, "currency": "PHP"}, "requestReferenceNumber": "never-1"}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY9999"));
    gw.sim.set_faults(Faults::none());
    // Maya's advice: look the RRN up before retrying.
    let (status, found) = gw.get("/payments/v1/payment-rrns/maybe-1").await;
    assert_eq!((status, found.as_array().map(Vec::len)), (200, Some(1)));
    let (status, res) = gw.get("/payments/v1/payment-rrns/never-1").await;
    assert_eq!((status, code(&res)), (404, "PY0009"));
    let counts = gw.sim.fault_counts(LedgerProvider::MayaCheckout);
    assert_eq!((counts.failed_after, counts.failed_before), (1, 1));
}

#[tokio::test]
async fn requests_are_validated_with_the_documented_codes() {
    let gw = Gw::start().await;
    let long = "x".repeat(37);
    let (status, res, _) = gw
        .call(
            "POST",
            "/checkout/v1/checkouts",
            Key::Public,
            Some(&format!(r#"{{"totalAmount":{{"value":1.005,"currency":"PHP"}},"requestReferenceNumber":"{long}"}}"#)),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "2553"));
    let fields: Vec<&str> = res["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["totalAmount.value", "requestReferenceNumber"]);
    let (status, res, _) = gw
        .post(
            "/checkout/v1/checkouts",
            Key::Public,
            json!({"totalAmount": {"value": 1, "currency": "USD"}, "requestReferenceNumber": "u"}),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0037"));
    let (status, res, _) = gw
        .call(
            "POST",
            "/checkout/v1/checkouts",
            Key::Public,
            Some("{not json"),
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0064"));
    let (status, res, _) = gw
        .post("/payments/v1/payment-tokens", Key::Public, json!({"card": {"number": "4123450131001523", "expMonth": "13", "expYear": "2030", "cvc": "1"}}))
        .await;
    assert_eq!((status, code(&res)), (400, "2553"));
    assert_eq!(res["parameters"].as_array().unwrap().len(), 3);
    let (status, res, _) = gw
        .post("/payments/v1/payment-tokens", Key::Public, json!({"card": {"number": "4123450131001522", "expMonth": "01", "expYear": "2020", "cvc": "123"}}))
        .await;
    assert_eq!((status, code(&res)), (400, "PY0002"));
    let (status, res) = gw.get("/payments/v1/payments/unknown").await;
    assert_eq!((status, code(&res)), (404, "PY0009"));
    // Hostile bytes never break the listener.
    for body in [
        "",
        "[]",
        "\"x\"",
        "{\"totalAmount\":{\"value\":1e99999}}",
        "{{{{",
        "\u{0}",
    ] {
        let (status, _, _) = gw
            .call("POST", "/checkout/v1/checkouts", Key::Public, Some(body))
            .await;
        assert_eq!(status, 400, "{body:?}");
    }
}

#[tokio::test]
async fn cancel_stops_an_unpaid_payment_only() {
    let gw = Gw::start().await;
    let mut hooks = Receiver::start().await;
    gw.register("PAYMENT_CANCELLED", &hooks.url("/cancelled"))
        .await;
    let (checkout_id, _) = gw.checkout("100.00", "cancel-2", json!({})).await;
    let (_, checkout) = gw
        .get(&format!("/checkout/v1/checkouts/{checkout_id}"))
        .await;
    assert_eq!(checkout["paymentStatus"], "PENDING_TOKEN");
    let (_, payments) = gw.get("/payments/v1/payment-rrns/cancel-2").await;
    let id = payments[0]["id"].as_str().unwrap();
    let (status, cancelled, _) = gw
        .call(
            "POST",
            &format!("/payments/v1/payments/{id}/cancel"),
            Key::Secret,
            None,
        )
        .await;
    assert_eq!(
        (status, cancelled["status"].clone()),
        (200, json!("PAYMENT_CANCELLED"))
    );
    assert_eq!(hooks.next().await.json()["id"], id);
    let (status, res, _) = gw
        .call(
            "POST",
            &format!("/payments/v1/payments/{id}/cancel"),
            Key::Secret,
            None,
        )
        .await;
    assert_eq!((status, code(&res)), (400, "PY0044"));
}

#[tokio::test]
async fn the_refund_answer_can_be_a_receipt_or_202_ongoing() {
    for (answer, status, field) in [
        (RefundAnswer::Receipt, 200, "refundTransactionReferenceNo"),
        (RefundAnswer::Ongoing, 202, "message"),
    ] {
        let mut config = SimConfig::default();
        config.maya_checkout.refund_answer = answer;
        let gw = Gw::with(config).await;
        let paid = gw.vault_payment("20.00", "r-1", None).await;
        gw.next_manila_day();
        let id = paid["id"].as_str().unwrap();
        let body = r#"{"totalAmount":{"amount":5,"currency":"PHP"},"reason":"x"}"#;
        let (got, res, _) = gw
            .call(
                "POST",
                &format!("/payments/v1/payments/{id}/refunds"),
                Key::Secret,
                Some(body),
            )
            .await;
        assert_eq!(got, status, "{res}");
        assert!(res[field].is_string(), "{res}");
        let (_, listed) = gw.get(&format!("/payments/v1/payments/{id}/refunds")).await;
        assert_eq!(listed[0]["status"], "SUCCESS");
    }
}

#[tokio::test]
async fn the_announcement_says_how_to_configure_a_client() {
    let gw = Gw::start().await;
    let a = gw.sim.announcement();
    let m = &a["maya-checkout"];
    let info = gw.sim.maya_checkout();
    assert_eq!(m["base_url"], info.base_url.as_str());
    assert!(m["public_key"].as_str().unwrap().starts_with("pk-"));
    assert!(m["secret_key"].as_str().unwrap().starts_with("sk-"));
    let der = STANDARD
        .decode(info.webhook_public_key_der_base64())
        .unwrap();
    assert_eq!(der.len(), 294, "RSA-2048 SubjectPublicKeyInfo");
    assert_ne!(m["base_url"], a["maya"]["base_url"]);
}

#[tokio::test]
async fn a_configured_signing_key_is_the_one_announced_and_used() {
    let vectors: Value =
        serde_json::from_str(include_str!("../testdata/maya-checkout-vectors.json")).unwrap();
    let private = vectors["private_key_pkcs8_pem_TEST_ONLY"].as_str().unwrap();
    let der: String = private
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let mut config = SimConfig::default();
    config.maya_checkout.webhook_private_key_pkcs8 = Some(STANDARD.decode(der).unwrap());
    let gw = Gw::with(config).await;
    let public = vectors["public_key_pem_TEST_ONLY"].as_str().unwrap();
    assert_eq!(gw.pem(), public);
    let mut hooks = Receiver::start().await;
    gw.register("PAYMENT_SUCCESS", &hooks.url("/h")).await;
    let (_, redirect) = gw.checkout("5.00", "keyed-1", json!({})).await;
    gw.page(&redirect).await;
    let d = hooks.next().await;
    verify(public, &d.headers, &d.body, gw.sim.now_unix_ms()).unwrap();
    // The simulator's default (generated) key is another key: it does not verify.
    let other = Gw::start().await;
    assert_ne!(other.pem(), public);
    assert_eq!(
        verify(&other.pem(), &d.headers, &d.body, gw.sim.now_unix_ms()),
        Err("invalid signature")
    );
}

#[tokio::test]
async fn a_checkout_with_authorization_type_places_a_hold() {
    let gw = Gw::start().await;
    let mut hooks = Receiver::start().await;
    gw.register("AUTHORIZED", &hooks.url("/authorized")).await;
    gw.register("CHECKOUT_SUCCESS", &hooks.url("/legacy")).await;
    let (checkout_id, redirect) = gw
        .checkout("300.00", "hold-c", json!({"authorizationType": "FINAL"}))
        .await;
    let (_, html) = gw.page(&redirect).await;
    assert!(html.contains("Payment authorized"), "{html}");
    let mut got = [hooks.next().await, hooks.next().await];
    got.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(got[0].json()["status"], "AUTHORIZED");
    assert_eq!(got[0].json()["authorizationType"], "FINAL");
    assert_eq!(got[1].json()["id"], checkout_id.as_str());
    let id = got[0].json()["id"].as_str().unwrap().to_owned();
    let body =
        r#"{"requestReferenceNumber":"hold-c","captureAmount":{"amount":300.00,"currency":"PHP"}}"#;
    let (status, capture, _) = gw
        .call(
            "POST",
            &format!("/payments/v1/payments/{id}/capture"),
            Key::Secret,
            Some(body),
        )
        .await;
    assert_eq!(status, 200, "{capture}");
    let (_, parent) = gw.get(&format!("/payments/v1/payments/{id}")).await;
    assert_eq!(parent["status"], "DONE");
    assert_eq!(parent["capturedAmount"], "300.00");
}

#[tokio::test]
async fn the_checkout_page_customization_is_kept() {
    let gw = Gw::start().await;
    let path = "/checkout/v1/customizations";
    let (status, res) = gw.get(path).await;
    assert_eq!((status, code(&res)), (404, "PY0065"));
    let look = json!({"logoUrl": "https://shop.example.ph/logo.png", "colorScheme": "#1d4ed8"});
    let (status, saved, _) = gw.post(path, Key::Secret, look.clone()).await;
    assert_eq!((status, saved), (200, look.clone()));
    let (status, read) = gw.get(path).await;
    assert_eq!((status, read), (200, look.clone()));
    let (status, _, _) = gw.post(path, Key::Public, look).await;
    assert_eq!(status, 401);
    let (status, _, _) = gw.call("DELETE", path, Key::Secret, None).await;
    assert_eq!(status, 200);
    let (status, res) = gw.get(path).await;
    assert_eq!((status, code(&res)), (404, "PY0065"));
}

#[tokio::test]
async fn a_triggered_webhook_is_signed_afresh_and_goes_to_its_registration() {
    let gw = Gw::start().await;
    let base = gw.sim.maya_checkout().base_url.clone();
    let mut hooks = Receiver::start().await;
    gw.register("PAYMENT_SUCCESS", &hooks.url("/maya/payment-success"))
        .await;
    let (checkout_id, redirect) = gw.checkout("249.50", "trigger-1", json!({})).await;

    let (status, refused) = common::trigger(&base, json!({ "payment": checkout_id })).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"], "no_callback_yet");

    gw.page(&redirect).await;
    let first = hooks.next().await;
    let payment_id = first.json()["id"].as_str().unwrap().to_owned();
    // By checkout id and by payment id alike.
    for id in [&checkout_id, &payment_id] {
        let (status, record) = common::trigger(&base, json!({ "payment": id })).await;
        assert_eq!(status, 200, "{record}");
        let d = hooks.next().await;
        assert_eq!(d.path, "/maya/payment-success");
        verify(&gw.pem(), &d.headers, &d.body, gw.sim.now_unix_ms()).unwrap();
        assert_eq!(d.json()["id"], payment_id.as_str());
        assert_eq!(d.json()["status"], "PAYMENT_SUCCESS");
        assert_ne!(
            d.header("x-maya-webhook-signature"),
            first.header("x-maya-webhook-signature"),
            "a fresh nonce"
        );
        assert_eq!(record["provider"], "maya-checkout");
        assert_eq!(record["body"], d.body.as_str());
        assert_eq!(record["outcome"]["state"], "delivered");
        let names: Vec<&str> = record["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["x-maya-webhook-signature", "x-maya-webhook-timestamp"]
        );
    }

    // The per-attempt signature faults apply.
    gw.sim.set_faults(Faults::none().with_stale_timestamps(100));
    let (status, _) = common::trigger(&base, json!({ "payment": payment_id })).await;
    assert_eq!(status, 200);
    let stale = hooks.next().await;
    assert_eq!(
        verify(&gw.pem(), &stale.headers, &stale.body, gw.sim.now_unix_ms()),
        Err("stale timestamp")
    );
    gw.sim.set_faults(Faults::none());

    // A cancelled payment fires PAYMENT_CANCELLED, for which nothing is registered.
    let (cancelled, redirect) = gw.checkout("100.00", "trigger-2", json!({})).await;
    gw.page(&format!("{redirect}&action=cancel")).await;
    let (status, refused) = common::trigger(&base, json!({ "payment": cancelled })).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"], "no_url");
    let (status, record) = common::trigger(
        &base,
        json!({ "payment": cancelled, "url": hooks.url("/given") }),
    )
    .await;
    assert_eq!(status, 200, "{record}");
    let d = hooks.next().await;
    assert_eq!(d.path, "/given");
    assert_eq!(d.json()["status"], "PAYMENT_CANCELLED");
    assert!(hooks.quiet_for(Duration::from_millis(200)).await);
}
