//! Tickets: the five statutory kinds, priority from impact × urgency, and the status machine
//! with who may move a ticket where.

use super::role::Role;
use super::sla::Priority;
use super::text_enum::text_enum;

text_enum! {
    /// The five kinds of ticket the regulations name ("keluhan, gangguan, masalah, permintaan,
    /// dan perubahan", Perbup Tojo Una-Una 17/2024 Pasal 46 (3)).
    pub enum Kind {
        /// Gangguan: something that worked has stopped working.
        Incident = "incident",
        /// Keluhan: a complaint about a service.
        Complaint = "complaint",
        /// Masalah: the underlying cause of one or more incidents.
        Problem = "problem",
        /// Permintaan: a request for something new (access, an account, a device).
        Request = "request",
        /// Perubahan: a change to a system or service.
        Change = "change",
    }
}

text_enum! {
    /// Impact or urgency, each on three levels.
    pub enum Level {
        /// High.
        High = "high",
        /// Medium.
        Medium = "medium",
        /// Low.
        Low = "low",
    }
}

text_enum! {
    /// Who may read a ticket (Perwali Palangka Raya 23/2020 Pasal 26 (3)).
    pub enum Classification {
        /// Informasi publik: any signed-in reader, integrations included.
        Public = "public",
        /// Informasi dikecualikan: the reporting PD's Tier 1, Tier 2, auditors and admins only.
        Restricted = "restricted",
    }
}

text_enum! {
    /// Where a ticket is in its life.
    pub enum Status {
        /// Recorded, nobody has responded yet.
        New = "new",
        /// Someone is working on it.
        InProgress = "in_progress",
        /// Waiting for the reporter or a vendor; SLA clocks pause.
        Pending = "pending",
        /// Solved; may be reopened or closed.
        Resolved = "resolved",
        /// Final.
        Closed = "closed",
        /// Final; not counted in SLA compliance.
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// The moves of the action table (docs/api.md "The action table").
    pub enum Action {
        /// First response; the caller takes the ticket when nobody works it.
        Acknowledge = "acknowledge",
        /// Give the ticket to someone who may work its tier.
        Assign = "assign",
        /// Wait for the reporter or a vendor.
        Pend = "pend",
        /// Work again after waiting.
        Resume = "resume",
        /// Hand to Tier 2 (by Tier 1), or take over (by Tier 2); a pending ticket is worked again.
        Escalate = "escalate",
        /// Tier 2 hands back to Tier 1 with instructions.
        Return = "return",
        /// Solved.
        Resolve = "resolve",
        /// Not solved after all.
        Reopen = "reopen",
        /// Done for good.
        Close = "close",
        /// Withdrawn.
        Cancel = "cancel",
    }
}

impl Status {
    /// `new`, `in_progress` and `pending`: the ticket still needs work.
    pub fn is_open(self) -> bool {
        matches!(self, Status::New | Status::InProgress | Status::Pending)
    }
}

/// The ITIL matrix: H/H critical; H/M, M/H high; H/L, L/H, M/M medium; the rest low. A security
/// incident is at least high.
pub fn priority(impact: Level, urgency: Level, security_incident: bool) -> Priority {
    use Level::{High, Low, Medium};
    let from_matrix = match (impact, urgency) {
        (High, High) => Priority::Critical,
        (High, Medium) | (Medium, High) => Priority::High,
        (High, Low) | (Low, High) | (Medium, Medium) => Priority::Medium,
        (Medium, Low) | (Low, Medium) | (Low, Low) => Priority::Low,
    };
    if security_incident && from_matrix > Priority::High {
        Priority::High
    } else {
        from_matrix
    }
}

/// The tier a ticket sits at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Service Desk Tier 1 in the PD.
    One,
    /// Service Desk Tier 2 at the Dinas.
    Two,
}

impl Tier {
    /// 1 or 2, as stored and shown.
    pub fn number(self) -> i32 {
        match self {
            Tier::One => 1,
            Tier::Two => 2,
        }
    }

    /// From the stored number.
    pub fn from_number(number: i32) -> Option<Self> {
        match number {
            1 => Some(Tier::One),
            2 => Some(Tier::Two),
            _ => None,
        }
    }
}

/// What the caller is with respect to one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// A `tier1` user of the ticket's own PD.
    Tier1OfThePd,
    /// A `tier2` or `supervisor` user.
    Tier2,
    /// Anyone else: reads at most.
    Reader,
}

impl Worker {
    /// Classifies a caller for a ticket of `ticket_unit`.
    pub fn of(role: Role, caller_unit: Option<&str>, ticket_unit: &str) -> Self {
        match role {
            Role::Tier1 if caller_unit == Some(ticket_unit) => Worker::Tier1OfThePd,
            Role::Tier2 | Role::Supervisor => Worker::Tier2,
            _ => Worker::Reader,
        }
    }

