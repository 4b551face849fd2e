//! The fleet proofs of DESIGN.md §9 on Redis, with real OS processes: every "instance" below is
//! a separate process (a copy of this test binary running the `worker` test), sharing nothing
//! but one `redis-server` and the simulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use paykit_core::store::{ClaimConfig, Handled, SharedToken, TokenKey, handle_once, unix_millis};
use paykit_core::{
    CaptureMode, Currency, Customer, Money, PaymentProvider, PaymentRequest, PaymentStatus,
    ProviderId, SecretString, SessionStore, TokenStore, Webhook, WebhookRequest,
};
use paykit_maib::MaibClient;
use paykit_redis::{RedisConfig, RedisStores};
use paykit_sim::{LedgerProvider, SimConfig, TokenIssue};
use paykit_testkit::fleet::{self, Fleet};
use paykit_testkit::servers::RedisServer;
use serde_json::{Value, json};

const WORKER: &str = "worker";

fn fleet() -> Fleet {
    Fleet::new(WORKER)
}

/// One fleet at a time: each test runs up to eight worker processes on a machine that may
/// have two cores, and the timing claims (70 ms apart, a lock's TTL) are about one fleet.
static ONE_FLEET: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn prefix(test: &str) -> String {
    format!("fleet{}:{test}:", std::process::id())
}

/// What a worker needs to reach the simulator's maib and the shared Redis.
fn maib_env(sim: &paykit_sim::Simulator, prefix: &str) -> Vec<(&'static str, String)> {
    let info = sim.maib();
    vec![
        ("REDIS_URL", RedisServer::shared().url()),
        ("PREFIX", prefix.to_owned()),
        ("MAIB_URL", info.base_url.clone()),
        ("MAIB_PROJECT_ID", info.project_id.clone()),
        ("MAIB_PROJECT_SECRET", info.project_secret.clone()),
        ("MAIB_SIGNATURE_KEY", info.signature_key.clone()),
    ]
}

/// The parent's stores, on the test binary's own Redis.
async fn stores(prefix: &str) -> RedisStores {
    connect(&RedisServer::shared().url(), prefix).await
}

async fn connect(url: &str, prefix: &str) -> RedisStores {
    RedisStores::connect(url, RedisConfig::default().key_prefix(prefix))
        .await
        .unwrap()
}

/// The simulator, serving every caller of eight processes at once (1,600 connections).
async fn simulator() -> paykit_sim::Simulator {
    paykit_sim::start(SimConfig::default().with_max_connections(4096))
        .await
        .unwrap()
}

fn mdl(amount: &str) -> Money {
    Money::parse(amount, Currency::MDL).unwrap()
}

fn request(order: &str, capture: CaptureMode) -> PaymentRequest {
    PaymentRequest::new(mdl("25.50"))
        .order_id(order)
        .description(format!("Order {order}"))
        .language("en")
        .customer(Customer::default().ip(std::net::Ipv4Addr::new(135, 250, 245, 121)))
        .callback_url("https://shop.example.md/maib/callback")
        .return_url("https://shop.example.md/ok")
        .fail_url("https://shop.example.md/fail")
        .capture(capture)
}

