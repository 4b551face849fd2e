//! Bounded work on iPay's unsigned, public paths: a callback body is capped before anything is
//! parsed, looked up or queried, and a flood of callers while the token endpoint is down makes
//! a bounded number of token requests (core's remembered failure and back-off).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use http::{HeaderMap, HeaderValue};
use paykit_bog::{
    BogWebhook, InMemoryOrderStore, MAX_CALLBACK_BYTES, OrderStore, PaymentHash, StoredOrder,
};
use paykit_core::{
    Error, PaymentRecord, PaymentRecords, ProviderId, Result, SignatureError, TransportKind,
    Webhook, WebhookRequest, async_trait,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// TV-3: the spec's status-change callback.
const TV3: &str = "status=success&order_id=899318b1ce0d5885cb7405fe86e3930178ff90be&payment_hash=d7936f718c2b0ec2517a28c9de76966bcbecfe29&ipay_payment_id=18625&status_description=PERFORMED&shop_order_id=shop-10042&payment_method=GC_CARD&card_type=VISA&pan=411111%2A%2A%2A%2A%2A%2A1111&transaction_id=6F1A2B3C4D5E6F70819";

/// TV-3 with an extra field padding it to exactly `len` bytes (still a valid callback).
fn padded(len: usize) -> Vec<u8> {
    let mut body = format!("{TV3}&pad=").into_bytes();
    assert!(body.len() <= len);
    body.resize(len, b'x');
    body
}

/// Counts order look-ups.
struct CountingStore {
    inner: InMemoryOrderStore,
    finds: AtomicUsize,
}

#[async_trait]
impl OrderStore for CountingStore {
    async fn save(&self, order: &StoredOrder) -> Result<()> {
        self.inner.save(order).await
    }

    async fn find(&self, order_id: &str, shop: Option<&str>) -> Result<Option<StoredOrder>> {
        self.finds.fetch_add(1, Ordering::SeqCst);
        self.inner.find(order_id, shop).await
    }
}

/// Counts record reads.
#[derive(Default)]
struct CountingRecords {
    inner: paykit_core::InMemoryPaymentRecords,
    gets: AtomicUsize,
}

#[async_trait]
impl PaymentRecords for CountingRecords {
    async fn get(&self, provider: ProviderId, id: &str) -> Result<Option<PaymentRecord>> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        self.inner.get(provider, id).await
    }

    async fn put(&self, record: &PaymentRecord) -> Result<()> {
        self.inner.put(record).await
    }

    async fn unsettled(
        &self,
        before: std::time::SystemTime,
        limit: usize,
    ) -> Result<Vec<PaymentRecord>> {
        self.inner.unsettled(before, limit).await
    }
}

struct Setup {
    server: MockServer,
    store: Arc<CountingStore>,
    records: Arc<CountingRecords>,
    webhook: BogWebhook,
}

async fn setup() -> Setup {
    let server = MockServer::start().await;
    let inner = InMemoryOrderStore::new();
    inner.insert(StoredOrder::new(
        ORDER_ID,
        PaymentHash::new(PAYMENT_HASH),
        Some("shop-10042".into()),
    ));
    let store = Arc::new(CountingStore {
        inner,
        finds: AtomicUsize::new(0),
    });
    let records = Arc::new(CountingRecords::default());
    let client = builder(&server)
        .payment_records(records.clone())
        .build()
        .expect("a client");
    let webhook = BogWebhook::new(client, store.clone());
    Setup {
        server,
        store,
        records,
        webhook,
    }
}

async fn verify(webhook: &BogWebhook, body: &[u8]) -> Result<paykit_core::VerifiedEvent> {
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    webhook.verify(&WebhookRequest::new(&headers, body)).await
}

/// Nothing was looked up and nothing was sent.
async fn untouched(setup: &Setup) {
    assert_eq!(
        setup.store.finds.load(Ordering::SeqCst),
        0,
        "order look-ups"
    );
    assert_eq!(setup.records.gets.load(Ordering::SeqCst), 0, "record reads");
    let sent = setup.server.received_requests().await.expect("recording");
    assert!(sent.is_empty(), "{} requests sent", sent.len());
}

