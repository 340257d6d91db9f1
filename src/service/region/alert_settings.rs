//! How alerts meet the catalogue (docs/monitoring.md): the label that names a service, and
//! the priority each severity gives its incident.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::RegionRow;
use crate::domain::sla::Priority;
use crate::service::{FieldError, ServiceError};

const MAX_LABEL: usize = 100;
const MAX_SEVERITIES: usize = 20;

/// The region's alert settings; every region starts with the same.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "service_label": "service",
    "priorities": {"critical": "critical", "warning": "high", "info": "low"}
})))]
pub struct AlertSettings {
    /// The alert label whose value is the service's `code` (Alertmanager); default `service`.
    pub service_label: String,
    /// The incident's priority for each value of the `severity` label (lower-case); an alert
    /// without one, or with another, opens a `high` incident.
    pub priorities: BTreeMap<String, Priority>,
}

impl AlertSettings {
    /// As stored.
    pub(in crate::service) fn of(row: &RegionRow) -> Result<Self, ServiceError> {
        let priorities = serde_json::from_str(&row.alert_priorities)
            .map_err(|e| ServiceError::Internal(format!("stored alert priorities: {e}")))?;
        Ok(AlertSettings {
            service_label: row.alert_service_label.clone(),
            priorities,
        })
    }

    /// Checks an update's settings, naming the field at fault.
    pub(super) fn check(&self, errors: &mut Vec<FieldError>) {
        let label = self.service_label.trim();
        let label_ok = !label.is_empty()
            && label.len() <= MAX_LABEL
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !label_ok {
            errors.push(FieldError::new(
                "alerts.service_label",
                "must be a label name: 1 to 100 letters, digits or _",
            ));
        }
        if self.priorities.len() > MAX_SEVERITIES
            || self
                .priorities
                .keys()
                .any(|k| k.is_empty() || k.len() > MAX_LABEL || k.to_lowercase() != *k)
        {
            errors.push(FieldError::new(
                "alerts.priorities",
                "must map up to 20 lower-case severities of 1 to 100 characters to priorities",
            ));
        }
    }

    /// Writes the settings into the row.
    pub(super) fn store(&self, row: &mut RegionRow) -> Result<(), ServiceError> {
        row.alert_service_label = self.service_label.trim().to_owned();
        row.alert_priorities = serde_json::to_string(&self.priorities)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(())
    }
}
