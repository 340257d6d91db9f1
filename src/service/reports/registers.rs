//! The registers an auditor takes away: every SLA breach and every escalation of a period, in
//! the order they were recorded, from the ticket trail.

use serde_json::Value;

use super::Period;
use crate::clock::UtcTime;
use crate::db::{self, DbConn};
use crate::service::ServiceError;

/// The events of one type recorded in a period, a row each, oldest first.
#[derive(Debug)]
pub struct Register<T> {
    /// Start of the period.
    pub from: UtcTime,
    /// End of the period.
    pub to: UtcTime,
    /// One row per event.
    pub rows: Vec<T>,
}

/// Every SLA breach recorded in a period.
pub type BreachRegister = Register<Breach>;

/// Every escalation to Tier 2 recorded in a period.
pub type EscalationRegister = Register<Escalation>;

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

/// The events of `event_type` in `[from, to)`, each made a row by `row` from its data, its
/// ticket's number and its PD's code.
fn register<T>(
    conn: &mut DbConn,
    event_type: &str,
    (from, to): Period,
    row: impl Fn(&Value, String, String, UtcTime) -> T,
) -> Result<Register<T>, ServiceError> {
    let rows = db::reports::events_in(conn, event_type, from.into(), to.into())?
        .into_iter()
        .map(|(event, number, unit)| {
            let data = serde_json::from_str(&event.data).unwrap_or(Value::Null);
            row(&data, number, unit, event.at)
        })
        .collect();
    Ok(Register {
        from: from.into(),
        to: to.into(),
        rows,
    })
}

fn text(data: &Value, field: &str) -> String {
    data[field].as_str().unwrap_or_default().to_owned()
}

/// The breach register of a period.
pub(crate) fn breaches(conn: &mut DbConn, period: Period) -> Result<BreachRegister, ServiceError> {
    register(conn, "sla_breached", period, |data, number, unit, at| {
        Breach {
            number,
            unit,
            clock: text(data, "clock"),
            tier: data["tier"].as_i64().unwrap_or_default(),
            priority: text(data, "priority"),
            due_at: text(data, "at"),
            recorded_at: at,
        }
    })
}

/// The escalation register of a period.
pub(crate) fn escalations(
    conn: &mut DbConn,
    period: Period,
) -> Result<EscalationRegister, ServiceError> {
    register(conn, "escalated", period, |data, number, unit, at| {
        Escalation {
            number,
            unit,
            automatic: data["automatic"].as_bool().unwrap_or_default(),
            reason: text(data, "reason"),
            at,
        }
    })
}
