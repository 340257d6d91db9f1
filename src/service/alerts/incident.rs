//! The incident ticket of an alert: opened with its outage, told when the service is back,
//! and resolved then where the service says so.

use chrono::{DateTime, Utc};

use super::record::Intake;
use crate::clock::UtcTime;
use crate::db::models::{CommentRow, ServiceRow};
use crate::db::{self, DbConn};
use crate::domain::alert::{Signal, levels_of, priority_of};
use crate::domain::ids::TicketId;
use crate::domain::notification::Notice;
use crate::domain::ticket::{Action, Classification, Kind, Move, Status, Tier};
use crate::domain::ticket_handling::Made;
use crate::domain::ticket_sla::Position;
use crate::service::notify::{self, TicketNotice};
use crate::service::sla::SlaView;
use crate::service::tickets::change::TicketChange;
use crate::service::tickets::draft::{Opening, TicketDraft};
use crate::service::tickets::insert::insert_tickets;
use crate::service::tickets::view::Reporter;
use crate::service::{Desk, ServiceError, new_id};

const MAX_TITLE: usize = 200;

/// Why a monitoring incident skips tier 1.
const TIER2_REASON: &str = "dibuka oleh monitoring di Tier 2: pusat data dijalankan Dinas";

impl Desk {
    /// Opens the incident of `signal` on `service` for the service's PD; returns it and the
    /// earliest instant its clocks owe something. `None` when the service's owner is not an
    /// active PD: the outage is recorded all the same.
    pub(super) fn open_incident(
        &self,
        conn: &mut DbConn,
        intake: &Intake,
        service: &ServiceRow,
        signal: &Signal,
    ) -> Result<Option<(TicketId, Option<UtcTime>)>, ServiceError> {
        let (caller, now) = (intake.caller, intake.now);
        let owner = service.owner_unit_id.as_str();
        if db::units::active_pds(conn, &[owner])?.is_empty() {
            return Ok(None);
        }
        let monitor =
            db::users::find(conn, &caller.user_id)?.ok_or(ServiceError::Unauthenticated)?;
        let priority = priority_of(&signal.labels, &intake.priorities);
        let (impact, urgency) = levels_of(priority);
        let title: String = format!("{} tidak tersedia: {}", service.code, signal.summary)
            .trim_end_matches([' ', ':'])
            .chars()
            .take(MAX_TITLE)
            .collect();
        let started = UtcTime::from(signal.started_at).to_rfc3339();
        let mut description = format!(
            "Monitoring ({}) melaporkan layanan {} tidak tersedia sejak {started}.\n\n{}\n",
            signal.source, service.name, signal.summary
        );
        if let Some(url) = &signal.source_url {
            description.push_str(&format!("\nSumber: {url}\n"));
        }
        let labels: Vec<String> = signal
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        description.push_str(&format!("Label: {}\n", labels.join(", ")));
        let draft = TicketDraft {
            kind: Kind::Incident,
            title,
            description,
            priority,
            impact,
            urgency,
            unit_id: service.owner_unit_id.clone(),
            service_id: Some(service.id.clone()),
            reporter: Reporter {
                name: monitor.name,
                email: None,
                phone: None,
            },
            classification: Classification::Public,
            security_incident: false,
            created_by: caller.user_id.clone(),
            opens_at: match service.alert_tier {
                Tier::One => Opening::Tier1,
                Tier::Two => Opening::Tier2(TIER2_REASON.to_owned()),
            },
        };
        let mut inserted = insert_tickets(
            conn,
            &self.calendars,
            self.mail_from.as_deref(),
            &[&draft],
            now,
        )?;
        let ticket = inserted
            .rows
            .pop()
            .ok_or_else(|| ServiceError::Internal("the incident was not written".into()))?;
        Ok(Some((ticket.id, inserted.earliest)))
    }

    /// Tells the incident that the service is back at `ended_at`, with a public comment by the
    /// monitor, and resolves it when `resolve` says so and it is still open. A ticket closed or
    /// cancelled meanwhile is left as it is.
    pub(super) fn service_recovered(
        &self,
        conn: &mut DbConn,
        intake: &Intake,
        ticket_id: &TicketId,
        ended_at: DateTime<Utc>,
        resolve: bool,
    ) -> Result<(), ServiceError> {
        let (caller, now) = (intake.caller, intake.now);
        let Some(row) = db::tickets::find_for_update(conn, ticket_id.as_str())? else {
            return Ok(());
        };
        if matches!(row.status, Status::Closed | Status::Cancelled) {
            return Ok(());
        }
        let mailing = notify::mailing(conn, self.mail_from.as_deref())?;
        let local = ended_at.with_timezone(&mailing.timezone);
        let text = format!(
            "Layanan pulih pada {} menurut monitoring.",
            local.format("%Y-%m-%d %H:%M %Z")
        );
        let held = self.hold_sla(conn, &row)?;
        let mut change = TicketChange::claimed(self, conn, row, held, now)?;
        let comment = CommentRow {
            id: new_id(),
            ticket_id: ticket_id.clone(),
            author_id: caller.user_id.clone(),
            body: text.clone(),
            internal: false,
            created_at: now.into(),
        };
        db::ticket_events::insert_comment(conn, &comment)?;
        let data = serde_json::json!({"comment_id": comment.id, "internal": false});
        change.record(conn, "commented", &caller.user_id, data)?;
        let from = change.position()?;
        let resolved = if resolve && from.status.is_open() {
            let to = Position {
                status: Status::Resolved,
                tier: from.tier,
            };
            change.go(to)?;
            change.handle(|handling| {
                handling.apply(Made {
                    action: Action::Resolve,
                    from,
                    to: Move {
                        status: to.status,
                        tier: to.tier,
                    },
                    by: &caller.user_id,
                    detail: Some(text.clone()),
                    at: now,
                })
            });
            let data = serde_json::json!({"from_status": from.status, "to_status": to.status,
                                          "resolution": text, "automatic": true});
            Some(change.record(conn, "resolved", &caller.user_id, data)?)
        } else {
            None
        };
        let committed = change.commit(conn)?;
        if let Some(event_id) = resolved {
            let notice = TicketNotice {
                notice: Notice::Resolved,
                event_id: &event_id,
                clock: None,
                automatic: true,
                detail: Some(text),
                due: committed
                    .sla
                    .as_ref()
                    .map(SlaView::due_instants)
                    .unwrap_or_default(),
            };
            notify::enqueue_ticket_mail(conn, &mailing, &committed.row, &notice, now)?;
        }
        Ok(())
    }
}
