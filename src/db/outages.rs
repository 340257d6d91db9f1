//! Outages of services.

use crate::clock::UtcTime;
use diesel::prelude::*;

use crate::domain::alert::OutageSource;
use crate::domain::ids::{OutageId, ServiceId};

use super::models::{AvailabilityBreachRow, OutageRow};
use super::schema::{availability_breaches, outages};
use super::{DbConn, DbResult};

/// Records an outage.
pub fn insert(conn: &mut DbConn, row: &OutageRow) -> DbResult<()> {
    diesel::insert_into(outages::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// An outage of a service.
pub fn find(
    conn: &mut DbConn,
    service_id: &ServiceId,
    id: &OutageId,
) -> DbResult<Option<OutageRow>> {
    outages::table
        .find(id)
        .filter(outages::service_id.eq(service_id))
        .select(OutageRow::as_select())
        .first(conn)
        .optional()
}

/// Saves a changed outage.
pub fn update(conn: &mut DbConn, row: &OutageRow) -> DbResult<()> {
    diesel::update(outages::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// A service's outages that overlap `[from, to)`.
pub fn overlapping(
    conn: &mut DbConn,
    service_id: &str,
    from: UtcTime,
    to: UtcTime,
) -> DbResult<Vec<OutageRow>> {
    outages::table
        .filter(outages::service_id.eq(service_id))
        .filter(outages::started_at.lt(to))
        .filter(outages::ended_at.is_null().or(outages::ended_at.gt(from)))
        .order(outages::started_at)
        .select(OutageRow::as_select())
        .load(conn)
}

/// Services with an unplanned outage still open: the ones whose downtime grows by itself.
pub fn services_down(conn: &mut DbConn) -> DbResult<Vec<ServiceId>> {
    outages::table
        .filter(outages::ended_at.is_null())
        .filter(outages::planned.eq(false))
        .select(outages::service_id)
        .distinct()
        .load(conn)
}

/// Records a month's breach unless it is recorded already; returns whether it was new.
pub fn record_breach(conn: &mut DbConn, row: &AvailabilityBreachRow) -> DbResult<bool> {
    let inserted = match conn {
        DbConn::Pg(pg) => diesel::insert_into(availability_breaches::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConn::Sqlite(sqlite) => diesel::insert_into(availability_breaches::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(sqlite)?,
    };
    Ok(inserted == 1)
}

/// A service's recorded breaches of the months `first` to `last` (`YYYY-MM`), both included:
/// month names sort as months follow, so one range on the key finds them however long the
/// period is.
pub fn breaches_between(
    conn: &mut DbConn,
    service_id: &str,
    (first, last): (&str, &str),
) -> DbResult<Vec<AvailabilityBreachRow>> {
    availability_breaches::table
        .filter(availability_breaches::service_id.eq(service_id))
        .filter(availability_breaches::month.ge(first))
        .filter(availability_breaches::month.le(last))
        .order(availability_breaches::month)
        .select(AvailabilityBreachRow::as_select())
        .load(conn)
}

/// A service's outages newest first (by start, then id) after the outage `after`, that
/// overlap `[from, to)`.
pub fn page(
    conn: &mut DbConn,
    service_id: &ServiceId,
    (from, to): (Option<UtcTime>, Option<UtcTime>),
    after: Option<&OutageRow>,
    limit: i64,
) -> DbResult<Vec<OutageRow>> {
    let mut query = outages::table
        .filter(outages::service_id.eq(service_id))
        .select(OutageRow::as_select())
        .order((outages::started_at.desc(), outages::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(to) = to {
        query = query.filter(outages::started_at.lt(to));
    }
    if let Some(from) = from {
        query = query.filter(outages::ended_at.is_null().or(outages::ended_at.gt(from)));
    }
    if let Some(after) = after {
        query = query.filter(
            outages::started_at
                .lt(after.started_at)
                .or(outages::started_at
                    .eq(after.started_at)
                    .and(outages::id.lt(&after.id))),
        );
    }
    query.load(conn)
}

/// The outage monitoring holds for a service at `at`: one an alert or a probe opened, still
/// open or covering `at`, the latest if several.
pub fn seen_by_monitoring(
    conn: &mut DbConn,
    service_id: &ServiceId,
    at: UtcTime,
) -> DbResult<Option<OutageRow>> {
    outages::table
        .filter(outages::service_id.eq(service_id))
        .filter(outages::source.ne(OutageSource::Person))
        .filter(
            outages::ended_at
                .is_null()
                .or(outages::started_at.le(at).and(outages::ended_at.gt(at))),
        )
        .order((outages::started_at.desc(), outages::id.desc()))
        .select(OutageRow::as_select())
        .first(conn)
        .optional()
}
