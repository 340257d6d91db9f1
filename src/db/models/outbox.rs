//! The mail outbox.

use diesel::prelude::*;

use crate::clock::UtcTime;
use crate::db::schema::notifications;
use crate::domain::ids::{EventId, NotificationId, TicketId};
use crate::domain::notification::{MailStatus, Notice};

/// A mail in the outbox.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    /// UUID v7.
    pub id: NotificationId,
    /// The ticket it is about, if any.
    pub ticket_id: Option<TicketId>,
    /// The ticket event that caused it.
    pub event_id: Option<EventId>,
    /// What happened: `created`, `escalated`, `sla_warning`, ...
    pub kind: Notice,
    /// JSON `{"to": [...], "cc": [...]}`.
    pub recipients: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body.
    pub body_html: String,
    /// The mail's `Message-ID`, without angle brackets.
    pub message_id: String,
    /// `Message-ID` of the ticket's first mail.
    pub thread_id: Option<String>,
    /// `pending`, `sent` or `failed`.
    pub status: MailStatus,
    /// Sending attempts so far.
    pub attempts: i32,
    /// When a pending mail is due (or its lease ends).
    pub next_attempt_at: UtcTime,
    /// The dispatcher holding the lease.
    pub lease_owner: Option<String>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: UtcTime,
    /// When the SMTP server accepted it.
    pub sent_at: Option<UtcTime>,
}
