//! The backup scheduler: a thread in `serve` that takes a backup whenever one is due (see
//! `service::backup::schedule`), supervised like every worker.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::FlaggedThread;
use crate::service::Desk;
use crate::service::backup::schedule::Scheduled;
use crate::service::ops::workers::Worker;

/// How often the waiting scheduler looks whether it is told to stop.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// The running scheduler; it stops (after the backup in hand) and is joined when dropped.
pub struct BackupScheduler {
    _thread: FlaggedThread,
}

impl BackupScheduler {
    /// Starts the scheduler on its own thread.
    pub fn start(desk: Arc<Desk>, scheduled: Scheduled) -> std::io::Result<Self> {
        let thread = FlaggedThread::spawn("backup-scheduler", move |stop| {
            Worker {
                name: "backup-scheduler",
                health: desk.workers(),
                state: (),
                stopping: &|| stop.load(Ordering::Relaxed),
            }
            .supervise(|()| run(&desk, &scheduled, &stop), |()| {});
        })?;
        Ok(Self { _thread: thread })
    }
}

fn run(desk: &Desk, scheduled: &Scheduled, stop: &AtomicBool) {
    let mut next = Instant::now() + scheduled.due_in();
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now >= next {
            next = Instant::now() + scheduled.run(desk);
        } else {
            std::thread::sleep((next - now).min(STOP_CHECK));
        }
    }
}
