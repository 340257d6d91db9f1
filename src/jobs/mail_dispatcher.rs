//! The mail dispatcher: a thread in `serve` that claims due mails from the outbox, sends them
//! outside any transaction (concurrently, over one pooled transport), and records each outcome.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::task::JoinSet;

use crate::mail::Mailer;
use crate::service::Desk;
use crate::service::workers::Worker;

/// Most mails claimed at once.
const BATCH: i64 = 50;
/// How long the dispatcher waits before it looks at an empty outbox again.
const POLL: Duration = Duration::from_millis(200);

/// The running dispatcher; it finishes the mails in hand, stops and is joined when dropped.
pub struct MailDispatcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MailDispatcher {
    /// Starts the dispatcher on its own thread, with its own async runtime for the transport:
    /// mail goes to `smtp_url`, or to `.eml` files in `outbox_dir` without one.
    pub fn start(
        desk: Arc<Desk>,
        smtp_url: Option<&str>,
        outbox_dir: std::path::PathBuf,
    ) -> anyhow::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // The SMTP pool starts its housekeeping on the runtime it is made in: this one.
        let mailer = {
            let _inside = runtime.enter();
            Mailer::new(smtp_url, outbox_dir)
                .map_err(|e| anyhow::anyhow!("SERVICEDESK_SMTP_URL: {e}"))?
        };
        let owner = uuid::Uuid::now_v7().to_string();
        let thread = std::thread::Builder::new()
            .name("mail-dispatcher".into())
            .spawn(move || supervised(&runtime, &desk, &Arc::new(mailer), &owner, &stopping))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for MailDispatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
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
    while !stop.load(Ordering::Relaxed) {
        let claimed = desk.claim_mail(&owner, BATCH).unwrap_or_else(|error| {
            tracing::error!(%error, "the mail dispatcher could not claim mail");
            Vec::new()
        });
        if claimed.is_empty() {
            tokio::time::sleep(POLL).await;
            continue;
        }
        let mut sends = JoinSet::new();
        for mail in claimed {
            let mailer = mailer.clone();
            sends.spawn(async move {
                let outcome = mailer.send(&mail).await;
                (mail, outcome)
            });
        }
        let mut outcomes = Vec::with_capacity(sends.len());
        while let Some(done) = sends.join_next().await {
            let Ok((mail, outcome)) = done else {
                continue;
            };
            if let Err(failure) = &outcome {
                tracing::warn!(id = mail.id, error = failure.message, "mail not sent");
            }
            outcomes.push((mail, outcome));
        }
        if let Err(error) = desk.settle_mail(&owner, &outcomes) {
            tracing::error!(%error, "the outcome of sent mail was not recorded");
            // Shutting down without a database: the leases run out and another dispatcher
            // sends these again (at least once; the Message-ID stays the same).
            if stop.load(Ordering::Relaxed) {
                return;
            }
        }
    }
}
