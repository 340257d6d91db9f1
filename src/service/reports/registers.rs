//! The registers an auditor takes away: every SLA breach and every escalation of a period, in
//! the order they were recorded, from the ticket trail.

use serde_json::Value;

use super::Period;
use crate::clock::UtcTime;
use crate::db::{self, DbConn};
use crate::service::ServiceError;

/// Every SLA breach recorded in a period.
#[derive(Debug)]
pub struct BreachRegister {
    /// Start of the period.
    pub from: UtcTime,
    /// End of the period.
    pub to: UtcTime,
    /// One row per breach.
    pub rows: Vec<Breach>,
}

/// One breach.
#[derive(Debug)]
pub struct Breach {
    /// The ticket's number.
    pub number: String,
    /// Its PD's code.
    pub unit: String,
    /// `response`, `tier1` or `resolution`.
    pub clock: String,
    /// The ticket's tier then.
    pub tier: i64,
    /// Its priority then.
    pub priority: String,
    /// When the clock fell due (RFC 3339, as the trail has it).
    pub due_at: String,
    /// When the breach was recorded.
    pub recorded_at: UtcTime,
}

/// Every escalation to Tier 2 recorded in a period.
#[derive(Debug)]
pub struct EscalationRegister {
    /// Start of the period.
    pub from: UtcTime,
    /// End of the period.
    pub to: UtcTime,
    /// One row per escalation.
    pub rows: Vec<Escalation>,
}

/// One escalation.
#[derive(Debug)]
pub struct Escalation {
    /// The ticket's number.
    pub number: String,
    /// Its PD's code.
    pub unit: String,
    /// The SLA engine did it.
    pub automatic: bool,
    /// Why.
    pub reason: String,
    /// When.
    pub at: UtcTime,
}

fn data(row: &db::models::EventRow) -> Value {
    serde_json::from_str(&row.data).unwrap_or(Value::Null)
}

fn text(data: &Value, field: &str) -> String {
    data[field].as_str().unwrap_or_default().to_owned()
}

/// The breach register of `[from, to)`.
pub(crate) fn breaches(
    conn: &mut DbConn,
    (from, to): Period,
) -> Result<BreachRegister, ServiceError> {
    let rows = db::reports::events_in(conn, "sla_breached", from.into(), to.into())?
        .into_iter()
        .map(|(event, number, unit)| {
            let data = data(&event);
            Breach {
                number,
                unit,
                clock: text(&data, "clock"),
                tier: data["tier"].as_i64().unwrap_or_default(),
                priority: text(&data, "priority"),
                due_at: text(&data, "at"),
                recorded_at: event.at,
            }
        })
        .collect();
    Ok(BreachRegister {
        from: from.into(),
        to: to.into(),
        rows,
    })
}

/// The escalation register of `[from, to)`.
pub(crate) fn escalations(
    conn: &mut DbConn,
    (from, to): Period,
) -> Result<EscalationRegister, ServiceError> {
    let rows = db::reports::events_in(conn, "escalated", from.into(), to.into())?
        .into_iter()
        .map(|(event, number, unit)| {
            let data = data(&event);
            Escalation {
                number,
                unit,
                automatic: data["automatic"].as_bool().unwrap_or_default(),
                reason: text(&data, "reason"),
                at: event.at,
            }
        })
        .collect();
    Ok(EscalationRegister {
        from: from.into(),
        to: to.into(),
        rows,
    })
}
