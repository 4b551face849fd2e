//! Maya's business calendar (maya-checkout.md §5): Asia/Manila (UTC+8, no DST) days decide
//! between void (the transaction's own day, full amount) and refund (from 00:00 the next
//! day for 180 days, partial allowed); holds are captured within their hold period.

use rust_decimal::Decimal;

use super::state::{Payment, Source, Status};
use crate::calendar::DateTime;

const DAY_MS: u64 = 24 * 3600 * 1000;
const MANILA_OFFSET_MS: u64 = 8 * 3600 * 1000;
/// Refunds are accepted through the 180th Manila day after the transaction day.
pub(crate) const REFUND_DAYS: u64 = 180;

/// The Manila calendar day of `ms` (days since 1970-01-01, Manila time).
pub(crate) fn manila_day(ms: u64) -> u64 {
    ms.saturating_add(MANILA_OFFSET_MS) / DAY_MS
}

/// The first instant after the refund window of a transaction at `paid_ms`: 00:00 Manila
/// time on day D + 181.
pub(crate) fn refund_window_end_ms(paid_ms: u64) -> u64 {
    manila_day(paid_ms)
        .saturating_add(REFUND_DAYS + 1)
        .saturating_mul(DAY_MS)
        .saturating_sub(MANILA_OFFSET_MS)
}

/// When the money of `p` moved (the day the calendar counts from).
fn transaction_ms(p: &Payment) -> u64 {
    p.paid_ms.unwrap_or(p.created_ms)
}

/// Why a void or refund is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The payment's state does not allow it.
    State,
    /// Outside the calendar window.
    Calendar,
}

/// Whether `p` can be voided now.
pub(crate) fn void_check(p: &Payment, now: u64) -> Result<(), Refusal> {
    let state_ok = matches!(
        p.status,
        Status::PaymentSuccess | Status::Authorized | Status::Captured
    ) && p.refunds.is_empty()
        && p.voids.is_empty();
    if !state_ok {
        return Err(Refusal::State);
    }
    if manila_day(now) != manila_day(transaction_ms(p)) {
        return Err(Refusal::Calendar);
    }
    Ok(())
}

/// Whether `p` can be refunded now (for any amount).
pub(crate) fn refund_check(p: &Payment, now: u64) -> Result<(), Refusal> {
    let is_authorization = p.auth_type.is_some() && !matches!(p.source, Source::Capture(_));
    let state_ok = matches!(p.status, Status::PaymentSuccess | Status::Refunded)
        && !is_authorization
        && p.refunded() < p.amount;
    if !state_ok {
        return Err(Refusal::State);
    }
    let day = manila_day(now);
    let paid_day = manila_day(transaction_ms(p));
    if day <= paid_day || day > paid_day.saturating_add(REFUND_DAYS) {
        return Err(Refusal::Calendar);
    }
    Ok(())
}

/// What is left to capture on an authorization, if it can be captured now.
pub(crate) fn capturable(p: &Payment, now: u64) -> Option<Decimal> {
    let open = matches!(p.status, Status::Authorized | Status::Captured)
        && p.hold_until_ms.is_some_and(|until| now < until);
    let left = p.amount.saturating_sub(p.captured);
    (open && left > Decimal::ZERO).then_some(left)
}

/// `2025-03-01T04:10:11.217Z`: ISO-8601 UTC with milliseconds.
pub(crate) fn iso(ms: u64) -> String {
    let t = DateTime::from_unix(i64::try_from(ms / 1000).unwrap_or(i64::MAX));
    format!("{}.{:03}Z", t.iso_local(), ms % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maya_checkout::state::Payment;

    /// 2026-01-06T01:00:00Z = 09:00 on 6 Jan in Manila.
    const NINE_AM_MANILA: u64 = 1_767_661_200_000;
    const HOUR: u64 = 3600 * 1000;

    fn paid_at(ms: u64) -> Payment {
        let mut p = Payment::new(
            "p".into(),
            "r".into(),
            Decimal::new(10000, 2),
            Source::Vault,
            ms,
        );
        p.status = Status::PaymentSuccess;
        p.paid_ms = Some(ms);
        p
    }

    #[test]
    fn formats_iso_with_millis() {
        assert_eq!(iso(1_740_802_211_217), "2025-03-01T04:10:11.217Z");
    }

    #[test]
    fn void_until_manila_midnight_then_refund() {
        let p = paid_at(NINE_AM_MANILA);
        // 23:59:59.999 Manila on the same day is 15:59:59.999 UTC.
        let last_void = NINE_AM_MANILA + 15 * HOUR - 1;
        assert_eq!(void_check(&p, last_void), Ok(()));
        assert_eq!(refund_check(&p, last_void), Err(Refusal::Calendar));
        assert_eq!(void_check(&p, last_void + 1), Err(Refusal::Calendar));
        assert_eq!(refund_check(&p, last_void + 1), Ok(()));
    }

    #[test]
    fn a_sale_at_2350_manila_voids_for_ten_minutes() {
        let late = NINE_AM_MANILA + 14 * HOUR + 50 * 60 * 1000; // 23:50 Manila
        let p = paid_at(late);
        assert_eq!(void_check(&p, late + 9 * 60 * 1000), Ok(()));
        assert_eq!(
            void_check(&p, late + 10 * 60 * 1000),
            Err(Refusal::Calendar)
        );
        assert_eq!(refund_check(&p, late + 10 * 60 * 1000), Ok(()));
    }

    #[test]
    fn refunds_end_after_180_days() {
        let p = paid_at(NINE_AM_MANILA);
        let end = refund_window_end_ms(NINE_AM_MANILA);
        assert_eq!(refund_check(&p, end - 1), Ok(()));
        assert_eq!(refund_check(&p, end), Err(Refusal::Calendar));
        assert_eq!(manila_day(end), manila_day(NINE_AM_MANILA) + 181);
    }

    #[test]
    fn refunded_or_voided_payments_cannot_void() {
        let mut p = paid_at(NINE_AM_MANILA);
        p.status = Status::Voided;
        assert_eq!(void_check(&p, NINE_AM_MANILA), Err(Refusal::State));
        assert_eq!(
            refund_check(&p, NINE_AM_MANILA + 24 * HOUR),
            Err(Refusal::State)
        );
    }
}
