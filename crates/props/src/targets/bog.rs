//! Bank of Georgia iPay: unsigned callbacks, form-encoded or JSON.

use std::sync::{Arc, OnceLock};

use paykit_bog::{BogClient, BogWebhook, InMemoryOrderStore, Notification, NotificationKind};
use paykit_core::{Error, SecretString, SignatureError};

use crate::ready::ready;

/// A webhook over an empty order store and empty records: every order is unknown, so it must
/// refuse without asking iPay. The base URL is loopback; nothing may be sent to it.
fn webhook() -> Option<&'static BogWebhook> {
    static HOOK: OnceLock<Option<BogWebhook>> = OnceLock::new();
    HOOK.get_or_init(|| {
        let client = BogClient::builder("props-client", SecretString::from("props-secret"))
            .base_url("http://127.0.0.1:9")
            .build()
            .ok()?;
        Some(BogWebhook::new(client, Arc::new(InMemoryOrderStore::new())))
    })
    .as_ref()
}

/// `Notification::parse` under every content type a callback arrives with, and
/// `BogWebhook::verify_notification` for an order nobody stored (refused, nothing queried).
pub fn bog_notification(data: &[u8]) {
    let mut parsed = Vec::new();
    for content_type in [
        None,
        Some("application/x-www-form-urlencoded"),
        Some("application/json; charset=utf-8"),
    ] {
        match Notification::parse(content_type, data) {
            Ok(notice) => parsed.push(notice),
            Err(Error::Signature(SignatureError::BadBody(_))) => {}
            Err(other) => panic!("Notification::parse failed with {other:?}, not BadBody"),
        }
    }
    let Some(hook) = webhook() else {
        panic!("a BogClient for loopback could not be built");
    };
    for notice in &parsed {
        assert!(
            !notice.order_id.trim().is_empty(),
            "an empty order_id was accepted"
        );
        assert_eq!(
            notice.kind == NotificationKind::StatusChange,
            notice.status.is_some()
        );
        let _ = notice.refund_amount();
        let Some(verdict) = ready(hook.verify_notification(notice)) else {
            panic!("an unknown order made the webhook wait on I/O");
        };
        assert!(
            matches!(verdict, Err(Error::InvalidInput { ref field, .. }) if field == "order_id"),
            "an unknown order was not refused up front: {verdict:?}"
        );
    }
}
