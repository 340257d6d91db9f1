//! The ticket actions of the action table, comments, and the event trail.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::models::{CommentRow, TicketRow};
use crate::db::{self, write_tx};
use crate::domain::access::Operation;
use crate::domain::notification::Notice;
use crate::domain::ticket::{self, Action, Forbidden, Refusal, Status, Tier, Worker};
use crate::domain::ticket_sla::Position;
use crate::service::accounts::names::names_for;
use crate::service::events::record::record_event;
use crate::service::events::view::{EventView, event_for};
use crate::service::notify::{self, TicketNotice};
use crate::service::ops::metrics::AutomaticLabel;
use crate::service::sla::SlaView;
use crate::service::stored::{stored, stored_tier};
use crate::service::tickets::checks::check_assignee;
use crate::service::tickets::checks::{check_version, invalid_transition, load_visible};
use crate::service::tickets::requests::{ActionRequest, MAX_TEXT};
use crate::service::tickets::view::{
    CommentView, TicketView, comment_view, one_ticket_for, ticket_view,
};
use crate::service::{Desk, ServiceError, new_id, permit};

/// `POST /tickets/{id}/comments`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({
    "body": "Halaman login SIMPEG menampilkan 502 Bad Gateway dari semua komputer di Dinas Kesehatan; jaringan kantor normal.",
    "internal": false
})))]
pub struct NewComment {
    /// The text, 1 to 20,000 characters.
    pub body: String,
    /// Staff only; default `false`.
    #[serde(default)]
    pub internal: bool,
}

