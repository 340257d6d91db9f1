//! Which mails a change owes, to whom (docs/sla.md "Who is told", official domains only), and
//! what they say; queued in the transaction of the change.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::mailing::Mailing;
use super::outbox::notification_row;
use crate::db::models::{NotificationRow, ServiceRow, TicketRow};
use crate::db::{self, DbConn};
use crate::domain::ids::UserId;
use crate::domain::notification::{Notice, Parties, official_only, recipients};
use crate::domain::role::Role;
use crate::domain::ticket::Tier;
use crate::domain::ticket_sla::ClockKind;
use crate::mail::wording::{self};
use crate::mail::{Due, ServiceMail, TicketMail, local_time, render_service, render_ticket};
use crate::service::audit::Actor;
use crate::service::events::record::record_event;
use crate::service::{ServiceError, audit};

/// What happened to a ticket, for its mail.
pub(in crate::service) struct TicketNotice<'a> {
    /// Which notice.
    pub notice: Notice,
    /// The event that caused it.
    pub event_id: &'a str,
    /// The clock of an SLA alert.
    pub clock: Option<ClockKind>,
    /// The SLA engine escalated it.
    pub automatic: bool,
    /// A reason, instructions or the resolution.
    pub detail: Option<String>,
    /// When the ticket's running clocks fall due, as its SLA stands.
    pub due: DueInstants,
}

/// When each of a ticket's clocks falls due; `None` for one that is stopped, met or not kept.
#[derive(Debug, Default, Clone, Copy)]
pub(in crate::service) struct DueInstants {
    pub response: Option<DateTime<Utc>>,
    pub tier1: Option<DateTime<Utc>>,
    pub resolution: Option<DateTime<Utc>>,
}

fn due_times(due: DueInstants, mailing: &Mailing) -> Vec<Due> {
    [
        (ClockKind::Response, due.response),
        (ClockKind::Tier1, due.tier1),
        (ClockKind::Resolution, due.resolution),
    ]
    .into_iter()
    .filter_map(|(clock, at)| {
        at.map(|at| Due {
            label: wording::deadline(clock, mailing.labels()),
            at: local_time(at, mailing.timezone),
        })
    })
    .collect()
}

fn email_of_user(conn: &mut DbConn, id: Option<&UserId>) -> Result<Option<String>, ServiceError> {
    Ok(match id {
        Some(id) => db::users::find(conn, id)?
            .filter(|u| u.active)
            .map(|u| u.email),
        None => None,
    })
}

/// The people a notice about `ticket` concerns; only what the notice needs is read.
fn ticket_parties(
    conn: &mut DbConn,
    ticket: &TicketRow,
    notice: Notice,
    tier: Tier,
) -> Result<(Parties, String), ServiceError> {
    let pd = db::units::find(conn, &ticket.unit_id)?;
    let unit_name = pd.as_ref().map(|u| u.name.clone()).unwrap_or_default();
    let mut parties = Parties {
        pd_mailbox: pd.and_then(|u| u.email),
        ..Parties::default()
    };
    let needs_dinas = match notice {
        Notice::Escalated | Notice::AvailabilityBreached => true,
        Notice::SlaWarning | Notice::SlaBreached => tier == Tier::Two,
        _ => false,
    };
    if needs_dinas {
        parties.dinas_mailbox = db::units::dinas(conn)?.and_then(|u| u.email);
    }
    match notice {
        Notice::Created => {
            parties.tier1 = db::users::active_emails(conn, Role::Tier1, Some(&ticket.unit_id))?;
        }
        Notice::Escalated => parties.tier2 = db::users::active_emails(conn, Role::Tier2, None)?,
        Notice::SlaBreached if tier == Tier::Two => {
            parties.supervisors = db::users::active_emails(conn, Role::Supervisor, None)?;
        }
        Notice::Resolved => parties.reporter.clone_from(&ticket.reporter_email),
        _ => {}
    }
    if matches!(
        notice,
        Notice::Returned | Notice::SlaWarning | Notice::SlaBreached
    ) {
        parties.assignee = email_of_user(conn, ticket.assignee_id.as_ref())?;
    }
    Ok((parties, unit_name))
}

/// Queues the mail a ticket event causes, in the caller's transaction. Recipients outside the
/// official domains are dropped, each recorded as a `notification_skipped` event.
pub(in crate::service) fn enqueue_ticket_mail(
    conn: &mut DbConn,
    mailing: &Mailing,
    ticket: &TicketRow,
    notice: &TicketNotice,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let tier = ticket.tier;
    let parties = ticket_parties(conn, ticket, notice.notice, tier)?;
    let thread_id = db::notifications::thread_of(conn, &ticket.id)?;
    if let Some(mail) = ticket_mail(conn, mailing, ticket, notice, &parties, thread_id, now)? {
        db::notifications::insert_many(conn, &[mail])?;
    }
    Ok(())
}

