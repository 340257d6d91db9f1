//! The forms alerts arrive in, checked and turned into [`Signal`]s: Alertmanager's webhook
//! (version 4) and the desk's own small form.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::alert::{AlertSource, Signal};
use crate::service::{FieldError, ServiceError, fields};

/// How far an alert's instants may lie ahead of our clock: the monitor's clock may run a
/// little ahead, nobody's may run into the future.
const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);
/// How far back an alert may start: an outage is recorded within a year.
const OLDEST: TimeDelta = TimeDelta::days(366);
const MAX_FINGERPRINT: usize = 200;
const MAX_SUMMARY: usize = 500;
const MAX_URL: usize = 2000;
const MAX_ALERTS: usize = 1000;
const MAX_LABELS: usize = 100;
/// Longest label or annotation value taken: far past any monitor's, short of a body of junk.
const MAX_VALUE: usize = 10_000;
const MAX_NAME: usize = 200;

/// `firing` or `resolved`, as Alertmanager says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AlertmanagerStatus {
    /// Still firing.
    Firing,
    /// Resolved.
    Resolved,
}

/// `POST /alerts/alertmanager`: Alertmanager's webhook body, version 4, as it sends it. Fields
/// it sends that the desk does not use (`groupKey`, `receiver`, `groupLabels`, …) are ignored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({
    "version": "4",
    "groupKey": "{}:{alertname=\"LayananMati\"}",
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "servicedesk",
    "groupLabels": {"alertname": "LayananMati"},
    "commonLabels": {"alertname": "LayananMati", "service": "SIMPEG", "severity": "critical"},
    "commonAnnotations": {"summary": "SIMPEG tidak menjawab dari pusat data"},
    "externalURL": "http://alertmanager.diskominfo.local:9093",
    "alerts": [{
        "status": "firing",
        "labels": {"alertname": "LayananMati", "service": "SIMPEG", "severity": "critical"},
        "annotations": {"summary": "SIMPEG tidak menjawab dari pusat data"},
        "startsAt": "2026-11-30T00:55:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.diskominfo.local:9090/graph?g0.expr=up%3D%3D0",
        "fingerprint": "c0ffee0123456789"
    }]
})))]
pub struct AlertmanagerPayload {
    /// Must be `"4"`.
    pub version: String,
    /// Where the Alertmanager is reached: the link an alert without its own gets.
    #[serde(rename = "externalURL", default)]
    pub external_url: Option<String>,
    /// The group's alerts, firing and resolved.
    pub alerts: Vec<AlertmanagerAlert>,
}

/// One alert of the webhook.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagerAlert {
    /// `firing` or `resolved`.
    pub status: AlertmanagerStatus,
    /// Its labels; the region's service label (default `service`) names the service by code.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Its annotations; `summary` (else `description`) becomes the incident's text.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// When it started firing.
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: DateTime<Utc>,
    /// When it was resolved (for a firing alert, a time to ignore).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<DateTime<Utc>>,
    /// The link to its source.
    #[serde(rename = "generatorURL", default)]
    pub generator_url: Option<String>,
    /// Its identity across repeats.
    pub fingerprint: String,
}

/// `down` or `up`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GenericStatus {
    /// The service is down.
    Down,
    /// It is up again.
    Up,
}

/// `POST /alerts`: the desk's own form, for Zabbix, Uptime Kuma or a script.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({
    "service": "SIMPEG",
    "status": "down",
    "at": "2026-11-30T00:55:00Z",
    "summary": "HTTP 502 dari simpeg.tojounaunakab.go.id",
    "fingerprint": "zabbix-trigger-10422",
    "source_url": "https://zabbix.diskominfo.local/tr_events.php?triggerid=10422"
})))]
pub struct GenericAlert {
    /// The service's code.
    pub service: String,
    /// `down` or `up`.
    pub status: GenericStatus,
    /// When it went down or came back (RFC 3339); default now.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<DateTime<Utc>>,
    /// What happened, on one line; cut at 500 characters.
    #[serde(default)]
    pub summary: String,
    /// The alert's identity, up to 200 characters; default `generic:<service>`, one alert per
    /// service at a time.
    pub fingerprint: Option<String>,
    /// A link to the monitor's page of it.
    pub source_url: Option<String>,
}

