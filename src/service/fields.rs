//! Checks shared by every use case that takes text from a caller: each problem is noted
//! against the field's name, so that one answer lists them all.

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

/// Tells "absent" (`None`) from "null" (`Some(None)`) in a PATCH body.
pub(super) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
