//! One function per fuzz target: each takes arbitrary bytes, feeds them to a parser of
//! untrusted input through its public API, and checks what a correct parser promises. A panic
//! in one of these is a bug found: either a panic inside paykit or a broken promise.

mod bog;
mod bog_payments;
mod core;
mod decoders;
mod maib;
mod maya;
mod maya_checkout;
mod miapos;
mod response;

pub use self::bog::bog_notification;
pub use self::bog_payments::{bog_payments_callback, bog_payments_response, bog_payments_words};
pub use self::core::{
    decimal_writes_read_back, json_literal, money_parse, money_round_trips, wire_bool, wire_decimal,
};
pub use self::decoders::{
    MUTATING, RETRY_AFTER, SENSITIVE, STATUSES, bog_response, maib_response, maya_response,
    miapos_response, response_of,
};
#[cfg(test)]
pub(crate) use self::maib::DOCS_KEY;
pub use self::maib::{maib_api_errors, maib_callback};
pub use self::maya::{maya_error_body, maya_session};
pub use self::maya_checkout::{maya_checkout_response, maya_checkout_webhook, maya_checkout_words};
pub use self::miapos::{miapos_callback, miapos_public_key};
pub use self::response::raw_response;

/// Provider words read from answers (statuses, 3-D Secure results, references, expiries,
/// client IPs): each parser takes any text.
pub fn provider_words(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let status = paykit_maib::TransactionStatus::parse(text);
    assert_eq!(
        paykit_maib::TransactionStatus::parse(status.as_str()),
        status
    );
    let _ = paykit_maib::ThreeDsStatus::parse(text);
    if let Ok(expiry) = paykit_maib::BillerExpiry::parse(text) {
        let again = paykit_maib::BillerExpiry::parse(&expiry.to_mmyy()).ok();
        assert_eq!(again, Some(expiry), "MMYY round trip of {text:?}");
    }
    let _ = paykit_maib::validate::parse_client_ip(text);
    let miapos = paykit_miapos::MiaPosStatus::parse(text);
    assert_eq!(paykit_miapos::MiaPosStatus::parse(miapos.as_str()), miapos);
    let _ = miapos.to_payment_status();
    let maya = paykit_maya::MiniAppPaymentStatus::parse(text);
    let _ = (maya.to_payment_status(), maya.is_approved());
    if let Ok(reference) = paykit_maya::RequestReference::parse(text) {
        assert!(paykit_maya::RequestReference::parse(reference.as_str()).is_ok());
    }
}
