//! The event hub: one poller per process reads new ticket events from the table and hands them
//! to every stream listener, so that a thousand dashboards cost one query every 200 ms (one a
//! second while nobody listens).

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::FlaggedThread;
use crate::domain::ids::EventId;
use crate::service::Desk;
use crate::service::events::stream::Hub;
use crate::service::events::stream::{LOOK_BACK, first_id_at};
use crate::service::ops::workers::Worker;

/// How often the table is read while someone listens.
const POLL: Duration = Duration::from_millis(200);
/// Without listeners, the table is read every this many polls.
const QUIET_EVERY: u32 = 5;
/// Most events read at once.
const PAGE: i64 = 1000;

/// The running hub; it stops and is joined when dropped.
pub struct EventHub {
    _thread: FlaggedThread,
}

impl EventHub {
    /// Starts the poller.
    pub fn start(desk: Arc<Desk>) -> std::io::Result<Self> {
        let thread = FlaggedThread::spawn("event-hub", move |stop| supervised(&desk, &stop))?;
        Ok(Self { _thread: thread })
    }
}

/// What the hub has handed out, kept across a restart. Events are read again for
/// `LOOK_BACK`, so that one committed late behind a newer one is not missed, and each is
/// handed out once.
#[derive(Default)]
struct Handed {
    /// Ids already handed out.
    seen: HashSet<EventId>,
    /// The same, with when, oldest first.
    order: VecDeque<(Instant, EventId)>,
    /// The event being handed out; skipped if the hub panics on it.
    in_hand: Option<EventId>,
}

impl Handed {
    fn remember(&mut self, id: EventId) {
        if self.seen.insert(id.clone()) {
            self.order.push_back((Instant::now(), id));
        }
    }
}

/// The poller under the supervisor: an event the hub panics on is skipped.
fn supervised(desk: &Desk, stop: &AtomicBool) {
    Worker {
        name: "event-hub",
        health: desk.workers(),
        state: Handed::default(),
        stopping: &|| stop.load(Ordering::Relaxed),
    }
    .supervise(
        |handed| run(desk, stop, handed),
        |handed| {
            if let Some(id) = handed.in_hand.take() {
                tracing::error!(%id, "event not streamed: the event hub panicked on it");
                handed.remember(id);
            }
        },
    );
}

fn run(desk: &Desk, stop: &AtomicBool, handed: &mut Handed) {
    let keep = LOOK_BACK.to_std().unwrap_or(Duration::from_secs(5)) * 2;
    let mut quiet_polls = 0;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(POLL);
        // Without listeners the table is still read, less often, so that the first listener
        // gets what is new from then on and not the last seconds again.
        if !Hub::of(desk).has_listeners() {
            quiet_polls = (quiet_polls + 1) % QUIET_EVERY;
            if quiet_polls != 0 {
                continue;
            }
        }
        let mut after = first_id_at(Utc::now() - LOOK_BACK);
        loop {
            let events = match desk.events_after(&after, PAGE) {
                Ok(events) => events,
                Err(error) => {
                    tracing::error!(%error, "the event hub could not read events");
                    break;
                }
            };
            let full = events.len() as i64 == PAGE;
            if let Some(last) = events.last() {
                after.clone_from(&last.id);
            }
            for event in events {
                if handed.seen.contains(&event.id) {
                    continue;
                }
                handed.in_hand = Some(event.id.clone());
                #[cfg(debug_assertions)]
                crate::faults::panic_if_marked("event-hub", &event.data);
                let id = event.id.clone();
                Hub::of(desk).publish(vec![event]);
                handed.in_hand = None;
                handed.remember(id);
            }
            if !full {
                break;
            }
        }
        while handed
            .order
            .front()
            .is_some_and(|(at, _)| at.elapsed() > keep)
        {
            if let Some((_, id)) = handed.order.pop_front() {
                handed.seen.remove(&id);
            }
        }
    }
}
