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
use crate::service::ops::workers::Worker;

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
    /// Starts the dispatcher on its own thread, with its own async runtime for `mailer`.
    pub fn start(desk: Arc<Desk>, mailer: Mailer) -> anyhow::Result<Self> {
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

/// What a pass of the dispatcher did: how many sends it recorded as sent, and how many as
/// failed (for now or for good).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dispatched {
    pub sent: usize,
    pub failed: usize,
}

/// What one step of the dispatcher came to.
enum Step {
    /// Nothing in flight, nothing claimed.
    Idle,
    /// Sends finished and their outcomes were recorded (or not: `Err`).
    Settled(Result<Dispatched, ()>),
}

/// The mails one dispatcher has in flight, and how it claims, sends and records them.
struct Dispatch {
    desk: Arc<Desk>,
    mailer: Arc<Mailer>,
    owner: String,
    sends: JoinSet<Sent>,
    /// The mail each send in flight carries, by task.
    in_flight: HashMap<Id, String>,
}

impl Dispatch {
    fn new(desk: Arc<Desk>, mailer: Arc<Mailer>, owner: String) -> Self {
        Self {
            desk,
            mailer,
            owner,
            sends: JoinSet::new(),
            in_flight: HashMap::new(),
        }
    }

    /// Claims due mail into the free places (unless `claiming` is off), then records the
    /// sends that finish within `POLL`.
    async fn step(&mut self, claiming: bool) -> Step {
        if claiming && self.sends.len() < IN_FLIGHT {
            self.claim();
        }
        if self.sends.is_empty() {
            return Step::Idle;
        }
        let outcomes = finished(&mut self.sends, &mut self.in_flight).await;
        if outcomes.is_empty() {
            return Step::Settled(Ok(Dispatched::default()));
        }
        let failed = outcomes.iter().filter(|(_, sent)| sent.is_err()).count();
        let dispatched = Dispatched {
            sent: outcomes.len() - failed,
            failed,
        };
        match self.desk.settle_mail(&self.owner, &outcomes) {
            Ok(()) => Step::Settled(Ok(dispatched)),
            Err(error) => {
                tracing::error!(%error, "the outcome of sent mail was not recorded");
                Step::Settled(Err(()))
            }
        }
    }

    fn claim(&mut self) {
        let room = (IN_FLIGHT - self.sends.len()).min(BATCH);
        let claimed = self
            .desk
            .claim_mail(&self.owner, room as i64)
            .unwrap_or_else(|error| {
                tracing::error!(%error, "the mail dispatcher could not claim mail");
                Vec::new()
            });
        for mail in claimed {
            // Claimed again while its send is in flight (the clock jumped past the lease):
            // the send in flight records the outcome.
            if self.in_flight.values().any(|id| *id == mail.id) {
                continue;
            }
            let id = mail.id.clone();
            let mailer = self.mailer.clone();
            let task = self.sends.spawn(async move {
                let outcome = mailer.send(&mail).await;
                (mail, outcome)
            });
            self.in_flight.insert(task.id(), id);
        }
    }
}

/// Does what the dispatcher does until it finds nothing to do: sends every mail due at the
/// clock's present instant through `mailer`, to completion, as `owner`. For a server whose
/// dispatcher does not run on its own (see [`crate::app::Jobs::Driven`]).
pub async fn dispatch_due(desk: Arc<Desk>, mailer: Arc<Mailer>, owner: String) -> Dispatched {
    let mut dispatch = Dispatch::new(desk, mailer, owner);
    let mut done = Dispatched::default();
    loop {
        match dispatch.step(true).await {
            Step::Idle => return done,
            Step::Settled(Ok(settled)) => {
                done.sent += settled.sent;
                done.failed += settled.failed;
            }
            Step::Settled(Err(())) => {}
        }
    }
}

async fn run(desk: Arc<Desk>, mailer: Arc<Mailer>, owner: String, stop: Arc<AtomicBool>) {
    let mut dispatch = Dispatch::new(desk, mailer, owner);
    loop {
        let stopping = stop.load(Ordering::Relaxed);
        match dispatch.step(!stopping).await {
            Step::Idle if stopping => return,
            Step::Idle => tokio::time::sleep(POLL).await,
            // Shutting down without a database: the leases run out and another dispatcher
            // sends these again (at least once; the Message-ID stays the same).
            Step::Settled(Err(())) if stopping => return,
            Step::Settled(_) => {}
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
