//! Reading one ticket and listing them: filters, order and page cursors.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};

use crate::clock::UtcTime;
use serde::Deserialize;

use crate::auth::Caller;
use crate::db::models::{TicketRow, TicketSlaRow};
use crate::db::tickets::{After, Order, TicketFilter, TicketWithSla};
use crate::db::{self, DbConn};
use crate::domain::ids::UserId;
use crate::domain::role::Role;
use crate::domain::ticket::{Kind, Status, Tier};
use crate::service::fields;
use crate::service::page::{self, Page, PageRequest};
use crate::service::sla;
use crate::service::tickets::checks::visible;
use crate::service::tickets::view::{TicketView, one_ticket_for, ticket_view, tickets_for};
use crate::service::{Desk, FieldError, ServiceError};

/// Filters and order of `GET /tickets`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct TicketQuery {
    /// `new`, `in_progress`, `pending`, `resolved`, `closed`, `cancelled`, or `open` for
    /// `new`, `in_progress` and `pending`; several separated by commas (`new,pending`).
    #[param(schema_with = status_filter)]
    pub status: Option<String>,
    /// 1 or 2.
    #[param(minimum = 1, maximum = 2)]
    pub tier: Option<i32>,
    /// The reporting PD, by id or code (`DINKES`); one that names no unit answers 422.
    #[param(max_length = 64)]
    pub unit_id: Option<String>,
    /// The affected service, by id or code; one that names no service answers 422.
    #[param(max_length = 64)]
    pub service_id: Option<String>,
    /// The priority.
    pub priority: Option<crate::domain::sla::Priority>,
    /// One of the five kinds.
    pub kind: Option<Kind>,
    /// The assignee; `me` for the caller.
    #[param(max_length = 64)]
    pub assignee_id: Option<String>,
    /// Text in the number, title or description.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Created at or after (RFC 3339, 1970 to 9999).
    #[param(format = DateTime, max_length = 64)]
    pub created_from: Option<String>,
    /// Created before (RFC 3339, 1970 to 9999).
    #[param(format = DateTime, max_length = 64)]
    pub created_to: Option<String>,
    /// `true`: only tickets with a breached SLA clock; `false`: only those without one.
    pub breached: Option<bool>,
    /// `-created_at` (newest first, default), `created_at`, or `due` (earliest SLA deadline
    /// of a running clock first, overdue ones first of all; tickets with none last).
    #[param(schema_with = ticket_sort)]
    pub sort: Option<String>,
}

fn status_filter() -> utoipa::openapi::schema::ArrayBuilder {
    fields::list_of(std::iter::once("open").chain(Status::ALL.iter().map(|s| s.as_str())))
        .description(Some(
            "Statuses, comma-separated (`new,pending`) or repeated (`status=new&status=pending`); \
             `open` is `new`, `in_progress` and `pending`",
        ))
}

fn ticket_sort() -> utoipa::openapi::schema::ObjectBuilder {
    fields::one_of(["-created_at", "created_at", "due"]).description(Some(
        "`-created_at` (newest first, default), `created_at`, or `due` (earliest SLA deadline \
         of a running clock first, overdue ones first of all; tickets with none last)",
    ))
}

/// A page cursor: the order and its sort key of the last ticket, `n.<micros>.<id>` newest
/// first, `o.<micros>.<id>` oldest first, `d.<micros or ->.<id>` in deadline order. The order
/// is in it so that a cursor passed with another `sort` is refused, not read as a position in
/// the other direction.
fn encode_cursor(order: Order, (row, sla_row): &TicketWithSla) -> String {
    let micros = |at: UtcTime| at.get().timestamp_micros().to_string();
    let key = match order {
        Order::NewestFirst => format!("n.{}", micros(row.created_at)),
        Order::OldestFirst => format!("o.{}", micros(row.created_at)),
        Order::Due => format!(
            "d.{}",
            sla_row
                .as_ref()
                .and_then(|s| s.due_at)
                .map_or_else(|| "-".to_owned(), micros)
        ),
    };
    URL_SAFE_NO_PAD.encode(format!("{key}.{}", row.id))
}

