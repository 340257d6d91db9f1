//! The ticket as the service must show it, from the model.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{Calendar, Clock, Ticket, stamp};

impl Ticket {
    /// The ticket's `status`, `tier`, `priority` and `sla` as the service must show them at
    /// `now`. A clock that ran out in an earlier stretch of counting (before a pause) shows as
    /// its due instant the moment it started counting again: when it ran out is not kept.
    pub fn expected_view(&self, now: DateTime<Utc>, calendar: &Calendar) -> Value {
        let clock_view = |clock: &Clock| {
            let elapsed = clock.elapsed(now, calendar);
            let remaining = clock.target.map(|target| target - elapsed);
            let due_at = match (clock.since, clock.target) {
                (Some(_), Some(target)) => {
                    json!(stamp(clock.instant_of(target, calendar).expect("counting")))
                }
                _ => Value::Null,
            };
            json!({
                "target_seconds": clock.target,
                "elapsed_seconds": elapsed,
                "remaining_seconds": remaining,
                "due_at": due_at,
                "met_at": clock.met_at.map(stamp),
                "breached": clock.breached || remaining.is_some_and(|r| r < 0),
            })
        };
        json!({
            "status": self.status,
            "tier": self.tier,
            "priority": self.priority(),
            "paused": self.status == "pending",
            "response": clock_view(&self.clocks[0]),
            "tier1": clock_view(&self.clocks[1]),
            "resolution": clock_view(&self.clocks[2]),
        })
    }
}
