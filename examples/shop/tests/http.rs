//! The shop over plain HTTP (no browser): callbacks delivered twice, forged, failed and
//! retried, dropped; pending orders; the Maya link; the admin's buttons; secrets.

// The setup helpers below are not #[test] fns; a failed setup is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use paykit_sim::{CallbackRecord, Faults, LedgerProvider, OpKind};
use shop::{Order, RunningShop, ShopConfig};

/// A client that does not follow redirects: the tests read where the shop sends the buyer.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

async fn start() -> RunningShop {
    shop::start(ShopConfig::default()).await.unwrap()
}

/// Places an order of `product` through `provider` with the order form; returns the order and
/// where the buyer is sent.
async fn place(shop: &RunningShop, product: &str, provider: &str, hold: bool) -> (Order, String) {
    let mut form = vec![("product", product), ("provider", provider)];
    if hold {
        form.push(("hold", "on"));
    }
    let response = http()
        .post(format!("{}/orders", shop.url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let order = shop.orders().into_iter().next().unwrap();
    (order, location)
}

/// The buyer opens the provider's page (the simulator pays on a GET, as a browser would).
async fn customer_pays(page: &str) {
    let response = http().get(page).send().await.unwrap();
    assert_eq!(response.status(), 200, "{page}");
}

/// Waits until order `id` satisfies `done`.
async fn order_when(
    shop: &RunningShop,
    id: &str,
    what: &str,
    done: impl Fn(&Order) -> bool,
) -> Order {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let order = shop.order(id).unwrap();
        if done(&order) {
            return order;
        }
        assert!(Instant::now() < until, "{id}: {what}; it is {order:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The last callback the simulator sent about `payment`, once its delivery was answered.
async fn callback_of(shop: &RunningShop, payment: &str) -> CallbackRecord {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let found = shop
            .simulator()
            .callbacks()
            .into_iter()
            .rev()
            .find(|c| c.body.contains(payment));
        if let Some(record) = found {
            if !matches!(record.outcome, paykit_sim::CallbackOutcome::Pending) {
                return record;
            }
        }
        assert!(
            Instant::now() < until,
            "no answered callback about {payment}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Posts `body` to `url` as the provider would; the shop's HTTP status.
async fn deliver(url: &str, content_type: &str, body: String) -> u16 {
    http()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A maib order paid by the buyer and marked by its callback.
async fn paid_maib_order(shop: &RunningShop) -> Order {
    let (order, page) = place(shop, "beans", "maib", false).await;
    customer_pays(&page).await;
    order_when(shop, &order.id, "paid by its callback", |o| {
        o.callbacks.len() == 1
    })
    .await
}

#[tokio::test]
async fn a_callback_delivered_twice_at_once_runs_the_handler_once_and_fulfils_once() {
    let shop = start().await;
    let order = paid_maib_order(&shop).await;
    assert_eq!(order.state().word(), "paid");
    assert_eq!(order.fulfilments, 1);
    let record = callback_of(&shop, order.payment_id.as_deref().unwrap()).await;
    assert_eq!(
        record.outcome,
        paykit_sim::CallbackOutcome::Delivered { status: 200 }
    );
    let (a, b) = tokio::join!(
        deliver(&record.url, record.content_type, record.body.clone()),
        deliver(&record.url, record.content_type, record.body.clone()),
    );
    assert_eq!((a, b), (200, 200), "duplicates are answered as handled");
    let after = shop.order(&order.id).unwrap();
    assert_eq!(after.callbacks, order.callbacks, "the handler ran once");
    assert_eq!(after.fulfilments, 1);
}

#[tokio::test]
async fn a_callback_that_could_not_be_confirmed_is_refused_and_its_retry_fulfils_once() {
    let shop = start().await;
    let (order, page) = place(&shop, "kettle", "maib", false).await;
    // maib's API fails from now on: paykit-axum cannot confirm the callback with pay-info
    // (the hosted page still works: the simulator never faults it).
    shop.simulator()
        .set_faults(Faults::none().with_error_rate(100));
    customer_pays(&page).await;
    let record = callback_of(&shop, order.payment_id.as_deref().unwrap()).await;
    let paykit_sim::CallbackOutcome::Delivered { status } = record.outcome else {
        panic!("not delivered: {record:?}");
    };
    assert!(status >= 500, "a retry can help: {status}");
    let refused = shop.order(&order.id).unwrap();
    assert_eq!(
        (refused.state().word(), refused.fulfilments),
        ("pending", 0)
    );
    assert!(refused.callbacks.is_empty());

    // maib recovers and delivers again: handled, fulfilled once; a third delivery changes
    // nothing.
    shop.simulator().set_faults(Faults::none());
    assert_eq!(
        deliver(&record.url, record.content_type, record.body.clone()).await,
        200
    );
    let paid = shop.order(&order.id).unwrap();
    assert_eq!((paid.state().word(), paid.fulfilments), ("paid", 1));
    assert_eq!(paid.callbacks.len(), 1);
    assert_eq!(
        deliver(&record.url, record.content_type, record.body.clone()).await,
        200
    );
    assert_eq!(shop.order(&order.id).unwrap(), paid);
}

#[tokio::test]
async fn forged_callbacks_are_refused_and_change_nothing() {
    let shop = start().await;
    let (unpaid, _) = place(&shop, "kettle", "maib", false).await;
    let paid = paid_maib_order(&shop).await;
    // maib: a genuine signed body, its payment id swapped for the unpaid order's.
    let genuine = callback_of(&shop, paid.payment_id.as_deref().unwrap()).await;
    let forged = genuine.body.replace(
        paid.payment_id.as_deref().unwrap(),
        unpaid.payment_id.as_deref().unwrap(),
    );
    let status = deliver(&genuine.url, genuine.content_type, forged).await;
    assert!(
        (400..500).contains(&status),
        "forged maib callback: {status}"
    );

    // iPay: unsigned, so a made-up form naming a real order must fail on its payment hash.
    let (ipay, _) = place(&shop, "beans", "ipay", false).await;
    let form = format!(
        "status=success&order_id={}&payment_hash=0123456789abcdef&status_description=PERFORMED",
        ipay.payment_id.as_deref().unwrap()
    );
    let url = format!("{}/callbacks/ipay", shop.url());
    let status = deliver(&url, "application/x-www-form-urlencoded", form).await;
    assert!(
        (400..500).contains(&status),
        "forged iPay callback: {status}"
    );

    for order in [&unpaid, &ipay] {
        let now = shop.order(&order.id).unwrap();
        assert_eq!(
            (now.state().word(), now.fulfilments),
            ("pending", 0),
            "{}",
            order.id
        );
        assert!(now.callbacks.is_empty());
    }
}

#[tokio::test]
async fn an_undecided_order_reads_pending_and_reloads_through_the_status_query() {
    let shop = start().await;
    let (order, page) = place(&shop, "beans", "miapos", false).await;
    assert!(
        page.contains("/checkout?paymentId="),
        "miaPOS checkout page: {page}"
    );
    // The buyer comes back without paying: the provider says "pending", and so does the shop.
    let back = http()
        .get(format!("{}/orders/{}/return", shop.url(), order.id))
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 303);
    assert_eq!(back.headers()["location"], format!("/orders/{}", order.id));
    let html = http()
        .get(format!("{}/orders/{}", shop.url(), order.id))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(">pending</span>"), "{html}");
    assert!(html.contains(&format!("content=\"2;url=/orders/{}/return\"", order.id)));
    assert_eq!(shop.order(&order.id).unwrap().fulfilments, 0);
}

#[tokio::test]
async fn a_dropped_callback_is_made_up_for_by_the_status_query_on_return() {
    let shop = start().await;
    shop.simulator()
        .set_faults(Faults::none().with_dropped_callbacks(100));
    let (order, page) = place(&shop, "kettle", "ipay", false).await;
    customer_pays(&page).await;
    assert_eq!(shop.order(&order.id).unwrap().state().word(), "pending");
    let back = http()
        .get(format!("{}/orders/{}/return", shop.url(), order.id))
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 303);
    let order = shop.order(&order.id).unwrap();
    assert_eq!((order.state().word(), order.fulfilments), ("paid", 1));
    assert!(order.callbacks.is_empty(), "no callback arrived");
    assert!(
        order.history.iter().any(|h| h.contains("status query")),
        "{:?}",
        order.history
    );
}

#[tokio::test]
async fn a_maya_landing_link_works_once() {
    let shop = start().await;
    let (order, app) = place(&shop, "beans", "maya", false).await;
    assert_eq!(app, format!("/maya/app/{}", order.id));
    let opened = http()
        .post(format!("{}/maya/app/{}/open", shop.url(), order.id))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 303);
    let landing = format!(
        "{}{}",
        shop.url(),
        opened.headers()["location"].to_str().unwrap()
    );
    assert!(landing.contains("sessionId="), "{landing}");
    assert_eq!(http().get(&landing).send().await.unwrap().status(), 200);
    assert_eq!(
        http().get(&landing).send().await.unwrap().status(),
        400,
        "single use"
    );
    let made_up = landing.replace("sessionId=", "sessionId=x");
    assert_eq!(http().get(&made_up).send().await.unwrap().status(), 400);

    let paid = http()
        .post(format!("{}/maya/orders/{}/pay", shop.url(), order.id))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 303);
    let again = http()
        .post(format!("{}/maya/orders/{}/pay", shop.url(), order.id))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400, "one payment per order");
    let order = shop.order(&order.id).unwrap();
    assert_eq!((order.state().word(), order.fulfilments), ("paid", 1));
    // The simulator charged the buyer's wallet once.
    let ledger = shop.simulator().ledger();
    let payment = ledger
        .payment(LedgerProvider::Maya, order.payment_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(payment.count(OpKind::Execute), 1, "{payment:?}");
    assert_eq!(payment.total(OpKind::Execute), order.amount.amount());
}

#[tokio::test]
async fn the_admin_offers_only_what_each_provider_can_do() {
    let shop = start().await;
    let maib = paid_maib_order(&shop).await;
    let (miapos, page) = place(&shop, "beans", "miapos", false).await;
    customer_pays(&page).await;
    let miapos = order_when(&shop, &miapos.id, "paid", |o| o.fulfilments == 1).await;
    let (hold, page) = place(&shop, "beans", "maib", true).await;
    customer_pays(&page).await;
    let hold = order_when(&shop, &hold.id, "held", |o| o.fulfilments == 1).await;
    assert_eq!(hold.status, paykit_core::PaymentStatus::Authorized);

    let admin = http()
        .get(format!("{}/admin", shop.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(admin.contains(&format!("id=\"refund-{}\"", maib.id)));
    assert!(!admin.contains(&format!("id=\"capture-{}\"", maib.id)));
    assert!(
        !admin.contains(&format!("id=\"refund-{}\"", miapos.id)),
        "miaPOS has no refunds"
    );
    assert!(admin.contains(&format!("id=\"capture-{}\"", hold.id)));
    assert!(
        !admin.contains(&format!("id=\"refund-{}\"", hold.id)),
        "capture first"
    );

    let refused = admin_action(&shop, &miapos.id, "refund").await;
    assert_eq!(refused.status(), 400);
    let captured = admin_action(&shop, &hold.id, "capture").await;
    assert_eq!(captured.status(), 303);
    let hold = shop.order(&hold.id).unwrap();
    assert_eq!((hold.status.name(), hold.fulfilments), ("captured", 1));
}

/// The Payments API and Maya's gateway: paid on their pages, each order is marked once by a
/// callback that paykit-axum verified and confirmed (the Payments API's per-order callback URL,
/// Maya's webhooks registered at start); a duplicate delivery changes nothing; a Payments API
/// hold is captured and a Maya payment reversed from the admin page.
#[tokio::test]
async fn the_payments_api_and_mayas_gateway_pay_through_their_callbacks() {
    let shop = start().await;
    for (provider, amount) in [
        ("bog-payments", "54.00 GEL"),
        ("maya-checkout", "1150.00 PHP"),
    ] {
        let (order, page) = place(&shop, "beans", provider, false).await;
        assert!(!page.starts_with(shop.url()), "{provider}: sent to {page}");
        customer_pays(&page).await;
        let paid = order_when(&shop, &order.id, "marked by its callback", |o| {
            !o.callbacks.is_empty()
        })
        .await;
        assert_eq!(paid.state().word(), "paid", "{provider}: {paid:#?}");
        assert_eq!(paid.fulfilments, 1);
        assert_eq!(paid.amount.to_string(), amount);
        let record = shop
            .simulator()
            .callbacks()
            .into_iter()
            .rev()
            .find(|c| c.url.starts_with(shop.url()) && c.body.contains(&paid.id))
            .unwrap_or_else(|| panic!("{provider}: no callback names {}", paid.id));
        assert_eq!(
            record.outcome,
            paykit_sim::CallbackOutcome::Delivered { status: 200 },
            "{provider}"
        );
        // A second delivery of the same bytes: answered as handled (the Payments API's claim,
        // Maya's nonce cache), the handler not run again.
        let again = deliver_with(&record).await;
        assert_eq!(again, 200, "{provider}");
        let after = shop.order(&order.id).unwrap();
        assert_eq!(
            after.callbacks, paid.callbacks,
            "{provider}: the handler ran again"
        );
        assert_eq!(after.fulfilments, 1);
    }

    let (hold, page) = place(&shop, "kettle", "bog-payments", true).await;
    customer_pays(&page).await;
    let hold = order_when(&shop, &hold.id, "held", |o| o.fulfilments == 1).await;
    assert_eq!(hold.status, paykit_core::PaymentStatus::Authorized);
    let captured = admin_action(&shop, &hold.id, "capture").await;
    assert_eq!(captured.status(), 303);
    let hold = order_when(&shop, &hold.id, "captured", |o| {
        o.status == paykit_core::PaymentStatus::Captured
    })
    .await;
    assert_eq!(hold.fulfilments, 1);

    // Maya reverses a payment of today by a void: the money goes back, the order reads
    // cancelled.
    let maya = shop
        .orders()
        .into_iter()
        .find(|o| o.provider.slug() == "maya-checkout")
        .unwrap();
    let reversed = admin_action(&shop, &maya.id, "refund").await;
    assert_eq!(reversed.status(), 303);
    let maya = shop.order(&maya.id).unwrap();
    assert_eq!(maya.state().word(), "cancelled", "{maya:#?}");
    let ledger = shop.simulator().ledger();
    let voided = ledger
        .by_order_id(LedgerProvider::MayaCheckout, &maya.id)
        .any(|p| p.count(OpKind::Void) == 1);
    assert!(voided, "the simulator voided the payment");
}

/// Presses the admin page's `action` button (`capture`, `refund`) of order `id`.
async fn admin_action(shop: &RunningShop, id: &str, action: &str) -> reqwest::Response {
    http()
        .post(format!("{}/admin/orders/{id}/{action}", shop.url()))
        .send()
        .await
        .unwrap()
}

/// Posts a recorded delivery again, with the headers it carried (signatures, nonce).
async fn deliver_with(record: &CallbackRecord) -> u16 {
    let mut request = http().post(&record.url).body(record.body.clone());
    for (name, value) in &record.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn unknown_products_and_providers_are_refused() {
    let shop = start().await;
    let get = |path: &str| http().get(format!("{}{path}", shop.url())).send();
    assert_eq!(get("/products/tea").await.unwrap().status(), 404);
    assert_eq!(get("/orders/order-1").await.unwrap().status(), 404);
    let response = http()
        .post(format!("{}/orders", shop.url()))
        .form(&[("product", "beans"), ("provider", "paypal")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("no provider called &quot;paypal&quot;")
    );
    assert!(shop.orders().is_empty());
}

#[tokio::test]
async fn no_credential_shows_in_debug_output_or_pages() {
    let shop = start().await;
    let maib = paid_maib_order(&shop).await;
    let sim = shop.simulator();
    let secrets = [
        sim.maib().project_secret.clone(),
        sim.maib().signature_key.clone(),
        sim.miapos().secret_key.clone(),
        sim.bog().secret_key.clone(),
        sim.maya().client_secret.clone(),
    ];
    let mut seen = format!("{shop:?} {:?}", shop.orders());
    for path in ["/", "/admin", &format!("/orders/{}", maib.id)] {
        let page = http()
            .get(format!("{}{path}", shop.url()))
            .send()
            .await
            .unwrap();
        seen.push_str(&page.text().await.unwrap());
    }
    for secret in &secrets {
        assert!(secret.starts_with("sim-test-"));
        assert!(!seen.contains(secret.as_str()), "a secret leaked");
    }
}
