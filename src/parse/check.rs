//! Plausibility checks on a record's values. A value that cannot be what its
//! field says (a time outside 2000-2100, a negative latency, status 4290) is
//! dropped from the record rather than averaged in or charted, and the record
//! notes why in an [`Invalid`] set: one byte, no allocation. The record itself
//! stays (it is still a success or a failure); the aggregate stage counts the
//! drops by reason with their first places.
//!
//! Absent is not invalid: `null` and `""` mean "not logged".

use super::Raw;

/// The longest latency taken as real: one day. Longer ones are clock or unit
/// mistakes (a latency logged in microseconds, an end time of zero).
pub const MAX_LATENCY_MS: f64 = 86_400_000.0;

/// The longest retry-after taken as real: one day (daily limits reset within it).
pub const MAX_RETRY_AFTER_S: f64 = 86_400.0;

/// The highest attempt number taken as real.
pub const MAX_ATTEMPT: f64 = 1_000.0;

/// Why a value was dropped from a record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Invalid {
    /// `ts` is not a real date and time between 2000 and 2100.
    Time,
    /// `latency_ms` is negative, not a number, or above [`MAX_LATENCY_MS`].
    Latency,
    /// `status` is not an integer from 100 to 599 (0 means no response).
    Status,
    /// `retry_after` is negative, not a number, or above [`MAX_RETRY_AFTER_S`].
    RetryAfter,
    /// `attempt` is not an integer from 0 to [`MAX_ATTEMPT`].
    Attempt,
}

impl Invalid {
    /// Every reason, in report order.
    pub const ALL: [Invalid; 5] =
        [Invalid::Time, Invalid::Latency, Invalid::Status, Invalid::RetryAfter, Invalid::Attempt];

    /// The id used in reports (`invalid_time`, ...).
    pub fn id(self) -> &'static str {
        match self {
            Invalid::Time => "invalid_time",
            Invalid::Latency => "invalid_latency",
            Invalid::Status => "invalid_status",
            Invalid::RetryAfter => "invalid_retry_after",
            Invalid::Attempt => "invalid_attempt",
        }
    }

    /// The reason in words.
    pub fn describe(self) -> &'static str {
        match self {
            Invalid::Time => "time not a real date and time from 2000 to 2100",
            Invalid::Latency => "latency negative, not a number or over a day",
            Invalid::Status => "status not an HTTP status (100-599, or 0 for no response)",
            Invalid::RetryAfter => "retry-after negative, not a number or over a day",
            Invalid::Attempt => "attempt not a whole number from 0 to 1000",
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The values dropped from one record: one bit per [`Invalid`] reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InvalidSet(u8);

impl InvalidSet {
    /// Whether nothing was dropped.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `reason` is in the set.
    pub fn contains(self, reason: Invalid) -> bool {
        self.0 & reason.bit() != 0
    }

    /// Adds `reason`.
    pub fn insert(&mut self, reason: Invalid) {
        self.0 |= reason.bit();
    }

    /// The reasons in the set, in [`Invalid::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Invalid> {
        Invalid::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

/// A field's value checked by `parse`: `None` when absent (`null`, `""`) or
/// dropped; a dropped value adds `reason` to `invalid`.
pub fn checked<T>(
    raw: Option<Raw<'_>>,
    reason: Invalid,
    invalid: &mut InvalidSet,
    parse: impl FnOnce(Raw<'_>) -> Option<T>,
) -> Option<T> {
    let raw = raw.filter(|r| !matches!(r, Raw::Other(b"null") | Raw::Str { bytes: [], .. }))?;
    let value = parse(raw);
    if value.is_none() {
        invalid.insert(reason);
    }
    value
}

/// An HTTP status, or 0 (clients that got no response log 0).
pub fn status(v: f64) -> Option<u16> {
    (v.fract() == 0.0 && (v == 0.0 || (100.0..=599.0).contains(&v))).then_some(v as u16)
}

/// A latency in milliseconds.
pub fn latency_ms(v: f64) -> Option<f64> {
    (0.0..=MAX_LATENCY_MS).contains(&v).then_some(v)
}

/// A retry-after in seconds.
pub fn retry_after_s(v: f64) -> Option<f64> {
    (0.0..=MAX_RETRY_AFTER_S).contains(&v).then_some(v)
}

/// An attempt number (0 = first try).
pub fn attempt(v: f64) -> Option<u32> {
    (v.fract() == 0.0 && (0.0..=MAX_ATTEMPT).contains(&v)).then_some(v as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_hold_each_reason_once_in_order() {
        let mut set = InvalidSet::default();
        assert!(set.is_empty());
        set.insert(Invalid::Status);
        set.insert(Invalid::Time);
        set.insert(Invalid::Status);
        assert_eq!(set.iter().collect::<Vec<_>>(), [Invalid::Time, Invalid::Status]);
        assert!(!set.contains(Invalid::Latency));
    }

    #[test]
    fn bounds() {
        assert_eq!(status(0.0), Some(0));
        assert_eq!(status(99.0), None);
        assert_eq!(status(599.0), Some(599));
        assert_eq!(status(600.0), None);
        assert_eq!(status(-429.0), None);
        assert_eq!(status(429.5), None);
        assert_eq!(latency_ms(0.0), Some(0.0));
        assert_eq!(latency_ms(-1.0), None);
        assert_eq!(latency_ms(MAX_LATENCY_MS), Some(MAX_LATENCY_MS));
        assert_eq!(latency_ms(MAX_LATENCY_MS + 1.0), None);
        assert_eq!(latency_ms(f64::NAN), None);
        assert_eq!(retry_after_s(-1.0), None);
        assert_eq!(retry_after_s(90_000.0), None);
        assert_eq!(attempt(3.0), Some(3));
        assert_eq!(attempt(-1.0), None);
        assert_eq!(attempt(1.5), None);
        assert_eq!(attempt(1e9), None);
    }

    #[test]
    fn absent_is_not_invalid() {
        let mut set = InvalidSet::default();
        let never = |_: Raw<'_>| -> Option<f64> { None };
        assert_eq!(checked(None, Invalid::Latency, &mut set, never), None);
        assert_eq!(checked(Some(Raw::Other(b"null")), Invalid::Latency, &mut set, never), None);
        let empty = Raw::Str { bytes: b"", escaped: false };
        assert_eq!(checked(Some(empty), Invalid::Latency, &mut set, never), None);
        assert!(set.is_empty());
        assert_eq!(checked(Some(Raw::Other(b"-1")), Invalid::Latency, &mut set, never), None);
        assert_eq!(set.iter().collect::<Vec<_>>(), [Invalid::Latency]);
    }
}
