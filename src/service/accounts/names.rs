//! The names of people, for callers who may see them.

use std::collections::{BTreeSet, HashMap};

use crate::auth::Caller;
use crate::db::{self, DbConn};
use crate::domain::ids::UserId;
use crate::service::ServiceError;

/// The names of the people of `ids`, for a staff caller; none for anyone else, since
/// integrations see no personal data.
pub(in crate::service) fn names_for<'a>(
    conn: &mut DbConn,
    caller: &Caller,
    ids: impl Iterator<Item = &'a str>,
) -> Result<HashMap<UserId, String>, ServiceError> {
    if !caller.role.is_staff() {
        return Ok(HashMap::new());
    }
    staff_names(conn, ids)
}

/// The names of the people of `ids`, for what only staff are shown.
pub(in crate::service) fn staff_names<'a>(
    conn: &mut DbConn,
    ids: impl Iterator<Item = &'a str>,
) -> Result<HashMap<UserId, String>, ServiceError> {
    let ids: Vec<&str> = ids.collect::<BTreeSet<_>>().into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(db::users::names(conn, &ids)?.into_iter().collect())
}
