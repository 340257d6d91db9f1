//! The weekly mailer: a thread in `serve` that queues the week's Tier 1 compliance mail once
//! it is due (see `Desk::send_weekly_mail`), supervised like every worker.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::FlaggedThread;
use crate::service::Desk;
use crate::service::ops::workers::Worker;

/// How often it looks whether the week's mail is due: a minute late at most.
const CHECK_EVERY: Duration = Duration::from_secs(60);
/// How often the waiting mailer looks whether it is told to stop.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// The running mailer; it stops and is joined when dropped.
pub struct WeeklyMailer {
    _thread: FlaggedThread,
}

impl WeeklyMailer {
    /// Starts the mailer on its own thread.
    pub fn start(desk: Arc<Desk>) -> std::io::Result<Self> {
        let thread = FlaggedThread::spawn("weekly-mail", move |stop| {
            Worker {
                name: "weekly-mail",
                health: desk.workers(),
                state: (),
                stopping: &|| stop.load(Ordering::Relaxed),
            }
            .supervise(|()| run(&desk, &stop), |()| {});
        })?;
        Ok(Self { _thread: thread })
    }
}

fn run(desk: &Desk, stop: &AtomicBool) {
    let mut next = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now >= next {
            // A failure is tried again at the next check: the week's row is only written
            // with its mail, in one transaction.
            if let Err(error) = desk.send_weekly_mail() {
                tracing::warn!(%error, "the weekly Tier 1 compliance mail could not be queued");
            }
            next = now + CHECK_EVERY;
        } else {
            std::thread::sleep((next - now).min(STOP_CHECK));
        }
    }
}
