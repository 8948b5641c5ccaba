//! Timestamps: RFC 3339 strings and epoch numbers in, epoch milliseconds out.
//!
//! Hand-written rather than a date crate because the parser runs on every line and
//! only needs UTC civil-date arithmetic (Howard Hinnant's days-from-civil).

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// .NET ticks (100 ns since 0001-01-01) at the Unix epoch.
const TICKS_AT_EPOCH: f64 = 621_355_968_000_000_000.0;

/// Interprets an epoch number by magnitude: seconds, milliseconds, microseconds or
/// nanoseconds (a log of today in seconds is ~1.7e9, in ms ~1.7e12, ...), and
/// .NET ticks (Azure exports; ~6.4e17 today, where nanoseconds would mean the 1990s).
pub fn from_epoch(value: f64) -> Option<Millis> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    if (5e17..1e18).contains(&value) {
        return Some(((value - TICKS_AT_EPOCH) / 10_000.0) as Millis);
    }
    let ms = match value {
        v if v < 1e11 => v * 1e3,
        v if v < 1e14 => v,
        v if v < 1e17 => v / 1e3,
        v => v / 1e6,
    };
    Some(ms as Millis)
}

/// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|±HH:MM|±HHMM]`; no zone means UTC.
/// A bare date `YYYY-MM-DD` is midnight UTC. Runs on every line: fixed
/// positions, no loops but the fraction's.
pub fn parse_rfc3339(s: &[u8]) -> Option<Millis> {
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    let (year, month, day) = (digits(s, 0, 4)?, digits(s, 5, 2)?, digits(s, 8, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
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
    let (second, mut i) = match s.get(16) {
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
    let minutes = digits(&hh, 0, 2)? * 60 + digits(&mm, 0, 2)?;
    Some(if *sign == b'-' { -minutes } else { minutes })
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
    fn format_round_trips() {
        for s in ["2026-11-21T10:00:00Z", "1999-12-31T23:59:59.999Z", "2000-02-29T00:00:00Z"] {
            assert_eq!(format_rfc3339(parse_rfc3339(s.as_bytes()).unwrap()), s);
        }
        assert_eq!(format_date(0), "1970-01-01");
    }
}
