//! The ticket lifecycle as a property: random sequences of every action, comments, priority
//! edits and waits, on a 24×7 and an office-hours calendar with holidays, applied to the real
//! service over a real database and held against the model in `model.rs` after every step:
//! which clocks run, are paused, met or breached, their elapsed business time and due
//! instants, which alerts and escalations are recorded, that each owes its mail, and that
//! every entry of the trail is linked into a chain that verifies.
//!
//! `SERVICEDESK_MODEL_CASES` sets the number of sequences per database (default 300).
//! Counterexamples proptest has shrunk belong in `regressions.rs` as plain tests.

mod harness;
mod model;
mod regressions;
mod steps;

use proptest::prelude::*;

use crate::support::Backend;
use harness::Harness;
use steps::sequence;

fn cases() -> u32 {
    std::env::var("SERVICEDESK_MODEL_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

fn lifecycle_follows_the_model(backend: Backend) {
    let desk = Harness::new(backend);
    let config = ProptestConfig {
        cases: cases(),
        // Failures are kept as regular tests in regressions.rs, not in files beside the code.
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(sequence in sequence())| {
        desk.play(&sequence);
    });
    desk.check_whole_chain();
}

#[test]
fn lifecycle_follows_the_model_on_sqlite() {
    lifecycle_follows_the_model(Backend::Sqlite);
}

#[test]
fn lifecycle_follows_the_model_on_postgres() {
    lifecycle_follows_the_model(Backend::Postgres);
}
