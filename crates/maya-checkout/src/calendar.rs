//! The void/refund calendar (spec §5): a payment can be **voided** (full amount only) until
//! 23:59:59 Asia/Manila of its own day, and **refunded** (full or partial) from 00:00 of the next
//! Manila day for 180 days. Manila is UTC+8 all year (no daylight saving), so a fixed offset
//! is exact and no time-zone database is needed.

use std::time::{SystemTime, UNIX_EPOCH};

use paykit_core::{Error, Result};

/// Asia/Manila's offset from UTC, in milliseconds (UTC+8, no DST).
const MANILA_OFFSET_MS: i64 = 8 * 3600 * 1000;
const DAY_MS: i64 = 24 * 3600 * 1000;
/// Refunds are accepted for this many days after the payment's day (spec §5.2).
pub const REFUND_WINDOW_DAYS: i64 = 180;

/// A calendar day in Asia/Manila, as days since 1970-01-01 (Manila).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ManilaDay(i64);

impl ManilaDay {
    /// The Manila day of the instant `unix_ms` (milliseconds since the Unix epoch, UTC).
    pub fn of_unix_ms(unix_ms: i64) -> ManilaDay {
        ManilaDay(unix_ms.saturating_add(MANILA_OFFSET_MS).div_euclid(DAY_MS))
    }

    /// The Manila day of `time`.
    pub fn of(time: SystemTime) -> ManilaDay {
        ManilaDay::of_unix_ms(unix_ms(time))
    }

    /// The Manila day of an ISO-8601 UTC timestamp as Maya writes them
    /// (`2025-03-01T04:10:11.217Z`; an explicit `±hh:mm` offset is honoured).
    pub fn of_timestamp(text: &str) -> Option<ManilaDay> {
        parse_timestamp_ms(text).map(ManilaDay::of_unix_ms)
    }

    /// Days from `self` to `later`.
    pub fn days_until(self, later: ManilaDay) -> i64 {
        later.0.saturating_sub(self.0)
    }

    /// `(year, month, day)` in the proleptic Gregorian calendar.
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.0)
    }
}

/// Which reversal the calendar allows for a payment made on `paid` when it is `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Window {
    /// The payment's own Manila day: void only (full amount).
    VoidOnly,
    /// From the next day for 180 days: refund (full or partial).
    RefundOnly,
    /// After 180 days: neither through the API (Maya's Merchant Aftersales team, up to a year).
    Closed,
}

impl Window {
    /// The window on `today` of a payment made on `paid`.
    pub fn on(paid: ManilaDay, today: ManilaDay) -> Window {
        match paid.days_until(today) {
            days if days <= 0 => Window::VoidOnly,
            days if days <= REFUND_WINDOW_DAYS => Window::RefundOnly,
            _ => Window::Closed,
        }
    }
}

/// How a reversal (returning a payment's money) is carried out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ReversalChoice {
    /// By the Manila calendar: void on the payment's day (the whole amount only), refund from
    /// the next day. A partial reversal on the payment's day is refused before I/O.
    #[default]
    ByCalendar,
    /// Always void (the merchant decides; Maya refuses after the cut-off with `PY0045`/`PY0073`).
    Void,
    /// Always refund (the merchant decides; Maya refuses on the payment's day with
    /// `PY0047`/`PY0072`).
    Refund,
}

/// What the client will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reversal {
    /// `POST …/voids`.
    Void,
    /// `POST …/refunds`.
    Refund,
}

/// Decides void or refund for a payment created at `created_at` (Maya's timestamp), when it
/// is `now`, for the whole amount (`partial == false`) or part of it.
pub fn decide(
    choice: ReversalChoice,
    created_at: Option<&str>,
    now: SystemTime,
    partial: bool,
) -> Result<Reversal> {
    match choice {
        ReversalChoice::Void if partial => Err(Error::invalid_input(
            "amount",
            "a void is always for the whole amount; Maya has no partial void",
        )),
        ReversalChoice::Void => Ok(Reversal::Void),
        ReversalChoice::Refund => Ok(Reversal::Refund),
        ReversalChoice::ByCalendar => {
            let paid = created_at
                .and_then(ManilaDay::of_timestamp)
                .ok_or_else(|| {
                    Error::invalid_input(
                        "created_at",
                        "the payment carries no readable createdAt; choose void or refund explicitly",
                    )
                })?;
            match Window::on(paid, ManilaDay::of(now)) {
                Window::VoidOnly if partial => Err(Error::invalid_input(
                    "amount",
                    "a partial reversal is impossible on the payment's day (Asia/Manila): void the \
                     whole amount today, or refund part from 00:00 Manila tomorrow",
                )),
                Window::VoidOnly => Ok(Reversal::Void),
                Window::RefundOnly => Ok(Reversal::Refund),
                Window::Closed => Err(Error::invalid_input(
                    "created_at",
                    "the payment is older than 180 days: Maya refunds it only through its \
                     Merchant Aftersales team",
                )),
            }
        }
    }
}

