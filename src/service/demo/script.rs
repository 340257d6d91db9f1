//! The moves a demo ticket gets, as fractions of its SLA targets: most are solved at Tier 1 in
//! time, some answered late, escalated by hand or by the engine, left pending, returned,
//! reopened or cancelled, and a few nobody looks at until the resolution target has long passed.

use rand::Rng;
use rand::rngs::StdRng;

use chrono::{DateTime, Utc};

use crate::domain::sla::{SlaTarget, default_targets};
use crate::domain::ticket::{self, Action, Kind, Level};

/// How far back the history reaches.
pub(super) const DAYS: i64 = 90;

/// A ticket to record and the moves it will get.
pub(super) struct Plan {
    pub(super) created: DateTime<Utc>,
    pub(super) pd: usize,
    pub(super) technician: usize,
    pub(super) worker: usize,
    pub(super) service: Option<usize>,
    pub(super) impact: Level,
    pub(super) urgency: Level,
    pub(super) kind: Kind,
    pub(super) title: &'static str,
    /// Due within minutes of the end: said in the summary.
    pub(super) due_soon: Option<&'static str>,
    pub(super) steps: Vec<Step>,
}

/// Business seconds of an office day, roughly: for "a day or two later".
pub(super) const OFFICE_DAY: i64 = 8 * 3600;

pub(super) const RESOLUTION: &str = "Sudah ditangani dan dicek bersama pelapor (data demo).";

/// One move of a planned ticket, `after` business seconds from its creation.
pub(super) struct Step {
    pub(super) after: i64,
    pub(super) action: Action,
    /// What the move's one field says (the reason, solution or resolution), if it needs one.
    pub(super) text: &'static str,
}

pub(super) fn step(after: f64, action: Action, text: &'static str) -> Step {
    Step {
        after: after as i64,
        action,
        text,
    }
}

/// A ticket's targets in business seconds (response, tier 1 window, resolution), an office
/// day, and the dice.
struct Scale<'a> {
    response: f64,
    window: f64,
    resolution: f64,
    rng: &'a mut StdRng,
}

impl Scale<'_> {
    fn between(&mut self, low: f64, high: f64) -> f64 {
        self.rng.random_range(low..high)
    }

    fn ack(&self, fraction: f64) -> Step {
        step(fraction * self.response, Action::Acknowledge, "")
    }

    /// Resolved at `at`, closed a day or three later.
    fn resolve_and_close(&mut self, at: f64) -> [Step; 2] {
        let closed = at + self.between(1.0, 3.0) * OFFICE_DAY as f64;
        [
            step(at, Action::Resolve, RESOLUTION),
            step(closed, Action::Close, ""),
        ]
    }
}

/// The moves of one ticket with targets `target`.
pub(super) fn moves(rng: &mut StdRng, target: &SlaTarget) -> Vec<Step> {
    let mut scale = Scale {
        response: target.response_seconds as f64,
        window: target.tier1_seconds.unwrap_or(target.resolution_seconds) as f64,
        resolution: target.resolution_seconds as f64,
        rng,
    };
    let mut steps = match scale.between(0.0, 100.0) as u32 {
        0..36 => solved_at_tier1(&mut scale, (0.1, 0.7), (0.3, 0.9)),
        36..46 => solved_at_tier1(&mut scale, (1.2, 2.5), (0.5, 0.95)),
        46..60 => escalated_by_hand(&mut scale),
        60..70 => escalated_by_the_engine(&mut scale),
        70..80 => pended(&mut scale),
        80..87 => returned(&mut scale),
        87..92 => vec![step(0.3 * scale.response, Action::Cancel, "Laporan ganda")],
        92..96 => reopened(&mut scale),
        _ => {
            let fixed = scale.between(1.2, 2.0) * scale.resolution;
            scale.resolve_and_close(fixed).into()
        }
    };
    // Each move a minute at least after the one before.
    for i in 1..steps.len() {
        steps[i].after = steps[i].after.max(steps[i - 1].after + 60);
    }
    steps
}

/// Acknowledged within `ack` of the response target, solved within `fixed` of Tier 1's window.
fn solved_at_tier1(scale: &mut Scale, ack: (f64, f64), fixed: (f64, f64)) -> Vec<Step> {
    let fixed = scale.between(fixed.0, fixed.1) * scale.window;
    let acknowledged = scale.between(ack.0, ack.1);
    let mut steps = vec![scale.ack(acknowledged)];
    steps.extend(scale.resolve_and_close(fixed));
    steps
}

fn escalated_by_hand(scale: &mut Scale) -> Vec<Step> {
    let escalated = scale.between(0.3, 0.8) * scale.window;
    let fixed = scale.between(0.4, 1.3) * scale.resolution;
    let taken = escalated + scale.between(0.05, 0.2) * scale.window;
    let mut steps = vec![
        scale.ack(0.4),
        step(
            escalated,
            Action::Escalate,
            "Perlu akses server di pusat data Diskominfo",
        ),
        step(taken, Action::Acknowledge, ""),
    ];
    steps.extend(scale.resolve_and_close(fixed));
    steps
}

/// Tier 1 answers but does not get to it: the engine escalates at the window's end, and the
/// supervisor hands it to a Tier 2 technician.
fn escalated_by_the_engine(scale: &mut Scale) -> Vec<Step> {
    let fixed = scale.between(0.5, 1.4) * scale.resolution;
    let assigned = scale.window + scale.between(0.02, 0.1) * scale.window;
    let mut steps = vec![scale.ack(0.5), step(assigned, Action::Assign, "")];
    steps.extend(scale.resolve_and_close(fixed));
    steps
}

fn pended(scale: &mut Scale) -> Vec<Step> {
    let pended = 0.25 * scale.window;
    let resumed = pended + scale.between(1.0, 2.0) * OFFICE_DAY as f64;
    let fixed = resumed + 0.3 * scale.window;
    let mut steps = vec![
        scale.ack(0.3),
        step(pended, Action::Pend, "Menunggu konfirmasi pelapor"),
        step(resumed, Action::Resume, ""),
    ];
    steps.extend(scale.resolve_and_close(fixed));
    steps
}

fn returned(scale: &mut Scale) -> Vec<Step> {
    let escalated = 0.4 * scale.window;
    let returned = escalated + 0.1 * scale.resolution;
    let fixed = returned + 0.1 * scale.window;
    let mut steps = vec![
        scale.ack(0.3),
        step(escalated, Action::Escalate, "Butuh hak akses administrator"),
        step(
            returned,
            Action::Return,
            "Hak akses sudah diberikan; mohon pasang ulang aplikasi di komputer pelapor.",
        ),
    ];
    steps.extend(scale.resolve_and_close(fixed));
    steps
}

fn reopened(scale: &mut Scale) -> Vec<Step> {
    let fixed = 0.6 * scale.window;
    let reopened = fixed + OFFICE_DAY as f64;
    let again = reopened + 0.2 * scale.window;
    let mut steps = vec![
        scale.ack(0.3),
        step(fixed, Action::Resolve, RESOLUTION),
        step(reopened, Action::Reopen, "Masalah muncul lagi"),
    ];
    steps.extend(scale.resolve_and_close(again));
    steps
}

/// The default policy's target for a ticket of `impact` and `urgency`.
pub(super) fn target_for(impact: Level, urgency: Level) -> SlaTarget {
    let priority = ticket::priority(impact, urgency, false);
    default_targets()
        .into_iter()
        .find(|t| t.priority == priority)
        .unwrap_or_else(|| default_targets().remove(0))
}
