use crate::domain::ids::{UnitId, UserId};
use crate::domain::role::Role;

/// An authenticated caller, re-read from the database on every request so that a deactivated
/// user or a revoked token stops working at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user's id.
    pub user_id: UserId,
    /// The user's current role (from the database, not from the token).
    pub role: Role,
    /// The user's unit, if any.
    pub unit_id: Option<UnitId>,
}

impl Caller {
    /// Whether the caller holds one of `roles`.
    pub fn is_any(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }
}
