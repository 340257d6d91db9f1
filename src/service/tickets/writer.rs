//! Group commit for ticket creation.
//!
//! Ticket numbers have no gaps, so every new ticket of a year waits for the year's counter row
//! from its numbering to its commit: one commit at a time. Creating each ticket in its own
//! transaction would cap creation at one commit (one WAL flush) per ticket. Instead one writer
//! thread per process takes every ticket waiting at that moment and writes them in one
//! transaction with one commit. A lone request is written at once, as before; under load the
//! batches grow by themselves. A batch that fails as a whole is retried ticket by ticket, so
//! one bad ticket never takes the others down; a batch the database cannot store (disk full,
//! read-only) is refused as a whole. Either way a failed transaction takes its numbers back
//! with it, so the next commit goes on without a gap. A panic is no different: the writer
//! restarts (see `workers`), writes the batch it had in hand ticket by ticket, and the ticket
//! that panics alone is answered with an error.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::auth::Caller;
use crate::clock::Clock;
use crate::db::models::IdempotencyRow;
use crate::db::{self, DbConn, DbPool, write_tx};
use crate::service::ops::workers::{self, WorkerHealth};
use crate::service::sla::bell::Bell;
use crate::service::sla::{self, CalendarCache};
use crate::service::tickets::checks::visible;
use crate::service::tickets::draft::{
    Recording, Reply, TicketDraft, refuse_bad_references, remembered,
};
use crate::service::tickets::insert::{Inserted, insert_tickets};
use crate::service::tickets::view::{one_ticket_for, ticket_for, ticket_view};
use crate::service::{ErrorCode, ServiceError};

/// Most tickets written in one transaction.
const MAX_BATCH: usize = 64;

struct Job {
    draft: Recording,
    reply: SyncSender<Reply>,
}

/// A job taken from the queue, with its answer once it has one.
struct Taken {
    job: Job,
    answer: Option<Reply>,
}

/// The jobs in hand, which outlive a panic of the writer.
#[derive(Default)]
struct Hand {
    taken: Vec<Taken>,
    /// Written ticket by ticket: a lone ticket, the rest of a batch, or a batch that panicked.
    alone: bool,
}

/// The worker's name in logs and readiness.
const NAME: &str = "ticket-writer";

/// The handle to the writer thread.
pub(in crate::service) struct TicketWriter {
    jobs: Mutex<Option<Sender<Job>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TicketWriter {
    /// Starts the writer thread; it finishes the tickets it has and ends when the handle is
    /// dropped.
    pub(in crate::service) fn start(
        pool: DbPool,
        clock: Arc<dyn Clock>,
        calendars: Arc<CalendarCache>,
        sla_bell: Arc<Bell>,
        mail_from: Option<String>,
        health: Arc<WorkerHealth>,
    ) -> Self {
        let (sender, receiver) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let writer = Writer {
            pool,
            clock,
            calendars,
            sla_bell,
            mail_from,
        };
        let thread = std::thread::Builder::new()
            .name("ticket-writer".into())
            .spawn(move || {
                workers::Worker {
                    name: NAME,
                    health: &health,
                    state: Hand::default(),
                    stopping: &|| stopping.load(Ordering::Relaxed),
                }
                .supervise(|hand| writer.run(&receiver, hand), Hand::recover);
            })
            .map_err(|e| tracing::error!(error = %e, "cannot start the ticket writer"))
            .ok();
        Self {
            jobs: Mutex::new(Some(sender)),
            stop,
            thread,
        }
    }

    /// Writes a ticket and waits until it is committed.
    pub(in crate::service) fn write(&self, draft: Recording) -> Reply {
        let (reply, answer) = mpsc::sync_channel(1);
        let unavailable = || ServiceError::Internal("the ticket writer has stopped".into());
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .ok_or_else(unavailable)?
            .send(Job { draft, reply })
            .map_err(|_| unavailable())?;
        answer.recv().map_err(|_| unavailable())?
    }
}

impl Drop for TicketWriter {
    /// Closes the queue and waits for the thread, so that its database connections are closed
    /// before the process exits (libpq's TLS teardown at exit can crash a thread still using
    /// a connection).
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the writer thread owns.
struct Writer {
    pool: DbPool,
    clock: Arc<dyn Clock>,
    calendars: Arc<CalendarCache>,
    sla_bell: Arc<Bell>,
    mail_from: Option<String>,
}

impl Hand {
    /// After a panic: a batch is written again ticket by ticket; a ticket that panicked alone
    /// is answered with an error at once, with those answered before it.
    fn recover(&mut self) {
        if !self.alone {
            self.alone = true;
            return;
        }
        if let Some(first) = self.taken.iter_mut().find(|t| t.answer.is_none()) {
            tracing::error!(
                user_id = %first.job.draft.caller.user_id,
                "a ticket was not written: the ticket writer panicked on it"
            );
            first.answer = Some(Err(ServiceError::Internal(
                "the ticket writer panicked on this ticket".into(),
            )));
        }
        let (answered, waiting) = self.taken.drain(..).partition(|t| t.answer.is_some());
        self.taken = waiting;
        answer(answered);
    }
}

/// Sends the answers; the requester may have gone away, the ticket is committed all the same.
fn answer(taken: Vec<Taken>) {
    for taken in taken {
        if let Some(answer) = taken.answer {
            let _ = taken.job.reply.send(answer);
        }
    }
}

impl Writer {
    fn run(&self, jobs: &Receiver<Job>, hand: &mut Hand) {
        loop {
            if hand.taken.is_empty() {
                let Ok(first) = jobs.recv() else {
                    return;
                };
                hand.taken.push(Taken {
                    job: first,
                    answer: None,
                });
                while hand.taken.len() < MAX_BATCH {
                    match jobs.try_recv() {
                        Ok(job) => hand.taken.push(Taken { job, answer: None }),
                        Err(_) => break,
                    }
                }
                hand.alone = hand.taken.len() == 1;
            }
            if !hand.alone {
                let drafts: Vec<&Recording> = hand.taken.iter().map(|t| &t.job.draft).collect();
                match self.write_batch(&drafts) {
                    Ok(replies) => {
                        for (taken, reply) in hand.taken.iter_mut().zip(replies) {
                            taken.answer = reply;
                        }
                    }
                    // Each ticket alone would meet the same disk again; none was written.
                    Err(ServiceError::StorageUnavailable(reason)) => {
                        for taken in &mut hand.taken {
                            taken.answer =
                                Some(Err(ServiceError::StorageUnavailable(reason.clone())));
                        }
                    }
                    // A batch that fails otherwise leaves every answer to the writes alone.
                    Err(_) => {}
                }
                hand.alone = true;
            }
            for taken in &mut hand.taken {
                if taken.answer.is_none() {
                    taken.answer = Some(self.write_alone(&taken.job.draft));
                }
            }
            answer(std::mem::take(&mut hand.taken));
        }
    }

