//! The dispatcher's side of the outbox: claiming due mails under a lease and recording how
//! sending them went.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::mailing::mailing;
use super::outbox::{LEASE, MAX_ATTEMPTS, backoff, drop_unusable_recipients, outgoing};
use crate::db::models::EventRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::ids::NotificationId;
use crate::domain::notification::MailStatus;
use crate::mail::{Outgoing, SendFailure};
use crate::service::events::record::{event_row, record_event};
use crate::service::{Desk, ServiceError};

/// The outbox as a mail dispatcher works it: due mails claimed under a lease, and how sending
/// them went. The dispatcher holds one; nothing else sends mail.
pub struct MailQueue {
    desk: Arc<Desk>,
}

impl MailQueue {
    /// The queue of `desk`'s outbox.
    pub fn new(desk: Arc<Desk>) -> Self {
        Self { desk }
    }

    /// Claims up to `limit` due mails for the dispatcher `owner`.
    pub fn claim(&self, owner: &str, limit: i64) -> Result<Vec<Outgoing>, ServiceError> {
        let now = self.desk.now();
        let mut conn = self.desk.conn()?;
        let due = db::notifications::due(&mut conn, now.into(), limit)?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let sender = mailing(&mut conn, self.desk.mail_from.as_deref())?.sender;
        let claimed: Vec<Outgoing> = write_tx(&mut conn, |conn| -> Result<_, ServiceError> {
            let mut rows = db::notifications::lock_due(conn, &due, now.into())?;
            for row in &mut rows {
                drop_unusable_recipients(conn, row, now)?;
            }
            let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
            db::notifications::lease(conn, &ids, owner, (now + LEASE).into())?;
            Ok(rows.into_iter().map(|row| outgoing(row, &sender)).collect())
        })?;
        #[cfg(debug_assertions)]
        for mail in &claimed {
            crate::faults::panic_if_marked("mail-dispatcher", &mail.subject);
        }
        Ok(claimed)
    }

    /// Records a failed attempt for each mail the dispatcher `owner` still holds, after it
    /// panicked with them in hand; they are due again after the usual backoff. Returns how
    /// many.
    pub fn fail_in_hand(&self, owner: &str) -> Result<usize, ServiceError> {
        let mut conn = self.desk.conn()?;
        let sender = mailing(&mut conn, self.desk.mail_from.as_deref())?.sender;
        let failure = SendFailure {
            permanent: false,
            message: "the mail dispatcher stopped while it sent this mail".into(),
        };
        let outcomes: Vec<_> = db::notifications::leased_to(&mut conn, owner)?
            .into_iter()
            .map(|row| (outgoing(row, &sender), Err(failure.clone())))
            .collect();
        drop(conn);
        self.settle(owner, &outcomes)?;
        Ok(outcomes.len())
    }

    /// Records how sending claimed mails went, in one transaction: sent (all at once, the
    /// usual case); failed for now (retried with backoff); or failed for good (a permanent
    /// refusal, or the last attempt). Sent and given-up mails get their ticket event.
    pub fn settle(
        &self,
        owner: &str,
        outcomes: &[(Outgoing, Result<(), SendFailure>)],
    ) -> Result<(), ServiceError> {
        let now = self.desk.now();
        let mut conn = self.desk.conn()?;
        let (sent, failed) = write_tx(&mut conn, |conn| {
            let sent = settle_sent(conn, owner, outcomes, now)?;
            let mut failed = 0;
            for (mail, outcome) in outcomes {
                if let Err(failure) = outcome
                    && settle_failure(conn, owner, mail, failure, now)?
                {
                    failed += 1;
                }
            }
            Ok::<_, ServiceError>((sent, failed))
        })?;
        self.desk.metrics.mails_sent.inc_by(sent);
        self.desk.metrics.mails_failed.inc_by(failed);
        Ok(())
    }
}

/// Marks the sent mails this dispatcher still holds as sent, with a `notification_sent` event
/// on each one's ticket; returns how many.
fn settle_sent(
    conn: &mut DbConn,
    owner: &str,
    outcomes: &[(Outgoing, Result<(), SendFailure>)],
    now: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    let sent: HashMap<&str, &Outgoing> = outcomes
        .iter()
        .filter(|(_, outcome)| outcome.is_ok())
        .map(|(mail, _)| (mail.id.as_str(), mail))
        .collect();
    if sent.is_empty() {
        return Ok(0);
    }
    let ids: Vec<&str> = sent.keys().copied().collect();
    let held = db::notifications::held(conn, &ids, owner)?;
    let held_ids: Vec<&str> = held.iter().map(|mail| mail.id.as_str()).collect();
    db::notifications::mark_sent(conn, &held_ids, now.into())?;
    let events: Vec<EventRow> = held
        .iter()
        .filter_map(|row| {
            let mail = sent.get(row.id.as_str())?;
            let data = serde_json::json!({"notification_id": row.id, "kind": row.kind,
                                          "to": mail.to, "cc": mail.cc,
                                          "attempts": row.attempts, "error": null});
            Some(event_row(
                row.ticket_id.as_ref()?,
                "notification_sent",
                None,
                now,
                data,
            ))
        })
        .collect();
    db::ticket_events::insert_many(conn, &events)?;
    Ok(held.len() as u64)
}

/// Settles one mail that did not go out: due again after a backoff, or given up with a
/// `notification_failed` event. Returns whether it was given up (while this dispatcher held it).
fn settle_failure(
    conn: &mut DbConn,
    owner: &str,
    mail: &Outgoing,
    failure: &SendFailure,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let Some(row) = db::notifications::find(conn, &NotificationId::from(mail.id.as_str()))? else {
        return Ok(false);
    };
    let error = failure.message.as_str();
    let given_up = failure.permanent || row.attempts >= MAX_ATTEMPTS;
    let (status, next) = if given_up {
        (MailStatus::Failed, now)
    } else {
        (MailStatus::Pending, now + backoff(row.attempts))
    };
    let settled =
        db::notifications::settle_failure(conn, &mail.id, owner, status, next.into(), error)?;
    if let (true, true, Some(ticket_id)) = (settled, given_up, &row.ticket_id) {
        record_event(
            conn,
            ticket_id,
            "notification_failed",
            None,
            now,
            serde_json::json!({"notification_id": row.id, "kind": row.kind,
                               "to": mail.to, "cc": mail.cc,
                               "attempts": row.attempts, "error": error}),
        )?;
    }
    Ok(settled && given_up)
}
