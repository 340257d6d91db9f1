//! The SLA engine (SLA.md "The engine"): a thread in `serve` that sleeps until the earliest
//! stored SLA instant, handles the tickets due by then, and sleeps again. Its cost follows the
//! number of due tickets: when nothing is due it asks one indexed question per wake-up.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::sla::{Held, clocks, load_calendar, record_due_alerts};
use super::{Desk, ServiceError};
use crate::db::{self, savepoint, write_tx};
use crate::domain::calendar::BusinessCalendar;

/// Most tickets handled in one transaction.
const BATCH: i64 = 200;
/// The shortest sleep, so that tickets held by another transaction are not polled in a
/// busy loop.
const MIN_SLEEP: Duration = Duration::from_millis(5);
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
pub(super) struct Bell {
    state: Mutex<BellState>,
    changed: Condvar,
}

impl Bell {
    fn lock(&self) -> std::sync::MutexGuard<'_, BellState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells the engine about an instant now stored; `None`: some instant changed.
    pub(super) fn ring(&self, at: Option<DateTime<Utc>>) {
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
    fn sleep(&self, wake_at: DateTime<Utc>, wait: Duration) -> bool {
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

    fn stop(&self) {
        self.lock().stopped = true;
        self.changed.notify_all();
    }
}

/// The running engine; it stops and is joined when dropped.
pub struct SlaEngine {
    desk: Arc<Desk>,
    thread: Option<JoinHandle<()>>,
}

impl SlaEngine {
    /// Starts the engine on its own thread; it sleeps at most `tick` between checks.
    pub fn start(desk: Arc<Desk>, tick: Duration) -> std::io::Result<Self> {
        let engine_desk = desk.clone();
        let thread = std::thread::Builder::new()
            .name("sla-engine".into())
            .spawn(move || run(&engine_desk, tick))?;
        Ok(Self {
            desk,
            thread: Some(thread),
        })
    }
}

impl Drop for SlaEngine {
    fn drop(&mut self) {
        self.desk.sla_bell.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(desk: &Desk, tick: Duration) {
    loop {
        if let Err(error) = desk.check_downtime_budgets() {
            tracing::error!(%error, "the SLA engine could not check downtime budgets");
        }
        let now = desk.now();
        let next = desk.next_sla_instant().unwrap_or_else(|error| {
            tracing::error!(%error, "the SLA engine could not read the next instant");
            None
        });
        if next.is_some_and(|next| next <= now) {
            let handled = desk.handle_due_sla(BATCH).unwrap_or_else(|error| {
                tracing::error!(%error, "the SLA engine could not handle due tickets");
                0
            });
            // More may be due; when nothing could be handled, the due tickets are held by
            // other transactions, and the engine sleeps a moment before it looks again.
            if handled > 0 {
                continue;
            }
        }
        let tick_end = now + chrono::Duration::from_std(tick).unwrap_or(RETRY_AFTER);
        let wake_at = next.map_or(tick_end, |next| next.min(tick_end));
        let wait = (wake_at - now).to_std().unwrap_or_default().max(MIN_SLEEP);
        if desk.sla_bell.sleep(wake_at, wait) {
            return;
        }
    }
}

impl Desk {
    /// Handles up to `limit` tickets whose SLA instant has come, in one transaction with their
    /// rows locked: records warnings and breaches, escalates, stores each next instant.
    /// Returns how many tickets it handled.
    pub fn handle_due_sla(&self, limit: i64) -> Result<usize, ServiceError> {
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let due = db::ticket_sla::claim_due(conn, now.naive_utc(), limit)?;
            let mut calendars: HashMap<String, Arc<BusinessCalendar>> = HashMap::new();
            for (mut ticket, row) in due.iter().cloned() {
                let calendar = match calendars.get(&row.calendar_id) {
                    Some(calendar) => calendar.clone(),
                    None => {
                        let calendar = Arc::new(load_calendar(conn, &row.calendar_id)?);
                        calendars.insert(row.calendar_id.clone(), calendar.clone());
                        calendar
                    }
                };
                let ticket_id = ticket.id.clone();
                let mut retry_row = row.clone();
                // A savepoint per ticket: one that fails is put off, the others go on.
                let handled = savepoint(conn, |conn| {
                    let mut held = Held {
                        sla: clocks(&row, &ticket.priority)?,
                        calendar,
                        row,
                    };
                    if record_due_alerts(conn, &mut ticket, &mut held, now)? {
                        db::tickets::update(conn, &ticket)?;
                    }
                    held.save(conn).map(drop)
                });
                if let Err(error) = handled {
                    tracing::error!(%error, ticket_id, "SLA alerts of a ticket put off");
                    retry_row.next_event_at = Some((now + RETRY_AFTER).naive_utc());
                    db::ticket_sla::update(conn, &retry_row)?;
                }
            }
            Ok(due.len())
        })
    }

    /// The earliest stored SLA instant of any ticket.
    pub fn next_sla_instant(&self) -> Result<Option<DateTime<Utc>>, ServiceError> {
        Ok(db::ticket_sla::next_event_at(&mut *self.conn()?)?.map(|at| at.and_utc()))
    }
}
