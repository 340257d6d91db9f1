//! Readiness: the database answers, its schema is current, and it can store changes.

use super::{Desk, ServiceError};
use crate::db;

impl Desk {
    /// `Ok` when the database answers, no migration is pending, and it can write.
    pub fn ready(&self) -> Result<(), ServiceError> {
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
}
