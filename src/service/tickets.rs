//! Recording, reading, listing and editing tickets.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::fields::{self, present};
use super::page::{self, Page, PageRequest};
use super::sla;
use super::ticket_actions::invalid_transition;
use super::ticket_view::{
    Reporter, TicketView, check_version, load_visible, one_ticket_for, record_event, stored,
    stored_tier, ticket_view, tickets_for, visible,
};
use super::ticket_writer::Draft;
use super::{Desk, ErrorCode, FieldError, ServiceError, permit};
use crate::auth::Caller;
use crate::db::models::{TicketRow, TicketSlaRow};
use crate::db::tickets::{After, Order, TicketFilter, TicketWithSla};
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::email::EmailAddress;
use crate::domain::role::Role;
use crate::domain::ticket::{self, Classification, Kind, Level, Status, Tier, Worker};

const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 20_000;
const MAX_NAME: usize = 200;
const MAX_PHONE: usize = 32;
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// `POST /tickets`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[schema(examples(json!({
    "kind": "incident",
    "title": "SIMPEG tidak bisa diakses",
    "description": "Sejak pukul 08.55 WITA pegawai Dinas Kesehatan tidak bisa masuk ke SIMPEG; halaman login menampilkan 502 Bad Gateway.",
    "service_id": "019c457d-d380-7716-855a-505b32dcacf1",
    "impact": "high",
    "urgency": "medium",
    "reporter": {
        "name": "Siti Rahmawati",
        "email": "siti.rahmawati@tojounaunakab.go.id",
        "phone": "+62 812 4567 8910"
    },
    "classification": "public",
    "security_incident": false,
    "unit_id": "019c1bdd-1680-75e3-b92f-e3604a7cc5f8"
})))]
pub struct NewTicket {
    /// One of the five statutory kinds.
    pub kind: Kind,
    /// Short summary, 1 to 200 characters.
    pub title: String,
    /// Full text, up to 20,000 characters.
    pub description: String,
    /// The affected service.
    pub service_id: Option<String>,
    /// Impact.
    pub impact: Level,
    /// Urgency.
    pub urgency: Level,
    /// Who reported it.
    pub reporter: Reporter,
    /// Default `public`, or `restricted` for a security incident.
    pub classification: Option<Classification>,
    /// A security incident: at least high priority, restricted unless said otherwise.
    #[serde(default)]
    pub security_incident: bool,
    /// The reporting PD: required from Tier 2, ignored or must match for Tier 1.
    pub unit_id: Option<String>,
}

/// `PATCH /tickets/{id}`: only the fields given change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(examples(json!({
    "title": "SIMPEG tidak bisa diakses dari semua PD",
    "impact": "high",
    "urgency": "high"
})))]
pub struct TicketChanges {
    /// New summary.
    pub title: Option<String>,
    /// New text.
    pub description: Option<String>,
    /// New impact (priority follows).
    pub impact: Option<Level>,
    /// New urgency (priority follows).
    pub urgency: Option<Level>,
    /// New service; `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub service_id: Option<Option<String>>,
    /// New assignee; `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Option<String>>,
    /// New classification.
    pub classification: Option<Classification>,
}

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
    #[param(value_type = Option<crate::domain::sla::Priority>)]
    pub priority: Option<String>,
    /// One of the five kinds.
    #[param(value_type = Option<Kind>)]
    pub kind: Option<String>,
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
    /// `true`: only tickets with a breached SLA clock.
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

fn reporter_fields(errors: &mut Vec<FieldError>, reporter: &Reporter) -> Reporter {
    let name = fields::text(errors, "reporter.name", &reporter.name, MAX_NAME);
    let email = reporter
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .and_then(|e| fields::email(errors, "reporter.email", e))
        .map(EmailAddress::into_string);
    let phone = reporter
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|phone| {
            let ok = phone.len() <= MAX_PHONE
                && phone.chars().any(|c| c.is_ascii_digit())
                && phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if !ok {
                errors.push(FieldError::new(
                    "reporter.phone",
                    "must be a phone number of up to 32 characters",
                ));
            }
            phone.to_owned()
        });
    Reporter { name, email, phone }
}

