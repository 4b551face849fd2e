//! The gateway's words, headers and timestamps: status vocabularies, event names, the
//! signature and timestamp headers, `createdAt` and the Manila calendar.

use std::time::{Duration, UNIX_EPOCH};

use paykit_maya_checkout::calendar::{decide, parse_timestamp_ms};
use paykit_maya_checkout::{
    CardState, CheckoutStatus, ErrorKind, ManilaDay, MayaStatus, RecordStatus, Reversal,
    ReversalChoice, SignatureHeader, StatusContext, WebhookEvent,
};

use super::NOW_MS;

/// The gateway's words, headers and timestamps: every status vocabulary and event name keeps
/// what it reads, a signature header that parses renders back to itself, and a timestamp that
/// parses falls on a real Manila calendar day.
pub fn maya_checkout_words(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    paykit_maya_checkout::fuzzing::signature_header(text);
    paykit_maya_checkout::fuzzing::timestamp(text);
    let status = MayaStatus::parse(text);
    assert_eq!(status.as_str(), text);
    let _ = status.to_payment_status(&StatusContext::default(), None);
    assert_eq!(CheckoutStatus::parse(text).as_str(), text);
    assert_eq!(RecordStatus::parse(text).as_str(), text);
    assert_eq!(CardState::parse(text).as_str(), text);
    assert_eq!(WebhookEvent::parse(text).as_str(), text);
    let _ = (
        WebhookEvent::parse(text).is_legacy_checkout(),
        WebhookEvent::for_status(&status),
        ErrorKind::of(text).is_transient(),
    );
    if let Ok(header) = SignatureHeader::parse(text) {
        assert!(!header.nonce.is_empty());
        let hex: String = header
            .signature
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let again = SignatureHeader::parse(&format!("nonce={},v1={hex}", header.nonce));
        assert_eq!(again.as_ref(), Ok(&header), "{text:?} does not render back");
    }
    timestamp_header_promises(text);
    if let Some(ms) = parse_timestamp_ms(text) {
        let day = ManilaDay::of_timestamp(text);
        assert_eq!(day, Some(ManilaDay::of_unix_ms(ms)));
        let (_, month, date) = ManilaDay::of_unix_ms(ms).ymd();
        assert!((1..=12).contains(&month) && (1..=31).contains(&date));
    }
    reversal_by_calendar(text);
}

/// The timestamp header: accepted only as the plain milliseconds it spells, and only inside
/// the window around now (five minutes, the default).
fn timestamp_header_promises(text: &str) {
    let now = i64::try_from(NOW_MS).unwrap_or(i64::MAX);
    let tolerance = 300_000;
    let Some(ms) = paykit_maya_checkout::fuzzing::timestamp_header(Some(text), now, tolerance)
    else {
        return;
    };
    assert_eq!(
        text.trim().parse::<i64>().ok(),
        Some(ms),
        "{text:?} read as {ms}"
    );
    assert!(
        text.trim().bytes().all(|b| b.is_ascii_digit()),
        "{text:?} is not plain digits"
    );
    assert!(now.abs_diff(ms) <= 300_000, "{ms} accepted {now} ± 5 min");
}

/// `calendar::decide` on a `createdAt` Maya sent: by the calendar only a readable timestamp
/// decides, a partial reversal is never a void, and an explicit choice ignores the text.
fn reversal_by_calendar(created_at: &str) {
    let now = UNIX_EPOCH + Duration::from_millis(NOW_MS);
    let readable = ManilaDay::of_timestamp(created_at).is_some();
    for partial in [false, true] {
        let decided = decide(ReversalChoice::ByCalendar, Some(created_at), now, partial);
        if decided.is_ok() {
            assert!(
                readable,
                "decided on an unreadable createdAt {created_at:?}"
            );
        }
        if partial {
            assert!(!matches!(decided, Ok(Reversal::Void)), "a partial void");
        }
        assert!(matches!(
            decide(ReversalChoice::Refund, Some(created_at), now, partial),
            Ok(Reversal::Refund)
        ));
    }
    assert!(decide(ReversalChoice::Void, Some(created_at), now, true).is_err());
}
