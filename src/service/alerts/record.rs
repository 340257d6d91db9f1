//! One signal in one transaction: the alert row, the outage it opens, joins or ends, and the
//! incident it opens or tells, with their events, audit entries and mail.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::{AlertRow, OutageRow, ServiceRow};
use crate::db::{self, DbConn};
use crate::domain::alert::{AlertSource, OutageSource, Signal};
use crate::domain::sla::Priority;
use crate::service::{Desk, ServiceError, new_id};

use super::Outcome;

/// One delivery being taken: who sends it, what the region says about alerts, and when.
pub(super) struct Intake<'a> {
    pub caller: &'a Caller,
    pub service_label: String,
    pub priorities: BTreeMap<String, Priority>,
    pub now: DateTime<Utc>,
}

impl Intake<'_> {
    /// The service code `signal` names, upper-case; empty when it names none. With the
    /// fingerprint, the alert's identity: two monitors' fingerprints may agree by chance.
    fn code_of(&self, signal: &Signal) -> String {
        signal
            .labels
            .get(&self.service_label)
            .map(|code| code.trim().to_ascii_uppercase())
            .unwrap_or_default()
    }
}

/// What taking a signal did, and the SLA instant the engine should be woken for.
pub(super) struct Taken {
    /// The alert as stored; `None` when nothing was.
    pub alert: Option<AlertRow>,
    pub outcome: Outcome,
    pub earliest: Option<UtcTime>,
}

impl Desk {
    /// Takes one signal; the caller holds the transaction and has serialised alert intake.
    pub(super) fn take_signal(
        &self,
        conn: &mut DbConn,
        intake: &Intake,
        signal: &Signal,
    ) -> Result<Taken, ServiceError> {
        let code = intake.code_of(signal);
        let seen = match db::alerts::firing(conn, &code, &signal.fingerprint)? {
            Some(open) => Some(open),
            None => db::alerts::find(conn, (&code, &signal.fingerprint), signal.started_at.into())?,
        };
        match (seen, signal.firing) {
            // A repeat, or a retry of what was taken already.
            (Some(alert), true) => Ok(taken(alert, Outcome::Unchanged)),
            (Some(alert), false) if alert.ended_at.is_some() => {
                Ok(taken(alert, Outcome::Unchanged))
            }
            (Some(alert), false) => self.end_alert(conn, intake, alert, signal),
            // The desk's own form says only when a service came back: with nothing firing
            // there is no start to record.
            (None, false) if signal.source == AlertSource::Generic => Ok(Taken {
                alert: None,
                outcome: Outcome::NothingFiring,
                earliest: None,
            }),
            (None, firing) => {
                let (alert, outcome, earliest) = self.start_alert(conn, intake, code, signal)?;
                if firing {
                    return Ok(Taken {
                        alert: Some(alert),
                        outcome,
                        earliest,
                    });
                }
                // Resolved before the desk heard it fire (it was down, or the monitor's first
                // delivery was lost): the outage and the incident are owed all the same.
                let ended = self.end_alert(conn, intake, alert, signal)?;
                Ok(Taken {
                    earliest,
                    outcome,
                    ..ended
                })
            }
        }
    }

    /// A new alert: matched to an active service, it joins the outage monitoring already
    /// holds for the service, or opens one (planned under maintenance) with its incident.
    fn start_alert(
        &self,
        conn: &mut DbConn,
        intake: &Intake,
        code: String,
        signal: &Signal,
    ) -> Result<(AlertRow, Outcome, Option<UtcTime>), ServiceError> {
        let now = intake.now;
        let service = if code.is_empty() {
            None
        } else {
            db::alerts::service_by_code(conn, &code)?.filter(|s| s.active)
        };
        let mut alert = AlertRow {
            id: new_id(),
            source: signal.source,
            fingerprint: signal.fingerprint.clone(),
            started_at: signal.started_at.into(),
            ended_at: None,
            service_code: code,
            service_id: service.as_ref().map(|s| s.id.clone()),
            summary: signal.summary.clone(),
            source_url: signal.source_url.clone(),
            labels: serde_json::to_string(&signal.labels)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
            outage_id: None,
            ticket_id: None,
            received_by: intake.caller.user_id.clone(),
            received_at: now.into(),
            updated_at: now.into(),
        };
        let (outcome, earliest) = match &service {
            None => (Outcome::Unmatched, None),
            Some(service) => match self.join(conn, intake, service, &mut alert, signal)? {
                true => (Outcome::Joined, None),
                false => self.open_for(conn, intake, service, &mut alert, signal)?,
            },
        };
        db::alerts::insert(conn, &alert)?;
        Ok((alert, outcome, earliest))
    }

