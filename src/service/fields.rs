//! Checks shared by every use case that takes text from a caller: each problem is noted
//! against the field's name, so that one answer lists them all.

use chrono::{DateTime, NaiveDate, Utc};
use icu_properties::props::{BidiControl, DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};
use serde::{Deserialize, Deserializer};

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};

use super::FieldError;
use crate::domain::email::EmailAddress;
use crate::domain::zone::Zone;

/// Trimmed text of 1 to `max` characters on one line: a title, a name, a label. Such text is
/// shown in lists, mail subjects and headers, CSV cells and logs, where a line break, a tab
/// or another control character would forge a line or a cell, a bidirectional control would
/// make it read in another order than it is stored (a spoofed name), and text with nothing
/// visible would be a ticket or an account nobody can tell apart.
pub(super) fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) -> String {
    let trimmed = value.trim();
    let problem = if trimmed.is_empty() || trimmed.chars().count() > max {
        Some(format!("must be 1 to {max} characters"))
    } else if value.chars().any(breaks_the_line) {
        Some("must be one line without control characters (no line break or tab)".to_owned())
    } else if trimmed.chars().any(is_bidi_control) {
        Some(
            "must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C)"
                .to_owned(),
        )
    } else if !trimmed.chars().any(is_visible) {
        Some("must contain at least one visible character".to_owned())
    } else {
        None
    };
    if let Some(message) = problem {
        errors.push(FieldError::new(field, message));
    }
    trimmed.to_owned()
}

/// Controls, and Unicode's own line and paragraph separators (U+2028, U+2029), which a
/// viewer may render as a line break just as well.
fn breaks_the_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Embeddings, overrides, isolates and the directional marks (Unicode's Bidi_Control).
fn is_bidi_control(c: char) -> bool {
    CodePointSetData::new::<BidiControl>().contains(c)
}

/// Whether a character leaves a mark on the screen: not a space, a control, a format character
/// (zero-width space, byte order mark, ...), one Unicode says to ignore when it is not
/// supported (Hangul fillers, variation selectors), an unassigned code point, a combining mark
/// (visible only on a character before it), or the blank Braille pattern.
fn is_visible(c: char) -> bool {
    let invisible_category = matches!(
        CodePointMapData::<GeneralCategory>::new().get(c),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::Unassigned
            | GeneralCategory::Surrogate
            | GeneralCategory::SpaceSeparator
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::NonspacingMark
            | GeneralCategory::EnclosingMark
    );
    !(invisible_category
        || c == '\u{2800}'
        || c.is_whitespace()
        || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c))
}

/// Text another system wrote, made fit for a title: line breaks, tabs and other controls
/// become spaces, bidirectional controls go, runs of spaces close up, and it is cut at `max`
/// characters. Empty when nothing visible is left.
pub(super) fn one_line(value: &str, max: usize) -> String {
    let spaced: String = value
        .chars()
        .filter(|&c| !is_bidi_control(c))
        .map(|c| if breaks_the_line(c) { ' ' } else { c })
        .collect();
    let line = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().any(is_visible) {
        line.chars().take(max).collect()
    } else {
        String::new()
    }
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
pub(super) const EARLIEST_INSTANT: &str = "1970-01-01T00:00:00Z";
/// See `EARLIEST_INSTANT`.
pub(super) const LATEST_INSTANT: &str = "9999-12-31T23:59:59Z";

/// An RFC 3339 timestamp between `EARLIEST_INSTANT` and `LATEST_INSTANT`, in whole seconds,
/// or nothing (with the problem noted).
pub(super) fn instant(
    errors: &mut Vec<FieldError>,
    field: &str,
    text: &str,
) -> Option<DateTime<Utc>> {
    let bound = |text| DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc));
    let Some(at) = bound(text).ok().filter(|at| !is_leap_second(*at)) else {
        errors.push(FieldError::new(
            field,
            "must be an RFC 3339 timestamp such as 2026-11-23T03:15:00Z",
        ));
        return None;
    };
    if within_instant_range(at) {
        return Some(whole_seconds(at));
    }
    errors.push(FieldError::new(
        field,
        format!("must be between {EARLIEST_INSTANT} and {LATEST_INSTANT}"),
    ));
    None
}

/// A date written exactly `YYYY-MM-DD`: chrono's own reading also takes `2026-3-1` and
/// `+2026-03-01`, which the contract's `format: date` does not.
pub(crate) fn calendar_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(deserializer)?;
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, byte)| match i {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    shaped
        .then(|| NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| serde::de::Error::custom("must be a date written YYYY-MM-DD"))
}

/// An optional date written exactly `YYYY-MM-DD`.
pub(crate) fn optional_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    Option::<DateText>::deserialize(deserializer).map(|day| day.map(|d| d.0))
}

/// A PATCH date: absent (`None`), `null` (`Some(None)`) or written `YYYY-MM-DD`.
pub(crate) fn present_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<NaiveDate>>, D::Error> {
    optional_date(deserializer).map(Some)
}

/// A date read by `calendar_date`.
struct DateText(NaiveDate);

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        calendar_date(deserializer).map(DateText)
    }
}

/// `at` without its fraction of a second. Every answer writes whole seconds; a fraction kept
/// would count time that no answer shows.
/// A leap second stays as it is, so that the checks that refuse it still see it.
pub(super) fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    if is_leap_second(at) {
        return at;
    }
    chrono::SubsecRound::trunc_subsecs(at, 0)
}

/// Whether `at` was written with second 60. RFC 3339 allows it for a real leap second, but
/// UTC has none scheduled and the answers could not write it back as a valid instant.
pub(super) fn is_leap_second(at: DateTime<Utc>) -> bool {
    use chrono::Timelike;
    at.nanosecond() >= 1_000_000_000
}

/// Whether `at` lies between `EARLIEST_INSTANT` and `LATEST_INSTANT`, the instants the API
/// takes and answers.
pub(super) fn within_instant_range(at: DateTime<Utc>) -> bool {
    let bound = |text| DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc));
    matches!(
        (bound(EARLIEST_INSTANT), bound(LATEST_INSTANT)),
        (Ok(earliest), Ok(latest)) if (earliest..=latest).contains(&at)
    )
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

/// The id a filter's id or code found; finding none is a fault of `field`, so that a mistyped
/// code is told rather than answered with an empty list.
pub(super) fn known<Id>(
    errors: &mut Vec<FieldError>,
    field: &str,
    found: Option<Id>,
) -> Option<Id> {
    if found.is_none() {
        errors.push(FieldError::new(field, "names no known id or code"));
    }
    found
}

/// The contract's schema of a text parameter that takes one of `values`.
/// An IANA timezone, or the field's error (and UTC in its place, which a refused request
/// never uses).
pub(crate) fn zone(errors: &mut Vec<FieldError>, field: &str, name: &str) -> Zone {
    name.parse().unwrap_or_else(|_| {
        errors.push(FieldError::new(
            field,
            "must be an IANA timezone such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura",
        ));
        Zone(chrono_tz::Tz::UTC)
    })
}

pub(crate) fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
}

/// The contract's schema of a comma-separated list of `values` (`style: form`, `explode: false`).
pub(crate) fn list_of<'a>(values: impl IntoIterator<Item = &'a str>) -> ArrayBuilder {
    ArrayBuilder::new().items(one_of(values))
}
