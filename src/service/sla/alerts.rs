//! The alerts a ticket's clocks owe: warning and breach events (actor `null`) with their mail
//! and metrics, and the automatic escalation when tier 1's window has run out.

use chrono::{DateTime, Utc};

use crate::clock::UtcTime;
use crate::db::DbConn;
use crate::db::models::TicketRow;
use crate::domain::notification::Notice;
use crate::domain::ticket_handling::AUTOMATIC_ESCALATION_REASON;
use crate::domain::ticket_sla::{Alert, ClockKind, Position, TicketSla};
use crate::service::events::record::record_event;
use crate::service::governance::letters;
use crate::service::notify::{self, TicketNotice};
use crate::service::ops::metrics::{AutomaticLabel, ClockLabel};
use crate::service::sla::{Held, position};
use crate::service::{Desk, ServiceError};

impl Desk {
    /// Records the alerts due at `now` as events with their mail. Returns whether they say
    /// tier 1's window has run out.
    pub(in crate::service) fn record_due_alerts(
        &self,
        conn: &mut DbConn,
        ticket: &TicketRow,
        held: &mut Held,
        now: DateTime<Utc>,
    ) -> Result<bool, ServiceError> {
        let alerts = held.sla.take_due(now, &held.calendar);
        if alerts.is_empty() {
            return Ok(false);
        }
        let mailing = notify::mailing(conn, self.mail_from.as_deref())?;
        let from = position(ticket)?;
        let stamp = |at: DateTime<Utc>| UtcTime::from(at).to_rfc3339();
        for alert in &alerts {
            let clock = ClockLabel {
                clock: alert.clock.to_string(),
            };
            match alert.alert {
                Alert::Warning => self.metrics.sla_warnings.get_or_create(&clock).inc(),
                Alert::Breach => self.metrics.sla_breaches.get_or_create(&clock).inc(),
            };
            self.metrics
                .sla_lateness
                .observe((now - alert.at).as_seconds_f64().max(0.0));
            let event_id = record_event(
                conn,
                &ticket.id,
                alert.alert.as_str(),
                None,
                now,
                serde_json::json!({"clock": alert.clock, "due_at": alert.deadline.map(stamp),
                               "at": stamp(alert.at), "tier": ticket.tier.number(),
                               "priority": ticket.priority}),
            )?;
            if alert.alert == Alert::Breach && alert.clock == ClockKind::Resolution {
                let due = alert.deadline.unwrap_or(alert.at);
                letters::register_breach(conn, ticket, &event_id, due, alert.at)?;
            }
            let notice = TicketNotice {
                notice: match alert.alert {
                    Alert::Warning => Notice::SlaWarning,
                    Alert::Breach => Notice::SlaBreached,
                },
                event_id: &event_id,
                clock: Some(alert.clock),
                automatic: true,
                detail: None,
                due: held.view(from.status, now).due_instants(),
            };
            notify::enqueue_ticket_mail(conn, &mailing, ticket, &notice, now)?;
        }
        Ok(TicketSla::escalates(&alerts))
    }

    /// The event, mail and count of an automatic escalation from `from` to `to`, once the
    /// ticket has gone.
    pub(in crate::service) fn record_automatic_escalation(
        &self,
        conn: &mut DbConn,
        ticket: &TicketRow,
        held: &Held,
        (from, to): (Position, Position),
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let event_id = record_event(
            conn,
            &ticket.id,
            "escalated",
            None,
            now,
            serde_json::json!({"from_status": from.status, "to_status": to.status,
                           "reason": AUTOMATIC_ESCALATION_REASON, "automatic": true,
                           "taken_over": false}),
        )?;
        let mailing = notify::mailing(conn, self.mail_from.as_deref())?;
        let notice = TicketNotice {
            notice: Notice::Escalated,
            event_id: &event_id,
            clock: Some(ClockKind::Tier1),
            automatic: true,
            detail: None,
            due: held.view(to.status, now).due_instants(),
        };
        notify::enqueue_ticket_mail(conn, &mailing, ticket, &notice, now)?;
        self.metrics
            .escalations
            .get_or_create(&AutomaticLabel {
                automatic: "true".into(),
            })
            .inc();
        Ok(())
    }
}
