//! The SLA engine (docs/sla.md "The engine"): a thread in `serve` that sleeps until the earliest
//! stored SLA instant, handles the tickets due by then, and sleeps again. Its cost follows the
//! number of due tickets: when nothing is due it asks one indexed question per wake-up.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::ids::TicketId;
use crate::service::Desk;
use crate::service::ops::workers::Worker;
use crate::service::tickets::SlaEngineWork;

/// Most tickets handled in one transaction.
const BATCH: i64 = 200;
/// The shortest sleep, so that tickets held by another transaction are not polled in a
/// busy loop.
const MIN_SLEEP: Duration = Duration::from_millis(5);

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
            .spawn(move || supervised(&engine_desk, tick))?;
        Ok(Self {
            desk,
            thread: Some(thread),
        })
    }
}

impl Drop for SlaEngine {
    fn drop(&mut self) {
        SlaEngineWork::of(&self.desk).bell().stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The engine's loop under the supervisor: a ticket whose handling panics is put off.
fn supervised(desk: &Desk, tick: Duration) {
    Worker {
        name: "sla-engine",
        health: desk.workers(),
        state: None,
        stopping: &|| SlaEngineWork::of(desk).bell().is_stopped(),
    }
    .supervise(
        |in_hand| run(desk, tick, in_hand),
        |in_hand| {
            if let Some(ticket_id) = in_hand.take() {
                tracing::error!(
                    %ticket_id,
                    "SLA alerts of a ticket put off: the engine panicked on it"
                );
                if let Err(error) = SlaEngineWork::of(desk).put_off(&ticket_id) {
                    tracing::error!(%error, %ticket_id, "the SLA engine could not put off a ticket");
                }
            }
        },
    );
}

/// What one look at the due tickets did.
enum Look {
    /// It handled this many tickets; more may be due.
    Handled(usize),
    /// Nothing more could be handled at `now`; `next` is the earliest stored instant.
    Idle {
        now: DateTime<Utc>,
        next: Option<DateTime<Utc>>,
    },
}

/// One look: the downtime budgets, then a batch of the tickets due at the clock's present
/// instant.
fn look(desk: &Desk, in_hand: &mut Option<TicketId>) -> Look {
    let work = SlaEngineWork::of(desk);
    if let Err(error) = work.check_downtime_budgets() {
        tracing::error!(%error, "the SLA engine could not check downtime budgets");
    }
    let now = desk.now();
    let next = work.next_instant().unwrap_or_else(|error| {
        tracing::error!(%error, "the SLA engine could not read the next instant");
        None
    });
    if next.is_some_and(|next| next <= now) {
        let handled = work.handle_due(BATCH, in_hand).unwrap_or_else(|error| {
            tracing::error!(%error, "the SLA engine could not handle due tickets");
            0
        });
        // When nothing could be handled, the due tickets are held by other transactions,
        // and the engine sleeps a moment before it looks again.
        if handled > 0 {
            return Look::Handled(handled);
        }
    }
    Look::Idle { now, next }
}

/// Does what the engine does between two sleeps: handles every ticket due at the clock's
/// present instant, to completion. For a server whose engine does not run on its own (see
/// [`crate::app::Jobs::Driven`]). Returns how many tickets it handled.
pub fn run_due_sla(desk: &Desk) -> usize {
    let mut total = 0;
    while let Look::Handled(handled) = look(desk, &mut None) {
        total += handled;
    }
    total
}

fn run(desk: &Desk, tick: Duration, in_hand: &mut Option<TicketId>) {
    loop {
        let Look::Idle { now, next } = look(desk, in_hand) else {
            continue;
        };
        let tick_end =
            now + chrono::Duration::from_std(tick).unwrap_or(chrono::Duration::seconds(60));
        let wake_at = next.map_or(tick_end, |next| next.min(tick_end));
        let wait = (wake_at - now).to_std().unwrap_or_default().max(MIN_SLEEP);
        if SlaEngineWork::of(desk).bell().sleep(wake_at, wait) {
            return;
        }
    }
}
