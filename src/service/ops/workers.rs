//! Background workers that survive a panic. A worker (the ticket writer, the SLA engine, the
//! mail dispatcher, the event hub) runs its loop under [`Worker::supervise`]: a panic is logged, the
//! worker's job in hand is failed alone, and the loop starts again after a short pause. While
//! a worker is down, readiness says so (`GET /readyz`).

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The first pause before a restart: long enough that a panic loop does not spin.
const FIRST_PAUSE: Duration = Duration::from_secs(1);
/// The longest pause, reached by doubling when a worker keeps panicking.
const LONGEST_PAUSE: Duration = Duration::from_secs(30);
/// A worker that ran this long before it panicked starts again after the first pause.
const STEADY: Duration = Duration::from_secs(60);
/// How often a pausing worker looks whether it is told to stop.
const STOP_CHECK: Duration = Duration::from_millis(50);

/// Which workers are down now.
#[derive(Debug, Default)]
pub struct WorkerHealth(Mutex<BTreeSet<&'static str>>);

impl WorkerHealth {
    fn set(&self, worker: &'static str, down: bool) {
        let mut names = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if down {
            names.insert(worker);
        } else {
            names.remove(worker);
        }
    }

    /// The workers down now, by name.
    pub fn down(&self) -> Vec<&'static str> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .copied()
            .collect()
    }
}

/// What a supervised worker is made of.
pub struct Worker<'a, S> {
    /// Its name, as logs and readiness show it (`ticket-writer`, ...).
    pub name: &'static str,
    /// Where it is marked down.
    pub health: &'a WorkerHealth,
    /// What outlives a panic: the job in hand, what it has already handed out.
    pub state: S,
    /// Whether the worker is told to stop (checked while it pauses before a restart).
    pub stopping: &'a dyn Fn() -> bool,
}

impl<S> Worker<'_, S> {
    /// Runs `body` until it returns. When it panics, logs the panic, marks the worker down,
    /// lets `recover` fail the job in hand, pauses, and runs `body` again, marked up.
    pub fn supervise(mut self, mut body: impl FnMut(&mut S), mut recover: impl FnMut(&mut S)) {
        let mut pause = FIRST_PAUSE;
        loop {
            let started = Instant::now();
            let Err(panic) = catch_unwind(AssertUnwindSafe(|| body(&mut self.state))) else {
                return;
            };
            self.health.set(self.name, true);
            let message = panic_message(panic.as_ref());
            tracing::error!(
                worker = self.name,
                panic = message,
                "worker panicked; it restarts"
            );
            // A recovery that panics too must not take the worker down for good.
            if catch_unwind(AssertUnwindSafe(|| recover(&mut self.state))).is_err() {
                tracing::error!(worker = self.name, "worker could not fail its job in hand");
            }
            let this_pause = if started.elapsed() >= STEADY {
                FIRST_PAUSE
            } else {
                pause
            };
            pause = (this_pause * 2).min(LONGEST_PAUSE);
            let resume_at = Instant::now() + this_pause;
            while Instant::now() < resume_at {
                if (self.stopping)() {
                    self.health.set(self.name, false);
                    return;
                }
                std::thread::sleep(STOP_CHECK);
            }
            self.health.set(self.name, false);
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}
