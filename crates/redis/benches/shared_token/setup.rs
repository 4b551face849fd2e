//! The systems under measurement: one `redis-server`, the simulator, and maib clients that
//! differ only in where their token (and, for C, their payment records) live.

use std::sync::Arc;

use paykit_core::{
    CaptureMode, Currency, Customer, Money, PaymentProvider, PaymentRequest, SecretString,
    TokenCacheConfig,
};
use paykit_maib::MaibClient;
use paykit_redis::{RedisConfig, RedisStores};
use paykit_sim::{LedgerProvider, SimConfig, Simulator, TokenIssue};
use paykit_testkit::servers::RedisServer;

/// Where a client keeps its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A: the default in-process token cache, in-memory payment records.
    InProcess,
    /// B: the token shared through Redis, in-memory payment records.
    SharedToken,
    /// C: the token and the payment records in Redis.
    SharedTokenAndRecords,
}

impl Kind {
    /// The three, in the order the report lists them.
    pub(crate) const ALL: [Kind; 3] = [
        Kind::InProcess,
        Kind::SharedToken,
        Kind::SharedTokenAndRecords,
    ];

    /// The letter the ratios use.
    pub(crate) fn letter(self) -> &'static str {
        match self {
            Kind::InProcess => "A",
            Kind::SharedToken => "B",
            Kind::SharedTokenAndRecords => "C",
        }
    }

    /// What the client is, for the table.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::InProcess => "A in-process token cache",
            Kind::SharedToken => "B Redis token store",
            Kind::SharedTokenAndRecords => "C Redis tokens + records",
        }
    }
}

/// One client and the payment it asks about.
pub(crate) struct Side {
    pub(crate) kind: Kind,
    pub(crate) client: Arc<MaibClient>,
    pub(crate) pay_id: Arc<str>,
}

/// The simulator and the Redis server every side uses; both stop when this is dropped.
pub(crate) struct World {
    pub(crate) sim: Simulator,
    redis: RedisServer,
}

impl World {
    /// Starts a `redis-server` of its own (not a shared one: nothing else may load it while
    /// it is measured) and the simulator, on the current runtime.
    pub(crate) async fn start() -> Result<World, String> {
        let redis = tokio::task::spawn_blocking(RedisServer::start)
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let sim = paykit_sim::start(SimConfig::default())
            .await
            .map_err(|e| e.to_string())?;
        Ok(World { sim, redis })
    }

    /// Merchant tokens the simulator's maib has issued so far, to every client.
    pub(crate) fn merchant_tokens(&self) -> usize {
        self.sim
            .ledger()
            .tokens_issued(LedgerProvider::Maib, TokenIssue::Merchant)
    }

    /// A client of `kind` with `cache`, and a payment it created. Each side that uses Redis has
    /// a connection and a key prefix of its own (`name`), as a separate process would, so no
    /// two sides share a token.
    pub(crate) async fn side(&self, kind: Kind, cache: TokenCacheConfig, name: &str) -> Side {
        let maib = self.sim.maib();
        let mut builder = MaibClient::builder(
            maib.project_id.clone(),
            SecretString::from(maib.project_secret.clone()),
        )
        .base_url(maib.base_url.clone())
        .token_cache(cache);
        if kind != Kind::InProcess {
            let stores = RedisStores::connect(
                &self.redis.url(),
                RedisConfig::default().key_prefix(format!("bench:{name}:")),
            )
            .await
            .unwrap();
            builder = builder.token_store(stores.tokens());
            if kind == Kind::SharedTokenAndRecords {
                builder = builder.payment_records(stores.records());
            }
        }
        let client = Arc::new(builder.build().unwrap());
        let created = client.create_payment(&request(name)).await.unwrap();
        Side {
            kind,
            client,
            pay_id: created.provider_payment_id.into(),
        }
    }
}

/// A direct payment, left pending: its status call reads the same answer every time.
fn request(order: &str) -> PaymentRequest {
    PaymentRequest::new(Money::parse("25.50", Currency::MDL).unwrap())
        .order_id(format!("bench-{order}"))
        .description(format!("Bench order {order}"))
        .language("en")
        .customer(Customer::default().ip(std::net::Ipv4Addr::new(135, 250, 245, 121)))
        .callback_url("https://shop.example.md/maib/callback")
        .return_url("https://shop.example.md/ok")
        .fail_url("https://shop.example.md/fail")
        .capture(CaptureMode::Automatic)
}
