//! Timestamps: RFC 3339 strings and epoch numbers in, epoch milliseconds out.
//!
//! Hand-written rather than a date crate because the parser runs on every line and
//! only needs UTC civil-date arithmetic (Howard Hinnant's days-from-civil).
//!
//! Nothing is rolled over or guessed: a date must exist (day within its month,
//! leap years included), the clock must read below 24:00 with minutes below 60
//! (a leap second `:60` is read as `:59.999`, so it stays in its minute), and an
//! offset must lie within ±14:00 with minutes below 60. A record's time must
//! also fall in [`PLAUSIBLE`] (2000 to 2100); an epoch number takes the one unit
//! that puts it there.

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// .NET ticks (100 ns since 0001-01-01) at the Unix epoch.
const TICKS_AT_EPOCH: f64 = 621_355_968_000_000_000.0;

/// The times a record may carry: 2000-01-01T00:00:00Z (inclusive) to
/// 2100-01-01T00:00:00Z (exclusive). A time outside was mis-read or mis-logged
/// (an epoch in the wrong unit, a zeroed clock), and would stretch time ranges
/// and timelines over centuries.
pub const PLAUSIBLE: std::ops::Range<Millis> = 946_684_800_000..4_102_444_800_000;

/// Interprets an epoch number in the one unit that puts it in [`PLAUSIBLE`]:
/// seconds, milliseconds, microseconds, nanoseconds or .NET ticks (Azure
/// exports). The five ranges do not overlap (the range spans a factor of 4.3,
/// the units a factor of 1,000, and ticks of 2000-2100 lie between 6.3e17 and
/// 6.7e17, below nanoseconds of 2000 at 9.5e17), so at most one unit fits;
/// none fitting, or a non-finite number, gives `None`.
pub fn from_epoch(value: f64) -> Option<Millis> {
    let (start, end) = (PLAUSIBLE.start as f64, PLAUSIBLE.end as f64);
    [value * 1e3, value, value / 1e3, value / 1e6, (value - TICKS_AT_EPOCH) / 10_000.0]
        .into_iter()
        .find(|ms| (start..end).contains(ms))
        .map(|ms| ms as Millis)
}

/// A record's time, if it is [`PLAUSIBLE`].
pub fn plausible(ms: Millis) -> Option<Millis> {
    PLAUSIBLE.contains(&ms).then_some(ms)
}