fn request_hash(input: &NewTicket) -> Result<String, ServiceError> {
    let bytes = serde_json::to_vec(input).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The assignee must be able to work the ticket's tier: a `tier1` user of the ticket's PD at
/// tier 1, a `tier2` or `supervisor` user at tier 2; and active.
pub(super) fn check_assignee(
    conn: &mut DbConn,
    row: &TicketRow,
    assignee_id: &str,
) -> Result<(), ServiceError> {
    let fits = db::users::find(conn, assignee_id)?.is_some_and(|user| {
        let role = user.role.parse::<Role>().ok();
        let tier = Tier::from_number(row.tier);
        user.active
            && role.is_some_and(|role| {
                tier.is_some_and(|tier| {
                    Worker::of(role, user.unit_id.as_deref(), &row.unit_id).works(tier)
                })
            })
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

/// A page cursor: the order's sort key of the last ticket, `c.<micros>.<id>` in creation
/// order, `d.<micros or ->.<id>` in deadline order.
fn encode_cursor(order: Order, (row, sla_row): &TicketWithSla) -> String {
    let micros = |at: NaiveDateTime| at.and_utc().timestamp_micros().to_string();
    let key = match order {
        Order::NewestFirst | Order::OldestFirst => format!("c.{}", micros(row.created_at)),
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
            .map(|at| at.naive_utc())
            .ok_or_else(invalid)
    };
    if !page::is_issued_id(id) {
        return Err(invalid());
    }
    let id = id.to_owned();
    match (kind, order) {
        ("c", Order::NewestFirst | Order::OldestFirst) => Ok(After::Created {
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

fn instant(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
) -> Option<NaiveDateTime> {
    value
        .and_then(|text| fields::instant(errors, field, text))
        .map(|at| at.naive_utc())
}

/// The statuses a `status` filter names: a comma-separated list of statuses, `open` standing
/// for every status that still needs work; none for any status.
fn statuses(errors: &mut Vec<FieldError>, value: Option<&str>) -> Vec<String> {
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
    found.iter().map(|s| s.as_str().to_owned()).collect()
}

fn parsed<T: std::str::FromStr>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
) -> Option<String>
where
    T::Err: std::fmt::Display,
{
    value.and_then(|text| match text.parse::<T>() {
        Ok(_) => Some(text.to_owned()),
        Err(error) => {
            errors.push(FieldError::new(field, error.to_string()));
            None
        }
    })
}

impl Desk {
    /// Records a ticket (tier1 for its own PD; tier2 and supervisors for any PD). With an
    /// `Idempotency-Key`, a retry of the same request returns the ticket it made.
    pub fn create_ticket(
        &self,
        caller: &Caller,
        input: NewTicket,
        idempotency_key: Option<String>,
    ) -> Result<TicketView, ServiceError> {
        permit(caller, Operation::RecordTickets)?;
        let mut errors = Vec::new();
        if idempotency_key
            .as_ref()
            .is_some_and(|k| k.is_empty() || k.len() > MAX_IDEMPOTENCY_KEY)
        {
            errors.push(FieldError::new(
                "Idempotency-Key",
                "must be 1 to 255 characters",
            ));
        }
        let title = fields::text(&mut errors, "title", &input.title, MAX_TITLE);
        let description = fields::optional_text(
            &mut errors,
            "description",
            &input.description,
            MAX_DESCRIPTION,
        );
        let reporter = reporter_fields(&mut errors, &input.reporter);
        let unit_id = match (caller.role, &input.unit_id, &caller.unit_id) {
            (Role::Tier1, Some(given), Some(own)) if given != own => {
                errors.push(FieldError::new(
                    "unit_id",
                    "tier1 records tickets for its own PD only",
                ));
                None
            }
            (Role::Tier1, _, own) => own.clone(),
            (_, None, _) => {
                errors.push(FieldError::new(
                    "unit_id",
                    "is required: name the PD the ticket belongs to",
                ));
                None
            }
            (_, Some(given), _) => Some(given.clone()),
        };
        ServiceError::check(errors)?;
        let unit_id = unit_id.ok_or(ServiceError::Forbidden)?;
        let hash = request_hash(&input)?;
        let priority = ticket::priority(input.impact, input.urgency, input.security_incident);
        let classification = input.classification.unwrap_or(if input.security_incident {
            Classification::Restricted
        } else {
            Classification::Public
        });
        // Id, number, times and status are set by the ticket writer when it writes the row.
        let placeholder = NaiveDateTime::default();
        let row = TicketRow {
            id: String::new(),
            number: String::new(),
            kind: input.kind.as_str().into(),
            title,
            description,
            status: Status::New.as_str().into(),
            priority: priority.as_str().into(),
            impact: input.impact.as_str().into(),
            urgency: input.urgency.as_str().into(),
            tier: Tier::One.number(),
            unit_id,
            service_id: input.service_id,
            assignee_id: None,
            tier1_assignee_id: None,
            reporter_name: reporter.name,
            reporter_email: reporter.email,
            reporter_phone: reporter.phone,
            classification: classification.as_str().into(),
            security_incident: input.security_incident,
            created_by: caller.user_id.clone(),
            created_at: placeholder,
            updated_at: placeholder,
            first_response_at: None,
            escalated_at: None,
            escalation_reason: None,
            resolved_at: None,
            closed_at: None,
            resolution: None,
            version: 1,
        };
        self.ticket_writer.write(Draft {
            caller: caller.clone(),
            idempotency: idempotency_key.map(|key| (key, hash)),
            row,
        })
    }

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
        ticket_view(row, view)
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
        let unit_id = match query.unit_id {
            Some(value) => fields::known(
                &mut errors,
                "unit_id",
                db::units::id_for(&mut conn, &value)?,
            ),
            None => None,
        };
        let service_id = match query.service_id {
            Some(value) => fields::known(
                &mut errors,
                "service_id",
                db::services::id_for(&mut conn, &value)?,
            ),
            None => None,
        };
        let mut filter = TicketFilter {
            status: statuses(&mut errors, query.status.as_deref()),
            tier: query.tier,
            unit_id,
            service_id,
            priority: parsed::<crate::domain::sla::Priority>(
                &mut errors,
                "priority",
                query.priority.as_deref(),
            ),
            kind: parsed::<Kind>(&mut errors, "kind", query.kind.as_deref()),
            assignee_id: query.assignee_id.map(|id| {
                if id == "me" {
                    caller.user_id.clone()
                } else {
                    id
                }
            }),
            public_only: caller.role == Role::Integration,
            text: query
                .q
                .map(|q| q.trim().to_lowercase())
                .filter(|q| !q.is_empty()),
            created_from: instant(&mut errors, "created_from", query.created_from.as_deref()),
            created_to: instant(&mut errors, "created_to", query.created_to.as_deref()),
            breached: query.breached == Some(true),
        };
        if filter.tier.is_some_and(|t| Tier::from_number(t).is_none()) {
            errors.push(FieldError::new("tier", "must be 1 or 2"));
        }
        let order = match query.sort.as_deref() {
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
        };
        let after = page
            .cursor
            .as_deref()
            .map(|cursor| decode_cursor(order, cursor))
            .transpose();
        let after = after
            .map_err(|e| errors.push(FieldError::new("cursor", e.to_string())))
            .ok()
            .flatten();
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

    /// Edits a ticket's fields (whoever works its tier); priority follows impact and urgency.
    pub fn update_ticket(
        &self,
        caller: &Caller,
        id_or_number: &str,
        changes: TicketChanges,
        if_match: Option<i64>,
    ) -> Result<TicketView, ServiceError> {
        permit(caller, Operation::WorkTickets)?;
        let mut errors = Vec::new();
        let title = changes
            .title
            .as_deref()
            .map(|t| fields::text(&mut errors, "title", t, MAX_TITLE));
        let description = changes
            .description
            .as_deref()
            .map(|d| fields::optional_text(&mut errors, "description", d, MAX_DESCRIPTION));
        ServiceError::check(errors)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut row = load_visible(conn, caller, id_or_number, true)?;
            let mut held = self.hold_sla(conn, &row)?;
            let mut alerts_escalated = false;
            if let Some(held) = held.as_mut() {
                alerts_escalated = self.record_due_alerts(conn, &mut row, held, now)?;
            }
            let tier = stored_tier(&row)?;
            let worker = Worker::of(caller.role, caller.unit_id.as_deref(), &row.unit_id);
            worker
                .may_work(tier)
                .map_err(|why| ServiceError::Denied(why.to_string()))?;
            check_version(&row, if_match)?;
            let status: Status = stored("status", &row.status)?;
            if !status.is_open() {
                return Err(invalid_transition(
                    format!(
                        "{status} ticket at tier {}: it can no longer be edited",
                        tier.number()
                    ),
                    status,
                    tier,
                    worker,
                ));
            }
            let stored_row = row.clone();
            let before = editable_fields(&row);
            if let Some(title) = title {
                row.title = title;
            }
            if let Some(description) = description {
                row.description = description;
            }
            let impact = changes
                .impact
                .map_or_else(|| stored("impact", &row.impact), Ok)?;
            let urgency = changes
                .urgency
                .map_or_else(|| stored("urgency", &row.urgency), Ok)?;
            row.impact = impact.as_str().into();
            row.urgency = urgency.as_str().into();
            let priority = ticket::priority(impact, urgency, row.security_incident);
            row.priority = priority.as_str().into();
            if let Some(held) = held.as_mut() {
                held.sla.retarget(priority);
                // A paused clock already past its new target owes its alerts now.
                self.record_due_alerts(conn, &mut row, held, now)?;
            }
            // An unchanged service or assignee is not judged again: a PATCH that repeats the
            // ticket as it stands changes nothing.
            if let Some(service_id) = changes.service_id
                && service_id != row.service_id
            {
                if let Some(id) = &service_id
                    && !db::services::find(conn, id)?.is_some_and(|s| s.active)
                {
                    return Err(ServiceError::field(
                        "service_id",
                        "must be an active service of the catalogue",
                    ));
                }
                row.service_id = service_id;
            }
            if let Some(assignee_id) = changes.assignee_id
                && assignee_id != row.assignee_id
            {
                if let Some(id) = &assignee_id {
                    check_assignee(conn, &row, id)?;
                }
                if tier == Tier::One {
                    row.tier1_assignee_id.clone_from(&assignee_id);
                }
                row.assignee_id = assignee_id;
            }
            if let Some(classification) = changes.classification {
                row.classification = classification.as_str().into();
            }
            // A PATCH that changes nothing makes no new version and no `updated` event; what
            // the SLA engine owed the ticket at this moment is kept all the same.
            if row != stored_row {
                row.updated_at = now.naive_utc();
                row.version += 1;
                db::tickets::update(conn, &row)?;
                let after = editable_fields(&row);
                record_event(
                    conn,
                    &row.id,
                    "updated",
                    Some(&caller.user_id),
                    now,
                    changed_fields(&before, &after),
                )?;
            } else if alerts_escalated {
                db::tickets::update(conn, &row)?;
            }
            let sla = held
                .map(|held| held.save(conn))
                .transpose()?
                .map(|held| held.view(status, now));
            one_ticket_for(conn, caller, ticket_view(row, sla)?)
        })
        .inspect(|_| self.sla_bell.ring(None))
    }
}

/// The fields `PATCH` may change, for the `updated` event.
fn editable_fields(row: &TicketRow) -> serde_json::Value {
    serde_json::json!({"title": row.title, "impact": row.impact, "urgency": row.urgency,
        "priority": row.priority, "service_id": row.service_id, "assignee_id": row.assignee_id,
        "classification": row.classification})
}

/// `{field: {from, to}}` for the fields that differ.
fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let mut changes = serde_json::Map::new();
    if let (Some(before), Some(after)) = (before.as_object(), after.as_object()) {
        for (field, new) in after {
            let old = before.get(field).unwrap_or(&serde_json::Value::Null);
            if old != new {
                changes.insert(field.clone(), serde_json::json!({"from": old, "to": new}));
            }
        }
    }
    serde_json::Value::Object(changes)
}
