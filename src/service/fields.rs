//! Checks shared by every use case that takes text from a caller: each problem is noted
//! against the field's name, so that one answer lists them all.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

use super::FieldError;
use crate::domain::email::EmailAddress;

/// Trimmed text of 1 to `max` characters.
pub(super) fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    value.to_owned()
}

/// Trimmed text of at most `max` characters, possibly empty.
pub(super) fn optional_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    max: usize,
) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    value.to_owned()
}

/// A short unique code (units, services): 1 to 32 letters, digits, `-` or `_`, upper-cased.
pub(super) fn code(errors: &mut Vec<FieldError>, value: &str) -> String {
    let code = value.trim().to_ascii_uppercase();
    let valid = (1..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        errors.push(FieldError::new(
            "code",
            "must be 1 to 32 letters, digits, - or _",
        ));
    }
    code
}

/// An email address, or nothing (with the problem noted) when it is malformed.
pub(super) fn email(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
) -> Option<EmailAddress> {
    EmailAddress::parse(value)
        .map_err(|error| errors.push(FieldError::new(field, error.to_string())))
        .ok()
}

/// The instants a query may name: RFC 3339 years, from the Unix epoch on. Whatever a
/// filter or a report period needs fits, and nothing near the ends of time reaches arithmetic.
const EARLIEST_INSTANT: &str = "1970-01-01T00:00:00Z";
/// See `EARLIEST_INSTANT`.
const LATEST_INSTANT: &str = "9999-12-31T23:59:59Z";

/// An RFC 3339 timestamp between `EARLIEST_INSTANT` and `LATEST_INSTANT`, or nothing (with
/// the problem noted).
pub(super) fn instant(
    errors: &mut Vec<FieldError>,
    field: &str,
    text: &str,
) -> Option<DateTime<Utc>> {
    let bound = |text| DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc));
    let Ok(at) = bound(text) else {
        errors.push(FieldError::new(
            field,
            "must be an RFC 3339 timestamp such as 2026-11-23T03:15:00Z",
        ));
        return None;
    };
    match (bound(EARLIEST_INSTANT), bound(LATEST_INSTANT)) {
        (Ok(earliest), Ok(latest)) if (earliest..=latest).contains(&at) => Some(at),
        _ => {
            errors.push(FieldError::new(
                field,
                format!("must be between {EARLIEST_INSTANT} and {LATEST_INSTANT}"),
            ));
            None
        }
    }
}

/// A calendar date in `HOLIDAY_YEARS`, noted against `field` when it is not.
pub(super) fn holiday_date(errors: &mut Vec<FieldError>, field: &str, date: NaiveDate) {
    use chrono::Datelike;
    let years = crate::domain::calendar::HOLIDAY_YEARS;
    if !years.contains(&date.year()) {
        errors.push(FieldError::new(
            field,
            format!(
                "must be a date from {}-01-01 to {}-12-31",
                years.start(),
                years.end()
            ),
        ));
    }
}

/// Tells "absent" (`None`) from "null" (`Some(None)`) in a PATCH body.
pub(super) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