/// Milliseconds since the Unix epoch (negative before it).
pub(crate) fn unix_ms(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis())
            .map(|ms| -ms)
            .unwrap_or(i64::MIN),
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±hh:mm)` into Unix milliseconds.
pub fn parse_timestamp_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let mut parts = date.splitn(3, '-');
    let year: i64 = number(parts.next()?, 4)?;
    let month: u32 = u32::try_from(number(parts.next()?, 2)?).ok()?;
    let day: u32 = u32::try_from(number(parts.next()?, 2)?).ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (clock, offset_ms) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (clock, zone) = rest.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (hours, minutes) = zone.get(1..)?.split_once(':')?;
        let offset = number(hours, 2)? * 3_600_000 + number(minutes, 2)? * 60_000;
        (clock, sign * offset)
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (clock, None),
    };
    let mut hms = hms.splitn(3, ':');
    let hour = number(hms.next()?, 2)?;
    let minute = number(hms.next()?, 2)?;
    let second = number(hms.next()?, 2)?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let millis = match fraction {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            let first3: String = digits.chars().chain("00".chars()).take(3).collect();
            first3.parse::<i64>().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(seconds * 1000 + millis - offset_ms)
}

fn number(text: &str, digits: usize) -> Option<i64> {
    if text.len() != digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Days since 1970-01-01 of a Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let month = i64::from(month);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(text: &str) -> SystemTime {
        let ms = parse_timestamp_ms(text).unwrap();
        UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap())
    }

    #[test]
    fn timestamps_parse_to_unix_millis() {
        assert_eq!(parse_timestamp_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_timestamp_ms("2026-01-01T00:00:00.000Z"),
            Some(1_767_225_600_000)
        );
        assert_eq!(
            parse_timestamp_ms("2026-01-01T08:00:00+08:00"),
            Some(1_767_225_600_000)
        );
        assert_eq!(
            parse_timestamp_ms("2025-03-01T04:10:11.217Z"),
            Some(1_740_802_211_217)
        );
        for bad in [
            "",
            "2025-03-01",
            "2025-13-01T00:00:00Z",
            "x025-03-01T00:00:00Z",
            "2025-03-01T00:00:00.Z",
        ] {
            assert_eq!(parse_timestamp_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_manila_day_turns_at_sixteen_hundred_utc() {
        let paid = ManilaDay::of_timestamp("2026-01-06T01:00:00Z").unwrap(); // 09:00 Manila
        assert_eq!(paid.ymd(), (2026, 1, 6));
        let last_void = ManilaDay::of(at("2026-01-06T15:59:59.999Z"));
        let first_refund = ManilaDay::of(at("2026-01-06T16:00:00Z"));
        assert_eq!(Window::on(paid, last_void), Window::VoidOnly);
        assert_eq!(Window::on(paid, first_refund), Window::RefundOnly);
    }

    #[test]
    fn a_late_evening_sale_is_voidable_for_minutes_only() {
        // 23:50 Manila on 6 Jan is 15:50 UTC.
        let created = "2026-01-06T15:50:00Z";
        assert_eq!(
            decide(
                ReversalChoice::ByCalendar,
                Some(created),
                at("2026-01-06T15:59:00Z"),
                false
            )
            .unwrap(),
            Reversal::Void
        );
        assert_eq!(
            decide(
                ReversalChoice::ByCalendar,
                Some(created),
                at("2026-01-06T16:00:00Z"),
                true
            )
            .unwrap(),
            Reversal::Refund
        );
        assert!(
            decide(
                ReversalChoice::ByCalendar,
                Some(created),
                at("2026-01-06T15:55:00Z"),
                true
            )
            .is_err()
        );
    }

    #[test]
    fn refunds_close_after_one_hundred_eighty_days() {
        let paid = ManilaDay::of_timestamp("2026-01-01T00:00:00Z").unwrap();
        let day = |n: i64| ManilaDay(paid.0 + n);
        assert_eq!(Window::on(paid, day(180)), Window::RefundOnly);
        assert_eq!(Window::on(paid, day(181)), Window::Closed);
    }

    #[test]
    fn explicit_choices_skip_the_calendar() {
        let now = at("2030-01-01T00:00:00Z");
        assert_eq!(
            decide(ReversalChoice::Refund, None, now, true).unwrap(),
            Reversal::Refund
        );
        assert_eq!(
            decide(ReversalChoice::Void, None, now, false).unwrap(),
            Reversal::Void
        );
        assert!(decide(ReversalChoice::Void, None, now, true).is_err());
        assert!(decide(ReversalChoice::ByCalendar, None, now, false).is_err());
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-800_000, -1, 0, 1, 19_000, 20_454, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
