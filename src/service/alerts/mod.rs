//! Alerts from monitoring (docs/monitoring.md): what a monitor sees becomes the outage record
//! and the incident, in the transaction that receives it.

mod incident;
mod intake;
mod record;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use self::intake::{
    AlertmanagerAlert, AlertmanagerPayload, AlertmanagerStatus, GenericAlert, GenericStatus,
};
use self::record::Intake;
use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::AlertRow;
use crate::db::{self, write_tx};
use crate::domain::access::Operation;
use crate::domain::alert::{AlertSource, Signal};
use crate::domain::ids::{AlertId, OutageId, ServiceId, TicketId};
use crate::service::page::{Page, PageRequest};
use crate::service::region::{self, AlertSettings};
use crate::service::{Desk, ServiceError, permit};

/// What an alert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It opened an outage and an incident.
    Opened,
    /// Its service was under planned maintenance: a planned outage, no incident.
    DuringMaintenance,
    /// Its service was down already by another alert: it joined that outage.
    Joined,
    /// It names no active service of the catalogue: kept, listed with `?matched=false`.
    Unmatched,
    /// It was resolved: its outage ended (if no other alert holds it) and its incident heard.
    Ended,
    /// It was resolved, but another alert still holds its service's outage open.
    StillDown,
    /// A repeat of what was received already: nothing changed.
    Unchanged,
    /// An `up` with no alert of that fingerprint firing: nothing to end.
    NothingFiring,
}

/// An alert as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    /// Alert id.
    pub id: AlertId,
    /// `alertmanager` or `generic`.
    pub source: AlertSource,
    /// The monitor's identity of the alert.
    pub fingerprint: String,
    /// When the service went down.
    pub started_at: UtcTime,
    /// When it came back; `null` while firing.
    pub ended_at: Option<UtcTime>,
    /// The service label's value, upper-case; `null` when the label is missing.
    pub service_code: Option<String>,
    /// The service it names; `null` when no active service has that code.
    pub service_id: Option<ServiceId>,
    /// What happened.
    pub summary: String,
    /// Where the monitor shows it.
    pub source_url: Option<String>,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// The outage it opened or joined.
    pub outage_id: Option<OutageId>,
    /// The incident it opened.
    pub ticket_id: Option<TicketId>,
    /// When it first arrived.
    pub received_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

impl TryFrom<AlertRow> for AlertView {
    type Error = ServiceError;

    fn try_from(row: AlertRow) -> Result<Self, ServiceError> {
        let labels = serde_json::from_str(&row.labels)
            .map_err(|e| ServiceError::Internal(format!("stored alert labels: {e}")))?;
        Ok(AlertView {
            id: row.id,
            source: row.source,
            fingerprint: row.fingerprint,
            started_at: row.started_at,
            ended_at: row.ended_at,
            service_code: Some(row.service_code).filter(|code| !code.is_empty()),
            service_id: row.service_id,
            summary: row.summary,
            source_url: row.source_url,
            labels,
            outage_id: row.outage_id,
            ticket_id: row.ticket_id,
            received_at: row.received_at,
            updated_at: row.updated_at,
        })
    }
}

/// What one alert of a delivery did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertResult {
    /// The alert's fingerprint, as sent.
    pub fingerprint: String,
    /// What it did.
    pub outcome: Outcome,
    /// The alert as stored; `null` when nothing was (`nothing_firing`).
    pub alert: Option<AlertView>,
}

/// The answer to a delivery: one result per alert, in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertsReceived {
    /// One per alert.
    pub results: Vec<AlertResult>,
}

/// `GET /alerts?matched=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AlertQuery {
    /// `false`: only alerts that named no service of the catalogue; `true`: only those that did.
    pub matched: Option<bool>,
}

impl Desk {
    /// Takes Alertmanager's webhook (monitors only).
    pub fn receive_alertmanager(
        &self,
        caller: &Caller,
        payload: AlertmanagerPayload,
    ) -> Result<AlertsReceived, ServiceError> {
        permit(caller, Operation::PostAlerts)?;
        let signals = intake::alertmanager_signals(payload, self.now())?;
        self.take_signals(caller, signals)
    }

    /// Takes one alert of the desk's own form (monitors only).
    pub fn receive_alert(
        &self,
        caller: &Caller,
        alert: GenericAlert,
    ) -> Result<AlertsReceived, ServiceError> {
        permit(caller, Operation::PostAlerts)?;
        let label = AlertSettings::of(&region::load(&mut *self.conn()?)?.row)?.service_label;
        let signal = intake::generic_signal(alert, &label, self.now())?;
        self.take_signals(caller, vec![signal])
    }

    /// Every signal of one delivery in one transaction, so that a retry of a delivery that
    /// failed half-way finds nothing of it.
    fn take_signals(
        &self,
        caller: &Caller,
        signals: Vec<Signal>,
    ) -> Result<AlertsReceived, ServiceError> {
        let now = self.now();
        let mut conn = self.conn()?;
        let (results, earliest) = write_tx(&mut conn, |conn| {
            db::alerts::serialise(conn)?;
            let settings = AlertSettings::of(&region::load(conn)?.row)?;
            let intake = Intake {
                caller,
                service_label: settings.service_label,
                priorities: settings.priorities,
                now,
            };
            let mut results = Vec::with_capacity(signals.len());
            let mut earliest = None;
            for signal in &signals {
                let taken = self.take_signal(conn, &intake, signal)?;
                earliest = [earliest, taken.earliest].into_iter().flatten().min();
                results.push(AlertResult {
                    fingerprint: signal.fingerprint.clone(),
                    outcome: taken.outcome,
                    alert: taken.alert.map(AlertView::try_from).transpose()?,
                });
            }
            Ok::<_, ServiceError>((results, earliest))
        })?;
        if earliest.is_some() {
            self.sla_bell.ring(earliest.map(UtcTime::get));
        }
        Ok(AlertsReceived { results })
    }

    /// Alerts newest first (Tier 2, supervisors, auditors, admins).
    pub fn list_alerts(
        &self,
        caller: &Caller,
        query: AlertQuery,
        page: PageRequest,
    ) -> Result<Page<AlertView>, ServiceError> {
        if !caller.role.reads_everything() {
            return Err(ServiceError::Forbidden);
        }
        let rows = db::alerts::list(
            &mut *self.conn()?,
            query.matched,
            page.after_id()?,
            page.fetch(),
        )?;
        page.finish(rows, |row| row.id.to_string(), AlertView::try_from)
    }
}
