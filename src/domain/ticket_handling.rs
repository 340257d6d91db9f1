//! Who works a ticket and when its handling reached each stage: the fields each move of the
//! action table changes, beside the status machine that allows the move (`ticket::decide`).

use chrono::{DateTime, Utc};

use super::ticket::{Action, Move, Status, Tier};
use super::ticket_sla::Position;
use crate::domain::ids::UserId;

/// Why the SLA engine escalates a ticket (docs/api.md "The action table").
pub const AUTOMATIC_ESCALATION_REASON: &str = "sla_tier1_window_elapsed";

/// A ticket's handling: who works it, and the instants and texts its moves leave behind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handling {
    /// Who works it now.
    pub assignee_id: Option<UserId>,
    /// Who worked it at tier 1, to hand it back to on return.
    pub tier1_assignee_id: Option<UserId>,
    /// When it last went to tier 2.
    pub escalated_at: Option<DateTime<Utc>>,
    /// Why it went to tier 2.
    pub escalation_reason: Option<String>,
    /// When it was solved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// How it was solved.
    pub resolution: Option<String>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// When someone first answered it.
    pub first_response_at: Option<DateTime<Utc>>,
}

/// A move `decide` allowed, as it is made.
#[derive(Debug, Clone)]
pub struct Made<'a> {
    /// The move.
    pub action: Action,
    /// Where the ticket stood.
    pub from: Position,
    /// Where the move takes it.
    pub to: Move,
    /// Who makes it.
    pub by: &'a str,
    /// The text the move needs: the assignee, the escalation reason or the resolution.
    pub detail: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl Handling {
    /// Gives the ticket to `assignee`, or to nobody. At tier 1 the assignee is also whom a
    /// return hands the ticket back to.
    pub fn assign(&mut self, tier: Tier, assignee: Option<UserId>) {
        if tier == Tier::One {
            self.tier1_assignee_id.clone_from(&assignee);
        }
        self.assignee_id = assignee;
    }

    /// Hands the ticket to tier 2. Tier 1's assignee cannot work tier 2; it is remembered for
    /// the return.
    pub fn escalate(&mut self, at: DateTime<Utc>, reason: Option<String>) {
        self.escalated_at = Some(at);
        self.escalation_reason = reason;
        self.assignee_id = None;
    }

    /// Tier 1's window ran out: the SLA engine hands the ticket to tier 2.
    pub fn escalate_automatically(&mut self, at: DateTime<Utc>) {
        self.escalate(at, Some(AUTOMATIC_ESCALATION_REASON.into()));
    }

    /// An answer to the reporter at `at`; returns whether it is the first one, the one that
    /// stops the response clock.
    pub fn respond(&mut self, at: DateTime<Utc>) -> bool {
        let first = self.first_response_at.is_none();
        if first {
            self.first_response_at = Some(at);
        }
        first
    }

    /// The field changes of a move. Returns whether the mover took the ticket, as whoever
    /// acknowledges a ticket nobody works does.
    pub fn apply(&mut self, made: Made<'_>) -> bool {
        let mut took = false;
        match made.action {
            Action::Assign => {
                let assignee = UserId::from(made.detail.unwrap_or_default());
                self.assign(made.from.tier, Some(assignee));
            }
            Action::Escalate => self.escalate(made.at, made.detail),
            Action::Return => self.assignee_id.clone_from(&self.tier1_assignee_id),
            Action::Resolve => {
                self.resolved_at = Some(made.at);
                self.resolution = made.detail;
            }
            Action::Reopen => {
                self.resolved_at = None;
                self.resolution = None;
            }
            Action::Close => self.closed_at = Some(made.at),
            Action::Acknowledge if self.assignee_id.is_none() => {
                self.assign(made.from.tier, Some(UserId::from(made.by.to_owned())));
                took = true;
            }
            Action::Acknowledge | Action::Pend | Action::Resume | Action::Cancel => {}
        }
        // The response clock stops at the first move out of `new`.
        if made.from.status == Status::New && made.to.status != Status::New {
            self.respond(made.at);
        }
        took
    }
}

