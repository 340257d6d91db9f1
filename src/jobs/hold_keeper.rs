//! Keeps a server's hold on its database (see `db::hold`) for as long as it serves: a hold lost
//! with its PostgreSQL session, or its SQLite hold file, is taken again at once, and a server
//! that cannot take it back (a seed took the database meanwhile) stops rather than serve beside
//! it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use actix_web::dev::ServerHandle;

use crate::db::DatabaseHold;

/// How often the hold is checked: well under any `idle_session_timeout` worth setting.
const EVERY: Duration = Duration::from_secs(2);

/// The thread that keeps the hold; dropping it releases the hold.
pub struct HoldKeeper {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    lost: Arc<AtomicBool>,
}

impl HoldKeeper {
    /// Keeps `hold`, stopping `server` if it is lost for good.
    pub fn start(mut hold: DatabaseHold, server: ServerHandle) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let lost = Arc::new(AtomicBool::new(false));
        let flag = lost.clone();
        let thread = std::thread::Builder::new()
            .name("database-hold".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    if let Err(error) = hold.keep() {
                        tracing::error!(%error, "the server lost its hold on the database and stops");
                        flag.store(true, Ordering::SeqCst);
                        // The command is sent when called; nobody needs to wait for it here.
                        drop(server.stop(true));
                        return;
                    }
                }
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
            lost,
        })
    }

    /// Whether the server was stopped because the hold was lost.
    pub fn lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }
}

impl Drop for HoldKeeper {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
