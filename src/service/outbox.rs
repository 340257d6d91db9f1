//! The mail outbox: mails rendered and queued in the transaction of the change that causes
//! them (recipients per docs/sla.md "Who is told", official domains only), and the dispatcher's side of sending.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::page::{self, Page, PageRequest};
use super::region;
use super::sla::SlaView;
use super::ticket_view::{event_row, record_event, stored};
use super::{Desk, ErrorCode, FieldError, ServiceError, audit, new_id, require};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::models::{EventRow, NotificationRow, ServiceRow, TicketRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::email::{EmailAddress, OfficialDomains};
use crate::domain::notification::{Notice, Parties, Recipients, official_only, recipients};
use crate::domain::role::Role;
use crate::domain::ticket::{Kind, Status, Tier};
use crate::domain::ticket_sla::ClockKind;
use crate::mail::{
    Due, Outgoing, Rendered, SendFailure, ServiceMail, TicketMail, local_time, render_service,
    render_ticket,
};

/// How long a dispatcher holds a mail it is sending before another may take it: well past the
/// longest SMTP deadline, so that a send still in flight is never taken by another dispatcher.
const LEASE: chrono::Duration = chrono::Duration::minutes(2);
/// The first retry waits about this long; each next one twice as long.
const FIRST_RETRY: chrono::Duration = chrono::Duration::seconds(10);
/// The longest wait between two attempts.
const LONGEST_RETRY: chrono::Duration = chrono::Duration::minutes(15);
/// Attempts before a mail is given up (about two hours of retrying).
const MAX_ATTEMPTS: i32 = 12;

/// What every mail of a transaction needs to know about the region.
pub(super) struct Mailing {
    region: String,
    /// The region's timezone, in which mails show times (and tickets are numbered per year).
    pub(super) timezone: Tz,
    domains: OfficialDomains,
    sender: String,
    tier1_label: String,
    tier2_label: String,
}

/// The region's mail settings; the sender is `SERVICEDESK_MAIL_FROM` when set.
pub(super) fn mailing(
    conn: &mut DbConn,
    configured: Option<&str>,
) -> Result<Mailing, ServiceError> {
    let region = region::load(conn)?;
    let sender = configured.map_or_else(|| region.row.mail_from.clone(), str::to_owned);
    Ok(Mailing {
        timezone: stored("region timezone", &region.row.timezone)?,
        region: region.row.name,
        sender,
        tier1_label: region.row.tier1_label,
        tier2_label: region.row.tier2_label,
        domains: region.domains,
    })
}

impl Desk {
    /// Checks at startup that `SERVICEDESK_MAIL_FROM`, if set, is inside the official domains.
    pub fn check_mail_sender(&self) -> Result<(), ServiceError> {
        let Some(sender) = &self.mail_from else {
            return Ok(());
        };
        let domains = region::load(&mut *self.conn()?)?.domains;
        match EmailAddress::parse(sender) {
            Ok(address) if domains.contains(&address) => Ok(()),
            _ => Err(ServiceError::field(
                "SERVICEDESK_MAIL_FROM",
                format!(
                    "{sender} is not an address inside the official domains ({})",
                    domains.as_slice().join(", ")
                ),
            )),
        }
    }
}

/// What happened to a ticket, for its mail.
pub(super) struct TicketNotice<'a> {
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
    /// The ticket's SLA as it stands.
    pub sla: Option<&'a SlaView>,
}

fn kind_word(kind: &str) -> &'static str {
    match kind.parse::<Kind>() {
        Ok(Kind::Incident) => "gangguan",
        Ok(Kind::Complaint) => "keluhan",
        Ok(Kind::Problem) => "masalah",
        Ok(Kind::Request) => "permintaan",
        Ok(Kind::Change) => "perubahan",
        Err(_) => "tiket",
    }
}

fn status_word(status: &str) -> &'static str {
    match status.parse::<Status>() {
        Ok(Status::New) => "baru",
        Ok(Status::InProgress) => "dalam proses",
        Ok(Status::Pending) => "menunggu",
        Ok(Status::Resolved) => "selesai",
        Ok(Status::Closed) => "ditutup",
        Ok(Status::Cancelled) => "dibatalkan",
        Err(_) => "",
    }
}

fn priority_word(priority: &str) -> &'static str {
    match priority {
        "critical" => "kritis",
        "high" => "tinggi",
        "medium" => "sedang",
        _ => "rendah",
    }
}

