//! Readiness: every background worker runs, the database answers, its schema is current,
//! and it can store changes.

use crate::db;
use crate::service::{Desk, ServiceError};

impl Desk {
    /// `Ok` when no background worker is down, the database answers, no migration is pending,
    /// and it can write.
    pub fn ready(&self) -> Result<(), ServiceError> {
        self.workers_running()?;
        let mut conn = self.conn()?;
        match db::migrations_pending(&mut conn) {
            Ok(false) => {}
            Ok(true) => return Err(ServiceError::Unavailable("migrations pending".into())),
            Err(error) => {
                return Err(ServiceError::StorageUnavailable(format!(
                    "database: {error}"
                )));
            }
        }
        db::check_storage(&mut conn)?;
        Ok(())
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
