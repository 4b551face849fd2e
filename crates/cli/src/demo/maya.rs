//! Maya Mini App: the client token, a customer session as Maya pushes it, a payment created and
//! executed, a second execute answered "already processed", and a declined payment.

use paykit_core::{Currency, Money, PaymentProvider, PaymentRequest, PaymentStatus, SecretString};
use paykit_maya::{ExecuteOutcome, ExecutePayment, MayaClient, SessionTokens};
use paykit_sim::Simulator;

use super::report::Steps;

pub(super) async fn run(sim: &Simulator) -> bool {
    let mut steps = Steps::new("maya");
    let info = sim.maya();
    let client = MayaClient::builder(
        info.client_id.clone(),
        SecretString::from(info.client_secret.clone()),
    )
    .api_base_url(info.base_url.clone())
    .token_url(info.token_url.clone())
    .p2m_id(info.p2m_id.clone())
    .build();
    let Some(client) = steps.check("client", client, |_| "Mini App payments".into()) else {
        return steps.finish();
    };
    let Some(_) = steps.check(
        "client token (oauth/token)",
        client.client_token().await,
        |t| format!("access token, generation {}", t.generation()),
    ) else {
        return steps.finish();
    };
    let Some(pushed) = steps.check(
        "customer opens the Mini App (session push)",
        sim.open_maya_session(None).await,
        |s| format!("session token pair, expires at {}", s.expires_at),
    ) else {
        return steps.finish();
    };
    let session = i64::try_from(pushed.expires_at)
        .map_err(|_| paykit_core::Error::invalid_input("expires_at", "out of range"))
        .and_then(|expires_at| {
            SessionTokens::new(
                SecretString::from(pushed.access_token.clone()),
                SecretString::from(pushed.refresh_token.clone()),
                expires_at,
            )
        })
        .and_then(|tokens| client.session(tokens));
    let Some(session) = steps.check("customer session", session, |_| {
        "X-Authorization ready".into()
    }) else {
        return steps.finish();
    };
    let payments = client.payments(session.clone());
    let pay = async {
        let request =
            PaymentRequest::new(Money::parse("249.50", Currency::PHP)?).order_id("demo-maya");
        payments.create_payment(&request).await
    };
    let Some(paid) = steps.check("pay 249.50 PHP (create + execute)", pay.await, |o| {
        format!("payment {}, {}", o.provider_payment_id, o.status)
    }) else {
        return steps.finish();
    };
    steps.expect(
        "the customer's wallet was debited",
        paid.status == PaymentStatus::Captured,
        &paid.status,
    );
    let again = client
        .execute_payment(
            &session,
            &ExecutePayment::new(paid.provider_payment_id.clone()),
        )
        .await;
    if let Some(outcome) = steps.check("execute again (execute-once)", again, |o| format!("{o:?}"))
    {
        let once = matches!(outcome, ExecuteOutcome::AlreadyProcessed { .. });
        steps.expect("no second charge (PY0010)", once, "already processed");
    }
    let decline = async {
        let request =
            PaymentRequest::new(Money::parse("10.01", Currency::PHP)?).order_id("demo-maya-2");
        payments.create_payment(&request).await
    };
    if let Some(outcome) = steps.check("pay 10.01 PHP (create + execute)", decline.await, |o| {
        o.status.to_string()
    }) {
        steps.expect(
            "declined (.01)",
            matches!(outcome.status, PaymentStatus::Failed { .. }),
            &outcome.status,
        );
    }
    steps.finish()
}