fn clock_word(clock: Option<ClockKind>, mailing: &Mailing) -> String {
    match clock {
        Some(ClockKind::Response) => "respons".into(),
        Some(ClockKind::Tier1) => format!("batas waktu {}", mailing.tier1_label),
        Some(ClockKind::Resolution) | None => "penyelesaian".into(),
    }
}

fn headline(notice: &TicketNotice, mailing: &Mailing) -> String {
    match notice.notice {
        Notice::Created => "Tiket baru".into(),
        Notice::Escalated if notice.automatic => {
            format!("Dieskalasi otomatis ke {}", mailing.tier2_label)
        }
        Notice::Escalated => format!("Dieskalasi ke {}", mailing.tier2_label),
        Notice::Returned => format!("Dikembalikan ke {}", mailing.tier1_label),
        Notice::SlaWarning => format!("Peringatan SLA {}", clock_word(notice.clock, mailing)),
        Notice::SlaBreached => format!("SLA {} terlampaui", clock_word(notice.clock, mailing)),
        Notice::Resolved => "Tiket diselesaikan".into(),
        Notice::AvailabilityBreached => "Waktu henti melampaui batas".into(),
    }
}

fn detail_label(notice: Notice) -> &'static str {
    match notice {
        Notice::Returned => "Petunjuk",
        Notice::Resolved => "Penyelesaian",
        _ => "Alasan",
    }
}

fn due_times(sla: Option<&SlaView>, mailing: &Mailing) -> Vec<Due> {
    let Some(sla) = sla else {
        return Vec::new();
    };
    [
        ("Respons".to_owned(), &sla.response),
        (format!("Batas waktu {}", mailing.tier1_label), &sla.tier1),
        ("Penyelesaian".to_owned(), &sla.resolution),
    ]
    .into_iter()
    .filter_map(|(label, clock)| {
        clock.due_at.map(|at| Due {
            label,
            at: local_time(at, mailing.timezone),
        })
    })
    .collect()
}

fn email_of_user(conn: &mut DbConn, id: Option<&str>) -> Result<Option<String>, ServiceError> {
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
            parties.tier1 = db::users::active_emails(conn, "tier1", Some(&ticket.unit_id))?;
        }
        Notice::Escalated => parties.tier2 = db::users::active_emails(conn, "tier2", None)?,
        Notice::SlaBreached if tier == Tier::Two => {
            parties.supervisors = db::users::active_emails(conn, "supervisor", None)?;
        }
        Notice::Resolved => parties.reporter.clone_from(&ticket.reporter_email),
        _ => {}
    }
    if matches!(
        notice,
        Notice::Returned | Notice::SlaWarning | Notice::SlaBreached
    ) {
        parties.assignee = email_of_user(conn, ticket.assignee_id.as_deref())?;
    }
    Ok((parties, unit_name))
}

/// Queues the mail a ticket event causes, in the caller's transaction. Recipients outside the
/// official domains are dropped, each recorded as a `notification_skipped` event.
pub(super) fn enqueue_ticket_mail(
    conn: &mut DbConn,
    mailing: &Mailing,
    ticket: &TicketRow,
    notice: &TicketNotice,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let tier = Tier::from_number(ticket.tier).unwrap_or(Tier::One);
    let parties = ticket_parties(conn, ticket, notice.notice, tier)?;
    let thread_id = db::notifications::thread_of(conn, &ticket.id)?;
    if let Some(mail) = ticket_mail(conn, mailing, ticket, notice, &parties, thread_id, now)? {
        db::notifications::insert_many(conn, &[mail])?;
    }
    Ok(())
}

