//! The mail dispatcher: a thread in `serve` that claims due mails from the outbox, sends them
//! outside any transaction (concurrently, over one pooled transport, each under the SMTP
//! deadline), and records each outcome. Sends do not wait for each other: outcomes are recorded
//! as they come in, and new mail is claimed while slow sends are still in flight.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::task::{Id, JoinSet};

use super::FlaggedThread;
use crate::mail::{Mailer, Outgoing, SendFailure};
use crate::service::Desk;
use crate::service::workers::Worker;

/// Most mails claimed at once.
const BATCH: usize = 50;
/// Most mails in flight at once: a stalled relay holds at most this many, and the rest of the
/// outbox waits for a free place instead of opening ever more connections.
const IN_FLIGHT: usize = 2 * BATCH;
/// How long the dispatcher waits for a send to finish (or, idle, before it looks at the
/// outbox again): due mail is claimed at least this often while sends are in flight.
const POLL: Duration = Duration::from_millis(200);
/// Sends finishing close together are recorded together, so that a batch is mostly one
/// transaction while a straggler is not waited for: the group closes when no send has
/// finished for `LULL`, or `GATHER` after its first.
const GATHER: Duration = Duration::from_millis(100);
/// See `GATHER`.
const LULL: Duration = Duration::from_millis(10);

type Sent = (Outgoing, Result<(), SendFailure>);

/// The running dispatcher; it finishes the mails in hand, stops and is joined when dropped.
pub struct MailDispatcher {
    _thread: FlaggedThread,
}

impl MailDispatcher {
    /// Starts the dispatcher on its own thread, with its own async runtime for the transport:
    /// mail goes to `smtp_url`, or to `.eml` files in `outbox_dir` without one.
    /// Each SMTP conversation gets `smtp_timeout`.
    pub fn start(
        desk: Arc<Desk>,
        smtp_url: Option<&str>,
        outbox_dir: std::path::PathBuf,
        smtp_timeout: Duration,
    ) -> anyhow::Result<Self> {
        // The transport first: a runtime dropped on the error path would panic inside the
        // caller's async context, instead of naming the setting at fault.
        let mailer = Mailer::new(smtp_url, outbox_dir, smtp_timeout)
            .map_err(|e| anyhow::anyhow!("SERVICEDESK_SMTP_URL: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let owner = uuid::Uuid::now_v7().to_string();
        let thread = FlaggedThread::spawn("mail-dispatcher", move |stop| {
            supervised(&runtime, &desk, &Arc::new(mailer), &owner, &stop)
        })?;
        Ok(Self { _thread: thread })
    }
}

/// The dispatcher's loop under the supervisor: the mails in hand when it panics get a failed
/// attempt, and are sent again after the usual backoff.
fn supervised(
    runtime: &tokio::runtime::Runtime,
    desk: &Arc<Desk>,
    mailer: &Arc<Mailer>,
    owner: &str,
    stop: &Arc<AtomicBool>,
) {
    Worker {
        name: "mail-dispatcher",
        health: desk.workers(),
        state: (),
        stopping: &|| stop.load(Ordering::Relaxed),
    }
    .supervise(
        |()| {
            runtime.block_on(run(
                desk.clone(),
                mailer.clone(),
                owner.to_owned(),
                stop.clone(),
            ));
        },
        |()| match desk.fail_mail_in_hand(owner) {
            Ok(failed) => tracing::error!(failed, "mails in hand of the mail dispatcher put off"),
            Err(error) => {
                tracing::error!(%error, "the mail dispatcher could not put off its mails")
            }
        },
    );
}

async fn run(desk: Arc<Desk>, mailer: Arc<Mailer>, owner: String, stop: Arc<AtomicBool>) {
    let mut sends = JoinSet::new();
    // The mail each send in flight carries, by task.
    let mut in_flight: HashMap<Id, String> = HashMap::new();
    loop {
        let stopping = stop.load(Ordering::Relaxed);
        if !stopping && sends.len() < IN_FLIGHT {
            let room = (IN_FLIGHT - sends.len()).min(BATCH);
            let claimed = desk
                .claim_mail(&owner, room as i64)
                .unwrap_or_else(|error| {
                    tracing::error!(%error, "the mail dispatcher could not claim mail");
                    Vec::new()
                });
            for mail in claimed {
                // Claimed again while its send is in flight (the clock jumped past the lease):
                // the send in flight records the outcome.
                if in_flight.values().any(|id| *id == mail.id) {
                    continue;
                }
                let id = mail.id.clone();
                let mailer = mailer.clone();
                let task = sends.spawn(async move {
                    let outcome = mailer.send(&mail).await;
                    (mail, outcome)
                });
                in_flight.insert(task.id(), id);
            }
        }
        if sends.is_empty() {
            if stopping {
                return;
            }
            tokio::time::sleep(POLL).await;
            continue;
        }
        let outcomes = finished(&mut sends, &mut in_flight).await;
        if outcomes.is_empty() {
            continue;
        }
        if let Err(error) = desk.settle_mail(&owner, &outcomes) {
            tracing::error!(%error, "the outcome of sent mail was not recorded");
            // Shutting down without a database: the leases run out and another dispatcher
            // sends these again (at least once; the Message-ID stays the same).
            if stopping {
                return;
            }
        }
    }
}

/// The sends that finish within `POLL`, with those that finish close after the first.
async fn finished(sends: &mut JoinSet<Sent>, in_flight: &mut HashMap<Id, String>) -> Vec<Sent> {
    let mut outcomes = Vec::new();
    let mut take = |joined: Result<(Id, Sent), tokio::task::JoinError>| {
        let task = joined.as_ref().map_or_else(|e| e.id(), |(id, _)| *id);
        in_flight.remove(&task);
        if let Ok((_, (mail, outcome))) = joined {
            if let Err(failure) = &outcome {
                tracing::warn!(id = mail.id, error = failure.message, "mail not sent");
            }
            outcomes.push((mail, outcome));
        }
    };
    match tokio::time::timeout(POLL, sends.join_next_with_id()).await {
        Ok(Some(joined)) => take(joined),
        Ok(None) | Err(_) => return outcomes,
    }
    let until = tokio::time::Instant::now() + GATHER;
    loop {
        let lull = (tokio::time::Instant::now() + LULL).min(until);
        match tokio::time::timeout_at(lull, sends.join_next_with_id()).await {
            Ok(Some(joined)) => take(joined),
            Ok(None) | Err(_) => break,
        }
    }
    outcomes
}
