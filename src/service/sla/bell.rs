//! The bell the SLA engine sleeps on: rung when a commit stores an earlier SLA instant, and
//! to stop the engine.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

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
