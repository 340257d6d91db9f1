//! What the SLA engine (`jobs::sla_engine`) does on each wake-up, on a handle of its own: the
//! tickets whose stored SLA instant has come are changed, in batches, through the same
//! `TicketChange` as every other change; the months over their downtime budget are recorded.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::db::{self, savepoint, write_tx};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::ids::{CalendarId, TicketId};
use crate::service::sla::bell::Bell;
use crate::service::sla::{Held, clocks, load_calendar};
use crate::service::tickets::change::TicketChange;
use crate::service::{Desk, ServiceError};

/// How long a ticket whose alerts cannot be handled waits before the next attempt, so that
/// it does not hold up the others.
const RETRY_AFTER: chrono::Duration = chrono::Duration::minutes(1);

/// The SLA engine's work on a desk. Only the engine's thread, and the demo's history (which
/// plays the engine's passes), make one.
pub struct SlaEngineWork<'a> {
    desk: &'a Desk,
}

impl<'a> SlaEngineWork<'a> {
    /// The engine's work on `desk`.
    pub fn of(desk: &'a Desk) -> Self {
        Self { desk }
    }

    /// Handles up to `limit` tickets whose SLA instant has come, in one transaction with their
    /// rows locked: records warnings and breaches, escalates, stores each next instant.
    /// Returns how many tickets it handled. `in_hand` names the ticket being handled, so that
    /// one whose handling panics can be put off (see [`SlaEngineWork::put_off`]).
    pub fn handle_due(
        &self,
        limit: i64,
        in_hand: &mut Option<TicketId>,
    ) -> Result<usize, ServiceError> {
        let now = self.desk.now();
        let mut conn = self.desk.conn()?;
        write_tx(&mut conn, |conn| {
            let due = db::ticket_sla::claim_due(conn, now.into(), limit)?;
            let handled = due.len();
            let mut calendars: HashMap<CalendarId, Arc<BusinessCalendar>> = HashMap::new();
            for (ticket, row) in due {
                let calendar = match calendars.get(&row.calendar_id) {
                    Some(calendar) => calendar.clone(),
                    None => {
                        let calendar = Arc::new(load_calendar(conn, &row.calendar_id)?);
                        calendars.insert(row.calendar_id.clone(), calendar.clone());
                        calendar
                    }
                };
                let ticket_id = ticket.id.clone();
                *in_hand = Some(ticket_id.clone());
                #[cfg(debug_assertions)]
                crate::faults::panic_if_marked("sla-engine", &ticket.title);
                let mut retry_row = row.clone();
                // A savepoint per ticket: one that fails is put off, the others go on.
                let handled = savepoint(conn, |conn| {
                    let held = Held {
                        sla: clocks(&row, ticket.priority)?,
                        calendar,
                        row,
                    };
                    TicketChange::claimed(self.desk, conn, ticket, Some(held), now)?
                        .commit(conn)
                        .map(drop)
                });
                if let Err(error) = handled {
                    tracing::error!(%error, %ticket_id, "SLA alerts of a ticket put off");
                    retry_row.next_event_at = Some((now + RETRY_AFTER).into());
                    db::ticket_sla::update(conn, &retry_row)?;
                }
                *in_hand = None;
            }
            Ok(handled)
        })
    }

    /// Puts off the SLA alerts of a ticket whose handling panicked, as one whose handling
    /// failed, so that it does not stop the engine again at once.
    pub fn put_off(&self, ticket_id: &TicketId) -> Result<(), ServiceError> {
        let now = self.desk.now();
        let mut conn = self.desk.conn()?;
        write_tx(&mut conn, |conn| {
            if let Some(mut row) = db::ticket_sla::find_for_update(conn, ticket_id)? {
                row.next_event_at = Some((now + RETRY_AFTER).into());
                db::ticket_sla::update(conn, &row)?;
            }
            Ok(())
        })
    }

    /// The bell the SLA engine sleeps on.
    pub fn bell(&self) -> &Bell {
        &self.desk.sla_bell
    }

    /// The earliest stored SLA instant of any ticket.
    pub fn next_instant(&self) -> Result<Option<DateTime<Utc>>, ServiceError> {
        Ok(db::ticket_sla::next_event_at(&mut *self.desk.conn()?)?.map(|at| at.get()))
    }

    /// Records each month of a service over its downtime budget, once, with its mail.
    pub fn check_downtime_budgets(&self) -> Result<usize, ServiceError> {
        self.desk.check_downtime_budgets()
    }
}
