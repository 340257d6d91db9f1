//! What a ticket write checks before it changes anything: that the caller may see the ticket,
//! that it has not changed since they read it, that the move is possible, that the assignee
//! works the ticket's tier.

use crate::auth::Caller;
use crate::db::models::TicketRow;
use crate::db::{self, DbConn};
use crate::domain::ids::UserId;
use crate::domain::role::Role;
use crate::domain::ticket::{self, Classification, Status, Tier, Worker};
use crate::service::ErrorCode;
use crate::service::ServiceError;

/// Whether `caller` may see the ticket at all. Tier 1 sees its own PD's tickets only;
/// integrations see public tickets only (restricted ones are *informasi dikecualikan*).
pub(in crate::service) fn visible(caller: &Caller, row: &TicketRow) -> bool {
    match caller.role {
        Role::Tier1 => caller.unit_id.as_deref() == Some(row.unit_id.as_str()),
        Role::Tier2 | Role::Supervisor | Role::Auditor | Role::Admin => true,
        Role::Integration => row.classification == Classification::Public,
        Role::Monitoring => false,
    }
}

/// Loads a ticket the caller may see, or `NotFound` (never revealing that it exists).
pub(in crate::service) fn load_visible(
    conn: &mut DbConn,
    caller: &Caller,
    id_or_number: &str,
    lock: bool,
) -> Result<TicketRow, ServiceError> {
    let row = if lock {
        db::tickets::find_for_update(conn, id_or_number)?
    } else {
        db::tickets::find(conn, id_or_number)?
    };
    row.filter(|row| visible(caller, row))
        .ok_or(ServiceError::NotFound)
}

/// Refuses a change made against an older version of the ticket (`If-Match`).
pub(in crate::service) fn check_version(
    row: &TicketRow,
    expected: Option<i64>,
) -> Result<(), ServiceError> {
    match expected {
        Some(version) if version != row.version => Err(ServiceError::PreconditionFailed {
            current_version: row.version,
        }),
        _ => Ok(()),
    }
}

/// `invalid_transition`, its sentence ending with the moves the caller may make instead.
pub(in crate::service) fn invalid_transition(
    what: String,
    status: Status,
    tier: Tier,
    worker: Worker,
) -> ServiceError {
    let allowed_actions = ticket::possible_moves(status, tier, worker);
    let moves = if allowed_actions.is_empty() {
        "no move is possible for you".to_owned()
    } else {
        let names: Vec<&str> = allowed_actions.iter().map(|a| a.as_str()).collect();
        format!("possible moves are {}", names.join(", "))
    };
    ServiceError::InvalidTransition {
        message: format!("{what}; {moves}"),
        allowed_actions,
    }
}

/// The assignee must be able to work the ticket's tier: a `tier1` user of the ticket's PD at
/// tier 1, a `tier2` or `supervisor` user at tier 2; and active.
pub(in crate::service) fn check_assignee(
    conn: &mut DbConn,
    row: &TicketRow,
    assignee_id: &UserId,
) -> Result<(), ServiceError> {
    let fits = db::users::find(conn, assignee_id)?.is_some_and(|user| {
        user.active && Worker::of(user.role, user.unit_id.as_deref(), &row.unit_id).works(row.tier)
    });
    if fits {
        Ok(())
    } else {
        Err(ServiceError::rule(
            ErrorCode::AssigneeCannotWorkTicket,
            "assignee_id",
            "must be an active user who works this ticket's tier (tier1 of its PD at tier 1, tier2 or supervisor at tier 2)",
        ))
    }
}
