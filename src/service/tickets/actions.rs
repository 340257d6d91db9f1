//! The ticket actions of the action table, comments, and the event trail.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::models::CommentRow;
use crate::db::{self, DbConn};
use crate::domain::access::Operation;
use crate::domain::ids::{EventId, UserId};
use crate::domain::notification::Notice;
use crate::domain::ticket::{self, Action, Forbidden, Refusal, Status, Tier, Worker};
use crate::domain::ticket_handling::Made;
use crate::domain::ticket_sla::Position;
use crate::service::accounts::names::names_for;
use crate::service::events::view::{EventView, event_for};
use crate::service::notify::{self, TicketNotice};
use crate::service::ops::metrics::AutomaticLabel;
use crate::service::sla::SlaView;
use crate::service::tickets::change::TicketChange;
use crate::service::tickets::checks::load_visible;
use crate::service::tickets::checks::{check_assignee, check_version, invalid_transition};
use crate::service::tickets::requests::{ActionRequest, MAX_TEXT};
use crate::service::tickets::view::{CommentView, TicketView};
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
        .map(|(field, value, max)| {
            let text = required_text(field, Some(value), max)?;
            // An id is kept as it is given out, whatever case it was sent in.
            let text = match field {
                "assignee_id" => UserId::from(text).to_string(),
                _ => text,
            };
            Ok((field, text))
        })
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

/// What a move's mail needs once the move is committed.
struct Moved {
    notice: Option<Notice>,
    event_id: EventId,
    detail: Option<String>,
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
        self.change_ticket(
            caller,
            id_or_number,
            |conn, change| self.make_move(conn, change, caller, (action, detail), if_match),
            |conn, committed, moved| {
                if let Some(notice) = moved.notice {
                    let mailing = notify::mailing(conn, self.mail_from.as_deref())?;
                    let due = committed.sla.as_ref().map(SlaView::due_instants);
                    let notice = TicketNotice {
                        notice,
                        event_id: &moved.event_id,
                        clock: None,
                        automatic: false,
                        detail: moved.detail,
                        due: due.unwrap_or_default(),
                    };
                    notify::enqueue_ticket_mail(
                        conn,
                        &mailing,
                        &committed.row,
                        &notice,
                        committed.at,
                    )?;
                }
                committed.view_for(conn, caller)
            },
        )
    }

    /// A move decided on the ticket as it stands, its field changes and its event.
    fn make_move(
        &self,
        conn: &mut DbConn,
        change: &mut TicketChange,
        caller: &Caller,
        (action, detail): (Action, Option<(&'static str, String)>),
        if_match: Option<i64>,
    ) -> Result<Moved, ServiceError> {
        let from = change.position()?;
        let worker = Worker::of(
            caller.role,
            caller.unit_id.as_deref(),
            &change.row().unit_id,
        );
        let to = ticket::decide(action, from.status, from.tier, worker)
            .map_err(|refusal| refused(refusal, from.status, from.tier, worker))?;
        check_version(change.row(), if_match)?;
        if action == Action::Assign {
            let assignee = detail.as_ref().map_or("", |(_, id)| id.as_str());
            check_assignee(conn, change.row(), &UserId::from(assignee))?;
        }
        let mut data = serde_json::json!({"from_status": from.status, "to_status": to.status});
        if let Some((field, text)) = &detail {
            data[*field] = serde_json::json!(text);
        }
        let detail = detail.map(|(_, text)| text);
        change.go(Position {
            status: to.status,
            tier: to.tier,
        })?;
        let made = Made {
            action,
            from,
            to,
            by: &caller.user_id,
            detail: detail.clone(),
            at: change.now(),
        };
        if change.handle(|handling| handling.apply(made)) {
            data["assignee_id"] = serde_json::json!(caller.user_id);
        }
        if action == Action::Escalate {
            data["automatic"] = serde_json::json!(false);
            data["taken_over"] = serde_json::json!(worker == Worker::Tier2);
            self.metrics
                .escalations
                .get_or_create(&AutomaticLabel {
                    automatic: "false".into(),
                })
                .inc();
        }
        let event_id = change.record(conn, event_type(action), &caller.user_id, data)?;
        let notice = match action {
            Action::Escalate => Some(Notice::Escalated),
            Action::Return => Some(Notice::Returned),
            Action::Resolve => Some(Notice::Resolved),
            _ => None,
        };
        Ok(Moved {
            notice,
            event_id,
            detail,
        })
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
        let work = |conn: &mut DbConn, change: &mut TicketChange| {
            let row = change.row();
            if Worker::of(caller.role, caller.unit_id.as_deref(), &row.unit_id) == Worker::Reader {
                return Err(ServiceError::Denied(Forbidden::NotAWorker.to_string()));
            }
            let comment = CommentRow {
                id: new_id(),
                ticket_id: row.id.clone(),
                author_id: caller.user_id.clone(),
                body,
                internal: input.internal,
                created_at: change.now().into(),
            };
            db::ticket_events::insert_comment(conn, &comment)?;
            if !comment.internal && change.row().status == Status::New {
                change.respond();
            }
            let data = serde_json::json!({"comment_id": comment.id, "internal": comment.internal});
            change.record(conn, "commented", &caller.user_id, data)?;
            Ok(comment)
        };
        self.change_ticket(caller, id_or_number, work, |conn, _, comment| {
            let mut names = names_for(conn, caller, std::iter::once(caller.user_id.as_str()))?;
            let mut view = CommentView::from(comment);
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
                .map(CommentView::from)
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
