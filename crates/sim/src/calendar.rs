//! Civil-calendar arithmetic for the few date formats the providers put on the wire
//! (no date crate needed: everything is UTC or a fixed, documented offset).

/// A broken-down date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateTime {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    /// 0 = Sunday ... 6 = Saturday.
    pub(crate) weekday: u32,
}

impl DateTime {
    /// The date and time `secs` seconds after the Unix epoch, in UTC.
    pub(crate) fn from_unix(secs: i64) -> Self {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Self {
            year,
            month,
            day,
            hour: u32::try_from(rem / 3600).unwrap_or(0),
            minute: u32::try_from(rem % 3600 / 60).unwrap_or(0),
            second: u32::try_from(rem % 60).unwrap_or(0),
            weekday: u32::try_from((days + 4).rem_euclid(7)).unwrap_or(0),
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS`, without an offset.
    pub(crate) fn iso_local(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// (year, month, day) to days since 1970-01-01.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds of 01:00 UTC on the last Sunday of `month` in `year` (the EU DST switch).
fn last_sunday_0100_utc(year: i64, month: u32) -> i64 {
    let last = days_from_civil(year, month, 31);
    let weekday = (last + 4).rem_euclid(7);
    (last - weekday) * 86_400 + 3600
}

/// Chișinău local time (EET, UTC+2; EEST, UTC+3 under the EU summer-time rule) for `unix_secs`.
pub(crate) fn chisinau(unix_secs: i64) -> DateTime {
    let year = DateTime::from_unix(unix_secs).year;
    let summer =
        unix_secs >= last_sunday_0100_utc(year, 3) && unix_secs < last_sunday_0100_utc(year, 10);
    let offset = if summer { 3 * 3600 } else { 2 * 3600 };
    DateTime::from_unix(unix_secs.saturating_add(offset))
}

/// Java `Date.toString()` in Georgia time (UTC+4, printed as `GET`), as iPay's legacy
/// resources show it: `Tue Nov 17 19:04:29 GET 2020`.
pub(crate) fn java_georgia(unix_secs: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = DateTime::from_unix(unix_secs.saturating_add(4 * 3600));
    let day_name = DAYS.get(t.weekday as usize).copied().unwrap_or("Sun");
    let month_name = MONTHS
        .get(t.month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("Jan");
    format!(
        "{day_name} {month_name} {:02} {:02}:{:02}:{:02} GET {}",
        t.day, t.hour, t.minute, t.second, t.year
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_thursday_1970() {
        let t = DateTime::from_unix(0);
        assert_eq!((t.year, t.month, t.day, t.weekday), (1970, 1, 1, 4));
    }

    #[test]
    fn round_trips_days() {
        for days in [-800_000_i64, -1, 0, 59, 60, 11_016, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn known_instant() {
        // 2020-08-04T20:44:53Z
        let t = DateTime::from_unix(1_596_573_893);
        assert_eq!(t.iso_local(), "2020-08-04T20:44:53");
    }

    #[test]
    fn chisinau_switches_with_eu_summer_time() {
        // 2024-12-17T09:54:23Z is winter: UTC+2.
        assert_eq!(chisinau(1_734_429_263).iso_local(), "2024-12-17T11:54:23");
        // 2024-07-01T00:00:00Z is summer: UTC+3.
        assert_eq!(chisinau(1_719_792_000).iso_local(), "2024-07-01T03:00:00");
    }

    #[test]
    fn java_date_in_georgia() {
        // 2020-11-17T15:04:29Z is a Tuesday; Georgia is UTC+4.
        assert_eq!(java_georgia(1_605_625_469), "Tue Nov 17 19:04:29 GET 2020");
    }
}
