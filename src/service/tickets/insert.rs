//! New tickets written inside a transaction that is already open: their numbers, rows and
//! clocks, their `created` events and mail. The ticket writer writes its batches with it, and
//! an alert its incident, in the alert's own transaction.

use chrono::{DateTime, Datelike, Utc};

use crate::clock::UtcTime;
use crate::db::models::{EventRow, TicketRow};
use crate::db::{self, DbConn};
use crate::service::notify::{self, TicketNotice};
use crate::service::sla::{self, CalendarCache, SlaView};
use crate::service::tickets::draft::{TicketDraft, created_event, created_notice};
use crate::service::{ServiceError, new_id};

/// What the insert wrote.
pub(in crate::service) struct Inserted {
    /// The tickets, in the drafts' order.
    pub rows: Vec<TicketRow>,
    /// Their clocks; `None` for a ticket opened without a policy.
    pub views: Vec<Option<SlaView>>,
    /// The earliest instant a clock of theirs owes something, for the SLA engine's bell.
    pub earliest: Option<UtcTime>,
}

/// Writes `drafts` as new tickets at `now`. The year's counter stays locked to the commit, so
/// the caller does its other checks before.
pub(in crate::service) fn insert_tickets(
    conn: &mut DbConn,
    calendars: &CalendarCache,
    mail_from: Option<&str>,
    drafts: &[&TicketDraft],
    now: DateTime<Utc>,
) -> Result<Inserted, ServiceError> {
    let mailing = notify::mailing(conn, mail_from)?;
    let year = now.with_timezone(&mailing.timezone).year();
    let numbers = db::tickets::take_numbers(conn, year, drafts.len())?;
    let rows: Vec<TicketRow> = drafts
        .iter()
        .zip(numbers)
        .map(|(draft, number)| draft.row(new_id(), number, now.into()))
        .collect();
    db::tickets::insert_many(conn, &rows)?;
    let mut sla_rows = Vec::with_capacity(rows.len());
    let mut views = Vec::with_capacity(rows.len());
    for opened in sla::open_all(conn, calendars, &rows, now)? {
        views.push(opened.map(|(sla_row, view)| {
            sla_rows.push(sla_row);
            view
        }));
    }
    let earliest = sla_rows.iter().filter_map(|row| row.next_event_at).min();
    db::ticket_sla::insert_many(conn, &sla_rows)?;
    let events: Vec<EventRow> = rows.iter().map(|row| created_event(row, now)).collect();
    db::ticket_events::insert_many(conn, &events)?;
    let created: Vec<(&TicketRow, TicketNotice)> = rows
        .iter()
        .zip(&events)
        .zip(&views)
        .map(|((row, event), view)| (row, created_notice(event, view.as_ref())))
        .collect();
    notify::enqueue_created_mails(conn, &mailing, &created, now)?;
    Ok(Inserted {
        rows,
        views,
        earliest,
    })
}