fn decode_cursor(order: Order, cursor: &str) -> Result<After, ServiceError> {
    let invalid = page::not_issued;
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.splitn(3, '.');
    let (Some(kind), Some(micros), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let instant = || {
        micros
            .parse::<i64>()
            .ok()
            .and_then(DateTime::<Utc>::from_timestamp_micros)
            .map(|at| at.into())
            .ok_or_else(invalid)
    };
    if !page::is_issued_id(id) {
        return Err(invalid());
    }
    let id = id.to_owned();
    match (kind, order) {
        ("n", Order::NewestFirst) | ("o", Order::OldestFirst) => Ok(After::Created {
            created_at: instant()?,
            id,
        }),
        ("d", Order::Due) if micros == "-" => Ok(After::Due { due_at: None, id }),
        ("d", Order::Due) => Ok(After::Due {
            due_at: Some(instant()?),
            id,
        }),
        _ => Err(invalid()),
    }
}

fn instant(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>) -> Option<UtcTime> {
    value
        .and_then(|text| fields::instant(errors, field, text))
        .map(UtcTime::from)
}

/// The statuses a `status` filter names: a comma-separated list of statuses, `open` standing
/// for every status that still needs work; none for any status.
fn statuses(errors: &mut Vec<FieldError>, value: Option<&str>) -> Vec<Status> {
    let Some(text) = value else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for part in text.split(',').map(str::trim) {
        match part.parse::<Status>() {
            Ok(status) => found.push(status),
            Err(_) if part == "open" => {
                found.extend(Status::ALL.iter().copied().filter(|s| s.is_open()));
            }
            Err(error) => {
                errors.push(FieldError::new(
                    "status",
                    format!("{error}, or open; several separated by commas"),
                ));
                return Vec::new();
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

impl Desk {
    /// One ticket, by id or number, if the caller may see it.
    pub fn ticket(&self, caller: &Caller, id_or_number: &str) -> Result<TicketView, ServiceError> {
        let mut conn = self.conn()?;
        let (row, sla_row) = db::tickets::find_with_sla(&mut conn, id_or_number)?
            .filter(|(row, _)| visible(caller, row))
            .ok_or(ServiceError::NotFound)?;
        let view = self.with_sla(&mut conn, row, sla_row.as_ref())?;
        one_ticket_for(&mut conn, caller, view)
    }

    fn with_sla(
        &self,
        conn: &mut DbConn,
        row: TicketRow,
        sla_row: Option<&TicketSlaRow>,
    ) -> Result<TicketView, ServiceError> {
        let view = sla::stored_view(conn, &self.calendars, &row, sla_row, self.now())?;
        Ok(ticket_view(row, view))
    }

    /// Tickets the caller may see, filtered, newest first unless asked otherwise.
    pub fn list_tickets(
        &self,
        caller: &Caller,
        query: TicketQuery,
        page: PageRequest,
    ) -> Result<Page<TicketView>, ServiceError> {
        let mut errors = Vec::new();
        let mut conn = self.conn()?;
        let mut filter = ticket_filter(&mut conn, &mut errors, caller, &query)?;
        let order = order(&mut errors, query.sort.as_deref());
        let after = page
            .cursor
            .as_deref()
            .map(|cursor| decode_cursor(order, cursor))
            .transpose();
        let after = match after {
            Ok(after) => after,
            Err(ServiceError::Invalid {
                errors: refused, ..
            }) => {
                errors.extend(refused);
                None
            }
            Err(other) => return Err(other),
        };
        ServiceError::check(errors)?;
        if caller.role == Role::Tier1 {
            // Tier 1 sees its own PD only, whatever filter it asks for.
            if filter
                .unit_id
                .as_ref()
                .is_some_and(|u| Some(u) != caller.unit_id.as_ref())
            {
                return Ok(Page {
                    items: Vec::new(),
                    next_cursor: None,
                });
            }
            filter.unit_id.clone_from(&caller.unit_id);
        }
        let rows = db::tickets::list(&mut conn, &filter, order, after.as_ref(), page.fetch())?;
        let mut page = page.finish(
            rows,
            |row| encode_cursor(order, row),
            |(row, sla_row)| self.with_sla(&mut conn, row, sla_row.as_ref()),
        )?;
        page.items = tickets_for(&mut conn, caller, page.items)?;
        Ok(page)
    }
}

/// The filter a query asks for, its unit and service named by id or code.
fn ticket_filter(
    conn: &mut DbConn,
    errors: &mut Vec<FieldError>,
    caller: &Caller,
    query: &TicketQuery,
) -> Result<TicketFilter, ServiceError> {
    let unit_id = match &query.unit_id {
        Some(value) => fields::known(errors, "unit_id", db::units::id_for(conn, value)?),
        None => None,
    };
    let service_id = match &query.service_id {
        Some(value) => fields::known(errors, "service_id", db::services::id_for(conn, value)?),
        None => None,
    };
    let assignee_id = match query.assignee_id.as_deref() {
        Some(id) if id.eq_ignore_ascii_case("me") => Some(caller.user_id.clone()),
        Some(id) => {
            // Tier 1 knows the accounts of its own PD only, as it does on `/users`.
            let found = db::users::find(conn, &UserId::from(id))?
                .filter(|user| caller.role != Role::Tier1 || user.unit_id == caller.unit_id)
                .map(|user| user.id);
            if found.is_none() {
                errors.push(FieldError::new(
                    "assignee_id",
                    "names no known account, or me",
                ));
            }
            found
        }
        None => None,
    };
    let filter = TicketFilter {
        status: statuses(errors, query.status.as_deref()),
        tier: query.tier.and_then(|number| {
            let tier = Tier::from_number(number);
            if tier.is_none() {
                errors.push(FieldError::new("tier", "must be 1 or 2"));
            }
            tier
        }),
        unit_id,
        service_id,
        priority: query.priority,
        kind: query.kind,
        assignee_id,
        public_only: caller.role == Role::Integration,
        text: query
            .q
            .as_ref()
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty()),
        created_from: instant(errors, "created_from", query.created_from.as_deref()),
        created_to: instant(errors, "created_to", query.created_to.as_deref()),
        breached: query.breached,
    };
    Ok(filter)
}

/// The order a `sort` asks for.
fn order(errors: &mut Vec<FieldError>, sort: Option<&str>) -> Order {
    match sort {
        None | Some("-created_at") => Order::NewestFirst,
        Some("created_at") => Order::OldestFirst,
        Some("due") => Order::Due,
        Some(_) => {
            errors.push(FieldError::new(
                "sort",
                "must be created_at, -created_at or due",
            ));
            Order::NewestFirst
        }
    }
}
