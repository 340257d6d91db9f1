//! The event hub: one poller per process reads new ticket events from the table and hands them
//! to every stream listener, so that a thousand dashboards cost one query every 200 ms (one a
//! second while nobody listens).

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::service::Desk;
use crate::service::event_stream::{LOOK_BACK, first_id_at};

/// How often the table is read while someone listens.
const POLL: Duration = Duration::from_millis(200);
/// Without listeners, the table is read every this many polls.
const QUIET_EVERY: u32 = 5;
/// Most events read at once.
const PAGE: i64 = 1000;

/// The running hub; it stops and is joined when dropped.
pub struct EventHub {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EventHub {
    /// Starts the poller.
    pub fn start(desk: Arc<Desk>) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("event-hub".into())
            .spawn(move || run(&desk, &stopping))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for EventHub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(desk: &Desk, stop: &AtomicBool) {
    // Ids already handed out, with when: events are read again for `LOOK_BACK`, so that one
    // committed late behind a newer one is not missed, and each is handed out once.
    let mut seen: HashSet<String> = HashSet::new();
    let mut order: VecDeque<(Instant, String)> = VecDeque::new();
    let keep = LOOK_BACK.to_std().unwrap_or(Duration::from_secs(5)) * 2;
    let mut quiet_polls = 0;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(POLL);
        // Without listeners the table is still read, less often, so that the first listener
        // gets what is new from then on and not the last seconds again.
        if !desk.has_listeners() {
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
            let fresh: Vec<_> = events
                .into_iter()
                .filter(|event| seen.insert(event.id.clone()))
                .inspect(|event| order.push_back((Instant::now(), event.id.clone())))
                .collect();
            desk.publish_events(fresh);
            if !full {
                break;
            }
        }
        while order.front().is_some_and(|(at, _)| at.elapsed() > keep) {
            if let Some((_, id)) = order.pop_front() {
                seen.remove(&id);
            }
        }
    }
}
