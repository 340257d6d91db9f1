//! Readiness: every background worker runs, the database answers and its schema is current.

use super::{Desk, ServiceError};
use crate::db;

impl Desk {
    /// `Ok` when no background worker is down, the database answers and no migration is
    /// pending.
    pub fn ready(&self) -> Result<(), ServiceError> {
        self.workers_running()?;
        let mut conn = self.conn()?;
        match db::migrations_pending(&mut conn) {
            Ok(false) => Ok(()),
            Ok(true) => Err(ServiceError::Unavailable("migrations pending".into())),
            Err(error) => Err(ServiceError::Unavailable(format!("database: {error}"))),
        }
    }

    /// Refuses while a worker restarts after a panic, naming it.
    fn workers_running(&self) -> Result<(), ServiceError> {
        match self.workers.down().as_slice() {
            [] => Ok(()),
            down => Err(ServiceError::NotReady(format!(
                "worker down: {}",
                down.join(", ")
            ))),
        }
    }
}