fn is_bad_body(result: &Result<paykit_core::VerifiedEvent>) -> bool {
    matches!(result, Err(Error::Signature(SignatureError::BadBody(reason))) if reason.contains("limit"))
}

async fn mount_confirmation(server: &MockServer) {
    mount_token(server, TOKEN, 1).await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(details_body(
            ORDER_ID,
            PAYMENT_HASH,
            "success",
        )))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn one_byte_over_the_default_cap_is_refused_before_any_lookup_or_query() {
    let setup = setup().await;
    let result = verify(&setup.webhook, &padded(MAX_CALLBACK_BYTES + 1)).await;
    assert!(is_bad_body(&result), "{result:?}");
    untouched(&setup).await;
    assert_eq!(MAX_CALLBACK_BYTES, paykit_core::MAX_CALLBACK_BYTES);
}

#[tokio::test]
async fn at_the_default_cap_the_callback_is_checked_as_usual() {
    let setup = setup().await;
    mount_confirmation(&setup.server).await;
    verify(&setup.webhook, &padded(MAX_CALLBACK_BYTES))
        .await
        .expect("a confirmed event");
    assert_eq!(setup.store.finds.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_configured_cap_refuses_one_byte_over_before_any_lookup_or_query() {
    let mut setup = setup().await;
    let limit = TV3.len() + 16;
    setup.webhook = setup.webhook.clone().max_body_bytes(limit);
    let result = verify(&setup.webhook, &padded(limit + 1)).await;
    assert!(is_bad_body(&result), "{result:?}");
    untouched(&setup).await;
    // At the limit it is looked up and confirmed.
    mount_confirmation(&setup.server).await;
    verify(&setup.webhook, &padded(limit))
        .await
        .expect("a confirmed event");
    assert_eq!(setup.store.finds.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_configured_cap_may_be_above_the_default() {
    let mut setup = setup().await;
    setup.webhook = setup.webhook.clone().max_body_bytes(MAX_CALLBACK_BYTES + 1);
    mount_confirmation(&setup.server).await;
    verify(&setup.webhook, &padded(MAX_CALLBACK_BYTES + 1))
        .await
        .expect("a confirmed event");
}

/// Callers in the flood.
const FLOOD: usize = 64;

#[tokio::test]
async fn a_flood_of_callers_while_the_token_endpoint_is_down_makes_bounded_token_requests() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    // The payment query itself must never be sent without a token.
    Mock::given(method("GET"))
        .and(path(format!("{API}/checkout/payment/{ORDER_ID}")))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);
    let started = std::time::Instant::now();
    let calls: Vec<_> = (0..FLOOD)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.payment_details(ORDER_ID).await })
        })
        .collect();
    for call in calls {
        let result = call.await.expect("the task");
        let Err(Error::Transport { kind, .. }) = &result else {
            panic!("{result:?}")
        };
        assert!(matches!(kind, TransportKind::NoToken(_)), "{kind:?}");
    }
    let elapsed = started.elapsed();
    let token_requests = server
        .received_requests()
        .await
        .expect("recording")
        .iter()
        .filter(|r| r.url.path() == TOKEN_PATH)
        .count();
    // One fetch is the executor's 3 attempts of the token request. Core remembers the failure
    // and fetches again only after its back-off (at least 250 ms, doubling), so however many
    // callers queue, the count is 3 per back-off step the flood lasted. On any sane machine the
    // flood ends within the first step: exactly one fetch. Without the back-off every caller
    // would fetch in turn: 3 × 64 = 192 requests.
    let steps = 1 + usize::try_from(elapsed.as_millis() / 250).unwrap_or(usize::MAX);
    println!("{FLOOD} callers, {token_requests} token requests in {elapsed:?}");
    assert!(token_requests >= 1);
    assert!(
        token_requests <= 3 * steps.min(FLOOD),
        "{token_requests} token requests for {FLOOD} callers in {elapsed:?}"
    );
}
