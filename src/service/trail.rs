//! Verifying the trail's hash chain (see `domain::trail`).

use serde::Serialize;
use utoipa::ToSchema;

use super::{Desk, ServiceError, require};
use crate::auth::Caller;
use crate::db::{self, DbConn};
use crate::domain::role::Role;
use crate::domain::trail::{Entry, Fault, Walk};

/// Links read per round trip.
const BATCH: i64 = 1000;

/// What a walk of the whole trail found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TrailVerification {
    /// Whether every entry verified.
    pub verified: bool,
    /// Entries in the chain: ticket events and audit entries together.
    pub entries: i64,
    /// The head: the last link's SHA-256, hex (64 zeros for an empty trail). A head written
    /// down earlier (a backup's audit entry, an evidence file) must appear in the chain.
    #[schema(example = "9f2c4e0a6b1d3f5e7a9c0b2d4f6e8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f")]
    pub head: String,
    /// The first entry that does not verify; `null` when all do.
    pub first_failure: Option<TrailFailure>,
    /// The link asked for with `seq`, to set beside a head recorded earlier (an evidence
    /// file's `head_at_month_end`); `null` when none was asked or the chain has no such link.
    pub link: Option<TrailLink>,
}

/// One link of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TrailLink {
    /// Its place, from 1.
    pub seq: i64,
    /// Its SHA-256, hex.
    pub hash: String,
}

/// The first entry that does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TrailFailure {
    /// Its place in the chain, from 1.
    pub seq: i64,
    /// Which trail it belongs to: `ticket_event` (a ticket's history) or `audit`; `null` when
    /// the fault is the head itself.
    pub entry: Option<Entry>,
    /// The entry's id; `null` when the fault is the head itself.
    pub entry_id: Option<String>,
    /// `changed`: its content is not what was linked; `missing`: it is gone; `unlinked`: it
    /// was added beside the service; `head_differs`: links were cut off the end.
    pub fault: Fault,
}

/// Walks the chain from the first link, on one snapshot of the database, and reads the link at
/// `seq` if asked.
pub fn verify(conn: &mut DbConn, seq: Option<i64>) -> Result<TrailVerification, ServiceError> {
    db::read_tx(conn, |conn| walk(conn, seq))
}

/// The walk of [`verify`], inside the caller's transaction (a restore checks what it wrote).
pub(crate) fn walk(conn: &mut DbConn, seq: Option<i64>) -> Result<TrailVerification, ServiceError> {
    {
        let link = match seq {
            Some(seq) => db::trail::links_after(conn, seq - 1, 1)?
                .into_iter()
                .find(|link| link.seq == seq)
                .map(|link| TrailLink {
                    seq,
                    hash: link.hash,
                }),
            None => None,
        };
        // A head row gone (it cannot be deleted past the genesis) leaves no head to end at.
        let (head_seq, head_hash) = db::trail::head(conn)?.unwrap_or((-1, String::new()));
        let mut walk = Walk::default();
        let mut after = 0;
        loop {
            let links = db::trail::links_after(conn, after, BATCH)?;
            let Some(last) = links.last() else { break };
            after = last.seq;
            let contents = db::trail::contents(conn, &links)?;
            for link in &links {
                let content = contents.get(&(link.entry, link.entry_id.clone()));
                walk.step(link, content.map(String::as_str));
            }
        }
        if let Some((entry, entry_id)) = db::trail::first_unlinked(conn)? {
            walk.unlinked(entry, &entry_id);
        }
        let (entries, broken) = walk.finish(head_seq, &head_hash);
        Ok(TrailVerification {
            verified: broken.is_none(),
            entries,
            head: head_hash,
            link,
            first_failure: broken.map(|broken| {
                let (entry, entry_id) = broken.entry.unzip();
                TrailFailure {
                    seq: broken.seq,
                    entry,
                    entry_id,
                    fault: broken.fault,
                }
            }),
        })
    }
}

impl Desk {
    /// Walks the trail's chain (admins and auditors), with the link at `seq` if asked.
    pub fn verify_trail(
        &self,
        caller: &Caller,
        seq: Option<i64>,
    ) -> Result<TrailVerification, ServiceError> {
        require(caller, &[Role::Admin, Role::Auditor])?;
        self.verify_trail_unchecked(seq)
    }

    /// Walks the trail's chain for whoever holds the database (the command line).
    pub fn verify_trail_unchecked(
        &self,
        seq: Option<i64>,
    ) -> Result<TrailVerification, ServiceError> {
        verify(&mut *self.conn()?, seq)
    }
}