    /// Joins the outage monitoring holds for the service at the alert's start, if any: an
    /// alert that started earlier moves its start back, and one still firing keeps it open.
    fn join(
        &self,
        conn: &mut DbConn,
        intake: &Intake,
        service: &ServiceRow,
        alert: &mut AlertRow,
        signal: &Signal,
    ) -> Result<bool, ServiceError> {
        let start = signal.started_at;
        let Some(mut outage) = db::outages::seen_by_monitoring(conn, &service.id, start.into())?
        else {
            return Ok(false);
        };
        alert.outage_id = Some(outage.id.clone());
        alert.ticket_id = outage.ticket_id.clone();
        let earlier = start < outage.started_at.get();
        let reopened = signal.firing && outage.ended_at.is_some();
        if earlier || reopened {
            let before = (outage.started_at.get(), outage.ended_at.map(UtcTime::get));
            outage.started_at = outage.started_at.get().min(start).into();
            if reopened {
                outage.ended_at = None;
            }
            outage.updated_at = intake.now.into();
            db::outages::update(conn, &outage)?;
            let span = (
                outage.started_at.get(),
                before.1.unwrap_or(intake.now).max(intake.now),
            );
            let data = serde_json::json!({"outage_id": outage.id, "alert_id": alert.id,
                                          "started_at": outage.started_at, "ended_at": outage.ended_at});
            self.account_for(
                conn,
                intake.caller,
                &service.id,
                span,
                intake.now,
                ("outage_widened", data),
            )?;
        }
        Ok(true)
    }

    /// Opens the outage of a new alert of `service` and, unless maintenance covers its start,
    /// its incident.
    fn open_for(
        &self,
        conn: &mut DbConn,
        intake: &Intake,
        service: &ServiceRow,
        alert: &mut AlertRow,
        signal: &Signal,
    ) -> Result<(Outcome, Option<UtcTime>), ServiceError> {
        let (start, now) = (signal.started_at, intake.now);
        let maintenance = db::outages::overlapping(
            conn,
            &service.id,
            start.into(),
            (start + TimeDelta::seconds(1)).into(),
        )?
        .iter()
        .any(|o| o.planned);
        let (ticket_id, earliest) = if maintenance {
            (None, None)
        } else {
            match self.open_incident(conn, intake, service, signal)? {
                Some((id, earliest)) => (Some(id), earliest),
                None => (None, None),
            }
        };
        let outage = OutageRow {
            id: new_id(),
            service_id: service.id.clone(),
            started_at: start.into(),
            ended_at: None,
            planned: maintenance,
            ticket_id: ticket_id.clone(),
            note: signal.summary.clone(),
            created_by: intake.caller.user_id.clone(),
            created_at: now.into(),
            updated_at: now.into(),
            source: OutageSource::Alert,
        };
        db::outages::insert(conn, &outage)?;
        let data = serde_json::json!({"outage_id": outage.id, "planned": outage.planned,
                                      "alert_id": alert.id, "ticket_id": ticket_id});
        self.account_for(
            conn,
            intake.caller,
            &service.id,
            (start, now),
            now,
            ("outage_recorded", data),
        )?;
        alert.outage_id = Some(outage.id);
        alert.ticket_id = ticket_id;
        let outcome = if maintenance {
            Outcome::DuringMaintenance
        } else {
            Outcome::Opened
        };
        Ok((outcome, earliest))
    }

    /// A firing alert resolved: its outage ends when no other alert still fires on it (or
    /// ends later, for an alert that ended after it), and the incident hears that the service
    /// is back.
    fn end_alert(
        &self,
        conn: &mut DbConn,
        intake: &Intake,
        mut alert: AlertRow,
        signal: &Signal,
    ) -> Result<Taken, ServiceError> {
        let now = intake.now;
        let ended_at = signal.ended_at.unwrap_or(now);
        if ended_at <= alert.started_at.get() {
            return Err(ServiceError::field(
                if signal.source == AlertSource::Generic {
                    "at"
                } else {
                    "endsAt"
                },
                format!(
                    "must be after the alert's start ({})",
                    alert.started_at.to_rfc3339()
                ),
            ));
        }
        alert.ended_at = Some(ended_at.into());
        alert.updated_at = now.into();
        db::alerts::update(conn, &alert)?;
        let Some(outage_id) = alert.outage_id.clone() else {
            return Ok(taken(alert, Outcome::Ended));
        };
        if db::alerts::firing_on(conn, &outage_id, &alert.id)? > 0 {
            return Ok(taken(alert, Outcome::StillDown));
        }
        let service_id = alert.service_id.clone().ok_or_else(|| {
            ServiceError::Internal("an alert with an outage names no service".into())
        })?;
        let mut outage = db::outages::find(conn, &service_id, &outage_id)?
            .ok_or_else(|| ServiceError::Internal("an alert's outage is missing".into()))?;
        let end = ended_at.max(outage.started_at.get() + TimeDelta::seconds(1));
        let was_open = outage.ended_at.is_none();
        if outage.ended_at.is_none_or(|known| known.get() < end) {
            outage.ended_at = Some(end.into());
            outage.updated_at = now.into();
            db::outages::update(conn, &outage)?;
            let span = (outage.started_at.get(), end);
            let data = serde_json::json!({"outage_id": outage.id, "ended_at": UtcTime::from(end),
                                          "alert_id": alert.id});
            self.account_for(
                conn,
                intake.caller,
                &service_id,
                span,
                now,
                ("outage_ended", data),
            )?;
        }
        if was_open && let Some(ticket_id) = &outage.ticket_id {
            let service = db::services::find(conn, &service_id)?.ok_or(ServiceError::NotFound)?;
            self.service_recovered(conn, intake, ticket_id, ended_at, service.auto_resolve)?;
        }
        Ok(taken(alert, Outcome::Ended))
    }
}

fn taken(alert: AlertRow, outcome: Outcome) -> Taken {
    Taken {
        alert: Some(alert),
        outcome,
        earliest: None,
    }
}
