//! The outbox's rows: a rendered mail as stored, as the dispatcher sends it, and when it is
//! tried again.

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Deserialize;

use super::mailing::Mailing;
use crate::db::models::NotificationRow;
use crate::db::{self, DbConn};
use crate::domain::email::EmailAddress;
use crate::domain::ids::{EventId, TicketId};
use crate::domain::notification::MailStatus;
use crate::domain::notification::{Notice, Recipients};
use crate::mail::{Outgoing, Rendered};
use crate::service::audit::Actor;
use crate::service::events::record::record_event;
use crate::service::{ServiceError, audit, new_id};

/// How long a dispatcher holds a mail it is sending before another may take it: well past the
/// longest SMTP deadline, so that a send still in flight is never taken by another dispatcher.
pub(super) const LEASE: chrono::Duration = chrono::Duration::minutes(2);
/// The first retry waits about this long; each next one twice as long.
const FIRST_RETRY: chrono::Duration = chrono::Duration::seconds(10);
/// The longest wait between two attempts.
const LONGEST_RETRY: chrono::Duration = chrono::Duration::minutes(15);
/// Attempts before a mail is given up (about two hours of retrying).
pub(super) const MAX_ATTEMPTS: i32 = 12;

pub(super) fn notification_row(
    mailing: &Mailing,
    (ticket_id, event_id): (Option<&str>, Option<&str>),
    notice: Notice,
    recipients: &Recipients,
    rendered: Rendered,
    thread_id: Option<String>,
    now: DateTime<Utc>,
) -> NotificationRow {
    let id = new_id();
    let domain = mailing
        .sender
        .rsplit_once('@')
        .map_or("localhost", |(_, domain)| domain);
    NotificationRow {
        message_id: format!("{id}@{domain}"),
        id,
        ticket_id: ticket_id.map(TicketId::from),
        event_id: event_id.map(EventId::from),
        kind: notice,
        recipients: serde_json::json!({"to": recipients.to, "cc": recipients.cc}).to_string(),
        subject: rendered.subject,
        body_text: rendered.text,
        body_html: rendered.html,
        thread_id,
        status: MailStatus::Pending,
        attempts: 0,
        next_attempt_at: now.into(),
        lease_owner: None,
        last_error: None,
        created_at: now.into(),
        sent_at: None,
    }
}

#[derive(Deserialize)]
pub(super) struct StoredRecipients {
    pub(super) to: Vec<String>,
    pub(super) cc: Vec<String>,
}

/// A stored mail, ready to send from `sender`.
pub(super) fn outgoing(row: NotificationRow, sender: &str) -> Outgoing {
    let StoredRecipients { to, cc } = stored_recipients(&row);
    Outgoing {
        id: row.id.to_string(),
        from: sender.to_owned(),
        to,
        cc,
        subject: row.subject,
        text: row.body_text,
        html: row.body_html,
        message_id: row.message_id,
        thread_id: row.thread_id,
    }
}

pub(super) fn stored_recipients(row: &NotificationRow) -> StoredRecipients {
    serde_json::from_str(&row.recipients).unwrap_or(StoredRecipients {
        to: Vec::new(),
        cc: Vec::new(),
    })
}

/// Takes out of a queued mail the recipients the desk no longer accepts (queued before the
/// address rules were what they are), each recorded as `notification_skipped`, so that one
/// bad address never makes the mail fail for the others. A mail left with none fails when
/// it is built, as any mail without a recipient.
pub(super) fn drop_unusable_recipients(
    conn: &mut DbConn,
    row: &mut NotificationRow,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let StoredRecipients { to, cc } = stored_recipients(row);
    let usable = |address: &String| EmailAddress::parse(address).is_ok();
    let (to, bad_to): (Vec<String>, Vec<String>) = to.into_iter().partition(usable);
    let (cc, bad_cc): (Vec<String>, Vec<String>) = cc.into_iter().partition(usable);
    if bad_to.is_empty() && bad_cc.is_empty() {
        return Ok(());
    }
    for address in bad_to.iter().chain(&bad_cc) {
        let data = serde_json::json!({"address": address, "reason": "invalid_address",
                                      "notice": row.kind, "notification_id": row.id});
        match &row.ticket_id {
            Some(ticket_id) => {
                record_event(conn, ticket_id, "notification_skipped", None, now, data)?;
            }
            None => {
                let by = Actor::system(now);
                audit::record(
                    conn,
                    by,
                    "notification_skipped",
                    ("notification", &row.id),
                    data,
                )?;
            }
        }
    }
    row.recipients = serde_json::json!({"to": to, "cc": cc}).to_string();
    db::notifications::set_recipients(conn, &row.id, &row.recipients)?;
    Ok(())
}

/// The wait before attempt `attempts + 1`: doubling from `FIRST_RETRY` up to `LONGEST_RETRY`,
/// each spread by ±25% so that mails held up together do not all come back at once.
pub(super) fn backoff(attempts: i32) -> chrono::Duration {
    let doubled =
        FIRST_RETRY * 2_i32.saturating_pow(attempts.saturating_sub(1).clamp(0, 16) as u32);
    let wait = doubled.min(LONGEST_RETRY);
    let spread = rand::rng().random_range(0.75..1.25);
    chrono::Duration::milliseconds((wait.num_milliseconds() as f64 * spread) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_outlasts_the_longest_smtp_deadline() {
        let longest = crate::config::LONGEST_SMTP_TIMEOUT_SECS as i64;
        assert!(LEASE.num_seconds() >= 2 * longest);
    }

    #[test]
    fn backoff_doubles_up_to_a_ceiling_with_spread() {
        for (attempts, base) in [(1, 10), (2, 20), (3, 40), (12, 900)] {
            let wait = backoff(attempts).num_milliseconds();
            assert!(
                (base * 750..=base * 1250).contains(&wait),
                "attempt {attempts}: {wait} ms"
            );
        }
    }
}
