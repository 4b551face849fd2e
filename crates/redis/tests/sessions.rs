//! RedisSessionStore: compare-and-swap on the revision, as InMemorySessionStore does.

mod common;

use std::sync::Arc;

use paykit_core::store::{SessionLease, StoredSession, SwapOutcome, Versioned};
use paykit_core::{ExposeSecret, SecretString, SessionStore};

fn pair(n: u32) -> StoredSession {
    StoredSession::new(
        SecretString::from(format!("access-{n}")),
        SecretString::from(format!("refresh-{n}")),
        1_767_225_600,
    )
}

#[tokio::test]
async fn only_the_reader_of_the_current_revision_may_write() {
    let sessions = common::stores("sess-cas").await.sessions();
    assert!(sessions.load("s").await.unwrap().is_none());
    assert!(matches!(
        sessions
            .compare_and_swap("s", Some(1), &pair(0))
            .await
            .unwrap(),
        SwapOutcome::Conflict(None)
    ));
    assert!(matches!(
        sessions
            .compare_and_swap("s", None, &pair(1))
            .await
            .unwrap(),
        SwapOutcome::Swapped(1)
    ));
    assert!(matches!(
        sessions
            .compare_and_swap("s", None, &pair(9))
            .await
            .unwrap(),
        SwapOutcome::Conflict(Some(Versioned { revision: 1, .. }))
    ));
    let mut leased = pair(1);
    leased.refreshing = Some(SessionLease {
        owner: "instance-a".into(),
        until_ms: 1_767_225_600_000,
    });
    assert!(matches!(
        sessions
            .compare_and_swap("s", Some(1), &leased)
            .await
            .unwrap(),
        SwapOutcome::Swapped(2)
    ));
    let mut refreshed = pair(2);
    refreshed.ended = Some("refused".into());
    assert!(matches!(
        sessions
            .compare_and_swap("s", Some(2), &refreshed)
            .await
            .unwrap(),
        SwapOutcome::Swapped(3)
    ));
    let SwapOutcome::Conflict(Some(now)) = sessions
        .compare_and_swap("s", Some(2), &pair(4))
        .await
        .unwrap()
    else {
        panic!("a stale revision was accepted");
    };
    assert_eq!(now.revision, 3);
    assert_eq!(now.value.refresh_token.expose_secret(), "refresh-2");
    assert_eq!(now.value.ended.as_deref(), Some("refused"));
    assert!(now.value.refreshing.is_none());
    assert!(!format!("{now:?}").contains("refresh-2"));
    let loaded = sessions.load("s").await.unwrap().unwrap();
    assert_eq!(loaded.revision, 3);
    assert_eq!(loaded.value.access_token.expose_secret(), "access-2");

    sessions.remove("s").await.unwrap();
    assert!(sessions.load("s").await.unwrap().is_none());
    assert!(matches!(
        sessions
            .compare_and_swap("s", Some(3), &pair(5))
            .await
            .unwrap(),
        SwapOutcome::Conflict(None)
    ));
    sessions.remove("never-existed").await.unwrap();
}

#[tokio::test]
async fn of_ten_concurrent_swappers_from_one_revision_exactly_one_wins() {
    let sessions = common::stores("sess-race").await.sessions();
    assert!(matches!(
        sessions
            .compare_and_swap("s", None, &pair(0))
            .await
            .unwrap(),
        SwapOutcome::Swapped(1)
    ));
    let mut swappers = Vec::new();
    for n in 1..=10 {
        let sessions = Arc::clone(&sessions);
        swappers.push(tokio::spawn(async move {
            (
                n,
                sessions
                    .compare_and_swap("s", Some(1), &pair(n))
                    .await
                    .unwrap(),
            )
        }));
    }
    let mut winners = Vec::new();
    let mut conflicts = Vec::new();
    for swapper in swappers {
        match swapper.await.unwrap() {
            (n, SwapOutcome::Swapped(2)) => winners.push(n),
            (_, SwapOutcome::Conflict(Some(now))) => conflicts.push(now),
            (n, other) => panic!("swapper {n}: {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let winner = format!("refresh-{}", winners[0]);
    assert_eq!(conflicts.len(), 9);
    // Every loser sees the winner's pair, to use instead of refreshing again.
    for now in conflicts {
        assert_eq!(now.revision, 2);
        assert_eq!(now.value.refresh_token.expose_secret(), winner);
    }
}
