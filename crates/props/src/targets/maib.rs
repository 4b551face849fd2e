//! maib: callback verification with the fixtures' test Signature Key, and the lossless
//! `errors[]` text that `api_errors` reads back.

use std::sync::{Arc, OnceLock};

use paykit_core::{
    Error, Flow, InMemoryPaymentRecords, PaymentRecord, PaymentRecords, SecretString, Webhook,
    WebhookRequest,
};
use paykit_maib::{MaibWebhook, PaymentFlow, api_errors, dedupe_key, render_api_errors};

use crate::ready::ready;
use crate::seeds;

/// The Signature Key of the maib docs' PHP example, which `fixtures/maib/keys/signature_key.txt`
/// holds: used when the file cannot be read (a fuzzer run from another folder).
pub(crate) const DOCS_KEY: &str = "8508706b-3454-4733-8295-56e617c4abcf";

/// The pay id of the docs' example callback, recorded as a direct payment for the trait path.
const DOCS_PAY_ID: &str = "f16a9006-128a-46bc-8e2a-77a6ee99df75";

/// The verifier under the fixtures' key, and one that reads flows from payment records.
pub(crate) fn hooks() -> &'static (MaibWebhook, MaibWebhook) {
    static HOOKS: OnceLock<(MaibWebhook, MaibWebhook)> = OnceLock::new();
    HOOKS.get_or_init(|| {
        let key = seeds::key("maib", "signature_key.txt").unwrap_or_else(|_| DOCS_KEY.to_owned());
        let hook = MaibWebhook::new(SecretString::from(key.clone()))
            .or_else(|_| MaibWebhook::new(SecretString::from(DOCS_KEY)));
        let hook = match hook {
            Ok(hook) => hook,
            Err(error) => panic!("the maib test key is refused: {error}"),
        };
        let records = Arc::new(InMemoryPaymentRecords::new());
        let record = PaymentRecord::new(paykit_maib::PROVIDER, DOCS_PAY_ID).with_flow(Flow::Pay);
        if !matches!(ready(records.put(&record)), Some(Ok(()))) {
            panic!("in-memory payment records refused a record");
        }
        let with_records = hook
            .clone()
            .with_records(records as Arc<dyn PaymentRecords>);
        (hook, with_records)
    })
}

/// `MaibWebhook`: `verify_notification`, `verify_body`, the `Webhook` trait with records and
/// `sign_result`. An event that verifies is signed, never fit for fulfilment by itself, and
/// all three paths agree on whether the body is authentic.
pub fn maib_callback(data: &[u8]) {
    let (hook, with_records) = hooks();
    let verified = hook.verify_notification(data);
    let event = hook.verify_body(data);
    assert_eq!(
        verified.is_ok(),
        event.is_ok(),
        "verify_notification vs verify_body"
    );
    let traited = ready(with_records.verify(&WebhookRequest::body_only(data)));
    let Some(traited) = traited else {
        panic!("the maib verifier waited on I/O");
    };
    assert_eq!(
        verified.is_ok(),
        traited.is_ok(),
        "verify_notification vs Webhook::verify"
    );
    if let Ok(verified) = &verified {
        let notification = &verified.notification;
        for flow in [
            PaymentFlow::Direct,
            PaymentFlow::Hold,
            PaymentFlow::SaveCard,
        ] {
            let outcome = notification.outcome(flow);
            assert_eq!(outcome.provider_payment_id, notification.pay_id);
        }
        assert!(dedupe_key(notification).starts_with(&notification.pay_id));
    }
    for event in [event.ok(), traited.ok()].into_iter().flatten() {
        assert!(
            !event.is_fit_for_fulfilment(),
            "a signed maib event is never enough"
        );
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = hook.sign_result(text);
    }
}

/// `api_errors` over any `Error::Api` message: never panics, and whatever entries it reads
/// render back to text that reads as the same entries.
pub fn maib_api_errors(data: &[u8]) {
    let message = String::from_utf8_lossy(data).into_owned();
    let error = Error::Api {
        provider: paykit_maib::PROVIDER,
        http_status: Some(400),
        code: String::new(),
        message,
        retryable: false,
    };
    let entries = api_errors(&error);
    if entries.is_empty() {
        return;
    }
    let again = Error::Api {
        provider: paykit_maib::PROVIDER,
        http_status: Some(400),
        code: String::new(),
        message: render_api_errors(&entries),
        retryable: false,
    };
    assert_eq!(api_errors(&again), entries, "render_api_errors round trip");
    for entry in &entries {
        let _ = entry.meaning();
    }
}
