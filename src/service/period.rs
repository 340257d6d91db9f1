//! The period of a report: `from` and `to` (RFC 3339), or a month of the region.

use chrono::{DateTime, Months, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::domain::availability::Month;
use crate::service::fields::{EARLIEST_INSTANT, LATEST_INSTANT};
use crate::service::{FieldError, ServiceError, fields};

/// A Pemda's audit looks back at least two years (Pasal 47 of the Tojo Una-Una and Kupang
/// regulations, Pasal 37–38 of Ambon's); five years leave room for a whole term of office.
const LONGEST: Months = Months::new(60);

/// The period a report or a service's availability covers, as the query string names it.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// Start of the period (RFC 3339, 1970 to 9999); with `to`, or give `month`.
    #[param(format = DateTime, max_length = 64)]
    pub from: Option<String>,
    /// End of the period (RFC 3339), after `from` and at most five years later.
    #[param(format = DateTime, max_length = 64)]
    pub to: Option<String>,
    /// A month of the region (`YYYY-MM`), from its local midnight on the first to the
    /// next month's, instead of `from` and `to`.
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$", max_length = 7)]
    pub month: Option<String>,
}

impl PeriodQuery {
    /// The period named, as `[from, to)`.
    pub fn resolve(&self, timezone: Tz) -> Result<(DateTime<Utc>, DateTime<Utc>), ServiceError> {
        resolve(
            self.from.as_deref(),
            self.to.as_deref(),
            self.month.as_deref(),
            timezone,
        )
    }
}

/// Either both instants, at most five years apart, or a month from the region's local
/// midnight to the next month's.
fn resolve(
    from: Option<&str>,
    to: Option<&str>,
    month: Option<&str>,
    timezone: Tz,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ServiceError> {
    if let Some(month) = month {
        if from.is_some() || to.is_some() {
            return Err(ServiceError::field(
                "month",
                "must not be given together with from or to",
            ));
        }
        // The local month's instants must be ones the API answers: 9999-12 ends in 10000 UTC
        // west of Greenwich, and 1970-01 starts in 1969 east of it.
        return Month::named(month, timezone)
            .map(|month| (month.start, month.end))
            .filter(|(start, end)| {
                fields::within_instant_range(*start) && fields::within_instant_range(*end)
            })
            .ok_or_else(|| {
                ServiceError::field(
                    "month",
                    format!(
                        "must be a month such as 2026-11 whose local start and end lie between \
                         {EARLIEST_INSTANT} and {LATEST_INSTANT}"
                    ),
                )
            });
    }
    let mut errors = Vec::new();
    let mut instant = |field: &str, text: Option<&str>| match text {
        Some(text) => fields::instant(&mut errors, field, text),
        None => {
            errors.push(FieldError::new(field, "is required (or give month)"));
            None
        }
    };
    let (from, to) = (instant("from", from), instant("to", to));
    if let (Some(from), Some(to)) = (from, to) {
        if to <= from {
            errors.push(FieldError::new("to", "must be after from"));
        } else if from
            .checked_add_months(LONGEST)
            .is_some_and(|latest| to > latest)
        {
            errors.push(FieldError::new(
                "to",
                "must be at most five years after from",
            ));
        }
    }
    ServiceError::check(errors)?;
    from.zip(to)
        .ok_or_else(|| ServiceError::Internal("checked period".into()))
}
