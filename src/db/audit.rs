//! The administrative audit log (append-only).

use diesel::prelude::*;

use super::models::AuditRow;
use super::schema::audit_log;
use super::{DbConn, DbResult};

/// Appends one entry; it is linked into the trail's chain at commit.
pub fn record(conn: &mut DbConn, row: &AuditRow) -> DbResult<()> {
    diesel::insert_into(audit_log::table)
        .values(row)
        .execute(conn)?;
    super::trail::note_audit(row);
    Ok(())
}

/// The entries about one record, oldest first.
pub fn for_entity(conn: &mut DbConn, entity: &str, entity_id: &str) -> DbResult<Vec<AuditRow>> {
    audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::id)
        .select(AuditRow::as_select())
        .load(conn)
}

/// The latest entry of `action` about one record, if any.
pub fn latest(
    conn: &mut DbConn,
    (entity, entity_id): (&str, &str),
    action: &str,
) -> DbResult<Option<AuditRow>> {
    audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(entity_id))
        .filter(audit_log::action.eq(action))
        .order(audit_log::id.desc())
        .select(AuditRow::as_select())
        .first(conn)
        .optional()
}
