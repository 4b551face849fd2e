//! RedisClaimStore: one claimant per key, done is remembered, release and lapse free the key.

mod common;

use std::sync::Arc;
use std::time::Duration;

use paykit_core::store::{ClaimConfig, ClaimOutcome, Handled, handle_once};
use paykit_core::{ClaimStore, Error};

#[tokio::test]
async fn of_twenty_concurrent_claimers_exactly_one_claims() {
    let claims = common::stores("claim-race").await.claims();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let claims = Arc::clone(&claims);
        tasks.push(tokio::spawn(async move {
            claims
                .claim("cb:maib:pay-1:OK", Duration::from_secs(30))
                .await
        }));
    }
    let mut claimed = Vec::new();
    let mut in_progress = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            ClaimOutcome::Claimed(claim) => claimed.push(claim),
            ClaimOutcome::InProgress => in_progress += 1,
            ClaimOutcome::AlreadyDone => panic!("nothing was done yet"),
        }
    }
    assert_eq!((claimed.len(), in_progress), (1, 19));
    let winner = claimed.pop().unwrap();
    assert!(
        claims
            .complete(&winner, Duration::from_secs(30))
            .await
            .unwrap()
    );
    assert_eq!(
        claims
            .claim("cb:maib:pay-1:OK", Duration::from_secs(30))
            .await
            .unwrap(),
        ClaimOutcome::AlreadyDone
    );
}

#[tokio::test]
async fn release_and_lapse_free_the_key_for_the_next_delivery() {
    let claims = common::stores("claim-free").await.claims();
    let ttl = Duration::from_millis(200);
    let ClaimOutcome::Claimed(first) = claims.claim("k", ttl).await.unwrap() else {
        panic!("a free key was not claimed");
    };
    assert_eq!(
        claims.claim("k", ttl).await.unwrap(),
        ClaimOutcome::InProgress
    );
    claims.release(&first).await.unwrap();
    let ClaimOutcome::Claimed(second) = claims.claim("k", ttl).await.unwrap() else {
        panic!("a released key was not claimed");
    };
    // The first claimant's late release does not free the second's claim.
    claims.release(&first).await.unwrap();
    assert_eq!(
        claims.claim("k", ttl).await.unwrap(),
        ClaimOutcome::InProgress
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ClaimOutcome::Claimed(third) = claims.claim("k", ttl).await.unwrap() else {
        panic!("a lapsed claim was not taken over");
    };
    // The lapsed claimant finishing late does not mark the new holder's claim done.
    assert!(
        !claims
            .complete(&second, Duration::from_secs(5))
            .await
            .unwrap()
    );
    assert_eq!(
        claims.claim("k", ttl).await.unwrap(),
        ClaimOutcome::InProgress
    );
    // Done is remembered for keep_for, then forgotten.
    assert!(
        claims
            .complete(&third, Duration::from_millis(200))
            .await
            .unwrap()
    );
    assert_eq!(
        claims.claim("k", ttl).await.unwrap(),
        ClaimOutcome::AlreadyDone
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(matches!(
        claims.claim("k", ttl).await.unwrap(),
        ClaimOutcome::Claimed(_)
    ));
}

#[tokio::test]
async fn handle_once_releases_after_a_failing_handler() {
    let claims = common::stores("claim-handle").await.claims();
    let config = ClaimConfig::default();
    let failed: Result<Handled<()>, Error> =
        handle_once(claims.as_ref(), "cb", &config, || async {
            Err(Error::invalid_input("order", "not ready"))
        })
        .await;
    assert!(failed.is_err());
    let retried = handle_once(claims.as_ref(), "cb", &config, || async {
        Ok::<_, Error>(7)
    })
    .await
    .unwrap();
    assert_eq!(retried, Handled::Ran(7));
    let again = handle_once(claims.as_ref(), "cb", &config, || async {
        Ok::<_, Error>(8)
    })
    .await
    .unwrap();
    assert_eq!(again, Handled::AlreadyDone);
}
