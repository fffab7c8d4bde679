//! RFC 3339 timestamps and the virtual clock's arithmetic.
//!
//! Wait states, `TimestampEquals` and friends, and `$$.State.EnteredTime` all need instants;
//! the crate takes no time dependency, so the small part of ISO 8601 that Step Functions
//! accepts (RFC 3339 with an uppercase `T` and `Z` or a numeric offset) lives here. Instants
//! are nanoseconds since the Unix epoch, wide enough for any four-digit year.

/// Nanoseconds in a second.
pub(crate) const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Shift the year so it starts in March: the leap day is then the last day of a year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads `n` ASCII digits at `at`.
fn digits(bytes: &[u8], at: usize, n: usize) -> Option<i64> {
    let slice = bytes.get(at..at + n)?;
    let mut value = 0i64;
    for b in slice {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(value)
}

/// Parses an RFC 3339 timestamp (`2016-03-14T01:59:00Z`, `...00.123+01:00`) into
/// nanoseconds since the epoch; `None` when it is not one.
pub(crate) fn parse_timestamp(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    let year = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(10) != Some(&b'T') {
        return None;
    }
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut nanos: i128 = 0;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        let mut scale = NANOS_PER_SECOND / 10;
        while let Some(d) = b.get(at).filter(|d| d.is_ascii_digit()) {
            nanos += i128::from(d - b'0') * scale;
            scale /= 10;
            at += 1;
        }
        if at == start {
            return None;
        }
    }
    let offset_minutes = match b.get(at) {
        Some(b'Z') if at + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if at + 6 == b.len() && b.get(at + 3) == Some(&b':') => {
            let h = digits(b, at + 1, 2)?;
            let m = digits(b, at + 4, 2)?;
            if h > 23 || m > 59 {
                return None;
            }
            let total = h * 60 + m;
            if *sign == b'-' { -total } else { total }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(i128::from(seconds) * NANOS_PER_SECOND + nanos)
}

/// Formats an instant as Step Functions does: UTC, milliseconds, `Z`.
pub(crate) fn format_timestamp(nanos: i128) -> String {
    let total_ms = nanos.div_euclid(1_000_000);
    let ms = total_ms.rem_euclid(1000);
    let secs = total_ms.div_euclid(1000);
    let days = i64::try_from(secs.div_euclid(86_400)).unwrap_or(0);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_offsets_to_the_same_instant() {
        let utc = parse_timestamp("2016-03-14T01:59:00Z");
        let offset = parse_timestamp("2016-03-14T02:59:00+01:00");
        assert!(utc.is_some());
        assert_eq!(utc, offset);
    }

    #[test]
    fn round_trips_through_formatting() {
        let t = parse_timestamp("2024-02-29T23:59:59.123Z");
        assert_eq!(
            t.map(format_timestamp).as_deref(),
            Some("2024-02-29T23:59:59.123Z")
        );
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn rejects_what_rfc_3339_does_not_allow() {
        for bad in [
            "2016-03-14",
            "2016-03-14t01:59:00Z",
            "2016-03-14T01:59:00z",
            "2016-02-30T00:00:00Z",
            "2016-03-14T01:59:00",
            "2016-03-14T01:59:00.Z",
            "2016-03-14T25:00:00Z",
            "",
            "ééééééééééééééééééééé",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}
