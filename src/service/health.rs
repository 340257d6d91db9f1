//! Readiness: the database answers and its schema is current.

use super::{Desk, ServiceError};
use crate::db;

impl Desk {
    /// `Ok` when the database answers and no migration is pending.
    pub fn ready(&self) -> Result<(), ServiceError> {
        let mut conn = self.conn()?;
        match db::migrations_pending(&mut conn) {
            Ok(false) => Ok(()),
            Ok(true) => Err(ServiceError::Unavailable("migrations pending".into())),
            Err(error) => Err(ServiceError::Unavailable(format!("database: {error}"))),
        }
    }
}