fn merchant_tokens(sim: &paykit_sim::Simulator) -> usize {
    sim.ledger()
        .tokens_issued(LedgerProvider::Maib, TokenIssue::Merchant)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_of_two_hundred_callers_share_one_token_fetch() {
    let _one = ONE_FLEET.lock().await;
    let sim = simulator().await;
    let prefix = prefix("single-flight");
    let stores = stores(&prefix).await;
    // A payment to ask about, created by a client outside the fleet (its token is not shared).
    let outsider = worker_client(&maib_vars(&sim), None).await;
    let created = outsider
        .create_payment(&request("fleet-1", CaptureMode::Automatic))
        .await
        .unwrap();
    // The fleet's token has just expired.
    let key = TokenKey::new(ProviderId("maib"), sim.maib().project_id.clone());
    let now = unix_millis();
    let expired = SharedToken::new(
        "old",
        SecretString::from("expired-token"),
        now - 60_000,
        now + 40,
    );
    stores.tokens().save(&key, &expired).await.unwrap();
    tokio::time::sleep(Duration::from_millis(80)).await;
    let before = merchant_tokens(&sim);

    let start_at = fleet::unix_ms() + 1500;
    let mut env = maib_env(&sim, &prefix);
    env.push(("PAY_ID", created.provider_payment_id.clone()));
    env.push(("START_AT", start_at.to_string()));
    env.push(("CALLERS", "200".to_owned()));
    let workers: Vec<_> = (0..8)
        .map(|_| fleet().spawn("status-callers", &env))
        .collect();
    let mut answered = 0;
    for worker in workers {
        let reports = tokio::task::spawn_blocking(move || worker.finish())
            .await
            .unwrap();
        answered += reports[0]["answered"].as_u64().unwrap();
    }
    assert_eq!(answered, 8 * 200);
    assert_eq!(
        merchant_tokens(&sim) - before,
        1,
        "8 processes × 200 callers on an expired shared token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_killed_mid_refresh_delays_the_others_by_the_lock_ttl_and_one_fetch() {
    let _one = ONE_FLEET.lock().await;
    let sim = simulator().await;
    let prefix = prefix("killed-holder");
    let outsider = worker_client(&maib_vars(&sim), None).await;
    let created = outsider
        .create_payment(&request("fleet-2", CaptureMode::Automatic))
        .await
        .unwrap();
    let before = merchant_tokens(&sim);
    let ttl_ms: u64 = 2000;
    let mut env = maib_env(&sim, &prefix);
    env.push(("PAY_ID", created.provider_payment_id.clone()));
    env.push(("LOCK_TTL_MS", ttl_ms.to_string()));
    // The holder takes the fleet's refresh lock, as the first step of a refresh, says so, and
    // is killed before it fetches or saves anything.
    let mut holder = fleet().spawn("lock-holder", &env);
    let locked = tokio::task::spawn_blocking(move || {
        let report = holder.first_report(Duration::from_secs(30));
        (holder, report)
    })
    .await
    .unwrap();
    let (holder, report) = locked;
    assert_eq!(report["locked"], true);
    let locked_at = report["at_ms"].as_u64().unwrap();
    holder.kill();

    // The others start while the dead holder's lock still stands.
    let start_at = locked_at + 800;
    env.push(("START_AT", start_at.to_string()));
    env.push(("CALLERS", "200".to_owned()));
    let workers: Vec<_> = (0..7)
        .map(|_| fleet().spawn("status-callers", &env))
        .collect();
    // When the shared token appears in Redis: the moment the fleet has a token again.
    let stores = stores(&prefix).await;
    let key = TokenKey::new(ProviderId("maib"), sim.maib().project_id.clone());
    let token_at = loop {
        if stores.tokens().load(&key).await.unwrap().is_some() {
            break fleet::unix_ms();
        }
        assert!(
            fleet::unix_ms() < locked_at + 30_000,
            "no token 30 s after the holder died"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let mut began = u64::MAX;
    for worker in workers {
        let reports = tokio::task::spawn_blocking(move || worker.finish())
            .await
            .unwrap();
        assert_eq!(reports[0]["answered"].as_u64().unwrap(), 200);
        began = began.min(reports[0]["began_ms"].as_u64().unwrap());
    }
    assert_eq!(
        merchant_tokens(&sim) - before,
        1,
        "one fetch after the lock lapsed"
    );
    // Nobody fetched while the dead holder's lock stood, and the token came one fetch after
    // it lapsed (or after the first caller began, if the machine started the workers late).
    let lapsed_at = locked_at + ttl_ms;
    assert!(
        token_at + 50 >= lapsed_at,
        "a token {} ms before the lock lapsed",
        lapsed_at - token_at
    );
    let due = lapsed_at.max(began);
    assert!(
        token_at < due + 1000,
        "token {} ms after the lock lapsed (ttl {ttl_ms} ms; first caller began {} ms after it)",
        token_at - lapsed_at,
        began.saturating_sub(lapsed_at)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_callback_delivered_twice_70_ms_apart_to_two_processes_has_one_effect() {
    let _one = ONE_FLEET.lock().await;
    let sim = simulator().await;
    let prefix = prefix("claims");
    let effects = std::env::temp_dir().join(format!("paykit-fleet-effects-{}", std::process::id()));
    let _ = std::fs::remove_file(&effects);
    let body = paykit_testkit::signers::maib::signed_body(
        r#"{"payId":"f16a9006-128a-46bc-8e2a-77a6ee99df75","orderId":"fleet-3","status":"OK","statusCode":"000","statusMessage":"Approved","threeDs":"AUTHENTICATED","rrn":"331711380059","approval":"327593","cardNumber":"510218******1124","amount":10.25,"currency":"MDL"}"#,
        &sim.maib().signature_key,
    )
    .unwrap();
    let mut env = maib_env(&sim, &prefix);
    env.push(("CALLBACK_BODY", body));
    env.push(("EFFECTS_FILE", effects.display().to_string()));
    let first_at = fleet::unix_ms() + 1500;
    let mut first_env = env.clone();
    first_env.push(("START_AT", first_at.to_string()));
    let mut second_env = env.clone();
    second_env.push(("START_AT", (first_at + 70).to_string()));
    let a = fleet().spawn("deliver-callback", &first_env);
    let b = fleet().spawn("deliver-callback", &second_env);
    let a = tokio::task::spawn_blocking(move || a.finish())
        .await
        .unwrap();
    let b = tokio::task::spawn_blocking(move || b.finish())
        .await
        .unwrap();
    let mut handled: Vec<String> = [&a[0], &b[0]]
        .iter()
        .map(|r| r["handled"].as_str().unwrap().to_owned())
        .collect();
    handled.sort();
    // The second delivery finds the first one at work (`in_progress`: the provider is told to
    // retry) or, when the machine is so loaded that 70 ms became more than the handler's 300,
    // already done. Either way it does nothing.
    assert_eq!(
        handled.iter().filter(|h| *h == "ran").count(),
        1,
        "{handled:?}"
    );
    assert!(
        handled
            .iter()
            .all(|h| ["ran", "in_progress", "already_done"].contains(&h.as_str())),
        "{handled:?}"
    );
    let lines = std::fs::read_to_string(&effects).unwrap();
    assert_eq!(lines.lines().count(), 1, "{lines}");
    // A retry after it was handled does nothing either.
    let mut late_env = env.clone();
    late_env.push(("START_AT", fleet::unix_ms().to_string()));
    let late = fleet().spawn("deliver-callback", &late_env).finish();
    assert_eq!(late[0]["handled"], "already_done");
    assert_eq!(
        std::fs::read_to_string(&effects).unwrap().lines().count(),
        1
    );
    let _ = std::fs::remove_file(&effects);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maib_hold_read_after_a_restart_is_authorized_not_captured() {
    let _one = ONE_FLEET.lock().await;
    let sim = simulator().await;
    let prefix = prefix("restart");
    let env = maib_env(&sim, &prefix);
    let created = fleet().spawn("create-paid-hold", &env).finish();
    let pay_id = created[0]["pay_id"].as_str().unwrap().to_owned();
    let mut read_env = env.clone();
    read_env.push(("PAY_ID", pay_id.clone()));
    let read = fleet().spawn("read-status", &read_env).finish();
    assert_eq!(read[0]["status"], "authorized", "{read:?}");
    // Without the shared records a fresh process cannot know it was a hold, and says so.
    let mut blind_env = read_env.clone();
    blind_env.push(("NO_RECORDS", "1".to_owned()));
    let blind = fleet().spawn("read-status", &blind_env).finish();
    assert_eq!(blind[0]["error"], "unsupported", "{blind:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ipay_partial_refund_made_by_one_process_shows_in_another() {
    let _one = ONE_FLEET.lock().await;
    let sim = simulator().await;
    let prefix = prefix("ipay-refund");
    let info = sim.bog();
    let env = vec![
        ("REDIS_URL", RedisServer::shared().url()),
        ("PREFIX", prefix.clone()),
        ("BOG_URL", format!("{}/opay/api/v1", info.base_url)),
        ("BOG_CLIENT_ID", info.client_id.clone()),
        ("BOG_SECRET_KEY", info.secret_key.clone()),
    ];
    let refunded = fleet().spawn("ipay-pay-and-refund", &env).finish();
    let order_id = refunded[0]["order_id"].as_str().unwrap().to_owned();
    let mut read_env = env.clone();
    read_env.push(("ORDER_ID", order_id));
    let read = fleet().spawn("ipay-read", &read_env).finish();
    // iPay's own details still say `success` after a refund: only the shared records know.
    assert_eq!(read[0]["status"], "partially_refunded", "{read:?}");
    assert_eq!(read[0]["refunded"], "4.00", "{read:?}");
    let mut blind_env = read_env.clone();
    blind_env.push(("NO_RECORDS", "1".to_owned()));
    let blind = fleet().spawn("ipay-read", &blind_env).finish();
    assert_eq!(blind[0]["status"], "captured", "{blind:?}");
}

const MAYA_SESSION: &str = "customer-7f3a";

fn maya_env(sim: &paykit_sim::Simulator, prefix: &str) -> Vec<(&'static str, String)> {
    let info = sim.maya();
    vec![
        ("REDIS_URL", RedisServer::shared().url()),
        ("PREFIX", prefix.to_owned()),
        ("MAYA_URL", info.base_url.clone()),
        ("MAYA_CLIENT_ID", info.client_id.clone()),
        ("MAYA_CLIENT_SECRET", info.client_secret.clone()),
        ("MAYA_P2M_ID", info.p2m_id.clone()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_refreshing_one_maya_session_spend_its_refresh_token_once() {
    let _one = ONE_FLEET.lock().await;
    let sim = simulator().await;
    let prefix = prefix("maya-session");
    let stores = stores(&prefix).await;
    // The Session URL push, stored by the instance that received it.
    let pushed = sim.open_maya_session(None).await.unwrap();
    let tokens = paykit_maya::SessionTokens::new(
        SecretString::from(pushed.access_token.clone()),
        SecretString::from(pushed.refresh_token.clone()),
        i64::try_from(pushed.expires_at).unwrap(),
    )
    .unwrap();
    let env = maya_env(&sim, &prefix);
    let receiver = maya_client_from(&env);
    receiver
        .store_session(stores.sessions(), MAYA_SESSION, tokens)
        .await
        .unwrap();
    let refreshes = || {
        sim.ledger()
            .tokens_issued(LedgerProvider::Maya, TokenIssue::CustomerRefresh)
    };
    assert_eq!(refreshes(), 0);

    let mut run_env = env.clone();
    run_env.push(("START_AT", (fleet::unix_ms() + 1500).to_string()));
    let a = fleet().spawn("maya-refresh", &run_env);
    let b = fleet().spawn("maya-refresh", &run_env);
    let a = tokio::task::spawn_blocking(move || a.finish())
        .await
        .unwrap();
    let b = tokio::task::spawn_blocking(move || b.finish())
        .await
        .unwrap();
    assert_eq!(refreshes(), 1, "one POST /tokens for two processes");
    // Both ended with the newest pair, the one in the store, and it still works.
    let stored = stores.sessions().load(MAYA_SESSION).await.unwrap().unwrap();
    let newest = paykit_core::ExposeSecret::expose_secret(&stored.value.access_token).to_owned();
    assert_ne!(newest, pushed.access_token);
    for report in [&a[0], &b[0]] {
        assert_eq!(report["fingerprint"], fingerprint(&newest), "{report}");
        assert_eq!(report["paid"], true, "{report}");
    }
    assert!(stored.value.ended.is_none() && stored.value.refreshing.is_none());
}

/// A short, non-secret digest of a token, so workers can report which one they hold.
fn fingerprint(token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    digest
        .as_ref()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ---- the worker side ---------------------------------------------------------------------

fn maib_vars(sim: &paykit_sim::Simulator) -> Vec<(String, String)> {
    maib_env(sim, "unused:")
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

async fn worker_client(vars: &[(String, String)], stores: Option<&RedisStores>) -> MaibClient {
    let get = |name: &str| {
        vars.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let mut builder = MaibClient::builder(
        get("MAIB_PROJECT_ID"),
        SecretString::from(get("MAIB_PROJECT_SECRET")),
    )
    .base_url(get("MAIB_URL"))
    .signature_key(SecretString::from(get("MAIB_SIGNATURE_KEY")));
    if let Some(stores) = stores {
        let mut cache = paykit_core::TokenCacheConfig::default();
        if let Ok(ttl) = std::env::var("LOCK_TTL_MS") {
            cache = cache.fleet(
                Duration::from_millis(ttl.parse().unwrap()),
                Duration::from_millis(20),
            );
        }
        builder = builder
            .token_cache(cache)
            .token_store(stores.tokens())
            .payment_records(stores.records());
    }
    builder.build().unwrap()
}

fn env_vars() -> Vec<(String, String)> {
    std::env::vars().collect()
}

#[test]
#[ignore = "a worker process of the fleet tests, started by them"]
fn worker() {
    let role = fleet::role();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = runtime.block_on(async {
        // The parent's Redis, never one of this process's own.
        let stores = connect(&fleet::var("REDIS_URL"), &fleet::var("PREFIX")).await;
        match role.as_str() {
            "status-callers" => status_callers(&stores).await,
            "lock-holder" => lock_holder(&stores).await,
            "deliver-callback" => deliver_callback(&stores).await,
            "create-paid-hold" => create_paid_hold(&stores).await,
            "read-status" => read_status(&stores).await,
            "ipay-pay-and-refund" => ipay_pay_and_refund(&stores).await,
            "ipay-read" => ipay_read(&stores).await,
            "maya-refresh" => maya_refresh(&stores).await,
            other => panic!("unknown role {other}"),
        }
    });
    fleet::report(&report);
}

async fn status_callers(stores: &RedisStores) -> Value {
    let client = Arc::new(worker_client(&env_vars(), Some(stores)).await);
    let pay_id = fleet::var("PAY_ID");
    let callers: usize = fleet::var("CALLERS").parse().unwrap();
    let start_at: u64 = fleet::var("START_AT").parse().unwrap();
    tokio::task::spawn_blocking(move || fleet::wait_until(start_at))
        .await
        .unwrap();
    let began_ms = fleet::unix_ms();
    let calls: Vec<_> = (0..callers)
        .map(|_| {
            let client = client.clone();
            let pay_id = pay_id.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                client.get_payment(&pay_id).await.map(|_| started.elapsed())
            })
        })
        .collect();
    let mut answered = 0u64;
    let mut slowest = Duration::ZERO;
    for call in calls {
        let took = call.await.unwrap().expect("status call");
        answered += 1;
        slowest = slowest.max(took);
    }
    json!({
        "answered": answered,
        "slowest_ms": u64::try_from(slowest.as_millis()).unwrap(),
        "began_ms": began_ms,
    })
}

async fn lock_holder(stores: &RedisStores) -> Value {
    let key = TokenKey::new(ProviderId("maib"), fleet::var("MAIB_PROJECT_ID"));
    let ttl = Duration::from_millis(fleet::var("LOCK_TTL_MS").parse().unwrap());
    let lease = stores.tokens().try_lock(&key, ttl).await.unwrap();
    fleet::report(&json!({"locked": lease.is_some(), "at_ms": fleet::unix_ms()}));
    // Killed here, holding the lock.
    tokio::time::sleep(Duration::from_secs(600)).await;
    json!({"locked": "never released"})
}

async fn deliver_callback(stores: &RedisStores) -> Value {
    let client = worker_client(&env_vars(), Some(stores)).await;
    let body = fleet::var("CALLBACK_BODY");
    let effects = fleet::var("EFFECTS_FILE");
    let start_at: u64 = fleet::var("START_AT").parse().unwrap();
    let hook = client.webhook().expect("signature key configured");
    tokio::task::spawn_blocking(move || fleet::wait_until(start_at))
        .await
        .unwrap();
    let event = hook
        .verify(&WebhookRequest::body_only(body.as_bytes()))
        .await
        .unwrap();
    let key = format!("callback:maib:{}", event.dedupe_key);
    let claims = stores.claims();
    let handled = handle_once(
        claims.as_ref(),
        &key,
        &ClaimConfig::default().ttl(Duration::from_secs(10)),
        || async {
            // The side effect: ship the order. Slow enough that the second delivery arrives
            // while this one is still at work.
            tokio::time::sleep(Duration::from_millis(300)).await;
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&effects)
                .unwrap();
            writeln!(
                file,
                "shipped {} by {}",
                event.dedupe_key,
                std::process::id()
            )
            .unwrap();
            Ok::<_, paykit_core::Error>(())
        },
    )
    .await
    .unwrap();
    let name = match handled {
        Handled::Ran(()) => "ran",
        Handled::InProgress => "in_progress",
        Handled::AlreadyDone => "already_done",
    };
    json!({"handled": name})
}

async fn create_paid_hold(stores: &RedisStores) -> Value {
    let client = worker_client(&env_vars(), Some(stores)).await;
    let created = client
        .create_payment(&request("fleet-hold", CaptureMode::Manual))
        .await
        .unwrap();
    let paykit_core::NextAction::Redirect { url } = &created.next_action else {
        panic!("no payment page: {created:?}");
    };
    // The customer pays on the simulator's page.
    let page = reqwest::get(url.as_str()).await.unwrap();
    assert!(page.status().is_success());
    let status = client
        .get_payment(&created.provider_payment_id)
        .await
        .unwrap();
    assert_eq!(status.status, PaymentStatus::Authorized);
    json!({"pay_id": created.provider_payment_id})
}

async fn read_status(stores: &RedisStores) -> Value {
    let shared = std::env::var("NO_RECORDS").is_err().then_some(stores);
    let client = worker_client(&env_vars(), shared).await;
    match client.get_payment(&fleet::var("PAY_ID")).await {
        Ok(outcome) => json!({"status": outcome.status.name()}),
        Err(paykit_core::Error::Unsupported { .. }) => json!({"error": "unsupported"}),
        Err(other) => json!({"error": other.to_string()}),
    }
}

fn ipay_client(stores: Option<&RedisStores>) -> paykit_bog::BogClient {
    let mut builder = paykit_bog::BogClient::builder(
        fleet::var("BOG_CLIENT_ID"),
        SecretString::from(fleet::var("BOG_SECRET_KEY")),
    )
    .base_url(fleet::var("BOG_URL"));
    if let Some(stores) = stores {
        builder = builder
            .token_store(stores.tokens())
            .payment_records(stores.records());
    }
    builder.build().unwrap()
}

async fn ipay_pay_and_refund(stores: &RedisStores) -> Value {
    let client = ipay_client(Some(stores));
    let gel = |text: &str| Money::parse(text, Currency::GEL).unwrap();
    let created = client
        .create_payment(
            &PaymentRequest::new(gel("10.00"))
                .order_id("fleet-ipay")
                .description("fleet")
                .language("en-US")
                .return_url("https://shop.example/paid"),
        )
        .await
        .unwrap();
    let (paykit_core::NextAction::Redirect { url }
    | paykit_core::NextAction::Checkout { url: Some(url), .. }) = &created.next_action
    else {
        panic!("no payment page: {created:?}");
    };
    let page = reqwest::get(url.as_str()).await.unwrap();
    assert!(page.status().is_success());
    let refunds = client.refund().expect("iPay refunds");
    let refunded = refunds
        .refund(&created.provider_payment_id, Some(gel("4.00")))
        .await
        .unwrap();
    assert_eq!(
        refunded.status,
        PaymentStatus::PartiallyRefunded,
        "{refunded:?}"
    );
    json!({"order_id": created.provider_payment_id})
}

async fn ipay_read(stores: &RedisStores) -> Value {
    let shared = std::env::var("NO_RECORDS").is_err().then_some(stores);
    let client = ipay_client(shared);
    let outcome = client.get_payment(&fleet::var("ORDER_ID")).await.unwrap();
    json!({
        "status": outcome.status.name(),
        "refunded": outcome.refunded.map(|m| m.to_fixed_string()),
    })
}

fn maya_client_from(env: &[(&'static str, String)]) -> paykit_maya::MayaClient {
    let get = |name: &str| {
        env.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    paykit_maya::MayaClient::builder(
        get("MAYA_CLIENT_ID"),
        SecretString::from(get("MAYA_CLIENT_SECRET")),
    )
    .token_url(format!("{}/oauth/token", get("MAYA_URL")))
    .api_base_url(get("MAYA_URL"))
    .p2m_id(get("MAYA_P2M_ID"))
    .build()
    .unwrap()
}

async fn maya_refresh(stores: &RedisStores) -> Value {
    let env: Vec<(&'static str, String)> = [
        "MAYA_URL",
        "MAYA_CLIENT_ID",
        "MAYA_CLIENT_SECRET",
        "MAYA_P2M_ID",
    ]
    .into_iter()
    .map(|name| (name, fleet::var(name)))
    .collect();
    let client = maya_client_from(&env);
    let session = client
        .shared_session(stores.sessions(), MAYA_SESSION)
        .await
        .unwrap();
    let start_at: u64 = fleet::var("START_AT").parse().unwrap();
    tokio::task::spawn_blocking(move || fleet::wait_until(start_at))
        .await
        .unwrap();
    let refreshed = session.refresh().await.unwrap();
    // The session survives: a payment with it goes through.
    let outcome = client
        .payments(session.clone())
        .create_payment(&PaymentRequest::new(
            Money::parse("249.50", Currency::PHP).unwrap(),
        ))
        .await
        .unwrap();
    let now = session.tokens();
    let held = paykit_core::ExposeSecret::expose_secret(now.access_token()).to_owned();
    assert_eq!(
        paykit_core::ExposeSecret::expose_secret(refreshed.access_token()),
        held.as_str()
    );
    json!({"fingerprint": fingerprint(&held), "paid": outcome.status == PaymentStatus::Captured})
}
