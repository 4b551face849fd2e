//! What the stores show of themselves and of their failures: never a token, never the password.

mod common;

use paykit_core::store::{SharedToken, TokenKey, unix_millis};
use paykit_core::{ProviderId, SecretString, TokenStore};
use paykit_redis::{RedisConfig, RedisStores};
use paykit_testkit::servers::RedisServer;

const PASSWORD: &str = "hunter2-pass";

#[tokio::test]
async fn debug_and_errors_show_no_secret_and_no_password() {
    // A server of its own, with a password.
    let server = RedisServer::start().unwrap();
    let mut admin = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg(PASSWORD)
        .query_async(&mut admin)
        .await
        .unwrap();
    let url = format!("redis://:{PASSWORD}@127.0.0.1:{}/", server.port());
    let stores = RedisStores::connect(&url, RedisConfig::default().key_prefix("sec:"))
        .await
        .unwrap();
    let tokens = stores.tokens();
    let now = unix_millis();
    let key = TokenKey::new(ProviderId("maib"), "p");
    let token = SharedToken::new("id", SecretString::from("acc-secret"), now, now + 60_000)
        .with_refresh(SecretString::from("ref-secret"), None);
    tokens.save(&key, &token).await.unwrap();
    let loaded = tokens.load(&key).await.unwrap().unwrap();

    let shown = [
        format!("{stores:?}"),
        format!("{:?}", stores.tokens()),
        format!("{:?}", stores.claims()),
        format!("{:?}", stores.records()),
        format!("{:?}", stores.sessions()),
        format!("{loaded:?}"),
    ];
    for text in &shown {
        for secret in [PASSWORD, "acc-secret", "ref-secret", "127.0.0.1"] {
            assert!(!text.contains(secret), "{text} shows {secret}");
        }
        assert!(
            text.contains("sec:") || text.starts_with("SharedToken"),
            "{text}"
        );
    }
    assert_eq!(
        shown[0],
        "RedisStores { redis: Redis { prefix: \"sec:\", timeout: 2s } }"
    );

    // A wrong password and an unparsable URL fail without echoing either.
    let wrong = format!("redis://:wrong-{PASSWORD}@127.0.0.1:{}/", server.port());
    let error = RedisStores::connect(&wrong, RedisConfig::default())
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(error, "redis store: connect failed: authentication failed");
    assert!(!error.contains(PASSWORD), "{error}");
    let error = RedisStores::connect(&format!("redis://:{PASSWORD}@[::1"), RedisConfig::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(!error.contains(PASSWORD), "{error}");
}
