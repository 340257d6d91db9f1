//! Calendars ready for arithmetic, and the few read recently, reused for ticket views.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::db::{self, DbConn};
use crate::domain::calendar::{BusinessCalendar, WorkingHours};
use crate::domain::ids::CalendarId;
use crate::service::ServiceError;
use chrono::NaiveDate;

/// How long a calendar read for a ticket view is reused. Edits made through this process
/// take effect at once; another process's edit within this time. Stored due instants and the
/// engine always use the calendar as committed.
const CALENDAR_REUSE: Duration = Duration::from_secs(2);

type Cached = (Instant, Arc<BusinessCalendar>);

/// Calendars recently read, by id: a ticket read needs its calendar to show business time
/// left, and calendars change seldom.
#[derive(Default)]
pub(in crate::service) struct CalendarCache(Mutex<HashMap<CalendarId, Cached>>);

impl CalendarCache {
    /// The calendar, read at most `CALENDAR_REUSE` ago.
    pub(in crate::service) fn get(
        &self,
        conn: &mut DbConn,
        id: &CalendarId,
    ) -> Result<Arc<BusinessCalendar>, ServiceError> {
        let entries = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((read, calendar)) = entries().get(id)
            && read.elapsed() < CALENDAR_REUSE
        {
            return Ok(calendar.clone());
        }
        let calendar = Arc::new(load_calendar(conn, id)?);
        entries().insert(id.to_owned(), (Instant::now(), calendar.clone()));
        Ok(calendar)
    }

    /// Drops a calendar this process has just changed.
    pub(in crate::service) fn forget(&self, id: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }
}

/// A stored calendar, ready for arithmetic.
pub(in crate::service) fn load_calendar(
    conn: &mut DbConn,
    id: &CalendarId,
) -> Result<BusinessCalendar, ServiceError> {
    let row = db::calendars::find(conn, id)?
        .ok_or_else(|| ServiceError::Internal(format!("calendar {id} is missing")))?;
    let holidays = db::calendars::holidays(conn, id)?
        .iter()
        .map(|h| {
            h.day
                .parse::<NaiveDate>()
                .map_err(|e| ServiceError::Internal(format!("stored holiday {}: {e}", h.day)))
        })
        .collect::<Result<BTreeSet<_>, _>>()?;
    let hours: WorkingHours = serde_json::from_str(&row.working_hours)
        .map_err(|e| ServiceError::Internal(format!("stored working hours: {e}")))?;
    Ok(BusinessCalendar {
        timezone: row.timezone.0,
        always_open: row.always_open,
        hours,
        holidays,
    })
}
