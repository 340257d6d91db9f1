//! The outbox as admins and auditors read it, and a failed mail put back in the queue.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::outbox::{StoredRecipients, stored_recipients};
use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::NotificationRow;
use crate::db::{self, write_tx};
use crate::domain::ids::{EventId, NotificationId, TicketId};
use crate::domain::notification::MailStatus;
use crate::domain::notification::Notice;
use crate::domain::role::Role;
use crate::service::ErrorCode;
use crate::service::audit::Actor;
use crate::service::page::{self, Page, PageRequest};
use crate::service::{Desk, FieldError, ServiceError, audit, require};

/// A mail in the outbox, as admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    /// Outbox id.
    pub id: NotificationId,
    /// The ticket it is about.
    pub ticket_id: Option<TicketId>,
    /// The ticket event that caused it.
    pub event_id: Option<EventId>,
    /// `created`, `escalated`, `returned`, `sla_warning`, `sla_breached`, `resolved` or
    /// `availability_breached`.
    pub kind: Notice,
    /// To.
    pub to: Vec<String>,
    /// Cc.
    pub cc: Vec<String>,
    /// Subject.
    pub subject: String,
    /// `pending`, `sent` or `failed`.
    pub status: MailStatus,
    /// Sending attempts so far.
    pub attempts: i32,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: UtcTime,
    /// When the mail server accepted it.
    pub sent_at: Option<UtcTime>,
}

impl From<NotificationRow> for NotificationView {
    fn from(row: NotificationRow) -> Self {
        let StoredRecipients { to, cc } = stored_recipients(&row);
        NotificationView {
            id: row.id,
            ticket_id: row.ticket_id,
            event_id: row.event_id,
            kind: row.kind,
            to,
            cc,
            subject: row.subject,
            status: row.status,
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: row.created_at,
            sent_at: row.sent_at,
        }
    }
}

fn encode_cursor(row: &NotificationRow) -> String {
    format!("{}.{}", row.created_at.get().timestamp_micros(), row.id)
}

impl Desk {
    /// The outbox, newest first (admins and auditors).
    pub fn list_notifications(
        &self,
        caller: &Caller,
        status: Option<String>,
        page: PageRequest,
    ) -> Result<Page<NotificationView>, ServiceError> {
        require(caller, &[Role::Admin, Role::Auditor])?;
        let status = status
            .map(|status| status.parse::<MailStatus>())
            .transpose()
            .map_err(|_| ServiceError::Invalid {
                code: ErrorCode::ValidationFailed,
                errors: vec![FieldError::new("status", "must be pending, sent or failed")],
            })?;
        let after = match page.cursor.as_deref() {
            Some(cursor) => Some(
                cursor
                    .split_once('.')
                    .filter(|(_, id)| page::is_issued_id(id))
                    .and_then(|(micros, id)| {
                        micros
                            .parse::<i64>()
                            .ok()
                            .and_then(DateTime::<Utc>::from_timestamp_micros)
                            .map(|at| (at.into(), id.to_owned()))
                    })
                    .ok_or_else(page::not_issued)?,
            ),
            None => None,
        };
        let rows = db::notifications::list(&mut *self.conn()?, status, after, page.fetch())?;
        page.finish(rows, encode_cursor, |row| Ok(row.into()))
    }

    /// Puts a failed mail back in the queue (admins).
    pub fn retry_notification(
        &self,
        caller: &Caller,
        id: &NotificationId,
    ) -> Result<NotificationView, ServiceError> {
        require(caller, &[Role::Admin])?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let row = db::notifications::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            if !db::notifications::requeue(conn, id, now.into())? {
                return Err(ServiceError::Conflict {
                    code: ErrorCode::NotFailed,
                    message: format!(
                        "only a failed mail can be retried; this one is {}",
                        row.status
                    ),
                });
            }
            let data = serde_json::json!({"subject": row.subject});
            let by = Actor::person(caller, now);
            audit::record(
                conn,
                by,
                "notification_requeued",
                ("notification", id),
                data,
            )?;
            db::notifications::find(conn, id)?
                .map(NotificationView::from)
                .ok_or(ServiceError::NotFound)
        })
    }
}
