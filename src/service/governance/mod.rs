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

/// A date of a document or a meeting: from 2000 and not after today in the region.
fn past_date(errors: &mut Vec<FieldError>, field: &str, day: NaiveDate, today: NaiveDate) {
    if day < EARLIEST_DATE || day > today {
        errors.push(FieldError::new(
            field,
            format!("must be a date from {EARLIEST_DATE} to today ({today})"),
        ));
    }
}

/// Today in the region's timezone.
fn today(conn: &mut crate::db::DbConn, now: DateTime<Utc>) -> Result<NaiveDate, ServiceError> {
    let region = crate::service::region::load(conn)?;
    Ok(now.with_timezone(&region.row.timezone.0).date_naive())
}