/// Where tier 1's window running out takes a ticket standing at `from`: to tier 2, if it is
/// still open at tier 1.
pub fn automatic_escalation(from: Position) -> Option<Position> {
    (from.tier == Tier::One && from.status.is_open()).then_some(Position {
        status: from.status,
        tier: Tier::Two,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + i64::from(minute) * 60, 0).expect("instant")
    }

    fn made(action: Action, from: (Status, Tier), to: (Status, Tier)) -> Made<'static> {
        Made {
            action,
            from: Position {
                status: from.0,
                tier: from.1,
            },
            to: Move {
                status: to.0,
                tier: to.1,
            },
            by: "agent",
            detail: None,
            at: at(1),
        }
    }

    #[test]
    fn acknowledging_an_unworked_ticket_takes_it_and_answers_it() {
        let mut handling = Handling::default();
        let took = handling.apply(made(
            Action::Acknowledge,
            (Status::New, Tier::One),
            (Status::InProgress, Tier::One),
        ));
        assert!(took);
        assert_eq!(handling.assignee_id.as_deref(), Some("agent"));
        assert_eq!(handling.tier1_assignee_id.as_deref(), Some("agent"));
        assert_eq!(handling.first_response_at, Some(at(1)));
    }

    #[test]
    fn acknowledging_a_worked_ticket_leaves_its_assignee() {
        let mut handling = Handling {
            assignee_id: Some("other".into()),
            ..Handling::default()
        };
        let took = handling.apply(made(
            Action::Acknowledge,
            (Status::New, Tier::Two),
            (Status::InProgress, Tier::Two),
        ));
        assert!(!took);
        assert_eq!(handling.assignee_id.as_deref(), Some("other"));
    }

    #[test]
    fn assigning_at_tier_two_keeps_whom_a_return_hands_back_to() {
        let mut handling = Handling {
            tier1_assignee_id: Some("first".into()),
            ..Handling::default()
        };
        let mut assign = made(
            Action::Assign,
            (Status::InProgress, Tier::Two),
            (Status::InProgress, Tier::Two),
        );
        assign.detail = Some("second".into());
        handling.apply(assign);
        assert_eq!(handling.assignee_id.as_deref(), Some("second"));
        assert_eq!(handling.tier1_assignee_id.as_deref(), Some("first"));
        handling.apply(made(
            Action::Return,
            (Status::InProgress, Tier::Two),
            (Status::InProgress, Tier::One),
        ));
        assert_eq!(handling.assignee_id.as_deref(), Some("first"));
    }

    #[test]
    fn escalating_leaves_the_ticket_to_tier_two_with_the_reason() {
        let mut handling = Handling {
            assignee_id: Some("first".into()),
            tier1_assignee_id: Some("first".into()),
            ..Handling::default()
        };
        let mut escalate = made(
            Action::Escalate,
            (Status::InProgress, Tier::One),
            (Status::InProgress, Tier::Two),
        );
        escalate.detail = Some("needs the database team".into());
        handling.apply(escalate);
        assert_eq!(handling.assignee_id, None);
        assert_eq!(handling.tier1_assignee_id.as_deref(), Some("first"));
        assert_eq!(handling.escalated_at, Some(at(1)));
        assert_eq!(
            handling.escalation_reason.as_deref(),
            Some("needs the database team")
        );
    }

    #[test]
    fn the_engine_escalates_open_tier_one_tickets_only() {
        let open = Position {
            status: Status::Pending,
            tier: Tier::One,
        };
        assert_eq!(
            automatic_escalation(open),
            Some(Position {
                status: Status::Pending,
                tier: Tier::Two
            })
        );
        for (status, tier) in [
            (Status::InProgress, Tier::Two),
            (Status::Resolved, Tier::One),
        ] {
            assert_eq!(automatic_escalation(Position { status, tier }), None);
        }
        let mut handling = Handling::default();
        handling.escalate_automatically(at(2));
        assert_eq!(
            handling.escalation_reason.as_deref(),
            Some(AUTOMATIC_ESCALATION_REASON)
        );
        assert_eq!(handling.escalated_at, Some(at(2)));
    }

    #[test]
    fn resolving_reopening_and_closing_stamp_their_instants() {
        let mut handling = Handling::default();
        let mut resolve = made(
            Action::Resolve,
            (Status::InProgress, Tier::One),
            (Status::Resolved, Tier::One),
        );
        resolve.detail = Some("restarted the service".into());
        handling.apply(resolve);
        assert_eq!(handling.resolved_at, Some(at(1)));
        assert_eq!(
            handling.resolution.as_deref(),
            Some("restarted the service")
        );
        handling.apply(made(
            Action::Reopen,
            (Status::Resolved, Tier::One),
            (Status::InProgress, Tier::One),
        ));
        assert_eq!(
            (handling.resolved_at, handling.resolution.clone()),
            (None, None)
        );
        handling.apply(made(
            Action::Close,
            (Status::Resolved, Tier::One),
            (Status::Closed, Tier::One),
        ));
        assert_eq!(handling.closed_at, Some(at(1)));
    }

    #[test]
    fn only_the_first_answer_stops_the_response_clock() {
        let mut handling = Handling::default();
        assert!(handling.respond(at(1)));
        assert!(!handling.respond(at(2)));
        assert_eq!(handling.first_response_at, Some(at(1)));
        let mut pend = made(
            Action::Pend,
            (Status::New, Tier::One),
            (Status::Pending, Tier::One),
        );
        pend.at = at(3);
        handling.apply(pend);
        assert_eq!(handling.first_response_at, Some(at(1)));
        let mut fresh = Handling::default();
        fresh.apply(made(
            Action::Assign,
            (Status::New, Tier::One),
            (Status::New, Tier::One),
        ));
        assert_eq!(fresh.first_response_at, None, "assigning is no answer");
    }
}
