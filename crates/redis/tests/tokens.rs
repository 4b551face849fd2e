//! RedisTokenStore: the shared token round trip, its expiry, and the refresh lock.

mod common;

use std::time::Duration;

use paykit_core::store::{RefreshLease, SharedToken, TokenKey, unix_millis};
use paykit_core::{ExposeSecret, ProviderId, SecretString, TokenStore};
use redis::AsyncCommands;

fn key() -> TokenKey {
    TokenKey::new(ProviderId("maib"), "project:1")
}

fn token(id: &str, lives_ms: i64) -> SharedToken {
    let now = unix_millis();
    SharedToken::new(id, SecretString::from("acc-secret"), now, now + lives_ms)
}

#[tokio::test]
async fn a_saved_token_loads_back_with_its_secrets() {
    let tokens = common::stores("tok-round").await.tokens();
    assert!(tokens.load(&key()).await.unwrap().is_none());
    let saved = token("id-1", 60_000).with_refresh(SecretString::from("ref-secret"), Some(99));
    tokens.save(&key(), &saved).await.unwrap();
    let loaded = tokens.load(&key()).await.unwrap().unwrap();
    assert_eq!(loaded.id, "id-1");
    assert_eq!(loaded.access_token.expose_secret(), "acc-secret");
    assert_eq!(
        loaded
            .refresh_token
            .as_ref()
            .map(ExposeSecret::expose_secret),
        Some("ref-secret")
    );
    assert_eq!(
        (
            loaded.issued_at_ms,
            loaded.expires_at_ms,
            loaded.refresh_expires_at_ms
        ),
        (saved.issued_at_ms, saved.expires_at_ms, Some(99))
    );
    // A save replaces; another account is another key.
    tokens.save(&key(), &token("id-2", 60_000)).await.unwrap();
    let replaced = tokens.load(&key()).await.unwrap().unwrap();
    assert_eq!(replaced.id, "id-2");
    assert!(replaced.refresh_token.is_none());
    let other = TokenKey::new(ProviderId("maib"), "project");
    assert!(tokens.load(&other).await.unwrap().is_none());
}

#[tokio::test]
async fn a_token_expires_with_its_px_and_a_stale_value_is_not_loaded() {
    let tokens = common::stores("tok-expiry").await.tokens();
    tokens.save(&key(), &token("short", 300)).await.unwrap();
    let stored_key = format!("{}token:maib:project:1", common::prefix("tok-expiry"));
    let mut raw = common::raw().await;
    let pttl: i64 = raw.pttl(&stored_key).await.unwrap();
    assert!((1..=300).contains(&pttl), "PTTL {pttl}");
    assert!(tokens.load(&key()).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(tokens.load(&key()).await.unwrap().is_none());
    let gone: Option<String> = raw.get(&stored_key).await.unwrap();
    assert!(gone.is_none(), "Redis still holds it");

    // Already expired when saved.
    tokens.save(&key(), &token("dead", -10)).await.unwrap();
    assert!(tokens.load(&key()).await.unwrap().is_none());

    // Still in Redis (another machine's clock ahead) but past its own expiry: not used.
    let stale = token("stale", -10);
    let text = format!(
        r#"{{"id":"stale","access_token":"acc-secret","issued_at_ms":{},"expires_at_ms":{},"refresh_token":null,"refresh_expires_at_ms":null}}"#,
        stale.issued_at_ms, stale.expires_at_ms
    );
    let _: () = raw.set_ex(&stored_key, text, 60).await.unwrap();
    assert!(tokens.load(&key()).await.unwrap().is_none());

    // An unreadable value is an error that shows no part of it.
    let _: () = raw.set_ex(&stored_key, "acc-secret{", 60).await.unwrap();
    let error = tokens.load(&key()).await.unwrap_err().to_string();
    assert!(
        error.starts_with("redis store: load token failed"),
        "{error}"
    );
    assert!(!error.contains("acc-secret"), "{error}");
}

#[tokio::test]
async fn the_lock_is_exclusive_lapses_and_frees_only_for_its_holder() {
    let tokens = common::stores("tok-lock").await.tokens();
    let first = tokens
        .try_lock(&key(), Duration::from_millis(300))
        .await
        .unwrap()
        .unwrap();
    assert!(
        tokens
            .try_lock(&key(), Duration::from_secs(5))
            .await
            .unwrap()
            .is_none()
    );
    // Someone else's "release" frees nothing.
    let forged = RefreshLease::new(key(), "not-the-owner");
    tokens.unlock(&forged).await.unwrap();
    assert!(
        tokens
            .try_lock(&key(), Duration::from_secs(5))
            .await
            .unwrap()
            .is_none()
    );
    // The holder's release frees it.
    tokens.unlock(&first).await.unwrap();
    let second = tokens
        .try_lock(&key(), Duration::from_millis(200))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(second.owner(), first.owner());
    // The first holder's late release must not free the second holder's lock.
    tokens.unlock(&first).await.unwrap();
    assert!(
        tokens
            .try_lock(&key(), Duration::from_secs(5))
            .await
            .unwrap()
            .is_none()
    );
    // Nobody releases the second: it lapses after its ttl.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let third = tokens
        .try_lock(&key(), Duration::from_secs(5))
        .await
        .unwrap();
    assert!(third.is_some(), "{second:?} did not lapse");
}
