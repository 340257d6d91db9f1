//! SLA policies and their per-priority targets.

use diesel::prelude::*;

use super::models::{SlaPolicyRow, SlaTargetRow};
use super::schema::{sla_policies, sla_targets};
use super::{DbConn, DbResult};

/// Adds a policy with its targets.
pub fn insert(conn: &mut DbConn, row: &SlaPolicyRow, targets: &[SlaTargetRow]) -> DbResult<()> {
    diesel::insert_into(sla_policies::table)
        .values(row)
        .execute(conn)?;
    for target in targets {
        diesel::insert_into(sla_targets::table)
            .values(target)
            .execute(conn)?;
    }
    Ok(())
}

/// Whether a policy exists.
pub fn exists(conn: &mut DbConn, id: &str) -> DbResult<bool> {
    Ok(sla_policies::table
        .find(id)
        .select(sla_policies::id)
        .first::<String>(conn)
        .optional()?
        .is_some())
}
