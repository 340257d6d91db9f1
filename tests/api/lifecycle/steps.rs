//! What happens to a ticket in one sequence, and the strategies that make sequences up.

use proptest::prelude::*;

use super::model::Actor;
use crate::support::ACTIONS;

/// One step of a sequence.
#[derive(Debug, Clone)]
pub enum Step {
    /// A move of the action table.
    Act(&'static str, Actor),
    /// A comment, internal or public.
    Comment(Actor, bool),
    /// An impact and urgency edit.
    Edit(Actor, &'static str, &'static str),
    /// The supervisor adds a holiday to the office calendar, `days` after today (local).
    Holiday { days: i64 },
    /// Time passes; with `engine`, the SLA engine runs at every instant something comes due
    /// (as it does in `serve`); without, it is late and first looks at the end.
    Wait { seconds: i64, engine: bool },
}

/// A ticket's life: where it starts, on which calendar, and what happens to it.
#[derive(Debug, Clone)]
pub struct Sequence {
    pub offset_seconds: i64,
    pub round_the_clock: bool,
    pub impact: &'static str,
    pub urgency: &'static str,
    pub steps: Vec<Step>,
}

const LEVELS: [&str; 3] = ["high", "medium", "low"];

fn actor() -> impl Strategy<Value = Actor> {
    prop_oneof![Just(Actor::Tier1), Just(Actor::Tier2)]
}

fn level() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&LEVELS[..])
}

fn step() -> impl Strategy<Value = Step> {
    let wait = prop_oneof![
        4 => 1..1_800i64,
        3 => 1_800..6 * 3_600i64,
        2 => 6 * 3_600..60 * 3_600i64,
    ];
    prop_oneof![
        12 => (prop::sample::select(&ACTIONS[..]), actor()).prop_map(|(a, who)| Step::Act(a, who)),
        6 => (wait, any::<bool>()).prop_map(|(seconds, engine)| Step::Wait { seconds, engine }),
        1 => (actor(), any::<bool>()).prop_map(|(who, internal)| Step::Comment(who, internal)),
        2 => (actor(), level(), level()).prop_map(|(who, i, u)| Step::Edit(who, i, u)),
        1 => (0..10i64).prop_map(|days| Step::Holiday { days }),
    ]
}

/// A random sequence: where in the week it starts, on which calendar, at which priority, and
/// up to 23 steps.
pub fn sequence() -> impl Strategy<Value = Sequence> {
    (
        0..7 * 86_400i64,
        any::<bool>(),
        level(),
        level(),
        prop::collection::vec(step(), 1..24),
    )
        .prop_map(
            |(offset_seconds, round_the_clock, impact, urgency, steps)| Sequence {
                offset_seconds,
                round_the_clock,
                impact,
                urgency,
                steps,
            },
        )
}
