//! What monitoring tells the desk (docs/monitoring.md): a service down or up again, seen by
//! Alertmanager, another monitor, or a probe, and the rules that turn it into an outage and an
//! incident.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::sla::Priority;
use super::text_enum::text_enum;
use super::ticket::Level;

text_enum! {
    /// Who saw an outage.
    pub enum OutageSource {
        /// Recorded by a person (`POST /services/{id}/outages`, a closure).
        Person = "person",
        /// Opened by a monitoring alert.
        Alert = "alert",
        /// Opened by the desk's own probe of the service.
        Probe = "probe",
    }
}

text_enum! {
    /// The form an alert arrived in.
    pub enum AlertSource {
        /// Prometheus Alertmanager's webhook (version 4).
        Alertmanager = "alertmanager",
        /// The desk's own small form, for Zabbix, Uptime Kuma or a script.
        Generic = "generic",
    }
}

/// One alert as the desk understands it, whatever form it came in.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// The form it came in.
    pub source: AlertSource,
    /// The same alert, across repeats and its resolution.
    pub fingerprint: String,
    /// `true` while the service is down; `false` once it is up again.
    pub firing: bool,
    /// When the service went down.
    pub started_at: DateTime<Utc>,
    /// When it came back; only for a resolved alert.
    pub ended_at: Option<DateTime<Utc>>,
    /// The alert's labels (for the generic form, `service` and nothing else).
    pub labels: BTreeMap<String, String>,
    /// What happened, in a line.
    pub summary: String,
    /// Where the monitor shows it.
    pub source_url: Option<String>,
}

/// The label that names an alert's service, unless the region chooses another.
pub const DEFAULT_SERVICE_LABEL: &str = "service";

/// The label giving an alert's severity.
pub const SEVERITY_LABEL: &str = "severity";

/// The priority of an alert whose severity the mapping does not name: a service down is at
/// least the Dinas's second concern.
pub const UNMAPPED_PRIORITY: Priority = Priority::High;

/// How an alert's severity label gives its incident's priority; editable per region.
pub fn default_priorities() -> BTreeMap<String, Priority> {
    BTreeMap::from([
        ("critical".to_owned(), Priority::Critical),
        ("warning".to_owned(), Priority::High),
        ("info".to_owned(), Priority::Low),
    ])
}

/// The priority `labels` give under `priorities`.
pub fn priority_of(
    labels: &BTreeMap<String, String>,
    priorities: &BTreeMap<String, Priority>,
) -> Priority {
    labels
        .get(SEVERITY_LABEL)
        .and_then(|severity| priorities.get(&severity.to_lowercase()))
        .copied()
        .unwrap_or(UNMAPPED_PRIORITY)
}

/// The impact and urgency an incident of `priority` is recorded with: the cell of the ITIL
/// matrix ([`super::ticket::priority`]) that gives it.
pub fn levels_of(priority: Priority) -> (Level, Level) {
    match priority {
        Priority::Critical => (Level::High, Level::High),
        Priority::High => (Level::High, Level::Medium),
        Priority::Medium => (Level::Medium, Level::Medium),
        Priority::Low => (Level::Low, Level::Low),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ticket::priority;

    #[test]
    fn each_priority_is_recorded_with_levels_that_give_it() {
        for &wanted in Priority::ALL {
            let (impact, urgency) = levels_of(wanted);
            assert_eq!(priority(impact, urgency, false), wanted);
        }
    }

    #[test]
    fn severity_maps_case_blind_and_unknown_severity_is_high() {
        let priorities = default_priorities();
        let labels =
            |severity: &str| BTreeMap::from([("severity".to_owned(), severity.to_owned())]);
        assert_eq!(
            priority_of(&labels("CRITICAL"), &priorities),
            Priority::Critical
        );
        assert_eq!(priority_of(&labels("info"), &priorities), Priority::Low);
        assert_eq!(priority_of(&labels("page"), &priorities), Priority::High);
        assert_eq!(priority_of(&BTreeMap::new(), &priorities), Priority::High);
    }
}
