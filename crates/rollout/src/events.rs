//! The events CloudFormation records while it works on a stack (DescribeStackEvents), and
//! the one question a failed deployment asks of them: which failure came first that was
//! not a consequence of another?
//!
//! When one resource fails, CloudFormation cancels every resource still in progress
//! ("Resource creation cancelled"), then rolls back, and the stack itself fails with a
//! summary ("The following resource(s) failed to create: `[...]`"). Shown newest first, as
//! the API returns them, the cause sits under a screenful of consequences; [`root_cause`]
//! finds it whatever order the events come in.

use serde_json::Value;

/// One row of DescribeStackEvents, as CloudFormation documents it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackEvent {
    /// `EventId`: unique per event, so a poller can tell events it has seen.
    pub event_id: String,
    /// `StackName`.
    pub stack_name: String,
    /// `Timestamp`, RFC 3339 in UTC (`2026-12-07T10:00:01.123Z`);
    /// [`events_from_json`] writes it as [`normalise_timestamp`] does, so that timestamps
    /// sort as text.
    pub timestamp: String,
    /// `LogicalResourceId`: the resource's logical id, or the stack's own name for events
    /// about the stack itself.
    pub logical_id: String,
    /// `PhysicalResourceId`, when the resource has one yet.
    pub physical_id: Option<String>,
    /// `ResourceType`, e.g. `AWS::IAM::Role`; `AWS::CloudFormation::Stack` for the stack.
    pub resource_type: String,
    /// `ResourceStatus`, e.g. `CREATE_FAILED`.
    pub status: String,
    /// `ResourceStatusReason`, when CloudFormation gives one.
    pub reason: Option<String>,
}

impl StackEvent {
    /// Whether the event is about the stack itself rather than one of its resources (a
    /// nested stack is a resource of its parent, with a logical id of its own).
    pub fn is_stack(&self) -> bool {
        self.resource_type == "AWS::CloudFormation::Stack" && self.logical_id == self.stack_name
    }

    /// Whether the status is a failure (`CREATE_FAILED`, `UPDATE_FAILED`, ...).
    pub fn is_failed(&self) -> bool {
        self.status.ends_with("_FAILED")
    }

    /// Whether this failure is only the consequence of another one: a resource
    /// CloudFormation cancelled because something else failed ("Resource creation
    /// cancelled", "Resource update cancelled"), or the stack's summary of the resources
    /// that failed ("The following resource(s) failed to create: `[ApiRole]`.").
    pub fn is_cascade(&self) -> bool {
        let Some(reason) = self.reason.as_deref() else {
            return false;
        };
        let reason = reason.trim().trim_end_matches('.');
        let cancelled = {
            let words: Vec<&str> = reason.split_whitespace().collect();
            matches!(words.as_slice(), ["Resource", _, "cancelled"])
        };
        cancelled || reason.starts_with("The following resource(s) failed to ")
    }
}

/// Parses a DescribeStackEvents response in the documented JSON shape
/// (`{"StackEvents": [{"EventId", "StackName", "Timestamp", "LogicalResourceId",
/// "PhysicalResourceId", "ResourceType", "ResourceStatus", "ResourceStatusReason"}]}`),
/// keeping the API's order. A missing text field reads as empty; an entry that is not an
/// object is skipped. Timestamps are normalised ([`normalise_timestamp`]) when they parse,
/// and kept as written when they do not.
pub fn events_from_json(describe_stack_events_response: &Value) -> Vec<StackEvent> {
    let Some(rows) = describe_stack_events_response
        .get("StackEvents")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(Value::as_object)
        .map(|row| {
            let text = |key: &str| row.get(key).and_then(Value::as_str).map(str::to_owned);
            let timestamp = text("Timestamp").unwrap_or_default();
            StackEvent {
                event_id: text("EventId").unwrap_or_default(),
                stack_name: text("StackName").unwrap_or_default(),
                timestamp: normalise_timestamp(&timestamp).unwrap_or(timestamp),
                logical_id: text("LogicalResourceId").unwrap_or_default(),
                physical_id: text("PhysicalResourceId").filter(|id| !id.is_empty()),
                resource_type: text("ResourceType").unwrap_or_default(),
                status: text("ResourceStatus").unwrap_or_default(),
                reason: text("ResourceStatusReason").filter(|r| !r.is_empty()),
            }
        })
        .collect()
}

/// An RFC 3339 timestamp (`2026-12-07T10:00:01.123Z`, `2026-12-07T11:00:01.123456+01:00`,
/// as the API and the AWS CLI write them) as UTC with milliseconds,
/// `2026-12-07T10:00:01.123Z`, the precision CloudFormation records. Two normalised
/// timestamps compare as text as they do in time. `None` when `text` is not one.
pub fn normalise_timestamp(text: &str) -> Option<String> {
    instant(text).map(format_instant)
}

