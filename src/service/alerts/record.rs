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
        let open = db::alerts::firing(conn, &signal.fingerprint)?;
        let seen = match open {
            Some(open) => Some(open),
            None => db::alerts::find(conn, &signal.fingerprint, signal.started_at.into())?,
        };
        match (seen, signal.firing) {
            // A repeat, or a retry of what was taken already.
            (Some(alert), true) => Ok(unchanged(alert)),
            (Some(alert), false) if alert.ended_at.is_some() => Ok(unchanged(alert)),
            (Some(alert), false) => self.end_alert(conn, intake, alert, signal),
            (None, firing) => {
                let Some((alert, outcome, earliest)) = self.start_alert(conn, intake, signal)?
                else {
                    return Ok(Taken {
                        alert: None,
                        outcome: Outcome::NothingFiring,
                        earliest: None,
                    });
                };
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

    /// A new alert: matched to its service, it opens an outage (planned under maintenance)
    /// and an incident, or joins the service's open monitoring outage. `None` for an `up` of
    /// the desk's own form with nothing firing: there is no start to record.
    fn start_alert(
        &self,
        conn: &mut DbConn,
        intake: &Intake,
        signal: &Signal,
    ) -> Result<Option<(AlertRow, Outcome, Option<UtcTime>)>, ServiceError> {
        if !signal.firing && signal.source == AlertSource::Generic {
            return Ok(None);
        }
        let now = intake.now;
        let code = signal.labels.get(&intake.service_label).cloned();
        let service = match &code {
            Some(code) => db::alerts::service_by_code(conn, code)?.filter(|s| s.active),
            None => None,
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
        let Some(service) = service else {
            db::alerts::insert(conn, &alert)?;
            return Ok(Some((alert, Outcome::Unmatched, None)));
        };
        let (outcome, earliest) = self.open_for(conn, intake, &service, &mut alert, signal)?;
        db::alerts::insert(conn, &alert)?;
        Ok(Some((alert, outcome, earliest)))
    }

    /// The outage and incident a new alert of `service` brings.
    fn open_for(
        &self,
        conn: &mut DbConn,
        intake: &Intake,
        service: &ServiceRow,
        alert: &mut AlertRow,
        signal: &Signal,
    ) -> Result<(Outcome, Option<UtcTime>), ServiceError> {
        let (start, now) = (signal.started_at, intake.now);
        let around = db::outages::overlapping(
            conn,
            &service.id,
            start.into(),
            (start + TimeDelta::seconds(1)).into(),
        )?;
        if let Some(joined) = around
            .iter()
            .find(|o| !o.planned && o.ended_at.is_none() && o.source != OutageSource::Person)
        {
            alert.outage_id = Some(joined.id.clone());
            alert.ticket_id = joined.ticket_id.clone();
            return Ok((Outcome::Joined, None));
        }
        let maintenance = around.iter().any(|o| o.planned);
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

    /// A firing alert resolved: its outage ends when no other alert still fires on it, and
    /// the incident hears that the service is back.
    fn end_alert(
        &self,
        conn: &mut DbConn,
        intake: &Intake,
        mut alert: AlertRow,
        signal: &Signal,
    ) -> Result<Taken, ServiceError> {
        let now = intake.now;
        // An end at or before the start (a clock step on the monitor) still ends it, a second on.
        let ended_at = signal
            .ended_at
            .unwrap_or(now)
            .max(alert.started_at.get() + TimeDelta::seconds(1));
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
        if outage.ended_at.is_none() {
            let end = ended_at.max(outage.started_at.get() + TimeDelta::seconds(1));
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
        if let Some(ticket_id) = &outage.ticket_id {
            let service = db::services::find(conn, &service_id)?.ok_or(ServiceError::NotFound)?;
            self.service_recovered(conn, intake, ticket_id, ended_at, service.auto_resolve)?;
        }
        Ok(taken(alert, Outcome::Ended))
    }
}

fn unchanged(alert: AlertRow) -> Taken {
    taken(alert, Outcome::Unchanged)
}

fn taken(alert: AlertRow, outcome: Outcome) -> Taken {
    Taken {
        alert: Some(alert),
        outcome,
        earliest: None,
    }
}
