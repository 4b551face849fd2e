//! The shop in a real browser: headless Chromium, driven over WebDriver, buys through each of
//! the six provider APIs, pays on the simulator's hosted page, comes back to the shop and sees the order
//! paid; one payment is declined, one refunded from the admin page, one hold captured. Each
//! flow ends with a screenshot in `target/shop-screenshots/<flow>.png`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`cargo xtask servers` installs them as
//! root); without them the test fails with one line saying so.

// The setup helpers below are not #[test] fns; a failed setup is a test failure. The browser
// test prints where its screenshots are and how long each flow took.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod support;

use std::error::Error;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use shop::{Order, RunningShop, ShopConfig};
use support::chrome::Browser;

type Outcome = Result<(), Box<dyn Error>>;

/// The workspace's target directory.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

struct Run {
    shop: RunningShop,
    browser: Browser,
    shots: PathBuf,
}

impl Run {
    /// Home page → product → order form with `provider` (and the hold box) → place order.
    async fn order(&self, product: &str, provider: &str, hold: bool) -> Outcome {
        let b = &self.browser.session;
        b.goto(&format!("{}/", self.shop.url())).await?;
        b.click(&format!("#product-{product}")).await?;
        b.click(&format!("#provider-{provider}")).await?;
        if hold {
            b.click("#hold").await?;
        }
        b.click("#place-order").await?;
        Ok(())
    }

    /// On the simulator's hosted page: it shows `heading`; the buyer follows the link back.
    async fn pay_at_provider(&self, heading: &str) -> Outcome {
        let b = &self.browser.session;
        let shop = self.shop.url().to_owned();
        b.wait_for_url("the provider's page", |url| !url.starts_with(&shop))
            .await?;
        b.wait_for_text("h1", heading).await?;
        b.click("#return").await?;
        Ok(())
    }

    /// Back on the shop's order page, which reads `state`; returns the order.
    async fn order_page_reads(&self, state: &str) -> Result<Order, Box<dyn Error>> {
        let b = &self.browser.session;
        let prefix = format!("{}/orders/", self.shop.url());
        let url = b
            .wait_for_url("the order page", |url| {
                url.starts_with(&prefix) && !url.ends_with("/return")
            })
            .await?;
        b.wait_for_text("#status", state).await?;
        let id = url.trim_start_matches(&prefix).to_owned();
        let order = self.shop.order(&id).ok_or(format!("no order {id}"))?;
        let page = b.text("main").await?;
        assert!(page.contains(&format!("Order {id}")), "{page}");
        Ok(order)
    }

