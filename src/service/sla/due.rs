//! What the SLA engine (`jobs::sla_engine`) does on each wake-up: handle the tickets whose
//! stored SLA instant has come, in batches; and the bell that wakes it early.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::db::{self, savepoint, write_tx};
use crate::domain::calendar::BusinessCalendar;
use crate::service::sla::{Held, clocks, load_calendar};
use crate::service::tickets::change::TicketChange;
use crate::service::{Desk, ServiceError};

/// How long a ticket whose alerts cannot be handled waits before the next attempt, so that
/// it does not hold up the others.
const RETRY_AFTER: chrono::Duration = chrono::Duration::minutes(1);

#[derive(Debug, Default)]
struct BellState {
    stopped: bool,
    rung: bool,
    wake_at: Option<DateTime<Utc>>,
}

/// Wakes the engine early when a commit stores an SLA instant earlier than the one it sleeps
/// towards (a new ticket, a resumed one), and stops it.
#[derive(Debug, Default)]
pub struct Bell {
    state: Mutex<BellState>,
    changed: Condvar,
}

impl Bell {
    fn lock(&self) -> std::sync::MutexGuard<'_, BellState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells the engine about an instant now stored; `None`: some instant changed.
    pub(in crate::service) fn ring(&self, at: Option<DateTime<Utc>>) {
        let mut state = self.lock();
        if state
            .wake_at
            .is_some_and(|wake_at| at.is_none_or(|at| at < wake_at))
        {
            state.rung = true;
            self.changed.notify_all();
        }
    }

    /// Sleeps `wait` (towards `wake_at` on the service clock) unless rung or stopped before;
    /// returns whether the engine should stop.
    pub fn sleep(&self, wake_at: DateTime<Utc>, wait: Duration) -> bool {
        let mut state = self.lock();
        state.wake_at = Some(wake_at);
        state.rung = false;
        let (mut state, _) = self
            .changed
            .wait_timeout_while(state, wait, |s| !s.stopped && !s.rung)
            .unwrap_or_else(|e| e.into_inner());
        state.wake_at = None;
        state.stopped
    }

    /// Whether the engine is told to stop.
    pub fn is_stopped(&self) -> bool {
        self.lock().stopped
    }

    /// Stops the engine.
    pub fn stop(&self) {
        self.lock().stopped = true;
        self.changed.notify_all();
    }
}

impl Desk {
    /// Handles up to `limit` tickets whose SLA instant has come, in one transaction with their
    /// rows locked: records warnings and breaches, escalates, stores each next instant.
    /// Returns how many tickets it handled. `in_hand` names the ticket being handled, so that
    /// one whose handling panics can be put off (see [`Desk::put_off_sla`]).
    pub fn handle_due_sla(
        &self,
        limit: i64,
        in_hand: &mut Option<String>,
    ) -> Result<usize, ServiceError> {
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let due = db::ticket_sla::claim_due(conn, now.naive_utc(), limit)?;
            let handled = due.len();
            let mut calendars: HashMap<String, Arc<BusinessCalendar>> = HashMap::new();
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
                        sla: clocks(&row, &ticket.priority)?,
                        calendar,
                        row,
                    };
                    TicketChange::claimed(self, conn, ticket, Some(held), now)?
                        .commit(conn)
                        .map(drop)
                });
                if let Err(error) = handled {
                    tracing::error!(%error, ticket_id, "SLA alerts of a ticket put off");
                    retry_row.next_event_at = Some((now + RETRY_AFTER).naive_utc());
                    db::ticket_sla::update(conn, &retry_row)?;
                }
                *in_hand = None;
            }
            Ok(handled)
        })
    }

    /// Puts off the SLA alerts of a ticket whose handling panicked, as one whose handling
    /// failed, so that it does not stop the engine again at once.
    pub fn put_off_sla(&self, ticket_id: &str) -> Result<(), ServiceError> {
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            if let Some(mut row) = db::ticket_sla::find_for_update(conn, ticket_id)? {
                row.next_event_at = Some((now + RETRY_AFTER).naive_utc());
                db::ticket_sla::update(conn, &row)?;
            }
            Ok(())
        })
    }

    /// The bell the SLA engine sleeps on.
    pub fn sla_bell(&self) -> &Bell {
        &self.sla_bell
    }

    /// The earliest stored SLA instant of any ticket.
    pub fn next_sla_instant(&self) -> Result<Option<DateTime<Utc>>, ServiceError> {
        Ok(db::ticket_sla::next_event_at(&mut *self.conn()?)?.map(|at| at.and_utc()))
    }
}
