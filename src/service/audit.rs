//! Administrative audit entries, written inside the transaction of the change they describe.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Desk, ServiceError, new_id, require};
use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::AuditRow;
use crate::db::{self, DbConn};
use crate::domain::ids::UserId;
use crate::domain::role::Role;

/// One entry of the administrative audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    /// Entry id.
    pub id: String,
    /// When it happened.
    pub at: UtcTime,
    /// Who did it; `null` for the system (startup, command line).
    pub actor_id: Option<UserId>,
    /// What was done, e.g. `user_created`.
    pub action: String,
    /// The kind of record: `region`, `unit`, `user` or `token`.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// Details (never passwords or tokens).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// The kinds of record the trail covers, as `entity` names them.
const AUDITED: [&str; 10] = [
    "region",
    "unit",
    "user",
    "token",
    "calendar",
    "sla_policy",
    "service",
    "notification",
    "backup",
    "ticket",
];

/// Who made a change, and when.
#[derive(Debug, Clone, Copy)]
pub(super) struct Actor<'a> {
    at: DateTime<Utc>,
    user_id: Option<&'a str>,
}

impl<'a> Actor<'a> {
    /// An account, or the system where there is none.
    pub(super) fn new(at: DateTime<Utc>, user_id: Option<&'a str>) -> Self {
        Actor { at, user_id }
    }

    /// The signed-in caller.
    pub(super) fn person(caller: &'a Caller, at: DateTime<Utc>) -> Self {
        Actor::new(at, Some(&caller.user_id))
    }

    /// The system: startup, the command line, the engines.
    pub(super) fn system(at: DateTime<Utc>) -> Self {
        Actor::new(at, None)
    }
}

/// Appends an audit entry describing a change made in the current transaction.
pub(super) fn record(
    conn: &mut DbConn,
    Actor { at, user_id }: Actor,
    action: &str,
    (entity, entity_id): (&str, &str),
    data: serde_json::Value,
) -> Result<(), ServiceError> {
    db::audit::record(
        conn,
        &AuditRow {
            id: new_id(),
            at: at.into(),
            actor_id: user_id.map(UserId::from),
            action: action.to_owned(),
            entity: entity.to_owned(),
            entity_id: entity_id.to_owned(),
            data: data.to_string(),
        },
    )?;
    Ok(())
}

impl Desk {
    /// The audit trail of one record (admins and auditors).
    pub fn audit_trail(
        &self,
        caller: &Caller,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditEntryView>, ServiceError> {
        require(caller, &[Role::Admin, Role::Auditor])?;
        if !AUDITED.contains(&entity) {
            return Err(ServiceError::field(
                "entity",
                format!("must be one of {}", AUDITED.join(", ")),
            ));
        }
        // Ids are given out in lower case; a client's spelling is read case-blind.
        let entity_id = entity_id.to_ascii_lowercase();
        let rows = db::audit::for_entity(&mut *self.conn()?, entity, &entity_id)?;
        Ok(rows
            .into_iter()
            .map(|row| AuditEntryView {
                id: row.id,
                at: row.at,
                actor_id: row.actor_id,
                action: row.action,
                entity: row.entity,
                entity_id: row.entity_id,
                data: serde_json::from_str(&row.data).unwrap_or(serde_json::Value::Null),
            })
            .collect())
    }
}