/// Queues the `created` mail of new tickets written together: the PD's mailbox and Tier 1
/// are read once per PD, and a new ticket has no thread yet.
pub(super) fn enqueue_created_mails(
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
    let tier = Tier::from_number(ticket.tier).unwrap_or(Tier::One);
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
        headline: headline(notice, mailing),
        kind: kind_word(&ticket.kind).into(),
        priority: priority_word(&ticket.priority).into(),
        status: status_word(&ticket.status).into(),
        tier_label: match tier {
            Tier::One => mailing.tier1_label.clone(),
            Tier::Two => mailing.tier2_label.clone(),
        },
        unit_name: unit_name.clone(),
        detail_label: detail_label(notice.notice).into(),
        detail: notice.detail.clone(),
        due: due_times(notice.sla, mailing),
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
pub(super) fn enqueue_budget_mail(
    conn: &mut DbConn,
    mailing: &Mailing,
    service: &ServiceRow,
    (month, downtime, budget): (&str, i64, i64),
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let parties = Parties {
        pd_mailbox: db::units::find(conn, &service.owner_unit_id)?.and_then(|u| u.email),
        dinas_mailbox: db::units::dinas(conn)?.and_then(|u| u.email),
        tier2: db::users::active_emails(conn, "tier2", None)?,
        ..Parties::default()
    };
    let notice = Notice::AvailabilityBreached;
    let (kept, skipped) = official_only(recipients(notice, Tier::Two, &parties), &mailing.domains);
    for skip in &skipped {
        audit::record(
            conn,
            now,
            None,
            "notification_skipped",
            ("service", &service.id),
            serde_json::json!({"address": skip.address, "reason": skip.reason, "notice": notice}),
        )?;
    }
    if kept.to.is_empty() && kept.cc.is_empty() {
        return Ok(());
    }
    let minutes = |seconds: i64| format!("{} menit", seconds / 60);
    let rendered = render_service(&ServiceMail {
        region: mailing.region.clone(),
        headline: format!("Waktu henti {month} melampaui batas: {}", service.name),
        service_code: service.code.clone(),
        service_name: service.name.clone(),
        month: month.into(),
        target: service.availability_target_percent.to_string(),
        downtime: minutes(downtime),
        budget: minutes(budget),
    })
    .map_err(ServiceError::Internal)?;
    let mail = notification_row(mailing, (None, None), notice, &kept, rendered, None, now);
    db::notifications::insert_many(conn, &[mail])?;
    Ok(())
}

fn notification_row(
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
        ticket_id: ticket_id.map(str::to_owned),
        event_id: event_id.map(str::to_owned),
        kind: notice.as_str().into(),
        recipients: serde_json::json!({"to": recipients.to, "cc": recipients.cc}).to_string(),
        subject: rendered.subject,
        body_text: rendered.text,
        body_html: rendered.html,
        thread_id,
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: now.naive_utc(),
        lease_owner: None,
        last_error: None,
        created_at: now.naive_utc(),
        sent_at: None,
    }
}

#[derive(Deserialize)]
struct StoredRecipients {
    to: Vec<String>,
    cc: Vec<String>,
}

/// A stored mail, ready to send from `sender`.
fn outgoing(row: NotificationRow, sender: &str) -> Outgoing {
    let StoredRecipients { to, cc } = stored_recipients(&row);
    Outgoing {
        id: row.id,
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

fn stored_recipients(row: &NotificationRow) -> StoredRecipients {
    serde_json::from_str(&row.recipients).unwrap_or(StoredRecipients {
        to: Vec::new(),
        cc: Vec::new(),
    })
}

/// Takes out of a queued mail the recipients the desk no longer accepts (queued before the
/// address rules were what they are), each recorded as `notification_skipped`, so that one
/// bad address never makes the mail fail for the others. A mail left with none fails when
/// it is built, as any mail without a recipient.
fn drop_unusable_recipients(
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
            None => audit::record(
                conn,
                now,
                None,
                "notification_skipped",
                ("notification", &row.id),
                data,
            )?,
        }
    }
    row.recipients = serde_json::json!({"to": to, "cc": cc}).to_string();
    db::notifications::set_recipients(conn, &row.id, &row.recipients)?;
    Ok(())
}

/// The wait before attempt `attempts + 1`: doubling from `FIRST_RETRY` up to `LONGEST_RETRY`,
/// each spread by ±25% so that mails held up together do not all come back at once.
fn backoff(attempts: i32) -> chrono::Duration {
    let doubled =
        FIRST_RETRY * 2_i32.saturating_pow(attempts.saturating_sub(1).clamp(0, 16) as u32);
    let wait = doubled.min(LONGEST_RETRY);
    let spread = rand::rng().random_range(0.75..1.25);
    chrono::Duration::milliseconds((wait.num_milliseconds() as f64 * spread) as i64)
}

/// A mail in the outbox, as admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    /// Outbox id.
    pub id: String,
    /// The ticket it is about.
    pub ticket_id: Option<String>,
    /// The ticket event that caused it.
    pub event_id: Option<String>,
    /// `created`, `escalated`, `returned`, `sla_warning`, `sla_breached`, `resolved` or
    /// `availability_breached`.
    pub kind: String,
    /// To.
    pub to: Vec<String>,
    /// Cc.
    pub cc: Vec<String>,
    /// Subject.
    pub subject: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Sending attempts so far.
    pub attempts: i32,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was queued.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    /// When the mail server accepted it.
    #[serde(with = "rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<DateTime<Utc>>,
}

