//! Problems and the incidents they cover (Batu Pasal 18 (4) huruf f): an incident or complaint
//! is linked to the problem ticket of its cause, and the Tim Teknis Monev's inventory lists the
//! open problems with their incidents and the feedback given on them (their comments).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::overseers_only;
use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::{ProblemLinkRow, TicketRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::ids::{TicketId, UserId};
use crate::domain::sla::Priority;
use crate::domain::ticket::{Kind, Status, Tier, Worker};
use crate::service::audit::Actor;
use crate::service::reports::Heading;
use crate::service::tickets::checks::load_visible;
use crate::service::{Desk, ServiceError, audit, permit};

/// `PUT /tickets/{id}/problem`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"problem_id": "SD-2026-000087"})))]
pub struct ProblemLink {
    /// The problem ticket (id or number) whose cause this ticket shares.
    pub problem_id: String,
}

/// A ticket's link to its problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemLinkView {
    /// The incident or complaint.
    pub ticket_id: TicketId,
    /// The problem ticket.
    pub problem_id: TicketId,
    /// The problem's number.
    pub problem_number: String,
    /// Who linked them.
    pub linked_by: UserId,
    /// When.
    pub linked_at: UtcTime,
}

/// A ticket linked to a problem, as the inventory lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedTicket {
    /// Ticket id.
    pub ticket_id: TicketId,
    /// Its number.
    pub number: String,
    /// Incident, complaint, ...
    pub kind: Kind,
    /// Its status.
    pub status: Status,
}

/// Feedback on a problem: a comment on its ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct Feedback {
    /// Who gave it.
    pub author_id: UserId,
    /// When.
    pub at: UtcTime,
    /// Staff only.
    pub internal: bool,
    /// What it says.
    pub body: String,
}

/// One open problem of the inventory.
#[derive(Debug, Serialize, ToSchema)]
pub struct InventoryEntry {
    /// The problem ticket.
    pub ticket_id: TicketId,
    /// Its number.
    pub number: String,
    /// Its title.
    pub title: String,
    /// The PD's code.
    pub unit_code: String,
    /// The PD's name.
    pub unit_name: String,
    /// Its priority.
    pub priority: Priority,
    /// Its status.
    pub status: Status,
    /// Its tier.
    pub tier: i64,
    /// When it was recorded.
    pub created_at: UtcTime,
    /// The incidents and complaints linked to it.
    pub incidents: Vec<LinkedTicket>,
    /// The feedback given on it, oldest first.
    pub feedback: Vec<Feedback>,
}

/// The Tim Teknis Monev's problem inventory: the problems open now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemInventory {
    /// When it was made.
    pub at: UtcTime,
    /// The open problems, oldest first.
    pub rows: Vec<InventoryEntry>,
    /// The region, for the workbook's title.
    #[serde(skip)]
    pub(crate) heading: Heading,
}

/// The ticket whose link `caller` changes: one they work. Tier 1 links its PD's tickets while
/// they are at tier 1; the Dinas links any.
fn linkable(
    conn: &mut DbConn,
    caller: &Caller,
    id_or_number: &str,
) -> Result<TicketRow, ServiceError> {
    let ticket = load_visible(conn, caller, id_or_number, true)?;
    match Worker::of(caller.role, caller.unit_id.as_deref(), &ticket.unit_id) {
        Worker::Tier2 => Ok(ticket),
        Worker::Tier1OfThePd if ticket.tier == Tier::One => Ok(ticket),
        Worker::Tier1OfThePd => Err(ServiceError::Denied(
            "the ticket is at tier 2: the Dinas links it".to_owned(),
        )),
        Worker::Reader => Err(ServiceError::Denied(
            "only those who work the ticket change its link".to_owned(),
        )),
    }
}

fn link_view(conn: &mut DbConn, row: ProblemLinkRow) -> Result<ProblemLinkView, ServiceError> {
    let problem_number = db::tickets::numbers(conn, &[row.problem_id.as_str()])?
        .pop()
        .map(|(_, number)| number)
        .unwrap_or_default();
    Ok(ProblemLinkView {
        ticket_id: row.ticket_id,
        problem_id: row.problem_id,
        problem_number,
        linked_by: row.linked_by,
        linked_at: row.linked_at,
    })
}