/// The signals of a webhook, each checked; a single fault refuses the whole body.
pub(super) fn alertmanager_signals(
    payload: AlertmanagerPayload,
    now: DateTime<Utc>,
) -> Result<Vec<Signal>, ServiceError> {
    let now = fields::whole_seconds(now);
    let mut errors = Vec::new();
    if payload.version != "4" {
        errors.push(FieldError::new(
            "version",
            "must be \"4\" (Alertmanager's webhook)",
        ));
    }
    if payload.alerts.len() > MAX_ALERTS {
        errors.push(FieldError::new(
            "alerts",
            format!("must hold at most {MAX_ALERTS} alerts"),
        ));
    }
    let fallback_url = payload.external_url.filter(|url| !url.trim().is_empty());
    url(&mut errors, "externalURL", fallback_url.as_deref());
    let signals = payload
        .alerts
        .into_iter()
        .enumerate()
        .map(|(i, alert)| {
            let at = |field: &str| format!("alerts[{i}].{field}");
            fingerprint(&mut errors, &at("fingerprint"), &alert.fingerprint);
            for (field, map) in [
                ("labels", &alert.labels),
                ("annotations", &alert.annotations),
            ] {
                pairs(&mut errors, &at(field), map);
            }
            instant(&mut errors, &at("startsAt"), alert.starts_at, now);
            let firing = alert.status == AlertmanagerStatus::Firing;
            let ended_at = if firing {
                None
            } else {
                match alert.ends_at {
                    Some(end) if end > alert.starts_at => {
                        instant(&mut errors, &at("endsAt"), end, now);
                        Some(fields::whole_seconds(end).min(now))
                    }
                    _ => {
                        errors.push(FieldError::new(
                            at("endsAt"),
                            "must be after startsAt for a resolved alert",
                        ));
                        None
                    }
                }
            };
            let summary = summary_of(
                ["summary", "description"]
                    .iter()
                    .filter_map(|key| alert.annotations.get(*key))
                    .chain(alert.labels.get("alertname")),
            );
            let source_url = alert
                .generator_url
                .filter(|url| !url.trim().is_empty())
                .or_else(|| fallback_url.clone());
            url(&mut errors, &at("generatorURL"), source_url.as_deref());
            Signal {
                source: AlertSource::Alertmanager,
                fingerprint: alert.fingerprint,
                firing,
                started_at: fields::whole_seconds(alert.starts_at).min(now),
                ended_at,
                labels: alert.labels,
                summary,
                source_url,
            }
        })
        .collect();
    ServiceError::check(errors)?;
    Ok(signals)
}

/// The signal of the desk's own form.
pub(super) fn generic_signal(
    alert: GenericAlert,
    service_label: &str,
    now: DateTime<Utc>,
) -> Result<Signal, ServiceError> {
    let now = fields::whole_seconds(now);
    let mut errors = Vec::new();
    let service = fields::text(&mut errors, "service", &alert.service, 32);
    let sent = fields::whole_seconds(alert.at.unwrap_or(now));
    instant(&mut errors, "at", sent, now);
    // A monitor's clock a little ahead records nothing in the future.
    let at = sent.min(now);
    let summary = summary_of(std::iter::once(&alert.summary));
    let fingerprint_text = alert
        .fingerprint
        .unwrap_or_else(|| format!("generic:{}", service.to_ascii_uppercase()));
    fingerprint(&mut errors, "fingerprint", &fingerprint_text);
    url(&mut errors, "source_url", alert.source_url.as_deref());
    ServiceError::check(errors)?;
    let firing = alert.status == GenericStatus::Down;
    Ok(Signal {
        source: AlertSource::Generic,
        fingerprint: fingerprint_text,
        firing,
        started_at: at,
        ended_at: (!firing).then_some(at),
        labels: BTreeMap::from([(service_label.to_owned(), service)]),
        summary,
        source_url: alert.source_url,
    })
}

/// Labels and annotations: at most 100, names up to 200 characters, values up to 10,000.
fn pairs(errors: &mut Vec<FieldError>, field: &str, map: &BTreeMap<String, String>) {
    if map.len() > MAX_LABELS {
        errors.push(FieldError::new(field, "must hold at most 100 entries"));
    }
    for (name, value) in map {
        // Prometheus's own rule for label names.
        let named = name.len() <= MAX_NAME
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !named || value.chars().count() > MAX_VALUE {
            errors.push(FieldError::new(
                format!("{field}.{name}"),
                "must be a name of up to 200 letters, digits or _ (not starting with a digit) with a value of up to 10,000 characters",
            ));
        }
    }
}

fn fingerprint(errors: &mut Vec<FieldError>, field: &str, text: &str) {
    if text.trim().is_empty() || text.chars().count() > MAX_FINGERPRINT {
        errors.push(FieldError::new(field, "must be 1 to 200 characters"));
    }
}

fn instant(errors: &mut Vec<FieldError>, field: &str, at: DateTime<Utc>, now: DateTime<Utc>) {
    if fields::is_leap_second(at) {
        errors.push(FieldError::new(
            field,
            "must not be a leap second (second 60)",
        ));
    } else if at > now + CLOCK_SKEW {
        errors.push(FieldError::new(
            field,
            "must not be more than 5 minutes ahead of the desk's clock",
        ));
    } else if at < now - OLDEST {
        errors.push(FieldError::new(field, "must be within the last 366 days"));
    }
}

fn url(errors: &mut Vec<FieldError>, field: &str, url: Option<&str>) {
    if let Some(url) = url
        && (url.len() > MAX_URL || !(url.starts_with("http://") || url.starts_with("https://")))
    {
        errors.push(FieldError::new(
            field,
            "must be an http:// or https:// link of up to 2,000 characters",
        ));
    }
}

/// The first of `texts` with something visible, on one line and cut at 500 characters: the
/// monitor's words, not ours to refuse, made fit for a ticket's title.
fn summary_of<'a>(texts: impl Iterator<Item = &'a String>) -> String {
    texts
        .map(|text| fields::one_line(text, MAX_SUMMARY))
        .find(|line| !line.is_empty())
        .unwrap_or_else(|| "layanan tidak menjawab".to_owned())
}
