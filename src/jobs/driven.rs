//! The SLA engine's and the mail dispatcher's work done when the caller says, instead of on
//! their own threads: for a server built with [`crate::app::Jobs::Driven`], whose caller (a
//! test on a clock it moves) wants to know when the work is done rather than wait for it.

use std::sync::Arc;

use super::mail_dispatcher::{self, Dispatched};
use super::sla_engine;
use crate::mail::Mailer;
use crate::service::Desk;

/// The work of a server's jobs, on that server's desk and transport.
#[derive(Clone)]
pub struct JobDriver {
    desk: Arc<Desk>,
    mailer: Arc<Mailer>,
    /// The dispatcher this driver claims mail as.
    owner: String,
}

impl JobDriver {
    pub(crate) fn new(desk: Arc<Desk>, mailer: Mailer) -> Self {
        Self {
            desk,
            mailer: Arc::new(mailer),
            owner: uuid::Uuid::now_v7().to_string(),
        }
    }

    /// Handles every ticket due at the clock's present instant, as the engine would; returns
    /// how many it handled. Blocks on the database.
    pub fn run_due_sla(&self) -> usize {
        sla_engine::run_due_sla(&self.desk)
    }

    /// Queues the week's Tier 1 compliance mail if it is due at the clock's present instant,
    /// as the weekly mailer would; answers whether it queued one.
    pub fn send_weekly_mail(&self) -> Result<bool, crate::service::ServiceError> {
        self.desk.send_weekly_mail()
    }

    /// Sends every mail due at the clock's present instant, as the dispatcher would, and
    /// records each outcome.
    pub async fn dispatch_mail(&self) -> Dispatched {
        mail_dispatcher::dispatch_due(self.desk.clone(), self.mailer.clone(), self.owner.clone())
            .await
    }
}
