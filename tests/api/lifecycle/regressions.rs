//! Sequences the property test found, shrunk, kept as plain tests on both databases.

use super::harness::Harness;
use super::model::Actor;
use super::steps::{Sequence, Step};
use crate::support::Backend;

fn on_both(sequence: &Sequence) {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        Harness::new(backend).play(sequence);
    }
}

/// Closing used to restart the tier 1 and resolution clocks, and the engine then warned,
/// breached and mailed for a closed ticket.
#[test]
fn a_closed_ticket_owes_nothing() {
    on_both(&Sequence {
        offset_seconds: 3_600,
        round_the_clock: true,
        impact: "high",
        urgency: "high",
        steps: vec![
            Step::Act("acknowledge", Actor::Tier1),
            Step::Act("resolve", Actor::Tier1),
            Step::Act("close", Actor::Tier1),
            Step::Wait {
                seconds: 8 * 3_600,
                engine: true,
            },
        ],
    });
}

/// A second escalation after a return moved the instant tier 1's window ended.
#[test]
fn a_second_escalation_keeps_when_tier1_ended() {
    on_both(&Sequence {
        offset_seconds: 0,
        round_the_clock: false,
        impact: "high",
        urgency: "high",
        steps: vec![
            Step::Act("escalate", Actor::Tier1),
            Step::Act("return", Actor::Tier2),
            Step::Wait {
                seconds: 1,
                engine: false,
            },
            Step::Act("escalate", Actor::Tier1),
        ],
    });
}

/// A priority raised while the ticket was pending used up tier 1's new window at once, but
/// nothing was recorded and the ticket did not escalate: it showed as breached without a breach.
#[test]
fn a_priority_raised_while_pending_escalates_at_once() {
    on_both(&Sequence {
        offset_seconds: 0,
        round_the_clock: true,
        impact: "low",
        urgency: "high",
        steps: vec![
            Step::Wait {
                seconds: 2_880,
                engine: false,
            },
            Step::Act("pend", Actor::Tier1),
            Step::Edit(Actor::Tier1, "high", "high"),
        ],
    });
}

/// A calendar edit moved the due instant of every clock already over its target to the
/// moment of the edit, so that `sort=due` tied all overdue tickets.
#[test]
fn a_calendar_edit_keeps_when_an_overdue_clock_ran_out() {
    on_both(&Sequence {
        offset_seconds: 0,
        round_the_clock: false,
        impact: "high",
        urgency: "high",
        steps: vec![
            Step::Wait {
                seconds: 1_200,
                engine: true,
            },
            Step::Holiday { days: 3 },
        ],
    });
}