fn entry(
    conn: &mut DbConn,
    problem: TicketRow,
    units: &[(String, String, String)],
) -> Result<InventoryEntry, ServiceError> {
    let links = db::governance::linked_to(conn, &[problem.id.as_str()])?;
    let ids: Vec<&str> = links.iter().map(|l| l.ticket_id.as_str()).collect();
    let incidents = db::tickets::many(conn, &ids)?
        .into_iter()
        .map(|t| LinkedTicket {
            ticket_id: t.id,
            number: t.number,
            kind: t.kind,
            status: t.status,
        })
        .collect();
    let feedback = db::ticket_events::comments(conn, &problem.id, true)?
        .into_iter()
        .map(|c| Feedback {
            author_id: c.author_id,
            at: c.created_at,
            internal: c.internal,
            body: c.body,
        })
        .collect();
    let (unit_code, unit_name) = units
        .iter()
        .find(|(id, _, _)| *id == problem.unit_id.as_str())
        .map(|(_, code, name)| (code.clone(), name.clone()))
        .unwrap_or_default();
    Ok(InventoryEntry {
        ticket_id: problem.id,
        number: problem.number,
        title: problem.title,
        unit_code,
        unit_name,
        priority: problem.priority,
        status: problem.status,
        tier: i64::from(problem.tier.number()),
        created_at: problem.created_at,
        incidents,
        feedback,
    })
}

impl Desk {
    /// Links an incident or complaint to the problem of its cause, replacing an earlier link.
    pub fn link_problem(
        &self,
        caller: &Caller,
        id_or_number: &str,
        input: ProblemLink,
    ) -> Result<ProblemLinkView, ServiceError> {
        permit(caller, Operation::WorkTickets)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let ticket = linkable(conn, caller, id_or_number)?;
            if !matches!(ticket.kind, Kind::Incident | Kind::Complaint) {
                return Err(ServiceError::field(
                    "id",
                    "must be an incident or a complaint: those are what a problem covers",
                ));
            }
            let problem = db::tickets::find(conn, &input.problem_id)?
                .filter(|p| crate::service::tickets::checks::visible(caller, p))
                .filter(|p| p.kind == Kind::Problem)
                .ok_or_else(|| {
                    ServiceError::field(
                        "problem_id",
                        "must be the id or number of a problem ticket",
                    )
                })?;
            let row = ProblemLinkRow {
                ticket_id: ticket.id.clone(),
                problem_id: problem.id.clone(),
                linked_by: caller.user_id.clone(),
                linked_at: now.into(),
            };
            db::governance::link_problem(conn, &row)?;
            let data =
                serde_json::json!({"problem_id": problem.id, "problem_number": problem.number});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "problem_linked", ("ticket", &ticket.id), data)?;
            link_view(conn, row)
        })
    }

    /// Removes a ticket's problem link.
    pub fn unlink_problem(&self, caller: &Caller, id_or_number: &str) -> Result<(), ServiceError> {
        permit(caller, Operation::WorkTickets)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let ticket = linkable(conn, caller, id_or_number)?;
            if !db::governance::unlink_problem(conn, &ticket.id)? {
                return Err(ServiceError::NotFound);
            }
            let by = Actor::person(caller, now);
            audit::record(
                conn,
                by,
                "problem_unlinked",
                ("ticket", &ticket.id),
                serde_json::json!({}),
            )?;
            Ok(())
        })
    }

    /// A ticket's problem link.
    pub fn problem_link(
        &self,
        caller: &Caller,
        id_or_number: &str,
    ) -> Result<ProblemLinkView, ServiceError> {
        let mut conn = self.conn()?;
        let ticket = load_visible(&mut conn, caller, id_or_number, false)?;
        let row =
            db::governance::problem_of(&mut conn, &ticket.id)?.ok_or(ServiceError::NotFound)?;
        link_view(&mut conn, row)
    }

    /// The problem inventory (Dinas staff, auditors, admins).
    pub fn problem_inventory(&self, caller: &Caller) -> Result<ProblemInventory, ServiceError> {
        overseers_only(caller)?;
        let mut conn = self.conn()?;
        problem_inventory_of(&mut conn, self.now())
    }
}

/// The inventory as it stands at `now`.
pub(in crate::service) fn problem_inventory_of(
    conn: &mut DbConn,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ProblemInventory, ServiceError> {
    let region = crate::service::region::load(conn)?.row;
    let units: Vec<(String, String, String)> = db::units::list(conn, None, i64::MAX)?
        .into_iter()
        .map(|u| (u.id.to_string(), u.code, u.name))
        .collect();
    let rows = db::tickets::open_problems(conn)?
        .into_iter()
        .map(|problem| entry(conn, problem, &units))
        .collect::<Result<_, _>>()?;
    Ok(ProblemInventory {
        at: now.into(),
        rows,
        heading: Heading {
            region: region.name,
            timezone: region.timezone.0,
        },
    })
}
