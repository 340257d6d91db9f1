//! Each region's governance records.

use diesel::prelude::*;

use crate::clock::UtcTime;
use crate::domain::governance::CriticalityStep;
use crate::domain::ids::{ServiceId, UnitId};
use crate::domain::role::Role;

use super::models::{
    ClosureRow, CriticalBreachRow, CriticalityStepRow, DigestRow, LetterRow, ProblemLinkRow,
    SupervisionRow,
};
use super::schema::{
    committee_letters, critical_breaches, criticality_steps, digests, problem_links,
    service_closures, supervisions, users,
};
use super::{DbConn, DbResult};

/// Records a step of a service's criticality.
pub fn insert_step(conn: &mut DbConn, row: &CriticalityStepRow) -> DbResult<()> {
    diesel::insert_into(criticality_steps::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A service's criticality steps, oldest first.
pub fn steps(conn: &mut DbConn, service_id: &ServiceId) -> DbResult<Vec<CriticalityStepRow>> {
    criticality_steps::table
        .filter(criticality_steps::service_id.eq(service_id))
        .order(criticality_steps::id)
        .select(CriticalityStepRow::as_select())
        .load(conn)
}

/// A service's latest criticality step.
pub fn last_step(conn: &mut DbConn, service_id: &ServiceId) -> DbResult<Option<CriticalityStep>> {
    criticality_steps::table
        .filter(criticality_steps::service_id.eq(service_id))
        .order(criticality_steps::id.desc())
        .select(criticality_steps::step)
        .first(conn)
        .optional()
}

/// Registers a breach unless its event is registered already.
pub fn register_breach(conn: &mut DbConn, row: &CriticalBreachRow) -> DbResult<()> {
    match conn {
        DbConn::Pg(pg) => diesel::insert_into(critical_breaches::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConn::Sqlite(sqlite) => diesel::insert_into(critical_breaches::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(sqlite)?,
    };
    Ok(())
}

/// Registered breaches in `[from, to)`, of one service if given, in the order they happened.
pub fn breaches(
    conn: &mut DbConn,
    service_id: Option<&ServiceId>,
    (from, to): (UtcTime, UtcTime),
) -> DbResult<Vec<CriticalBreachRow>> {
    let mut query = critical_breaches::table
        .filter(critical_breaches::breached_at.ge(from))
        .filter(critical_breaches::breached_at.lt(to))
        .order((critical_breaches::breached_at, critical_breaches::id))
        .select(CriticalBreachRow::as_select())
        .into_boxed();
    if let Some(service_id) = service_id {
        query = query.filter(critical_breaches::service_id.eq(service_id));
    }
    query.load(conn)
}

/// Which of `ids` are registered breaches of `service_id`.
pub fn breaches_of(
    conn: &mut DbConn,
    service_id: &ServiceId,
    ids: &[String],
) -> DbResult<Vec<String>> {
    critical_breaches::table
        .filter(critical_breaches::service_id.eq(service_id))
        .filter(critical_breaches::id.eq_any(ids))
        .select(critical_breaches::id)
        .load(conn)
}

/// Records a letter.
pub fn insert_letter(conn: &mut DbConn, row: &LetterRow) -> DbResult<()> {
    diesel::insert_into(committee_letters::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A letter by id.
pub fn letter(conn: &mut DbConn, id: &str) -> DbResult<Option<LetterRow>> {
    committee_letters::table
        .find(id)
        .select(LetterRow::as_select())
        .first(conn)
        .optional()
}

/// Whether a letter has this number, in any case.
pub fn letter_number_taken(conn: &mut DbConn, number: &str) -> DbResult<bool> {
    // Letter numbers are read aloud and typed again: `001/KOMITE` and `001/komite` are one.
    let folded = super::tickets::lower(committee_letters::number);
    diesel::select(diesel::dsl::exists(
        committee_letters::table.filter(folded.eq(number.to_lowercase())),
    ))
    .get_result(conn)
}

/// Letters in the order recorded, a page after `after`.
pub fn letters(conn: &mut DbConn, after: Option<&str>, limit: i64) -> DbResult<Vec<LetterRow>> {
    page_after!(conn, committee_letters, LetterRow, after, limit)
}

/// Letters recorded in `[from, to)`.
pub fn letters_in(conn: &mut DbConn, (from, to): (UtcTime, UtcTime)) -> DbResult<Vec<LetterRow>> {
    committee_letters::table
        .filter(committee_letters::recorded_at.ge(from))
        .filter(committee_letters::recorded_at.lt(to))
        .order(committee_letters::id)
        .select(LetterRow::as_select())
        .load(conn)
}

/// Records a closure.
pub fn insert_closure(conn: &mut DbConn, row: &ClosureRow) -> DbResult<()> {
    diesel::insert_into(service_closures::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Saves a closure that reopened.
pub fn update_closure(conn: &mut DbConn, row: &ClosureRow) -> DbResult<()> {
    diesel::update(service_closures::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// The open closures of `service_ids`.
pub fn open_closures(conn: &mut DbConn, service_ids: &[&str]) -> DbResult<Vec<ClosureRow>> {
    service_closures::table
        .filter(service_closures::service_id.eq_any(service_ids))
        .filter(service_closures::reopened_at.is_null())
        .select(ClosureRow::as_select())
        .load(conn)
}

/// How many services are closed now.
pub fn open_closure_count(conn: &mut DbConn) -> DbResult<usize> {
    let count: i64 = service_closures::table
        .filter(service_closures::reopened_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(count).unwrap_or_default())
}

/// Closures that were open at some time in `[from, to)`.
pub fn closures_in(conn: &mut DbConn, (from, to): (UtcTime, UtcTime)) -> DbResult<Vec<ClosureRow>> {
    service_closures::table
        .filter(service_closures::closed_at.lt(to))
        .filter(
            service_closures::reopened_at
                .is_null()
                .or(service_closures::reopened_at.ge(from)),
        )
        .order(service_closures::id)
        .select(ClosureRow::as_select())
        .load(conn)
}

/// Records a supervision.
pub fn insert_supervision(conn: &mut DbConn, row: &SupervisionRow) -> DbResult<()> {
    diesel::insert_into(supervisions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Supervisions in the order recorded, of one PD if given, a page after `after`.
pub fn supervisions(
    conn: &mut DbConn,
    unit_id: Option<&UnitId>,
    after: Option<&str>,
    limit: i64,
) -> DbResult<Vec<SupervisionRow>> {
    let mut query = supervisions::table
        .order(supervisions::id)
        .limit(limit)
        .select(SupervisionRow::as_select())
        .into_boxed();
    if let Some(unit_id) = unit_id {
        query = query.filter(supervisions::unit_id.eq(unit_id));
    }
    if let Some(after) = after {
        query = query.filter(supervisions::id.gt(after));
    }
    query.load(conn)
}

/// Supervisions held on days `first` to `last` (`YYYY-MM-DD`), both included.
pub fn supervisions_held(
    conn: &mut DbConn,
    (first, last): (&str, &str),
) -> DbResult<Vec<SupervisionRow>> {
    supervisions::table
        .filter(supervisions::held_on.ge(first))
        .filter(supervisions::held_on.le(last))
        .order((supervisions::held_on, supervisions::id))
        .select(SupervisionRow::as_select())
        .load(conn)
}

/// Each supervised unit's latest supervision day.
pub fn last_supervised(conn: &mut DbConn) -> DbResult<Vec<(UnitId, Option<String>)>> {
    supervisions::table
        .group_by(supervisions::unit_id)
        .select((
            supervisions::unit_id,
            diesel::dsl::max(supervisions::held_on),
        ))
        .load(conn)
}

/// One active Tier 1 technician: unit, id, name and appointment decree (number, date).
pub type Tier1Row = (UnitId, String, String, Option<String>, Option<String>);

/// The active Tier 1 technicians, by name.
pub fn active_tier1(conn: &mut DbConn) -> DbResult<Vec<Tier1Row>> {
    users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq(Role::Tier1))
        .filter(users::unit_id.is_not_null())
        .order((users::name, users::id))
        .select((
            users::unit_id.assume_not_null(),
            users::id,
            users::name,
            users::appointment_number,
            users::appointment_date,
        ))
        .load::<(UnitId, String, String, Option<String>, Option<String>)>(conn)
}

/// Links a ticket to its problem, replacing an earlier link.
pub fn link_problem(conn: &mut DbConn, row: &ProblemLinkRow) -> DbResult<()> {
    diesel::delete(problem_links::table.find(&row.ticket_id)).execute(conn)?;
    diesel::insert_into(problem_links::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Removes a ticket's problem link; answers whether there was one.
pub fn unlink_problem(conn: &mut DbConn, ticket_id: &str) -> DbResult<bool> {
    Ok(diesel::delete(problem_links::table.find(ticket_id)).execute(conn)? == 1)
}

/// The problem a ticket is linked to.
pub fn problem_of(conn: &mut DbConn, ticket_id: &str) -> DbResult<Option<ProblemLinkRow>> {
    problem_links::table
        .find(ticket_id)
        .select(ProblemLinkRow::as_select())
        .first(conn)
        .optional()
}

/// The links to `problem_ids`.
pub fn linked_to(conn: &mut DbConn, problem_ids: &[&str]) -> DbResult<Vec<ProblemLinkRow>> {
    problem_links::table
        .filter(problem_links::problem_id.eq_any(problem_ids))
        .order(problem_links::linked_at)
        .select(ProblemLinkRow::as_select())
        .load(conn)
}

/// Notes a periodic mail as sent; answers `false` when it was sent already.
pub fn claim_digest(conn: &mut DbConn, row: &DigestRow) -> DbResult<bool> {
    let inserted = match conn {
        DbConn::Pg(pg) => diesel::insert_into(digests::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConn::Sqlite(sqlite) => diesel::insert_into(digests::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(sqlite)?,
    };
    Ok(inserted == 1)
}
