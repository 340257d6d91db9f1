//! Each region's governance (docs/governance.md): what its regulation asks beyond tickets.
//! Palangka Raya's criticality designation, breach register, the Komite's letters and
//! temporary closures; Tojo Una-Una's and Kupang's Tier 1 in every PD; Ambon's supervisions;
//! Batu's problem inventory.

pub mod closures;
pub mod criticality;
pub mod letters;
pub mod problems;
pub mod supervision;
pub mod tier1;

use chrono::{DateTime, NaiveDate, Utc};

use crate::auth::Caller;
use crate::db::models::ServiceRow;
use crate::domain::role::Role;
use crate::service::{FieldError, ServiceError};

/// The earliest date a decree, letter or supervision may carry.
const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(day) => day,
    None => panic!("a valid date"),
};

/// Governance records are the Dinas's and the overseers' to read: every record in the region,
/// never integrations (they hold people's names and decrees).
fn overseers_only(caller: &Caller) -> Result<(), ServiceError> {
    if caller.role.reads_everything() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// What a PD does for its own service (propose it, record its repair), Tier 1 of another PD
/// may not; `what` says the deed.
fn owning_pd_only(caller: &Caller, service: &ServiceRow, what: &str) -> Result<(), ServiceError> {
    if caller.role == Role::Tier1 && caller.unit_id.as_ref() != Some(&service.owner_unit_id) {
        return Err(ServiceError::Denied(format!(
            "only the owning PD's Tier 1 may {what}"
        )));
    }
    Ok(())
}

/// A date of a document or a meeting: from 2000 and not after today in the region.
pub(in crate::service) fn past_date(
    errors: &mut Vec<FieldError>,
    field: &str,
    day: NaiveDate,
    today: NaiveDate,
) {
    if day < EARLIEST_DATE || day > today {
        errors.push(FieldError::new(
            field,
            format!("must be a date from {EARLIEST_DATE} to today ({today})"),
        ));
    }
}

/// Today in the region's timezone.
pub(in crate::service) fn today(
    conn: &mut crate::db::DbConn,
    now: DateTime<Utc>,
) -> Result<NaiveDate, ServiceError> {
    let region = crate::service::region::load(conn)?;
    Ok(now.with_timezone(&region.row.timezone.0).date_naive())
}
