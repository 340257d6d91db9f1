//! Prometheus metrics (`GET /metrics`): what this process did (alerts, escalations, mail,
//! SLA engine lateness, HTTP durations) as counters and histograms, and the state of the
//! desk (open tickets, the outbox) read from the database at each scrape. With several
//! processes, Prometheus sums the counters of all.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::auth::Caller;
use crate::db;
use crate::domain::notification::MailStatus;
use crate::domain::role::Role;
use crate::domain::ticket_sla::ClockKind;
use crate::service::{Desk, ServiceError, require};

/// A label set of one name and value.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClockLabel {
    /// `response`, `tier1` or `resolution`.
    pub clock: String,
}

/// Whether the SLA engine did it.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AutomaticLabel {
    /// `true` or `false`.
    pub automatic: String,
}

/// An HTTP request's route and outcome.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The method.
    pub method: String,
    /// The route pattern, e.g. `/api/v1/tickets/{id}`.
    pub route: String,
    /// The status class, `2xx`, `4xx`, ...: one series per class, not per code, keeps the
    /// histogram small.
    pub status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OpenLabels {
    tier: String,
    priority: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: String,
}

fn seconds_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_5, 2.0, 16))
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Registers each metric under its name and help text.
macro_rules! register {
    ($registry:ident, $metrics:ident; $($field:ident as $name:literal: $help:literal,)*) => {
        $($registry.register($name, $help, $metrics.$field.clone());)*
    };
}

/// The metrics of this process.
pub struct Metrics {
    registry: Mutex<Registry>,
    /// `sla_warning` events recorded.
    pub sla_warnings: Family<ClockLabel, Counter>,
    /// `sla_breached` events recorded.
    pub sla_breaches: Family<ClockLabel, Counter>,
    /// Escalations to Tier 2.
    pub escalations: Family<AutomaticLabel, Counter>,
    /// Mails the SMTP server (or the outbox directory) took.
    pub mails_sent: Counter,
    /// Mails given up (dead letters).
    pub mails_failed: Counter,
    /// How long after its due instant the SLA engine recorded an alert.
    pub sla_lateness: Histogram,
    /// HTTP request durations.
    pub http_requests: HistogramFamily<RouteLabels>,
    open_tickets: Family<OpenLabels, Gauge>,
    outbox: Family<StatusLabel, Gauge>,
    backups: Family<OutcomeLabel, Counter>,
    last_backup: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("servicedesk");
        let metrics = Self {
            sla_warnings: Family::default(),
            sla_breaches: Family::default(),
            escalations: Family::default(),
            mails_sent: Counter::default(),
            mails_failed: Counter::default(),
            sla_lateness: seconds_histogram(),
            http_requests: Family::new_with_constructor(seconds_histogram),
            open_tickets: Family::default(),
            outbox: Family::default(),
            backups: Family::default(),
            last_backup: Gauge::default(),
            registry: Mutex::new(Registry::default()),
        };
        register!(registry, metrics;
            sla_warnings as "sla_warnings": "SLA warnings recorded by this process",
            sla_breaches as "sla_breaches": "SLA breaches recorded by this process",
            escalations as "escalations": "Escalations to Tier 2 made through this process",
            mails_sent as "mails_sent": "Mails sent by this process's dispatcher",
            mails_failed as "mails_failed": "Mails this process's dispatcher gave up",
            sla_lateness as "sla_engine_lateness_seconds": "Time from an SLA alert's due instant to its recording by the engine",
            http_requests as "http_request_duration_seconds": "HTTP request durations by route",
            open_tickets as "open_tickets": "Open tickets by tier and priority",
            outbox as "outbox_mails": "Mails in the outbox by status",
            backups as "scheduled_backups": "Scheduled backups by outcome (completed, failed)",
            last_backup as "last_scheduled_backup_timestamp_seconds": "When this process last wrote a scheduled backup (Unix time; 0 for never)",
        );
        metrics.start_every_series();
        Self {
            registry: Mutex::new(registry),
            ..metrics
        }
    }
}

impl Metrics {
    /// A scheduled backup was written at `at`.
    pub fn backup_completed(&self, at: chrono::DateTime<chrono::Utc>) {
        self.backup_outcome("completed");
        self.last_backup.set(at.timestamp());
    }

    /// A scheduled backup failed.
    pub fn backup_failed(&self) {
        self.backup_outcome("failed");
    }

    fn backup_outcome(&self, outcome: &str) {
        self.backups
            .get_or_create(&OutcomeLabel {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Every known label value from the start, so that a rate over a counter that first moves
    /// during a scrape window is not lost.
    fn start_every_series(&self) {
        for outcome in ["completed", "failed"] {
            self.backups
                .get_or_create(&OutcomeLabel {
                    outcome: outcome.to_owned(),
                })
                .inc_by(0);
        }
        for clock in ClockKind::ALL {
            let label = ClockLabel {
                clock: clock.to_string(),
            };
            self.sla_warnings.get_or_create(&label).inc_by(0);
            self.sla_breaches.get_or_create(&label).inc_by(0);
        }
        for automatic in ["true", "false"] {
            self.escalations
                .get_or_create(&AutomaticLabel {
                    automatic: automatic.into(),
                })
                .inc_by(0);
        }
    }
}

/// The text format a scrape is answered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsFormat {
    /// OpenMetrics 1.0 (`application/openmetrics-text`).
    OpenMetrics,
    /// The classic Prometheus text format (`text/plain; version=0.0.4`).
    Classic,
}

/// OpenMetrics text as the classic format: a counter family is named with its `_total`
/// suffix there, and there is no `# EOF` line.
fn classic(open_metrics: &str) -> String {
    let counters: Vec<&str> = open_metrics
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.strip_suffix(" counter"))
        .collect();
    let mut text = String::with_capacity(open_metrics.len());
    for line in open_metrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|kind| {
            let rest = line.strip_prefix(kind)?;
            let (name, tail) = rest.split_once(' ')?;
            counters
                .contains(&name)
                .then(|| format!("{kind}{name}_total {tail}"))
        });
        text.push_str(renamed.as_deref().unwrap_or(line));
        text.push('\n');
    }
    text
}

impl Desk {
    /// This process's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The metrics in the OpenMetrics or the classic Prometheus text format (admins,
    /// auditors, supervisors and integration tokens).
    pub fn metrics_text(
        &self,
        caller: &Caller,
        format: MetricsFormat,
    ) -> Result<String, ServiceError> {
        require(
            caller,
            &[
                Role::Admin,
                Role::Auditor,
                Role::Supervisor,
                Role::Integration,
            ],
        )?;
        let mut conn = self.conn()?;
        let metrics = &self.metrics;
        // One scrape at a time: the gauges are rebuilt from the database each time.
        let registry = metrics.registry.lock().unwrap_or_else(|e| e.into_inner());
        metrics.open_tickets.clear();
        for group in db::dashboard::open_groups(&mut conn)? {
            metrics
                .open_tickets
                .get_or_create(&OpenLabels {
                    tier: group.tier.to_string(),
                    priority: group.priority,
                })
                .inc_by(group.tickets);
        }
        for &status in MailStatus::ALL {
            metrics
                .outbox
                .get_or_create(&StatusLabel {
                    status: status.as_str().into(),
                })
                .set(db::notifications::count(&mut conn, status)?);
        }
        let mut text = String::new();
        encode(&mut text, &registry).map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(match format {
            MetricsFormat::OpenMetrics => text,
            MetricsFormat::Classic => classic(&text),
        })
    }
}