    /// Whether this worker works tickets at `tier`.
    pub fn works(self, tier: Tier) -> bool {
        matches!(
            (self, tier),
            (Worker::Tier1OfThePd, Tier::One) | (Worker::Tier2, Tier::Two)
        )
    }
}

/// Why a caller may not make a move on a ticket (`403`), in words that say who may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Forbidden {
    /// Neither the Tier 1 of the ticket's PD nor Tier 2 staff.
    #[error("only the Tier 1 of the ticket's own PD and Tier 2 staff may work a ticket")]
    NotAWorker,
    /// Tier 1 on a ticket at tier 2.
    #[error("the ticket is at tier 2 now; only Tier 2 staff may work it")]
    AtTierTwo,
    /// Tier 2 on a ticket still at tier 1, other than taking it over.
    #[error("the ticket is at tier 1; Tier 2 takes it over with escalate before working it")]
    AtTierOne,
    /// Tier 1 handing a ticket back to itself.
    #[error("only Tier 2 may return a ticket to Tier 1")]
    OnlyTierTwoReturns,
}

impl Worker {
    /// Whether this worker may work a ticket at `tier`, and if not, why.
    pub fn may_work(self, tier: Tier) -> Result<(), Forbidden> {
        match (self, tier) {
            (Worker::Reader, _) => Err(Forbidden::NotAWorker),
            (Worker::Tier1OfThePd, Tier::Two) => Err(Forbidden::AtTierTwo),
            (Worker::Tier2, Tier::One) => Err(Forbidden::AtTierOne),
            (Worker::Tier1OfThePd, Tier::One) | (Worker::Tier2, Tier::Two) => Ok(()),
        }
    }
}

/// Why a move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The caller may not make this move on this ticket (`403`).
    #[error("{0}")]
    Forbidden(Forbidden),
    /// The ticket's status or tier does not allow the move (`409 invalid_transition`).
    #[error("{status} ticket at tier {tier}: {action} is not possible")]
    InvalidTransition {
        /// The move asked for.
        action: Action,
        /// The ticket's status.
        status: Status,
        /// The ticket's tier.
        tier: i32,
    },
}

/// Where a ticket goes on an allowed move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// The status after the move.
    pub status: Status,
    /// The tier after the move.
    pub tier: Tier,
}

/// Decides a move: who may make it, and from which status and tier.
///
/// Tier 1 works its own PD's tickets while they are at tier 1 and escalates them
/// (Perbup Tojo Una-Una 17/2024 Pasal 46 (9): Tier 1 hands what it cannot solve to Tier 2);
/// Tier 2 works tier-2 tickets, takes over tier-1 tickets (escalate) and hands back (return).
pub fn decide(action: Action, status: Status, tier: Tier, worker: Worker) -> Result<Move, Refusal> {
    let invalid = Refusal::InvalidTransition {
        action,
        status,
        tier: tier.number(),
    };
    // Escalating a ticket already at tier 2 is a state problem, not a role one: Tier 1 may
    // escalate, just not this ticket now.
    let may = match (action, worker) {
        (_, Worker::Reader) => Err(Forbidden::NotAWorker),
        (Action::Return, Worker::Tier1OfThePd) => Err(Forbidden::OnlyTierTwoReturns),
        (Action::Return | Action::Escalate, _) => Ok(()),
        _ => worker.may_work(tier),
    };
    may.map_err(Refusal::Forbidden)?;
    let to = |status, tier| Ok(Move { status, tier });
    match (action, status, tier) {
        (Action::Acknowledge, Status::New, _) => to(Status::InProgress, tier),
        (Action::Assign, s, _) if s.is_open() => to(s, tier),
        (Action::Pend, Status::New | Status::InProgress, _) => to(Status::Pending, tier),
        (Action::Resume, Status::Pending, _) => to(Status::InProgress, tier),
        // Tier 2 takes a waiting ticket as work of its own: it is worked, not left waiting.
        (Action::Escalate, Status::Pending, Tier::One) => to(Status::InProgress, Tier::Two),
        (Action::Escalate, s, Tier::One) if s.is_open() => to(s, Tier::Two),
        (Action::Return, s, Tier::Two) if s.is_open() => to(Status::InProgress, Tier::One),
        (Action::Resolve, Status::New | Status::InProgress | Status::Pending, _) => {
            to(Status::Resolved, tier)
        }
        (Action::Reopen, Status::Resolved, _) => to(Status::InProgress, tier),
        (Action::Close, Status::Resolved, _) => to(Status::Closed, tier),
        (Action::Cancel, s, _) if s.is_open() => to(Status::Cancelled, tier),
        _ => Err(invalid),
    }
}

/// The moves `worker` may make now on a ticket at `status` and `tier`, in the table's order:
/// those `decide` allows, and no other list.
pub fn possible_moves(status: Status, tier: Tier, worker: Worker) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|action| decide(*action, status, tier, worker).is_ok())
        .collect()
}

#[cfg(test)]
mod tests;
