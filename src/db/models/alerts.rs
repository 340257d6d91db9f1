//! Alerts received from monitoring.

use diesel::prelude::*;

use crate::clock::UtcTime;
use crate::db::schema::alerts;
use crate::domain::alert::AlertSource;
use crate::domain::ids::{AlertId, OutageId, ServiceId, TicketId, UserId};

/// One alert: a fingerprint's episode from its start, matched to a service or kept unmatched.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = alerts, treat_none_as_null = true)]
pub struct AlertRow {
    /// UUID v7.
    pub id: AlertId,
    /// The form it came in.
    pub source: AlertSource,
    /// The monitor's identity of the alert.
    pub fingerprint: String,
    /// When the service went down.
    pub started_at: UtcTime,
    /// When it came back; `None` while firing.
    pub ended_at: Option<UtcTime>,
    /// The service label's value, upper-case; empty when the label is missing. With the
    /// fingerprint and the start, the alert's identity.
    pub service_code: String,
    /// The service it names; `None` when no service has that code.
    pub service_id: Option<ServiceId>,
    /// What happened.
    pub summary: String,
    /// Where the monitor shows it.
    pub source_url: Option<String>,
    /// JSON object of its labels.
    pub labels: String,
    /// The outage it opened or joined.
    pub outage_id: Option<OutageId>,
    /// The incident it opened.
    pub ticket_id: Option<TicketId>,
    /// The monitor's account.
    pub received_by: UserId,
    /// When it first arrived.
    pub received_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}
