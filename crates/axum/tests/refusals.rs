//! Forged, malformed and oversized callbacks are refused with a 4xx and never reach the
//! handler; a provider that cannot be asked to confirm gets a 5xx, so it delivers again.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a broken setup should panic"
)]

mod common;

use std::sync::Arc;

use common::*;
use http::StatusCode;
use paykit_axum::{Accept, Answer, CallbackRoutes, CallbackVerifier, RouteError};
use paykit_core::{
    Authenticity, EventKind, ProviderId, Result, SecretString, VerifiedEvent, Webhook,
    WebhookRequest, async_trait,
};
use wiremock::{MockServer, ResponseTemplate};

async fn maib_router(handler: &Recorder, server: &MockServer) -> axum::Router {
    mount_maib_token(server).await;
    CallbackRoutes::new(handler.clone())
        .body_limit(2048)
        .maib("/maib", maib_client(server).await)
        .into_router()
        .unwrap()
}

#[tokio::test]
async fn forged_callbacks_are_401_and_malformed_ones_400() {
    let server = MockServer::start().await;
    mount_pay_info(&server, maib_pay_info("10.25")).await;
    let handler = Recorder::new();
    let router = maib_router(&handler, &server).await;
    let genuine = maib_body(&maib_result("10.25"));
    let signature = signature_of(&genuine);

    let tampered = genuine.replace("10.25", "1025.00");
    let missing = format!(r#"{{"result":{}}}"#, maib_result("10.25"));
    let undecodable = genuine.replace(&signature, "not base64!");
    let other_key =
        paykit_testkit::signers::maib::signed_body(&maib_result("10.25"), "another-key").unwrap();
    for forged in [&tampered, &missing, &undecodable, &other_key] {
        let answered = post_json(&router, "/maib", forged).await;
        assert_eq!(answered.status, StatusCode::UNAUTHORIZED, "{forged}");
        assert!(
            !answered.text().contains("10.25"),
            "no callback detail in the answer"
        );
    }
    // A signature that decodes, around a `result` that is not maib's.
    let wrong_shape = format!(r#"{{"result":"x","signature":"{signature}"}}"#);
    for malformed in ["", "not json", "[]", &wrong_shape] {
        let answered = post_json(&router, "/maib", malformed).await;
        assert_eq!(answered.status, StatusCode::BAD_REQUEST, "{malformed:?}");
    }
    assert_eq!(
        handler.runs(),
        0,
        "the handler never runs for a refused callback"
    );
    // Nothing refused before the signature was checked made maib be asked.
    assert!(
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .all(|r| !r.url.path().starts_with("/v1/pay-info")),
        "forged callbacks cost no pay-info query"
    );
    // The genuine one still goes through.
    assert_eq!(
        post_json(&router, "/maib", &genuine).await.status,
        StatusCode::OK
    );
    assert_eq!(handler.runs(), 1);
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_before_they_are_read() {
    let server = MockServer::start().await;
    let handler = Recorder::new();
    let router = maib_router(&handler, &server).await;
    let padded = format!(
        r#"{{"result":{},"signature":"x","pad":"{}"}}"#,
        maib_result("10.25"),
        "x".repeat(4096)
    );
    // No Content-Length (oneshot sets none): refused while reading, at the limit.
    let read = post_json(&router, "/maib", &padded).await;
    assert_eq!(read.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(read.text(), "callback too large");
    // A declared length over the limit: refused before a byte is read (the body is tiny).
    let declared = post(
        &router,
        "/maib",
        &[
            ("content-type", "application/json"),
            ("content-length", "4097"),
        ],
        "{}",
    )
    .await;
    assert_eq!(declared.status, StatusCode::PAYLOAD_TOO_LARGE);
    // At the limit exactly: read, and judged on its merits (this one is not JSON).
    let exact = "x".repeat(2048);
    assert_eq!(
        post_json(&router, "/maib", &exact).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(handler.runs(), 0);
}

#[tokio::test]
async fn a_provider_that_cannot_be_asked_gets_503_and_a_contradiction_401() {
    let server = MockServer::start().await;
    let handler = Recorder::new();
    let router = maib_router(&handler, &server).await;
    let body = maib_body(&maib_result("10.25"));

    // pay-info fails: maib is answered 503 and delivers again.
    mount_pay_info(&server, ResponseTemplate::new(500)).await;
    let unconfirmed = post_json(&router, "/maib", &body).await;
    assert_eq!(unconfirmed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(handler.runs(), 0);

    // maib answers with another amount: the callback is a relabelling, refused for good.
    server.reset().await;
    mount_maib_token(&server).await;
    mount_pay_info(&server, maib_pay_info("1.25")).await;
    let contradicted = post_json(&router, "/maib", &body).await;
    assert_eq!(contradicted.status, StatusCode::UNAUTHORIZED);
    assert_eq!(handler.runs(), 0);

    // maib agrees: the retry is handled.
    server.reset().await;
    mount_maib_token(&server).await;
    mount_pay_info(&server, maib_pay_info("10.25")).await;
    assert_eq!(
        post_json(&router, "/maib", &body).await.status,
        StatusCode::OK
    );
    assert_eq!(handler.runs(), 1);
}

#[tokio::test]
async fn accept_signed_lets_signed_events_through_unconfirmed() {
    let server = MockServer::start().await;
    let handler = Recorder::new();
    let client = maib_client(&server).await;
    let router = CallbackRoutes::new(handler.clone())
        .route(
            "/maib",
            CallbackVerifier::maib(client).accept(Accept::Signed),
            Answer::maib(),
        )
        .into_router()
        .unwrap();
    let answered = post_json(&router, "/maib", &maib_body(&maib_result("10.25"))).await;
    assert_eq!(answered.status, StatusCode::OK);
    let events = handler.events();
    assert_eq!(events[0].authenticity, Authenticity::Signed);
    assert!(
        !events[0].is_fit_for_fulfilment(),
        "the handler must check it itself"
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "Accept::Signed asks maib nothing"
    );
}

#[tokio::test]
async fn accept_confirmed_without_a_way_to_confirm_never_reaches_the_handler() {
    let server = MockServer::start().await;
    let handler = Recorder::new();
    let client = maib_client(&server).await;
    // The generic route: the webhook returns signed events and the route has no confirmer.
    let router = CallbackRoutes::new(handler.clone())
        .webhook("/maib", Arc::new(client), Answer::maib(), Accept::Confirmed)
        .into_router()
        .unwrap();
    let answered = post_json(&router, "/maib", &maib_body(&maib_result("10.25"))).await;
    assert_eq!(answered.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answered.text(), "callback route misconfigured");
    assert_eq!(handler.runs(), 0);
}

#[tokio::test]
async fn a_maib_client_without_its_signature_key_is_refused_at_build_time() {
    let server = MockServer::start().await;
    let keyless = paykit_maib::MaibClient::builder("8508706", SecretString::from("secret"))
        .base_url(server.uri())
        .build()
        .unwrap();
    let built = CallbackRoutes::new(Recorder::new())
        .maib("/maib", keyless)
        .into_router::<()>();
    let error = built.unwrap_err();
    assert!(matches!(error, RouteError::Unusable { ref path, .. } if path == "/maib"));
    assert!(error.to_string().contains("Signature Key"), "{error}");
}

#[tokio::test]
async fn routes_that_would_make_axum_panic_or_a_provider_retry_forever_are_refused() {
    let server = MockServer::start().await;
    let webhook: Arc<dyn Webhook> = Arc::new(maib_client(&server).await);
    let build = |routes: CallbackRoutes| routes.into_router::<()>().map(|_| ());
    let base = || CallbackRoutes::new(Recorder::new());
    assert_eq!(
        build(
            base()
                .webhook("/a", webhook.clone(), Answer::maib(), Accept::Signed)
                .webhook("/a", webhook.clone(), Answer::maib(), Accept::Signed)
        ),
        Err(RouteError::DuplicatePath("/a".into()))
    );
    for path in ["a", "/cb/{id}", "/cb/:id", ""] {
        assert!(
            matches!(
                build(base().webhook(path, webhook.clone(), Answer::maib(), Accept::Signed)),
                Err(RouteError::InvalidPath { .. })
            ),
            "{path:?}"
        );
    }
    assert_eq!(
        build(base().webhook(
            "/a",
            webhook.clone(),
            Answer::empty(StatusCode::ACCEPTED),
            Accept::Signed
        )),
        Ok(())
    );
    assert_eq!(
        build(base().webhook(
            "/a",
            webhook,
            Answer::empty(StatusCode::FOUND),
            Accept::Signed
        )),
        Err(RouteError::AnswerNotSuccess {
            path: "/a".into(),
            status: 302
        })
    );
}

/// A webhook that trusts a header: it proves the route hands the headers to verification.
struct HeaderWebhook;

#[async_trait]
impl Webhook for HeaderWebhook {
    async fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedEvent> {
        let delivery = request
            .header("x-test-delivery")
            .ok_or(paykit_core::Error::Signature(
                paykit_core::SignatureError::Missing,
            ))?;
        Ok(VerifiedEvent::new(
            ProviderId("test"),
            Authenticity::Confirmed,
            delivery,
            EventKind::Unknown {
                name: None,
                raw: String::from_utf8_lossy(request.body).into_owned(),
            },
        ))
    }
}

#[tokio::test]
async fn headers_reach_the_webhook_and_other_methods_are_405() {
    let handler = Recorder::new();
    let router = CallbackRoutes::new(handler.clone())
        .webhook(
            "/test",
            Arc::new(HeaderWebhook),
            Answer::empty(StatusCode::NO_CONTENT),
            Accept::Confirmed,
        )
        .into_router()
        .unwrap();
    let without = post(&router, "/test", &[], "body").await;
    assert_eq!(without.status, StatusCode::UNAUTHORIZED);
    let with = post(&router, "/test", &[("x-test-delivery", "d-1")], "body").await;
    assert_eq!(with.status, StatusCode::NO_CONTENT);
    let events = handler.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].dedupe_key, "d-1");
    assert!(matches!(&events[0].kind, EventKind::Unknown { raw, .. } if raw == "body"));
    let get = send(
        &router,
        http::Request::get("/test")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_maib_ok_whose_flow_no_record_names_is_503_not_guessed() {
    let server = MockServer::start().await;
    mount_maib_token(&server).await;
    mount_pay_info(&server, maib_pay_info("10.25")).await;
    // No payment record: maib's `OK` may be a hold or a payment, and pay-info cannot tell.
    let client = paykit_maib::MaibClient::builder("8508706", SecretString::from("secret"))
        .base_url(server.uri())
        .signature_key(SecretString::from(MAIB_KEY.trim()))
        .executor_config(fast())
        .build()
        .unwrap();
    let handler = Recorder::new();
    let router = CallbackRoutes::new(handler.clone())
        .maib("/maib", client)
        .into_router()
        .unwrap();
    let answered = post_json(&router, "/maib", &maib_body(&maib_result("10.25"))).await;
    assert_eq!(answered.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(handler.runs(), 0);
}