/// The events oldest first. DescribeStackEvents returns them newest first; a caller may
/// have reversed them, or gathered several pages: the order they arrive in is read from
/// their first and last timestamps, then they are sorted by time, events of the same
/// millisecond keeping their order of occurrence. When a timestamp does not parse, the
/// arrival order is kept (reversed when it looks newest first).
pub fn chronological(events: &[StackEvent]) -> Vec<&StackEvent> {
    let instants: Vec<Option<i64>> = events.iter().map(|e| instant(&e.timestamp)).collect();
    let first = instants.iter().flatten().next();
    let last = instants.iter().rev().flatten().next();
    // Equal or unknown ends: the API's order, newest first.
    let oldest_first = matches!((first, last), (Some(a), Some(b)) if a < b);
    let mut order: Vec<usize> = (0..events.len()).collect();
    if !oldest_first {
        order.reverse();
    }
    if instants.iter().all(Option::is_some) {
        // Stable: ties keep their order of occurrence.
        order.sort_by_key(|&i| instants[i]);
    }
    order.into_iter().map(|i| &events[i]).collect()
}

/// The events of the latest operation on the stack, oldest first: from the last event of
/// the stack itself that says `User Initiated` (a create, update, delete or import being
/// started, by a change set or otherwise). DescribeStackEvents returns the stack's whole
/// history, and a failure of last week's deployment is not this one's cause. All events
/// when none says so (the caller kept only this operation's).
pub fn latest_operation(events: &[StackEvent]) -> Vec<&StackEvent> {
    let mut ordered = chronological(events);
    let start = ordered.iter().rposition(|e| {
        e.is_stack()
            && e.status.ends_with("_IN_PROGRESS")
            && e.reason.as_deref().map(str::trim) == Some("User Initiated")
    });
    if let Some(start) = start {
        ordered.drain(..start);
    }
    ordered
}

/// The event that explains a failed deployment: within the latest operation
/// ([`latest_operation`]), the earliest failed resource event that is not a cascade
/// ([`StackEvent::is_cascade`]). When no resource failed for a reason of its own, the
/// earliest event of the stack itself that failed or started a rollback with a reason that
/// is not a summary (an export still in use, a cancelled update, a hook that failed).
/// `None` when the events name no cause (say, the page holding it was not fetched).
/// Events may come in any order.
pub fn root_cause(events: &[StackEvent]) -> Option<&StackEvent> {
    let operation = latest_operation(events);
    let resource = operation
        .iter()
        .find(|e| !e.is_stack() && e.is_failed() && !e.is_cascade());
    let stack = || {
        operation.iter().find(|e| {
            let reason = e.reason.as_deref().unwrap_or("").trim();
            e.is_stack()
                && (e.is_failed() || e.status.ends_with("ROLLBACK_IN_PROGRESS"))
                && !reason.is_empty()
                && reason != "User Initiated"
                && !e.is_cascade()
        })
    };
    resource.or_else(stack).copied()
}

/// Milliseconds since 1970 (UTC) of an RFC 3339 timestamp; `None` when it is not one.
pub(crate) fn instant(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, c)| b.get(at) != Some(&c))
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    // A leap second counts as the last second of its minute.
    let mut millis = ((days * 24 + hour) * 60 + minute) * 60_000 + second.min(59) * 1000;
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        let digits = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        let kept = &b[at + 1..at + 1 + digits.min(3)];
        let fraction = kept.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0'));
        millis += fraction * 10_i64.pow(3 - kept.len() as u32);
        at += 1 + digits;
    }
    match b.get(at..)? {
        [b'Z' | b'z'] => Some(millis),
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (number(at + 1..at + 3)?, number(at + 4..at + 6)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = (hours * 60 + minutes) * 60_000;
            Some(if *sign == b'+' {
                millis - offset
            } else {
                millis + offset
            })
        }
        _ => None,
    }
}

fn format_instant(millis: i64) -> String {
    let (days, rest) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (rest / 3_600_000, rest / 60_000 % 60);
    let (second, milli) = (rest / 1000 % 60, rest % 1000);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
}

/// Days since 1970-01-01 of a date of the proleptic Gregorian calendar, counting years
/// from March so that the leap day comes last; `None` for a date that does not exist.
fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    if !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    // 31 February maps onto March: a date that does not come back is not a date.
    (civil_from_days(days) == (year, month, day)).then_some(days)
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_normalise_to_utc_milliseconds() {
        let same = "2026-12-07T10:00:01.123Z";
        assert_eq!(normalise_timestamp(same).as_deref(), Some(same));
        for other in [
            "2026-12-07T10:00:01.123000+00:00",
            "2026-12-07T11:00:01.1234+01:00",
            "2026-12-07 05:30:01.123-04:30",
        ] {
            assert_eq!(normalise_timestamp(other).as_deref(), Some(same), "{other}");
        }
        assert_eq!(
            normalise_timestamp("2026-12-07T10:00:01Z").as_deref(),
            Some("2026-12-07T10:00:01.000Z")
        );
        assert_eq!(
            normalise_timestamp("2024-03-01T00:30:00.5+01:00").as_deref(),
            Some("2024-02-29T23:30:00.500Z")
        );
        for bad in [
            "",
            "yesterday",
            "2026-02-30T10:00:00Z",
            "2026-12-07T10:00:01",
            "2026-12-07T24:00:00Z",
            "2026-12-07T10:00:01.Z",
        ] {
            assert_eq!(normalise_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_round_trip_across_centuries() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), Some(days));
        }
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 2, 29), Some(11_016));
        assert_eq!(days_from_civil(1900, 2, 29), None);
    }
}