    /// Waits until order `id` satisfies `done` (a callback arriving in the background).
    async fn order_when(&self, id: &str, what: &str, done: impl Fn(&Order) -> bool) -> Order {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let order = self.shop.order(id).unwrap();
            if done(&order) {
                return order;
            }
            assert!(
                Instant::now() < until,
                "order {id}: {what}; it is {order:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn screenshot(&self, flow: &str) -> Outcome {
        let png = self.browser.session.screenshot().await?;
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(self.shots.join(format!("{flow}.png")), png)?;
        Ok(())
    }

    /// The shop answers a second delivery of `order`'s last callback as handled, without a
    /// second run of its handler, and the order stays fulfilled once.
    async fn redeliver_last_callback(&self, order: &Order) -> Outcome {
        let payment = order.payment_id.as_deref().ok_or("no payment id")?;
        let record = self
            .shop
            .simulator()
            .callbacks()
            .into_iter()
            .rev()
            .find(|c| c.body.contains(payment))
            .ok_or("the simulator sent no callback for this payment")?;
        let status = reqwest::Client::new()
            .post(&record.url)
            .header("content-type", record.content_type)
            .body(record.body.clone())
            .send()
            .await?
            .status();
        assert!(
            status.is_success(),
            "a duplicate is answered as handled: {status}"
        );
        let after = self.shop.order(&order.id).unwrap();
        assert_eq!(after.callbacks, order.callbacks, "the handler ran again");
        assert_eq!(after.fulfilments, 1);
        Ok(())
    }

    /// The first paid order of `product` through each provider.
    async fn pay(
        &self,
        product: &str,
        provider: &str,
        heading: &str,
        flow: &str,
    ) -> Result<Order, Box<dyn Error>> {
        self.order(product, provider, false).await?;
        self.pay_at_provider(heading).await?;
        let order = self.order_page_reads("paid").await?;
        self.screenshot(flow).await?;
        Ok(order)
    }
}

/// maib: paid on maib's page; its signed callback marks the order once, and a second
/// delivery of it changes nothing.
async fn maib(run: &Run) -> Result<Order, Box<dyn Error>> {
    let order = run.pay("beans", "maib", "Payment approved", "maib").await?;
    let order = run
        .order_when(&order.id, "its callback is handled", |o| {
            o.callbacks.len() == 1
        })
        .await;
    assert_eq!(order.fulfilments, 1);
    assert_eq!(order.amount.to_string(), "349.00 MDL");
    run.redeliver_last_callback(&order).await?;
    Ok(order)
}

async fn miapos(run: &Run) -> Outcome {
    let order = run
        .pay("kettle", "miapos", "Payment successful", "miapos")
        .await?;
    let order = run
        .order_when(&order.id, "its callback is handled", |o| {
            o.callbacks.len() == 1
        })
        .await;
    assert_eq!(order.fulfilments, 1);
    run.redeliver_last_callback(&order).await
}

async fn ipay(run: &Run) -> Outcome {
    let order = paid_by_callback(run, "kettle", "ipay", "129.90 GEL").await?;
    run.redeliver_last_callback(&order).await
}

/// `product` paid through `provider` on its hosted page ("Payment successful"), and the order
/// marked by a callback: fulfilled once, for `amount`.
async fn paid_by_callback(
    run: &Run,
    product: &str,
    provider: &str,
    amount: &str,
) -> Result<Order, Box<dyn Error>> {
    let order = run
        .pay(product, provider, "Payment successful", provider)
        .await?;
    let order = run
        .order_when(&order.id, "its callback is handled", |o| {
            !o.callbacks.is_empty()
        })
        .await;
    assert_eq!(order.fulfilments, 1);
    assert_eq!(order.amount.to_string(), amount);
    Ok(order)
}

/// The Payments API and Maya's gateway: the callback (the Payments API's, to the order's URL;
/// Maya's webhook, registered at start) marks the order once, after paykit-axum confirmed it
/// with the provider. (A redelivery needs the signature headers: `tests/http.rs` sends one.)
async fn current_api(run: &Run, provider: &str, amount: &str) -> Outcome {
    paid_by_callback(run, "beans", provider, amount)
        .await
        .map(|_| ())
}

/// Maya: the simulated app pushes the buyer's session to the Session URL and opens the
/// landing page; the buyer approves there. No callback: execute's answer is final.
async fn maya(run: &Run) -> Outcome {
    let b = &run.browser.session;
    run.order("beans", "maya", false).await?;
    b.wait_for_text("h1", "Maya").await?;
    b.click("#maya-open").await?;
    b.wait_for_text("h1", "Pay with Maya").await?;
    b.click("#maya-pay").await?;
    let order = run.order_page_reads("paid").await?;
    run.screenshot("maya").await?;
    assert_eq!(order.fulfilments, 1);
    assert!(order.callbacks.is_empty(), "Maya sends no callbacks");
    assert_eq!(order.amount.to_string(), "1150.00 PHP");
    Ok(())
}

/// A `.01` amount: declined on maib's page, the order reads declined and is never fulfilled.
async fn decline(run: &Run) -> Outcome {
    run.order("declined", "maib", false).await?;
    run.pay_at_provider("Payment declined").await?;
    let order = run.order_page_reads("declined").await?;
    run.screenshot("decline").await?;
    let order = run
        .order_when(&order.id, "its callback is handled", |o| {
            o.callbacks.len() == 1
        })
        .await;
    assert_eq!(order.fulfilments, 0);
    Ok(())
}

/// The admin refunds the maib order in full; its page then reads refunded.
async fn refund(run: &Run, paid: &Order) -> Outcome {
    let b = &run.browser.session;
    b.goto(&format!("{}/admin", run.shop.url())).await?;
    b.click(&format!("#refund-{}", paid.id)).await?;
    b.wait_for_text(&format!("#row-{} .state", paid.id), "refunded")
        .await?;
    b.goto(&format!("{}/orders/{}", run.shop.url(), paid.id))
        .await?;
    b.wait_for_text("#status", "refunded").await?;
    run.screenshot("refund").await?;
    assert_eq!(run.shop.order(&paid.id).unwrap().fulfilments, 1);
    Ok(())
}

/// An iPay hold: paid (on hold) at once, captured from the admin page.
async fn capture(run: &Run) -> Outcome {
    let b = &run.browser.session;
    run.order("beans", "ipay", true).await?;
    run.pay_at_provider("Amount blocked").await?;
    let order = run.order_page_reads("paid").await?;
    b.wait_for_text("#provider-status", "authorized").await?;
    b.goto(&format!("{}/admin", run.shop.url())).await?;
    b.click(&format!("#capture-{}", order.id)).await?;
    b.wait_for_text(&format!("#row-{} .state", order.id), "paid")
        .await?;
    b.goto(&format!("{}/orders/{}", run.shop.url(), order.id))
        .await?;
    b.wait_for_text("#provider-status", "captured").await?;
    run.screenshot("capture").await?;
    assert_eq!(run.shop.order(&order.id).unwrap().fulfilments, 1);
    Ok(())
}

/// The admin page lists every order with its state, fulfilments and callbacks.
async fn admin(run: &Run) -> Outcome {
    let b = &run.browser.session;
    b.goto(&format!("{}/admin", run.shop.url())).await?;
    for order in run.shop.orders() {
        let row = b.text(&format!("#row-{}", order.id)).await?;
        assert!(row.contains(order.state().word()), "{row}");
    }
    run.screenshot("admin").await
}

/// Runs one flow; a failure leaves `failed-<flow>.png` beside the screenshots.
async fn flow<T>(
    run: &Run,
    name: &str,
    work: impl Future<Output = Result<T, Box<dyn Error>>>,
) -> T {
    let started = Instant::now();
    match work.await {
        Ok(value) => {
            println!(
                "browser: {name} passed in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            value
        }
        Err(error) => {
            let _ = run.screenshot(&format!("failed-{name}")).await;
            let url = run.browser.session.url().await.unwrap_or_default();
            panic!(
                "browser flow {name} failed at {url}: {error} (screenshot: {})",
                run.shots.join(format!("failed-{name}.png")).display()
            );
        }
    }
}

/// The whole browser test must stay well under a minute; this is the hang guard.
const DEADLINE: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_provider_pays_declines_refunds_and_captures_in_a_real_browser() {
    let started = Instant::now();
    let shots = target_dir().join("shop-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let shots = std::fs::canonicalize(shots).unwrap();
    println!("browser: screenshots go to {}", shots.display());
    let browser = Browser::start(&target_dir().join("shop-browser")).await;
    let shop = shop::start(ShopConfig::default()).await.unwrap();
    let run = Run {
        shop,
        browser,
        shots,
    };
    let all = async {
        let paid = flow(&run, "maib", maib(&run)).await;
        flow(&run, "miapos", miapos(&run)).await;
        flow(&run, "ipay", ipay(&run)).await;
        flow(
            &run,
            "bog-payments",
            current_api(&run, "bog-payments", "54.00 GEL"),
        )
        .await;
        flow(&run, "maya", maya(&run)).await;
        flow(
            &run,
            "maya-checkout",
            current_api(&run, "maya-checkout", "1150.00 PHP"),
        )
        .await;
        flow(&run, "decline", decline(&run)).await;
        flow(&run, "refund", refund(&run, &paid)).await;
        flow(&run, "capture", capture(&run)).await;
        flow(&run, "admin", admin(&run)).await;
    };
    tokio::time::timeout(DEADLINE, all)
        .await
        .unwrap_or_else(|_| panic!("the browser flows did not finish within {DEADLINE:?}"));

    // Every order paid once is fulfilled once; the declined one never.
    let fulfilled: Vec<(String, u32)> = run
        .shop
        .orders()
        .into_iter()
        .rev()
        .map(|o| (o.state().word().to_owned(), o.fulfilments))
        .collect();
    assert_eq!(
        fulfilled,
        [
            ("refunded", 1),
            ("paid", 1),
            ("paid", 1),
            ("paid", 1),
            ("paid", 1),
            ("paid", 1),
            ("declined", 0),
            ("paid", 1)
        ]
        .map(|(w, n)| (w.to_owned(), n))
    );
    let Run {
        shop,
        browser,
        shots,
    } = run;
    browser.stop().await;
    shop.shutdown().await;
    println!(
        "browser: 10 flows in {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
}