/// Queues the `created` mail of new tickets written together: the PD's mailbox and Tier 1
/// are read once per PD, and a new ticket has no thread yet.
pub(in crate::service) fn enqueue_created_mails(
    conn: &mut DbConn,
    mailing: &Mailing,
    tickets: &[(&TicketRow, TicketNotice)],
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let mut by_unit: HashMap<&str, (Parties, String)> = HashMap::new();
    let mut mails = Vec::with_capacity(tickets.len());
    for (ticket, notice) in tickets {
        if !by_unit.contains_key(ticket.unit_id.as_str()) {
            let parties = ticket_parties(conn, ticket, Notice::Created, Tier::One)?;
            by_unit.insert(&ticket.unit_id, parties);
        }
        if let Some(parties) = by_unit.get(ticket.unit_id.as_str()) {
            mails.extend(ticket_mail(
                conn, mailing, ticket, notice, parties, None, now,
            )?);
        }
    }
    db::notifications::insert_many(conn, &mails)?;
    Ok(())
}

/// The mail of a ticket event, to be queued; `None` when no recipient is left. Recipients
/// outside the official domains are recorded as `notification_skipped` events.
fn ticket_mail(
    conn: &mut DbConn,
    mailing: &Mailing,
    ticket: &TicketRow,
    notice: &TicketNotice,
    (parties, unit_name): &(Parties, String),
    thread_id: Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<NotificationRow>, ServiceError> {
    let tier = ticket.tier;
    let (kept, skipped) = official_only(recipients(notice.notice, tier, parties), &mailing.domains);
    for skip in &skipped {
        record_event(
            conn,
            &ticket.id,
            "notification_skipped",
            None,
            now,
            serde_json::json!({"address": skip.address, "reason": skip.reason,
                               "notice": notice.notice, "event_id": notice.event_id}),
        )?;
    }
    if kept.to.is_empty() && kept.cc.is_empty() {
        return Ok(None);
    }
    let rendered = render_ticket(&TicketMail {
        region: mailing.region.clone(),
        number: ticket.number.clone(),
        title: ticket.title.clone(),
        headline: wording::headline(
            notice.notice,
            notice.automatic,
            notice.clock,
            mailing.labels(),
        ),
        kind: wording::kind(ticket.kind).into(),
        priority: wording::priority(ticket.priority).into(),
        status: wording::status(ticket.status).into(),
        tier_label: match tier {
            Tier::One => mailing.tier1_label.clone(),
            Tier::Two => mailing.tier2_label.clone(),
        },
        unit_name: unit_name.clone(),
        detail_label: wording::detail_label(notice.notice).into(),
        detail: notice.detail.clone(),
        due: due_times(notice.due, mailing),
    })
    .map_err(ServiceError::Internal)?;
    Ok(Some(notification_row(
        mailing,
        (Some(&ticket.id), Some(notice.event_id)),
        notice.notice,
        &kept,
        rendered,
        thread_id,
        now,
    )))
}

/// Queues the mail about a service's month over its downtime budget: the owner PD and
/// Tier 2. Recipients outside the official domains go to the audit log.
pub(in crate::service) fn enqueue_budget_mail(
    conn: &mut DbConn,
    mailing: &Mailing,
    service: &ServiceRow,
    (month, downtime, budget): (&str, i64, i64),
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let parties = Parties {
        pd_mailbox: db::units::find(conn, &service.owner_unit_id)?.and_then(|u| u.email),
        dinas_mailbox: db::units::dinas(conn)?.and_then(|u| u.email),
        tier2: db::users::active_emails(conn, Role::Tier2, None)?,
        ..Parties::default()
    };
    let notice = Notice::AvailabilityBreached;
    let (kept, skipped) = official_only(recipients(notice, Tier::Two, &parties), &mailing.domains);
    for skip in &skipped {
        let data =
            serde_json::json!({"address": skip.address, "reason": skip.reason, "notice": notice});
        let by = Actor::system(now);
        audit::record(
            conn,
            by,
            "notification_skipped",
            ("service", &service.id),
            data,
        )?;
    }
    if kept.to.is_empty() && kept.cc.is_empty() {
        return Ok(());
    }
    let rendered = render_service(&ServiceMail {
        region: mailing.region.clone(),
        headline: wording::budget_headline(month, &service.name),
        service_code: service.code.clone(),
        service_name: service.name.clone(),
        month: month.into(),
        target: service.availability_target_percent.to_string(),
        downtime: wording::minutes(downtime),
        budget: wording::minutes(budget),
    })
    .map_err(ServiceError::Internal)?;
    let mail = notification_row(mailing, (None, None), notice, &kept, rendered, None, now);
    db::notifications::insert_many(conn, &[mail])?;
    Ok(())
}