fn view(row: NotificationRow) -> NotificationView {
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
        created_at: row.created_at.and_utc(),
        sent_at: row.sent_at.map(|at| at.and_utc()),
    }
}

fn encode_cursor(row: &NotificationRow) -> String {
    format!("{}.{}", row.created_at.and_utc().timestamp_micros(), row.id)
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
        if let Some(status) = &status
            && !["pending", "sent", "failed"].contains(&status.as_str())
        {
            return Err(ServiceError::Invalid {
                code: ErrorCode::ValidationFailed,
                errors: vec![FieldError::new("status", "must be pending, sent or failed")],
            });
        }
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
                            .map(|at| (at.naive_utc(), id.to_owned()))
                    })
                    .ok_or_else(page::not_issued)?,
            ),
            None => None,
        };
        let rows =
            db::notifications::list(&mut *self.conn()?, status.as_deref(), after, page.fetch())?;
        page.finish(rows, encode_cursor, |row| Ok(view(row)))
    }

    /// Puts a failed mail back in the queue (admins).
    pub fn retry_notification(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<NotificationView, ServiceError> {
        require(caller, &[Role::Admin])?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let row = db::notifications::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            if !db::notifications::requeue(conn, id, now.naive_utc())? {
                return Err(ServiceError::Conflict {
                    code: ErrorCode::NotFailed,
                    message: format!(
                        "only a failed mail can be retried; this one is {}",
                        row.status
                    ),
                });
            }
            audit::record(
                conn,
                now,
                Some(&caller.user_id),
                "notification_requeued",
                ("notification", id),
                serde_json::json!({"subject": row.subject}),
            )?;
            db::notifications::find(conn, id)?
                .map(view)
                .ok_or(ServiceError::NotFound)
        })
    }

    /// Claims up to `limit` due mails for the dispatcher `owner`.
    pub fn claim_mail(&self, owner: &str, limit: i64) -> Result<Vec<Outgoing>, ServiceError> {
        let now = self.now();
        let mut conn = self.conn()?;
        let due = db::notifications::due(&mut conn, now.naive_utc(), limit)?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let sender = mailing(&mut conn, self.mail_from.as_deref())?.sender;
        let claimed: Vec<Outgoing> = write_tx(&mut conn, |conn| -> Result<_, ServiceError> {
            let mut rows = db::notifications::lock_due(conn, &due, now.naive_utc())?;
            for row in &mut rows {
                drop_unusable_recipients(conn, row, now)?;
            }
            let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
            db::notifications::lease(conn, &ids, owner, (now + LEASE).naive_utc())?;
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
    pub fn fail_mail_in_hand(&self, owner: &str) -> Result<usize, ServiceError> {
        let mut conn = self.conn()?;
        let sender = mailing(&mut conn, self.mail_from.as_deref())?.sender;
        let failure = SendFailure {
            permanent: false,
            message: "the mail dispatcher stopped while it sent this mail".into(),
        };
        let outcomes: Vec<_> = db::notifications::leased_to(&mut conn, owner)?
            .into_iter()
            .map(|row| (outgoing(row, &sender), Err(failure.clone())))
            .collect();
        drop(conn);
        self.settle_mail(owner, &outcomes)?;
        Ok(outcomes.len())
    }

    /// Records how sending claimed mails went, in one transaction: sent (all at once, the
    /// usual case); failed for now (retried with backoff); or failed for good (a permanent
    /// refusal, or the last attempt). Sent and given-up mails get their ticket event.
    pub fn settle_mail(
        &self,
        owner: &str,
        outcomes: &[(Outgoing, Result<(), SendFailure>)],
    ) -> Result<(), ServiceError> {
        let now = self.now();
        let mut conn = self.conn()?;
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
        self.metrics.mails_sent.inc_by(sent);
        self.metrics.mails_failed.inc_by(failed);
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
    db::notifications::mark_sent(conn, &held_ids, now.naive_utc())?;
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
    let Some(row) = db::notifications::find(conn, &mail.id)? else {
        return Ok(false);
    };
    let error = failure.message.as_str();
    let given_up = failure.permanent || row.attempts >= MAX_ATTEMPTS;
    let (status, next) = if given_up {
        ("failed", now)
    } else {
        ("pending", now + backoff(row.attempts))
    };
    let settled =
        db::notifications::settle_failure(conn, &mail.id, owner, status, next.naive_utc(), error)?;
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