/// The text an action needs, checked.
fn required_text(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<String, ServiceError> {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() || value.chars().count() > max {
        return Err(ServiceError::field(
            field,
            format!("is required, 1 to {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// The text of the field the move needs, checked.
fn action_detail(request: &ActionRequest) -> Result<Option<(&'static str, String)>, ServiceError> {
    request
        .detail()
        .map(|(field, value, max)| required_text(field, Some(value), max).map(|text| (field, text)))
        .transpose()
}

fn event_type(action: Action) -> &'static str {
    match action {
        Action::Acknowledge => "acknowledged",
        Action::Assign => "assigned",
        Action::Pend => "pended",
        Action::Resume => "resumed",
        Action::Escalate => "escalated",
        Action::Return => "returned",
        Action::Resolve => "resolved",
        Action::Reopen => "reopened",
        Action::Close => "closed",
        Action::Cancel => "cancelled",
    }
}

/// A refused move as the caller hears it: a `403` says who may, a `409` which moves are left
/// to the caller.
fn refused(refusal: Refusal, status: Status, tier: Tier, worker: Worker) -> ServiceError {
    match refusal {
        Refusal::Forbidden(why) => ServiceError::Denied(why.to_string()),
        Refusal::InvalidTransition { .. } => {
            invalid_transition(refusal.to_string(), status, tier, worker)
        }
    }
}

impl Desk {
    /// Makes one move of the action table on a ticket, with its event, in one transaction.
    pub fn act_on_ticket(
        &self,
        caller: &Caller,
        id_or_number: &str,
        request: ActionRequest,
        if_match: Option<i64>,
    ) -> Result<TicketView, ServiceError> {
        permit(caller, Operation::WorkTickets)?;
        let action = request.action();
        let detail = action_detail(&request)?;
        let now = self.now();
        let at = now.naive_utc();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut row = load_visible(conn, caller, id_or_number, true)?;
            // An alert already due is recorded first, as the engine would have: the move is
            // then decided on the ticket as it stands (perhaps just escalated).
            let mut held = self.hold_sla(conn, &row)?;
            if let Some(held) = held.as_mut() {
                self.record_due_alerts(conn, &mut row, held, now)?;
            }
            let escalated_before = row.escalated_at.is_some();
            let status: Status = stored("status", &row.status)?;
            let tier = stored_tier(&row)?;
            let worker = Worker::of(caller.role, caller.unit_id.as_deref(), &row.unit_id);
            let to = ticket::decide(action, status, tier, worker)
                .map_err(|refusal| refused(refusal, status, tier, worker))?;
            check_version(&row, if_match)?;
            let detail_text = detail.as_ref().map(|(_, text)| text.clone());
            let mut data = serde_json::json!({"from_status": status, "to_status": to.status});
            if let Some((field, text)) = &detail {
                data[*field] = serde_json::json!(text);
            }
            match action {
                Action::Assign => {
                    let assignee = detail.map(|(_, id)| id).unwrap_or_default();
                    check_assignee(conn, &row, &assignee)?;
                    if tier == Tier::One {
                        row.tier1_assignee_id = Some(assignee.clone());
                    }
                    row.assignee_id = Some(assignee);
                }
                Action::Escalate => {
                    row.escalated_at = Some(at);
                    row.escalation_reason = detail.map(|(_, reason)| reason);
                    // Tier 1's assignee cannot work tier 2; it is remembered for the return.
                    row.assignee_id = None;
                    data["automatic"] = serde_json::json!(false);
                    data["taken_over"] = serde_json::json!(worker == Worker::Tier2);
                }
                Action::Return => row.assignee_id.clone_from(&row.tier1_assignee_id),
                Action::Resolve => {
                    row.resolved_at = Some(at);
                    row.resolution = detail.map(|(_, resolution)| resolution);
                }
                Action::Reopen => {
                    row.resolved_at = None;
                    row.resolution = None;
                }
                Action::Close => row.closed_at = Some(at),
                // Whoever answers first works the ticket, unless someone already does.
                Action::Acknowledge if row.assignee_id.is_none() => {
                    if tier == Tier::One {
                        row.tier1_assignee_id = Some(caller.user_id.clone());
                    }
                    row.assignee_id = Some(caller.user_id.clone());
                    data["assignee_id"] = serde_json::json!(caller.user_id);
                }
                Action::Acknowledge | Action::Pend | Action::Resume | Action::Cancel => {}
            }
            // The response clock stops at the first move out of `new`.
            if status == Status::New && to.status != Status::New && row.first_response_at.is_none()
            {
                row.first_response_at = Some(at);
            }
            if let Some(held) = held.as_mut() {
                let from = Position { status, tier };
                let to = Position {
                    status: to.status,
                    tier: to.tier,
                };
                held.sla
                    .follow(from, to, escalated_before, now, &held.calendar);
            }
            row.status = to.status.as_str().into();
            row.tier = to.tier.number();
            row.updated_at = at;
            row.version += 1;
            db::tickets::update(conn, &row)?;
            let event_id = record_event(
                conn,
                &row.id,
                event_type(action),
                Some(&caller.user_id),
                now,
                data,
            )?;
            let sla = held
                .map(|held| held.save(conn))
                .transpose()?
                .map(|held| held.view(to.status, now));
            let notice = match action {
                Action::Escalate => Some(Notice::Escalated),
                Action::Return => Some(Notice::Returned),
                Action::Resolve => Some(Notice::Resolved),
                _ => None,
            };
            if action == Action::Escalate {
                self.metrics
                    .escalations
                    .get_or_create(&AutomaticLabel {
                        automatic: "false".into(),
                    })
                    .inc();
            }
            if let Some(notice) = notice {
                let mailing = notify::mailing(conn, self.mail_from.as_deref())?;
                let notice = TicketNotice {
                    notice,
                    event_id: &event_id,
                    clock: None,
                    automatic: false,
                    detail: detail_text,
                    due: sla.as_ref().map(SlaView::due_instants).unwrap_or_default(),
                };
                notify::enqueue_ticket_mail(conn, &mailing, &row, &notice, now)?;
            }
            one_ticket_for(conn, caller, ticket_view(row, sla)?)
        })
        .inspect(|_| self.sla_bell.ring(None))
    }

    /// Adds a comment: Tier 1 on its PD's tickets at any tier, Tier 2 and supervisors on any.
    /// A public comment by an agent on a `new` ticket is its first response.
    pub fn comment_on_ticket(
        &self,
        caller: &Caller,
        id_or_number: &str,
        input: NewComment,
    ) -> Result<CommentView, ServiceError> {
        permit(caller, Operation::WorkTickets)?;
        let body = required_text("body", Some(&input.body), MAX_TEXT)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut row: TicketRow = load_visible(conn, caller, id_or_number, true)?;
            if Worker::of(caller.role, caller.unit_id.as_deref(), &row.unit_id) == Worker::Reader {
                return Err(ServiceError::Denied(Forbidden::NotAWorker.to_string()));
            }
            let mut held = self.hold_sla(conn, &row)?;
            if let Some(held) = held.as_mut() {
                self.record_due_alerts(conn, &mut row, held, now)?;
            }
            let comment = CommentRow {
                id: new_id(),
                ticket_id: row.id.clone(),
                author_id: caller.user_id.clone(),
                body,
                internal: input.internal,
                created_at: now.naive_utc(),
            };
            db::ticket_events::insert_comment(conn, &comment)?;
            if !comment.internal
                && row.status == Status::New.as_str()
                && row.first_response_at.is_none()
            {
                row.first_response_at = Some(comment.created_at);
                if let Some(held) = held.as_mut() {
                    held.sla.first_response(now, &held.calendar);
                }
            }
            if let Some(held) = held {
                held.save(conn)?;
            }
            row.updated_at = comment.created_at;
            row.version += 1;
            db::tickets::update(conn, &row)?;
            record_event(
                conn,
                &row.id,
                "commented",
                Some(&caller.user_id),
                now,
                serde_json::json!({"comment_id": comment.id, "internal": comment.internal}),
            )?;
            let mut names = names_for(conn, caller, std::iter::once(caller.user_id.as_str()))?;
            let mut view = comment_view(comment);
            view.author_name = names.remove(&view.author_id);
            Ok(view)
        })
    }

    /// A ticket's comments; integrations see public ones only.
    pub fn ticket_comments(
        &self,
        caller: &Caller,
        id_or_number: &str,
    ) -> Result<Vec<CommentView>, ServiceError> {
        let mut conn = self.conn()?;
        let row = load_visible(&mut conn, caller, id_or_number, false)?;
        let with_internal = caller.role.is_staff();
        let mut comments: Vec<CommentView> =
            db::ticket_events::comments(&mut conn, &row.id, with_internal)?
                .into_iter()
                .map(comment_view)
                .collect();
        let names = names_for(
            &mut conn,
            caller,
            comments.iter().map(|c| c.author_id.as_str()),
        )?;
        for comment in &mut comments {
            comment.author_name = names.get(&comment.author_id).cloned();
        }
        Ok(comments)
    }

    /// A ticket's audit trail, oldest first, as the caller may see it.
    pub fn ticket_events(
        &self,
        caller: &Caller,
        id_or_number: &str,
    ) -> Result<Vec<EventView>, ServiceError> {
        let mut conn = self.conn()?;
        let row = load_visible(&mut conn, caller, id_or_number, false)?;
        let mut events: Vec<EventView> = db::ticket_events::for_ticket(&mut conn, &row.id)?
            .into_iter()
            .filter_map(|event| event_for(caller.role, event))
            .collect();
        let names = names_for(
            &mut conn,
            caller,
            events.iter().filter_map(|e| e.actor_id.as_deref()),
        )?;
        for event in &mut events {
            event.actor_name = event
                .actor_id
                .as_ref()
                .and_then(|id| names.get(id))
                .cloned();
        }
        Ok(events)
    }
}
