//! SLA policies and their per-priority targets.

use diesel::prelude::*;

use crate::domain::ids::SlaPolicyId;

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
pub fn exists(conn: &mut DbConn, id: &SlaPolicyId) -> DbResult<bool> {
    Ok(sla_policies::table
        .find(id)
        .select(sla_policies::id)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// A policy by id.
pub fn find(conn: &mut DbConn, id: &SlaPolicyId) -> DbResult<Option<SlaPolicyRow>> {
    sla_policies::table
        .find(id)
        .select(SlaPolicyRow::as_select())
        .first(conn)
        .optional()
}

/// The region default policy, if one is set.
pub fn find_default(conn: &mut DbConn) -> DbResult<Option<SlaPolicyRow>> {
    sla_policies::table
        .filter(sla_policies::is_default.eq(true))
        .select(SlaPolicyRow::as_select())
        .first(conn)
        .optional()
}

/// Policies in creation order after the cursor.
pub fn list(conn: &mut DbConn, after: Option<&str>, limit: i64) -> DbResult<Vec<SlaPolicyRow>> {
    page_after!(conn, sla_policies, SlaPolicyRow, after, limit)
}

/// A policy's targets.
pub fn targets(conn: &mut DbConn, policy_id: &SlaPolicyId) -> DbResult<Vec<SlaTargetRow>> {
    sla_targets::table
        .filter(sla_targets::policy_id.eq(policy_id))
        .select(SlaTargetRow::as_select())
        .load(conn)
}

/// Makes no policy the default, before another becomes it (one default at a time).
pub fn clear_default(conn: &mut DbConn) -> DbResult<()> {
    diesel::update(sla_policies::table.filter(sla_policies::is_default.eq(true)))
        .set(sla_policies::is_default.eq(false))
        .execute(conn)
        .map(drop)
}

/// Replaces a policy's settings and targets.
pub fn replace(conn: &mut DbConn, row: &SlaPolicyRow, targets: &[SlaTargetRow]) -> DbResult<()> {
    diesel::update(sla_policies::table.find(&row.id))
        .set((
            sla_policies::name.eq(&row.name),
            sla_policies::calendar_id.eq(&row.calendar_id),
            sla_policies::is_default.eq(row.is_default),
            sla_policies::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    diesel::delete(sla_targets::table.filter(sla_targets::policy_id.eq(&row.id))).execute(conn)?;
    for target in targets {
        diesel::insert_into(sla_targets::table)
            .values(target)
            .execute(conn)?;
    }
    Ok(())
}