/// Parses `YYYY-MM-DD[Tt ]HH:MM[:SS[.frac]][Zz|±HH:MM|±HHMM]`; no zone means
/// UTC, and a fraction of any length is read to the millisecond. A bare date
/// `YYYY-MM-DD` is midnight UTC. Dates, clocks and offsets are checked as the
/// module says (any year: `--since` and catalog dates come here too). Runs on
/// every line: fixed positions, no loops but the fraction's.
pub fn parse_rfc3339(s: &[u8]) -> Option<Millis> {
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    let (year, month, day) = (digits(s, 0, 4)?, digits(s, 5, 2)?, digits(s, 8, 2)?);
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if s.len() == 10 {
        return Some(days * 86_400_000);
    }
    if !matches!(s.get(10), Some(b'T' | b't' | b' ')) || s.get(13) != Some(&b':') {
        return None;
    }
    let (hour, minute) = (digits(s, 11, 2)?, digits(s, 14, 2)?);
    let (mut second, mut i) = match s.get(16) {
        Some(b':') => (digits(s, 17, 2)?, 19),
        _ => (0, 16),
    };
    let mut millis = 0;
    if matches!(s.get(i), Some(b'.' | b',')) {
        i += 1;
        let start = i;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 3 {
                millis = millis * 10 + i64::from(s[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        millis *= [100, 10, 1][(i - start).min(3) - 1];
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    if second == 60 {
        (second, millis) = (59, 999);
    }
    let offset = zone_offset_minutes(&s[i..])?;
    Some(((days * 24 + hour) * 60 + minute - offset) * 60_000 + second * 1000 + millis)
}

/// The number written by the `len` ASCII digits at `at`, if they are digits.
#[inline]
fn digits(s: &[u8], at: usize, len: usize) -> Option<i64> {
    let d = s.get(at..at + len)?;
    let mut n = 0i64;
    for &c in d {
        let v = c.wrapping_sub(b'0');
        if v > 9 {
            return None;
        }
        n = n * 10 + i64::from(v);
    }
    Some(n)
}

fn zone_offset_minutes(z: &[u8]) -> Option<i64> {
    let (sign, hh, mm) = match z {
        [] | [b'Z' | b'z'] => return Some(0),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            (sign, [*h1, *h2], [*m1, *m2])
        }
        _ => return None,
    };
    let (hours, mins) = (digits(&hh, 0, 2)?, digits(&mm, 0, 2)?);
    if mins > 59 || hours * 60 + mins > MAX_OFFSET_MINUTES {
        return None;
    }
    let minutes = hours * 60 + mins;
    Some(if *sign == b'-' { -minutes } else { minutes })
}

/// The largest UTC offset in use (Line Islands, +14:00; the most negative is -12:00).
const MAX_OFFSET_MINUTES: i64 = 14 * 60;

/// Days in `month` (1-12) of proleptic Gregorian `year`.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day number since the epoch.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Formats as RFC 3339 UTC, with milliseconds only when they are not zero.
pub fn format_rfc3339(ms: Millis) -> String {
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    if milli == 0 {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
    }
}

/// Formats microseconds since the epoch as RFC 3339 UTC with all six
/// fraction digits (`2026-11-21T10:00:01.250000Z`): the fixed width of the
/// `classify` CSV's `ts` column.
pub fn format_rfc3339_micros(us: i64) -> String {
    let (days, rem) = (us.div_euclid(86_400_000_000), us.rem_euclid(86_400_000_000));
    let (y, mo, d) = civil_from_days(days);
    let secs = rem / 1_000_000;
    let (h, mi, s, frac) = (secs / 3600, secs / 60 % 60, secs % 60, rem % 1_000_000);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:06}Z")
}

/// The `YYYY-MM-DD` date of a timestamp.
pub fn format_date(ms: Millis) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_variants() {
        let base = parse_rfc3339(b"2026-11-21T10:00:00Z").unwrap();
        assert_eq!(base, 1_795_255_200_000);
        assert_eq!(parse_rfc3339(b"2026-11-21T10:00:00.250Z"), Some(base + 250));
        assert_eq!(parse_rfc3339(b"2026-11-21T10:00:00.2501234Z"), Some(base + 250));
        assert_eq!(parse_rfc3339(b"2026-11-21T12:00:00+02:00"), Some(base));
        assert_eq!(parse_rfc3339(b"2026-11-21T05:00:00-0500"), Some(base));
        assert_eq!(parse_rfc3339(b"2026-11-21 10:00:00"), Some(base));
        assert_eq!(parse_rfc3339(b"2026-11-21T10:00Z"), Some(base));
        assert_eq!(parse_rfc3339(b"2026-11-21"), Some(base - 10 * 3_600_000));
        for bad in [
            &b"2026-13-01T00:00:00Z"[..],
            b"yesterday",
            b"2026-11-21T25:00:00Z",
            b"",
            b"2026-11-21T10:00:00+5",
            b"2026-11-21T10:00:00+0:200",
            b"2026-11-21T10:00:00+02:0a",
            b"2026-11-21T1a:00:00Z",
            b"2026-11-21T10:00:00.Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn epoch_magnitudes() {
        let ms = 1_795_255_200_000;
        assert_eq!(from_epoch(1_795_255_200.0), Some(ms));
        assert_eq!(from_epoch(1_795_255_200_000.0), Some(ms));
        assert_eq!(from_epoch(1_795_255_200_000_000.0), Some(ms));
        assert_eq!(from_epoch(1.7952552e18), Some(ms));
        assert_eq!(from_epoch(f64::NAN), None);
        // .NET ticks of 2026-11-21T10:00:00Z.
        assert_eq!(
            from_epoch(639_000_000_000_000_000.0 + 0.0).map(|m| m / 1000 > 1_700_000_000),
            Some(true)
        );
        assert_eq!(from_epoch(TICKS_AT_EPOCH + ms as f64 * 10_000.0), Some(ms));
        assert_eq!(from_epoch(-1.0), None);
    }

    #[test]
    fn calendar_dates_must_exist() {
        let day = |s: &str| parse_rfc3339(s.as_bytes()).map(|ms| ms / 86_400_000);
        assert_eq!(day("2026-02-30T00:00:00Z"), None, "no rolling over into March");
        assert_eq!(day("2026-04-31"), None);
        assert_eq!(day("2023-02-29"), None);
        assert_eq!(day("1900-02-29"), None, "a century is not leap");
        assert_eq!(day("2024-02-29"), Some(days_from_civil(2024, 2, 29)));
        assert_eq!(day("2000-02-29"), Some(days_from_civil(2000, 2, 29)), "400 years are");
        assert_eq!(day("2026-12-31T23:59:59Z"), Some(days_from_civil(2026, 12, 31)));
        assert_eq!(day("2026-00-10"), None);
        assert_eq!(day("2026-01-00"), None);
    }

    #[test]
    fn clocks_and_offsets_must_be_real() {
        let base = parse_rfc3339(b"2026-11-21T10:00:00Z").unwrap();
        let t = |s: &str| parse_rfc3339(s.as_bytes());
        assert_eq!(t("2026-11-21T24:00:00Z"), None, "24:00 is written as 00:00 the next day");
        assert_eq!(t("2026-11-21T10:60:00Z"), None);
        assert_eq!(t("2026-11-21T10:00:61Z"), None);
        assert_eq!(t("2026-11-21T09:59:60Z"), Some(base - 1), "a leap second stays in its minute");
        assert_eq!(t("2026-11-21T10:00:00+99:99"), None);
        assert_eq!(t("2026-11-21T10:00:00+09:60"), None);
        assert_eq!(t("2026-11-21T10:00:00+14:01"), None);
        assert_eq!(t("2026-11-21T10:00:00-1401"), None);
        assert_eq!(t("2026-11-22T00:00:00+14:00"), Some(base));
        assert_eq!(t("2026-11-20T20:00:00-14:00"), Some(base));
        assert_eq!(t("2026-11-21T15:30:00+0530"), Some(base));
        assert_eq!(t("2026-11-21t10:00:00z"), Some(base), "lowercase t and z");
        assert_eq!(t("2026-11-21 10:00:00.123456789012Z"), Some(base + 123));
        assert_eq!(t("2026-11-21T10:00:00,5"), Some(base + 500), "comma, no zone: UTC");
    }

    #[test]
    fn record_times_lie_between_2000_and_2100() {
        let at = |s: &str| parse_rfc3339(s.as_bytes()).and_then(plausible);
        assert_eq!(at("1999-12-31T23:59:59.999Z"), None);
        assert_eq!(at("2000-01-01T00:00:00Z"), Some(PLAUSIBLE.start));
        assert_eq!(at("2000-01-01T00:30:00+01:00"), None, "1999 in UTC");
        assert_eq!(at("2099-12-31T23:59:59.999Z"), Some(PLAUSIBLE.end - 1));
        assert_eq!(at("2100-01-01T00:00:00Z"), None);
        assert_eq!(at("9999-12-31T23:59:59Z"), None);
        assert_eq!(at("0000-01-01"), None);
        assert!(parse_rfc3339(b"1999-12-31").is_some(), "any year parses (for --since)");
    }

    #[test]
    fn epochs_take_the_unit_that_lands_in_range() {
        // 99999999999 is year 5138 in seconds, 1973 in ms, 1970 in µs and ns.
        assert_eq!(from_epoch(99_999_999_999.0), None);
        // The last second of year 9999 once came out as 1978 (read as ms).
        assert_eq!(from_epoch(253_402_300_799.0), None);
        assert_eq!(from_epoch(1e300), None);
        assert_eq!(from_epoch(1e23), None);
        assert_eq!(from_epoch(f64::INFINITY), None);
        assert_eq!(from_epoch(f64::NEG_INFINITY), None);
        assert_eq!(from_epoch(0.0), None);
        assert_eq!(from_epoch(-1_795_255_200.0), None);
        assert_eq!(from_epoch(-1_795_255_200_000.0), None);
        assert_eq!(from_epoch(946_684_800.0), Some(PLAUSIBLE.start));
        assert_eq!(from_epoch(4_102_444_800.0), None);
        assert_eq!(from_epoch(4_102_444_799.5), Some(PLAUSIBLE.end - 500));
        assert_eq!(from_epoch(1_795_255_200.25), Some(1_795_255_200_250));
        // 1e12 is 2001 in ms; 1e15 is 2001 in µs; 1e18 is 2001 in ns.
        assert_eq!(from_epoch(1e12), Some(1_000_000_000_000));
        assert_eq!(from_epoch(1e15), Some(1_000_000_000_000));
        assert_eq!(from_epoch(1e18), Some(1_000_000_000_000));
    }

    #[test]
    fn epoch_unit_ranges_do_not_overlap() {
        let (start, end) = (PLAUSIBLE.start as f64, PLAUSIBLE.end as f64);
        assert!(end / start < 1000.0, "each unit's range ends before the next begins");
        let ticks_end = TICKS_AT_EPOCH + end * 10_000.0;
        assert!(ticks_end < start * 1e6, "ticks of 2099 lie below nanoseconds of 2000");
        assert!(TICKS_AT_EPOCH + start * 10_000.0 > end * 1e3, "and above microseconds of 2099");
    }

    #[test]
    fn format_round_trips() {
        for s in ["2026-11-21T10:00:00Z", "1999-12-31T23:59:59.999Z", "2000-02-29T00:00:00Z"] {
            assert_eq!(format_rfc3339(parse_rfc3339(s.as_bytes()).unwrap()), s);
        }
        assert_eq!(format_date(0), "1970-01-01");
    }

    #[test]
    fn micros_have_six_fraction_digits() {
        let ms = parse_rfc3339(b"2026-11-21T10:00:01.25Z").unwrap();
        assert_eq!(format_rfc3339_micros(ms * 1000), "2026-11-21T10:00:01.250000Z");
        assert_eq!(format_rfc3339_micros(ms * 1000 + 7), "2026-11-21T10:00:01.250007Z");
        assert_eq!(format_rfc3339_micros(-1), "1969-12-31T23:59:59.999999Z");
    }
}
