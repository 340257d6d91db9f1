//! Background work inside `serve`: the SLA engine, the mail dispatcher, the event hub, the
//! backup scheduler, the weekly mailer and the keeper of the server's hold on its database. Each job runs on
//! its own thread over the use cases of `service`; the engine's and the dispatcher's work can
//! also be driven by the caller instead (see [`JobDriver`]).

mod backup_scheduler;
mod driven;
mod event_hub;
mod hold_keeper;
mod mail_dispatcher;
mod sla_engine;
mod weekly_mail;

pub use backup_scheduler::BackupScheduler;
pub use driven::JobDriver;
pub use event_hub::EventHub;
pub use hold_keeper::HoldKeeper;
pub use mail_dispatcher::{Dispatched, MailDispatcher};
pub use sla_engine::{SlaEngine, run_due_sla};
pub use weekly_mail::WeeklyMailer;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// A job's thread and the flag that tells it to stop. Dropping it raises the flag and waits
/// for the thread, so that no job outlives the server that started it.
struct FlaggedThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FlaggedThread {
    /// Runs `body` on a thread called `name`, handing it the stop flag.
    fn spawn(
        name: &str,
        body: impl FnOnce(Arc<AtomicBool>) + Send + 'static,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || body(stopping))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for FlaggedThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