    fn write_alone(&self, draft: &Recording) -> Reply {
        let attempt = || -> Reply {
            self.write_batch(&[draft])?
                .pop()
                .flatten()
                .unwrap_or_else(|| Err(ServiceError::Internal("a lone ticket was deferred".into())))
        };
        match attempt() {
            // Another process committed the same Idempotency-Key in the meantime: this is a retry.
            Err(ServiceError::Conflict { .. }) if draft.idempotency.is_some() => attempt(),
            reply => reply,
        }
    }

    /// Writes the drafts in one transaction with a fixed number of statements, whatever their
    /// count. Each draft gets its own answer: the ticket, the first ticket of a retry, or a
    /// refusal (nothing of it written). `None` defers a draft that repeats the `Idempotency-Key`
    /// of an earlier draft of the batch, so that it is answered as a retry once that one is
    /// committed. An error fails the whole transaction.
    fn write_batch(&self, drafts: &[&Recording]) -> Result<Vec<Option<Reply>>, ServiceError> {
        let mut conn = self.pool.get()?;
        let now = self.clock.now();
        let mut earliest = None;
        let replies = write_tx(&mut conn, |conn| -> Result<_, ServiceError> {
            let mut replies: Vec<Option<Reply>> = drafts.iter().map(|_| None).collect();
            let fresh = self.fresh(conn, drafts, &mut replies)?;
            if fresh.is_empty() {
                return Ok(replies);
            }
            // Numbered last of the checks: from here to the commit the year's counter is locked.
            let tickets: Vec<&TicketDraft> = fresh.iter().map(|&i| &drafts[i].ticket).collect();
            let inserted = insert_tickets(
                conn,
                &self.calendars,
                self.mail_from.as_deref(),
                &tickets,
                now,
            )?;
            earliest = inserted.earliest;
            let Inserted { rows, views, .. } = inserted;
            db::idempotency::insert_many(conn, &remembered(drafts, &fresh, &rows, now))?;
            for ((&i, row), view) in fresh.iter().zip(rows).zip(views) {
                replies[i] = Some(Ok(ticket_for(&drafts[i].caller, ticket_view(row, view))));
            }
            Ok(replies)
        })?;
        if earliest.is_some() {
            self.sla_bell.ring(earliest.map(|at| at.get()));
        }
        Ok(replies)
    }

    /// The drafts to write as new tickets, by index. A repeated `Idempotency-Key` is answered
    /// as the retry it is; a draft naming a unit or service it may not is refused.
    fn fresh(
        &self,
        conn: &mut DbConn,
        drafts: &[&Recording],
        replies: &mut [Option<Reply>],
    ) -> Result<Vec<usize>, ServiceError> {
        let mut fresh = Vec::with_capacity(drafts.len());
        let mut keys = HashSet::new();
        for (i, draft) in drafts.iter().enumerate() {
            #[cfg(debug_assertions)]
            crate::faults::panic_if_marked(NAME, &draft.ticket.title);
            if let Some((key, hash)) = &draft.idempotency {
                if !keys.insert((draft.caller.user_id.as_str(), key.as_str())) {
                    continue;
                }
                if let Some(first) = db::idempotency::find(conn, &draft.caller.user_id, key)? {
                    replies[i] = Some(self.replay(conn, &draft.caller, &first, hash));
                    continue;
                }
            }
            fresh.push(i);
        }
        refuse_bad_references(conn, drafts, &mut fresh, replies)?;
        Ok(fresh)
    }
}

impl Writer {
    /// Answers a retry: the first ticket if the request is the same and the caller may still
    /// see it, else a refusal. A ticket they may no longer see (their PD changed, or their
    /// role) is `NotFound`, the answer a `GET` of it gets: a retry never shows more.
    fn replay(
        &self,
        conn: &mut DbConn,
        caller: &Caller,
        first: &IdempotencyRow,
        hash: &str,
    ) -> Reply {
        if first.request_hash != hash {
            return Err(ServiceError::rule(
                ErrorCode::IdempotencyKeyReused,
                "Idempotency-Key",
                "was already used for a different request",
            ));
        }
        let (row, sla_row) =
            db::tickets::find_with_sla(conn, &first.ticket_id)?.ok_or_else(|| {
                ServiceError::Internal("ticket of an idempotency key is missing".into())
            })?;
        if !visible(caller, &row) {
            return Err(ServiceError::NotFound);
        }
        let view = sla::stored_view(
            conn,
            &self.calendars,
            &row,
            sla_row.as_ref(),
            self.clock.now(),
        )?;
        one_ticket_for(conn, caller, ticket_view(row, view))
    }
}
