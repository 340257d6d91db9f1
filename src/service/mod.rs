//! Use cases: one function per action, with authorization, transactions and audit records.
//! No HTTP types here.

pub mod accounts;
pub mod alerts;
pub mod audit;
pub mod availability;
pub mod backup;
pub mod catalogue;
pub mod demo;
mod error;
pub mod events;
pub mod evidence;
pub(crate) mod fields;
pub mod governance;
pub mod notify;
pub mod ops;
pub mod page;
pub mod period;
pub mod region;
pub mod reports;
pub mod sla;
pub mod tickets;
pub mod trail;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use error::{ErrorCode, FieldError, ServiceError};
pub use sla::bell::Bell;

use crate::auth::{Caller, JwtKeys, LoginLimiter};
use crate::clock::Clock;
use crate::db::{DbPool, PooledConn};
use crate::domain::access::Operation;
use crate::domain::role::Role;

/// The application's use cases over one database. Cheap to share: everything inside is shared.
pub struct Desk {
    pool: DbPool,
    clock: Arc<dyn Clock>,
    jwt: JwtKeys,
    access_token_ttl_secs: i64,
    login_limits: LoginLimiter,
    mail_from: Option<String>,
    ticket_writer: tickets::writer::TicketWriter,
    calendars: Arc<sla::CalendarCache>,
    sla_bell: Arc<sla::bell::Bell>,
    metrics: ops::metrics::Metrics,
    events: tokio::sync::broadcast::Sender<Arc<events::stream::StreamEvent>>,
    workers: Arc<ops::workers::WorkerHealth>,
}

/// How a `Desk` is put together (see `app.rs`).
pub struct DeskParts {
    /// The connection pool.
    pub pool: DbPool,
    /// The clock every use case reads.
    pub clock: Arc<dyn Clock>,
    /// Signing key for tokens.
    pub jwt_secret: Vec<u8>,
    /// Lifetime of access tokens.
    pub access_token_ttl_secs: i64,
    /// `SERVICEDESK_MAIL_FROM`, if set.
    pub mail_from: Option<String>,
}

impl Desk {
    /// Assembles the use cases.
    pub fn new(parts: DeskParts) -> Self {
        let calendars = Arc::new(sla::CalendarCache::default());
        let sla_bell = Arc::new(sla::bell::Bell::default());
        let workers = Arc::new(ops::workers::WorkerHealth::default());
        Self {
            jwt: JwtKeys::new(&parts.jwt_secret, parts.access_token_ttl_secs),
            ticket_writer: tickets::writer::TicketWriter::start(
                parts.pool.clone(),
                parts.clock.clone(),
                calendars.clone(),
                sla_bell.clone(),
                parts.mail_from.clone(),
                workers.clone(),
            ),
            workers,
            calendars,
            sla_bell,
            metrics: ops::metrics::Metrics::default(),
            events: tokio::sync::broadcast::channel(EVENT_BUFFER).0,
            pool: parts.pool,
            clock: parts.clock,
            access_token_ttl_secs: parts.access_token_ttl_secs,
            login_limits: LoginLimiter::default(),
            mail_from: parts.mail_from,
        }
    }

    /// New ticket events, as the event hub reads them; a listener that falls more than
    /// `EVENT_BUFFER` behind reads the rest from the table.
    pub fn subscribe_events(
        &self,
    ) -> tokio::sync::broadcast::Receiver<Arc<events::stream::StreamEvent>> {
        self.events.subscribe()
    }

    /// Which background workers are down.
    pub fn workers(&self) -> &ops::workers::WorkerHealth {
        &self.workers
    }

    fn conn(&self) -> Result<PooledConn, ServiceError> {
        Ok(self.pool.get()?)
    }

    /// Now, on the service's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// Refuses callers whose role is not in `roles`.
fn require(caller: &Caller, roles: &[Role]) -> Result<(), ServiceError> {
    if caller.is_any(roles) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Refuses callers whose role may never do `operation`.
fn permit(caller: &Caller, operation: Operation) -> Result<(), ServiceError> {
    if operation.allows(caller.role) {
        Ok(())
    } else {
        Err(ServiceError::Denied(operation.refusal(caller.role)))
    }
}

/// Refuses integration accounts, which read tickets, reports and the catalogue but not the
/// desk's own configuration or staff.
fn staff_only(caller: &Caller) -> Result<(), ServiceError> {
    if caller.role.is_staff() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Events kept for listeners that fall behind.
const EVENT_BUFFER: usize = 4096;

/// A fresh id: UUID v7, so ids sort by creation time.
fn new_id<Id: From<uuid::Uuid>>() -> Id {
    uuid::Uuid::now_v7().into()
}
